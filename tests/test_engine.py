"""The order of evaluation, step by step, on a scheme and data small enough to check on paper."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scoring.engine import score
from tests.helpers import NA, explanation, make_data, points, scheme_from

ORDER_SCHEME = """
id: order-test
name: 顺序测试
total: 100
classes:
  - {id: county, name: 县区}
  - {id: dept, name: 部门, exclude: [g2]}
grades:
  - {label: 优秀, min: 90, max_share: 0.5}
  - {label: 良好, min: 80}
  - {label: 合格, min: 60}
  - {label: 不合格, min: 0}
tiebreak: [g1]
metrics:
  - {id: m_a, name: 评估分}
  - {id: m_b, name: 逾期, unit: 件}
  - {id: m_c, name: 达标}
  - {id: m_x, name: 示范点, unit: 个}
  - {id: m_p, name: 雷同}
  - {id: m_v, name: 泄密}
  - {id: m_z, name: 断网}
indicators:
  - id: g1
    name: 一组
    points: 60
    children:
      - {id: a, name: 评估, points: 30, metric: m_a, rule: {type: score, scale: 100}}
      - {id: b, name: 逾期答复, points: 30, metric: m_b, rule: {type: deduct, each: 20, floor: group}}
  - {id: g2, name: 二组, points: 40, metric: m_c, rule: {type: boolean}}
bonus:
  cap: 5
  items:
    - {id: x, name: 示范, points: 10, metric: m_x, rule: {type: per_item, each: 3}}
penalties:
  - {id: p, name: 雷同扣分, metric: m_p, rule: {type: bands, bands: [{min: 1, points: -10}], else: 0}}
vetoes:
  - {id: v, name: 泄密, metric: m_v, when: "> 0", effect: fail}
  - {id: z, name: 断网, metric: m_z, when: "> 0", effect: zero}
