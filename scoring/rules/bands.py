"""bands: the first band whose bound matches gives the points; otherwise `else`.

Example (≥500 条 full marks, ≥200 条 8 points, ≥50 条 5 points, per year)::

    rule:
      type: bands
      bands: [{min: 500, points: 10}, {min: 200, points: 8}, {min: 50, points: 5}]
      else: 0
      per: year

`min` matches value ≥ min, `above` value > above ("高于"), `max` value ≤ max, `below` value <
below ("低于"); a lower and an upper bound together make a range. Bands are checked from the
top: lower-bound bands must go down, upper-bound bands up; ranges (with one-sided bands at
either end, "90分以上" above "80–90分") must not overlap. Bounds are
compared exactly as written (816 ÷ 480 ≥ 1.7 holds; 3 ÷ 20 is not above 0.15). With `per`, the
bounds are stated for that span and scaled to the run's period.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scoring.rules.base import (
    PER_NAMES,
    Outcome,
    Per,
    Problem,
    Role,
    Rule,
    RuleConfig,
    RuleContext,
    above,
    at_least,
    at_most,
    below,
    earned,
    join,
    num,
    nums,
    pick,
    register,
    value_phrase,
)


class Band(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    min: float | None = None
    above: float | None = None
    max: float | None = None
    below: float | None = None
    points: float

    @model_validator(mode="after")
    def _bounded(self) -> "Band":
        if self.min is not None and self.above is not None:
            raise ValueError("同一档不能同时写 min 和 above")
        if self.max is not None and self.below is not None:
            raise ValueError("同一档不能同时写 max 和 below")
        if self.lower is None and self.upper is None:
            raise ValueError("每档至少要有 min、above、max、below 之一")
        if self.lower is not None and self.upper is not None and not self._lower_key <= self._upper_key:
            raise ValueError(f"下限 {num(self.lower)} 不低于上限 {num(self.upper)},这一档没有任何值能落入")
        return self

    @property
    def lower(self) -> float | None:
        return self.min if self.min is not None else self.above

    @property
    def upper(self) -> float | None:
        return self.max if self.max is not None else self.below

    # Where a band starts and ends on the line of values, (x, -1) just before x, (x, 0) at x,
    # (x, 1) just past x: `min x` starts at x, `above x` just past it; `max x` ends at x, `below x` just before.
    @property
    def _lower_key(self) -> tuple[float, int]:
        return (self.lower, int(self.above is not None))  # type: ignore[return-value]

    @property
    def _upper_key(self) -> tuple[float, int]:
        return (self.upper, -int(self.below is not None))  # type: ignore[return-value]

    def matches(self, v: np.ndarray, scale: float) -> np.ndarray:
        hit = np.ones(v.shape, dtype=bool)
        for bound, compare in ((self.min, at_least), (self.above, above), (self.max, at_most), (self.below, below)):
            if bound is not None:
                hit &= compare(v, bound * scale)
        return hit

    def text(self, unit: str, scale: float = 1.0) -> str:
        """"≥500条", ">1.7", "≤14天", "<5", "80–90分", "≥80且<90分"."""
        parts = [f"{sign}{num(bound * scale)}" for bound, sign in
                 ((self.min, "≥"), (self.above, ">"), (self.max, "≤"), (self.below, "<")) if bound is not None]
        if self.min is not None and self.max is not None:
            return f"{num(self.min * scale)}–{num(self.max * scale)}{unit}"
        return "且".join(parts) + unit


class BandsConfig(RuleConfig):
    bands: tuple[Band, ...] = Field(min_length=1)
    else_: float = Field(default=0, alias="else")
    per: Per | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("bands")
    @classmethod
    def _ordered(cls, bands: tuple[Band, ...]) -> tuple[Band, ...]:
        kinds = {("lower" if b.upper is None else "upper" if b.lower is None else "range") for b in bands}
        if kinds == {"lower", "upper"}:
            raise ValueError("同一规则的各档不能混用下限(min、above)和上限(max、below),请统一写法或写成区间")
        kind = kinds.pop() if len(kinds) == 1 else "range"
        for i in range(1, len(bands)):
            prev, cur = bands[i - 1], bands[i]
            if kind == "lower" and not cur._lower_key < prev._lower_key:
                raise ValueError(_misordered(i, cur, prev, "lower", "小于", "按下限从高到低排列;同一个数 above 在 min 之前"))
            if kind == "upper" and not cur._upper_key > prev._upper_key:
                raise ValueError(_misordered(i, cur, prev, "upper", "大于", "按上限从低到高排列;同一个数 below 在 max 之前"))
        if kind == "range":  # ranges, and one-sided bands reaching out to either end: no overlap
            ordered = sorted(bands, key=lambda b: b._lower_key if b.lower is not None else (-np.inf, 0))
            for a, b in zip(ordered, ordered[1:]):
                if a.upper is None or b.lower is None or not a._upper_key < b._lower_key:
                    raise ValueError(f"区间 {a.text('')} 与 {b.text('')} 重叠")
        return bands


def _misordered(i: int, cur: Band, prev: Band, side: str, should: str, how: str) -> str:
    """"第2档 min 600 应小于上一档 500(按下限从高到低排列…)"."""
    keys = ("min", "above") if side == "lower" else ("max", "below")
    key = next(k for k in keys if getattr(cur, k) is not None)
    return f"第{i + 1}档 {key} {num(getattr(cur, side))} 应{should}上一档 {num(getattr(prev, side))}({how})"


def _gets(points: float) -> str:
    return f"得{num(points)}分" if points >= 0 else f"扣{num(-points)}分"


@register
class Bands(Rule):
    type = "bands"
    Config = BandsConfig
    penalty_ok = True

    @property
    def monotone(self) -> bool:  # type: ignore[override]
        pts = [b.points for b in self.config.bands] + [self.config.else_]
        one_sided = all(b.upper is None for b in self.config.bands) or all(b.lower is None for b in self.config.bands)
        # lower bounds: higher is better; upper bounds: lower is better; either way points go down the list
        return one_sided and all(a >= b for a, b in zip(pts, pts[1:]))

    def reachable(self, points: float) -> float:
        return min(points, max([b.points for b in self.config.bands] + [self.config.else_]))

    def problems(self, points: float | None, role: Role) -> Iterator[Problem]:
        yield from super().problems(points, role)
        if role != "leaf" or points is None:
            return
        for j, band in enumerate(self.config.bands):
            if not -1e-6 <= band.points <= points + 1e-6:
                yield Problem("error", f"档次得分 {band.points:g} 应在 0 到该指标分值 {points:g} 之间", ("bands", j, "points"))
        if self.config.else_ > points + 1e-6:
            yield Problem("error", f"else(未达任何档次时)得 {self.config.else_:g} 分,高于该指标分值 {points:g} 分", ("else",))

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        per = f"({PER_NAMES[self.config.per]}标准,按期间折算)" if self.config.per else ""
        parts = [f"{b.text(unit)}{_gets(b.points)}" for b in self.config.bands]
        return f"{metric_name}{per}:" + ";".join(parts) + f";其他{_gets(self.config.else_)}"

    def _match(self, ctx: RuleContext) -> np.ndarray:
        """Index of the first matching band per unit; len(bands) for `else`."""
        v = ctx.values
        choice = np.full(v.shape, len(self.config.bands), dtype=np.int64)
        for i in range(len(self.config.bands) - 1, -1, -1):  # last assignment = first band
            choice[self.config.bands[i].matches(v, ctx.scale)] = i
        return choice

    def _texts(self, ctx: RuleContext) -> np.ndarray:
        unit = ctx.unit if ctx.unit not in ("0–1",) else ""
        texts = [b.text(unit, ctx.scale) for b in self.config.bands]
        return np.array(texts + ["未达任何档次"], dtype=object)

    def points(self, ctx: RuleContext) -> np.ndarray:
        return self._points(ctx, self._match(ctx))

    def _points(self, ctx: RuleContext, choice: np.ndarray) -> np.ndarray:
        table = np.array([b.points for b in self.config.bands] + [self.config.else_], dtype=float)
        return np.clip(table[choice], 0, ctx.points)

    def score(self, ctx: RuleContext) -> Outcome:
        choice = self._match(ctx)
        points = self._points(ctx, choice)
        why = join(value_phrase(ctx), ",", pick(self._texts(ctx), choice), " → ", earned(points, ctx.points, ctx.precision))
        return Outcome(points, why)

    def deduction(self, ctx: RuleContext) -> Outcome:
        choice = self._match(ctx)
        table = np.array([b.points for b in self.config.bands] + [self.config.else_], dtype=float)
        taken = np.minimum(np.abs(table[choice]), ctx.points)
        why = join(value_phrase(ctx), ",", pick(self._texts(ctx), choice), " → 扣", nums(taken, ctx.precision), "分")
        return Outcome(taken, why)
