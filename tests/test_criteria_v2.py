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


DEDUCTIONS = """
id: standard
name: 发布规范
total: 20
metrics:
  - {id: early_or_late_items, name: 公文提前或超期公开, unit: 条}
  - {id: bad_metadata_items, name: 要素未规范录入, unit: 条, blank: zero}
indicators:
  - id: standard
    name: 发布规范
    points: 10
    rule:
      type: deductions
      items:
        - {metric: early_or_late_items, name: 公文提前或超期公开, each: 5}
        - {metric: bad_metadata_items, name: 要素未规范录入, each: 1, max: 3}
  - {id: t, name: 培训, points: 10, metric: trainings, rule: {type: step, start: 2, every: 2, each: 2}}
"""


def test_deductions_leaf_with_not_applicable_and_missing_items(tmp_path):
    scheme = scheme_from(tmp_path, DEDUCTIONS)
    units = [("U1", "甲局", ""), ("U2", "乙局", ""), ("U3", "丙局", ""), ("U4", "丁局", "")]
    data = make_data(units, {
        "U1": {"early_or_late_items": 1, "bad_metadata_items": 4, "trainings": 5},   # 10−5−3 = 2; 2×(1+1) = 4
        "U2": {"early_or_late_items": "不适用", "bad_metadata_items": None, "trainings": 2},  # item N/A, blank → 0: 10
        "U3": {"early_or_late_items": "不适用", "bad_metadata_items": "不适用", "trainings": 10},  # all N/A
        "U4": {"early_or_late_items": None, "bad_metadata_items": 1, "trainings": 1},  # an item missing → leaf 0
    })
    r = score(scheme, data)
    assert explanation(r, "U1", "standard") == "公文提前或超期公开 1 条 × 5 → 扣 5;要素未规范录入 4 条 × 1 → 扣 3(上限);得 2/10"
    assert [points(r, "U1", i) for i in ("standard", "t")] == [2, 4]
    assert r.totals.loc["U1", "total"] == 6
    # 乙局: the 不适用 item takes nothing off and is listed; the blank under blank: zero is 0 faults
    assert points(r, "U2", "standard") == 10 and r.totals.loc["U2", "total"] == 12
    [claim] = [i for i in r.issues if i.unit == "乙局"]
    assert claim.severity == "info" and claim.metric == "early_or_late_items" and "该项不扣分" in claim.message
    # 丙局: every item 不适用 → the leaf is; 培训 10 → 2 × 5 = 10 of 10 → × 20/10 = 20
    assert r.details.query("unit_id == 'U3' and item_id == 'standard'")["status"].item() == "not_applicable"
    assert r.totals.loc["U3", "total"] == 20
    assert len([i for i in r.issues if i.unit == "丙局"]) == 2  # both claims listed
    # 丁局: a missing item makes the leaf missing: `missing: zero` → 0 of 10, warned naming the item's cell
    assert points(r, "U4", "standard") == 0 and r.totals.loc["U4", "total"] == 0
    assert explanation(r, "U4", "standard") == "“公文提前或超期公开”未填写 → 按0分计 0/10"
    [blank] = [i for i in r.issues if i.unit == "丁局"]
    assert blank.severity == "warning" and blank.metric == "early_or_late_items" and blank.row is not None


def test_deductions_leaf_may_not_name_a_metric(tmp_path):
    text = DEDUCTIONS.replace("    name: 发布规范\n    points: 10\n", "    name: 发布规范\n    points: 10\n    metric: trainings\n")
    with pytest.raises(CriteriaError, match="不读取 metric") as err:
        scheme_from(tmp_path, text)
    assert err.value.location.key == "indicators[0].metric"


def test_deductions_items_must_name_known_metrics(tmp_path):
    with pytest.raises(CriteriaError, match="既未在 metrics 中声明") as err:
        scheme_from(tmp_path, DEDUCTIONS.replace("{metric: bad_metadata_items,", "{metric: bad_metadata,"))
    assert err.value.location.key == "indicators[0].rule.items[1].metric"


BY_CLASS = """
id: byclass
name: 分类规则
total: 10
classes:
  - {id: county, name: 县区}
  - {id: dept, name: 部门}
indicators:
  - id: new_media_errors
    name: 新媒体差错
    points: 5
    metric: new_media_errors
    rule: {type: deduct, each: 1}
    by_class:
      dept: {rule: {type: deduct, each: 0.5}, missing: full}
  - {id: t, name: 培训, points: 5, metric: trainings, rule: {type: per_item, each: 1}}
metrics:
  - {id: new_media_errors, name: 新媒体差错, unit: 处}
"""


