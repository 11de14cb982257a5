"""What every reader of a data file gives and shares: a RawTable of text cells below the header.

The header row is the first row whose cells name known columns, so title rows and merged title
cells above it are skipped. Row numbers are 1-based as Excel or a text editor shows them
(header = 1 when it is the first row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.data.issuelog import IssueLog
from scoring.errors import InputError, Location

HEADER_SEARCH_ROWS = 30  # a header lower than this is not a header


@dataclass(frozen=True)
class RawTable:
    """Cells of one sheet below its header; columns are positions 0..n-1 matching `header`.

    Cells are text, "" when empty. A CSV's columns are Arrow-backed strings, or Categoricals
    for the columns its reader was asked to code (a records file's unit, date and category).
    """

    file: str  # name shown to users (relative to the input folder)
    header: tuple[str, ...]
    cells: pd.DataFrame  # blank rows removed
    rows: np.ndarray  # 1-based row number of each line of `cells`
    header_row: int
    # A two-row header's upper label over each column ("主动公开" merged over its sub-columns), or ""
    groups: tuple[str, ...] = ()

    def column(self, position: int) -> pd.Series:
        return self.cells[position]

    def group(self, position: int) -> str:
        return self.groups[position] if position < len(self.groups) else ""


IsHeader = Callable[[list[str]], bool]


@dataclass(frozen=True)
class Columns:
    """How to read the body of a file with a given header: columns left unread (`skip`, left
    empty) and columns read as codes over their distinct texts (`coded`)."""

    skip: frozenset[int] = frozenset()
    coded: frozenset[int] = frozenset()


ColumnPlan = Callable[[tuple[str, ...]], Columns]


def locate_header(top: Sequence[Sequence[str]], is_header: IsHeader, file: str, issues: IssueLog) -> int | None:
    """Index of the header among the top rows; a warning when there is none, a note on title rows."""
    header_at = find_header(top, is_header)
    if header_at is None:
        issues.add("warning", "未找到可识别的表头(如“单位”“指标”“数值”或指标名称),已跳过该文件", file=file)
    elif header_at > 0:
        issues.add("info", f"表头在第{header_at + 1}行,其上方的标题行已跳过", file=file, row=header_at + 1)
    return header_at


def find_header(top: Sequence[Sequence[str]], is_header: IsHeader) -> int | None:
    for i, cells in enumerate(top[:HEADER_SEARCH_ROWS]):
        if is_header([str(c) for c in cells]):
            return i
    return None


def header_width(header: Sequence[str]) -> int:
    """Columns up to the header's last filled cell: cells further right have no column name."""
    filled = [i for i, cell in enumerate(header) if cell]
    return filled[-1] + 1 if filled else 0


def finish(file: str, header: tuple[str, ...], header_at: int, body: pd.DataFrame, rows: np.ndarray,
           issues: IssueLog, header_rows: int = 1, groups: tuple[str, ...] = ()) -> RawTable | None:
    """The table of `body` (columns 0..width-1) without its blank rows; None with a warning when
    nothing is left. A header of two rows (`header_rows`) gives its upper labels as `groups`."""
    keep = filled_rows(body)
    if not keep.all():  # a big file has no blank row: no copy of its columns
        body, rows = body[keep], rows[keep]
    if body.empty:
        issues.add("warning", "文件只有表头,没有数据行,已跳过", file=file, row=header_at + 1)
        return None
    body = body.reset_index(drop=True)
    body.columns = range(body.shape[1])
    width = body.shape[1]
    return RawTable(file, header[:width], body, rows, header_at + header_rows, groups[:width])


def filled_rows(body: pd.DataFrame) -> np.ndarray:
    """Rows with at least one non-empty cell. Column by column over the rows still undecided:
    the first column settles almost every row of a big file."""
    if not body.shape[1]:
        return np.zeros(len(body), dtype=bool)
    filled = (body.iloc[:, 0] != "").to_numpy(bool, copy=True)  # the first column whole: no rows to pick yet
    for column in range(1, body.shape[1]):
        open_rows = np.flatnonzero(~filled)
        if not len(open_rows):
            break
        filled[open_rows] = (body.iloc[open_rows, column] != "").to_numpy(bool)
    return filled


def check_size(path: Path, file: str, limit: int) -> None:
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

