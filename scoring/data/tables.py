"""Reading one CSV or XLSX file into a table of text cells with the rows users see.

CSV encodings are found by strict decoding (UTF-8 with or without BOM, then GB18030, which
covers GBK), never by platform. The header row is the first row whose cells name known columns,
so title rows and merged title cells above it are skipped. Every cell is kept as text; values
are parsed later. Row numbers are 1-based as Excel or a text editor shows them (header = 1 when
it is the first row).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.errors import InputError, Location
from scoring.data.issuelog import IssueLog
from scoring.issues import DataIssue

ENCODINGS = ("utf-8-sig", "gb18030")
HEADER_SEARCH_ROWS = 30  # a header lower than this is not a header
SHEET_NAMES = ("数据", "data", "提取结果")  # preferred sheets, before the rest in workbook order
SUFFIXES = (".csv", ".xlsx", ".xlsm")
# Input size bounds: far above any real assessment file, low enough to keep memory bounded.
MAX_CSV_BYTES = 256 * 2**20
MAX_XLSX_UNPACKED = 256 * 2**20  # total declared size of the workbook's parts once unzipped
MAX_XLSX_RATIO = 200  # unzipped/zipped of one large part; real sheets stay far below
RATIO_FROM = 4 * 2**20  # parts smaller than this are not checked for their ratio
_CONTROL_BYTES = bytes(sorted(set(range(32)) - {9, 10, 13}))  # never in CSV text; ASCII-safe in GB18030


@dataclass(frozen=True)
class RawTable:
    """Cells of one sheet below its header; columns are positions 0..n-1 matching `header`."""

    file: str  # name shown to users (relative to the input folder)
    header: tuple[str, ...]
    cells: pd.DataFrame  # object dtype, "" for empty cells; blank rows removed
    rows: np.ndarray  # 1-based row number of each line of `cells`
    header_row: int

    def column(self, position: int) -> pd.Series:
        return self.cells[position]


IsHeader = Callable[[list[str]], bool]
Skip = Callable[[tuple[str, ...]], Collection[int]]


def read_table(path: Path, file: str, is_header: IsHeader, issues: IssueLog,
               skip: Skip | None = None) -> RawTable | None:
    """Read `path`; None (with a warning) when it is empty, has no recognisable header or no rows.

    `skip(header)` names columns of a CSV whose cells below the header are not read (left
    empty): the titles of millions of publication records are most of their parsing time.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        grid, counts, encoding = _read_csv(path, file, is_header if skip else None, skip)
        if encoding != ENCODINGS[0] and not grid.empty:
            issues.add("info", "文件不是 UTF-8 编码,已按 GBK/GB18030 读取", file=file)
    elif suffix in (".xlsx", ".xlsm"):
        grid, counts = _read_xlsx(path, file), None
    else:
        raise InputError(f"不支持的文件类型“{path.suffix}”,请使用 CSV 或 XLSX", Location(file=file))
    if grid.empty:
        issues.add("warning", "文件为空,已跳过", file=file)
        return None
    header_at = _find_header(grid, is_header)
    if header_at is None:
        issues.add("warning", "未找到可识别的表头(如“单位”“指标”“数值”或指标名称),已跳过该文件", file=file)
        return None
    if header_at > 0:
        issues.add("info", f"表头在第{header_at + 1}行,其上方的标题行已跳过", file=file, row=header_at + 1)
    header = tuple(str(c).strip() for c in grid.iloc[header_at])
    width = _header_width(header)
    body = grid.iloc[header_at + 1:]
    rows = np.arange(header_at + 2, header_at + 2 + len(body))
    if counts is not None:
        _report_ragged(counts[header_at + 1: header_at + 1 + len(body)], counts[header_at], rows, body,
                       width, file, issues)
    body = body.iloc[:, :width]
    keep = _filled_rows(body)
    body, rows = body[keep], rows[keep]
    if body.empty:
        issues.add("warning", "文件只有表头,没有数据行,已跳过", file=file, row=header_at + 1)
        return None
    body = body.reset_index(drop=True)
    body.columns = range(width)
    return RawTable(file, header[:width], body, rows, header_at + 1)


