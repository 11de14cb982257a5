"""Why a unit has no value for an item, said per unit, and the issues that name the cell.

A value can be absent because its cell was left empty, holds a spreadsheet error ("#N/A") or an
unsaved formula, carries a 不适用 mark, or because the data has no cell for it at all. The
evaluator applies the leaf's policy; this module words the reason ("“政策解读”未填写") and makes
the issues, each naming unit, metric, file, row and column, so the office can check the cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.derive import Metrics
from scoring.issues import DataIssue, Severity
from scoring.rules.base import filled, join

MAX_LISTED = 200  # issues of one kind for one item listed unit by unit; past that, one summary


@dataclass(frozen=True)
class Cells:
    """Where each unit's value of one metric came from, for the units of a mask."""

    at: np.ndarray  # positions of the units
    rows: np.ndarray  # row of Metrics.table per unit (-1: no cell at all)
    gaps: np.ndarray  # GAPS code per unit


def cells_of(metrics: Metrics, metric: str, mask: np.ndarray) -> Cells:
    at = np.flatnonzero(mask)
    n = len(mask)
    return Cells(at, metrics.cell(metric, n)[at], metrics.gap(metric, n)[at])


def causes(metrics: Metrics, label, metric: str, name: str, mask: np.ndarray,
           not_applicable: bool = False) -> np.ndarray:
    """Per unit of `mask`: why it has no value, e.g. "“政策解读”未填写", "“按时答复”为表格错误值“#N/A”",
    "“X”填写“不适用”" (`not_applicable`), "缺少“X”数据". `name` is the item's metric in words,
    `label(metric)` the Chinese name of any metric (a derived metric's cell is one of its inputs)."""
    cells = cells_of(metrics, metric, mask)
    names, raws = _cell_texts(metrics, label, cells.rows)
    own = f"“{name}”"
    quoted = join("“", names, "”")
    if not_applicable:  # "“X”填写“不适用”", "“X”填写“—”(不适用)"
        said = np.isin(raws, ["不适用", "不涉及"])
        text = join(quoted, "填写“", raws, np.where(said, "”", "”(不适用)"))
    else:
        text = np.select(
            [cells.gaps == 1, cells.gaps == 2, cells.gaps == 3],
            [join(quoted, "未填写"), join(quoted, "为表格错误值“", raws, "”"),
             join(quoted, "是没有保存计算结果的公式“", raws, "”")],
            default=f"缺少{own}数据",
        )
    text = np.where(cells.rows < 0, f"缺少{own}数据", text) if len(text) else text
    out = filled(len(mask), "")
    out[cells.at] = text
    return out


def issues(metrics: Metrics, metric: str, name: str, mask: np.ndarray, cause: np.ndarray, unit_names: np.ndarray,
           severity: Severity, tail: str) -> list[DataIssue]:
    """One issue per unit of `mask` ("{cause},{tail}"), naming the cell when there is one;
    past MAX_LISTED, one summary issue for the rest. A spreadsheet error or unsaved formula is at
    least a warning: the office must fix the file."""
    metric = metric or None  # a `scheme` leaf reads no metric
    cells = cells_of(metrics, metric or "", mask)
    if not len(cells.at):
        return []
    if len(cells.at) > 1 and mask.all() and (cells.rows < 0).all():
        return [DataIssue(severity, f"全部 {len(cells.at)} 个单位都缺少“{name}”数据(请检查是否漏了数据文件或列名),"
                                    f"{tail}", metric=metric)]
    listed = cells.at[:MAX_LISTED]
    rows = cells.rows[:MAX_LISTED]
    # the listed cells' file, row and column in one take (not three lookups per unit)
    source, row, column = _take(metrics, ("source", "row", "column"), rows[rows >= 0])
    places = iter(zip(map(str, source), map(int, row), map(str, column)))
    out = []
    # the listed units' values as Python lists first: numpy scalars cost microseconds each
    for said, unit, gap, row in zip(cause[listed].tolist(), unit_names[listed].tolist(),
                                    cells.gaps[:MAX_LISTED].tolist(), rows.tolist()):
        level = "warning" if severity == "info" and gap >= 2 else severity
        where = {} if row < 0 else dict(zip(("file", "row", "column"), next(places)))
        out.append(DataIssue(level, f"{said},{tail}", unit=str(unit), metric=metric, **where))
    rest = cells.at[MAX_LISTED:]
    if len(rest):
        shown = "、".join(map(str, unit_names[rest[:10]]))
        out.append(DataIssue(severity, f"另有 {len(rest)} 个单位同类情况(如 {shown} 等),{tail}", metric=metric))
    return out


def _cell_texts(metrics: Metrics, label, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Chinese name of the metric each row holds and the row's text as written."""
    names, raws = filled(len(rows), ""), filled(len(rows), "")
    has = rows >= 0
    if has.any():
        metric_ids, raws[has] = _take(metrics, ("metric", "raw"), rows[has])
        distinct = {m: label(m) for m in set(metric_ids.tolist())}
        names[has] = [distinct[m] for m in metric_ids]
    return names, raws


def _take(metrics: Metrics, columns: tuple[str, ...], rows: np.ndarray) -> list[np.ndarray]:
    """`columns` of the data's values at `rows`, as objects: the rows taken first (a whole
    Arrow-backed column as objects costs ~10 ms per call), and only the columns asked for (a
    take of every column of a nation's 6.7 million values costs ~5 ms per call)."""
    return [np.asarray(metrics.table[c].array.take(rows), dtype=object) for c in columns]
