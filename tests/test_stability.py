"""Rank stability (`score --stability`): intervals of approximate numbers worked out by hand, and
Monte Carlo results whose answer is known without drawing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.rounding import half_up
from scoring.stability import stability
from scoring.uncertainty import Interval, Uncertainty, interval
from tests.helpers import make_data, scheme_from

CRITERIA = """\
id: stab
name: 稳定性测试
total: 100
grades:
  - {label: 优秀, min: 90}
  - {label: 良好, min: 60}
  - {label: 合格, min: 0}
metrics:
  - {id: proactive_items, name: 主动公开信息, unit: 条}
  - {id: evaluation_score, name: 第三方评估得分, unit: 分, uncertainty: {sd: 2}}
indicators:
  - {id: volume, name: 信息发布数量, points: 50, metric: proactive_items, rule: {type: linear, zero_at: 0, full_at: 1000}}
  - {id: third, name: 第三方评估, points: 50, metric: evaluation_score, rule: {type: score, scale: 100}}
"""

UNITS = [("A", "甲局", ""), ("B", "乙局", ""), ("C", "丙局", "")]


@pytest.mark.parametrize(("value", "raw", "expected"), [
    (600, "600余篇", Interval(600, 700)),
    (600, "600多条", Interval(600, 700)),
    (1270, "1270余条", Interval(1270, 1280)),
    (10, "10余篇", Interval(10, 20)),
    (12000, "1.2万余条", Interval(12000, 13000)),
    (12000, "约1.2万条", Interval(11400, 12600)),
    (600, "近600条", Interval(570, 600)),
    (600, "600条左右", Interval(570, 630)),
    (1600, "１６００多份", Interval(1600, 1700)),
])
def test_interval_of_approximate_numbers(value, raw, expected):
    got = interval(value, raw)
    assert got.low == pytest.approx(expected.low) and got.high == pytest.approx(expected.high)


def test_interval_follows_declared_uncertainty():
    assert interval(1000, "约1000", Uncertainty(about=0.1)) == Interval(900, 1100)
    assert interval(600, "600余", Uncertainty(more=0.5)) == Interval(600, 650)


def test_round_half_up_is_not_bankers_rounding():
    assert list(half_up(np.array([0.5, 1.5, 2.5, 2.345, 89.995]), 0)) == [1, 2, 3, 2, 90]
    assert half_up(np.array([2.345]), 2)[0] == pytest.approx(2.35)


def _result(tmp_path, values, approx=frozenset(), criteria=CRITERIA, raw=None):
    scheme = scheme_from(tmp_path, criteria)
    data = make_data(UNITS, values, approx=approx)
    for (unit, metric), text in (raw or {}).items():  # the cell as the unit wrote it
        data.values.loc[(data.values["unit_id"] == unit) & (data.values["metric"] == metric), "raw"] = text
    return score(scheme, data, "2021")


def test_difference_within_an_approximation_band_is_not_settled(tmp_path):
    # 乙 650 条 exactly → 32.5 points; 甲 "600余" → somewhere in [600, 700) → 30–35 points; both 80
    # from the third party (sd 2 each, equal for both, so only the volume decides half the time).
    values = {
        "A": {"proactive_items": 600, "evaluation_score": 80},
        "B": {"proactive_items": 650, "evaluation_score": 80},
        "C": {"proactive_items": 1000, "evaluation_score": 100},
    }
    result = _result(tmp_path, values, approx={("A", "proactive_items")}, raw={("A", "proactive_items"): "600余"})
    st_ = stability(result, draws=400, seed=3)
    units = st_.units.set_index("unit_id")
    assert list(st_.units["unit_id"]) == ["C", "B", "A"]
    assert (units.loc["C", "rank_low"], units.loc["C", "rank_high"]) == (1, 1)
    pair = st_.pairs.set_index("upper_id").loc["B"]
    assert pair["lower_id"] == "A" and not pair["settled"] and 0.2 < pair["ahead_share"] < 0.8
    assert st_.pairs.set_index("upper_id").loc["C", "settled"]
    assert st_.unsettled == 1
    assert units.loc["A", "rank_low"] == 2 and units.loc["A", "rank_high"] == 3


def test_declared_measurement_error_unsettles_close_scores_only(tmp_path):
    values = {
        "A": {"proactive_items": 500, "evaluation_score": 81},
        "B": {"proactive_items": 500, "evaluation_score": 80},
        "C": {"proactive_items": 500, "evaluation_score": 60},
    }
    st_ = stability(_result(tmp_path, values), draws=500, seed=1)
    pairs = st_.pairs.set_index("upper_id")
    assert not pairs.loc["A", "settled"]  # 1 point apart with sd 2 on each
    assert pairs.loc["B", "settled"]  # 20 points apart
    assert st_.uncertain_values == 3


def test_a_capped_unit_stays_under_its_cap_in_every_draw(tmp_path):
    """乙局 would score 95 ± 1 but a `cap` veto holds it at 60: drawn, it is 60 every time (not
    60 ± 1, which shifting the run's total by the drawn change would give)."""
    from scoring.stability import _Model

    criteria = CRITERIA.replace("  - {id: evaluation_score", "  - {id: leaks, name: 泄密事件, unit: 起}\n"
                                "  - {id: evaluation_score") + (
        'vetoes:\n  - {id: leak, name: 泄密, metric: leaks, when: "> 0", effect: cap, cap: 60}\n')
    values = {"A": {"proactive_items": 0, "evaluation_score": 50, "leaks": 0},
              "B": {"proactive_items": 1000, "evaluation_score": 90, "leaks": 1},
              "C": {"proactive_items": 500, "evaluation_score": 50, "leaks": 0}}
    result = _result(tmp_path, values, criteria=criteria)
    assert result.totals.loc["B", "total"] == 60 and result.totals.loc["B", "veto_effect"] == "cap"
    drawn = _Model(result, 0.0).totals(np.random.default_rng(3), 400)
    b = list(result.totals.index).index("B")
    assert drawn[:, b].max() == 60 and drawn[:, b].min() == 60
    assert drawn.std(axis=0)[[i for i in range(3) if i != b]].min() > 0.5  # the others do vary
    st_ = stability(result, draws=400, seed=3)
    assert st_.units.set_index("unit_id").loc["B", ["rank_low", "rank_high"]].tolist() == [1, 1]


def test_a_class_with_its_own_rule_is_drawn_under_that_rule(tmp_path):
    """部门 score 信息发布数量 by their `by_class` variant (full at 100 items): 丙局's "600余" is
    full marks whatever is drawn, while 甲局 (县区, full at 1000) moves with its draw."""
    from scoring.stability import _Model

    criteria = CRITERIA.replace(", uncertainty: {sd: 2}", "").replace(
        "rule: {type: linear, zero_at: 0, full_at: 1000}}",
        "rule: {type: linear, zero_at: 0, full_at: 1000},\n"
        "     by_class: {dept: {rule: {type: linear, zero_at: 0, full_at: 100}}}}") + (
        "classes:\n  - {id: county, name: 县区}\n  - {id: dept, name: 部门}\n")
    scheme = scheme_from(tmp_path, criteria)
    units = [("A", "甲县", "county"), ("B", "乙县", "county"), ("C", "丙局", "dept")]
    values = {u: {"proactive_items": 600, "evaluation_score": 70} for u in "ABC"}
    data = make_data(units, values, approx={("A", "proactive_items"), ("C", "proactive_items")})
    for unit in "AC":
        data.values.loc[(data.values["unit_id"] == unit) & (data.values["metric"] == "proactive_items"), "raw"] = "600余条"
    result = score(scheme, data, "2021")
    assert result.totals["total"].tolist() == [65, 65, 85]
    drawn = _Model(result, 0.0).totals(np.random.default_rng(5), 300)
    assert (drawn[:, 2] == 85).all()  # 600-700 items under "full at 100": always 50 + 35
    assert 65 <= drawn[:, 0].min() and drawn[:, 0].max() <= 70 and drawn[:, 0].std() > 0.5  # 30-35 + 35
    assert (drawn[:, 1] == 65).all()  # 乙县's 600 is exact
    assert stability(result, draws=300, seed=5).uncertain_values == 2


def test_without_uncertainty_every_interval_is_one_rank(tmp_path):
    criteria = CRITERIA.replace(", uncertainty: {sd: 2}", "")
    values = {u: {"proactive_items": v, "evaluation_score": 70} for u, v in zip("ABC", (300, 700, 700))}
    result = _result(tmp_path, values, criteria=criteria)
    st_ = stability(result, draws=50, seed=0)
    assert (st_.units["rank_low"] == st_.units["rank"]).all()
    assert (st_.units["rank_high"] == st_.units["rank"]).all()
    assert (st_.units["grade_probability"] == 1).all()
    assert st_.uncertain_values == 0 and st_.unsettled == 0
    assert st_.pairs["tied"].sum() == 1  # 乙 and 丙 share rank 1: a tie, not an unsettled order


def test_same_seed_same_answer_and_weights_keep_full_marks_full(tmp_path):
    values = {
        "A": {"proactive_items": 1000, "evaluation_score": 100},
        "B": {"proactive_items": 200, "evaluation_score": 90},
        "C": {"proactive_items": 900, "evaluation_score": 40},
    }
    result = _result(tmp_path, values)
    one = stability(result, draws=200, seed=7, weights=0.1)
    two = stability(result, draws=200, seed=7, weights=0.1)
    assert one.units.equals(two.units)
    # 甲 has full marks on both indicators: renormalised weights still give it 100 in every draw
    assert one.units.set_index("unit_id").loc["A", ["rank_low", "rank_high"]].tolist() == [1, 1]


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=3, max_size=3), st.lists(st.integers(0, 100), min_size=3, max_size=3))
def test_property_no_uncertainty_reproduces_the_run(tmp_path_factory, volumes, scores):
    criteria = CRITERIA.replace(", uncertainty: {sd: 2}", "")
    values = {u: {"proactive_items": v, "evaluation_score": s} for u, v, s in zip("ABC", volumes, scores)}
    result = _result(tmp_path_factory.mktemp("p"), values, criteria=criteria)
    st_ = stability(result, draws=5, seed=0, weights=0.0)
    units = st_.units.set_index("unit_id")
    ranks = result.totals["class_rank"]
    assert (units["rank_low"] == ranks.reindex(units.index)).all()
    assert (units["rank_high"] == ranks.reindex(units.index)).all()


