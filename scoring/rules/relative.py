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

    def score(self, ctx: RuleContext) -> Outcome:
        v = np.where(ctx.peers, ctx.values, np.nan)
        grouped = pd.Series(v).groupby(pd.Series(ctx.classes))
        with np.errstate(all="ignore"):
            if self.config.order == "asc":
                best = grouped.transform("min").to_numpy()
                share = np.where(ctx.values <= 0, 1.0, best / ctx.values)
            else:
                best = grouped.transform("max").to_numpy()
                share = np.where(best > 0, ctx.values / best, 0.0)
        points = ctx.points * np.clip(np.nan_to_num(share), 0, 1)
        label = "同类最低" if self.config.order == "asc" else "同类最高"
        why = join(value_phrase(ctx), f",{label} ", nums(best, ctx.precision), " → ", earned(points, ctx.points, ctx.precision))
        return Outcome(points, why)
