"""Tables shown to readers, taken from the Result without computing any score.

The ranking table is shared by the 排名 sheet, the CSV export and the JSON comparison, so the
three always agree. Everything here is vectorised over all units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.report.layout import Column, points_label, positions
from scoring.report.rounding import half_up
from scoring.result import Result

UNCLASSIFIED = "未分类"
FACTOR_DECIMALS = 4


@dataclass(frozen=True)
class Block:
    """A run of ranking rows of one class (or all rows when the scheme has no classes)."""

    name: str
    start: int  # positional, inclusive
    stop: int  # positional, exclusive


@dataclass(frozen=True)
class RankingTable:
    order: pd.DataFrame  # totals rows in display order (index unit_id)
    columns: list[Column]  # display columns, values positional in `order`
    blocks: list[Block]  # one per class; a single unnamed block without classes
    vetoed: np.ndarray  # bool per row
    excluded: pd.DataFrame  # bool, per row × first-level header: not applicable to the unit


def ranking_table(result: Result, previous: Result | None = None, with_ids: bool = False) -> RankingTable:
    scheme = result.scheme
    order = result.ranking()
    has_classes = bool(scheme.classes)
    vetoed = order["vetoed"].fillna(False).astype(bool).to_numpy()

    def col(name: str) -> pd.Series:
        return order[name].reset_index(drop=True)

    columns = [Column("排名", col("class_rank" if has_classes else "rank"), "int")]
    if has_classes:
        columns.append(Column("总排名", col("rank"), "int"))
    columns.append(Column("单位", col("name")))
    if with_ids:
        columns.append(Column("单位编码", pd.Series(order.index, dtype=str)))
    columns += [
        Column("类别", col("class_name")),
        Column("总分", col("total"), "score"),
        Column("等次", col("grade")),
    ]
    group_columns, excluded = _group_columns(result, order.index)
    columns += group_columns
    columns += [
        Column("折算前得分", col("base"), "score"),
        Column("折算系数", pd.Series(half_up(col("rescale"), FACTOR_DECIMALS)), "general"),
    ]
    reasons = col("veto_reasons").astype(object).where(col("veto_reasons").notna(), "").astype(str)
    columns += [
        Column("加分", col("bonus"), "score"),
        Column("扣分", col("penalty"), "score"),
        Column("否决", pd.Series(np.where(vetoed, reasons.where(reasons != "", "是"), ""), dtype=str)),
    ]
    if previous is not None:
        columns += _comparison_columns(result, previous, order.index)
    columns = [_as_shown(c, scheme.precision) for c in columns]
    return RankingTable(order, columns, _blocks(result, order), vetoed, excluded)


def _as_shown(column: Column, precision: int) -> Column:
    """Points rounded half up to the scheme's precision: the digits every output shows."""
    if column.kind not in ("score", "signed"):
        return column
    return Column(column.header, pd.Series(half_up(column.values, precision)), column.kind, column.labels)


def _group_columns(result: Result, unit_ids: pd.Index) -> tuple[list[Column], pd.DataFrame]:
    groups = result.groups
    ids = [indicator.id for indicator in result.scheme.indicators]
    unit, group = positions(unit_ids, groups["unit_id"]), positions(pd.Index(ids), groups["group_id"])
    known = (unit >= 0) & (group >= 0)
    points, max_points = np.full((2, len(unit_ids), len(ids)), np.nan)  # NaN: the unit has no row
    points[unit[known], group[known]] = groups["points"].to_numpy(dtype=float)[known]
    max_points[unit[known], group[known]] = groups["max_points"].to_numpy(dtype=float)[known]
    columns: list[Column] = []
    excluded: dict[str, np.ndarray] = {}
    for i, indicator in enumerate(result.scheme.indicators):
        header = f"{indicator.title}({points_label(indicator.points)})"
        na = max_points[:, i] == 0
        columns.append(Column(header, pd.Series(np.where(na, np.nan, points[:, i])), "score"))
        excluded[header] = na
    return columns, pd.DataFrame(excluded)


def _comparison_columns(result: Result, previous: Result, unit_ids: pd.Index) -> list[Column]:
    table = comparison(result, previous).reindex(unit_ids).reset_index(drop=True)
    return [
        Column("上期排名", table["previous_rank"], "int"),
        Column("排名变化", table["rank_change"]),
        Column("总分变化", table["total_change"], "signed"),
    ]


def comparison(result: Result, previous: Result) -> pd.DataFrame:
    """Per unit (index unit_id): previous_rank, rank_change ("↑2", "↓1", "—", "新"), total_change.

    Units are matched by unit_id. With classes the class ranks are compared; a unit that
    changed class cannot be compared by rank ("类别变更").
    """
    current = result.totals
    before = previous.totals.reindex(current.index)
    precision = result.scheme.precision
    rank_col = "class_rank" if result.scheme.classes else "rank"
    # a hash lookup: Index.isin on Arrow strings makes a Python object of every id (5,000: 70 ms)
    known = previous.totals.index.get_indexer(current.index) >= 0
    moved = known & (before["class"].astype(str) != current["class"].astype(str)).to_numpy()
    prev_rank = pd.to_numeric(before[rank_col], errors="coerce")
    delta = (prev_rank - pd.to_numeric(current[rank_col], errors="coerce")).fillna(0).astype(int)
    steps = delta.abs().astype(str)
    change = np.select(
        [~known, moved, (delta > 0).to_numpy(), (delta < 0).to_numpy()],
        ["新", "类别变更", ("↑" + steps).to_numpy(), ("↓" + steps).to_numpy()],
        "—",
    )
    return pd.DataFrame(
        {
            "previous_rank": prev_rank.where(known).astype("Int64"),
            "rank_change": pd.Series(change, index=current.index, dtype=str),
            "total_change": pd.Series(half_up(current["total"], precision) - half_up(before["total"], precision),
                                      index=current.index).where(known),
        },
        index=current.index,
    )


def _blocks(result: Result, order: pd.DataFrame) -> list[Block]:
    if not result.scheme.classes or order.empty:
        return [Block("", 0, len(order))]
    names = {c.id: c.name for c in result.scheme.classes}
    labels = order["class"].map(names)
    fallback = order["class_name"].astype(object).where(order["class_name"].fillna("") != "", UNCLASSIFIED)
    labels = labels.fillna(fallback).astype(str).to_numpy()
    starts = [0, *(np.flatnonzero(labels[1:] != labels[:-1]) + 1).tolist()]
    stops = [*starts[1:], len(labels)]
    return [Block(str(labels[a]), a, b) for a, b in zip(starts, stops)]
