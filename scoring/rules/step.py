"""step: stepped points, `each` for reaching `start` and `each` again for every further `every`.

Example ("达到10条得1分,每增加10条加1分,最高5分")::

    rule: {type: step, start: 10, every: 10, each: 1}

0 below `start`; from `start` on, `each` × (1 + ⌊(value − start) ÷ `every`⌋), capped at the leaf's
points. Steps are counted exactly as written (0.3 reaches the second step of start 0.1, every
0.1). With `per`, `start` and `every` are stated for that span and scaled to the run's period.
As a penalty it takes the same amount off ("每超出10条扣1分").
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from scoring.rules.base import (
    PER_NAMES,
    Outcome,
    Per,
    Rule,
    RuleConfig,
    RuleContext,
    at_least,
    earned,
    join,
    num,
    nums,
    register,
    value_phrase,
    whole_steps,
)


class StepConfig(RuleConfig):
    start: float = Field(ge=0)
    every: float = Field(gt=0)
    each: float = Field(gt=0)
    per: Per | None = None


@register
class Step(Rule):
    type = "step"
    Config = StepConfig
    penalty_ok = True

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        c = self.config
        per = f"({PER_NAMES[c.per]}标准,按期间折算)" if c.per else ""
        cap = f",最高{num(points)}分" if points is not None and np.isfinite(points) else ""
        return (f"{metric_name}{per}:达到{num(c.start)}{unit}得{num(c.each)}分,"
                f"此后每增加{num(c.every)}{unit}再得{num(c.each)}分{cap}")

    def _steps(self, ctx: RuleContext) -> tuple[np.ndarray, float, float]:
        start, every = self.config.start * ctx.scale, self.config.every * ctx.scale
        reached = at_least(ctx.values, start)
        steps = np.where(reached, 1 + whole_steps(np.maximum(ctx.values - start, 0.0), every), 0.0)
        return steps, start, every

    def _phrase(self, ctx: RuleContext, steps: np.ndarray, start: float, every: float) -> np.ndarray:
        """"培训 35 期,达到10期起每10期一档,共3档 × 1" or "培训 5 期,未达10期"."""
        unit = ctx.unit if ctx.unit != "0–1" else ""
        return np.where(
            steps > 0,
            join(value_phrase(ctx), f",达到{num(start)}{unit}起每{num(every)}{unit}一档,共", nums(steps, 0),
                 f"档 × {num(self.config.each)}"),
            join(value_phrase(ctx), f",未达{num(start)}{unit}"),
        )

    def points(self, ctx: RuleContext) -> np.ndarray:
        return np.clip(self.config.each * self._steps(ctx)[0], 0.0, ctx.points)

    def score(self, ctx: RuleContext) -> Outcome:
        steps, start, every = self._steps(ctx)
        points = np.clip(self.config.each * steps, 0.0, ctx.points)
        why = join(self._phrase(ctx, steps, start, every), " → ", earned(points, ctx.points, ctx.precision))
        return Outcome(points, why)

    def deduction(self, ctx: RuleContext) -> Outcome:
        steps, start, every = self._steps(ctx)
        taken = np.clip(self.config.each * steps, 0.0, ctx.points)
        why = join(self._phrase(ctx, steps, start, every), " → 扣 ", nums(taken, ctx.precision), " 分")
        return Outcome(taken, why)