def _filled_rows(body: pd.DataFrame) -> np.ndarray:
    """Rows with at least one non-empty cell. Column by column over the rows still undecided:
    the first column settles almost every row of a big file."""
    filled = np.zeros(len(body), dtype=bool)
    for column in range(body.shape[1]):
        open_rows = np.flatnonzero(~filled)
        if not len(open_rows):
            break
        filled[open_rows] = body.iloc[:, column].to_numpy(dtype=object)[open_rows] != ""
    return filled


def _header_width(header: tuple[str, ...]) -> int:
    filled = [i for i, cell in enumerate(header) if cell]
    return filled[-1] + 1 if filled else 0


def _find_header(grid: pd.DataFrame, is_header: IsHeader) -> int | None:
    for i in range(min(HEADER_SEARCH_ROWS, len(grid))):
        if is_header([str(c) for c in grid.iloc[i]]):
            return i
    return None


# ---- CSV -------------------------------------------------------------------------------------


def detect_encoding(raw: bytes, file: str) -> str:
    """The first encoding that decodes the whole file strictly."""
    for encoding in ENCODINGS:
        try:
            raw.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    raise InputError("无法识别文件编码(既不是 UTF-8 也不是 GBK/GB18030),请在 Excel 中另存为“CSV UTF-8”",
                     Location(file=file))


def _read_csv(path: Path, file: str, is_header: IsHeader | None = None,
              skip: Skip | None = None) -> tuple[pd.DataFrame, np.ndarray, str]:
    """All cells as text (one grid row per record), the number of fields of each record, the encoding."""
    _check_size(path, file, MAX_CSV_BYTES)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件:{exc.strerror or exc}", Location(file=file)) from exc
    if raw.startswith(b"PK\x03\x04"):
        raise InputError("文件内容是 Excel 工作簿,扩展名却是 .csv:请把扩展名改为 .xlsx", Location(file=file))
    encoding = detect_encoding(raw, file)
    _check_text(raw, file)
    if not raw.strip(b"\xef\xbb\xbf \t\r\n"):
        return pd.DataFrame(), np.zeros(0, dtype=int), encoding
    sep = _separator(raw)
    counts = _field_counts(raw, encoding, sep, file)
    width = int(counts.max())
    parse = lambda **more: pd.read_csv(  # noqa: E731
        io.BytesIO(raw), sep=sep, header=None, names=range(width), dtype=object, na_filter=False,
        skip_blank_lines=False, encoding=encoding, **more,
    )
    try:
        grid = _parse_skipping(parse, width, is_header, skip) if skip else parse()
    except pd.errors.ParserError as exc:
        raise InputError(f"CSV 格式有误,无法读取:{_parser_problem(exc)}", Location(file=file)) from exc
    grid = grid.apply(_strip)
    if len(counts) < len(grid):  # a line break the counting did not see: skip the ragged-row check
        counts = np.full(len(grid), grid.shape[1])
    return grid, counts[: len(grid)], encoding


def _parse_skipping(parse: Callable[..., pd.DataFrame], width: int, is_header: IsHeader,
                    skip: Skip) -> pd.DataFrame:
    """The grid without the body cells of the columns `skip` names for the header found in the
    top rows; those rows themselves are kept whole."""
    top = parse(nrows=HEADER_SEARCH_ROWS).apply(_strip)
    header_at = _find_header(top, is_header)
    dropped = set(skip(tuple(str(c) for c in top.iloc[header_at]))) if header_at is not None else set()
    if not dropped:
        return parse()
    grid = parse(usecols=[i for i in range(width) if i not in dropped])
    for position in dropped:
        column = np.full(len(grid), "", dtype=object)
        column[: header_at + 1] = top[position].to_numpy(object)[: header_at + 1]
        grid[position] = column
    return grid[list(range(width))]


def _strip(column: pd.Series) -> pd.Series:
    """Strip spaces around cells, each distinct text once (big files repeat most of their cells)."""
    codes, uniques = pd.factorize(column, sort=False)
    stripped = np.array([u.strip() for u in uniques], dtype=object)
    if (stripped == np.asarray(uniques, dtype=object)).all():
        return column
    return pd.Series(stripped[codes], index=column.index, dtype=object)