def test_by_class_rule_and_missing_policy(tmp_path):
    scheme = scheme_from(tmp_path, BY_CLASS)
    units = [("C1", "甲县", "county"), ("C2", "乙县", "county"), ("D1", "一局", "dept"), ("D2", "二局", "dept")]
    data = make_data(units, {
        "C1": {"new_media_errors": 3, "trainings": 5},   # 5 − 3 × 1 = 2
        "C2": {"trainings": 5},                           # missing: the leaf's `missing: zero` → 0, warned
        "D1": {"new_media_errors": 3, "trainings": 5},   # 5 − 3 × 0.5 = 3.5
        "D2": {"trainings": 5},                           # missing: the class's `missing: full` → 5 (info)
    })
    r = score(scheme, data)
    assert [points(r, u, "new_media_errors") for u in ("C1", "C2", "D1", "D2")] == [2, 0, 3.5, 5]
    assert [float(r.totals.loc[u, "total"]) for u in ("C1", "C2", "D1", "D2")] == [7, 5, 8.5, 10]
    assert explanation(r, "D1", "new_media_errors") == "新媒体差错 3 处 × 0.5 → 扣 1.5 分,得 3.5/5"
    rule_text = r.details.query("unit_id == 'D1' and item_id == 'new_media_errors'")["rule_text"].item()
    assert rule_text == "新媒体差错每处扣1分(部门:新媒体差错每处扣0.5分)"
    [c2] = [i for i in r.issues if i.unit == "乙县"]
    [d2] = [i for i in r.issues if i.unit == "二局"]
    assert (c2.severity, d2.severity) == ("warning", "info") and "按满分计" in d2.message


@pytest.mark.parametrize(("change", "message", "key"), [
    ("dept: {rule: {type: deduct, each: 0.5}, missing: full}", "不是类别编号", "by_class.town"),
    ("dept: {rule: {type: deduct, each: 0.5}, points: 3}", "未知的键“points”。可用的键:rule、missing",
     "by_class.dept.points"),
    ("dept: {rule: {type: deductions, items: [{metric: trainings, each: 1}]}}", "取数方式不同",
     "by_class.dept.rule.type"),
])
def test_by_class_checks(tmp_path, change, message, key):
    text = BY_CLASS.replace("dept: {rule: {type: deduct, each: 0.5}, missing: full}", change)
    if message == "不是类别编号":
        text = text.replace("      dept: {", "      town: {")
    with pytest.raises(CriteriaError, match=message) as err:
        scheme_from(tmp_path, text)
    assert err.value.location.key == f"indicators[0].{key}"


CHECKED = """
id: checks
name: 检查
total: 10
classes:
  - {id: dept, name: 部门, exclude: [a1]}
indicators:
  - id: g
    name: 分组
    points: 10
    children:
      - {id: a1, name: 甲项, points: 6, metric: trainings, rule: {type: bands, bands: [{min: 3, points: 6}], else: 0}}
      - {id: a2, name: 乙项, points: 4, metric: consultations, rule: {type: per_item, each: 1}}
"""


@pytest.mark.parametrize(("old", "new", "message", "line"), [
    ("else: 0}", "else: 7}", "else(未达任何档次时)得 7 分,高于该指标分值 6 分", 12),
    ("exclude: [a1]", "exclude: [a1, a2]", "类别“部门”排除了全部指标", 6),
    ("{id: a1, name: 甲项,", "{id: a1, name: 甲项,发布,", "未知的键“发布”(没有值)。多半是 {…} 里的名称含英文逗号", 12),
    ("metric: consultations, rule: {type: per_item, each: 1}",
     "metric: consultations, rule: {type: scheme, criteria: other.yaml}", "不读取 metric", 13),
    ("rule: {type: per_item, each: 1}", "rule: {type: per_item, each: 1}, missing: skip",
     "取值“skip”无效,应为以下之一:zero、full、exclude、error", 13),
])
def test_check_errors(tmp_path, old, new, message, line):
    (tmp_path / "other.yaml").write_text("id: o\nname: o\ntotal: 1\nindicators:\n"
                                         "  - {id: x, points: 1, metric: trainings, rule: {type: boolean}}\n",
                                         encoding="utf-8")
    assert old in CHECKED
    with pytest.raises(CriteriaError) as err:
        scheme_from(tmp_path, CHECKED.replace(old, new))
    assert message in err.value.message and err.value.location.line == line
