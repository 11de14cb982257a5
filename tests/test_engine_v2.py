"""Version 2 engine-order constructs, each on numbers worked out by hand (docs/criteria.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.errors import CriteriaError
from tests.helpers import make_data, points, scheme_from

FLOORS = """
id: floors
name: 扣分下限
total: 20
metrics: [{id: m_a, name: 差错, unit: 处}, {id: m_b, name: 评估乙}, {id: m_c, name: 评估丙}]
indicators:
  - id: g
    name: 一组
    points: 20
    children:
      - id: mid
        name: 中项
        points: 10
        children:
          - {id: a, name: 甲, points: 5, metric: m_a, rule: {type: deduct, each: 4, floor: FLOOR}}
          - {id: b, name: 乙, points: 5, metric: m_b, rule: {type: score, scale: 100}}
      - {id: c, name: 丙, points: 10, metric: m_c, rule: {type: score, scale: 100}}
"""


@pytest.mark.parametrize("floor, a, total", [("leaf", 0, 15), ("parent", -7, 10), ("group", -7, 8)])
def test_floor_parent_stops_at_the_parent_group(tmp_path, floor, a, total):
    # 3 faults × 4 = 12 off 5 points: leaf 0 | parent: 甲 −7, 中项 −7 + 5 = −2 → 0 | group: 中项 −2, 一组 −2 + 10 = 8
    result = score(scheme_from(tmp_path, FLOORS.replace("FLOOR", floor)),
                   make_data([("U1", "甲局", "")], {"U1": {"m_a": 3, "m_b": 100, "m_c": 100}}))
    assert points(result, "U1", "a") == a
    assert result.totals.loc["U1", "total"] == total
    if floor == "parent":
        assert "差错 3 处 × 4 → 扣 12 分,得 -7/5" in result.details["explanation"].iloc[0]
        assert any(s.stage == "group" and s.item_id == "mid" and s.before == -2 and s.after == 0 for s in result.log)


def test_floor_parent_on_a_first_level_leaf_is_refused(tmp_path):
    with pytest.raises(CriteriaError, match="本身就是一级指标.*floor: parent"):
        scheme_from(tmp_path, """
        id: f
        name: f
        total: 5
        metrics: [{id: m_a}]
        indicators:
          - {id: a, points: 5, metric: m_a, rule: {type: deduct, each: 1, floor: parent}}
        """)


MAIN = """
id: v2
name: 第二版
total: 100
classes:
  - {id: county, name: 县区}
  - {id: dept, name: 部门, exclude: [y], on_exclude: full}
metrics:
  - {id: m_x, name: 网站评估}
  - {id: m_y, name: 新媒体评估}
  - {id: demo, name: 示范点, unit: 个}
  - {id: site_down, name: 网站断链, unit: 次}
  - {id: serious, name: 严重问题, unit: 起}
  - {id: other, name: 其他评估}
indicators:
  - id: website
    name: 网站
    points: 30
    grades: [{label: 合格, min: 21}, {label: 不合格, min: 0}]
    children:
      - {id: x, name: 网站建设, points: 30, metric: m_x, rule: {type: score, scale: 100}}
  - {id: y, name: 新媒体, points: 20, metric: m_y, rule: {type: score, scale: 100}}
  - {id: rest, name: 其他, points: 50, metric: other, rule: {type: score, scale: 100}}
bonus:
  gate: "website + y >= 44"
  items:
    - {id: demo_site, name: 示范点创建, metric: demo, rule: {type: per_item, each: 2}}
vetoes:
  - {id: site_fail, name: 网站不合格, when: "site_down > 0", scope: website, effect: zero}
  - {id: c59, name: 严重问题, metric: serious, when: "> 0", effect: cap, cap: 59}
  - {id: weak, name: 新媒体过低, when: "y < 2", effect: fail}
