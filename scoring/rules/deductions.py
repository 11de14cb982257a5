"""deductions: several kinds of fault sharing one leaf's points, each item with its own metric.

Example (发布规范 10 分: each kind of fault deducts on its own, one of them at most 3 points)::

    rule:
      type: deductions
      items:
        - {metric: early_or_late_items, name: 公文提前或超期公开, each: 5}
        - {metric: bad_metadata_items, name: 要素未规范录入, each: 1, max: 3}
        - {metric: display_errors, name: 正文不能正常显示, each: 1}
      floor: leaf

points = leaf points − Σ min(maxᵢ, eachᵢ × valueᵢ), floored per `floor` (leaf, default: at 0;
parent: the parent group is floored instead; group: the first-level indicator). The leaf has no
`metric`. An item marked not applicable takes no deduction; the engine makes the leaf not
applicable when every item is, and missing when any item is missing. The explanation names
every item with a deduction ("公文提前或超期公开 1 条 × 5 → 扣 5;要素未规范录入 4 条 × 1 → 扣 3(上限);得 2/10").
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from scoring.rules.base import (
    Outcome,
    Rule,
    RuleConfig,
    RuleContext,
    earned,
    filled,
    join,
    num,
    nums,
    register,
    unit_suffix,
)


class DeductionItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    metric: str
    name: str | None = None
    each: float = Field(gt=0)
    max: float | None = Field(default=None, gt=0)


class DeductionsConfig(RuleConfig):
    items: tuple[DeductionItem, ...] = Field(min_length=1)
    floor: Literal["leaf", "parent", "group"] = "leaf"

    @field_validator("items")
    @classmethod
    def _distinct(cls, items: tuple[DeductionItem, ...]) -> tuple[DeductionItem, ...]:
        metrics = [i.metric for i in items]
        for metric in metrics:
            if metrics.count(metric) > 1:
                raise ValueError(f"扣分项的 metric“{metric}”重复:每类问题各用一个指标数据")
        return items


@register
class Deductions(Rule):
    type = "deductions"
    Config = DeductionsConfig
    takes_metric = False
    monotone = False  # more faults of any kind, fewer points: decreasing (checked as such in tests)

    def reads(self) -> tuple[tuple[str, tuple], ...]:
        return tuple((item.metric, ("items", j, "metric")) for j, item in enumerate(self.config.items))

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        parts = [f"{item.name or item.metric}每项扣{num(item.each)}分" + (f",最多扣{num(item.max)}分" if item.max else "")
                 for item in self.config.items]
        floor = {"leaf": "", "parent": ",可扣至上级指标分值为止", "group": ",可扣至一级指标分值为止"}[self.config.floor]
        return ";".join(parts) + floor

    def score(self, ctx: RuleContext) -> Outcome:
        n = len(ctx.values)
        taken_total = np.zeros(n)
        texts = []
        for item in self.config.items:
            values = ctx.inputs[item.metric]
            raw = item.each * np.maximum(np.nan_to_num(values), 0.0)  # not applicable (NaN): no deduction
            taken = raw if item.max is None else np.minimum(raw, item.max)
            taken_total += taken
            name, unit = ctx.labels.get(item.metric, (item.metric, ""))
            capped = np.where(raw > taken + 1e-12, "(上限)", "")
            piece = join(f"{item.name or name} ", nums(values, ctx.precision), unit_suffix(unit),
                         f" × {num(item.each)} → 扣 ", nums(taken, ctx.precision), capped, ";")
            texts.append(np.where(taken > 0, piece, ""))
        points = ctx.points - taken_total
        if self.config.floor == "leaf":
            points = np.maximum(points, 0.0)
        listed = join(*texts) if texts else filled(n, "")
        listed = np.where(taken_total > 0, listed, "各项均未扣分;")
        return Outcome(points, join(listed, "得 ", earned(points, ctx.points, ctx.precision)))