def _separator(raw: bytes) -> str:
    first = raw.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return "\t" if b"\t" in first and b"," not in first else ","


def _field_counts(raw: bytes, encoding: str, sep: str, file: str) -> np.ndarray:
    """Fields per record. A record is a line, leaving out separators and line ends inside quotes;
    both encodings keep ASCII bytes intact. Unusual quoting goes through Python's csv module."""
    data = np.frombuffer(raw, dtype=np.uint8)
    quotes = np.flatnonzero(data == ord('"'))
    old_mac = b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n")  # line ends written as \r alone
    if old_mac or not _plain_quoting(data, quotes, sep):
        reader = csv.reader(io.StringIO(raw.decode(encoding), newline=None), delimiter=sep)
        try:
            return np.array([len(r) for r in reader] or [0])
        except csv.Error as exc:
            raise InputError(f"CSV 格式有误,无法读取:单元格过长(超过 {csv.field_size_limit()} 个字符)或引号不配对",
                             Location(file=file, row=reader.line_num)) from exc
    newlines = np.flatnonzero(data == 10)
    seps = np.flatnonzero(data == ord(sep))
    if len(quotes):  # an even number of quotes before a byte: it is outside quotes
        newlines = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
        seps = seps[np.searchsorted(quotes, seps) % 2 == 0]
    if len(raw) > csv.field_size_limit() and np.diff(np.r_[-1, newlines, len(raw)]).max() > csv.field_size_limit():
        _check_cell_lengths(raw, encoding, np.sort(np.concatenate([newlines, seps])), newlines, file)
    before = np.searchsorted(seps, newlines)  # separators before each line end (lines < separators)
    counts = np.diff(np.r_[0, before, len(seps)]) + 1
    if raw.endswith(b"\n"):
        counts = counts[:-1]
    return counts


def _check_cell_lengths(raw: bytes, encoding: str, ends: np.ndarray, newlines: np.ndarray, file: str) -> None:
    """The csv module's cell limit, kept for every file: a cell is the bytes between two
    field ends; only a cell with more bytes than the limit allows characters is decoded."""
    limit = csv.field_size_limit()
    starts = np.r_[0, ends + 1]
    sizes = np.r_[ends, len(raw)] - starts
    for start, size in zip(starts[sizes > limit].tolist(), sizes[sizes > limit].tolist()):
        cell = raw[start:start + size].decode(encoding, errors="replace").strip('"\r')
        if len(cell) > limit:
            row = int(np.searchsorted(newlines, start)) + 1
            raise InputError(f"CSV 格式有误,无法读取:单元格过长(超过 {limit} 个字符)", Location(file=file, row=row))


def _plain_quoting(data: np.ndarray, quotes: np.ndarray, sep: str) -> bool:
    """Whether every quote opens a field, closes one or doubles inside one (RFC 4180), so that
    counting quotes tells inside from outside. A stray quote inside an unquoted cell (关于"x"的
    通知) is text to a CSV reader: such files are counted by the csv module instead."""
    if len(quotes) % 2:
        return False
    if not len(quotes):
        return True
    edges = np.frombuffer(b"\n\r" + sep.encode(), dtype=np.uint8)
    opening, closing = quotes[0::2], quotes[1::2]
    before = data[np.maximum(opening - 1, 0)]
    opens_field = (opening == 0) | np.isin(before, edges)
    reopens = np.r_[False, opening[1:] == closing[:-1] + 1]  # the second quote of a doubled ""
    after = data[np.minimum(closing + 1, len(data) - 1)]
    ends_field = (closing == len(data) - 1) | np.isin(after, edges) | np.r_[opening[1:] == closing[:-1] + 1, False]
    return bool((opens_field | reopens).all() and ends_field.all())