"""

UNITS = [("C1", "甲县", "county"), ("C2", "乙县", "county"), ("C3", "丙县", "county"), ("C4", "丁县", "county"),
         ("D1", "戊局", "dept")]
VALUES = {
    # 网站 30×0.8 = 24 (合格), 新媒体 20×0.9 = 18: gate 42 < 44 → no bonus; 其他 40 → 82
    "C1": {"m_x": 80, "m_y": 90, "demo": 3, "site_down": 0, "serious": 0, "other": 80},
    # 网站 27 + 新媒体 20 = 47 ≥ 44 → bonus 4 × 2 = 8 (no cap); 其他 25 → 80; 严重问题 → min(80, 59) = 59
    "C2": {"m_x": 90, "m_y": 100, "demo": 4, "site_down": 0, "serious": 1, "other": 50},
    # 网站 scored 30 but vetoed to 0 (不合格 by its grade); gate 0 + 20 < 44 → no bonus; 0 + 20 + 50 = 70
    "C3": {"m_x": 100, "m_y": 100, "demo": 5, "site_down": 2, "serious": 0, "other": 100},
    # 新媒体 1 < 2 → fail: 网站 30 + 1 + 50 = 81 but ranked last
    "C4": {"m_x": 100, "m_y": 5, "demo": 0, "site_down": 0, "serious": 0, "other": 100},
    # dept: 新媒体 not checked → full 20; 网站 15 + 20 + 45 = 80; gate 15 + 20 = 35 → no bonus
    "D1": {"m_x": 50, "demo": 1, "site_down": 0, "serious": 0, "other": 90},
}


@pytest.fixture
def result(tmp_path):
    return score(scheme_from(tmp_path, MAIN), make_data(UNITS, VALUES))


def test_totals_by_hand(result):
    t = result.totals
    assert t["total"].to_dict() == {"C1": 82, "C2": 59, "C3": 70, "C4": 81, "D1": 80}
    assert t["bonus"].to_dict() == {"C1": 0, "C2": 8, "C3": 0, "C4": 0, "D1": 0}
    assert t["rescale"].tolist() == [1, 1, 1, 1, 1]  # on_exclude: full never rescales


def test_on_exclude_full_scores_the_excluded_indicator_as_met(result):
    assert points(result, "D1", "y") == 20
    row = result.details[(result.details["unit_id"] == "D1") & (result.details["item_id"] == "y")].iloc[0]
    assert row["explanation"] == "本类别不检查此项 → 按满分计 20/20" and row["max_points"] == 20


def test_bonus_gate_on_indicator_points_and_no_cap(result):
    d = result.details.set_index(["unit_id", "item_id"])
    assert d.loc[("C2", "demo_site"), "points"] == 8  # 4 × 2, no cap and no item points: unlimited
    assert d.loc[("C1", "demo_site"), "points"] == 0
    assert d.loc[("C1", "demo_site"), "explanation"] == "网站 24、新媒体 18,不满足加分条件“网站 + 新媒体 >= 44” → 不加分"
    # the vetoed part counts 0 in the gate
    assert d.loc[("C3", "demo_site"), "explanation"].startswith("网站 0、新媒体 20,不满足")
    assert any(s.stage == "bonus" and s.unit_id == "C1" and "不满足加分条件" in s.message for s in result.log)


def test_scoped_veto_zeroes_its_indicator_only(result):
    g = result.groups.set_index(["unit_id", "group_id"])
    assert g.loc[("C3", "website"), "points"] == 0 and g.loc[("C3", "website"), "veto"] == "网站不合格"
    assert g.loc[("C3", "y"), "points"] == 20 and g.loc[("C3", "y"), "veto"] == ""
    d = result.details.set_index(["unit_id", "item_id"])
    assert d.loc[("C3", "x"), "points"] == 0 and d.loc[("C3", "x"), "status"] == "vetoed"
    assert d.loc[("C3", "x"), "explanation"] == "网站评估 100/100 × 30 → 30/30;单项否决“网站不合格” → 否决,计0分"
    assert d.loc[("C3", "site_fail"), "explanation"] == "网站断链 2,满足“网站断链 > 0” → 单项否决,“网站”计0分"
    t = result.totals
    assert not t.loc["C3", "vetoed"] and t.loc["C3", "veto_reasons"] == "网站不合格"
    step = next(s for s in result.log if s.item_id == "site_fail")
    assert (step.unit_id, step.before, step.after) == ("C3", 30, 0)


def test_cap_veto_fixes_the_total_and_ranks_by_it(result):
    t = result.totals
    assert t.loc["C2", "total"] == 59 and t.loc["C2", "vetoed"] and t.loc["C2", "veto_effect"] == "cap"
    # ranks: C1 82, D1 80, C3 70, C2 59, then C4 (fail) last although 81
    assert t["rank"].to_dict() == {"C1": 1, "D1": 2, "C3": 3, "C2": 4, "C4": 5}
    d = result.details.set_index(["unit_id", "item_id"])
    assert d.loc[("C2", "c59"), "explanation"] == "严重问题 1,满足“严重问题 > 0” → 单项否决,总分最高计 59 分"
    assert any(s.item_id == "c59" and s.before == 80 and s.after == 59 for s in result.log)


def test_veto_on_indicator_points(result):
    t = result.totals
    assert t.loc["C4", "veto_effect"] == "fail" and t.loc["C4", "total"] == 81
    d = result.details.set_index(["unit_id", "item_id"])
    assert d.loc[("C4", "weak"), "explanation"] == "新媒体 1,满足“新媒体 < 2” → 单项否决,等次为最低等次并排在最后"


def test_group_grades_beside_their_points(result):
    g = result.groups.set_index(["unit_id", "group_id"])
    assert g.loc[("C1", "website"), "grade"] == "合格"  # 24 ≥ 21
    assert g.loc[("D1", "website"), "grade"] == "不合格"  # 15
    assert g.loc[("C3", "website"), "grade"] == "不合格"  # vetoed to 0
    assert g.loc[("C1", "y"), "grade"] == ""  # no grades of its own


def test_explain_shows_group_grade_and_veto(tmp_path, result, capsys):
    from scoring.cli.explain_cmd import group_line

    g = result.groups.set_index(["unit_id", "group_id"]).loc[("C3", "website")]
    assert group_line(g, 2) == "【网站】0/30 · 不合格 · 单项否决:网站不合格"


@pytest.mark.parametrize("text, message", [
    ("metrics: [{id: website, name: 重名}]", "既是指标编号又是指标数据编号"),
    ("metrics: [{id: mix, expr: \"website + 1\"}]", "指标得分只能用在 bonus.gate 和单项否决的 when 中"),
    ("vetoes: [{id: v, when: \"serious > 0\", effect: cap}]", "effect: cap 需要写 cap"),
    ("vetoes: [{id: v, when: \"serious > 0\", cap: 59}]", "cap 只能与 effect: cap 一起使用"),
    ("vetoes: [{id: v, when: \"serious > 0\", scope: website}]", "须与 effect: zero 一起使用"),
    ("vetoes: [{id: v, when: \"serious > 0\", scope: nowhere, effect: zero}]", "scope 中的“nowhere”不是指标编号"),
])
def test_check_errors(tmp_path, text, message):
    base = """
