"""linear: 0 points at `zero_at`, full points at `full_at`, a straight line between, clamped.

Example (a 80% on-time rate earns nothing, 100% earns full marks)::

    rule: {type: linear, zero_at: 0.8, full_at: 1.0}

`zero_at` above `full_at` means lower is better (e.g. days without an update).
With `per`, both ends are stated for that span and scaled to the run's period.
"""

from __future__ import annotations

import numpy as np
from pydantic import model_validator

from scoring.rules.base import (
    PER_NAMES,
    Outcome,
    Per,
    Rule,
    RuleConfig,
    RuleContext,
    earned,
    join,
    num,
    register,
    value_phrase,
)


class LinearConfig(RuleConfig):
    zero_at: float
    full_at: float
    per: Per | None = None

    @model_validator(mode="after")
    def _distinct(self) -> "LinearConfig":
        if self.zero_at == self.full_at:
            raise ValueError("zero_at 与 full_at 不能相等")
        return self


@register
class Linear(Rule):
    type = "linear"
    Config = LinearConfig

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        c = self.config
        per = f"({PER_NAMES[c.per]}标准,按期间折算)" if c.per else ""
        return f"{metric_name}{per}:{num(c.zero_at)}{unit}得0分,{num(c.full_at)}{unit}得满分,其间按比例计分"

    def points(self, ctx: RuleContext) -> np.ndarray:
        zero, full = self.config.zero_at * ctx.scale, self.config.full_at * ctx.scale
        return ctx.points * np.clip((ctx.values - zero) / (full - zero), 0.0, 1.0)

    def score(self, ctx: RuleContext) -> Outcome:
        zero, full = self.config.zero_at * ctx.scale, self.config.full_at * ctx.scale
        points = self.points(ctx)
        unit = ctx.unit if ctx.unit != "0–1" else ""
        why = join(
            value_phrase(ctx), f",按 {num(zero)}{unit}→0分、{num(full)}{unit}→满分 线性计分 → ",
            earned(points, ctx.points, ctx.precision),
        )
        return Outcome(points, why)
