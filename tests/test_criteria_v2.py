"""Version 2 constructs of the criteria language, each scored on data small enough to check by hand."""

from __future__ import annotations

import pytest

from scoring.engine import score
from scoring.errors import CriteriaError
from tests.helpers import explanation, make_data, points, scheme_from

UNITS = [("U1", "甲局", "dept"), ("U2", "乙局", "dept"), ("U3", "丙县", "county")]


def test_months_below_a_monthly_quota_and_period_months_in_expr(tmp_path):
    """"每月不低于3条,出现一个月扣2分" and "全期每月至少2条" as an expr over the run's months."""
    scheme = scheme_from(tmp_path, """
    id: quota
    name: 月度任务
    total: 20
    metrics:
      - id: short_months
        name: 未达标月数
        unit: 个月
        records: {measure: months_below, threshold: 3, where: {category: 工作动态}}
      - {id: silent_months, name: 无更新月数, unit: 个月, records: {measure: months_without_updates}}
      - {id: items, name: 发布条数, unit: 条, records: {measure: count}}
      - {id: quota_met, name: 完成月均任务, expr: "items >= 2 * period_months"}
    indicators:
      - {id: quota, name: 月度任务, points: 10, metric: short_months, rule: {type: deduct, each: 2}}
      - {id: silent, name: 无更新, points: 5, metric: silent_months, rule: {type: deduct, each: 5}}
      - {id: met, name: 月均任务, points: 5, metric: quota_met, rule: {type: boolean}}
    """)
    records = (
        [("U1", f"2021-10-{d:02d}", "工作动态") for d in (1, 2, 3)]  # Oct: 3 (meets 3)
        + [("U1", f"2021-11-{d:02d}", "工作动态") for d in (1, 2)]  # Nov: 2 (below)
        + [("U1", "2021-12-01", "通知公告")]  # Dec: no 工作动态 at all (below); 6 items in all
        + [("U2", "2021-10-05", "工作动态")]  # U2: Oct 1 item, Nov and Dec none
    )
    data = make_data(UNITS, {}, period="2021Q4", records=records)
    r = score(scheme, data, "2021Q4")
    # U1: 2 months below → 10 − 4 = 6; every month has an item → 5; 6 items ≥ 2 × 3 months → 5
    assert [points(r, "U1", i) for i in ("quota", "silent", "met")] == [6, 5, 5]
    # U2: 3 months below → 10 − 6 = 4; 2 silent months → 5 − 10 → 0; 1 item < 6 → 0
    assert [points(r, "U2", i) for i in ("quota", "silent", "met")] == [4, 0, 0]
    # U3 has no record at all: every month below the quota and silent
    assert [points(r, "U3", i) for i in ("quota", "silent", "met")] == [4, 0, 0]
    assert explanation(r, "U1", "quota") == "未达标月数 2 个月 × 2 → 扣 4 分,得 6/10"
    # a year run: period_months is 12 (6 items < 24)
    year = score(scheme, make_data(UNITS, {}, period="2021", records=records), "2021")
    assert points(year, "U1", "met") == 0 and points(year, "U1", "silent") == 0  # 9 silent months


@pytest.mark.parametrize(("records", "message"), [
    ("{measure: months_below}", "threshold"),
    ("{measure: count, threshold: 3}", "threshold"),
    ("{measure: months_below, threshold: 0}", "应 > 0"),
])
def test_months_below_needs_its_threshold(tmp_path, records, message):
    with pytest.raises(CriteriaError, match=message) as err:
        scheme_from(tmp_path, f"""
        id: t
        name: t
        total: 10
        metrics:
          - {{id: m, records: {records}}}
        indicators:
          - {{id: a, points: 10, metric: m, rule: {{type: deduct, each: 1}}}}
        """)
    assert err.value.location.line == 6


def test_period_months_is_a_reserved_name(tmp_path):
    with pytest.raises(CriteriaError, match="保留名称"):
        scheme_from(tmp_path, """
        id: t
        name: t
        total: 10
        metrics:
          - {id: period_months}
        indicators:
          - {id: a, points: 10, metric: period_months, rule: {type: deduct, each: 1}}
        """)


def test_invalid_default_is_reported_at_defaults(tmp_path):
    with pytest.raises(CriteriaError) as err:
        scheme_from(tmp_path, """
        id: t
        name: t
        total: 10
        defaults: {missing: skip}
        indicators:
          - {id: a, points: 10, metric: trainings, rule: {type: deduct, each: 1}}
        """)
    assert err.value.location.line == 5
    assert err.value.message.endswith("取值“skip”无效,应为以下之一:zero、full、exclude、error")
