"""Per-unit words beside the numbers: where points were lost, and what a reader must know to
read a row (data missing, ties and how they were broken, rescaling, bonus/penalty, veto, rounding).

Shared by the 排名 sheet and any per-unit document (feedback files): each function takes the
Result and the units in display order and returns one text per unit, in that order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.report.rounding import half_up
from scoring.result import Result
from scoring.rules.base import num

TOP_LOSSES = 3
MISSING = "missing"
MISSING_MARK = "缺数据"
NOT_SCORED = ("not_applicable", "excluded")
ROUNDING_NOTE = "四舍五入差"


def losses(result: Result) -> pd.DataFrame:
    """Every scored item a unit lost points on: unit_id, item_name, lost (positive), missing
    (lost only because its data were missing). Leaves lose max − points; penalties what they took."""
    d = result.details
    kind = d["kind"].astype(str).to_numpy()
    points = d["points"].to_numpy(dtype=float)
    leaf = (kind == "indicator") & ~d["status"].isin(NOT_SCORED).to_numpy()
    lost = np.where(leaf, d["max_points"].to_numpy(dtype=float) - points, 0.0)
    lost = np.where(kind == "penalty", -points, lost)
    lost = half_up(lost, result.scheme.precision)
    keep = np.nan_to_num(lost) > 0
    return pd.DataFrame({
        "unit_id": d["unit_id"].astype(str).to_numpy()[keep],
        "item_name": d["item_name"].astype(str).to_numpy()[keep],
        "lost": lost[keep],
        "missing": (d["status"].astype(str).to_numpy() == MISSING)[keep],
        "penalty": (kind == "penalty")[keep],
    })


def main_losses(result: Result, unit_ids: pd.Index, top: int = TOP_LOSSES) -> pd.Series:
    """主要失分 per unit, largest first, in points: "第三方评估6.14、年报雷同扣5、按月更新4(缺数据)";
    "" when nothing was lost."""
    table = losses(result)
    p = result.scheme.precision
    table = table.sort_values(["unit_id", "lost"], ascending=[True, False], kind="stable")
    table = table.groupby("unit_id", sort=False).head(top)
    verb = np.where(table["penalty"].to_numpy(), "扣", "")
    why = np.where(table["missing"].to_numpy(), f"({MISSING_MARK})", "")
    words = [f"{name}{v}{num(lost, p)}{w}" for name, v, lost, w
             in zip(table["item_name"].tolist(), verb.tolist(), table["lost"].tolist(), why.tolist())]
    joined = pd.Series(words, index=table["unit_id"].to_numpy(), dtype=object).groupby(level=0, sort=False).agg("、".join)
    return joined.reindex([str(u) for u in unit_ids]).fillna("").reset_index(drop=True)


def missing_losses(result: Result, unit_ids: pd.Index) -> pd.Series:
    """Points each unit lost only because its data were missing (0 when none)."""
    table = losses(result)
    lost = table[table["missing"]].groupby("unit_id")["lost"].sum()
    return lost.reindex([str(u) for u in unit_ids]).fillna(0.0).reset_index(drop=True)


def tie_notes(result: Result, order: pd.DataFrame) -> pd.Series:
    """并列 and the tie-break that separated equal totals, per unit in `order`."""
    p = result.scheme.precision
    rank_col = "class_rank" if result.scheme.classes else "rank"
    frame = pd.DataFrame({
        "block": order["class"].astype(str).to_numpy() if result.scheme.classes else "",
        "total": half_up(order["total"], p),
        "rank": pd.to_numeric(order[rank_col], errors="coerce").to_numpy(),
        "failed": (order["veto_effect"].astype(str) == "fail").to_numpy(),
    })
    notes = np.full(len(frame), "", dtype=object)
    tied = frame.duplicated(["block", "total", "failed"], keep=False).to_numpy()
    if not tied.any():
        return pd.Series(notes, dtype=object)
    breakers = _tiebreak_points(result, order.index)
    names = order["name"].astype(str).to_numpy()
    for _, members in frame[tied].groupby(["block", "total", "failed"], sort=False).groups.items():
        at = np.asarray(members)
        ranks = frame["rank"].to_numpy()[at]
        for i in at:
            same = at[ranks == frame["rank"].iat[i]]
            others = "、".join(names[j] for j in at if j != i)
            if len(same) == len(at):
                notes[i] = f"与{others}并列"
            else:
                notes[i] = f"与{others}同分,按{_separating(breakers, at, i, p)}排序"
    return pd.Series(notes, dtype=object)


def _separating(breakers: list[tuple[str, np.ndarray]], members: np.ndarray, i: int, p: int) -> str:
    """The first tie-break indicator on which unit i differs from another unit of its tie."""
    for title, points in breakers:
        if len(set(half_up(points[members], p).tolist())) > 1:
            return f"{title}得分({num(float(half_up([points[i]], p)[0]), p)})"
    return "同分排序规则"


def _tiebreak_points(result: Result, unit_ids: pd.Index) -> list[tuple[str, np.ndarray]]:
    """(indicator name, points per unit in `unit_ids` order) for each tiebreak indicator, read
    from the Result: a first-level indicator's group points, else the sum of its leaves' points."""
    scheme = result.scheme
    indicators = {ind.id: ind for top in scheme.indicators for ind in _walk(top)}
    details = result.details[result.details["kind"] == "indicator"]
    out = []
    for tid in scheme.tiebreak:
        ind = indicators.get(tid)
        if ind is None:
            continue
        leaf_ids = {leaf.id for leaf in ind.leaves()}
        rows = details[details["item_id"].astype(str).isin(leaf_ids)]
        points = rows.groupby(rows["unit_id"].astype(str))["points"].sum()
        out.append((ind.title, points.reindex([str(u) for u in unit_ids]).fillna(0.0).to_numpy(dtype=float)))
    return out


def _walk(ind):
    yield ind
    for child in ind.children or ():
        yield from _walk(child)


def factor_text(total: float, max_base: float, factor: float) -> str:
    """100/90 when the factor is the scheme's total over the applicable points, else 1.1111."""
    if max_base > 0 and abs(total / max_base - factor) < 1e-9:
        return f"{num(total, 4)}/{num(max_base, 4)}"
    return num(factor, 4)


