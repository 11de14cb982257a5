"""score: a score someone else gave (e.g. a third-party assessment out of 100), scaled.

Example (第三方评估 0–100 becomes 0–30 points)::

    rule: {type: score, scale: 100}
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from scoring.rules.base import Outcome, Rule, RuleConfig, RuleContext, earned, join, num, nums, register


class ScoreConfig(RuleConfig):
    scale: float = Field(default=100, gt=0)


@register
class Score(Rule):
    type = "score"
    Config = ScoreConfig

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        return f"{metric_name}(满分{num(self.config.scale)})按比例折算:得分 = 满分 × 分数 ÷ {num(self.config.scale)}"

    def points(self, ctx: RuleContext) -> np.ndarray:
        return np.clip(ctx.points * ctx.values / self.config.scale, 0, ctx.points)

    def score(self, ctx: RuleContext) -> Outcome:
        points = self.points(ctx)
        why = join(
            f"{ctx.metric_name} ", nums(ctx.values, ctx.precision), f"/{num(self.config.scale)} × {num(ctx.points)} → ",
            earned(points, ctx.points, ctx.precision),
        )
        return Outcome(points, why)
