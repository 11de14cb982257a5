"""CSV files into a RawTable, the body parsed by pyarrow's multi-threaded reader.

Why pyarrow: its C++ reader parses a province's year of publication records (5,000,000 rows in
twelve files) on every core in well under a second, over ten times faster than pandas did, and
hands each column over as one Arrow array, or as codes over its distinct texts: millions of
cells never become Python strings.

What stays ours around it:
- the encoding, found by strict decoding (UTF-8 with or without BOM, then GB18030, which covers
  GBK), never by platform; GB18030 text is handed to the parser re-encoded as UTF-8;
- the top records (title rows, the header, a sample of rows below it), read with Python's csv
  module: they tell the separator (a comma, or a tab), the header and where the body starts;
- rows with another number of fields than the body's, which pyarrow hands to `_OddRows`: a short
  row is padded with empty cells (a warning); a row with filled cells beyond the header is not
  used (an error: an unquoted thousands separator, 甲局,1,234,2, shifts every value after it);
  empty cells beyond the header are ignored. Cells beyond the header are never kept, so a line
  of 40,000 commas costs one short row, not 40,000 columns for every row;
- the cell limit, an unclosed quote, binary junk, the file size.
Row numbers count records, as a spreadsheet shows them (a quoted line break stays in its row).
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from scoring.data.issuelog import IssueLog
from scoring.data.names import small_codes
from scoring.data.rawtable import (
    HEADER_SEARCH_ROWS,
    ColumnPlan,
    Columns,
    IsHeader,
    RawTable,
    check_size,
    find_header,
    finish,
    header_width,
    locate_header,
)
from scoring.errors import InputError, Location
from scoring.issues import DataIssue

ENCODINGS = ("utf-8-sig", "gb18030")
SEPARATORS = (",", "\t")  # a tab only when the header has more fields by tabs
SAMPLE_ROWS = 20  # rows below the header read with the top, to learn the body's number of fields
PARALLEL_FROM = 4 * 2**20  # smaller bodies are parsed on one thread (fast enough, and it numbers odd rows)
MAP_FROM = PARALLEL_FROM  # bigger files are mapped into memory, not copied
BLOCK_BYTES = 2**20  # pyarrow's unit of parallel work; a longer record gets the whole body as one block
_BOM = b"\xef\xbb\xbf"
Text = bytes | mmap.mmap  # a file's bytes, read or mapped (both: slices give bytes, the parser reads either in place)
_CONTROL_BYTES = bytes(sorted(set(range(32)) - {9, 10, 13}))  # never in CSV text; ASCII-safe in GB18030
_LINE_END = re.compile(rb"\r\n|\n|\r")
_BLANK = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*")  # stops at the first other byte: no copy of the file


def read_csv(path: Path, file: str, is_header: IsHeader, issues: IssueLog, plan: ColumnPlan | None,
             max_bytes: int) -> RawTable | None:
    """The table of a CSV file; None (with a warning) when it is empty or has no header or rows."""
    raw = _raw_bytes(path, file, max_bytes)
    encoding = _first_guess(raw, file)
    _check_text(raw, file)
    if _BLANK.fullmatch(raw):
        issues.add("warning", "文件为空,已跳过", file=file)
        return None
    found = IssueLog()
    try:
        table = _read_text(raw, encoding, file, is_header, found, plan)
    except _NotUtf8:  # UTF-8 at the top, not further down: the whole file must then be GB18030
        encoding, found = detect_encoding(raw, file, utf8=False), IssueLog()
        table = _read_text(raw, encoding, file, is_header, found, plan)
    issues.items.extend(found.items)
    return table


def _read_text(raw: Text, encoding: str, file: str, is_header: IsHeader, issues: IssueLog,
               plan: ColumnPlan | None) -> RawTable | None:
    if encoding != ENCODINGS[0]:
        issues.add("info", "文件不是 UTF-8 编码,已按 GBK/GB18030 读取", file=file)
        raw = bytes(raw).decode(encoding).encode("utf-8")
    top = _Top.read(raw, len(_BOM) if raw[:len(_BOM)] == _BOM else 0, is_header, file)
    header_at = locate_header(top.records, is_header, file, issues)
    if header_at is None:
        return None
    header = tuple(cell.strip() for cell in top.records[header_at])
    body = _Body(raw, top.ends[header_at], top.sep, file, header_at + 1, len(header), header_width(header),
                 plan(header) if plan else Columns(), top.fields_below(header_at))
    cells, rows = body.read(issues)
    return finish(file, header, header_at, cells, rows, issues)


class _NotUtf8(Exception):
    """Text the parser found not to be UTF-8 (the first guess was taken from the file's top)."""


def _check_utf8(columns: Iterable[pa.Array | pa.ChunkedArray]) -> None:
    """Raises _NotUtf8 unless every text is UTF-8. The parser is told not to check its cells: a
    coded column's distinct texts (its dictionary) are checked instead, a few thousand where
    it has hundreds of thousands of cells."""
    try:
        for column in columns:
            column.validate(full=True)
    except pa.ArrowInvalid as exc:
        raise _NotUtf8 from exc


def _first_guess(raw: Text, file: str) -> str:
    """UTF-8 when the file's first 64 KB decode as UTF-8: the parser then checks every cell it
    reads (a full strict decode of a big file costs more than parsing it). Otherwise the whole
    file is decoded strictly."""
    top = raw[:65536]
    try:
        top.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(top) - 3 or len(raw) == len(top):  # not just a character cut at 64 KB
            return detect_encoding(raw, file, utf8=False)
    return ENCODINGS[0]


def detect_encoding(raw: Text, file: str, utf8: bool = True) -> str:
    """The first encoding that decodes the whole file strictly (`utf8=False`: UTF-8 ruled out)."""
    for encoding in ENCODINGS if utf8 else ENCODINGS[1:]:
        try:
            bytes(raw).decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    raise InputError("无法识别文件编码(既不是 UTF-8 也不是 GBK/GB18030),请在 Excel 中另存为“CSV UTF-8”",
                     Location(file=file))


def _raw_bytes(path: Path, file: str, max_bytes: int) -> Text:
    """The file's bytes; a big file mapped into memory rather than copied: the parser reads it
    where the system already holds it (a 370 MB month of records took a third of a second to
    copy, and the copy's memory)."""
    check_size(path, file, max_bytes)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw: Text = _mapped(handle.fileno()) if size >= MAP_FROM else handle.read()
    except (OSError, ValueError) as exc:
        raise InputError(f"无法读取文件:{getattr(exc, 'strerror', None) or exc}", Location(file=file)) from exc
    if raw[:4] == b"PK\x03\x04":
        raise InputError("文件内容是 Excel 工作簿,扩展名却是 .csv:请把扩展名改为 .xlsx", Location(file=file))
    return raw


def _mapped(fileno: int) -> mmap.mmap:
    """The file mapped for reading. Where the system can, its pages are brought in by the call
    itself, which lets other threads run Python meanwhile; otherwise the first search of the
    body (`_Body._quoted`) brings them in while holding the GIL, which the reading threads
    then wait for (a tenth of a second over a province's twelve months)."""
    if hasattr(mmap, "MAP_POPULATE"):  # Linux
        return mmap.mmap(fileno, 0, flags=mmap.MAP_SHARED | mmap.MAP_POPULATE, prot=mmap.PROT_READ)
    return mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)