"""

UNITS = [
    ("C1", "甲县", "county"), ("C2", "乙县", "county"), ("C3", "丙县", "county"), ("C4", "丁县", "county"),
    ("D1", "市一局", "dept"), ("D2", "市二局", "dept"), ("D3", "市三局", "dept"),
]
VALUES = {
    "C1": {"m_a": 100, "m_b": 0, "m_c": 1, "m_x": 3},          # 100 + bonus 9 capped 5 = 105
    "C2": {"m_a": 100, "m_b": 4, "m_c": 1},                      # g1 = 30 - 50 → clipped 0; total 40
    "C3": {"m_a": 50, "m_b": 0, "m_c": 1, "m_p": 1},             # 15 + 30 + 40 = 85 - 10 = 75
    "C4": {"m_a": 90, "m_b": 0, "m_c": 1, "m_v": 1},             # 97 but vetoed (fail)
    "D1": {"m_a": 80, "m_b": 0},                                  # 54 of 60 → ×100/60 = 90
    "D2": {"m_a": 80, "m_b": 0, "m_z": 1},                        # 90 → veto zero → 0
    "D3": {"m_a": 100, "m_b": 0, "m_p": 1},                       # 60 of 60 → 100 - 10 = 90
}


@pytest.fixture
def result(tmp_path):
    return score(scheme_from(tmp_path, ORDER_SCHEME), make_data(UNITS, VALUES))


def total(result, unit):
    return float(result.totals.loc[unit, "total"])


def test_totals_by_hand(result):
    expected = {"C1": 105, "C2": 40, "C3": 75, "C4": 97, "D1": 90, "D2": 0, "D3": 90}
    for unit, value in expected.items():
        assert total(result, unit) == pytest.approx(value), unit


def test_group_clipping_of_deductions(result):
    g = result.groups.set_index(["unit_id", "group_id"])
    assert points(result, "C2", "b") == -50  # 30 - 4 × 20, floored at the group, not the leaf
    assert g.loc[("C2", "g1"), "points"] == 0
    assert any(s.stage == "group" and s.unit_id == "C2" for s in result.log)


def test_class_rescale(result):
    t = result.totals
    assert t.loc["D1", "max_base"] == 60
    assert t.loc["D1", "rescale"] == pytest.approx(100 / 60)
    assert t.loc["D1", "rescaled"] == pytest.approx(90)
    assert points(result, "D1", "g2") == 0
    assert "本类别不考核" in explanation(result, "D1", "g2")


def test_bonus_cap_and_penalty(result):
    t = result.totals
    assert t.loc["C1", "bonus_raw"] == 9 and t.loc["C1", "bonus"] == 5
    assert t.loc["C3", "penalty"] == 10
    assert any(s.stage == "bonus" and s.unit_id == "C1" for s in result.log)


def test_penalty_floor_at_zero(tmp_path):
    scheme = scheme_from(tmp_path, ORDER_SCHEME)
    result = score(scheme, make_data([("C1", "甲县", "county")], {"C1": {"m_a": 0, "m_b": 2, "m_c": 0, "m_p": 1}}))
    assert total(result, "C1") == 0
    assert any(s.stage == "penalty" for s in result.log)


def test_veto_fail_and_zero(result):
    t = result.totals
    assert bool(t.loc["C4", "vetoed"]) and t.loc["C4", "veto_effect"] == "fail"
    assert t.loc["C4", "grade"] == "不合格"
    assert t.loc["C4", "class_rank"] == 4  # after all non-vetoed county units despite 97 points
    assert t.loc["C4", "rank"] == 7
    assert t.loc["D2", "veto_effect"] == "zero" and total(result, "D2") == 0
    assert "单项否决" in explanation(result, "C4", "v")


def test_grades_quota_and_tiebreak(result):
    t = result.totals
    assert t.loc["C1", "grade"] == "优秀"
    assert t.loc["D3", "grade"] == "优秀" and t.loc["D3", "class_rank"] == 1  # tie at 90 broken by g1 (60 > 54)
    assert t.loc["D1", "grade"] == "良好" and bool(t.loc["D1", "demoted"])  # 优秀 quota: floor(0.5 × 3) = 1
    assert t.loc["C3", "grade"] == "合格" and t.loc["C2", "grade"] == "不合格"
    assert any(s.stage == "grade" and s.unit_id == "D1" for s in result.log)


def test_ranks_overall_and_per_class(result):
    t = result.totals
    assert t["rank"].to_dict() == {"C1": 1, "D3": 2, "D1": 3, "C3": 4, "C2": 5, "D2": 6, "C4": 7}
    assert t.loc[["C1", "C3", "C2", "C4"], "class_rank"].tolist() == [1, 2, 3, 4]
    assert t.loc[["D3", "D1", "D2"], "class_rank"].tolist() == [1, 2, 3]


def test_ties_share_rank_without_tiebreak(tmp_path):
    text = ORDER_SCHEME.replace("tiebreak: [g1]\n", "")
    result = score(scheme_from(tmp_path, text), make_data(UNITS, VALUES))
    t = result.totals
    assert t.loc["D1", "class_rank"] == t.loc["D3", "class_rank"] == 1
    assert t.loc["D2", "class_rank"] == 3
    # both tied at the 优秀 cut: the quota (1) cannot split a tie, so both are demoted
    assert t.loc["D1", "grade"] == t.loc["D3", "grade"] == "良好"


POLICY_SCHEME = """
id: policy
name: 缺失策略
total: 40
metrics:
  - {id: ok_on_time, name: 按时答复}
  - {id: received, name: 收到申请}
  - {id: rate, name: 按时答复率, ratio: [ok_on_time, received]}
  - {id: m, name: 数据}
indicators:
  - {id: zero, points: 10, metric: m, missing: zero, rule: {type: score, scale: 100}}
  - {id: full, points: 10, metric: m, missing: full, rule: {type: score, scale: 100}}
  - {id: excl, points: 10, metric: m, missing: exclude, rule: {type: score, scale: 100}}
  - {id: err, points: 10, metric: m, missing: error, rule: {type: score, scale: 100}}
