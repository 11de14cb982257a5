"""Derive metrics: raw values from the data, then `records:`, `ratio:` and `expr:` metrics.

All units at once. Besides the values, it reports per metric which units' values are *not
applicable* (the data said so) and which are *undefined* (a ratio with a zero denominator).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.data.model import AgencyData
from scoring.data.records import PreparedRecords, derive_record_metric
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

    def get(self, metric: str, n: int) -> np.ndarray:
        return self.values.get(metric, np.full(n, np.nan))

    def flag(self, table: str, metric: str, n: int) -> np.ndarray:
        return getattr(self, table).get(metric, np.zeros(n, dtype=bool))


def derive(scheme: Scheme, data: AgencyData, period: Period) -> tuple[Metrics, tuple[Step, ...]]:
    """Every metric's values per unit, and a log entry for each derived metric."""
    steps: list[Step] = []
    unit_ids = pd.Index(data.units["unit_id"])
    values, not_applicable, approx = _raw(data, unit_ids)
    undefined: dict[str, np.ndarray] = {}
    pending = [m for m in scheme.metrics if m.derived]
    has_records = len(data.records) > 0
    prepared = PreparedRecords.build(data.records, unit_ids) if has_records and any(m.records for m in pending) \
        else None
    for _ in range(len(pending) + 1):  # dependency order: repeat until everything is computed
        waiting = []
        for spec in pending:
            if not _ready(spec, values, pending):
                waiting.append(spec)
                continue
            _compute(spec, data, unit_ids, period, values, undefined, prepared, steps)
        if not waiting:  # validation rules out cycles, so this always ends
            break
        pending = waiting
    return Metrics(values, not_applicable, undefined, approx), tuple(steps)


def _raw(data: AgencyData, unit_ids: pd.Index) -> tuple[dict, dict, dict]:
    v = data.values
    if v.empty:
        return {}, {}, {}
    keys = data.value_keys
    pos = unit_ids.get_indexer(keys.unit_texts)[keys.unit_codes]  # each unit's text looked up once
    metric_code, metrics = keys.metric_codes, keys.metric_texts
    keep = pos >= 0
    if not keep.all():
        v, pos, metric_code = v[keep], pos[keep], metric_code[keep]
    value = v["value"].to_numpy(dtype=float)
    applicable = v["applicable"].to_numpy(dtype=bool)
    approximate = v["approx"].to_numpy(dtype=bool)
    order = np.argsort(metric_code, kind="stable")  # rows of each metric together, in file order
    bounds = np.searchsorted(metric_code[order], np.arange(len(metrics) + 1))
    values, not_applicable, approx = {}, {}, {}
    n = len(unit_ids)
    for i, metric in enumerate(metrics):
        idx = order[bounds[i]:bounds[i + 1]]
        if not len(idx):  # only rows of units outside the list
            continue
        rows = pos[idx]
        arr = np.full(n, np.nan)
        arr[rows] = value[idx]
        arr[~np.isfinite(arr)] = np.nan  # readers never pass ±inf, but AgencyData may come from elsewhere
        na = np.zeros(n, dtype=bool)
        na[rows] = ~applicable[idx]
        ap = np.zeros(n, dtype=bool)
        ap[rows] = approximate[idx]
        values[metric], not_applicable[metric], approx[metric] = arr, na, ap
    return values, not_applicable, approx


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
                                      prepared)
        values[spec.id] = series.to_numpy(dtype=float)
        where = ",".join(f"{k}={v}" for k, v in spec.records.where.items())
        steps.append(Step("derive", f"{label}:由发布记录计算({spec.records.measure}{',' + where if where else ''},{period.label})",
                          item_id=spec.id, params=(("measure", spec.records.measure), ("where", where), ("period", period.label))))
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
        result = expr.evaluate(env, n)
        inputs_known = np.logical_and.reduce([~np.isnan(a) for a in env.values()]) if env else np.ones(n, bool)
        undefined[spec.id] = inputs_known & np.isnan(result)
        values[spec.id] = result
        steps.append(Step("derive", f"{label} = {spec.expr}", item_id=spec.id, params=(("expr", spec.expr),)))
