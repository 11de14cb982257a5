"""AgencyData: everything read from an input folder for one period, immutable."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from scoring.issues import DataIssue
from scoring.periods import Period

# Column contracts, so readers, engine and report agree.
UNIT_COLUMNS = ["unit_id", "name", "class", "aliases"]
VALUE_COLUMNS = [
    "unit_id", "metric", "value", "raw", "approx", "applicable", "source", "row", "column", "evidence",
]
RECORD_COLUMNS = ["unit_id", "date", "category", "title", "due_date"]


@dataclass(frozen=True)
class AgencyData:
    """Input for one scoring period.

    units:   one row per unit: unit_id (str), name, class (class id or ""), aliases (str, "|"-joined)
    values:  long, one row per (unit_id, metric) actually used after resolving duplicates:
             value (float; NaN when not applicable or unreadable), raw (text as written),
             approx (bool, "600余"), applicable (False for the marks "不适用", "不涉及", "—", "/";
             an empty cell, "#N/A" or an unsaved formula is applicable and missing: NaN),
             source (file name), row (1-based), column, evidence (sentence from a report or "")
    records: publication records already matched to units: unit_id, date (datetime64),
             category, title, due_date (datetime64 or NaT). The readers give unit_id as a
             Categorical over the listed ids, category as one over the normalised texts and
             both dates as Categoricals over the distinct days (1–2 bytes a record where a
             datetime64 takes 8; plain columns work too). Not filtered by period: record
             metrics look at the scoring period themselves.
    issues:  data issues found while reading.
    """

    period: Period
    units: pd.DataFrame
    values: pd.DataFrame
    records: pd.DataFrame
    issues: tuple[DataIssue, ...] = field(default_factory=tuple)
    sources: tuple[str, ...] = field(default_factory=tuple)  # files read, for the workbook

    @cached_property
    def value_keys(self) -> "ValueKeys":
        """`values`' unit_id and metric columns as codes into their distinct texts, worked out
        once: the engine's derive step and its inputs table both need them (a nation: 6.7
        million rows, a second each to hash)."""
        unit_codes, unit_texts = pd.factorize(self.values["unit_id"], sort=False, use_na_sentinel=False)
        metric_codes, metric_texts = pd.factorize(self.values["metric"], sort=False, use_na_sentinel=False)
        return ValueKeys(unit_codes, pd.Index(unit_texts), metric_codes, pd.Index(metric_texts))

    def wide(self) -> pd.DataFrame:
        """Unit × metric matrix of values (float, NaN = missing or not applicable)."""
        table = self.values.pivot(index="unit_id", columns="metric", values="value")
        return table.reindex(self.units["unit_id"])


@dataclass(frozen=True)
class ValueKeys:
    """Row i of `AgencyData.values` is unit `unit_texts[unit_codes[i]]`, metric `metric_texts[metric_codes[i]]`."""

    unit_codes: np.ndarray
    unit_texts: pd.Index
    metric_codes: np.ndarray
    metric_texts: pd.Index
