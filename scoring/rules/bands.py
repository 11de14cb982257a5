"""bands: the first band whose bound matches gives the points; otherwise `else`.

Example (≥500 条 full marks, ≥200 条 8 points, ≥50 条 5 points, per year)::

    rule:
      type: bands
      bands: [{min: 500, points: 10}, {min: 200, points: 8}, {min: 50, points: 5}]
      else: 0
      per: year

`min` matches value ≥ min, `max` matches value ≤ max, both together a range. Bands are checked
from the top: `min` bands must go down, `max` bands up, ranges must not overlap. With `per`,
the bounds are stated for that span and scaled to the run's period.
"""

from __future__ import annotations

import numpy as np
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scoring.rules.base import (
    PER_NAMES, Outcome, Per, Problem, Role, Rule, RuleConfig, RuleContext, earned, join, num, nums, register, value_phrase,
)


class Band(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    min: float | None = None
    max: float | None = None
    points: float

    @model_validator(mode="after")
    def _bounded(self) -> "Band":
        if self.min is None and self.max is None:
            raise ValueError("每档至少要有 min 或 max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} 大于 max {self.max}")
        return self


class BandsConfig(RuleConfig):
    bands: tuple[Band, ...] = Field(min_length=1)
    else_: float = Field(default=0, alias="else")
    per: Per | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("bands")
    @classmethod
    def _ordered(cls, bands: tuple[Band, ...]) -> tuple[Band, ...]:
        kinds = {("min" if b.max is None else "max" if b.min is None else "range") for b in bands}
        if len(kinds) > 1:
            raise ValueError("同一规则的各档不能混用 min、max 和区间,请统一写法")
        kind = kinds.pop()
        for i in range(1, len(bands)):
            prev, cur = bands[i - 1], bands[i]
            if kind == "min" and not cur.min < prev.min:
                raise ValueError(f"第{i + 1}档 min {num(cur.min)} 应小于上一档 {num(prev.min)}(按 min 从高到低排列)")
            if kind == "max" and not cur.max > prev.max:
                raise ValueError(f"第{i + 1}档 max {num(cur.max)} 应大于上一档 {num(prev.max)}(按 max 从低到高排列)")
        if kind == "range":
            ordered = sorted(bands, key=lambda b: b.min)
            for a, b in zip(ordered, ordered[1:]):
                if b.min <= a.max:
                    raise ValueError(f"区间 [{num(a.min)}, {num(a.max)}] 与 [{num(b.min)}, {num(b.max)}] 重叠")
        return bands


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
        if all(b.max is None for b in self.config.bands):  # min bands: higher is better
            return all(a >= b for a, b in zip(pts, pts[1:]))
        if all(b.min is None for b in self.config.bands):  # max bands: lower is better
            return all(a >= b for a, b in zip(pts, pts[1:]))
        return False

    def reachable(self, points: float) -> float:
        return min(points, max([b.points for b in self.config.bands] + [self.config.else_]))

    def problems(self, points: float | None, role: Role) -> Iterator[Problem]:
        yield from super().problems(points, role)
        if role != "leaf" or points is None:
            return
        for j, band in enumerate(self.config.bands):
            if not -1e-6 <= band.points <= points + 1e-6:
                yield Problem("error", f"档次得分 {band.points:g} 应在 0 到该指标分值 {points:g} 之间", ("bands", j, "points"))

    def _band_text(self, band: Band, unit: str, scale: float = 1.0) -> str:
        lo = None if band.min is None else band.min * scale
        hi = None if band.max is None else band.max * scale
        if lo is not None and hi is not None:
            return f"{num(lo)}–{num(hi)}{unit}"
        return f"≥{num(lo)}{unit}" if lo is not None else f"≤{num(hi)}{unit}"

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        per = f"({PER_NAMES[self.config.per]}标准,按期间折算)" if self.config.per else ""
        parts = [f"{self._band_text(b, unit)}{_gets(b.points)}" for b in self.config.bands]
        return f"{metric_name}{per}:" + ";".join(parts) + f";其他{_gets(self.config.else_)}"

    def _match(self, ctx: RuleContext) -> np.ndarray:
        """Index of the first matching band per unit; len(bands) for `else`."""
        v = ctx.values
        choice = np.full(v.shape, len(self.config.bands), dtype=np.int64)
        for i in range(len(self.config.bands) - 1, -1, -1):  # last assignment = first band
            b = self.config.bands[i]
            hit = np.ones(v.shape, dtype=bool)
            if b.min is not None:
                hit &= v >= b.min * ctx.scale - 1e-9
            if b.max is not None:
                hit &= v <= b.max * ctx.scale + 1e-9
            choice[hit] = i
        return choice

    def _texts(self, ctx: RuleContext) -> np.ndarray:
        unit = ctx.unit if ctx.unit not in ("0–1",) else ""
        texts = [self._band_text(b, unit, ctx.scale) for b in self.config.bands]
        return np.array(texts + ["未达任何档次"], dtype=object)

    def score(self, ctx: RuleContext) -> Outcome:
        choice = self._match(ctx)
        table = np.array([b.points for b in self.config.bands] + [self.config.else_], dtype=float)
        points = np.clip(table[choice], 0, ctx.points)
        why = join(value_phrase(ctx), ",", self._texts(ctx)[choice], " → ", earned(points, ctx.points, ctx.precision))
        return Outcome(points, why)

    def deduction(self, ctx: RuleContext) -> Outcome:
        choice = self._match(ctx)
        table = np.array([b.points for b in self.config.bands] + [self.config.else_], dtype=float)
        taken = np.minimum(np.abs(table[choice]), ctx.points)
        why = join(value_phrase(ctx), ",", self._texts(ctx)[choice], " → 扣", nums(taken, ctx.precision), "分")
        return Outcome(taken, why)
