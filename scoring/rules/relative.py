"""relative: points × value / best value among peers of the same class.

Example (the unit with most items earns full points, the others in proportion)::

    rule: {type: relative}

`order: asc` means lower is better: points × best / value (a value of 0 is the best possible).
When the best value is 0 (higher-better), nobody did anything and all earn 0.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from scoring.rules import base
from scoring.rules.base import Outcome, Rule, RuleConfig, RuleContext, earned, join, nums, register, value_phrase


class RelativeConfig(RuleConfig):
    order: Literal["desc", "asc"] = "desc"


@register
class Relative(Rule):
    type = "relative"
    Config = RelativeConfig

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        if self.config.order == "asc":
            return f"{metric_name}越低越好:得分 = 满分 × 同类最低值 ÷ 本单位值"
        return f"得分 = 满分 × 本单位{metric_name} ÷ 同类最高值"

    def points_for(self, values: np.ndarray, best: np.ndarray, full: float) -> np.ndarray:
        """Points for values against their class's best value; any array shape (the stability
        analysis finds each draw's best itself)."""
        with np.errstate(all="ignore"):
            if self.config.order == "asc":
                share = np.where(values <= 0, 1.0, best / values)
            else:
                share = np.where(best > 0, values / best, 0.0)
        return full * np.clip(np.nan_to_num(share), 0, 1)

    def _best(self, ctx: RuleContext) -> np.ndarray:
        """Each unit's class's best value among peers."""
        v = np.where(ctx.peers, ctx.values, np.nan)
        grouped = pd.Series(v).groupby(base.codes_of(ctx.classes))
        return grouped.transform("min" if self.config.order == "asc" else "max").to_numpy()

    def points(self, ctx: RuleContext) -> np.ndarray:
        return self.points_for(ctx.values, self._best(ctx), ctx.points)

    def score(self, ctx: RuleContext) -> Outcome:
        best = self._best(ctx)
        points = self.points_for(ctx.values, best, ctx.points)
        label = "同类最低" if self.config.order == "asc" else "同类最高"
        why = join(value_phrase(ctx), f",{label} ", nums(best, ctx.precision), " → ", earned(points, ctx.points, ctx.precision))
        return Outcome(points, why)
