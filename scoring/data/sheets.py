"""Office spreadsheets (.xlsx/.xlsm, WPS .et, .xls, .ods) → a grid of text cells as the user sees them.

python-calamine (Rust) reads all these formats, an order of magnitude faster than openpyxl,
and gives merged ranges and sheet visibility. Three things it drops are read from the .xlsx
parts themselves, by scanning the chosen sheet's XML for just those cells:
- number formats: a cell stored as 0.95 and shown as 95% becomes the text "95%";
- error values (#N/A, #DIV/0!…) keep their literal text, and a formula saved without a value
  (a file written by a program, or with calculation switched off) reads as its formula ("=B2/C2");
  the value parser knows both as missing values (values.cell_gap);
- a cell far to the right of the table (one stray cell in column XFD) would make calamine's
  dense grid rows × 16,384 cells: columns after a wide empty gap are cut from the XML first,
  and reported.
Merged cells are filled with their top-left value, as a reader of the sheet understands them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from scoring.data.issuelog import IssueLog
from scoring.data.rawtable import HEADER_SEARCH_ROWS, check_size
from scoring.data.values import FORMULA_MARK
from scoring.errors import InputError, Location
from scoring.issues import DataIssue

if TYPE_CHECKING:  # python-calamine and xml.sax are imported when a spreadsheet is read, not by a CSV-only run
    from python_calamine import CalamineWorkbook

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".et", ".xls", ".ods")
SHEET_NAMES = ("数据", "data", "提取结果")  # preferred sheets, before the active one
# Input size bounds: far above any real assessment file, low enough to keep memory bounded.
MAX_UNPACKED = 256 * 2**20  # total declared size of a zipped workbook's parts once unzipped
MAX_RATIO = 200  # unzipped/zipped of one large part; real sheets stay far below
RATIO_FROM = 4 * 2**20  # parts smaller than this are not checked for their ratio
COLUMN_GAP = 64  # this many empty columns end the table: cells beyond are not the table's

_PREFIX = rb"(?:[\w.-]+:)?"  # some writers put the spreadsheetml namespace on a prefix (x:c)
_CELL = re.compile(rb"<" + _PREFIX + rb"c\b([^>]*?)(/>|>(.*?)</" + _PREFIX + rb"c>)", re.S)
_CELL_REF = re.compile(rb"<" + _PREFIX + rb"c\b[^>]*?\br=\"([A-Z]{1,3})\d+\"")
_WIDE_REF = re.compile(rb"\br=\"[A-Z]{2,3}\d")  # a column past Z: only then is the width looked at
_ATTR = re.compile(rb"\b([rst])=\"([^\"]*)\"")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v>([^<]*)</" + _PREFIX + rb"v>")
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f[\s>/]")
_FORMULA_TEXT = re.compile(rb"<" + _PREFIX + rb"f\b[^>]*>([^<]*)</")
_DIMENSION = re.compile(rb"<" + _PREFIX + rb"dimension\b[^>]*/>")
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PERCENT_BUILTIN = {"9", "10"}  # 0% and 0.00%


@dataclass(frozen=True)
class SheetGrid:
    """One sheet's cells as text from A1 (row i of `cells` is sheet row i + 1); merged ranges
    as 0-based inclusive (first row, first column, last row, last column), already filled."""

    cells: pd.DataFrame
    merges: tuple[tuple[int, int, int, int], ...]
    sheet: str


def read_sheet(path: Path, file: str, issues: IssueLog,
               is_header: Callable[[list[str]], bool] = lambda cells: False, sheet_name: str | None = None) -> SheetGrid:
    """The visible sheet to read: one named 数据/data/提取结果, else the active one, else the first
    visible. Hidden sheets are never read; another visible sheet with a header (`is_header`)
    gets a warning naming it."""
    from python_calamine import CalamineError, CalamineWorkbook

    check_size(path, file, MAX_UNPACKED)
    with path.open("rb") as handle:
        head = handle.read(8)
    zipped = head.startswith(b"PK\x03\x04")
    raw = path.read_bytes() if zipped else b""
    parts = _XlsxParts.open(raw, file) if zipped else None
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        name = sheet_name if sheet_name in names else _pick_sheet(book, parts, file, issues, is_header)
        marks: dict[tuple[int, int], str] = {}
        if parts is not None and parts.is_xlsx:
            xml = parts.sheet_xml(name)
            trimmed = _cut_far_columns(xml, file, issues)
            if trimmed is not None:
                xml = trimmed
                book.close()
                book = CalamineWorkbook.from_filelike(io.BytesIO(parts.replaced(name, trimmed)))
            marks = _cell_marks(xml, parts.percent_styles)
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        merges = tuple((r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or []))
        book.close()
    except (CalamineError, ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(_unreadable(path), Location(file=file)) from exc
    grid = _texts(rows, marks)
    for r0, c0, r1, c1 in merges:
        if r0 < grid.shape[0] and c0 < grid.shape[1]:
            grid[r0:r1 + 1, c0:c1 + 1] = grid[r0, c0]
    return SheetGrid(pd.DataFrame(grid, dtype=object), merges, name)


def _unreadable(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".et":
        return "无法读取该 WPS 表格(.et)文件,请在 WPS 中另存为 .xlsx 后重试"
    what = {".xls": "XLS", ".ods": "ODS"}.get(suffix, "XLSX")
    return f"不是有效的 {what} 文件,无法打开。请在 Excel 或 WPS 中另存为 .xlsx"


# ---- which sheet -------------------------------------------------------------------------------


def _pick_sheet(book: CalamineWorkbook, parts: "_XlsxParts | None", file: str, issues: IssueLog,
                is_header: Callable[[list[str]], bool]) -> str:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    visible = [m.name for m in sheets if m.visible == SheetVisibleEnum.Visible]
    hidden = [m.name for m in sheets if m.visible != SheetVisibleEnum.Visible]
    if not visible:
        raise InputError("工作簿中没有可见的工作表(全部被隐藏),请取消隐藏要读取的工作表", Location(file=file))
    by_key = {name.strip().casefold(): name for name in visible}
    active = parts.active_sheet if parts is not None else None
    chosen = next((by_key[w] for w in SHEET_NAMES if w in by_key), None)
    why = "按名称选定"
    if chosen is None:
        chosen, why = (active, "当前活动工作表") if active in visible else (visible[0], "第一个可见工作表")
    if len(sheets) > 1:
        said = f"读取工作表“{chosen}”({why})"
        if hidden:
            said += f";隐藏的工作表{_quoted(hidden)}未读取"
        issues.add("info", said, file=file)
        tables = [n for n in visible if n != chosen and _has_header(book, n, is_header)]
        if tables:
            issues.add("warning", f"工作表{_quoted(tables)}也有可识别的表头,但只读取了“{chosen}”;"
                       "如需读取,请把它另存为单独的文件", file=file)
    return chosen


def _quoted(names: list[str]) -> str:
    return "、".join(f"“{n}”" for n in names)


def _has_header(book: CalamineWorkbook, name: str, is_header: Callable[[list[str]], bool]) -> bool:
    top = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
    return any(is_header([cell_text(c) for c in row]) for row in top)


# ---- the .xlsx parts calamine does not interpret -------------------------------------------------


@dataclass(frozen=True)
class _XlsxParts:
    raw: bytes
    sheet_parts: dict[str, str]  # sheet name → part inside the zip
    active_sheet: str | None
    percent_styles: frozenset[bytes]  # cell style indexes (the s attribute) whose format shows %

    @property
    def is_xlsx(self) -> bool:
        return bool(self.sheet_parts)

    @classmethod
    def open(cls, raw: bytes, file: str) -> "_XlsxParts":
        archive = _checked_zip(raw, file)
        with archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:  # an .ods, or a zip that is no workbook (calamine says)
                return cls(raw, {}, None, frozenset())
            try:
                book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
                rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
                styles = ElementTree.fromstring(archive.read("xl/styles.xml")) if "xl/styles.xml" in names else None
            except (ElementTree.ParseError, KeyError) as exc:
                raise InputError("不是有效的 XLSX 文件,无法打开(工作簿结构损坏)。请在 Excel 中另存为 .xlsx",
                                 Location(file=file)) from exc
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        sheets = book.findall("m:sheets/m:sheet", _NS)
        parts = {}
        for sheet in sheets:
            target = targets.get(sheet.get(_REL_NS), "")
            parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        view = book.find("m:bookViews/m:workbookView", _NS)
        active_at = int(view.get("activeTab", "0")) if view is not None and view.get("activeTab", "0").isdigit() else 0
        active = sheets[active_at].get("name") if active_at < len(sheets) else None
        return cls(raw, parts, active, _percent_styles(styles))

    def sheet_xml(self, name: str) -> bytes:
        with zipfile.ZipFile(io.BytesIO(self.raw)) as archive:
            return archive.read(self.sheet_parts[name])

    def replaced(self, name: str, xml: bytes) -> bytes:
        """The workbook with one sheet's XML replaced (stored uncompressed: it is read at once)."""
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(self.raw)) as source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                target.writestr(info.filename, xml if info.filename == self.sheet_parts[name] else source.read(info))
        return out.getvalue()


