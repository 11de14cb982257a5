"""Values and rules as the office writes them: rates as percentages, yes/no data as 是/否, and
one wording of each rule (the 评分标准 sentence) wherever a rule is shown.

    shown = metric_formats(scheme)            # metric id → "percent" | "yes_no"
    rule_texts(scheme)                        # item id → the rule in words
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from scoring.rules.base import nums
from scoring.scheme.describe import describe_scheme
from scoring.scheme.model import Scheme

Format = Literal["percent", "yes_no"]


def metric_formats(scheme: Scheme) -> dict[str, Format]:
    """Metrics shown other than as plain numbers: rates (declared `ratio:`) as percentages,
    metrics scored by a yes/no rule as 是/否. A 0–1 share stays as written: its rule says 0.9."""
    formats: dict[str, Format] = {}
    for spec in scheme.metrics:
        if spec.ratio is not None:
            formats[spec.id] = "percent"
    for leaf in scheme.leaves():
        if leaf.metric and _rule_type(leaf.rule) == "boolean":
            formats[leaf.metric] = "yes_no"
    return formats


def _rule_type(rule: object) -> str | None:
    if isinstance(rule, dict):
        return rule.get("type")
    return getattr(rule, "type", None)


def formatted(values: pd.Series, metrics: pd.Series, formats: dict[str, Format], precision: int) -> pd.Series:
    """Text for values of percent / yes-no metrics ("95.24%", "是"); None elsewhere (positional)."""
    kind = metrics.astype(str).map(formats).to_numpy(dtype=object)
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    known = ~np.isnan(numbers)
    out = np.full(len(numbers), None, dtype=object)
    percent = (kind == "percent") & known
    if percent.any():
        out[percent] = nums(numbers[percent] * 100, precision) + "%"
    yes_no = (kind == "yes_no") & known
    out[yes_no] = np.where(numbers[yes_no] > 0, "是", "否")
    return pd.Series(out, dtype=object)


def rule_texts(scheme: Scheme) -> dict[str, str]:
    """Item id → its rule in words, as the 评分标准 sheet and `score check` say it."""
    return {row.id: row.rule_text for row in describe_scheme(scheme)}
