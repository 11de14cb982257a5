"""Shared presentation: cell formats, writing a table column by column, widths, page setup.

A table goes to its sheet a whole column at a time (`blocksheet`), as typed text and numbers,
so text is never read as a formula or a link. Single cells (titles, headers, labels) are
written with XlsxWriter's own typed writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from scoring.report.blocksheet import BlockSheet
from scoring.report.paging import BODY_POINTS, narrowed_to_page, set_height, setup_page, text_capacity
from scoring.report.rounding import half_up

# 等线 ships with Office 2016+ on Chinese Windows; charset 134 (GB2312) lets Excel and
# LibreOffice substitute another Chinese font (宋体 / SimSun) where it is missing.
FONT = {"font_name": "等线", "font_charset": 134, "font_size": BODY_POINTS}

Kind = Literal["text", "wrap", "score", "signed", "int", "general"]

RED_FONT, RED_FILL = "#9C0006", "#FFC7CE"
HEADER_FILL = "#DDEBF7"
BLOCK_FILL = "#F2F2F2"
WIDE_RANGES = ((0x1100, 0x115F), (0x2E80, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
               (0xFF00, 0xFF60), (0xFFE0, 0xFFE6))  # CJK and full-width characters: two wide
_WIDE = np.zeros(0x110000, dtype=np.int8)  # 1 at each wide code point
for _first, _last in WIDE_RANGES:
    _WIDE[_first:_last + 1] = 1
_WIDTH_CHUNK = 1 << 20  # characters measured at a time
_MAX_WIDTH: dict[str, int] = {"wrap": 50, "text": 36}
LINE_HEIGHT = 15.5  # points per line of 11pt text (CJK fonts need more than Latin ones)
MAX_LINES = 20  # Excel rows are at most 409 points high
_MAX_CELL_TEXT = 32767  # Excel's limit on the length of a cell's text
NARROW_HEADER = 6  # a number column's header wraps beyond this width instead of widening it
SHEET_ROW_LIMIT = 20_000  # rows of 得分明细 / 原始数据 in the workbook; the JSON holds all of them
PLAIN_FROM = 5_000  # sheets with this many rows or more are plain tables (`is_plain`)


def workbook_options(**extra) -> dict:
    """Options for a new XlsxWriter Workbook: text stays text, the Chinese body font. Fresh
    each time: XlsxWriter writes into the default format's properties (it adds the theme
    font), and a shared dict made every workbook after a process's first differ from it."""
    return {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "constant_memory": False, "default_format_properties": dict(FONT), **extra}


