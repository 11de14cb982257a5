"""Each rule type on values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.rules import get_rule, rule_types
from scoring.rules.base import RuleContext


def run(spec: dict, values, points: float, classes=None, scale: float = 1.0, name="指标", unit="条", penalty=False):
    cls = get_rule(spec["type"])
    rule = cls(cls.Config.model_validate(spec))
    v = np.asarray(values, dtype=float)
    ctx = RuleContext(
        values=v, points=points, classes=np.asarray(classes if classes is not None else ["a"] * len(v), dtype=object),
        peers=~np.isnan(v), scale=scale, metric_name=name, unit=unit,
    )
    return rule.deduction(ctx) if penalty else rule.score(ctx)


def test_every_documented_type_is_registered():
    assert set(rule_types()) >= {"bands", "linear", "deduct", "per_item", "boolean", "rank", "relative", "score", "scheme"}


def test_bands_min_first_match_and_else():
    spec = {"type": "bands", "bands": [{"min": 500, "points": 10}, {"min": 200, "points": 8}, {"min": 50, "points": 5}], "else": 0}
    out = run(spec, [665, 500, 499, 200, 50, 49, 0], 10, name="主动公开信息")
    assert out.points.tolist() == [10, 10, 8, 8, 5, 0, 0]
    assert out.explanation[0] == "主动公开信息 665 条,≥500条 → 10/10"
    assert out.explanation[5] == "主动公开信息 49 条,未达任何档次 → 0/10"


def test_bands_max_lower_is_better():
    spec = {"type": "bands", "bands": [{"max": 14, "points": 10}, {"max": 30, "points": 5}], "else": 0}
    assert run(spec, [3, 14, 15, 30, 31], 10, unit="天").points.tolist() == [10, 10, 5, 5, 0]


def test_bands_per_year_scaled_to_a_quarter():
    spec = {"type": "bands", "bands": [{"min": 500, "points": 10}, {"min": 200, "points": 8}], "else": 0, "per": "year"}
    out = run(spec, [125, 124, 50, 49], 10, scale=0.25)
    assert out.points.tolist() == [10, 8, 8, 0]
    assert "≥125条" in out.explanation[0]


def test_bands_ranges():
    spec = {"type": "bands", "bands": [{"min": 0, "max": 10, "points": 2}, {"min": 11, "max": 20, "points": 4}], "else": 1}
    assert run(spec, [5, 15, 25], 4).points.tolist() == [2, 4, 1]


def test_bands_as_penalty_takes_points_off():
    spec = {"type": "bands", "bands": [{"min": 0.9, "points": -5}, {"min": 0.7, "points": -2}], "else": 0}
    out = run(spec, [0.95, 0.8, 0.1], np.inf, penalty=True, unit="0–1")
    assert out.points.tolist() == [5, 2, 0]


def test_linear_higher_and_lower_better():
    spec = {"type": "linear", "zero_at": 0.8, "full_at": 1.0}
    assert np.allclose(run(spec, [0.7, 0.8, 0.9, 1.0, 1.1], 14).points, [0, 0, 7, 14, 14])
    lower = {"type": "linear", "zero_at": 30, "full_at": 0}
    assert np.allclose(run(lower, [0, 15, 30, 45], 10).points, [10, 5, 0, 0])


def test_linear_per_quarter_scaled():
    spec = {"type": "linear", "zero_at": 0, "full_at": 20, "per": "year"}
    assert np.allclose(run(spec, [0, 2.5, 5, 9], 6, scale=0.25).points, [0, 3, 6, 6])


def test_deduct_each_and_floor():
    spec = {"type": "deduct", "each": 2}
    out = run(spec, [0, 3, 5, 6], 10, name="未按时公开")
    assert out.points.tolist() == [10, 4, 0, 0]
    assert out.explanation[1] == "未按时公开 3 条 × 2 → 扣 6 分,得 4/10"


def test_deduct_max_deduction_and_group_floor():
    assert run({"type": "deduct", "each": 2, "max_deduction": 4}, [3], 10).points.tolist() == [6]
    assert run({"type": "deduct", "each": 6, "floor": "group"}, [2], 6).points.tolist() == [-6]


def test_per_item_capped_at_points():
    assert run({"type": "per_item", "each": 2}, [0, 1, 2, 3], 5).points.tolist() == [0, 2, 4, 5]


def test_boolean_and_invert():
    assert run({"type": "boolean"}, [1, 0], 3).points.tolist() == [3, 0]
    assert run({"type": "boolean", "invert": True}, [1, 0], 3).points.tolist() == [0, 3]


def test_rank_table_with_shared_ranks_per_class():
    spec = {"type": "rank", "table": [10, 9, 8, 7, 6], "else": 5}
    values = [100, 90, 90, 80, 70, 60, 50, 1]
    classes = ["a"] * 7 + ["b"]
    out = run(spec, values, 10, classes=classes)
    assert out.points.tolist() == [10, 9, 9, 7, 6, 5, 5, 10]  # the only "b" unit ranks first in its class


def test_rank_shares():
    spec = {"type": "rank", "shares": [{"top": 0.2, "points": 10}, {"top": 0.5, "points": 6}], "else": 3}
    out = run(spec, list(range(10, 0, -1)), 10)
    assert out.points.tolist() == [10, 10, 6, 6, 6, 3, 3, 3, 3, 3]


def test_rank_ascending_and_missing_values_take_no_part():
    spec = {"type": "rank", "table": [5, 3], "else": 0, "order": "asc"}
    assert run(spec, [3, np.nan, 1, 2], 5).points.tolist() == [0, 0, 5, 3]


def test_relative_both_directions():
    assert np.allclose(run({"type": "relative"}, [50, 100, 25], 10).points, [5, 10, 2.5])
    assert np.allclose(run({"type": "relative", "order": "asc"}, [2, 4, 8], 10).points, [10, 5, 2.5])
    assert np.allclose(run({"type": "relative"}, [0, 0], 10).points, [0, 0])


def test_score_scaled_and_clamped():
    assert np.allclose(run({"type": "score", "scale": 100}, [85, 100, 120, -5], 30).points, [25.5, 30, 30, 0])


@pytest.mark.parametrize("spec", [
    {"type": "bands", "bands": [{"min": 5, "points": 1}, {"min": 9, "points": 2}]},
    {"type": "bands", "bands": [{"max": 30, "points": 1}, {"max": 10, "points": 2}]},
    {"type": "bands", "bands": [{"min": 0, "max": 10, "points": 1}, {"min": 5, "max": 20, "points": 2}]},
    {"type": "bands", "bands": [{"min": 5, "points": 1}, {"max": 2, "points": 2}]},
    {"type": "linear", "zero_at": 1, "full_at": 1},
    {"type": "rank", "table": [1], "shares": [{"top": 0.5, "points": 1}]},
])
def test_bad_configs_rejected(spec):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        get_rule(spec["type"]).Config.model_validate(spec)


def test_entry_point_plugin_rule(tmp_path, monkeypatch):
    """An office's own rule type arrives through the `scoring.rules` entry point."""
    from scoring.rules import Outcome, Rule, RuleConfig, registry
    from scoring.rules.base import earned, join, value_phrase
    from tests.helpers import make_data, points, scheme_from

    class StepConfig(RuleConfig):
        step: float

    class Step(Rule):
        """step: one point per `step` units.

        Example::

            rule: {type: step_for_test, step: 2}
        """

        type = "step_for_test"
        Config = StepConfig

        def describe(self, points, metric_name, unit):
            return f"{metric_name}每{self.config.step:g}{unit}得1分"

        def score(self, ctx):
            pts = np.clip(np.floor(ctx.values / self.config.step), 0, ctx.points)
            return Outcome(pts, join(value_phrase(ctx), " → ", earned(pts, ctx.points, ctx.precision)))

    class FakeEntryPoint:
        def load(self):
            return Step

    monkeypatch.setattr(registry, "entry_points", lambda group: [FakeEntryPoint()] if group == "scoring.rules" else [])
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    monkeypatch.setattr(registry, "_RULES", dict(registry._RULES))
    scheme = scheme_from(tmp_path, """
    id: plug
    name: 插件
    total: 5
    indicators:
      - {id: s, points: 5, metric: trainings, rule: {type: step_for_test, step: 2}}
    """)
    from scoring.engine import score

    result = score(scheme, make_data([("U1", "甲", "")], {"U1": {"trainings": 7}}))
    assert points(result, "U1", "s") == 3
    assert "step_for_test" in rule_types()


