"""Properties of the engine, on generated schemes and data (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.rules import get_rule
from scoring.rules.base import RuleContext
from tests.helpers import make_data

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
values_st = st.lists(st.one_of(finite, st.just(float("nan"))), min_size=1, max_size=30)


@st.composite
def rule_specs(draw):
    """A valid rule spec of an absolute (peer-independent) or peer type, plus its leaf points."""
    points = draw(st.floats(min_value=0.5, max_value=50))
    kind = draw(st.sampled_from(["bands_min", "bands_max", "bands_strict_lower", "bands_strict_upper", "linear", "deduct",
                                 "per_item", "boolean", "score", "rank", "relative", "step"]))
    if kind in ("bands_strict_lower", "bands_strict_upper"):  # above/min (or below/max) mixed, strict first at a tie
        lower = kind == "bands_strict_lower"
        bounds = sorted(draw(st.lists(st.sampled_from([0.0, 0.15, 1.7, 10.0, 100.0, 500.0]), min_size=1, max_size=5,
                                      unique=True)), reverse=lower)
        strict = [draw(st.booleans()) for _ in bounds]
        keys = ("above", "min") if lower else ("below", "max")
        bands = [{keys[0] if s else keys[1]: b} for b, s in zip(bounds, strict)]
        pts = sorted(draw(st.lists(st.floats(0, points), min_size=len(bands), max_size=len(bands))), reverse=True)
        return {"type": "bands", "bands": [{**b, "points": p} for b, p in zip(bands, pts)], "else": 0}, points
    if kind == "step":
        return {"type": "step", "start": draw(st.floats(0, 100)), "every": draw(st.floats(0.01, 50)),
                "each": draw(st.floats(0.1, 10))}, points
    if kind == "bands_min":
        mins = sorted(draw(st.lists(st.floats(-100, 1000), min_size=1, max_size=5, unique=True)), reverse=True)
        pts = sorted(draw(st.lists(st.floats(0, points), min_size=len(mins), max_size=len(mins))), reverse=True)
        return {"type": "bands", "bands": [{"min": m, "points": p} for m, p in zip(mins, pts)], "else": 0}, points
    if kind == "bands_max":
        maxs = sorted(draw(st.lists(st.floats(-100, 1000), min_size=1, max_size=5, unique=True)))
        pts = sorted(draw(st.lists(st.floats(0, points), min_size=len(maxs), max_size=len(maxs))), reverse=True)
        return {"type": "bands", "bands": [{"max": m, "points": p} for m, p in zip(maxs, pts)], "else": 0}, points
    if kind == "linear":
        a, b = draw(st.lists(st.floats(-1000, 1000), min_size=2, max_size=2, unique=True))
        return {"type": "linear", "zero_at": a, "full_at": b}, points
    if kind == "deduct":
        return {"type": "deduct", "each": draw(st.floats(0.1, 10))}, points
    if kind == "per_item":
        return {"type": "per_item", "each": draw(st.floats(0.1, 10))}, points
    if kind == "boolean":
        return {"type": "boolean", "invert": draw(st.booleans())}, points
    if kind == "score":
        return {"type": "score", "scale": draw(st.floats(1, 1000))}, points
    if kind == "rank":
        table = sorted(draw(st.lists(st.floats(0, points), min_size=1, max_size=6)), reverse=True)
        return {"type": "rank", "table": table, "else": 0}, points
    return {"type": "relative", "order": draw(st.sampled_from(["asc", "desc"]))}, points


def rule_of(spec):
    cls = get_rule(spec["type"])
    return cls(cls.Config.model_validate(spec))


def ctx(values, points, classes=None):
    v = np.asarray(values, dtype=float)
    return RuleContext(values=v, points=points, classes=np.asarray(classes or ["a"] * len(v), dtype=object), peers=~np.isnan(v))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(rule_specs(), values_st)
def test_points_within_bounds(spec_points, values):
    spec, points = spec_points
    out = rule_of(spec).score(ctx(values, points))
    finite_values = ~np.isnan(np.asarray(values))
    got = out.points[finite_values]
    assert np.all(got >= -1e-9) and np.all(got <= points + 1e-9)
    assert len(out.explanation) == len(values)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(rule_specs(), finite, st.floats(min_value=0, max_value=1e5))
def test_better_value_never_scores_less(spec_points, value, step):
    spec, points = spec_points
    rule = rule_of(spec)
    if spec["type"] in ("rank", "relative"):
        return  # peer-relative: covered by the peer test below
    lower, higher = value, value + step
    out = rule.score(ctx([lower, higher], points)).points
    if spec["type"] == "deduct":
        assert out[1] <= out[0] + 1e-9  # more faults, fewer points
    elif spec["type"] == "linear" and spec["zero_at"] > spec["full_at"]:
        assert out[1] <= out[0] + 1e-9  # lower is better
    elif spec["type"] == "bands" and ({"max", "below"} & spec["bands"][0].keys()):
        assert out[1] <= out[0] + 1e-9
    elif spec["type"] == "boolean" and spec["invert"]:
        pass  # only truthiness matters
    elif spec["type"] != "boolean":
        assert out[1] >= out[0] - 1e-9


@st.composite
def deductions_cases(draw):
    """A deductions rule with 1–4 items, the leaf's points, and each item's values for a few units."""
    points = draw(st.floats(min_value=0.5, max_value=50))
    n_items, n_units = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    items = [{"metric": f"m{i}", "each": draw(st.floats(0.1, 10)),
              **({"max": draw(st.floats(0.1, 20))} if draw(st.booleans()) else {})} for i in range(n_items)]
    counts = st.one_of(st.floats(0, 1e4), st.just(float("nan")))  # NaN: that item not applicable
    inputs = {f"m{i}": np.array(draw(st.lists(counts, min_size=n_units, max_size=n_units))) for i in range(n_items)}
    return {"type": "deductions", "items": items}, points, inputs


def deductions_ctx(inputs, points):
    n = len(next(iter(inputs.values())))
    return RuleContext(values=np.full(n, np.nan), points=points, classes=np.array(["a"] * n, dtype=object),
                       peers=np.ones(n, bool), inputs=inputs)


@settings(max_examples=200, deadline=None)
@given(deductions_cases(), st.integers(0, 3), st.floats(min_value=0, max_value=1e4))
def test_deductions_within_bounds_and_more_faults_never_score_more(case, which, more):
    spec, points, inputs = case
    rule = rule_of(spec)
    out = rule.score(deductions_ctx(inputs, points))
    assert np.all(out.points >= -1e-9) and np.all(out.points <= points + 1e-9)
    metric = f"m{which % len(inputs)}"
    worse = {**inputs, metric: np.where(np.isnan(inputs[metric]), np.nan, inputs[metric] + more)}
    assert np.all(rule.score(deductions_ctx(worse, points)).points <= out.points + 1e-9)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.lists(finite, min_size=2, max_size=20), st.integers(min_value=0, max_value=19), st.floats(min_value=0.001, max_value=1e4))
def test_improving_own_value_never_loses_peer_points(values, index, step):
    index %= len(values)
    better = list(values)
    better[index] += step
    for spec in ({"type": "rank", "table": [10, 8, 6, 4], "else": 1}, {"type": "relative"}):
        rule = rule_of(spec)
        before = rule.score(ctx(values, 10)).points[index]
        after = rule.score(ctx(better, 10)).points[index]
        assert after >= before - 1e-9


ABSOLUTE_SCHEME = """
id: props
name: 性质
total: 30
classes: [{id: a, name: 甲类}, {id: b, name: 乙类, exclude: [y]}]
grades: [{label: 优秀, min: 25, max_share: 0.3}, {label: 合格, min: 0}]
indicators:
  - id: g
    points: 20
    children:
      - {id: x, points: 10, metric: proactive_items, rule: {type: bands, bands: [{min: 100, points: 10}, {min: 10, points: 5}], else: 0}}
      - {id: y, points: 10, metric: applications_overdue, rule: {type: deduct, each: 4, floor: group}}
  - {id: z, points: 10, metric: trainings, rule: {type: linear, zero_at: 0, full_at: 5}}
