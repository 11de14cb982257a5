"""Derive metrics: raw values from the data, then `records:`, `ratio:` and `expr:` metrics.

All units at once. Besides the values, it reports per metric which units' values are *not
applicable* (the data said so) and which are *undefined* (a ratio with a zero denominator), and
for a unit without a value which cell of the data left it out (blank, "#N/A", an unsaved formula),
so that the issue names the file and row. A derived metric inherits these from its first input
without a value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.data.model import AgencyData
from scoring.data.records import PreparedRecords, derive_record_metric
from scoring.data.values import GAPS, gap_codes
from scoring.expressions import Expression
from scoring.periods import Period
from scoring.result import Step
from scoring.scheme.model import MetricSpec, Scheme


@dataclass(frozen=True)
class Metrics:
    values: dict[str, np.ndarray]  # metric id → float per unit (NaN: no usable value)
    not_applicable: dict[str, np.ndarray]  # metric id → bool per unit
    undefined: dict[str, np.ndarray]  # metric id → bool per unit
    approx: dict[str, np.ndarray]  # metric id → bool per unit
    cells: dict[str, np.ndarray]  # metric id → row of `table` per unit its value was read from (-1: none)
    gaps: dict[str, np.ndarray]  # metric id → position in GAPS per unit: why its cell holds no value
    table: pd.DataFrame  # the data's values (file, row, column and text of each cell)

    # the default array is made only when the metric has none (dict.get would make it every call)
    def get(self, metric: str, n: int) -> np.ndarray:
        found = self.values.get(metric)
        return np.full(n, np.nan) if found is None else found

    def flag(self, table: str, metric: str, n: int) -> np.ndarray:
        found = getattr(self, table).get(metric)
        return np.zeros(n, dtype=bool) if found is None else found

    def cell(self, metric: str, n: int) -> np.ndarray:
        found = self.cells.get(metric)
        return np.full(n, -1, dtype=np.int64) if found is None else found

    def gap(self, metric: str, n: int) -> np.ndarray:
        found = self.gaps.get(metric)
        return np.zeros(n, dtype=np.int8) if found is None else found


Prepare = Callable[[pd.DataFrame, pd.Index], PreparedRecords]


def derive(scheme: Scheme, data: AgencyData, period: Period,
           prepare: Prepare = PreparedRecords.build) -> tuple[Metrics, tuple[Step, ...]]:
    """Every metric's values per unit, and a log entry for each derived metric. `prepare`: how
    the records become arrays over the units (the periods of a run share them: engine.Shared)."""
    steps: list[Step] = []
    unit_ids = pd.Index(data.units["unit_id"])
    values, not_applicable, approx, cells, gaps = _raw(data, unit_ids)
    _blank_as_zero(scheme, values, gaps, steps)
    undefined: dict[str, np.ndarray] = {}
    pending = [m for m in scheme.metrics if m.derived]
    has_records = len(data.records) > 0
    prepared = prepare(data.records, unit_ids) if has_records and any(m.records for m in pending) else None
    for _ in range(len(pending) + 1):  # dependency order: repeat until everything is computed
        waiting = []
        for spec in pending:
            if not _ready(spec, values, pending):
                waiting.append(spec)
                continue
            _compute(spec, data, unit_ids, period, values, undefined, prepared, steps)
            _inherit_gaps(spec, values, undefined, not_applicable, cells, gaps)
        if not waiting:  # validation rules out cycles, so this always ends
            break
        pending = waiting
    return Metrics(values, not_applicable, undefined, approx, cells, gaps, data.values), tuple(steps)


def _raw(data: AgencyData, unit_ids: pd.Index) -> tuple[dict, dict, dict, dict, dict]:
    v = data.values
    if v.empty:
        return {}, {}, {}, {}, {}
    keys = data.value_keys
    pos = unit_ids.get_indexer(keys.unit_texts)[keys.unit_codes]  # each unit's text looked up once
    metric_code, metrics = keys.metric_codes, keys.metric_texts
    keep = pos >= 0
    if not keep.all():
        v, pos, metric_code = v[keep], pos[keep], metric_code[keep]
    row_of = np.flatnonzero(keep) if not keep.all() else np.arange(len(v))  # rows of data.values
    value = v["value"].to_numpy(dtype=float)
    applicable = v["applicable"].to_numpy(dtype=bool)
    approximate = v["approx"].to_numpy(dtype=bool)
    gap = np.zeros(len(v), dtype=np.int8)
    empty = np.isnan(value) & applicable  # only these can be gaps: their texts are few
    gap[empty] = gap_codes(v["raw"].iloc[np.flatnonzero(empty)].to_numpy(dtype=object))  # not the whole column
    # metrics × units tables filled at once; each metric's arrays are rows of them
    # at: each row's cell as one flat position (numpy's (row, column) indexing costs 3 x as much)
    shape, at = (len(metrics), len(unit_ids)), metric_code.astype(np.intp) * len(unit_ids) + pos
    table = _filled(shape, np.nan, at, np.where(np.isfinite(value), value, np.nan))  # readers never pass ±inf, others may
    na, ap = _filled(shape, False, at, ~applicable), _filled(shape, False, at, approximate)
    rows, why = _filled(shape, -1, at, row_of.astype(np.int64)), _filled(shape, 0, at, gap)
    present = np.bincount(metric_code, minlength=len(metrics)) > 0  # not only rows of units outside the list
    values, not_applicable, approx, cells, gaps = {}, {}, {}, {}, {}
    for i in np.flatnonzero(present):
        metric = metrics[i]
        values[metric], not_applicable[metric], approx[metric] = table[i], na[i], ap[i]
        cells[metric], gaps[metric] = rows[i], why[i]
    return values, not_applicable, approx, cells, gaps


def _filled(shape: tuple[int, int], fill: object, at: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A metrics × units table of `fill` with `values` at the flat positions `at` (metric ×
    units + unit), in the type of `values`."""
    table = np.full(shape, fill, dtype=values.dtype)
    table.reshape(-1)[at] = values  # a view of the new, contiguous table
    return table


