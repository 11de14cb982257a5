"""Appeals and corrections (复核调整): approved changes applied to a period's scoring.

The office keeps them in a file named like `复核调整.xlsx` (or .csv) in the period folder, one
row per change: 单位, 指标 (an indicator or a metric, by name or id), 调整后数值 *or*
调整后得分, 理由, 批准人, 日期. A new value replaces the metric's value before scoring, so every
indicator that reads it is scored again; new points replace a leaf indicator's points once it
is scored, before groups, rescaling and ranks. Every change leaves its trail: the original and
the adjusted value or points, the reason, who approved it and when, in the explanation of each
detail row concerned (the workbook's breakdown, the unit's feedback, the JSON) and as an
"adjust" step of the log.

A row that cannot be applied exactly (unknown unit or indicator, no reason, both or neither
of value and points) stops the run: an approved change is never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scoring.data.folders import find_period_folders
from scoring.data.issuelog import IssueLog
from scoring.data.model import AgencyData
from scoring.data.tables import SUFFIXES, read_table
from scoring.data.units import UnitIndex
from scoring.data.values import parse_value
from scoring.errors import InputError, Location
from scoring.numbers import normalize_text
from scoring.periods import Period
from scoring.result import Result, Step
from scoring.rules.base import num
from scoring.scheme.model import Indicator, Scheme

if TYPE_CHECKING:
    from scoring.engine import Shared

NAME_MARK = "复核调整"  # a data file whose name holds this is read here, not as data
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("单位", "单位名称", "单位编码", "被考评单位"),
    "target": ("指标", "指标名称", "调整指标", "调整项目"),
    "value": ("调整后数值", "新数值", "更正数值", "调整数值"),
    "points": ("调整后得分", "新得分", "调整得分", "核定得分"),
    "reason": ("理由", "调整理由", "原因", "复核意见"),
    "approved_by": ("批准人", "审批人", "批准", "核准人"),
    "date": ("日期", "批准日期", "调整日期"),
}
REQUIRED = ("unit", "target", "reason", "approved_by")


@dataclass(frozen=True)
class Adjustment:
    unit_id: str
    unit_name: str
    kind: str  # value | points
    target: str  # metric id (value) or leaf id (points)
    target_name: str
    new: float  # NaN for a value adjusted to 不适用
    new_text: str  # as written
    reason: str
    approved_by: str
    date: str
    file: str
    row: int

    def trail(self, original: str) -> str:
        """"复核调整:原 665 → 700(理由:…;批准:张三 2022-01-10)"; points say 分."""
        when = f" {self.date}" if self.date else ""
        unit = " 分" if self.kind == "points" else ""
        return f"复核调整:原 {original}{unit} → {self.new_text}{unit}(理由:{self.reason};批准:{self.approved_by}{when})"


def is_adjustments_file(path: Path) -> bool:
    return NAME_MARK in path.stem and path.suffix.lower() in SUFFIXES


def adjustments_files(source: Path, period: Period) -> list[Path]:
    """The 复核调整 files of the period's own folder (or at the top of the input folder)."""
    source = Path(source)
    if not source.is_dir():
        return []
    folders = [source, *find_period_folders(source, period)]
    return [p for folder in folders for p in sorted(folder.iterdir()) if p.is_file() and is_adjustments_file(p)]


def read_adjustments(source: Path, period: Period, scheme: Scheme, units: pd.DataFrame) -> list[Adjustment]:
    found: list[Adjustment] = []
    files = adjustments_files(source, period)
    if not files:
        return found
    index = UnitIndex.build(units)  # units written as in the data files: id, name or alias
    for path in files:
        file = path.relative_to(source).as_posix()
        table = read_table(path, file, _is_header, IssueLog())
        if table is None:
            continue
        columns = _columns(table.header, file)
        for i, row_number in enumerate(table.rows):
            cells = {role: str(table.cells.iat[i, at]).strip() for role, at in columns.items()}
            found.append(_adjustment(cells, scheme, index, file, int(row_number), table.header, columns))
    return found