def test_peer_rules_rank_each_draw_among_the_whole_class(tmp_path):
    """Rank and relative leaves: the fast counting path gives the rule's own points."""
    from scoring.stability import _counter_above

    rng = np.random.default_rng(5)
    w = rng.integers(0, 20, (50, 7)).astype(float)
    x = rng.integers(-3, 25, (50, 11)).astype(float)
    expected = (w[:, None, :] > x[:, :, None]).sum(axis=2)
    assert (_counter_above(w)(x) == expected).all()

    criteria = """\
    id: peer
    name: 同类比较
    total: 20
    metrics:
      - {id: proactive_items, name: 主动公开信息, unit: 条}
    indicators:
      - {id: r, name: 排名, points: 10, metric: proactive_items, rule: {type: rank, table: [10, 8, 6], else: 2}}
      - {id: rel, name: 相对, points: 10, metric: proactive_items, rule: {type: relative}}
    """
    units = [(f"U{i}", f"单位{i}", "k") for i in range(6)]
    volumes = [100, 90, 80, 70, 60, 50]
    data = make_data(units, {f"U{i}": {"proactive_items": v} for i, v in enumerate(volumes)}, approx={("U5", "proactive_items")})
    data.values.loc[data.values["unit_id"] == "U5", "raw"] = "50余"  # somewhere in [50, 60)
    import textwrap
    result = score(scheme_from(tmp_path, textwrap.dedent(criteria)), data, "2021")
    st_ = stability(result, draws=100, seed=2)
    # U5 stays last (≤ 59 < 60), so no rank moves: every interval is one rank
    assert (st_.units["rank_low"] == st_.units["rank"]).all() and (st_.units["rank_high"] == st_.units["rank"]).all()


