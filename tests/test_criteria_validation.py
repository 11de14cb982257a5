"""Every validation error names the file, the line and the key path, in Chinese."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scoring.errors import CriteriaError
from scoring.scheme.loader import load_scheme

BASE = """\
id: demo
name: 测试方案
total: 20
indicators:
  - id: proactive
    name: 主动公开
    points: 20
    children:
      - id: volume
        points: 10
        metric: proactive_items
        rule:
          type: bands
          bands:
            - {min: 500, points: 10}
            - {min: 200, points: 8}
          else: 0
      - id: interpretation
        points: 10
        metric: policy_interpretations
        rule: {type: linear, zero_at: 0, full_at: 20}
"""


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path) -> CriteriaError:
    with pytest.raises(CriteriaError) as info:
        load_scheme(path)
    return info.value


def test_base_is_valid(tmp_path):
    assert load_scheme(write(tmp_path, BASE)).id == "demo"


def test_unknown_key_names_line_path_and_suggestion(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("      - id: interpretation\n        points: 10", "      - id: interpretation\n        pointz: 10")))
    assert err.location.line == 19
    assert err.location.key == "indicators[0].children[1].pointz"
    assert "未知的键“pointz”" in str(err) and "是否想写“points”" in str(err)
    assert "c.yaml 第19行" in str(err)


def test_unknown_key_inside_rule(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("{type: linear, zero_at: 0, full_at: 20}", "{type: linear, zero_at: 0, ful_at: 20}")))
    assert err.location.line == 21 and err.location.key == "indicators[0].children[1].rule.ful_at"
    assert "是否想写“full_at”" in err.message


def test_duplicate_ids(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("id: interpretation", "id: volume")))
    assert "编号“volume”重复" in err.message and "第9行" in err.message
    assert err.location.line == 18 and err.location.key == "indicators[0].children[1].id"


def test_children_points_must_add_up(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("        points: 10\n        metric: policy", "        points: 9\n        metric: policy")))
    assert "合计 19 分" in err.message and "20 分不符" in err.message
    assert err.location.line == 7 and err.location.key == "indicators[0].points"


def test_top_level_points_must_add_up_to_total(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("total: 20", "total: 100")))
    assert "一级指标分值合计 20 分" in err.message and "total 100" in err.message
    assert err.location.line == 3 and err.location.key == "total"


def test_unknown_rule_type_suggests(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("type: bands", "type: band")))
    assert "未知的规则类型“band”" in err.message and "是否想写“bands”" in err.message
    assert err.location.line == 13 and err.location.key == "indicators[0].children[0].rule.type"


def test_unknown_metric(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("metric: policy_interpretations", "metric: policy_interpretation")))
    assert "policy_interpretation" in err.message and "是否想写“policy_interpretations”" in err.message
    assert err.location.line == 20 and err.location.key == "indicators[0].children[1].metric"


def test_unordered_bands(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("{min: 200, points: 8}", "{min: 600, points: 8}")))
    assert "第2档 min 600 应小于上一档 500" in err.message
    assert err.location.line == 14 and err.location.key == "indicators[0].children[0].rule.bands"


def test_overlapping_range_bands(tmp_path):
    text = BASE.replace("{min: 500, points: 10}", "{min: 100, max: 600, points: 10}").replace("{min: 200, points: 8}", "{min: 500, max: 900, points: 8}")
    err = error_of(write(tmp_path, text))
    assert "重叠" in err.message and err.location.key == "indicators[0].children[0].rule.bands"


def test_band_points_above_leaf_points(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("{min: 500, points: 10}", "{min: 500, points: 12}")))
    assert err.location.line == 15 and err.location.key == "indicators[0].children[0].rule.bands[0].points"


def test_cyclic_extends(tmp_path):
    write(tmp_path, "extends: b.yaml\nid: a\nname: A\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\nid: b\nname: B\n", "b.yaml")
    err = error_of(tmp_path / "a.yaml")
    assert "extends 形成循环" in err.message and "a.yaml → b.yaml → a.yaml" in err.message


def test_missing_extends_file(tmp_path):
    err = error_of(write(tmp_path, "id: a\nname: A\nextends: nowhere.yaml\n"))
    assert "nowhere.yaml" in err.message and err.location.line == 3 and err.location.key == "extends"


@pytest.mark.parametrize("expr, why", [
    ("__import__('os').system('x')", "只能调用"),
    ("proactive_items.real", "属性访问"),
    ("(lambda: 1)()", "lambda"),
    ("2 ** 99999999", "乘方"),
])
def test_expressions_outside_whitelist(tmp_path, expr, why):
    text = BASE + f'metrics:\n  - {{id: x, name: X, expr: "{expr}"}}\n'
    err = error_of(write(tmp_path, text))
    assert why in err.message
    assert err.location.line == 23 and err.location.key == "metrics[0].expr"


def test_veto_condition_checked(tmp_path):
    text = BASE + 'vetoes:\n  - {id: v, metric: leaks, when: "> leaks.__class__"}\n'
    err = error_of(write(tmp_path, text))
    assert "属性访问" in err.message and err.location.key == "vetoes[0].when"


def test_malformed_yaml_names_line(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("    points: 20\n", "    points: 20\n   bad: [\n")))
    assert err.location.line is not None and "YAML 格式错误" in err.message


def test_wrong_type(tmp_path):
    err = error_of(write(tmp_path, BASE.replace("    points: 20\n", "    points: 二十\n")))
    assert "应为数字" in err.message and err.location.line == 7 and err.location.key == "indicators[0].points"


def test_remove_unknown_id(tmp_path):
    write(tmp_path, BASE, "base.yaml")
    err = error_of(write(tmp_path, "extends: base.yaml\nremove: [nothing]\n"))
    assert "remove 中的“nothing”" in err.message and err.location.key == "remove[0]"


def test_extends_override_and_add(tmp_path):
    write(tmp_path, BASE, "base.yaml")
    child = write(tmp_path, """\
        extends: base.yaml
        id: child
        indicators:
          - id: volume
            points: 6
            rule: {type: bands, bands: [{min: 100, points: 6}], else: 0}
          - id: late
            parent: proactive
            points: 4
            metric: late_publications
            rule: {type: deduct, each: 1}
        """)
    scheme = load_scheme(child)
    assert scheme.id == "child" and scheme.name == "测试方案"
    assert [leaf.id for leaf in scheme.leaves()] == ["volume", "interpretation", "late"]
    assert scheme.leaves()[0].points == 6 and scheme.leaves()[0].metric == "proactive_items"
    assert len(scheme.sources) == 2


def test_error_in_extended_file_names_that_file(tmp_path):
    write(tmp_path, BASE.replace("pointz", "points").replace("        metric: policy_interpretations", "        metric: policy_interpretations\n        colour: red"), "base.yaml")
    err = error_of(write(tmp_path, "extends: base.yaml\nid: child\n"))
    assert "base.yaml" in str(err.location.file) and "colour" in err.message


def test_bundled_criteria_are_valid():
    root = Path(__file__).resolve().parents[1] / "criteria"
    files = sorted(root.rglob("*.yaml"))
    assert len(files) >= 3
    used = set()
    for f in files:
        scheme = load_scheme(f)
        used |= {leaf.rule.type for leaf in scheme.leaves()}
        used |= {i.rule.type for i in (scheme.bonus.items if scheme.bonus else ())}
        used |= {i.rule.type for i in scheme.penalties}
    from scoring.rules import rule_types

    assert used >= set(rule_types())  # together they use every rule type


def test_internal_keys_cannot_be_written(tmp_path):
    err = error_of(write(tmp_path, BASE + "sha256: abc\n"))
    assert "未知的键“sha256”" in err.message and err.location.line == 22