bonus: {cap: 2, items: [{id: b1, metric: consultations, rule: {type: per_item, each: 1}}]}
penalties: [{id: p1, metric: late_publications, rule: {type: deduct, each: 3}}]
"""

unit_values = st.fixed_dictionaries({
    "proactive_items": st.floats(0, 500), "applications_overdue": st.integers(0, 10),
    "trainings": st.floats(0, 10), "consultations": st.integers(0, 5), "late_publications": st.integers(0, 20),
})


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), unit_values), min_size=1, max_size=12), st.tuples(st.sampled_from(["a", "b"]), unit_values))
def test_adding_a_unit_never_changes_another_units_absolute_points(tmp_path_factory, units, extra):
    from tests.helpers import scheme_from

    scheme = scheme_from(tmp_path_factory.mktemp("s"), ABSOLUTE_SCHEME)
    unit_rows = [(f"U{i}", f"单位{i}", c) for i, (c, _) in enumerate(units)]
    values = {f"U{i}": v for i, (_, v) in enumerate(units)}
    before = score(scheme, make_data(unit_rows, values))
    more = score(scheme, make_data([*unit_rows, ("NEW", "新单位", extra[0])], {**values, "NEW": extra[1]}))
    t0, t1 = before.totals, more.totals
    ids = [u for u, _, _ in unit_rows]
    assert np.allclose(t0.loc[ids, "total"], t1.loc[ids, "total"])
    assert (t1["total"] >= 0).all()
    d = more.details[more.details["kind"] == "indicator"]
    assert (d["points"] <= d["max_points"] + 1e-9).all()
    g = more.groups
    assert ((g["points"] >= -1e-9) & (g["points"] <= g["max_points"] + 1e-9)).all()
    assert (t1["rank"] >= 1).all() and (t1["rank"] <= len(t1)).all()