def test_bands_above_and_below_are_strict():
    spec = {"type": "bands", "bands": [{"above": 90, "points": 10}, {"min": 90, "points": 8}, {"above": 60, "points": 5}],
            "else": 0}
    out = run(spec, [95, 90, 61, 60], 10, name="得分", unit="分")
    assert out.points.tolist() == [10, 8, 5, 0]
    assert out.explanation[0] == "得分 95 分,>90分 → 10/10"
    spec = {"type": "bands", "bands": [{"below": 7, "points": 5}, {"max": 7, "points": 3}], "else": 0}
    assert run(spec, [6, 7, 8], 5, unit="天").points.tolist() == [5, 3, 0]


def test_bands_ranges_with_open_ends():
    spec = {"type": "bands", "bands": [{"min": 0, "below": 10, "points": 2}, {"min": 10, "max": 20, "points": 4},
                                       {"above": 20, "points": 5}], "else": 0}
    out = run(spec, [9.99, 10, 20, 20.01], 5)
    assert out.points.tolist() == [2, 4, 4, 5]
    assert "≥0且<10条" in out.explanation[0] and "10–20条" in out.explanation[1]


def test_bounds_are_exact_for_decimals_ratios_and_per_scaling():
    # 816 ÷ 480 = 1.7 holds "≥ 1.7"; 3 ÷ 20 = 0.15 is not "> 0.15"; 0.1 × 3 reaches "≥ 0.3"
    spec = {"type": "bands", "bands": [{"min": 1.7, "points": 10}], "else": 0}
    assert run(spec, [816 / 480, 815 / 480], 10).points.tolist() == [10, 0]
    spec = {"type": "bands", "bands": [{"above": 0.15, "points": 3}], "else": 1}
    assert run(spec, [3 / 20, 3.01 / 20], 3).points.tolist() == [1, 3]
    spec = {"type": "bands", "bands": [{"min": 0.3, "points": 2}], "else": 0}
    assert run(spec, [0.1 * 3, 0.29], 2).points.tolist() == [2, 0]
    # per year 0.7 a month run: the bound is 0.7/12; 0.7/12 itself is at it, a quarter of it not above it
    spec = {"type": "bands", "bands": [{"above": 7, "points": 2}, {"min": 7, "points": 1}], "else": 0, "per": "year"}
    assert run(spec, [7 / 12, 7 / 12 + 0.001, 7 / 13], 2, scale=1 / 12).points.tolist() == [1, 2, 0]


