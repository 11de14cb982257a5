"""Reading one data file into a RawTable: CSV (scoring/data/csv_reader.py) or a spreadsheet
(scoring/data/sheets.py), whose merged cells may make a header of two rows.

Every cell is kept as text; values are parsed later. See scoring/data/rawtable.py for the header
and row conventions every reader follows.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.data.issuelog import IssueLog
from scoring.data.rawtable import (
    HEADER_SEARCH_ROWS,
    ColumnPlan,
    IsHeader,
    RawTable,
    finish,
    header_width,
    locate_header,
)
from scoring.data.sheets import SHEET_SUFFIXES, column_letters, read_sheet
from scoring.errors import InputError, Location
from scoring.issues import DataIssue

SUFFIXES = (".csv", *SHEET_SUFFIXES)
# Input size bound: far above any real assessment file, low enough to keep memory bounded.
MAX_CSV_BYTES = 1024 * 2**20  # a busy platform's month of records; read columnar, titles usually unread


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
    if suffix not in SHEET_SUFFIXES:
        raise InputError(f"不支持的文件类型“{path.suffix}”,请使用 CSV、XLSX、XLS、ODS 或 WPS 表格(.et)",
                         Location(file=file))
    grid_sheet = read_sheet(path, file, issues, is_header, sheet)
    grid, merges = grid_sheet.cells, grid_sheet.merges
    if grid.empty:
        issues.add("warning", "文件为空,已跳过", file=file)
        return None
    header_at = locate_header(grid.head(HEADER_SEARCH_ROWS).to_numpy(object).tolist(), is_header, file, issues)
    if header_at is None:
        return None
    header = tuple(str(c).strip() for c in grid.iloc[header_at])
    groups: tuple[str, ...] = ()
    header_rows = 1
    if _two_row_header(grid, merges, header_at):
        header, groups = _combined_header(grid, header_at, merges)
        header_rows = 2
        issues.add("info", f"表头占两行(第{header_at + 1}、{header_at + 2}行,含合并单元格),已合并为:"
                   f"{'、'.join(h for h in header if h)}", file=file, row=header_at + 1)
    width = header_width(header)
    body = grid.iloc[header_at + header_rows:, :width]
    rows = np.arange(header_at + header_rows + 1, header_at + header_rows + 1 + len(body))
    _report_merged(merges, grid, header_at + header_rows, header[:width], file, issues)
    return finish(file, header, header_at, body, rows, issues, header_rows, groups)


def _two_row_header(grid: pd.DataFrame, merges: tuple[tuple[int, int, int, int], ...], header_at: int) -> bool:
    """Whether the row below the header is its second row: a header cell is merged across columns
    (a group over sub-columns) or down into it, every column under a group has a text label, and
    every other column is empty there or repeats the header (a data row names its unit)."""
    if header_at + 1 >= len(grid) or not any(r0 == header_at and (c1 > c0 or r1 > r0) for r0, c0, r1, c1 in merges):
        return False
    grouped = _grouped_columns(merges, header_at)
    upper = [str(c).strip() for c in grid.iloc[header_at]]
    lower = [str(c).strip() for c in grid.iloc[header_at + 1]]
    for position, (top, bottom) in enumerate(zip(upper, lower)):
        if position in grouped:
            if not bottom or re.fullmatch(r"[-+]?[\d.,%]+", bottom):
                return False
        elif bottom and bottom != top:
            return False
    return True


def _grouped_columns(merges: tuple[tuple[int, int, int, int], ...], header_at: int) -> set[int]:
    """Columns under a header cell merged across columns within the header row."""
    return {c for r0, c0, r1, c1 in merges if r0 == header_at == r1 and c1 > c0 for c in range(c0, c1 + 1)}


def _combined_header(grid: pd.DataFrame, header_at: int,
                     merges: tuple[tuple[int, int, int, int], ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Each column's name from two header rows: the lower cell under a group label (merged
    across columns), the upper cell where it is merged down or the lower one is empty. The
    group labels are kept to name a sub-column that means nothing alone (“合计”)."""
    upper = [str(c).strip() for c in grid.iloc[header_at]]
    lower = [str(c).strip() for c in grid.iloc[header_at + 1]] if header_at + 1 < len(grid) else [""] * len(upper)
    grouped = _grouped_columns(merges, header_at)
    header, groups = [], []
    for position, (top, bottom) in enumerate(zip(upper, lower)):
        if position in grouped and bottom and bottom != top:
            header.append(bottom)
            groups.append(top)
        else:
            header.append(top or bottom)
            groups.append("")
    return tuple(header), tuple(groups)


def _report_merged(merges: tuple[tuple[int, int, int, int], ...], grid: pd.DataFrame, first_row: int,
                   header: tuple[str, ...], file: str, issues: IssueLog) -> None:
    """Say which merged ranges below the header were filled with their value (类别 over a block of units)."""
    issues.add_rows(
        (DataIssue("info", f"合并单元格 {column_letters(c0)}{r0 + 1}:{column_letters(c1)}{r1 + 1} 的值"
                   f"“{grid.iat[r0, c0]}”已填入其中每个单元格", file, r0 + 1, header[c0] or column_letters(c0))
         for r0, c0, r1, c1 in sorted(merges)
         if r1 >= first_row and c0 < len(header) and r0 < len(grid) and grid.iat[r0, c0] != ""),
        "合并单元格",
    )