def _blank_as_zero(scheme: Scheme, values: dict, gaps: dict, steps: list[Step]) -> None:
    """Metrics declared `blank: zero`: an empty cell is 0 (fault counts left empty when none)."""
    blank = GAPS.index("blank")
    for spec in scheme.metrics:
        if spec.blank != "zero" or spec.id not in gaps:
            continue
        hit = gaps[spec.id] == blank
        if hit.any():
            values[spec.id] = np.where(hit, 0.0, values[spec.id])
            gaps[spec.id] = np.where(hit, 0, gaps[spec.id]).astype(np.int8)
            steps.append(Step("derive", f"{spec.name or spec.id}:{int(hit.sum())} 个单位未填写,按 blank: zero 计为0",
                              item_id=spec.id))


def _inherit_gaps(spec: MetricSpec, values: dict, undefined: dict, not_applicable: dict, cells: dict,
                  gaps: dict) -> None:
    """Where a derived metric has no value, the first input without one says why: its cell and
    gap, or its 不适用 mark (a share of a not-applicable count is not applicable)."""
    inputs = [name for name in (spec.ratio or sorted(_deps(spec))) if name in values]
    if spec.id not in values or not inputs:
        return
    result = values[spec.id]
    n = len(result)
    open_ = np.isnan(result) & ~undefined.get(spec.id, np.zeros(n, dtype=bool))
    at, why, na = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int8), np.zeros(n, dtype=bool)
    for name in reversed(inputs):  # the first input wins: assigned last
        hit = open_ & np.isnan(values[name])
        if name in cells:
            at = np.where(hit, cells[name], at)
            why = np.where(hit, gaps[name], why).astype(np.int8)
        na = np.where(hit, not_applicable.get(name, np.zeros(n, dtype=bool)), na)
    cells[spec.id], gaps[spec.id], not_applicable[spec.id] = at, why, na


def _deps(spec: MetricSpec) -> set[str]:
    if spec.ratio:
        return set(spec.ratio)
    if spec.expr:
        return set(Expression(spec.expr).names)
    return set()


def _ready(spec: MetricSpec, values: dict, pending: list[MetricSpec]) -> bool:
    waiting_ids = {m.id for m in pending if m.id not in values}
    return not (_deps(spec) & (waiting_ids - {spec.id}))


def _compute(spec, data, unit_ids, period, values, undefined, prepared, steps) -> None:
    n = len(unit_ids)
    label = spec.name or spec.id
    if spec.records:
        if prepared is None and spec.id in values:
            steps.append(Step("derive", f"{label}:无发布记录,使用数据表中直接填报的数值", item_id=spec.id,
                              params=(("source", "data"),)))
            return
        series = derive_record_metric(data.records, unit_ids, spec.records.measure, spec.records.where, period,
                                      prepared, spec.records.threshold)
        values[spec.id] = series.to_numpy(dtype=float)
        where = ",".join(f"{k}={v}" for k, v in spec.records.where.items())
        threshold = f",每月少于 {spec.records.threshold:g} 条" if spec.records.threshold is not None else ""
        steps.append(Step("derive", f"{label}:由发布记录计算({spec.records.measure}{threshold}{',' + where if where else ''},{period.label})",
                          item_id=spec.id, params=(("measure", spec.records.measure), ("where", where), ("period", period.label),
                                                   ("threshold", spec.records.threshold))))
    elif spec.ratio:
        num = values.get(spec.ratio[0], np.full(n, np.nan))
        den = values.get(spec.ratio[1], np.full(n, np.nan))
        with np.errstate(all="ignore"):
            ratio = num / den
        zero = (den == 0) & ~np.isnan(num)
        ratio[zero | ~np.isfinite(ratio)] = np.nan
        values[spec.id], undefined[spec.id] = ratio, zero
        steps.append(Step("derive", f"{label} = {spec.ratio[0]} ÷ {spec.ratio[1]};{int(zero.sum())} 个单位分母为0,比率无定义",
                          item_id=spec.id, params=(("ratio", spec.ratio), ("undefined_units", int(zero.sum())))))
    elif spec.expr:
        expr = Expression(spec.expr)
        env = {name: values.get(name, np.full(n, np.nan)) for name in expr.names}
        result = expr.evaluate(env, n, period)
        inputs_known = np.logical_and.reduce([~np.isnan(a) for a in env.values()]) if env else np.ones(n, bool)
        undefined[spec.id] = inputs_known & np.isnan(result)
        values[spec.id] = result
        steps.append(Step("derive", f"{label} = {spec.expr}", item_id=spec.id, params=(("expr", spec.expr),)))
