"""deduct: full points minus `each` per counted fault, floored at 0.

Example ("逾期答复每件扣6分", at most 12 points off)::

    rule: {type: deduct, each: 6, max_deduction: 12}

`floor: parent` lets the deduction go past this leaf's own points, down to its parent group's
floor (the parent is floored at 0); `floor: group` down to the first-level indicator's floor
("一级指标减分上限为自身权重"). As a penalty (`penalties:`), it takes
`each` × value off the total, uncapped unless `max_deduction` is given.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from scoring.rules.base import Outcome, Rule, RuleConfig, RuleContext, earned, join, num, nums, register, value_phrase


class DeductConfig(RuleConfig):
    each: float = Field(gt=0)
    max_deduction: float | None = Field(default=None, gt=0)
    floor: Literal["leaf", "parent", "group"] = "leaf"


@register
class Deduct(Rule):
    type = "deduct"
    Config = DeductConfig
    penalty_ok = True
    monotone = False  # more faults, fewer points: monotone decreasing (checked as such in tests)

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        c = self.config
        cap = f",最多扣{num(c.max_deduction)}分" if c.max_deduction else ""
        floor = {"group": ",可扣至一级指标分值为止", "parent": ",可扣至上级指标分值为止"}.get(c.floor, "")
        return f"{metric_name}每{unit or '项'}扣{num(c.each)}分{cap}{floor}"

    def _taken(self, ctx: RuleContext) -> np.ndarray:
        taken = self.config.each * np.maximum(ctx.values, 0)
        if self.config.max_deduction is not None:
            taken = np.minimum(taken, self.config.max_deduction)
        return taken

    def points(self, ctx: RuleContext) -> np.ndarray:
        points = ctx.points - self._taken(ctx)
        return np.maximum(points, 0.0) if self.config.floor == "leaf" else points

    def score(self, ctx: RuleContext) -> Outcome:
        taken = self._taken(ctx)
        points = self.points(ctx)
        why = join(
            value_phrase(ctx), f" × {num(self.config.each)} → 扣 ", nums(taken, ctx.precision),
            " 分,得 ", earned(points, ctx.points, ctx.precision),
        )
        return Outcome(points, why)

    def deduction(self, ctx: RuleContext) -> Outcome:
        taken = np.minimum(self._taken(ctx), ctx.points)
        why = join(value_phrase(ctx), f" × {num(self.config.each)} → 扣 ", nums(taken, ctx.precision), " 分")
        return Outcome(taken, why)
