"""Per-unit words beside the numbers: where points were lost, and what a reader must know to
read a row (data missing, ties and how they were broken, rescaling, bonus/penalty, veto, rounding).

Shared by the 排名 sheet and any per-unit document (feedback files): each function takes the
Result and the units in display order and returns one text per unit, in that order. Numbers
become text with `nums` over whole columns (a province has 5,000 units and 15,000 losses);
only the final joining of each unit's parts is a loop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.report.layout import positions
from scoring.report.rounding import half_up
from scoring.result import Result
from scoring.rules.base import num, nums

TOP_LOSSES = 3
MISSING = "missing"
MISSING_MARK = "缺数据"
NOT_SCORED = ("not_applicable", "excluded")
ROUNDING_NOTE = "四舍五入差"


def losses(result: Result, unit_ids: pd.Index) -> pd.DataFrame:
    """Every scored item a unit lost points on: unit (position in `unit_ids`, -1 for a unit
    not in it), item_name, lost (positive), missing (lost only because its data were missing),
    penalty. Leaves lose max − points; penalties what they took."""
    d = result.details
    penalty = (d["kind"] == "penalty").to_numpy(dtype=bool)
    points = d["points"].to_numpy(dtype=float)
    leaf = (d["kind"] == "indicator").to_numpy(dtype=bool) & ~d["status"].isin(NOT_SCORED).to_numpy(dtype=bool)
    lost = np.where(leaf, d["max_points"].to_numpy(dtype=float) - points, 0.0)
    lost = np.where(penalty, -points, lost)
    lost = half_up(lost, result.scheme.precision)
    keep = np.nan_to_num(lost) > 0
    return pd.DataFrame({
        "unit": positions(_as_str(unit_ids), d["unit_id"])[keep],
        "item_name": pd.Series(_texts(d["item_name"], keep), dtype=object),  # object: no conversion to str dtype
        "lost": lost[keep],
        "missing": (d["status"] == MISSING).to_numpy(dtype=bool)[keep],
        "penalty": penalty[keep],
    })


def _as_str(unit_ids: pd.Index) -> pd.Index:
    return pd.Index([str(u) for u in unit_ids], dtype=object)


def _texts(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """The column's values at `rows` as str objects ("" where missing); a categorical column's
    few categories are converted once rather than its hundreds of thousands of rows."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories.astype(str).to_numpy(dtype=object)
        return np.append(categories, "")[column.cat.codes.to_numpy()[rows]]
    values = column[rows]
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object)


def main_losses(result: Result, unit_ids: pd.Index, top: int = TOP_LOSSES, lost: pd.DataFrame | None = None) -> pd.Series:
    """主要失分 per unit, largest first, in points: "第三方评估6.14、年报雷同扣5、按月更新4(缺数据)";
    "" when nothing was lost. `lost`: `losses(result, unit_ids)` when the caller has it."""
    table = losses(result, unit_ids) if lost is None else lost
    units = table["unit"].to_numpy()
    amount = table["lost"].to_numpy()
    ranked = np.lexsort((-amount, units))  # by unit, largest loss first, stable
    units = units[ranked]
    nth = np.arange(len(units)) - np.searchsorted(units, units)  # position within the unit
    shown = ranked[nth < top]
    words = (table["item_name"].to_numpy(dtype=object)[shown]
             + np.where(table["penalty"].to_numpy()[shown], "扣", "")
             + nums(amount[shown], result.scheme.precision)
             + np.where(table["missing"].to_numpy()[shown], f"({MISSING_MARK})", ""))
    units, nth = units[nth < top], nth[nth < top]
    joined = np.full(len(unit_ids) + 1, "", dtype=object)  # the last for units not in unit_ids
    for k in range(top):  # the k-th loss of every unit that has one
        at = nth == k
        joined[units[at]] = joined[units[at]] + ("、" if k else "") + words[at]
    return pd.Series(joined[:-1], dtype=object)


def missing_losses(result: Result, unit_ids: pd.Index, lost: pd.DataFrame | None = None) -> pd.Series:
    """Points each unit lost only because its data were missing (0 when none)."""
    table = losses(result, unit_ids) if lost is None else lost
    table = table[table["missing"].to_numpy() & (table["unit"].to_numpy() >= 0)]
    summed = table["lost"].groupby(table["unit"].to_numpy()).sum()
    return summed.reindex(range(len(unit_ids))).fillna(0.0).reset_index(drop=True)


