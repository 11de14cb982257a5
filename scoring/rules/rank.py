"""rank: points by rank among peers of the same class (competition ranking: ties share a rank).

Example ("排名1–5名依次赋予10、9、8、7、6分", others 5)::

    rule: {type: rank, table: [10, 9, 8, 7, 6], else: 5}

or by share of peers ("前20%得10分, 前50%得6分, 其余3分")::

    rule: {type: rank, shares: [{top: 0.2, points: 10}, {top: 0.5, points: 6}], else: 3}

Rank r of n peers is in the top share s when r ≤ max(1, floor(s × n)). `order: asc` ranks
the lowest value first (e.g. fewest faults). Units without a usable value take no part.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoring.ranking import competition_rank
from scoring.rules.base import (
    Outcome,
    Problem,
    Role,
    Rule,
    RuleConfig,
    RuleContext,
    codes_of,
    earned,
    join,
    num,
    nums,
    register,
    value_phrase,
)


class Share(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    top: float = Field(gt=0, le=1)
    points: float


class RankConfig(RuleConfig):
    table: tuple[float, ...] | None = None
    shares: tuple[Share, ...] | None = None
    else_: float = Field(default=0, alias="else")
    order: Literal["desc", "asc"] = "desc"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_of(self) -> "RankConfig":
        if (self.table is None) == (self.shares is None):
            raise ValueError("rank 规则须且只能写 table 或 shares 之一")
        if self.shares and any(b.top <= a.top for a, b in zip(self.shares, self.shares[1:])):
            raise ValueError("shares 的 top 须从小到大排列")
        return self


def peer_ranks(values: np.ndarray, classes: np.ndarray, peers: np.ndarray, ascending: bool) -> tuple[np.ndarray, np.ndarray]:
    """Competition rank within class and the number of peers in the class (NaN off-peer)."""
    v = np.where(peers, values, np.nan)
    groups = codes_of(classes)
    # one sort of all classes (a pandas groupby rank cost a nation 15 ms a leaf); NaN sorts
    # last, so it shifts no peer's rank, and is then no rank at all
    ranks = competition_rank(pd.DataFrame({"value": v if ascending else -v}), groups).astype(float)
    ranks[np.isnan(v)] = np.nan
    counts = np.bincount(groups, weights=~np.isnan(v))[groups] if len(groups) else np.zeros(0)
    return ranks, counts


@register
class Rank(Rule):
    type = "rank"
    Config = RankConfig

    def reachable(self, points: float) -> float:
        c = self.config
        given = list(c.table) if c.table is not None else [s.points for s in c.shares or ()]
        return min(points, max([*given, c.else_]))

    def problems(self, points: float | None, role: Role) -> Iterator[Problem]:
        yield from super().problems(points, role)
        for j, value in enumerate(self.config.table or ()):
            if points is not None and not -1e-6 <= value <= points + 1e-6:
                yield Problem("error", f"排名得分 {value:g} 应在 0 到该指标分值 {points:g} 之间", ("table", j))
        if role == "leaf" and points is not None and self.config.else_ > points + 1e-6:
            yield Problem("error", f"else(其余名次)得 {self.config.else_:g} 分,高于该指标分值 {points:g} 分", ("else",))

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        c = self.config
        order = "由低到高" if c.order == "asc" else "由高到低"
        if c.table is not None:
            table = "、".join(num(p) for p in c.table)
            return f"按{metric_name}在同类单位中{order}排名,第1至{len(c.table)}名依次得{table}分,其余得{num(c.else_)}分"
        shares = ";".join(f"前{num(s.top * 100)}%得{num(s.points)}分" for s in c.shares or ())
        return f"按{metric_name}在同类单位中{order}排名:{shares};其余得{num(c.else_)}分"

    def points_for(self, ranks: np.ndarray, counts: np.ndarray, full: float) -> np.ndarray:
        """Points for ranks among `counts` peers (NaN: not ranked); any array shape. The
        stability analysis ranks its draws itself and asks the rule for the points."""
        c = self.config
        r = np.nan_to_num(ranks, nan=np.inf)
        points = np.full(r.shape, float(c.else_))
        if c.table is not None:
            table = np.array(c.table, dtype=float)
            inside = r <= len(table)
            points[inside] = table[(r[inside] - 1).astype(int)]
        else:
            for share in reversed(c.shares or ()):
                cut = np.maximum(1, np.floor(share.top * counts + 1e-9))
                points = np.where(r <= cut, share.points, points)
        return np.clip(points, 0, full)

    def points(self, ctx: RuleContext) -> np.ndarray:
        ranks, counts = peer_ranks(ctx.values, ctx.classes, ctx.peers, self.config.order == "asc")
        return self.points_for(ranks, counts, ctx.points)

    def score(self, ctx: RuleContext) -> Outcome:
        ranks, counts = peer_ranks(ctx.values, ctx.classes, ctx.peers, self.config.order == "asc")
        points = self.points_for(ranks, counts, ctx.points)
        why = join(
            value_phrase(ctx), ",同类 ", nums(counts, 0), " 个单位中排第 ", nums(ranks, 0), " 名 → ",
            earned(points, ctx.points, ctx.precision),
        )
        return Outcome(points, why)