@pytest.mark.parametrize("bands", [
    [{"min": 5, "above": 4, "points": 1}],
    [{"above": 5, "max": 5, "points": 1}],
    [{"min": 5, "below": 5, "points": 1}],
    [{"above": 5, "points": 2}, {"above": 5, "points": 1}],
    [{"min": 5, "points": 2}, {"above": 5, "points": 1}],  # `above 5` is stricter: it must come first
    [{"max": 5, "points": 2}, {"below": 5, "points": 1}],
    [{"min": 0, "max": 10, "points": 1}, {"min": 10, "max": 20, "points": 2}],
])
def test_bad_strict_bands_rejected(bands):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        get_rule("bands").Config.model_validate({"type": "bands", "bands": bands})


def test_touching_strict_ranges_accepted():
    spec = {"type": "bands", "bands": [{"min": 0, "max": 10, "points": 1}, {"above": 10, "below": 20, "points": 2}]}
    assert run(spec, [10, 10.5, 20], 2).points.tolist() == [1, 2, 0]


def test_points_equal_the_points_of_score():
    """`points()` (what the stability analysis calls) is `score()` without its explanations."""
    from scoring.rules.base import RuleContext
    from scoring.scheme.rulespec import parse_rule as rule_of

    rules = [
        {"type": "bands", "bands": [{"min": 500, "points": 10}, {"min": 200, "points": 8}], "else": 1, "per": "year"},
        {"type": "linear", "zero_at": 10, "full_at": 300, "per": "year"},
        {"type": "deduct", "each": 2},
        {"type": "per_item", "each": 3},
        {"type": "score", "scale": 100},
        {"type": "boolean"},
        {"type": "rank", "table": [10, 8, 6], "else": 1},
        {"type": "relative"},
        {"type": "step", "start": 40, "every": 20, "each": 1, "per": "year"},
        {"type": "bands", "bands": [{"above": 200, "points": 10}, {"min": 100, "max": 200, "points": 5}]},
    ]
    rng = np.random.default_rng(0)
    values = np.round(rng.uniform(0, 800, 200))
    values[:20] = rng.integers(0, 2, 20)
    ctx = RuleContext(values=values, points=10.0, classes=rng.integers(0, 3, 200), peers=np.ones(200, dtype=bool), scale=0.25)
    for spec in rules:
        rule = rule_of(spec)
        assert np.array_equal(rule.points(ctx), rule.score(ctx).points), spec["type"]