def _check_text(raw: bytes, file: str) -> None:
    """Binary junk can decode as GB18030; real CSV text has (almost) no control characters."""
    sample = raw[:65536]
    if len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > max(8, len(sample) // 100):  # a stray one is fine
        raise InputError("不是文本格式的 CSV 文件(含有大量控制字符,可能是其他文件改了扩展名),"
                         "请在 Excel 中另存为“CSV UTF-8”", Location(file=file))


def _parser_problem(exc: Exception) -> str:
    text = str(exc)
    unclosed = re.search(r"EOF inside string starting at row (\d+)", text)
    if unclosed:
        return f"从第{int(unclosed[1]) + 1}行开始的引号没有闭合"
    return text


def _check_size(path: Path, file: str, limit: int) -> None:
    """A regular file no larger than `limit` bytes (a FIFO or device would never end)."""
    try:
        if not path.is_file():
            raise InputError("不是普通文件,无法读取", Location(file=file))
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"无法读取文件:{exc.strerror or exc}", Location(file=file)) from exc
    if size > limit:
        raise InputError(f"文件过大({size / 2**20:.0f} MB,上限 {limit // 2**20} MB),请确认选择了正确的文件",
                         Location(file=file))


def _report_ragged(counts: np.ndarray, header_count: int, rows: np.ndarray, body: pd.DataFrame,
                   width: int, file: str, issues: IssueLog) -> None:
    # only rows with fewer (more) fields than the header can fall short (spill over): look at those
    too_few, extra_filled = counts < width, np.zeros(len(body), dtype=bool)
    if too_few.any():
        too_few[too_few] = ~(body[too_few] == "").all(axis=1).to_numpy()
    longer = counts > width
    if body.shape[1] > width and longer.any():
        extra_filled[longer] = (body.iloc[:, width:][longer] != "").any(axis=1).to_numpy()
    issues.add_rows(
        (DataIssue("warning", f"本行有 {n} 个字段,多于表头的 {header_count} 个,多出的内容已忽略", file, int(r))
         for r, n in zip(rows[extra_filled], counts[extra_filled])),
        "字段多于表头",
    )
    issues.add_rows(
        (DataIssue("warning", f"本行只有 {n} 个字段,少于表头的 {width} 个,缺少的单元格按空白处理", file, int(r))
         for r, n in zip(rows[too_few], counts[too_few])),
        "字段少于表头",
    )


# ---- XLSX ------------------------------------------------------------------------------------


def _read_xlsx(path: Path, file: str) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_size(path, file, MAX_XLSX_UNPACKED)
    _check_zip(path, file)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise InputError(f"不是有效的 XLSX 文件,无法打开({type(exc).__name__})。请在 Excel 中另存为 .xlsx",
                         Location(file=file)) from exc
    try:
        sheet = _pick_sheet(book)
        sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
        grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()
    if not grid:
        return pd.DataFrame()
    width = max(len(r) for r in grid)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in grid], dtype=object)


def _check_zip(path: Path, file: str) -> None:
    """Refuse a zip bomb from its directory alone, before anything is unzipped.

    Python's zipfile never inflates a part beyond the size its directory declares, so the
    declared sizes bound what openpyxl can unpack.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"不是有效的 XLSX 文件,无法打开({type(exc).__name__})。请在 Excel 中另存为 .xlsx",
                         Location(file=file)) from exc
    unpacked = sum(p.file_size for p in parts)
    bomb = next((p for p in parts if p.file_size > RATIO_FROM
                 and p.file_size > MAX_XLSX_RATIO * max(p.compress_size, 1)), None)
    if unpacked > MAX_XLSX_UNPACKED or bomb is not None:
        what = f"其中“{bomb.filename}”压缩比异常" if bomb else f"解压后共 {unpacked / 2**20:.0f} MB"
        raise InputError(f"XLSX 文件解压后过大({what},上限 {MAX_XLSX_UNPACKED // 2**20} MB),已拒绝读取;"
                         "请确认文件来源,或在 Excel 中另存后重试", Location(file=file))


def _pick_sheet(book):
    by_key = {name.strip().casefold(): name for name in book.sheetnames}
    for wanted in SHEET_NAMES:
        if wanted in by_key:
            return book[by_key[wanted]]
    return book[book.sheetnames[0]]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