@pytest.mark.parametrize("spec", [
    {"type": "rank", "table": [10, 8, 6], "else": 2},
    {"type": "rank", "shares": [{"top": 0.3, "points": 10}, {"top": 0.6, "points": 5}], "else": 1, "order": "asc"},
    {"type": "relative"},
    {"type": "relative", "order": "asc"},
])
def test_fast_peer_points_equal_the_rule_scoring_each_draw(spec):
    from scoring.rules.base import RuleContext
    from scoring.scheme.rulespec import parse_rule as rule_of
    from scoring.stability import _peer_points, _Uncertain

    rng = np.random.default_rng(11)
    n, draws = 40, 30
    values = rng.integers(1, 60, n).astype(float)
    classes = rng.integers(0, 3, n)
    ok = rng.random(n) > 0.1
    cells = ok & (rng.random(n) < 0.3)
    at = np.flatnonzero(cells)
    drawn = rng.integers(1, 60, (draws, len(at))).astype(float)
    rule = rule_of(spec)
    ctx = RuleContext(values=np.zeros(0), points=10.0, classes=np.zeros(0), peers=np.zeros(0, dtype=bool))
    u = _Uncertain(rule, ctx, cells, values, values, values, np.zeros(n), np.zeros(n), ok, True, 1.0)
    base = np.full(n, -1.0)
    fast = _peer_points(u, drawn, at, base, classes)
    for d in range(draws):
        row = values.copy()
        row[at] = drawn[d]
        full = rule.score(RuleContext(values=np.where(ok, row, np.nan), points=10.0, classes=classes, peers=ok)).points
        touched = np.isin(classes, classes[at]) & ok
        assert np.allclose(fast[d][touched], full[touched])
        assert (fast[d][~touched] == -1).all()