id: e
name: 检查
total: 30
metrics: [{id: serious}, {id: m_x}]
indicators:
  - id: website
    points: 30
    children:
      - {id: x, points: 30, metric: m_x, rule: {type: score, scale: 100}}
bonus:
  gate: "website >= 10"
  items: []
"""
    if text.startswith("metrics:"):
        base = base.replace("metrics: [{id: serious}, {id: m_x}]", text.replace("[", "[{id: serious}, {id: m_x}, ", 1))
        if "website + 1" in text:
            base = base.replace("  gate", "  # gate")
    else:
        base += text + "\n"
    with pytest.raises(CriteriaError, match=message):
        scheme_from(tmp_path, base)


INNER = """
id: inner
name: 公开内层
total: 100
grades: [{label: 良好, min: 80}, {label: 一般, min: 0}]
metrics: [{id: m_s, name: 公开评估}, {id: leaks, name: 泄密, unit: 起}]
indicators:
  - {id: s, name: 公开评估, points: 100, metric: m_s, rule: {type: score, scale: 100}}
vetoes:
  - {id: leak, name: 泄密事件, metric: leaks, when: "> 0", effect: fail}
"""
OUTER = """
id: outer
name: 绩效
total: 10
metrics: [{id: perf, name: 其他}]
indicators:
  - id: g
    name: 绩效组
    points: 10
    children:
      - {id: open, name: 公开, points: 4, rule: {type: scheme, criteria: inner.yaml ON_FAIL}}
      - {id: rest, name: 其他, points: 6, metric: perf, rule: {type: score, scale: 100}}
