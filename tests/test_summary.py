"""Summary scoring (`score(..., explain=False)`): the comparison and trend periods' totals.

A summary must give exactly the full pass's totals, ranks, classes, grades and vetoes, with the
period's 复核调整 applied, and must refuse to be explained.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.appeals import score_adjusted
from scoring.data.load import load_periods
from scoring.data.records import PreparedRecords
from scoring.engine import Shared, score
from scoring.periods import Period
from scoring.report.frames import comparison
from scoring.report.sheets.trend import trend_columns
from scoring.result import NotExplained, Result
from scoring.scheme.loader import load_scheme
from tests.helpers import NA, assert_same_totals, make_data, scheme_from
from tests.test_engine_v2 import INNER, MAIN, OUTER
from tests.test_hostile_properties import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def both(scheme, data, period=None) -> tuple[Result, Result]:
    return score(scheme, data, period), score(scheme, data, period, explain=False)


@pytest.fixture(scope="module")
def sample() -> tuple:
    scheme = load_scheme(ROOT / "criteria" / "gov_openness_2021.yaml")
    periods = [Period.parse("2021Q4"), Period.parse("2021Q3")]
    return scheme, periods, load_periods(ROOT / "sample_inputs", periods, scheme, progress=False)


def test_sample_summary_has_the_full_totals_of_both_periods(sample):
    scheme, periods, loaded = sample
    for period, data in zip(periods, loaded):
        full, summary = (score_adjusted(scheme, data, period, ROOT / "sample_inputs", explain=e)[0] for e in (True, False))
        assert_same_totals(full, summary)


def test_outputs_read_the_same_comparison_and_trend_from_a_summary(sample):
    scheme, periods, (now, before) = sample
    result = score(scheme, now, periods[0])
    full, summary = both(scheme, before, periods[1])
    pd.testing.assert_frame_equal(comparison(result, summary), comparison(result, full))
    order = result.ranking()
    for (label, columns), (label_full, columns_full) in zip(trend_columns(result, order, (summary,)),
                                                            trend_columns(result, order, (full,))):
        assert label == label_full
        for column, column_full in zip(columns, columns_full):
            pd.testing.assert_series_equal(column.values, column_full.values)


def test_a_summary_cannot_be_explained(sample):
    scheme, periods, (_, before) = sample
    summary = score(scheme, before, periods[1], explain=False)
    for name in ("details", "groups", "inputs", "issues", "log"):
        with pytest.raises(NotExplained, match="2021Q3"):
            getattr(summary, name)
    with pytest.raises(NotExplained):
        summary.unit(str(summary.units["unit_id"].iloc[0]))
    assert len(summary.totals) == len(summary.units) > 0
    assert summary.ranking().index.tolist() == score(scheme, before, periods[1]).ranking().index.tolist()


def test_the_periods_of_a_run_make_their_shared_records_into_arrays_once(sample, monkeypatch):
    scheme, periods, (now, before) = sample
    assert now.records is before.records and len(now.records)  # one year of records, read once
    built = []
    build = PreparedRecords.build
    monkeypatch.setattr(PreparedRecords, "build", classmethod(lambda cls, *args: built.append(args) or build(*args)))
    shared = Shared()
    score(scheme, now, periods[0], shared=shared)
    summary = score(scheme, before, periods[1], explain=False, shared=shared)
    assert len(built) == 1
    assert_same_totals(score(scheme, before, periods[1]), summary)
    assert len(built) == 2  # without the run's Shared: made again


# Every step that changes points: classes (excluded, on_exclude: full, rescaled), missing and
# undefined policies, 不适用, a bonus with a gate and a cap, penalties, scoped, cap and fail vetoes,
# grade quotas and a tie-break.
HAND_MADE = MAIN.replace("classes:\n", "precision: 1\ntiebreak: [rest]\nclasses:\n  - {id: town, name: 乡镇, exclude: [y]}\n") \
    .replace("{id: rest, name: 其他, points: 50, metric: other, rule: {type: score, scale: 100}}",
             "{id: rest, name: 其他, points: 50, metric: other, missing: full, not_applicable: exclude, "
             "rule: {type: relative}}\n  - {id: r, name: 比率, points: 10, metric: share, when_undefined: zero, "
             "missing: exclude, rule: {type: linear, zero_at: 0, full_at: 1}}") \
    .replace("total: 100", "total: 110").replace("  - {id: other, name: 其他评估}",
                                                 "  - {id: other, name: 其他评估}\n  - {id: share, ratio: [demo, site_down]}") \
    .replace("bonus:\n", "bonus:\n  cap: 5\n") \
    .replace("vetoes:\n", "penalties:\n  - {id: p, name: 严重问题扣分, metric: serious, rule: {type: deduct, each: 3}}\n"
             "grades: [{label: 优秀, min: 80, max_share: 0.3}, {label: 合格, min: 60}, {label: 不合格, min: 0}]\nvetoes:\n")
value = st.one_of(st.integers(0, 100), st.floats(0, 100).map(lambda x: round(x, 1)), st.just(NA), st.none())


@settings(SETTINGS, max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["county", "dept", "town", ""]),
                          st.fixed_dictionaries({m: value for m in ("m_x", "m_y", "demo", "site_down", "serious", "other")})),
                min_size=1, max_size=12))
def test_summary_of_a_hand_made_scheme_has_the_full_totals(tmp_path_factory, rows):
    scheme = scheme_from(tmp_path_factory.mktemp("s"), HAND_MADE)
    units = [(f"U{i}", f"单位{i}", klass) for i, (klass, _) in enumerate(rows)]
    values = {f"U{i}": {m: v for m, v in cells.items() if v is not None} for i, (_, cells) in enumerate(rows)}
    assert_same_totals(*both(scheme, make_data(units, values, period="2021Q4")))


def test_summary_of_a_linked_scheme_has_the_full_totals(tmp_path):
    scheme_from(tmp_path, INNER, name="inner.yaml")
    outer = scheme_from(tmp_path, OUTER.replace(" ON_FAIL", ""), name="outer.yaml")
    data = make_data([("U1", "甲", ""), ("U2", "乙", ""), ("U3", "丙", "")],
                     {"U1": {"m_s": 85, "leaks": 0, "perf": 50}, "U2": {"m_s": 90, "leaks": 1, "perf": 50},
                      "U3": {"perf": 70}})
    assert_same_totals(*both(outer, data))


ADJUSTMENTS = """单位,指标,调整后数值,调整后得分,理由,批准人,日期
甲县,m_y,20,,补报,王主任,2022-01-10
乙县,rest,,12.5,复核认定,王主任,2022-01-11
"""


def test_adjustments_change_a_summary_as_they_change_the_full_result(tmp_path):
    scheme = scheme_from(tmp_path, HAND_MADE)
    source = tmp_path / "data"
    source.mkdir()
    (source / "复核调整.csv").write_text(ADJUSTMENTS, encoding="utf-8")
    units = [("C1", "甲县", "county"), ("C2", "乙县", "county"), ("D1", "戊局", "dept")]
    row = {"m_x": 80, "m_y": 90, "demo": 3, "site_down": 1, "serious": 0, "other": 80}
    data = make_data(units, {u: row for u, _, _ in units}, period="2021Q4")
    period = Period.parse("2021Q4")
    full, adjustments = score_adjusted(scheme, data, period, source)
    summary, same = score_adjusted(scheme, data, period, source, explain=False)
    assert len(adjustments) == 2 and same == adjustments
    assert_same_totals(full, summary)
    plain = score(scheme, data, period, explain=False).totals
    # 甲县 新媒体 20 × 0.2 = 4 instead of 18; 乙县 其他 12.5 instead of 50
    assert plain.loc["C1", "base"] - summary.totals.loc["C1", "base"] == pytest.approx(14)
    assert plain.loc["C2", "base"] - summary.totals.loc["C2", "base"] == pytest.approx(37.5)
