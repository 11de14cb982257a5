"""per_item: `each` points per item, up to the leaf's points.

Example (示范点创建 2 points each; a bonus item is capped by its own points or the bonus cap)::

    rule: {type: per_item, each: 2}
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from scoring.rules.base import Outcome, Rule, RuleConfig, RuleContext, earned, join, num, nums, register, value_phrase


class PerItemConfig(RuleConfig):
    each: float = Field(gt=0)


@register
class PerItem(Rule):
    type = "per_item"
    Config = PerItemConfig
    penalty_ok = True

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        cap = f",最高{num(points)}分" if points is not None and np.isfinite(points) else ""
        return f"{metric_name}每{unit or '项'}得{num(self.config.each)}分{cap}"

    def points(self, ctx: RuleContext) -> np.ndarray:
        return np.clip(self.config.each * ctx.values, 0.0, ctx.points)

    def score(self, ctx: RuleContext) -> Outcome:
        points = self.points(ctx)
        why = join(value_phrase(ctx), f" × {num(self.config.each)} → ", earned(points, ctx.points, ctx.precision))
        return Outcome(points, why)

    def deduction(self, ctx: RuleContext) -> Outcome:
        taken = np.clip(self.config.each * ctx.values, 0.0, ctx.points)
        why = join(value_phrase(ctx), f" × {num(self.config.each)} → 扣 ", nums(taken, ctx.precision), " 分")
        return Outcome(taken, why)
