"""scheme: score the same units with another criteria file and take its result to scale.

Example (openness, scored out of 100 by its own scheme, weighs 4 points of performance)::

    - id: openness
      name: 政务公开
      points: 4
      rule: {type: scheme, criteria: gov_openness_2021.yaml}

Points = leaf points × that scheme's total / its full marks. The path is relative to the file
that names it. The engine scores the other scheme first (a leaf of this type has no metric).
"""

from __future__ import annotations

import numpy as np

from scoring.rules.base import Outcome, Rule, RuleConfig, RuleContext, earned, join, num, nums, register


class SchemeConfig(RuleConfig):
    criteria: str


@register
class SchemeRule(Rule):
    type = "scheme"
    Config = SchemeConfig
    takes_metric = False

    @property
    def linked_criteria(self) -> str | None:
        return self.config.criteria

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        return f"按《{metric_name}》({self.config.criteria})的总分折算:得分 = 满分 × 该方案总分 ÷ 该方案满分"

    def score(self, ctx: RuleContext) -> Outcome:
        # ctx.values holds the other scheme's totals; ctx.scale its full marks (set by the engine)
        full = ctx.scale
        points = np.clip(ctx.points * ctx.values / full, 0, ctx.points)
        why = join(
            f"{ctx.metric_name}总分 ", nums(ctx.values, ctx.precision), f"/{num(full)} × {num(ctx.points)} → ",
            earned(points, ctx.points, ctx.precision),
        )
        return Outcome(points, why)
