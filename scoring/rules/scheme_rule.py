"""scheme: score the same units with another criteria file and take its result to scale.

Example (openness, scored out of 100 by its own scheme, weighs 4 points of performance)::

    - id: openness
      name: 政务公开
      points: 4
      rule: {type: scheme, criteria: gov_openness_2021.yaml}

Points = leaf points × that scheme's total / its full marks. The path is relative to the file
that names it. The engine scores the other scheme first (a leaf of this type has no metric);
its items show under the leaf, its grade and vetoes beside the leaf's points. A `fail` veto in
the linked scheme sets the leaf to 0 unless `on_fail: keep`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from scoring.rules.base import Outcome, Rule, RuleConfig, RuleContext, earned, join, num, nums, register


class SchemeConfig(RuleConfig):
    criteria: str
    on_fail: Literal["zero", "keep"] = "zero"  # a `fail` veto in the linked scheme: leaf 0, or keep its points


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
        # ctx.values holds the other scheme's totals, ctx.scale its full marks, ctx.linked its
        # totals table (grade, vetoes), all set by the engine
        full = ctx.scale
        points = np.clip(ctx.points * ctx.values / full, 0, ctx.points)
        said = join(f"{ctx.metric_name}总分 ", nums(ctx.values, ctx.precision), f"/{num(full)}")
        if ctx.linked is None:
            return Outcome(points, join(said, f" × {num(ctx.points)} → ", earned(points, ctx.points, ctx.precision)))
        grade = ctx.linked["grade"].fillna("").astype(str).to_numpy(dtype=object)
        said = np.where(grade != "", join(said, "(等次 ", grade, ")"), said)
        reasons = ctx.linked["veto_reasons"].fillna("").astype(str).to_numpy(dtype=object)
        failed = (ctx.linked["veto_effect"] == "fail").to_numpy()
        if self.config.on_fail == "zero":
            points = np.where(failed, 0.0, points)
            why = np.where(failed, join(said, ",单项否决“", reasons, "” → 按规定计0分 ", earned(points, ctx.points, ctx.precision)),
                           join(said, f" × {num(ctx.points)} → ", earned(points, ctx.points, ctx.precision)))
        else:
            why = join(said, f" × {num(ctx.points)} → ", earned(points, ctx.points, ctx.precision))
            why = np.where(failed, join(why, "(单项否决“", reasons, "”,按规定保留得分)"), why)
        vetoed = (reasons != "") & ~failed  # zero or cap: already in the total, said for the reader
        why = np.where(vetoed, join(why, "(单项否决“", reasons, "”)"), why)
        return Outcome(points, why.astype(object))
