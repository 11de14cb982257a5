"""Period folders: which sub-folders of an input folder hold which period.

The one resolver for folder names, used by the loader (which files a run reads) and by the main
job (whether the comparison period's data is there). A folder is a period folder when its name
is a period as `parse_period_text` reads it: `2021Q3/`, `2021年第三季度/`, `2021-Q3/`,
`2021年10月/`, `2021-10/` (2021M10), `2021/`.

    folder_period(folder)               # the Period a folder holds, or None
    period_folders(root)                # [PeriodFolder(path, period)], in name order
    find_period_folders(root, period)   # the folders holding exactly `period`
    unread_folders(root)                # [(path, reason)]: folders that look dated but are no period
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scoring.data.names import parse_period_text
from scoring.periods import Period

# A name starting with a year looks like a period folder; when it is none, the office is told.
_DATED = re.compile(r"^\s*(19|20)\d{2}")
_FORMS = "2021Q4、2021年第四季度、2021H1、2021-10、2021"


@dataclass(frozen=True)
class PeriodFolder:
    path: Path
    period: Period


def folder_period(folder: Path) -> Period | None:
    """The period a folder holds by its name (`2021年第三季度` → 2021Q3), None for any other folder."""
    return parse_period_text(folder.name)


def period_folders(root: Path) -> list[PeriodFolder]:
    """Every sub-folder of `root` whose name is a period, in name order."""
    found = []
    for folder in _folders(root):
        period = folder_period(folder)
        if period is not None:
            found.append(PeriodFolder(folder, period))
    return found


def find_period_folders(root: Path, period: Period) -> list[Path]:
    """The sub-folders of `root` holding exactly `period` (`2021Q3/` and `2021年第三季度/` alike)."""
    return [f.path for f in period_folders(root) if f.period == period]


def unread_folders(root: Path) -> list[tuple[Path, str]]:
    """Folders that start with a year and hold files but are no period: their files are not read."""
    return [(folder, f"文件夹“{folder.name}”不是可识别的期间(可写作 {_FORMS} 等),其中的文件未读取")
            for folder in _folders(root)
            if _DATED.match(folder.name) and folder_period(folder) is None and _has_files(folder)]


def _folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _has_files(folder: Path) -> bool:
    return any(p.is_file() and not p.name.startswith((".", "~$")) for p in folder.iterdir())
