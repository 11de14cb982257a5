"""Worksheets that take a table's columns whole.

XlsxWriter keeps a Python object for every cell and writes each cell's XML through several
calls, about 7 µs a cell: 5.7 s for a province's 730,000 cells. `BlockSheet.write_block` keeps a
column as arrays instead: its texts enter the workbook's shared-string table once per distinct
text, its formats get their style numbers once per distinct format, and the rows' XML is built
from those when the workbook is closed. The XML is the one XlsxWriter writes for the same
cells written one by one, column after column, in row order: a test compares the two byte
for byte. Cells written the usual way (titles, notes, headers, "不适用" over a value) mix
freely with blocks; as in XlsxWriter, the last write to a cell wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellNumberTuple,
    CellStringTuple,
    Worksheet,
    _utf16_len,
    _utf16_truncate,
)

SPAN_ROWS = 16  # XlsxWriter gives each block of 16 rows one "spans" attribute
TEXT_LIMIT = 32767  # UTF-16 units of a cell's text (XlsxWriter's xls_strmax)
NO_FORMAT = -1


@dataclass(frozen=True)
class _Block:
    """One column's cells: sheet rows (ascending), each cell's value XML after its style
    (' t="s"><v>3</v></c>', '><v>2.5</v></c>' or '/>' for a formatted blank), its format (a
    position in the sheet's format list, NO_FORMAT for none), and its value for charts: a
    shared-string index (-1 if not a text), else a number (NaN for a blank)."""

    rows: np.ndarray
    col: int
    bodies: list[str]
    formats: np.ndarray
    shared: np.ndarray
    numbers: np.ndarray

    def cell(self, i: int):
        """Cell i as XlsxWriter holds a cell, for chart data."""
        if self.shared[i] >= 0:
            return CellStringTuple(int(self.shared[i]), None)
        if np.isfinite(self.numbers[i]):
            return CellNumberTuple(float(self.numbers[i]), None)
        return CellBlankTuple(None)


class BlockSheet(Worksheet):
    """A Worksheet that also takes whole columns of cells at once (`write_block`)."""

    def __init__(self) -> None:
        super().__init__()
        self._blocks: list[_Block] = []
        self._formats: list[Format] = []  # the formats blocks use, by position
        self._format_at: dict[int, int] = {}  # id(format) → position

    def write_block(self, first_row: int, col: int, strings: np.ndarray | None = None,
                    numbers: np.ndarray | None = None, formats: Format | np.ndarray | None = None) -> None:
        """Cells from `first_row` down in column `col`: row i holds `strings[i]` where that is a
        non-empty text, else `numbers[i]` where that is finite, else a blank cell if it has a
        format, else nothing. `formats`: one format for every cell, or one per row (None for
        none)."""
        n = len(strings) if strings is not None else len(numbers) if numbers is not None else 0
        texts = np.asarray(strings, dtype=object) if strings is not None else np.full(n, None, dtype=object)
        is_text = pd.notna(texts) & (texts != "")
        values = np.asarray(numbers, dtype=float) if numbers is not None else np.full(n, np.nan)
        is_number = ~is_text & np.isfinite(values)
        codes = self._format_codes(formats, n)
        present = np.flatnonzero(is_text | is_number | (codes != NO_FORMAT))
        if not len(present):
            return
        rows = first_row + present
        for row in (int(rows[0]), int(rows[-1])):
            if self._check_dimensions(row, col):
                raise ValueError(f"cell ({row}, {col}) is outside the worksheet")
        self._drop_ordinary(rows, col)
        bodies = np.full(len(present), "/>", dtype=object)
        text_at, number_at = is_text[present], is_number[present]
        shared = np.full(len(present), -1, dtype=np.int64)
        shared[text_at] = self._shared_indices(texts[present[text_at]])
        bodies[text_at] = [f' t="s"><v>{i}</v></c>' for i in shared[text_at].tolist()]
        bodies[number_at] = [f"><v>{t}</v></c>" for t in _number_texts(values[present[number_at]])]
        self._blocks.append(_Block(rows.astype(np.int64), col, bodies.tolist(), codes[present], shared,
                                   np.where(number_at, values[present], np.nan)))

    def _format_codes(self, formats: Format | np.ndarray | None, n: int) -> np.ndarray:
        """Each row's format as a position in the sheet's format list (NO_FORMAT for none)."""
        if formats is None or isinstance(formats, Format):
            return np.full(n, self._format_position(formats), dtype=np.int64)
        each = np.asarray(formats, dtype=object)
        keys, distinct = pd.factorize(np.array([id(f) for f in each.tolist()], dtype=np.int64))
        first = {id(f): f for f in each.tolist()}
        return np.array([self._format_position(first[k]) for k in distinct.tolist()], dtype=np.int64)[keys]

    def _format_position(self, fmt: Format | None) -> int:
        if fmt is None:
            return NO_FORMAT
        if id(fmt) not in self._format_at:
            self._format_at[id(fmt)] = len(self._formats)
            self._formats.append(fmt)
        return self._format_at[id(fmt)]

    def _drop_ordinary(self, rows: np.ndarray, col: int) -> None:
        """Cells written the usual way before the block, where the block now writes: the last
        write wins, as in XlsxWriter."""
        taken = [r for r, cells in self.table.items() if col in cells]
        for row in np.asarray(taken, dtype=np.int64)[np.isin(taken, rows)].tolist():
            del self.table[row][col]

    def _shared_indices(self, texts: np.ndarray) -> np.ndarray:
        """Shared-string index of each text, entered in the table in order of first appearance
        (as writing them one by one would) and counted once per cell."""
        codes, distinct = pd.factorize(texts)
        table = self.str_table
        indices = np.array([table._get_shared_string_index(_excel_text(text)) for text in distinct.tolist()],
                           dtype=np.int64)
        table.count += len(texts) - len(distinct)
        return indices[codes]

    def _get_range_data(self, row_start, col_start, row_end, col_end):
        """A chart's cached data: the block cells in the range join the ordinary ones while
        XlsxWriter reads them (an ordinary cell there was written after the block and wins)."""
        added: set[tuple[int, int]] = set()
        for block in self._blocks:
            if not col_start <= block.col <= col_end:
                continue
            inside = np.flatnonzero((block.rows >= row_start) & (block.rows <= row_end))
            for i, row in zip(inside.tolist(), block.rows[inside].tolist()):
                if block.col not in self.table[row] or (row, block.col) in added:
                    self.table[row][block.col] = block.cell(i)
                    added.add((row, block.col))
        try:
            return super()._get_range_data(row_start, col_start, row_end, col_end)
        finally:
            for row, col in added:
                self.table[row].pop(col, None)

    def _calculate_spans(self) -> None:
        super()._calculate_spans()
        if not self._blocks:
            return
        rows = np.concatenate([b.rows for b in self._blocks])
        cols = np.concatenate([np.full(len(b.rows), b.col) for b in self._blocks])
        for bucket, (low, high) in _bucket_spans(rows, cols).items():
            if bucket in self.row_spans:
                first, last = map(int, self.row_spans[bucket].split(":"))
                low, high = min(low, first - 1), max(high, last - 1)
            self.row_spans[bucket] = f"{low + 1}:{high + 1}"

    def _write_rows(self) -> None:
        if not self._blocks:
            return super()._write_rows()
        if any(i.row_format for i in self.row_info.values()) or any(
                i.column_format for i in self.col_info.values()):
            raise NotImplementedError("row and column formats do not reach block cells")
        self._calculate_spans()
        rows, cols, bodies, formats = self._block_cells()
        starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
        ends = np.r_[starts[1:], len(rows)]
        block_rows = dict(zip(rows[starts].tolist(), zip(starts.tolist(), ends.tolist())))
        first_use = _first_use(rows, formats)
        ordinary = {r for r, cells in self.table.items() if cells} | set(self.row_info) | set(self.comments)
        refs = [xl_col_to_name(c) for c in range(int(cols.max()) + 1)]
        styles = [""] * len(self._formats) + [""]  # by format position; the last is NO_FORMAT's
        col_list, format_list, row_numbers = cols.tolist(), formats.tolist(), (rows + 1).tolist()
        write = self.fh.write
        for row in sorted(ordinary.union(block_rows)):
            if not self.dim_rowmin <= row <= self.dim_rowmax:
                continue
            if row not in block_rows:
                self._write_ordinary_row(row)
                continue
            start, end = block_rows[row]
            for code in first_use.get(row, ()):  # style numbers are given in order of first use
                styles[code] = f' s="{self._formats[code]._get_xf_index()}"'
            self._write_row(row, self.row_spans.get(row // SPAN_ROWS), self.row_info.get(row))
            cells = [f'<c r="{refs[col_list[i]]}{row_numbers[i]}"{styles[format_list[i]]}{bodies[i]}'
                     for i in range(start, end)]
            own = self.table.get(row)
            if own:  # cells written the usual way after the block: theirs win
                cells = self._merged_row(row, own, col_list[start:end], cells)
            write("".join(cells))
            write("</row>")

    def _block_cells(self) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
        """All blocks' cells in row, then column order; of two blocks writing one cell, the later."""
        rows = np.concatenate([b.rows for b in self._blocks])
        cols = np.concatenate([np.full(len(b.rows), b.col, dtype=np.int64) for b in self._blocks])
        seq = np.arange(len(rows))
        order = np.lexsort((-seq, cols, rows))
        keep = np.r_[True, (np.diff(rows[order]) != 0) | (np.diff(cols[order]) != 0)]
        order = order[keep]
        bodies = [body for b in self._blocks for body in b.bodies]
        formats = np.concatenate([b.formats for b in self._blocks])
        return rows[order], cols[order], [bodies[i] for i in order.tolist()], formats[order]

    def _write_ordinary_row(self, row: int) -> None:
        """A row with no block cells, as XlsxWriter's own `_write_rows` writes it."""
        span, info, cells = self.row_spans.get(row // SPAN_ROWS), self.row_info.get(row), self.table.get(row)
        if not cells:
            self._write_empty_row(row, span, info)
            return
        self._write_row(row, span, info)
        for col in sorted(cells):
            self._write_cell(row, col, cells[col])
        self.fh.write("</row>")

    def _merged_row(self, row: int, own: dict, block_cols: list[int], block_xml: list[str]) -> list[str]:
        """A row's block cells and its ordinary cells, by column; an ordinary cell replaces the
        block's (it was written later: `_drop_ordinary` removed the earlier ones)."""
        by_col = dict(zip(block_cols, block_xml))
        fh, self.fh = self.fh, _Collect()
        try:
            for col in own:
                self._write_cell(row, col, own[col])
                by_col[col] = self.fh.take()
        finally:
            self.fh = fh
        return [by_col[col] for col in sorted(by_col)]


class _Collect:
    """A file-like sink that hands back what was written to it."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def _first_use(rows: np.ndarray, formats: np.ndarray) -> dict[int, list[int]]:
    """For each row, the formats first used in it (in column order): cells in row, column order."""
    used = formats != NO_FORMAT
    codes, at = np.unique(formats[used], return_index=True)
    first: dict[int, list[int]] = {}
    for position, code in sorted(zip(np.flatnonzero(used)[at].tolist(), codes.tolist())):
        first.setdefault(int(rows[position]), []).append(code)
    return first


def _number_texts(values: np.ndarray) -> list[str]:
    """Each number as XlsxWriter writes it (`%.16G`), formatted once per distinct value."""
    codes, distinct = pd.factorize(values)
    texts = np.array([f"{v:.16G}" for v in distinct.tolist()], dtype=object)
    return texts[codes].tolist()


def _excel_text(text: str) -> str:
    """Text as a cell holds it: cut at Excel's 32,767 UTF-16 units, as XlsxWriter does."""
    if len(text) > TEXT_LIMIT // 2 and _utf16_len(text) > TEXT_LIMIT:
        return _utf16_truncate(text, TEXT_LIMIT)
    return text


def _bucket_spans(rows: np.ndarray, cols: np.ndarray) -> dict[int, tuple[int, int]]:
    """Lowest and highest column of each block of SPAN_ROWS rows that has cells."""
    frame = pd.DataFrame({"bucket": rows // SPAN_ROWS, "col": cols}).groupby("bucket")["col"].agg(["min", "max"])
    return {int(b): (int(lo), int(hi)) for b, lo, hi in zip(frame.index, frame["min"], frame["max"])}