"""


@pytest.mark.parametrize("on_fail, u2_open", [("", 0), (", on_fail: keep", 3.6)])
def test_linked_scheme_is_transparent(tmp_path, on_fail, u2_open):
    scheme_from(tmp_path, INNER, name="inner.yaml")
    outer = scheme_from(tmp_path, OUTER.replace(" ON_FAIL", on_fail), name="outer.yaml")
    data = make_data([("U1", "甲", ""), ("U2", "乙", "")],
                     {"U1": {"m_s": 85, "leaks": 0, "perf": 50}, "U2": {"m_s": 90, "leaks": 1, "perf": 50}})
    result = score(outer, data)
    d = result.details.set_index(["unit_id", "item_id"])
    assert points(result, "U1", "open") == 3.4  # 85/100 × 4
    assert d.loc[("U1", "open"), "explanation"] == "公开内层总分 85/100(等次 良好) × 4 → 3.4/4"
    assert points(result, "U2", "open") == u2_open
    if not on_fail:
        assert d.loc[("U2", "open"), "explanation"] == "公开内层总分 90/100(等次 一般),单项否决“泄密事件” → 按规定计0分 0/4"
    else:
        assert d.loc[("U2", "open"), "explanation"].endswith("(单项否决“泄密事件”,按规定保留得分)")
    assert result.totals.loc["U2", "total"] == pytest.approx(u2_open + 3)
    # the linked scheme's items under the leaf, paths prefixed with it
    linked = d.loc[("U1", "open/s")]
    assert linked["kind"] == "linked" and linked["path"] == "绩效组 / 公开 / 公开评估" and linked["points"] == 85
    assert d.loc[("U2", "open/leak"), "explanation"].startswith("泄密 1,满足")
    # rows in display order: the linked rows follow their leaf
    assert result.unit("U1")["item_id"].tolist() == ["open", "open/s", "open/leak", "rest"]


GENERATED = MAIN.replace("  - {id: weak, name: 新媒体过低, when: \"y < 2\", effect: fail}\n", "")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(*[st.floats(0, 100)] * 3, st.integers(0, 5), st.integers(0, 2), st.integers(0, 1)),
                min_size=1, max_size=6), st.floats(0.001, 30))
def test_v2_points_stay_in_bounds_and_more_never_scores_less(tmp_path_factory, rows, step):
    scheme = scheme_from(tmp_path_factory.mktemp("v2"), GENERATED)
    units = [(f"U{i}", f"单位{i}", "county" if i % 2 else "dept") for i in range(len(rows))]
    values = {f"U{i}": {"m_x": x, "m_y": y, "other": o, "demo": d, "site_down": s, "serious": c}
              for i, (x, y, o, d, s, c) in enumerate(rows)}
    result = score(scheme, make_data(units, values))
    g = result.groups
    assert (g["points"] >= 0).all() and (g["points"] <= g["max_points"]).all()
    t = result.totals
    assert (t["total"] >= 0).all() and (t.loc[t["veto_effect"] == "cap", "total"] <= 59).all()
    better = {u: {**v, "m_x": min(v["m_x"] + step, 100)} for u, v in values.items()}
    again = score(scheme, make_data(units, better)).totals
    assert (again["total"] >= t["total"] - 1e-9).all()


def test_an_indicator_named_like_a_vocabulary_metric_is_ambiguous_in_a_condition(tmp_path):
    with pytest.raises(CriteriaError, match="“trainings”既是指标编号又是指标数据编号"):
        scheme_from(tmp_path, """
        id: amb
        name: 歧义
        total: 10
        indicators:
          - {id: trainings, name: 培训, points: 10, metric: trainings, rule: {type: per_item, each: 2}}
        vetoes:
          - {id: v, name: 未培训, when: "trainings < 1", effect: fail}
        """)