def test_cli_writes_the_stability_sheet_and_json(make_kit, score_cli):
    """甲局 "90余" vs 乙局 91 on the third-party score (6 points): 甲 5.4–5.99, 乙 5.46 → not settled."""
    import json

    from openpyxl import load_workbook

    from tests.conftest import TINY_HEADER

    kit = make_kit(metrics=TINY_HEADER + "甲局,90余,150\n乙局,91,150\n丙局,20,5\n")
    run = score_cli(*kit.job("--stability", "--draws", "200", "--seed", "4"))
    assert run.code == 0, run.text
    assert "排名稳定性:200 次抽样,1 对相邻名次差异不显著" in run.out
    ws = load_workbook(kit.workbook)["排名稳定性"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("类别", "排名", "单位")
    by_name = {r[2]: dict(zip(header, r)) for r in body}
    assert by_name["丙局"]["名次区间(5%–95%)"] == "3" and by_name["丙局"]["区间图"].endswith("█" * 7)
    first = min(body, key=lambda r: r[1])
    assert dict(zip(header, first))["与下一名"] == "与第2名差异不显著"
    assert by_name["甲局"]["名次区间(5%–95%)"] == "1–2" and by_name["乙局"]["名次区间(5%–95%)"] == "1–2"
    ranking = load_workbook(kit.workbook)["排名"]
    cells = [c for row in ranking.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert sum("与第2名差异不显著" in c for c in cells) == 1  # the leader's 备注
    assert any(c.startswith("“差异不显著”:按数据的不确定性抽样 200 次") or "“差异不显著”:按数据的不确定性抽样 200 次" in c for c in cells)
    document = json.loads(kit.workbook.with_suffix(".json").read_text(encoding="utf-8"))
    assert document["stability"] == {"draws": 200, "seed": 4, "weights": 0.0, "uncertain_values": 1, "unsettled_pairs": 1}
    assert {row["unit_id"] for row in document["stability_units"]} == {"U1", "U2", "U3"}


@pytest.mark.parametrize(("text", "share"), [("±10%", 0.1), ("10%", 0.1), ("0.05", 0.05), ("5", 0.05)])
def test_weights_option_reads_a_share(text, share):
    from scoring.cli.run_cmd import weight_spread

    assert weight_spread(text) == pytest.approx(share)


def test_weights_option_refuses_nonsense_in_chinese(make_kit, score_cli):
    kit = make_kit()
    run = score_cli(*kit.job("--weights", "很多"))
    assert run.code == 2 and "--weights 应写成浮动幅度" in run.text