def tie_notes(result: Result, order: pd.DataFrame) -> pd.Series:
    """并列 and the tie-break that separated equal totals, per unit in `order`."""
    p = result.scheme.precision
    rank_col = "class_rank" if result.scheme.classes else "rank"
    notes = np.full(len(order), "", dtype=object)
    total = half_up(order["total"], p)
    block = pd.factorize(order["class"].astype(str).to_numpy())[0] if result.scheme.classes else 0
    shown = pd.factorize(total)[0]
    failed = (order["veto_effect"].astype(str) == "fail").to_numpy()
    tie = pd.factorize((block * (len(order) + 1) + shown) * 2 + failed)[0]  # same class, total and veto
    tied = ~np.isnan(total) & (np.bincount(tie, minlength=len(order))[tie] > 1)  # a unit without a total ties with none
    if not tied.any():
        return pd.Series(notes, dtype=object)
    breakers = [(title, half_up(points, p)) for title, points in _tiebreak_points(result, order.index)]
    texts = [nums(points, p) for _, points in breakers]  # each unit's tie-break points as text
    names = order["name"].astype(str).to_numpy()
    ranks = pd.to_numeric(order[rank_col], errors="coerce").to_numpy()
    members = np.flatnonzero(tied)
    members = members[np.argsort(tie[members], kind="stable")]  # each tie's units together, in order
    starts = np.r_[0, np.flatnonzero(np.diff(tie[members])) + 1]
    same_rank = _same_within(ranks[members], starts)
    separating = _separating([points[members] for _, points in breakers], starts)
    for g, at in enumerate(np.split(members, starts[1:])):
        k = int(separating[g])
        for i in at.tolist():
            others = "、".join(names[j] for j in at.tolist() if j != i)
            if same_rank[g]:
                notes[i] = f"与{others}并列"
            else:
                by = "同分排序规则" if k < 0 else f"{breakers[k][0]}得分({texts[k][i]})"
                notes[i] = f"与{others}同分,按{by}排序"
    return pd.Series(notes, dtype=object)


def _same_within(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per group (runs of `values` beginning at `starts`): whether all its values are equal
    (False where one is NaN)."""
    return np.minimum.reduceat(values, starts) == np.maximum.reduceat(values, starts)


def _separating(points: list[np.ndarray], starts: np.ndarray) -> np.ndarray:
    """Per tie (runs beginning at `starts`): the first tie-break indicator (rounded points, in
    the ties' order) on which its units differ, -1 for none."""
    first = np.full(len(starts), -1)
    for k in range(len(points) - 1, -1, -1):  # the last kept is the first that differs
        first = np.where(_same_within(points[k], starts), first, k)
    return first


def _tiebreak_points(result: Result, unit_ids: pd.Index) -> list[tuple[str, np.ndarray]]:
    """(indicator name, points per unit in `unit_ids` order) for each tiebreak indicator, read
    from the Result: a first-level indicator's group points, else the sum of its leaves' points."""
    scheme = result.scheme
    indicators = {ind.id: ind for top in scheme.indicators for ind in _walk(top)}
    d = result.details
    leaf = (d["kind"] == "indicator").to_numpy(dtype=bool)
    unit = positions(_as_str(unit_ids), d["unit_id"])[leaf]
    points = d["points"].to_numpy(dtype=float)[leaf]
    out = []
    for tid in scheme.tiebreak:
        ind = indicators.get(tid)
        if ind is None:
            continue
        rows = d["item_id"].isin([leaf.id for leaf in ind.leaves()]).to_numpy(dtype=bool)[leaf] \
            & (unit >= 0)
        summed = pd.Series(points[rows]).groupby(unit[rows]).sum()
        out.append((ind.title, summed.reindex(range(len(unit_ids))).fillna(0.0).to_numpy(dtype=float)))
    return out


def _walk(ind):
    yield ind
    for child in ind.children or ():
        yield from _walk(child)


def factor_text(total: float, max_base: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Per unit: 100/90 when the factor is the scheme's total over the applicable points, else 1.1111."""
    with np.errstate(divide="ignore", invalid="ignore"):
        as_share = (max_base > 0) & (np.abs(total / max_base - factor) < 1e-9)
    return np.where(as_share, f"{num(total, 4)}/" + nums(max_base, 4), nums(factor, 4))


def row_notes(result: Result, order: pd.DataFrame, shown_groups: np.ndarray,
              lost: pd.DataFrame | None = None) -> pd.Series:
    """备注 per unit: tie, rescaling (折算前得分 × 折算系数), bonus, penalty, data missing, veto,
    and a rounding note where the shown numbers do not add up to the shown total.

    `shown_groups`: units × first-level indicators as shown (rounded; NaN where not applicable);
    `lost`: `losses(result, order.index)` when the caller has it.
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
    missing = half_up(missing_losses(result, t.index, lost), p)
    gap = np.where(np.abs(group_gap) > 0, np.abs(group_gap), np.abs(total_gap))
    veto = np.full(len(t), "", dtype=object)
    reasons = t["veto_reasons"].to_numpy(dtype=object)
    for i in np.flatnonzero(effect != "").tolist():  # the few vetoed units
        veto[i] = f"单项否决:{reasons[i]},{'总分计0分' if effect[i] == 'zero' else '定为最低等次'}"
    parts = [  # one text per unit each, "" where it does not apply
        tie_notes(result, t).to_numpy(dtype=object),
        _where(np.abs(factor - 1.0) > 1e-9, lambda: "折算前得分" + nums(base, p) + ",折算系数"
               + factor_text(scheme.total, t["max_base"].to_numpy(dtype=float), factor)),
        _where(bonus > 0, lambda: "加分" + nums(bonus, p)),
        _where(penalty > 0, lambda: "扣分" + nums(penalty, p)),
        _where(missing > 0, lambda: f"{MISSING_MARK}失" + nums(missing, p) + "分"),
        veto,
        _where(gap > 0, lambda: ROUNDING_NOTE + nums(gap, p)),
    ]
    return pd.Series([";".join(part for part in row if part) for row in zip(*parts)], dtype=object)


def _where(wanted: np.ndarray, text) -> np.ndarray:
    """`text()` (one text per unit) where wanted, "" elsewhere; made only when some unit needs it."""
    return np.where(wanted, text(), "").astype(object) if wanted.any() else np.full(len(wanted), "", dtype=object)
