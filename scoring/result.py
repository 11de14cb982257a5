"""Result: what the engine hands to the report writers. Immutable; the outputs compute no points
and no rank from it (only differences with a previous period's Result: 总分变化, 排名变化).

Tables (pandas DataFrames; every access returns a copy-on-write view, so changing what you got
never changes the Result). Every number of points is rounded once, half up, to the scheme's
`precision` (scoring.rounding); ranks and grades read those rounded numbers:

units    one row per unit, in input order: unit_id, name, class, class_name
details  tidy, one row per unit × scored item (leaves, bonus items, penalties, vetoes):
         unit_id, kind ("indicator" | "linked" | "bonus" | "penalty" | "veto"; "linked" rows are
         a linked scheme's items right after their leaf, item_id "leaf/item", path prefixed with
         the leaf's, not added to this scheme's points), item_id, item_name,
         path (Chinese names joined by " / "), group_id (first-level indicator id, "" for
         bonus/penalty/veto), metric, value (float or NaN), value_text (as shown), approx (bool),
         status ("ok" | "missing" | "not_applicable" | "undefined" | "excluded" | "vetoed": a
         scoped veto zeroed it), rule_text, points (float), max_points (float), explanation
groups   one row per unit × first-level indicator: unit_id, group_id, group_name, points (after
         clipping and scoped vetoes), max_points (for this unit: 0 when excluded by its class),
         grade (the group's own grade, "" if it has none), veto (the scoped veto that zeroed it)
totals   one row per unit, index unit_id, columns: name, class, class_name, base (sum of groups:
         折算前得分), max_base (points applicable to the unit), rescale (factor: 折算系数, unrounded),
         rescale_text (the factor as written: "100/90"; "" when 1), rescaled, bonus_raw,
         bonus (after cap), penalty (positive number of points taken off), total, vetoed (bool),
         veto_effect ("" | "fail" | "zero" | "cap"), veto_reasons (str, scoped vetoes included),
         grade, demoted (bool: lowered by a
         grade quota), rank (overall, int), class_rank (within class, int)
inputs   every input value used: unit_id, metric, metric_name, value, raw, approx, source, row,
         column, evidence
metrics  derived metric values (ratio, expr, records), index unit_id, a column per metric id
linked   leaf id → the Result of the scheme that leaf links to
log      tuple of Step: what each evaluation step did (derived, clipped, rescaled, capped, vetoed,
         demoted, separated by tie-break), each with its numbers and the sentence made from them

A summary Result (`summary`, from `score(..., explain=False)`: a comparison or trend period) has
the same units, totals, metrics and linked results as the full one, and no explanation: reading
its details, groups, inputs, issues or log raises `NotExplained`, so that no output can show an
empty breakdown as if it were the period's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from scoring.issues import DataIssue
from scoring.periods import Period

if TYPE_CHECKING:
    from scoring.scheme.model import Scheme


class Step(NamedTuple):
    """One entry of the step log. `message` is rendered from the other fields (scoring.steplog).
    A named tuple, not a dataclass: a nation's run logs 100,000s of them, and a frozen
    dataclass costs about 5 µs each to create."""

    stage: str  # derive, group, rescale, bonus, penalty, veto, grade, rank
    message: str  # Chinese, one sentence
    unit_id: str | None = None
    item_id: str | None = None
    before: float | None = None  # the unit's points before this step changed them
    after: float | None = None  # and after
    params: tuple[tuple[str, object], ...] = ()  # what the step applied (cap, factor, threshold…)


TABLES = frozenset({"units", "details", "groups", "totals", "inputs", "metrics"})
EXPLANATION = frozenset({"details", "groups", "inputs", "issues", "log"})  # what a summary leaves out


class NotExplained(LookupError):
    """An explanation asked of a summary Result (a program error: score that period in full)."""


@dataclass(frozen=True)
class Result:
    scheme: "Scheme"
    period: Period
    units: pd.DataFrame
    details: pd.DataFrame
    groups: pd.DataFrame
    totals: pd.DataFrame
    inputs: pd.DataFrame
    issues: tuple[DataIssue, ...]
    log: tuple[Step, ...]
    generated_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    metrics: pd.DataFrame = field(default_factory=pd.DataFrame)
    linked: "MappingProxyType[str, Result]" = field(default_factory=lambda: MappingProxyType({}))
    summary: bool = False  # totals only: no explanation (see the module docstring)

    @classmethod
    def summary_of(cls, scheme: "Scheme", period: Period, units: pd.DataFrame, totals: pd.DataFrame,
                   metrics: pd.DataFrame, linked: "MappingProxyType[str, Result]") -> "Result":
        empty = pd.DataFrame()
        return cls(scheme, period, units, empty, empty, totals, empty, (), (), metrics=metrics, linked=linked,
                   summary=True)

    def __reduce__(self):
        """Pickled field by field (a forked child hands its summaries back: scoring/background.py):
        read directly, as a summary's explanation fields cannot be asked for, and `linked` as a
        plain dict, since pickle cannot take a read-only mapping."""
        values = {f.name: object.__getattribute__(self, f.name) for f in fields(self)}
        return _unpickled_result, (values | {"linked": dict(values["linked"])},)

    def __getattribute__(self, name: str):
        value = object.__getattribute__(self, name)
        if name in EXPLANATION and object.__getattribute__(self, "summary"):
            raise NotExplained(f"{self.period.label} was scored as a summary (totals only): it has no {name}")
        if name in TABLES:  # copy-on-write: a change to what the caller got stays with the caller
            return value.copy(deep=False)
        return value

    def ranking(self) -> pd.DataFrame:
        """Totals in display order, the one order every output lists units in (ranking sheet,
        CSV, detail sheets, chart, stability, terminal summary): class blocks in scheme order
        (unclassified last), by class rank (the overall rank without classes), vetoed units last
        in their block; ties keep the engine's order."""
        t = self.totals
        class_order = {c.id: i for i, c in enumerate(self.scheme.classes)}
        block = t["class"].map(class_order).fillna(len(class_order)).to_numpy()
        rank = t["class_rank" if class_order else "rank"].to_numpy()
        vetoed = t["vetoed"].fillna(False).astype(bool).to_numpy()
        return t.iloc[np.lexsort((np.arange(len(t)), rank, vetoed, block))]

    def unit(self, unit_id: str) -> pd.DataFrame:
        """All detail rows of one unit (for `score explain`)."""
        return self.details[self.details["unit_id"] == unit_id]


def _unpickled_result(values: dict) -> Result:
    return Result(**(values | {"linked": MappingProxyType(values["linked"])}))
