"""The engine as named steps, the Scheme's typed rules and linked schemes, an immutable Result."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from scoring.engine import STEPS, score
from scoring.rules import Rule, RuleConfig, get_rule, rule_types
from scoring.rules.base import Problem
from scoring.scheme.loader import load_scheme
from tests.helpers import make_data, points, scheme_from

SCHEME = """
id: steps
name: 步骤
total: 20
classes: [{id: a, name: 甲类}, {id: b, name: 乙类, exclude: [y]}]
metrics:
  - {id: m_x, name: 甲数}
  - {id: m_d, name: 乙数}
  - {id: m_z, name: 示范}
  - {id: share, name: 占比, ratio: [m_x, m_d]}
indicators:
  - {id: x, name: 甲项, points: 10, metric: m_x, rule: {type: bands, bands: [{min: 5, points: 10}, {min: 1, points: 4}]}}
  - {id: y, name: 乙项, points: 10, metric: share, rule: {type: linear, zero_at: 0, full_at: 1}}
bonus:
  cap: 2
  items: [{id: z, name: 加分, points: 3, metric: m_z, rule: {type: per_item, each: 3}}]
"""


def data():
    return make_data([("A1", "甲局", "a"), ("B1", "乙局", "b")],
                     {"A1": {"m_x": 6, "m_d": 4, "m_z": 1}, "B1": {"m_x": 2, "m_d": 2, "m_z": 0}})


def test_steps_follow_the_documented_order():
    assert [s.name for s in STEPS] == ["linked", "derive", "leaves", "adjust", "groups", "rescale", "bonus",
                                       "penalties", "vetoes", "round", "grades", "ranks", "tables"]
    doc = (Path(__file__).resolve().parents[1] / "docs" / "criteria.md").read_text(encoding="utf-8")
    order = doc[doc.index("## Order of evaluation"):]
    words = ["derive", "→ leaves", "→ adjust", "→ groups", "→ scoped vetoes", "→ rescale", "bonus", "penalties",
             "→ vetoes", "→ round", "→ grades", "→ ranks"]
    positions = [order.index(w) for w in words]
    assert positions == sorted(positions)


def test_each_step_can_be_timed_without_patching(tmp_path):
    seen = []

    @contextmanager
    def timer(name):
        seen.append(name)
        yield

    result = score(scheme_from(tmp_path, SCHEME), data(), timer=timer)
    assert seen == [s.name for s in STEPS]
    # 甲局: 10 (6 ≥ 5) + 10 × 6/4 clamped = 10 → 20, + min(3, 2) bonus = 22
    assert result.totals.loc["A1", "total"] == pytest.approx(22)
    # 乙局: y excluded; 4 (2 ≥ 1) × 20/10 = 8
    assert result.totals.loc["B1", "total"] == pytest.approx(8)


def test_log_entries_carry_numbers_the_sentence_is_made_from(tmp_path):
    result = score(scheme_from(tmp_path, SCHEME), data())
    rescale = next(s for s in result.log if s.stage == "rescale")
    assert (rescale.unit_id, rescale.before, rescale.after) == ("B1", 4.0, 8.0)
    assert dict(rescale.params) == {"max_base": 10.0, "total": 20.0}
    assert rescale.message == "乙局:适用指标满分 10 分,得 4 分,按 ×20/10 折算为 8 分"
    bonus = next(s for s in result.log if s.stage == "bonus")
    assert (bonus.unit_id, bonus.before, bonus.after, dict(bonus.params)) == ("A1", 3.0, 2.0, {"cap": 2.0})
    derived = next(s for s in result.log if s.stage == "derive")
    assert derived.item_id == "share" and dict(derived.params)["ratio"] == ("m_x", "m_d")


def test_derived_metrics_are_kept_in_the_result(tmp_path):
    result = score(scheme_from(tmp_path, SCHEME), data())
    assert result.metrics.loc["A1", "share"] == pytest.approx(1.5)
    assert result.metrics.loc["B1", "share"] == pytest.approx(1.0)


def test_changing_a_returned_table_never_changes_the_result(tmp_path):
    result = score(scheme_from(tmp_path, SCHEME), data())
    totals = result.totals
    totals.loc["A1", "total"] = 0.0
    totals["rank"] = 99
    assert result.totals.loc["A1", "total"] == pytest.approx(22)
    assert result.totals["rank"].tolist() == [1, 2]
    details = result.details
    details.loc[0, "points"] = -1.0
    assert result.details.loc[0, "points"] >= 0
    with pytest.raises(ValueError):
        result.totals["total"].to_numpy()[0] = 5.0  # the arrays themselves are read-only
    with pytest.raises(AttributeError):
        result.totals = None  # type: ignore[misc]


def test_scheme_holds_typed_rules(tmp_path):
    scheme = scheme_from(tmp_path, SCHEME)
    leaf = scheme.leaves()[0]
    assert isinstance(leaf.rule, get_rule("bands"))
    assert leaf.rule.config.bands[0].min == 5
    assert leaf.rule.reachable(10) == 10 and leaf.rule.reachable(12) == 10
    assert isinstance(scheme.bonus.items[0].rule, get_rule("per_item"))


def test_linked_scheme_is_loaded_once_and_hashed_with_the_scheme(tmp_path):
    inner = tmp_path / "inner.yaml"
    inner.write_text("id: inner\nname: 内层\ntotal: 10\nmetrics: [{id: m_s}]\nindicators:\n"
                     "  - {id: s, points: 10, metric: m_s, rule: {type: score, scale: 100}}\n", encoding="utf-8")
    outer = tmp_path / "outer.yaml"
    outer.write_text("id: outer\nname: 外层\ntotal: 4\nindicators:\n"
                     "  - {id: open, name: 公开, points: 4, rule: {type: scheme, criteria: inner.yaml}}\n", encoding="utf-8")
    scheme = load_scheme(outer)
    assert scheme.linked["open"].name == "内层"
    assert [s.id for s in scheme.family()] == ["outer", "inner"]
    before = scheme.sha256
    inner.write_text(inner.read_text(encoding="utf-8").replace("scale: 100", "scale: 50"), encoding="utf-8")
    assert load_scheme(outer).sha256 != before  # the linked file's bytes are part of the hash
    result = score(scheme, make_data([("U1", "甲", "")], {"U1": {"m_s": 80}}))
    assert points(result, "U1", "open") == pytest.approx(3.2)  # 8/10 × 4 (the scheme loaded before the edit)
    assert result.linked["open"].totals.loc["U1", "total"] == pytest.approx(8)


def test_a_rule_class_is_checked_when_defined():
    class NoExampleConfig(RuleConfig):
        pass

    with pytest.raises(TypeError, match="example"):
        class NoExample(Rule):  # noqa: F841
            """no_example: a rule without its example."""

            type = "no_example"
            Config = NoExampleConfig

    with pytest.raises(TypeError, match="Config"):
        class NoConfig(Rule):  # noqa: F841
            """no_config. Example: rule: {type: no_config}"""

            type = "no_config"

    with pytest.raises(TypeError, match="type"):
        class NoType(Rule):  # noqa: F841
            """Example: rule: {type: }"""

            Config = NoExampleConfig


def test_penalty_types_come_from_the_registry():
    usable = [t for t in rule_types() if get_rule(t).penalty_ok]
    rank = get_rule("rank")(get_rule("rank").Config.model_validate({"type": "rank", "table": [3]}))
    problems = list(rank.problems(None, "penalty"))
    assert problems == [Problem("error", f"扣分项不能使用规则类型“rank”(可用 {'、'.join(usable)})", ("type",))]


def test_rule_table_in_the_docs_matches_the_registry():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "criteria.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Rules"):]
    section = section[:section.index("\n\n", section.index("| type |"))]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| (.*?) \|", section, re.M)}
    assert set(rows) == set(rule_types())
    for name, keys in rows.items():
        fields = {f.alias or k for k, f in get_rule(name).Config.model_fields.items()} - {"type"}
        documented = set(re.findall(r"`(\w+)", keys))
        assert fields <= documented, (name, fields - documented)


def test_check_warns_when_a_leaf_cannot_reach_its_points(tmp_path):
    scheme = scheme_from(tmp_path, """
    id: reach
    name: 可达
    total: 10
    metrics: [{id: m_x}]
    indicators:
      - id: g
        points: 10
        children:
          - {id: x, name: 甲项, points: 6, metric: m_x, rule: {type: bands, bands: [{min: 5, points: 4}], else: 0}}
          - {id: r, name: 排名, points: 4, metric: m_x, rule: {type: rank, table: [3, 2], else: 1}}
    """)
    assert len(scheme.warnings) == 2
    assert "“甲项”:按此规则最多只能得 4 分,达不到该指标的分值 6 分" in scheme.warnings[0]
    assert "“排名”:按此规则最多只能得 3 分" in scheme.warnings[1]


def test_check_prints_the_warning(tmp_path, capsys):
    from scoring.cli import main

    path = tmp_path / "reach.yaml"
    path.write_text("id: reach\nname: 可达\ntotal: 10\nmetrics: [{id: m_x}]\nindicators:\n"
                    "  - {id: x, name: 甲项, points: 10, metric: m_x, rule: {type: bands, bands: [{min: 5, points: 8}]}}\n",
                    encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["check", str(path)])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert "警告:“甲项”:按此规则最多只能得 8 分,达不到该指标的分值 10 分(第6行" in out


def test_points_within_bounds_for_reachable(tmp_path):
    scheme = scheme_from(tmp_path, SCHEME)
    result = score(scheme, data())
    d = result.details[result.details["kind"] == "indicator"]
    reach = {leaf.id: leaf.rule.reachable(leaf.points) for leaf in scheme.leaves()}
    assert np.all(d["points"].to_numpy() <= d["item_id"].map(reach).to_numpy(dtype=float) + 1e-9)