def test_step_starts_then_counts_whole_steps():
    spec = {"type": "step", "start": 10, "every": 10, "each": 1}
    out = run(spec, [9, 10, 19, 20, 35, 100], 5, name="培训", unit="期")
    assert out.points.tolist() == [0, 1, 1, 2, 3, 5]  # 100: 10 steps, capped at 5
    assert out.explanation[0] == "培训 9 期,未达10期 → 0/5"
    assert out.explanation[4] == "培训 35 期,达到10期起每10期一档,共3档 × 1 → 3/5"


def test_step_exact_steps_and_per_scaling():
    spec = {"type": "step", "start": 0.1, "every": 0.1, "each": 2}
    assert run(spec, [0.3, 0.1 * 3, 0.29], 10).points.tolist() == [6, 6, 4]  # (0.3 − 0.1) ÷ 0.1 is 2 steps
    spec = {"type": "step", "start": 40, "every": 20, "each": 1, "per": "year"}  # a quarter: start 10, every 5
    out = run(spec, [9, 10, 14, 15, 20], 10, scale=0.25)
    assert out.points.tolist() == [0, 1, 1, 2, 3]
    assert "达到10条起每5条一档" in out.explanation[1]


def test_step_as_penalty():
    spec = {"type": "step", "start": 10, "every": 10, "each": 1}
    assert run(spec, [5, 25], np.inf, penalty=True).points.tolist() == [0, 2]


def deductions(values: dict, points=10.0, floor="leaf"):
    spec = {"type": "deductions", "floor": floor, "items": [
        {"metric": "a", "name": "公文提前或超期公开", "each": 5},
        {"metric": "b", "name": "要素未规范录入", "each": 1, "max": 3},
        {"metric": "c", "each": 1},
    ]}
    rule = get_rule("deductions")(get_rule("deductions").Config.model_validate(spec))
    inputs = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    n = len(next(iter(inputs.values())))
    ctx = RuleContext(values=np.full(n, np.nan), points=points, classes=np.array(["x"] * n, dtype=object),
                      peers=np.ones(n, bool), inputs=inputs,
                      labels={"a": ("提前超期", "条"), "b": ("要素", "条"), "c": ("正文不能正常显示", "处")})
    return rule.score(ctx)


def test_deductions_by_hand():
    out = deductions({"a": [1, 0, 2, np.nan], "b": [4, 0, 1, 2], "c": [0, 0, 3, 0]})
    # 10 − 5 − min(3, 4) = 2; nothing; 10 − 10 − 1 − 3 → floored at 0; item a not applicable: 10 − 2 = 8
    assert out.points.tolist() == [2, 10, 0, 8]
    assert out.explanation[0] == "公文提前或超期公开 1 条 × 5 → 扣 5;要素未规范录入 4 条 × 1 → 扣 3(上限);得 2/10"
    assert out.explanation[1] == "各项均未扣分;得 10/10"
    assert out.explanation[2].endswith("正文不能正常显示 3 处 × 1 → 扣 3;得 0/10")
    assert out.explanation[3] == "要素未规范录入 2 条 × 1 → 扣 2;得 8/10"


def test_deductions_floor_parent_may_go_below_zero():
    out = deductions({"a": [3], "b": [0], "c": [0]}, floor="parent")
    assert out.points.tolist() == [-5]  # 10 − 15: the parent group is floored instead


@pytest.mark.parametrize("spec", [
    {"type": "step", "start": 10, "every": 0, "each": 1},
    {"type": "step", "start": -1, "every": 1, "each": 1},
    {"type": "deductions", "items": []},
    {"type": "deductions", "items": [{"metric": "a", "each": 1}, {"metric": "a", "each": 2}]},
    {"type": "deductions", "items": [{"metric": "a", "each": 1, "max": 0}]},
])
def test_bad_new_rule_configs_rejected(spec):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        get_rule(spec["type"]).Config.model_validate(spec)