def _check_text(raw: Text, file: str) -> None:
    """Binary junk can decode as GB18030; real CSV text has (almost) no control characters."""
    sample = raw[:65536]
    if len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > max(8, len(sample) // 100):  # a stray one is fine
        raise InputError("不是文本格式的 CSV 文件(含有大量控制字符,可能是其他文件改了扩展名),"
                         "请在 Excel 中另存为“CSV UTF-8”", Location(file=file))


def _too_long(file: str, row: int | None) -> InputError:
    return InputError(f"CSV 格式有误,无法读取:单元格过长(超过 {csv.field_size_limit()} 个字符)",
                      Location(file=file, row=row))


# ---- the top: title rows, header, a sample ------------------------------------------------------


@dataclass(frozen=True)
class _Top:
    sep: str
    records: list[list[str]]  # the first records: title rows, the header, a sample below it
    ends: list[int]  # byte offset in the file's text just after each record
    error: InputError | None  # a record the csv module could not read (a cell over its limit)

    @classmethod
    def read(cls, raw: Text, start: int, is_header: IsHeader, file: str) -> "_Top":
        """The top (of the text from byte `start`, after a BOM) split by the separator under
        which a header is found, the one giving the header more fields when both do (a
        tab-separated file with a title line)."""
        tops = [cls.parse(raw, start, sep, file) for sep in SEPARATORS]
        found = [(top, at) for top in tops if (at := find_header(top.records, is_header)) is not None]
        top = max(found, key=lambda pair: len(pair[0].records[pair[1]]))[0] if found else tops[0]
        if top.error is not None:
            raise top.error
        return top

    @classmethod
    def parse(cls, raw: Text, start: int, sep: str, file: str) -> "_Top":
        position = start

        def lines():
            nonlocal position
            for match in _LINE_END.finditer(raw, start):
                line, position = raw[position:match.end()], match.end()
                yield line.decode("utf-8")
            if position < len(raw):
                line, position = raw[position:], len(raw)
                yield line.decode("utf-8")

        records: list[list[str]] = []
        ends: list[int] = []
        reader = csv.reader(lines(), delimiter=sep)
        try:
            for record in reader:
                records.append(record or [""])  # a blank line is a row of one empty cell
                ends.append(position)
                if len(records) == HEADER_SEARCH_ROWS + SAMPLE_ROWS:
                    break
        except csv.Error:
            return cls(sep, records, ends, _too_long(file, reader.line_num))
        except UnicodeDecodeError as exc:
            raise _NotUtf8 from exc
        return cls(sep, records, ends, None)

    def fields_below(self, header_at: int) -> list[int]:
        return [len(r) for r in self.records[header_at + 1:] if r != [""]]


# ---- the body -----------------------------------------------------------------------------------


class _OddRows:
    """pyarrow's handler for rows with another number of fields than the body's: kept with their
    record number to be placed afterwards. Several threads do not number rows: `unnumbered`
    tells to parse again on one."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str]] = []
        self.unnumbered = False

    def __call__(self, row) -> str:
        if row.number is None:
            self.unnumbered = True
            return "error"
        self.rows.append((row.number, row.text))
        return "skip"


@dataclass(frozen=True)
class _Body:
    text: Text  # the file's UTF-8 text; the body is read in place from `start` (a copy of a
    start: int  # 370 MB month of records would cost time and memory), the record after the header
    sep: str
    file: str
    header_row: int
    header_fields: int
    width: int  # columns up to the header's last filled cell
    columns: Columns
    sample: list[int]  # fields of the sampled rows below the header

    def read(self, issues: IssueLog) -> tuple[pd.DataFrame, np.ndarray]:
        """Cells (columns 0..width-1) and the row number of each."""
        fields = max(Counter(self.sample).most_common(1)[0][0] if self.sample else self.header_fields, self.width)
        table, odd = self._parse(fields)
        _check_utf8(table.column(name) for name in table.column_names if int(name) not in self.columns.coded)
        numbers = np.arange(1, table.num_rows + len(odd.rows) + 1, dtype=np.int32)  # half the memory of int64 at 50M
        if odd.rows:
            odd_numbers = np.array([number for number, _ in odd.rows], dtype=np.int32)
            numbers = np.setdiff1d(numbers, odd_numbers, assume_unique=True)
            table, numbers = self._place(table, numbers, odd.rows, issues)
        if fields > self.width and table.num_rows:
            table, numbers = self._drop_spilled(table, numbers, fields, issues)
        table = self._encoded(table)
        _check_utf8(table.column(name).chunk(0).dictionary for name in table.column_names
                    if int(name) in self.columns.coded and table.column(name).num_chunks)
        self._check_quotes_closed(table, numbers)
        self._check_cell_lengths(table, numbers)
        cells = pd.DataFrame({i: self._series(table, i) for i in range(self.width)}, copy=False)  # columns made here
        return cells, self.header_row + numbers

    def _encoded(self, table: pa.Table) -> pa.Table:
        """The coded columns as dictionaries, one dictionary over all chunks. Read as text and
        encoded here: pyarrow's reader converting to dictionaries itself is slower."""
        for i, name in enumerate(table.column_names):
            if int(name) in self.columns.coded:
                table = table.set_column(i, name, pc.dictionary_encode(table.column(name)))
        return table

    @cached_property
    def _quoted(self) -> bool:
        """Whether the body holds a quote: a search of the whole body (a tenth of a second in a
        370 MB file without one), made once."""
        return self.text.find(b'"', self.start) >= 0

    def _read(self, fields: int) -> list[int]:
        """Positions parsed: the named columns not skipped, and unnamed ones beyond the header
        (only to find rows with something written there)."""
        return [i for i in range(fields) if i not in self.columns.skip]

    def _parse(self, fields: int) -> tuple[pa.Table, _OddRows]:
        names = [str(i) for i in range(fields)]
        read = self._read(fields)
        if _BLANK.fullmatch(self.text, self.start):
            return pa.table({names[i]: pa.array([], pa.string()) for i in read}), _OddRows()
        size = len(self.text) - self.start
        parallel = size >= PARALLEL_FROM
        block = BLOCK_BYTES
        while True:
            odd = _OddRows()
            try:
                return pacsv.read_csv(
                    pa.BufferReader(pa.py_buffer(self.text).slice(self.start)),
                    read_options=pacsv.ReadOptions(column_names=names, use_threads=parallel, block_size=block),
                    parse_options=pacsv.ParseOptions(delimiter=self.sep, newlines_in_values=self._quoted,
                                                     ignore_empty_lines=False, invalid_row_handler=odd),
                    convert_options=pacsv.ConvertOptions(
                        include_columns=[names[i] for i in read], column_types={names[i]: pa.string() for i in read},
                        strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=False),
                ), odd
            except pa.ArrowInvalid as exc:  # never a Ctrl-C: pyarrow raises KeyboardInterrupt for that
                if "UTF8" in str(exc) or "UTF-8" in str(exc):
                    raise _NotUtf8 from exc
                if odd.unnumbered and parallel:
                    parallel = False
                elif "straddling" in str(exc) and block < size:  # a record longer than a block
                    block = size + 1
                else:
                    raise InputError(f"CSV 格式有误,无法读取:{exc}", Location(file=self.file)) from exc

    def _place(self, table: pa.Table, numbers: np.ndarray, odd: list[tuple[int, str]],
               issues: IssueLog) -> tuple[pa.Table, np.ndarray]:
        """The odd rows that can be used, in their places among the others."""
        spilled, unnamed, short, placed = [], [], [], []
        for number, text in odd:
            row = self.header_row + number
            cells = self._split(text, row)
            if any(cell.strip() for cell in cells[self.width:]):
                if len(cells) > self.header_fields:
                    spilled.append(self._spilled(row, len(cells)))
                    continue
                unnamed.append(self._unnamed(row))
            if len(cells) < self.width and any(cell.strip() for cell in cells):
                short.append(DataIssue("warning", f"本行只有 {len(cells)} 个字段,少于表头的 {self.width} 个,"
                                       "缺少的单元格按空白处理", self.file, row))
            placed.append((number, cells[: self.width] + [""] * (self.width - len(cells))))
        issues.add_rows(spilled, "字段多于表头")
        issues.add_rows(unnamed, "表头以外的列有内容")
        issues.add_rows(short, "字段少于表头")
        if not placed:
            return table, numbers
        extra = pa.table({name: pa.array([cells[int(name)] if int(name) < self.width else "" for _, cells in placed],
                                         table.schema.field(name).type) for name in table.column_names})
        numbers = np.concatenate([numbers, np.array([number for number, _ in placed], dtype=np.int32)])
        order = np.argsort(numbers, kind="stable")
        return pa.concat_tables([table, extra]).take(order), numbers[order]

    def _split(self, text: str, row: int) -> list[str]:
        if ("\n" in text or "\r" in text) and text.count('"') % 2:
            raise InputError(f"CSV 格式有误,无法读取:从第{row}行开始的引号没有闭合", Location(file=self.file))
        try:
            cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=self.sep), [])
        except csv.Error as exc:
            raise _too_long(self.file, row) from exc
        if any(len(cell) > csv.field_size_limit() for cell in cells):
            raise _too_long(self.file, row)
        return cells

    def _spilled(self, row: int, fields: int) -> DataIssue:
        return DataIssue("error", f"本行有 {fields} 个字段,多于表头的 {self.header_fields} 个,各列可能已错位"
                         "(如数字写作 1,234 时,逗号把它拆成了两列),本行未使用;请去掉千位分隔符或给该单元格加引号",
                         self.file, row)

    def _unnamed(self, row: int) -> DataIssue:
        return DataIssue("warning", f"本行在表头第 {self.width} 列以后(没有列名的列)还有内容,这些内容已忽略",
                         self.file, row)

    def _drop_spilled(self, table: pa.Table, numbers: np.ndarray, fields: int,
                      issues: IssueLog) -> tuple[pa.Table, np.ndarray]:
        """Rows with something written beyond the header's last name: not used when they have
        more fields than the header itself (values shifted), kept with a warning when the
        header has empty cells there (a column without a name); those columns go."""
        beyond = [str(i) for i in range(self.width, fields) if i not in self.columns.skip]
        filled = np.zeros(table.num_rows, dtype=bool)
        for name in beyond:
            filled |= pc.not_equal(pc.utf8_trim_whitespace(table.column(name)), "").to_numpy(zero_copy_only=False)
        table = table.drop_columns(beyond)
        if fields <= self.header_fields:
            issues.add_rows((self._unnamed(int(self.header_row + n)) for n in numbers[filled]), "表头以外的列有内容")
            return table, numbers
        issues.add_rows((self._spilled(int(self.header_row + n), fields) for n in numbers[filled]), "字段多于表头")
        if filled.any():
            table, numbers = table.filter(pa.array(~filled)), numbers[~filled]
        return table, numbers

    def _check_quotes_closed(self, table: pa.Table, numbers: np.ndarray) -> None:
        """A quote left open runs to the end of the file: pyarrow then gives the rest as one last
        row. Only a last row with a line break in a cell is checked (quotes counted)."""
        if not table.num_rows or not self._quoted:
            return
        last = [cell for column in table.slice(table.num_rows - 1).columns for cell in column.to_pylist()]
        if any("\n" in c or "\r" in c for c in last if isinstance(c, str)) and self.text[self.start:].count(b'"') % 2:
            raise InputError(f"CSV 格式有误,无法读取:从第{int(self.header_row + numbers[-1])}行开始的引号没有闭合",
                             Location(file=self.file))

    def _check_cell_lengths(self, table: pa.Table, numbers: np.ndarray) -> None:
        """The csv module's cell limit, kept for every file; characters are counted only in a
        column holding a cell with more bytes than the limit."""
        limit = csv.field_size_limit()
        for column in table.columns:
            coded = pa.types.is_dictionary(column.type)
            if coded:  # the one dictionary all chunks share (`_encoded` encodes the whole column)
                texts = [column.chunk(0).dictionary] if column.num_chunks else []
            else:
                texts = column.chunks
            if not any(len(t) and (pc.max(pc.binary_length(t)).as_py() or 0) > limit for t in texts):
                continue  # the usual case: no cell has that many bytes, let alone characters
            texts = column.cast(pa.string()) if coded else column
            over = np.flatnonzero(pc.greater(pc.utf8_length(texts), limit).to_numpy(zero_copy_only=False))
            if len(over):
                raise _too_long(self.file, int(self.header_row + numbers[over[0]]))

    def _series(self, table: pa.Table, position: int) -> pd.Series:
        """Column `position` stripped of surrounding spaces: Python strings (the cells of a
        metrics or units file, a few hundred thousand at most), or a Categorical for a coded
        column, its categories Arrow-backed; an unread column is empty."""
        name = str(position)
        if name not in table.column_names:
            return pd.Series(pd.Categorical.from_codes(np.zeros(table.num_rows, np.int8), categories=[""], validate=False),
                             copy=False)
        column = table.column(name)
        if not pa.types.is_dictionary(column.type):
            return pd.Series(pc.utf8_trim_whitespace(column).to_numpy(zero_copy_only=False), dtype=object, copy=False)
        if not column.num_chunks:
            return pd.Series(pd.Categorical.from_codes(np.zeros(0, np.int8), categories=[""]))
        texts = pc.utf8_trim_whitespace(column.chunks[0].dictionary).to_pandas()
        remap, distinct = pd.factorize(texts)  # stripping can make two texts one
        # codes of the dictionary's own (all cells valid), in the smallest type, checked by
        # construction: each chunk's indices looked up straight into the column's codes
        remap = small_codes(remap, len(distinct))
        indices = [chunk.indices.to_numpy(zero_copy_only=False) for chunk in column.chunks]
        if len(distinct) == len(texts):  # the usual: stripping merged no texts, the indices are the codes
            return pd.Series(pd.Categorical.from_codes(np.concatenate(indices, dtype=remap.dtype, casting="same_kind"),
                                                       categories=distinct, validate=False), copy=False)
        codes, at = np.empty(len(column), dtype=remap.dtype), 0
        for part in indices:  # indices within the dictionary; "raise" would buffer `out`
            np.take(remap, part, out=codes[at:at + len(part)], mode="wrap")
            at += len(part)
        return pd.Series(pd.Categorical.from_codes(codes, categories=distinct, validate=False), copy=False)
