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
import pyarrow as pa
import pyarrow.compute as pc
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
COLS = 16384  # columns of a worksheet: row * COLS + col numbers a cell


@dataclass(frozen=True)
class _Block:
    """One column's cells: sheet rows (ascending), each cell's format (a position in the
    sheet's format list, NO_FORMAT for none) and value: a shared-string index (-1 if not a
    text), else a number (NaN for a formatted blank). Their XML is made when the sheet is
    written (`_write_rows`), for all blocks of the sheet at once."""

    rows: np.ndarray
    col: int
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
        self._cells: tuple[np.ndarray, ...] | None = None  # _block_cells, once made

    def write_block(self, first_row: int, col: int, strings: np.ndarray | None = None,
                    numbers: np.ndarray | None = None,
                    formats: Format | np.ndarray | tuple[list[Format], np.ndarray] | None = None) -> None:
        """Cells from `first_row` down in column `col`: row i holds `strings[i]` where that is a
        non-empty text, else `numbers[i]` where that is finite, else a blank cell if it has a
        format, else nothing. `formats`: one format for every cell, one per row (None for
        none), or (choices, picks): row i has choices[picks[i]] (the few formats of a table
        column, without an object per row)."""
        n = len(strings) if strings is not None else len(numbers) if numbers is not None else 0
        shared = self._shared_indices(strings) if strings is not None else np.full(n, -1, dtype=np.int64)
        is_text = shared >= 0
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
        numbers_at = np.where(is_number[present], values[present], np.nan)
        self._blocks.append(_Block(rows.astype(np.int64), col, codes[present], shared[present], numbers_at))

    def _format_codes(self, formats: Format | np.ndarray | tuple[list[Format], np.ndarray] | None,
                      n: int) -> np.ndarray:
        """Each row's format as a position in the sheet's format list (NO_FORMAT for none)."""
        if formats is None or isinstance(formats, Format):
            return np.full(n, self._format_position(formats), dtype=np.int64)
        if isinstance(formats, tuple):
            choices, picks = formats
        else:  # a Format is equal only to itself (XlsxWriter defines no __eq__): factorized by identity
            picks, choices = pd.factorize(np.asarray(formats, dtype=object))  # None → -1
        positions = [self._format_position(f) for f in list(choices)] + [NO_FORMAT]
        return np.array(positions, dtype=np.int64)[np.asarray(picks)]

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

    def _shared_indices(self, strings: np.ndarray) -> np.ndarray:
        """Shared-string index of each non-empty text, -1 for anything else (None, NaN, "").
        Texts enter the table in order of first appearance, as writing them one by one would,
        and are counted once per cell."""
        codes, distinct = pd.factorize(np.asarray(strings, dtype=object))  # None and NaN: -1
        table = self.str_table
        indices = np.array([table._get_shared_string_index(_excel_text(t)) if isinstance(t, str) and t else -1
                            for t in distinct.tolist()] + [-1], dtype=np.int64)  # the last one for code -1
        shared = indices[codes]
        table.count += int(np.count_nonzero(shared >= 0)) - int(np.count_nonzero(indices >= 0))
        return shared

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

    def cell_count(self) -> int:
        """Cells written so far, in blocks and the usual way (a cell written twice counts twice)."""
        return sum(len(b.rows) for b in self._blocks) + sum(len(own) for own in self.table.values())

    def number_formats(self) -> None:
        """Give the formats the sheet uses their style numbers in the order XlsxWriter's writing
        of it would: column formats by column, then by row and column over the row formats (a
        row's first), the ordinary cells and the block cells. Run for every sheet in the
        workbook's order before any is written (scoring/report/packager.py), it lets sheets be
        written in any order, or apart, with the numbers of one by one."""
        columns = [info.column_format for _, info in sorted(self.col_info.items()) if info.column_format]
        uses = [(r, -1, info.row_format) for r, info in self.row_info.items() if info.row_format]
        uses += [(r, c, cell.format) for r, own in self.table.items() for c, cell in own.items() if cell.format]
        if self._blocks:
            rows, cols, _, _, formats = self._block_cells()
            used = formats != NO_FORMAT
            codes, at = np.unique(formats[used], return_index=True)
            first = np.flatnonzero(used)[at]
            uses += [(int(rows[i]), int(cols[i]), self._formats[code]) for i, code in zip(first.tolist(),
                                                                                         codes.tolist())]
        for fmt in columns + [fmt for *_, fmt in sorted(uses, key=lambda use: use[:2])]:
            fmt._get_xf_index()

    def _write_rows(self) -> None:
        if not self._blocks:
            return super()._write_rows()
        if any(i.row_format for i in self.row_info.values()) or any(
                i.column_format for i in self.col_info.values()):
            raise NotImplementedError("row and column formats do not reach block cells")
        self._calculate_spans()
        self.number_formats()
        rows, cols, shared, numbers, formats = self._block_cells()
        cells = self._cell_xml(rows, cols, _value_xml(shared, numbers), formats)
        starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
        block_rows = rows[starts]
        mixed = {r for r in block_rows.tolist() if self.table.get(r) or r in self.comments}
        tagged = self._row_xml(block_rows, starts, cells, mixed)
        ordinary = {r for r, own in self.table.items() if own} | set(self.row_info) | set(self.comments)
        xml = dict(zip(block_rows.tolist(), tagged))
        write = self.fh.write
        for row in sorted(ordinary.union(xml)):
            if not self.dim_rowmin <= row <= self.dim_rowmax:
                continue
            if row in mixed:
                at = int(np.searchsorted(block_rows, row))
                stop = int(starts[at + 1]) if at + 1 < len(starts) else len(rows)
                self._write_mixed_row(row, cols[starts[at]:stop].tolist(), cells[starts[at]:stop].to_pylist())
            elif row in xml:
                write(xml[row])
            else:
                self._write_ordinary_row(row)

    def _block_cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All blocks' cells in row, then column order (rows, columns, shared-string indices,
        numbers, formats): of two blocks writing one cell, the later; none where a cell written
        the usual way (after the block) replaces it. Made once, when the workbook is closed
        (numbering the formats, then writing the rows): nothing is written to it after."""
        if self._cells is None:
            rows = np.concatenate([b.rows for b in self._blocks])
            cols = np.concatenate([np.full(len(b.rows), b.col, dtype=np.int64) for b in self._blocks])
            order = np.lexsort((-np.arange(len(rows)), cols, rows))
            keep = np.r_[True, (np.diff(rows[order]) != 0) | (np.diff(cols[order]) != 0)]
            order = order[keep]
            own = [(r, c) for r, cells in self.table.items() for c in cells]
            if own:
                replaced = np.isin(rows[order] * COLS + cols[order], [r * COLS + c for r, c in own])
                order = order[~replaced]
            self._cells = (rows[order], cols[order], *(np.concatenate([getattr(b, part) for b in self._blocks])[order]
                                                       for part in ("shared", "numbers", "formats")))
        return self._cells

    def _cell_xml(self, rows: np.ndarray, cols: np.ndarray, bodies: pa.Array, formats: np.ndarray) -> pa.Array:
        """Each cell's XML, built by Arrow: '<c r="B7" s="3"><v>2.5</v></c>'."""
        refs = pa.array([xl_col_to_name(c) for c in range(int(cols.max()) + 1)]).take(pa.array(cols))
        texts = [""] * (len(self._formats) + 1)  # a format given but never used keeps no style number
        for code in np.unique(formats[formats != NO_FORMAT]).tolist():
            texts[code] = f' s="{self._formats[code]._get_xf_index()}"'
        styles = pa.array(texts)
        style = styles.take(pa.array(np.where(formats == NO_FORMAT, len(self._formats), formats)))
        return pc.binary_join_element_wise('<c r="', refs, pa.array(rows + 1).cast(pa.string()), '"', style, bodies,
                                           "")

    def _row_xml(self, block_rows: np.ndarray, starts: np.ndarray, cells: pa.Array, mixed: set[int]) -> list[str]:
        """Each block row's whole XML, <row ...> to </row> (left empty for `mixed` rows)."""
        spans = np.array([self.row_spans.get(b, "") for b in range(int(block_rows.max()) // SPAN_ROWS + 1)],
                         dtype=object)[block_rows // SPAN_ROWS]
        head, tail = self._row_tag_parts()
        tags = pc.binary_join_element_wise(head, pa.array(block_rows + 1).cast(pa.string()), '" spans="',
                                           pa.array(spans, pa.string()), tail, "")
        joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(np.r_[starts, len(cells)], pa.int64()), cells), "")
        rows_xml = pc.binary_join_element_wise(tags, joined, "</row>", "").to_pylist()
        for i, row in enumerate(block_rows.tolist()):
            if row in self.row_info and row not in mixed:  # its own height: XlsxWriter writes its tag
                span, info = self.row_spans.get(row // SPAN_ROWS), self.row_info[row]
                rows_xml[i] = self._collected(self._write_row, row, span, info) + rows_xml[i].partition(">")[2]
        return rows_xml

    def _row_tag_parts(self) -> tuple[str, str]:
        """A row tag without settings of its own is '<row r="' N '" spans="' S + tail."""
        tag = self._collected(self._write_row, 0, "S")
        return '<row r="', tag[tag.index('spans="S"') + len('spans="S'):]

    def _collected(self, write, *args) -> str:
        """What `write(*args)` writes to the sheet's XML, as text."""
        fh, self.fh = self.fh, _Collect()
        try:
            write(*args)
            return self.fh.take()
        finally:
            self.fh = fh

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

    def _write_mixed_row(self, row: int, block_cols: list[int], block_xml: list[str]) -> None:
        """A row with block cells and cells written the usual way, by column."""
        by_col = dict(zip(block_cols, block_xml))
        own = self.table.get(row) or {}
        for col in own:
            by_col[col] = self._collected(self._write_cell, row, col, own[col])
        self._write_row(row, self.row_spans.get(row // SPAN_ROWS), self.row_info.get(row))
        self.fh.write("".join(by_col[col] for col in sorted(by_col)))
        self.fh.write("</row>")


class _Collect:
    """A file-like sink that hands back what was written to it."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def _value_xml(shared: np.ndarray, numbers: np.ndarray) -> pa.Array:
    """Each cell's value XML after its style: ' t="s"><v>3</v></c>' for a shared string,
    '><v>2.5</v></c>' for a number, '/>' for a formatted blank."""
    is_text = shared >= 0
    return pc.if_else(
        pa.array(is_text),
        pc.binary_join_element_wise(' t="s"><v>', pa.array(shared).cast(pa.string()), "</v></c>", ""),
        pc.if_else(pa.array(~is_text & np.isfinite(numbers)),
                   pc.binary_join_element_wise("><v>", _number_texts(numbers), "</v></c>", ""), "/>"))


def _number_texts(values: np.ndarray) -> pa.Array:
    """Each number as XlsxWriter writes it (`%.16G`), formatted once per distinct value (NaN:
    null). -0.0 is a value of its own ("-0"): factorizing counts it equal to 0.0."""
    negative_zero = (values == 0) & np.signbit(values)
    codes, distinct = pd.factorize(np.where(negative_zero, np.nan, values))  # NaN → -1
    texts = [f"{v:.16G}" for v in distinct.tolist()] + [f"{-0.0:.16G}"]
    codes[negative_zero] = len(texts) - 1
    return pa.array(texts, pa.string()).take(pa.array(codes, mask=codes < 0))


def _excel_text(text: str) -> str:
    """Text as a cell holds it: cut at Excel's 32,767 UTF-16 units, as XlsxWriter does."""
    if len(text) > TEXT_LIMIT // 2 and _utf16_len(text) > TEXT_LIMIT:
        return _utf16_truncate(text, TEXT_LIMIT)
    return text


def _bucket_spans(rows: np.ndarray, cols: np.ndarray) -> dict[int, tuple[int, int]]:
    """Lowest and highest column of each block of SPAN_ROWS rows that has cells."""
    buckets = rows // SPAN_ROWS
    order = np.argsort(buckets, kind="stable")
    buckets, cols = buckets[order], cols[order]
    starts = np.r_[0, np.flatnonzero(np.diff(buckets)) + 1]
    lows, highs = np.minimum.reduceat(cols, starts), np.maximum.reduceat(cols, starts)
    return dict(zip(buckets[starts].tolist(), zip(lows.tolist(), highs.tolist())))
