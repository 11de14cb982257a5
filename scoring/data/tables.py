"""Reading one data file into a RawTable: CSV (scoring/data/csv_reader.py) or XLSX (here).

Every cell is kept as text; values are parsed later. See scoring/data/rawtable.py for the header
and row conventions every reader follows.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.data.issuelog import IssueLog
from scoring.data.rawtable import (
    HEADER_SEARCH_ROWS,
    ColumnPlan,
    IsHeader,
    RawTable,
    check_size,
    finish,
    header_width,
    locate_header,
)
from scoring.errors import InputError, Location

SHEET_NAMES = ("数据", "data", "提取结果")  # preferred sheets, before the rest in workbook order
SUFFIXES = (".csv", ".xlsx", ".xlsm")
# Input size bounds: far above any real assessment file, low enough to keep memory bounded.
MAX_CSV_BYTES = 1024 * 2**20  # a busy platform's month of records; read columnar, titles usually unread
MAX_XLSX_UNPACKED = 256 * 2**20  # total declared size of the workbook's parts once unzipped
MAX_XLSX_RATIO = 200  # unzipped/zipped of one large part; real sheets stay far below
RATIO_FROM = 4 * 2**20  # parts smaller than this are not checked for their ratio


def read_table(path: Path, file: str, is_header: IsHeader, issues: IssueLog,
               plan: ColumnPlan | None = None, sheet: str | None = None) -> RawTable | None:
    """Read `path`; None (with a warning) when it is empty, has no recognisable header or no rows.

    `plan(header)` says which columns of a CSV to leave unread (the titles of millions of
    publication records are most of their parsing time) and which to read as codes.
    `sheet`: the worksheet of an XLSX to read (default: the one `_pick_sheet` prefers).
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        from scoring.data.csv_reader import read_csv  # pyarrow: imported only when a CSV is read

        return read_csv(path, file, is_header, issues, plan, MAX_CSV_BYTES)
    if suffix not in (".xlsx", ".xlsm"):
        raise InputError(f"不支持的文件类型“{path.suffix}”,请使用 CSV 或 XLSX", Location(file=file))
    grid = _read_xlsx(path, file, sheet)
    if grid.empty:
        issues.add("warning", "文件为空,已跳过", file=file)
        return None
    header_at = locate_header(grid.head(HEADER_SEARCH_ROWS).to_numpy(object).tolist(), is_header, file, issues)
    if header_at is None:
        return None
    header = tuple(str(c).strip() for c in grid.iloc[header_at])
    body = grid.iloc[header_at + 1:, :header_width(header)]
    rows = np.arange(header_at + 2, header_at + 2 + len(body))
    return finish(file, header, header_at, body, rows, issues)


# ---- XLSX ------------------------------------------------------------------------------------


def _read_xlsx(path: Path, file: str, sheet_name: str | None = None) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_size(path, file, MAX_XLSX_UNPACKED)
    _check_zip(path, file)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise InputError(f"不是有效的 XLSX 文件,无法打开({type(exc).__name__})。请在 Excel 中另存为 .xlsx",
                         Location(file=file)) from exc
    try:
        sheet = book[sheet_name] if sheet_name in book.sheetnames else _pick_sheet(book)
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