class Styles:
    """The workbook's formats, made once; `cell(kind, red)` for table cells; `page_title` for
    the printed pages' header (the report's title)."""

    def __init__(self, workbook: Workbook, precision: int, page_title: str = ""):
        self.precision = precision
        self.page_title = page_title
        add = workbook.add_format
        border = {"border": 1, "border_color": "#BFBFBF", "valign": "vcenter"}
        score = "0" if precision == 0 else "0." + "0" * precision
        bodies: dict[str, dict] = {
            "text": {},
            "wrap": {"text_wrap": True},
            "score": {"num_format": score},
            "signed": {"num_format": f"+{score};-{score};{score}"},
            "int": {"num_format": "0", "align": "center"},
            "general": {"num_format": "General"},
        }
        red = {"font_color": RED_FONT, "bg_color": RED_FILL}
        self._cells = {
            (kind, flag): add({**border, **props, **(red if flag else {})})
            for kind, props in bodies.items()
            for flag in (False, True)
        }
        self.title = add({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.heading = add({"bold": True, "font_size": 14, "valign": "vcenter"})
        self.header = add({**border, "bold": True, "bg_color": HEADER_FILL, "text_wrap": True, "align": "center",
                           "valign": "vcenter"})
        self.label = add({**border, "bold": True, "bg_color": BLOCK_FILL})  # block headers, labels
        self.note = add({"italic": True, "font_color": "#595959"})
        self.centered = add({"align": "center", "valign": "vcenter"})
        self.plain = add({"valign": "vcenter"})
        self.indent = [add({**border, "indent": level}) for level in range(4)]

    def cell(self, kind: Kind, red: bool = False):
        """The body format of a column kind."""
        return self._cells[(kind, red)]


def is_plain(rows: int) -> bool:
    """Whether a sheet of `rows` body rows is written as a plain table: no cell formats at all
    (no borders, no wrapping, rows one line high; points still rounded to the scheme's decimals),
    each column written whole (`blocksheet`) instead of cell by cell through XlsxWriter: a
    province's 指标得分 alone has 300,000 cells."""
    return rows >= PLAIN_FROM


@dataclass(frozen=True)
class Column:
    """One table column: its header, its values (positional) and how to show them."""

    header: str
    values: pd.Series
    kind: Kind = "text"
    labels: pd.Series | None = None  # positional text shown instead of the value where not "" ("不适用")
    max_width: float | None = None  # narrower than the kind's limit (longer text wraps)
    min_width: float | None = None  # wider than its own texts need (labels written above it)

    @cached_property
    def text(self) -> pd.Series:
        """Values as display text (text columns), computed once for writing and fitting."""
        return as_text(self.values)

    @cached_property
    def numbers(self) -> np.ndarray:
        """Values as floats, NaN where not a number (number columns), for writing and fitting."""
        return pd.to_numeric(self.values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    @cached_property
    def text_widths(self) -> np.ndarray:
        """Display width of each row's text: CJK characters count two."""
        return display_widths(self.text)

    def ready(self) -> "Column":
        """The column with what writing and fitting it needs already computed (where it is
        prepared in a forked child and sent back whole)."""
        _ = (self.text, self.text_widths) if self.kind in ("text", "wrap") else self.numbers
        return self


def write_header(ws: Worksheet, row: int, headers: list[str], fmt, first_col: int = 0) -> None:
    for offset, text in enumerate(headers):
        ws.write_string(row, first_col + offset, text, fmt)


def write_rows(
    ws: BlockSheet,
    styles: Styles,
    first_row: int,
    columns: list[Column],
    red: np.ndarray | None = None,
    first_col: int = 0,
    plain: bool = False,
) -> int:
    """Write the columns' values from `first_row` down; `red` marks rows to show in red.

    Missing values (NaN, None, "") give an empty cell. `plain`: a plain table (`is_plain`).
    Returns the row after the last one.
    """
    n = len(columns[0].values) if columns else 0
    red_rows = np.zeros(n, dtype=bool) if red is None else np.asarray(red, dtype=bool)
    for offset, column in enumerate(columns):
        _write_column(ws, styles, first_row, first_col + offset, column, red_rows, plain)
    return first_row + n


def _write_column(
    ws: BlockSheet, styles: Styles, first_row: int, col: int, column: Column, red: np.ndarray, plain: bool
) -> None:
    text = column.kind in ("text", "wrap")
    if text:
        values = column.text.to_numpy(dtype=object)
    else:
        values = column.numbers
        if column.kind in ("score", "signed"):  # stored as shown: the digits of the CSV and JSON
            values = half_up(values, styles.precision)
    strings = values if text else None
    labelled = None
    if column.labels is not None:  # a label shows instead of the value
        labels = column.labels.to_numpy(dtype=object)
        labelled = pd.notna(labels) & (labels != "")
        strings = np.array(values if text else np.full(len(values), None), dtype=object)
        strings[labelled] = [str(v) for v in labels[labelled]]
    formats = None
    if not plain:  # red rows in red; a label is formatted as text
        kinds = [(column.kind, False), (column.kind, True), ("text", False), ("text", True)]
        picks = red.astype(np.int64) + (2 * labelled if labelled is not None else 0)
        formats = ([styles.cell(*kind) for kind in kinds], picks)
    ws.write_block(first_row, col, strings=strings, numbers=None if text else values, formats=formats)


def write_long_table(ws: Worksheet, styles: Styles, header: int, columns: list[Column], title: str) -> None:
    """A table that may run to thousands of rows: header at row `header`, a filter, the header
    frozen and repeated on every printed page; a plain table from PLAIN_FROM rows (`is_plain`)."""
    plain = is_plain(len(columns[0].values)) if columns else False
    write_header(ws, header, [c.header for c in columns], styles.header)
    last = write_rows(ws, styles, header + 1, columns, plain=plain) - 1
    ws.autofilter(header, 0, max(last, header), len(columns) - 1)
    ws.freeze_panes(header + 1, 1)
    widths = fit_widths(ws, columns, styles.precision, header_row=header, first_row=None if plain else header + 1)
    setup_page(ws, title, repeat=(header, header), widths=widths, last_row=last)


def as_text(values: pd.Series) -> pd.Series:
    """Values as display text (object dtype): missing → "", floats that are whole numbers
    without ".0"."""
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_bool_dtype(s):
        return s.map({True: "是", False: ""}).astype(object)
    if pd.api.types.is_numeric_dtype(s):
        numbers = s.astype(float)
        whole = numbers.notna() & (numbers == numbers.round()) & (numbers.abs() < 1e15)
        text = numbers.astype(str).where(~whole, numbers.round().astype("Int64").astype(str))
        return text.where(numbers.notna(), "").astype(object)
    text = s.to_numpy(dtype=object, copy=True)
    text[pd.isna(text)] = ""
    if pd.api.types.infer_dtype(text, skipna=False) != "string":  # numbers or dates among texts
        text = np.array([str(v) for v in text] or [], dtype=object)
    for i in np.flatnonzero(np.fromiter(map(len, text), dtype=int, count=len(text)) > _MAX_CELL_TEXT).tolist():
        text[i] = text[i][:_MAX_CELL_TEXT]
    return pd.Series(text, dtype=object)


def display_widths(text) -> np.ndarray:
    """Display width of each text (CJK characters count two). The texts are joined and read as
    code points a million characters at a time, and the wide ones counted per text with numpy:
    no per-text regular expression."""
    strings = text if isinstance(text, list) else pd.Series(text, dtype=object).tolist()
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    wide = np.zeros(len(strings), dtype=np.int64)
    start = 0
    while start < len(strings):
        stop = start + max(1, int(np.searchsorted(np.cumsum(lengths[start:]), _WIDTH_CHUNK, side="right")))
        counted = np.concatenate([[0], np.cumsum(_WIDE[_code_points("".join(strings[start:stop]))], dtype=np.int64)])
        ends = np.cumsum(lengths[start:stop])
        wide[start:stop] = counted[ends] - counted[ends - lengths[start:stop]]
        start = stop
    return lengths + wide


def text_width(text: str) -> int:
    """Display width of one text (a header)."""
    return len(text) + int(_WIDE[_code_points(text)].sum())


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def column_width(column: Column, precision: int) -> float:
    """Width fitted to header and content, within limits that keep the sheet readable."""
    return max(_fitted_width(column, precision), column.min_width or 0.0)


def _fitted_width(column: Column, precision: int) -> float:
    header = text_width(column.header)
    if column.kind in ("text", "wrap"):
        limit = column.max_width or _MAX_WIDTH[column.kind]
        content = int(column.text_widths.max()) if len(column.text_widths) else 0
    else:
        numbers = column.numbers[~np.isnan(column.numbers)]
        biggest = float(np.abs(numbers).max()) if len(numbers) else 0.0
        decimals = precision if column.kind in ("score", "signed") else (0 if column.kind == "int" else 4)
        content = len(f"{biggest:.{decimals}f}") + (2 if column.kind == "signed" else 1)
        header = min(header, NARROW_HEADER)  # the header wraps rather than widen a column of numbers
        return float(min(max(header, content, 4), 20))
    return float(min(max(header, content, 4) + 2, limit))


def fit_widths(
    ws: Worksheet,
    columns: list[Column],
    precision: int,
    first_col: int = 0,
    header_row: int | None = None,
    first_row: int | None = None,
    landscape: bool = True,
) -> list[float]:
    """Fit each column's width, make `header_row` tall enough for its headers and, from
    `first_row` down, rows whose wrapped text needs several lines (LibreOffice, and Excel
    when printing, do not always grow such rows by themselves). Wrapped columns are narrowed
    so the table fits one page wide at 10 pt where it can. Returns the widths."""
    widths = narrowed_to_page([column_width(column, precision) for column in columns],
                              [column.kind for column in columns], landscape)
    lines = 1
    for offset, (column, width) in enumerate(zip(columns, widths)):
        ws.set_column(first_col + offset, first_col + offset, width)
        lines = max(lines, int(_lines(text_width(column.header), width)))
    if header_row is not None and lines > 1:
        set_height(ws, header_row, LINE_HEIGHT * min(lines, 4) + 3)
    wrapped = [(c, w) for c, w in zip(columns, widths) if c.kind == "wrap"]
    if first_row is not None and wrapped:
        fit_row_heights(ws, first_row + np.arange(len(wrapped[0][0].values)), wrapped)
    return widths


def _lines(needed: int | np.ndarray, width: float) -> int | np.ndarray:
    """Lines that text of display width `needed` takes in a column `width` wide."""
    return np.ceil(np.asarray(needed, dtype=float) / text_capacity(width)).astype(int)


def fit_row_heights(ws: Worksheet, sheet_rows: np.ndarray, wrapped: list[tuple[Column, float]]) -> None:
    """Rows (`sheet_rows[i]` holds value i of the columns) tall enough for their wrapped text."""
    if not wrapped:
        return
    lines = np.ones(len(sheet_rows), dtype=int)
    for column, width in wrapped:
        lines = np.maximum(lines, _lines(column.text_widths, width))
    lines = np.minimum(lines, MAX_LINES)
    for i in np.flatnonzero(lines > 1).tolist():
        set_height(ws, int(sheet_rows[i]), LINE_HEIGHT * int(lines[i]) + 3)


def ranked_rows(rows: pd.DataFrame, order: pd.Index, what: str, part: str,
                limit: int | None = None, data_format: str = "json") -> tuple[pd.DataFrame, str]:
    """Rows of a per-unit table (a unit_id column) grouped by unit in ranking `order` (units
    not in it last), each unit's rows in their own order. When there are more than `limit`
    (default SHEET_ROW_LIMIT): the first whole units that fit, and a note (Chinese) saying
    where the rest is; a province's 300,000 detail rows would take a minute to write and open."""
    limit = SHEET_ROW_LIMIT if limit is None else limit
    key = positions(order, rows["unit_id"])
    key[key < 0] = len(order)
    ranked = np.argsort(key, kind="stable")
    if len(rows) <= limit:
        return rows.iloc[ranked].reset_index(drop=True), ""
    ends = np.r_[np.flatnonzero(np.diff(key[ranked])) + 1, len(ranked)]  # after each unit's rows
    fitting = ends[ends <= limit]
    cut = int(fitting[-1]) if len(fitting) else limit
    note = (f"注:共 {len(ends)} 个单位、{len(rows)} 行{what},本表只列出排名前 {len(fitting)} 个单位的 {cut} 行"
            f"(工作簿每表最多 {limit} 行,以便较快生成和打开);全部{what}见{full_results(part, data_format)},"
            "单个单位可用 score explain 单位名称 查看。")
    return rows.iloc[ranked[:cut]].reset_index(drop=True), note


def full_results(part: str, data_format: str) -> str:
    """Where the run's full results hold a table (`part`: details, inputs …), in Chinese."""
    if data_format == "parquet":
        return f"与工作簿同名、以 _{part}.parquet 结尾的 Parquet 文件"
    return f"同名 JSON 文件的“{part}”部分"


def positions(index: pd.Index, keys: pd.Series) -> np.ndarray:
    """Position in `index` (unique) of each key, -1 where absent. A categorical column (the
    Result's unit and item ids) is looked up once per category, not once per row; an Arrow
    string column (the inputs' unit ids) by Arrow, without making a Python string per row."""
    index = pd.Index(index)
    if isinstance(keys.dtype, pd.CategoricalDtype):
        at = index.get_indexer(keys.cat.categories)
        return np.append(at, -1)[keys.cat.codes.to_numpy()]  # code -1 (missing) picks the -1
    if isinstance(keys.dtype, pd.StringDtype) and keys.dtype.storage == "pyarrow" \
            and pd.api.types.infer_dtype(index, skipna=False) == "string":
        found = pc.index_in(pa.array(keys), value_set=pa.array(index.to_numpy(dtype=object), pa.large_string()))
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    return index.get_indexer(keys)


def write_note(ws: Worksheet, styles: Styles, note: str) -> int:
    """The note in the sheet's first row when there is one; returns the row the header goes to."""
    if not note:
        return 0
    ws.write_string(0, 0, note, styles.note)
    return 1


def points_label(points: float) -> str:
    """30.0 → "30", 22.5 → "22.5"."""
    return f"{round(float(points), 6):g}"