def row_notes(result: Result, order: pd.DataFrame, shown_groups: np.ndarray) -> pd.Series:
    """备注 per unit: tie, rescaling (折算前得分 × 折算系数), bonus, penalty, data missing, veto,
    and a rounding note where the shown numbers do not add up to the shown total.

    `shown_groups`: units × first-level indicators as shown (rounded; NaN where not applicable).
    折算前得分 is the Result's (as in the CSV), rounded once."""
    scheme = result.scheme
    p = scheme.precision
    t = order
    base = half_up(t["base"], p)
    factor = t["rescale"].to_numpy(dtype=float)
    rescaled = half_up(base * factor, p)  # as a reader works it out from what is shown
    bonus, penalty = half_up(t["bonus"].fillna(0), p), half_up(t["penalty"].fillna(0), p)
    total = half_up(t["total"], p)
    effect = t["veto_effect"].astype(str).to_numpy()
    expected = np.where(effect == "zero", 0.0, half_up(rescaled + bonus - penalty, p))
    group_gap = half_up(np.nansum(shown_groups, axis=1) - base, p)
    total_gap = half_up(total - expected, p)
    missing = half_up(missing_losses(result, t.index), p)
    ties = tie_notes(result, t)
    notes = []
    for i in range(len(t)):
        parts = [ties.iat[i]] if ties.iat[i] else []
        if abs(factor[i] - 1.0) > 1e-9:
            parts.append(f"折算前得分{num(base[i], p)},"
                         f"折算系数{factor_text(scheme.total, float(t['max_base'].iat[i]), factor[i])}")
        if bonus[i] > 0:
            parts.append(f"加分{num(bonus[i], p)}")
        if penalty[i] > 0:
            parts.append(f"扣分{num(penalty[i], p)}")
        if missing[i] > 0:
            parts.append(f"{MISSING_MARK}失{num(missing[i], p)}分")
        if effect[i]:
            what = "总分计0分" if effect[i] == "zero" else "定为最低等次"
            parts.append(f"单项否决:{t['veto_reasons'].iat[i]},{what}")
        gap = abs(group_gap[i]) if abs(group_gap[i]) > 0 else abs(total_gap[i])
        if gap > 0:
            parts.append(f"{ROUNDING_NOTE}{num(gap, p)}")
        notes.append(";".join(parts))
    return pd.Series(notes, dtype=object)