def _checked_zip(raw: bytes, file: str) -> zipfile.ZipFile:
    """Refuse a zip bomb from its directory alone, before anything is unzipped: Python's zipfile
    never inflates a part beyond the size its directory declares, nor does calamine's reader."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"不是有效的 XLSX 文件,无法打开({type(exc).__name__})。请在 Excel 中另存为 .xlsx",
                         Location(file=file)) from exc
    parts = archive.infolist()
    unpacked = sum(p.file_size for p in parts)
    bomb = next((p for p in parts if p.file_size > RATIO_FROM and p.file_size > MAX_RATIO * max(p.compress_size, 1)), None)
    if unpacked > MAX_UNPACKED or bomb is not None:
        archive.close()
        what = f"其中“{bomb.filename}”压缩比异常" if bomb else f"解压后共 {unpacked / 2**20:.0f} MB"
        raise InputError(f"XLSX 文件解压后过大({what},上限 {MAX_UNPACKED // 2**20} MB),已拒绝读取;"
                         "请确认文件来源,或在 Excel 中另存后重试", Location(file=file))
    return archive


def _percent_styles(styles: ElementTree.Element | None) -> frozenset[bytes]:
    if styles is None:
        return frozenset()
    custom = {f.get("numFmtId"): f.get("formatCode", "") for f in styles.findall("m:numFmts/m:numFmt", _NS)}
    found = set()
    for index, xf in enumerate(styles.findall("m:cellXfs/m:xf", _NS)):
        format_id = xf.get("numFmtId", "0")
        if format_id in _PERCENT_BUILTIN or _shows_percent(custom.get(format_id, "")):
            found.add(str(index).encode())
    return frozenset(found)


def _shows_percent(code: str) -> bool:
    """A % outside quoted text and escapes multiplies by 100 in a number format."""
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return "%" in plain


def _cell_marks(xml: bytes, percent_styles: frozenset[bytes]) -> dict[tuple[int, int], str]:
    """(row, column) → text for the cells calamine reads otherwise than shown: error values,
    formulas without a stored value, numbers in a percent format. Only files that have such
    cells are scanned cell by cell."""
    styled = percent_styles and re.search(rb"\bs=\"(?:" + b"|".join(sorted(percent_styles)) + rb")\"", xml)
    if not (b't="e"' in xml or _FORMULA.search(xml) or styled):
        return {}
    from xml.sax.saxutils import unescape  # pulls in urllib and ssl: only for files that need it

    marks: dict[tuple[int, int], str] = {}
    for match in _CELL.finditer(xml):
        attrs = dict(_ATTR.findall(match[1]))
        ref = _REF.match(attrs.get(b"r", b"").decode("ascii", "replace"))
        if ref is None:  # a cell without its reference: rare writers; its position is not known here
            continue
        content = match[3] or b""
        value = _VALUE.search(content)
        text = unescape(value[1].decode("utf-8", "replace")) if value else ""
        kind = attrs.get(b"t", b"n")
        at = (int(ref[2]) - 1, column_index(ref[1]))
        if kind == b"e":
            marks[at] = text.strip() or "#N/A"
        elif _FORMULA.search(content) and not text and kind not in (b"str", b"inlineStr"):
            formula = _FORMULA_TEXT.search(content)  # empty for a shared formula's later cells
            marks[at] = FORMULA_MARK + (unescape(formula[1].decode("utf-8", "replace")) if formula else "")
        elif attrs.get(b"s") in percent_styles and kind == b"n" and text:
            marks[at] = _percent_text(text)
    return marks


def _percent_text(stored: str) -> str:
    """0.95 → "95%", exactly as stored (no binary rounding: 0.07 → "7%")."""
    try:
        shown = (Decimal(stored.strip()) * 100).normalize()
    except InvalidOperation:
        return stored
    return f"{shown:f}%"


def column_index(letters: str) -> int:
    """"A" → 0, "XFD" → 16383."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cut_far_columns(xml: bytes, file: str, issues: IssueLog) -> bytes | None:
    """The sheet without cells after the first gap of COLUMN_GAP empty columns (None: nothing to
    cut). Each cut cell is reported; the table itself never has such a gap."""
    if not _WIDE_REF.search(xml):
        return None
    used = sorted({column_index(c.decode("ascii")) for c in _CELL_REF.findall(xml)})
    gaps = [i for i in range(1, len(used)) if used[i] - used[i - 1] > COLUMN_GAP]
    if not gaps:
        return None
    cut = used[gaps[0]]
    dropped: list[DataIssue] = []

    def keep(match: re.Match[bytes]) -> bytes:
        attrs = dict(_ATTR.findall(match[1]))
        ref = _REF.match(attrs.get(b"r", b"").decode("ascii", "replace"))
        if ref is None or column_index(ref[1]) < cut:
            return match[0]
        if match[3] and (_VALUE.search(match[3]) or b"<is>" in match[3] or b":is>" in match[3]):
            dropped.append(DataIssue("warning", f"{ref[1]}{ref[2]} 单元格远在表格右侧(与表格之间隔着 {COLUMN_GAP} "
                                     "个以上的空列),其内容已忽略", file, int(ref[2]), ref[1]))
        return b""

    trimmed = _DIMENSION.sub(b"", _CELL.sub(keep, xml))
    issues.add_rows(dropped, "表格右侧远处的单元格")
    return trimmed


# ---- cells to text --------------------------------------------------------------------------------


def _texts(rows: list[list[object]], marks: dict[tuple[int, int], str]) -> np.ndarray:
    height = max(len(rows), max((r + 1 for r, _ in marks), default=0))
    width = max(max((len(r) for r in rows), default=0), max((c + 1 for _, c in marks), default=0))
    grid = np.full((height, width), "", dtype=object)
    if rows and width:
        dense = np.empty((len(rows), width), dtype=object)
        for i, row in enumerate(rows):
            dense[i, :len(row)] = row
            dense[i, len(row):] = ""
        grid[:len(rows)] = _TO_TEXT(dense)
    for (r, c), text in marks.items():
        grid[r, c] = text
    return grid


def cell_text(value: object) -> str:
    """A cell value as the text a user sees; numbers without binary noise."""
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
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):  # a duration cell ([h]:mm): as hours
        return format(value.total_seconds() / 3600, ".15g")
    return str(value).strip()


_TO_TEXT = np.frompyfunc(cell_text, 1, 1)
