"""One rounding: half up (四舍五入) to the scheme's precision, the same digits everywhere."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.rounding import fixed_text, half_up, half_up_exact
from scoring.rules.base import num, nums
from tests.helpers import make_data, points, scheme_from


@pytest.mark.parametrize("value, precision, expected", [
    (2.675, 2, 2.68), (2.665, 2, 2.67), (0.125, 2, 0.13), (90.5, 0, 91), (89.5, 0, 90), (-2.5, 0, -3),
    (0.1 + 0.2, 1, 0.3), (sum([0.1] * 895), 0, 90), (1.005, 2, 1.01), (-0.0001, 2, 0.0), (1e12 + 0.5, 0, 1e12 + 1),
    (1e300, 2, 1e300), (-1.7e308, 6, -1.7e308),
])
def test_half_up_examples(value, precision, expected):
    assert half_up_exact(value, precision) == expected
    assert half_up(np.array([value]), precision)[0] == expected


decimals = st.builds(lambda units, scale: units / 10**scale, st.integers(-10**9, 10**9), st.integers(0, 5))


@settings(max_examples=500, deadline=None)
@given(st.lists(decimals, min_size=1, max_size=6), st.integers(0, 4))
def test_vectorised_rounding_equals_the_decimal_reference(parts, precision):
    values = np.array([*parts, sum(parts), parts[0] * 3 / 7], dtype=float)
    expected = [half_up_exact(v, precision) for v in values]
    assert half_up(values, precision).tolist() == expected


def test_texts_use_the_same_rounding():
    assert num(2.675) == "2.68" and num(90.5, 0) == "91" and num(0.125) == "0.13"
    assert nums(np.array([2.675, 89.5, np.nan]), 0).tolist() == ["3", "90", "—"]
    # beyond 1e9 once scaled the exact path runs; its product is 33554428999.999996 in binary
    assert num(335544.29, 5) == "335544.29" and nums(np.array([335544.29]), 5).tolist() == ["335544.29"]


any_float = st.one_of(decimals, st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**18, 10**18))


@settings(max_examples=1000, deadline=None)
@given(st.lists(any_float, min_size=1, max_size=8), st.integers(0, 6))
def test_one_number_is_written_as_the_vectorised_formatter_writes_it(values, precision):
    """`num` (one number, Python ints) and `nums` (arrays, numpy strings) give the same digits."""
    assert [num(v, precision) for v in values] == nums(np.array(values, dtype=float), precision).tolist()


@settings(max_examples=500, deadline=None)
@given(st.lists(any_float, min_size=1, max_size=8), st.integers(0, 6))
def test_fixed_decimals_are_the_rounded_value_written_with_percent_f(values, precision):
    """The CSV's numbers: "%.{p}f" of the half-up value, "" for a missing one."""
    expected = ["" if not np.isfinite(v) else f"{half_up_exact(float(v), precision):.{precision}f}" for v in values]
    assert fixed_text(np.array(values, dtype=float), precision).tolist() == expected


def test_fixed_decimals_of_a_long_column_equal_those_of_each_value():
    values = np.random.default_rng(0).integers(-10_000, 10_000, 5_000) / 8  # repeats; .125 and .375 halves
    values[::7] = np.nan
    expected = ["" if np.isnan(v) else f"{half_up_exact(v, 2):.2f}" for v in values]
    assert fixed_text(values, 2).tolist() == expected


def test_fixed_decimals_examples():
    assert fixed_text([2.675, 90.1, -3, 0.004, np.nan], 2).tolist() == ["2.68", "90.10", "-3.00", "0.00", ""]
    assert fixed_text([89.5, -0.4], 0).tolist() == ["90", "0"]


PRECISION_0 = """
id: p0
name: 取整
total: 100
precision: 0
grades: [{label: 优秀, min: 91}, {label: 良好, min: 0}]
metrics: [{id: m_s, name: 评估}]
indicators:
  - {id: s, name: 评估, points: 100, metric: m_s, rule: {type: score, scale: 100}}
"""


def test_precision_0_ranks_and_grades_read_the_rounded_totals(tmp_path):
    """Issue 15 item 10: 90.5 / 90 / 89.5 show as 91 / 90 / 90 and rank 1, 2, 2."""
    result = score(scheme_from(tmp_path, PRECISION_0), make_data(
        [("A", "甲", ""), ("B", "乙", ""), ("C", "丙", "")], {"A": {"m_s": 90.5}, "B": {"m_s": 90}, "C": {"m_s": 89.5}}))
    t = result.totals
    assert t["total"].tolist() == [91, 90, 90]
    assert t["rank"].tolist() == [1, 2, 2]
    assert t["grade"].tolist() == ["优秀", "良好", "良好"]
    assert points(result, "A", "s") == 91
    assert result.details["explanation"].iloc[0].endswith("→ 91/100")


def test_every_stored_number_is_rounded_half_up(tmp_path):
    text = PRECISION_0.replace("precision: 0", "precision: 2").replace("grades: [{label: 优秀, min: 91}, {label: 良好, min: 0}]", "")
    result = score(scheme_from(tmp_path, text), make_data([("A", "甲", "")], {"A": {"m_s": 2.675}}))
    assert points(result, "A", "s") == 2.68
    assert result.totals.loc["A", "total"] == 2.68
    assert result.groups["points"].tolist() == [2.68]
    assert "2.68/100" in result.details["explanation"].iloc[0]


RESCALED = """
id: rs
name: 折算
total: 100
precision: 2
classes: [{id: dept, name: 部门, exclude: [b]}]
metrics: [{id: m_a, name: 甲}, {id: m_b, name: 乙}]
indicators:
  - {id: a, name: 甲项, points: 90, metric: m_a, rule: {type: score, scale: 100}}
  - {id: b, name: 乙项, points: 10, metric: m_b, rule: {type: score, scale: 100}}
"""


def test_a_rescaled_unit_carries_its_points_before_and_the_factor(tmp_path):
    result = score(scheme_from(tmp_path, RESCALED), make_data([("D", "丁局", "dept")], {"D": {"m_a": 75}}))
    row = result.totals.loc["D"]
    # 折算前得分 90 × 0.75 = 67.5; 折算系数 100/90; 67.5 × 100/90 = 75
    assert row["base"] == 67.5 and row["max_base"] == 90
    assert row["rescale"] == pytest.approx(100 / 90) and row["rescale_text"] == "100/90"
    assert row["total"] == 75
