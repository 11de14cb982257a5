"""boolean: full points when the value is true (1/是), else 0; `invert: true` swaps.

Example ("未按时公开年报不得分": the metric is 1 when the report was published on time)::

    rule: {type: boolean}
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from scoring.rules.base import Outcome, Problem, Role, Rule, RuleConfig, RuleContext, earned, join, nums, pick, register


class BooleanConfig(RuleConfig):
    invert: bool = False


@register
class Boolean(Rule):
    type = "boolean"
    Config = BooleanConfig
    penalty_ok = True

    @property
    def monotone(self) -> bool:  # type: ignore[override]
        return not self.config.invert

    def problems(self, points: float | None, role: Role) -> Iterator[Problem]:
        yield from super().problems(points, role)
        if role == "penalty" and points is None:  # true/false says whether, not how much
            yield Problem("error", "boolean 扣分项需要写 points(扣多少分)")

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        yes, no = ("否", "是") if self.config.invert else ("是", "否")
        return f"{metric_name}为“{yes}”得满分,为“{no}”得0分"

    def _truth(self, ctx: RuleContext) -> np.ndarray:
        true = np.nan_to_num(ctx.values) != 0
        return ~true if self.config.invert else true

    def _said(self, ctx: RuleContext) -> np.ndarray:
        return pick([f"{ctx.metric_name}:否", f"{ctx.metric_name}:是"], np.nan_to_num(ctx.values) != 0)

    def points(self, ctx: RuleContext) -> np.ndarray:
        return np.where(self._truth(ctx), ctx.points, 0.0)

    def score(self, ctx: RuleContext) -> Outcome:
        points = self.points(ctx)
        return Outcome(points, join(self._said(ctx), " → ", earned(points, ctx.points, ctx.precision)))

    def deduction(self, ctx: RuleContext) -> Outcome:
        full = ctx.points if np.isfinite(ctx.points) else 0.0
        taken = np.where(self._truth(ctx), full, 0.0)
        return Outcome(taken, join(self._said(ctx), " → 扣 ", nums(taken, ctx.precision), " 分"))