def _key(text: str) -> str:
    return normalize_text(text).casefold()


_SPELLINGS = {_key(s): role for role, spellings in COLUMNS.items() for s in spellings}


def _is_header(cells: list[str]) -> bool:
    roles = {_SPELLINGS.get(_key(c)) for c in cells if c}
    return {"unit", "target"} <= roles


def _columns(header: tuple[str, ...], file: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for at, text in enumerate(header):
        role = _SPELLINGS.get(_key(text))
        if role and role not in columns:
            columns[role] = at
    missing = [COLUMNS[r][0] for r in (*REQUIRED,) if r not in columns]
    if "value" not in columns and "points" not in columns:
        missing.append("调整后数值 或 调整后得分")
    if missing:
        raise InputError(f"复核调整表缺少列:{'、'.join(missing)}", Location(file=file))
    return columns


def _adjustment(cells: dict[str, str], scheme: Scheme, index: UnitIndex, file: str, row: int,
                header: tuple[str, ...], columns: dict[str, int]) -> Adjustment:
    def stop(message: str, role: str) -> InputError:
        return InputError(message, Location(file=file, row=row, column=header[columns[role]] if role in columns else None))

    for role in REQUIRED:
        if not cells.get(role):
            raise stop(f"复核调整必须填写“{COLUMNS[role][0]}”", role)
    unit_id = index.find(cells["unit"])
    if unit_id is None:
        close = index.closest(cells["unit"])
        raise stop(f"单位“{cells['unit']}”不在单位名单中" + (f",是否指:{'、'.join(close)}" if close else ""), "unit")
    unit_name = dict(zip(index.units["unit_id"].astype(str), index.units["name"].astype(str)))[unit_id]
    value, points = cells.get("value", ""), cells.get("points", "")
    if bool(value) == bool(points):
        raise stop("每行只能填写“调整后数值”或“调整后得分”中的一项", "value" if value else "points")
    leaf = _leaf(cells["target"], scheme)
    if points:
        if leaf is None:
            raise stop(f"“{cells['target']}”不是末级指标:调整得分只能针对末级指标(可调整其数值)", "target")
        parsed = parse_value(points)
        if parsed.problem or not parsed.applicable or not 0 <= parsed.value <= leaf.points:
            raise stop(f"调整后得分“{points}”应为 0 到 {leaf.points:g} 之间的数", "points")
        return Adjustment(unit_id, unit_name, "points", leaf.id, leaf.title, parsed.value, num(parsed.value),
                          cells["reason"], cells["approved_by"], cells.get("date", ""), file, row)
    metric = leaf.metric if leaf is not None and leaf.metric else _metric(cells["target"], scheme)
    if metric is None:
        raise stop(f"找不到指标“{cells['target']}”(应为指标名称或编号)", "target")
    parsed = parse_value(value)
    if parsed.problem:
        raise stop(f"调整后数值:{parsed.problem}", "value")
    return Adjustment(unit_id, unit_name, "value", metric, scheme.metric_label(metric)[0], parsed.value, value,
                      cells["reason"], cells["approved_by"], cells.get("date", ""), file, row)


def _leaf(text: str, scheme: Scheme) -> Indicator | None:
    wanted = _key(text)
    return next((leaf for leaf in scheme.leaves() if wanted in (_key(leaf.id), _key(leaf.title))), None)


def _metric(text: str, scheme: Scheme) -> str | None:
    from scoring.data.names import Names

    return Names.build(scheme).metric(text)


# ---- applying them ------------------------------------------------------------------------------


def original_values(data: AgencyData, adjustments: list[Adjustment]) -> dict[tuple[str, str], str]:
    """(unit_id, metric) → the value as read before its adjustment, with where it was read."""
    wanted = {(a.unit_id, a.target) for a in adjustments if a.kind == "value"}
    if not wanted:  # the usual run: no 复核调整 file (a province's 310,000 values went by in Python)
        return {}
    values = data.values
    # only the rows of adjusted units and metrics are looked at one by one
    near = values["unit_id"].astype(str).isin({u for u, _ in wanted}) & values["metric"].astype(str).isin(
        {m for _, m in wanted})
    values = values[near.to_numpy()]
    pairs = list(zip(values["unit_id"].astype(str), values["metric"].astype(str)))
    found = {pair: f"{raw or '空'}({source} 第{row}行)" for pair, raw, source, row
             in zip(pairs, values["raw"], values["source"], values["row"]) if pair in wanted}
    return {pair: found.get(pair, "未报送") for pair in wanted}


def with_values(data: AgencyData, adjustments: list[Adjustment], originals: dict[tuple[str, str], str]) -> AgencyData:
    """The data with each adjusted value in place of the one read (or added where none was)."""
    adjusted = {(a.unit_id, a.target): a for a in adjustments if a.kind == "value"}  # the last row wins
    if not adjusted:
        return data
    values = data.values
    kept = values[[pair not in adjusted for pair in zip(values["unit_id"].astype(str), values["metric"].astype(str))]]
    new_rows = pd.DataFrame([{
        "unit_id": a.unit_id, "metric": a.target, "value": a.new, "raw": a.new_text, "approx": False,
        "applicable": not np.isnan(a.new), "source": a.file, "row": a.row, "column": "调整后数值",
        "evidence": a.trail(originals[pair]),
    } for pair, a in adjusted.items()])
    merged = pd.concat([kept, new_rows.astype(kept.dtypes.to_dict())], ignore_index=True)
    return replace(data, values=merged, sources=(*data.sources, *dict.fromkeys(a.file for a in adjusted.values())))


def points_overrides(adjustments: list[Adjustment]) -> dict[tuple[str, str], Adjustment]:
    """(unit_id, leaf id) → the adjustment of its points, for the engine's adjust step."""
    return {(a.unit_id, a.target): a for a in adjustments if a.kind == "points"}


def annotate(result: Result, adjustments: list[Adjustment], originals: dict[tuple[str, str], str]) -> Result:
    """Value adjustments in the words of the breakdown and the log: each detail row that read an
    adjusted value says so (points adjustments are written by the engine's adjust step)."""
    changes = {(a.unit_id, a.target): a for a in adjustments if a.kind == "value"}
    if not changes:
        return result
    details = result.details
    pairs = list(zip(details["unit_id"].astype(str), details["metric"].astype(str)))
    explanation = details["explanation"].astype(str).to_numpy(dtype=object).copy()
    for i in [i for i, pair in enumerate(pairs) if pair in changes]:
        explanation[i] = f"{explanation[i]}〔{changes[pairs[i]].trail(originals[pairs[i]])}〕"
    steps = tuple(Step("adjust", f"{a.unit_name}:“{a.target_name}”{a.trail(originals[pair])}", a.unit_id, a.target)
                  for pair, a in changes.items())
    return replace(result, details=details.assign(explanation=explanation), log=(*result.log, *steps))


def score_adjusted(scheme: Scheme, data: AgencyData, period: Period, source: Path, explain: bool = True,
                   shared: "Shared | None" = None) -> tuple[Result, list[Adjustment]]:
    """Score the period with its 复核调整 file applied (none: the plain result); `explain=False`:
    a summary Result (scoring.engine), whose totals the adjustments change just the same;
    `shared`: what the run's other periods derived alike (scoring.engine.Shared)."""
    from scoring.engine import score

    adjustments = read_adjustments(source, period, scheme, data.units)
    originals = original_values(data, adjustments)
    result = score(scheme, with_values(data, adjustments, originals), period, overrides=points_overrides(adjustments),
                   explain=explain, shared=shared)
    return (annotate(result, adjustments, originals) if explain else result), adjustments
