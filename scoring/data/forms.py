"""Fill-in forms sent back by units (made by `score form`): a thin layer over the ordinary readers.

A form is an XLSX with the hidden sheet MARKER_SHEET; each of its other sheets is one unit's
long table (单位编码, 单位, 指标, 数值, 备注), read like any other data file. What only forms can
tell is checked here: a unit that sent two forms with different values, and the units that
sent none.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from scoring.data.issuelog import IssueLog

MARKER_SHEET = "填报表信息"


def form_sheets(path: Path) -> list[str] | None:
    """The unit sheets of a form workbook; None when `path` is not a form."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            if f'name="{MARKER_SHEET}"' not in archive.read("xl/workbook.xml").decode("utf-8", "replace"):
                return None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None  # not readable as a workbook: the ordinary reader says why
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return [name for name in book.sheetnames if name != MARKER_SHEET]
    finally:
        book.close()


def check_forms(values: list[pd.DataFrame], form_files: set[str], units: pd.DataFrame, issues: IssueLog) -> None:
    """`values`: the value rows of every file read (unit_id, metric, raw, source, filled…)."""
    if not form_files:
        return
    rows = pd.concat(values, ignore_index=True) if values else pd.DataFrame(columns=["source"])
    rows = rows[rows["source"].isin(form_files) & rows["filled"]]
    names = dict(zip(units["unit_id"].astype(str), units["name"].astype(str)))
    for unit_id, own in rows.groupby("unit_id", sort=False):
        files = list(dict.fromkeys(own["source"]))
        if len(files) < 2:
            continue
        contents = {file: dict(zip(part["metric"], part["raw"])) for file, part in own.groupby("source", sort=False)}
        if len({tuple(sorted(c.items())) for c in contents.values()}) > 1:
            issues.add("warning", f"{names.get(unit_id, unit_id)} 发回了 {len(files)} 份内容不同的填报表:"
                       f"{'、'.join(files)};同一指标按最后读入的文件取值,请与该单位核实",
                       file=files[-1], unit=names.get(unit_id, unit_id))
        else:
            issues.add("info", f"{names.get(unit_id, unit_id)} 的填报表重复发回({'、'.join(files)}),内容相同,计一次",
                       file=files[-1], unit=names.get(unit_id, unit_id))
    missing = [names[u] for u in units["unit_id"].astype(str) if u not in set(rows["unit_id"])]
    if missing:
        issues.add("warning", f"{len(missing)} 个单位未发回填报表(或表中未填数值):{'、'.join(missing)}")