"""


def test_missing_policies(tmp_path):
    scheme = scheme_from(tmp_path, POLICY_SCHEME)
    result = score(scheme, make_data([("U1", "甲", ""), ("U2", "乙", "")], {"U1": {"m": 50}}))
    assert [points(result, "U2", i) for i in ("zero", "full", "excl", "err")] == [0, 10, 0, 0]
    d = result.details.set_index(["unit_id", "item_id"])
    assert d.loc[("U2", "excl"), "max_points"] == 0
    t = result.totals
    assert t.loc["U2", "max_base"] == 30
    assert t.loc["U2", "total"] == 13.33  # 10 of 30 applicable, rescaled to 40: 13.333…, stored as shown
    assert t.loc["U1", "total"] == 20
    severities = sorted(i.severity for i in result.issues if i.unit == "乙")
    assert severities == ["error", "info", "info", "warning"]  # error → error, zero → warning, full/exclude → info


@pytest.mark.parametrize("policy, expected_points, expected_max", [
    ("full", 10, 10), ("zero", 0, 10), ("exclude", 0, 0), ("missing", 0, 10),
])
def test_when_undefined(tmp_path, policy, expected_points, expected_max):
    text = f"""
    id: undefined
    name: 无定义
    total: 10
    metrics:
      - {{id: ok_on_time, name: 按时答复}}
      - {{id: received, name: 收到申请}}
      - {{id: rate, name: 按时答复率, ratio: [ok_on_time, received]}}
    indicators:
      - {{id: on_time, points: 10, metric: rate, when_undefined: {policy}, rule: {{type: linear, zero_at: 0.8, full_at: 1}}}}
    """
    result = score(scheme_from(tmp_path, text), make_data(
        [("U1", "甲", ""), ("U2", "乙", "")], {"U1": {"ok_on_time": 9, "received": 10}, "U2": {"ok_on_time": 0, "received": 0}}))
    assert points(result, "U1", "on_time") == pytest.approx(5)
    assert points(result, "U2", "on_time") == expected_points
    d = result.details.set_index(["unit_id", "item_id"])
    assert d.loc[("U2", "on_time"), "max_points"] == expected_max
    if policy == "full":
        assert explanation(result, "U2", "on_time") == "按时答复率无定义(分母为0,如无申请) → 按规定满分 10/10"


def test_not_applicable_value_is_left_out_and_rescaled(tmp_path):
    text = """
    id: na
    name: 不适用
    total: 20
    indicators:
      - {id: a, points: 10, metric: trainings, rule: {type: per_item, each: 5}}
      - {id: b, points: 10, metric: consultations, rule: {type: per_item, each: 1}}
    """
    result = score(scheme_from(tmp_path, text), make_data([("U1", "甲", "")], {"U1": {"trainings": 1, "consultations": NA}}))
    assert result.totals.loc["U1", "total"] == pytest.approx(5 * 20 / 10)
    assert "不适用" in explanation(result, "U1", "b")


def test_per_period_thresholds_quarter(tmp_path):
    text = """
    id: per
    name: 折算
    total: 10
    indicators:
      - {id: v, points: 10, metric: proactive_items, rule: {type: bands, bands: [{min: 400, points: 10}], else: 0, per: year}}
    """
    scheme = scheme_from(tmp_path, text)
    data = make_data([("U1", "甲", ""), ("U2", "乙", "")], {"U1": {"proactive_items": 100}, "U2": {"proactive_items": 99}}, period="2021Q4")
    result = score(scheme, data, "2021Q4")
    assert [points(result, u, "v") for u in ("U1", "U2")] == [10, 0]
    half = score(scheme, make_data([("U1", "甲", "")], {"U1": {"proactive_items": 200}}, period="2021H1"), "2021H1")
    assert points(half, "U1", "v") == 10
    assert "≥200" in explanation(half, "U1", "v")


def test_record_metric_and_expr(tmp_path):
    text = """
    id: rec
    name: 记录
    total: 10
    metrics:
      - {id: gap, name: 最长未更新天数, unit: 天, records: {measure: max_gap_days, where: {category: 工作动态}}}
      - {id: both, name: 合计, expr: "reconsiderations_corrected + lawsuits_corrected"}
    indicators:
      - {id: fresh, points: 6, metric: gap, rule: {type: bands, bands: [{max: 14, points: 6}, {max: 30, points: 3}], else: 0}}
      - {id: corr, points: 4, metric: both, rule: {type: deduct, each: 1}}
    """
    records = [("U1", f"2021-10-{d:02d}", "工作动态") for d in (10, 20, 30)] + [
        ("U1", "2021-11-15", "工作动态"), ("U1", "2021-12-01", "工作动态"), ("U1", "2021-12-20", "工作动态"),
        ("U2", "2021-10-05", "工作动态"), ("U2", "2021-11-30", "通知公告"),
    ]
    data = make_data([("U1", "甲", ""), ("U2", "乙", "")],
                     {"U1": {"reconsiderations_corrected": 1, "lawsuits_corrected": 2}, "U2": {"reconsiderations_corrected": 0, "lawsuits_corrected": 0}},
                     period="2021Q4", records=records)
    result = score(scheme_from(tmp_path, text), data, "2021Q4")
    d = result.details.set_index(["unit_id", "item_id"])
    # U1 gaps: 10-01→10-10 (9), …, 10-30→11-15 (16), 12-01→12-20 (19), 12-20→end of 12-31 (12): max 19
    assert d.loc[("U1", "fresh"), "value"] == 19 and d.loc[("U1", "fresh"), "points"] == 3
    # U2: only 10-05 in 工作动态: gap to the end of the quarter (end of 12-31) = 88 days
    assert d.loc[("U2", "fresh"), "value"] == 88 and d.loc[("U2", "fresh"), "points"] == 0
    assert d.loc[("U1", "corr"), "points"] == 1 and d.loc[("U2", "corr"), "points"] == 4


def test_scheme_rule_scales_other_scheme(tmp_path):
    scheme_from(tmp_path, """
    id: inner
    name: 内层
    total: 100
    indicators:
      - {id: s, points: 100, metric: evaluation_score, rule: {type: score, scale: 100}}
    metrics:
      - {id: evaluation_score, name: 评估}
    """, name="inner.yaml")
    outer = scheme_from(tmp_path, """
    id: outer
    name: 外层
    total: 10
    indicators:
      - {id: open, name: 公开, points: 4, rule: {type: scheme, criteria: inner.yaml}}
      - {id: rest, points: 6, metric: perf, rule: {type: score, scale: 100}}
    metrics:
      - {id: perf, name: 其他}
    """, name="outer.yaml")
    result = score(outer, make_data([("U1", "甲", "")], {"U1": {"evaluation_score": 75, "perf": 50}}))
    assert points(result, "U1", "open") == pytest.approx(3)
    assert result.totals.loc["U1", "total"] == pytest.approx(6)


def test_explanations_exist_for_every_row(result):
    assert result.details["explanation"].str.len().min() > 0
    assert (result.details["points"][result.details["kind"] == "indicator"] <= result.details["max_points"][result.details["kind"] == "indicator"] + 1e-9).all()


def test_result_is_immutable(result):
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.totals = None  # type: ignore[misc]
    assert np.all(result.totals["rank"] >= 1)


def test_group_floor_applies_at_the_first_level(tmp_path):
    """Three levels: a `floor: group` deduction passes the middle group and stops at the first level."""
    text = """
    id: nested
    name: 三级
    total: 20
    indicators:
      - id: top
        points: 20
        children:
          - id: mid
            points: 10
            children:
              - {id: overdue, points: 10, metric: applications_overdue, rule: {type: deduct, each: 6, floor: group}}
          - {id: other, points: 10, metric: trainings, rule: {type: per_item, each: 10}}
    """
    scheme = scheme_from(tmp_path, text)
    result = score(scheme, make_data([("U1", "甲", ""), ("U2", "乙", "")],
                                     {"U1": {"applications_overdue": 3, "trainings": 1}, "U2": {"applications_overdue": 5, "trainings": 1}}))
    # U1: 10 - 18 = -8 in the middle group, 10 - 8 = 2 at the first level
    assert result.totals.loc["U1", "total"] == 2
    # U2: 10 - 30 = -20; 10 - 20 → floored at 0 for the first-level indicator
    assert result.totals.loc["U2", "total"] == 0
