"""The workbook's cost baseline: the same cells written with XlsxWriter plainly.

`record_cells` builds the real workbook once (not timed) while noting every string and number
it writes, sheet by sheet, whether cell by cell or a column at a time (`BlockSheet.write_block`);
`write_plain` then writes exactly those cells into a new workbook with the public typed writers
and nothing else: no formats, widths, merges, filters, conditional formats or charts.
`bench.stages` times the two in turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from scoring.report.blocksheet import BlockSheet


@dataclass
class SheetCells:
    strings: list[tuple[int, int, str]] = field(default_factory=list)
    numbers: list[tuple[int, int, float]] = field(default_factory=list)


@contextmanager
def _recording(cells: dict[str, SheetCells]) -> Iterator[None]:
    """Note the cells XlsxWriter stores (the last write to a cell wins, as in the file)."""
    write_string, write_number = Worksheet._write_string, Worksheet._write_number
    written: dict[str, dict[tuple[int, int], object]] = {}

    def string(self, row, col, text, cell_format=None):
        written.setdefault(self.name, {})[(row, col)] = text
        return write_string(self, row, col, text, cell_format)

    def number(self, row, col, value, cell_format=None):
        written.setdefault(self.name, {})[(row, col)] = float(value)
        return write_number(self, row, col, value, cell_format)

    def block(self, first_row, col, strings=None, numbers=None, formats=None):
        """A column's cells as `write_block` takes them: a non-empty text, else a finite number."""
        sheet = written.setdefault(self.name, {})
        n = len(strings) if strings is not None else len(numbers) if numbers is not None else 0
        for i in range(n):
            text = strings[i] if strings is not None else None
            if isinstance(text, str) and text:
                sheet[(first_row + i, col)] = text
            elif numbers is not None and np.isfinite(numbers[i]):
                sheet[(first_row + i, col)] = float(numbers[i])
        return write_block(self, first_row, col, strings, numbers, formats)

    write_block = BlockSheet.write_block
    Worksheet._write_string, Worksheet._write_number, BlockSheet.write_block = string, number, block
    try:
        yield
    finally:
        Worksheet._write_string, Worksheet._write_number = write_string, write_number
        BlockSheet.write_block = write_block
    for name, sheet in written.items():
        target = cells.setdefault(name, SheetCells())
        for (row, col), value in sheet.items():
            (target.strings if isinstance(value, str) else target.numbers).append((row, col, value))


def record_cells(result, path: Path) -> dict[str, SheetCells]:
    """Every string and number the workbook writer puts in each sheet, in sheet order."""
    from scoring.report.workbook import write_workbook

    cells: dict[str, SheetCells] = {}
    with _recording(cells):
        write_workbook(result, path)
    return cells


def write_plain(cells: dict[str, SheetCells], path: Path) -> None:
    with Workbook(str(path)) as wb:
        for name, sheet in cells.items():
            ws = wb.add_worksheet(name)
            for row, col, text in sheet.strings:
                ws.write_string(row, col, text)
            for row, col, value in sheet.numbers:
                ws.write_number(row, col, value)


def cell_count(cells: dict[str, SheetCells]) -> int:
    return sum(len(s.strings) + len(s.numbers) for s in cells.values())
