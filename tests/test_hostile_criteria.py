"""Broken and malicious criteria files: a Chinese message with file, line and key; nothing evaluated."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scoring.errors import CriteriaError
from scoring.scheme.loader import load_scheme
from tests.conftest import write

pytestmark = pytest.mark.hostile

BASE = """\
id: t
name: 测试
total: 10
indicators:
  - {id: a, name: 甲, points: 10, metric: proactive_items, rule: {type: linear, zero_at: 0, full_at: 10}}
"""
LEAF = "indicators:\n  - {{id: a, points: 10, metric: proactive_items, rule: {rule}}}\n"
HEAD = "id: t\nname: 测试\ntotal: 10\n"


def leaf(rule: str) -> str:
    return HEAD + LEAF.format(rule=rule)


def with_metric_expr(expr: str) -> str:
    return BASE + f"metrics:\n  - {{id: x, expr: \"{expr}\"}}\n"


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcdefgh", "bcdefghi")
)

# name → (file text, fragments the message must contain, line number or None)
CASES: dict[str, tuple[str | bytes, list[str], int | None]] = {
    "unclosed bracket": ("id: t\nname: [未闭合\ntotal: 10\n", ["YAML 格式错误", "方括号", "从第2行开始"], 3),
    "tab indent": ("id: t\n\tname: x\n", ["制表符"], 2),
    "total not a number": (BASE.replace("total: 10", "total: 十分"), ["total", "应为数字", "十分"], 3),
    "indicators a string": (HEAD + "indicators: 很多\n", ["indicators", "应为列表"], 4),
    "rule a string": (leaf("linear"), ["indicators[0].rule", "映射", "linear"], 5),
    "unknown top-level key": (BASE.replace("total: 10", "total: 10\ntotl: 3"), ["totl", "是否想写“total”"], 4),
    "unknown rule key": (leaf("{type: linear, zero_at: 0, full_att: 10}"), ["full_att", "是否想写“full_at”"], 5),
    "points do not add up": (BASE.replace("points: 10", "points: 9"), ["一级指标分值合计 9 分", "total 10 分"], 3),
    "children do not add up": (
        HEAD + "indicators:\n  - id: g\n    points: 10\n    children:\n"
        "      - {id: a, points: 3, metric: trainings, rule: {type: per_item, each: 1}}\n"
        "      - {id: b, points: 3, metric: leaks, rule: {type: boolean}}\n",
        ["下级指标分值合计 6 分", "indicators[0].points"], 6),
    "__import__ in expr": (with_metric_expr("__import__('pathlib').Path('PWNED').touch()"), ["metrics[0].expr", "只能调用"], 7),
    "attribute access": (with_metric_expr("proactive_items.real"), ["属性访问"], 7),
    "lambda": (with_metric_expr("lambda: 1"), ["lambda"], 7),
    "dunder name": (with_metric_expr("__class__"), ["名称“__class__”无效"], 7),
    "string constant": (with_metric_expr("'a' * 1000000000"), ["只允许数字常量"], 7),
    "huge power": (with_metric_expr("9**9**9**9**9"), ["乘方的指数"], 7),
    "huge power of a metric": (with_metric_expr("proactive_items ** 100000000"), ["乘方的指数"], 7),
    "empty expr": (with_metric_expr(""), ["语法错误"], 7),
    "veto condition imports": (
        BASE + "vetoes:\n  - {id: v, metric: leaks, when: \"> __import__('os').getpid()\", effect: fail}\n",
        ["vetoes[0].when", "只能调用"], 7),
    "python object tag": ("id: !!python/object/apply:os.system ['touch PWNED']\nname: x\n",
                          ["不支持 YAML 标签“!!python/object/apply:os.system”", "id"], 1),
    "python name tag": (BASE + "description: !!python/name:os.system\n", ["不支持 YAML 标签", "description"], 6),
    "python object on a mapping": ("!!python/object:os.Foo {a: 1}\n", ["不支持 YAML 标签“!!python/object:os.Foo”"], 1),
    "custom tag": (BASE + "description: !include secrets.yaml\n", ["不支持 YAML 标签“!include”"], 6),
    "set tag": (BASE.replace("id: t", "id: !!set {a, b}"), ["不支持 YAML 标签“!!set”"], 1),
    "merge key": (HEAD + "indicators:\n  - {<<: {id: a}, points: 10, metric: leaks, rule: {type: boolean}}\n",
                  ["合并键“<<”"], 5),
    ".inf points": (BASE.replace("total: 10", "total: .inf"), ["total", "不是有限数"], 3),
    "plain nan in a rule": (leaf("{type: deduct, each: nan}"), ["indicators[0].rule.each", "不是有限数"], 5),
    "1e999 threshold": (leaf("{type: linear, zero_at: 0, full_at: 1e999}"), ["full_at", "不是有限数"], 5),
    "quoted inf in a rule": (leaf("{type: per_item, each: 'inf'}"), ["each", "应为有限数字"], 5),
    "5000-digit integer": (BASE.replace("total: 10", "total: 1" + "0" * 5000), ["total", "无法读取的值"], 3),
    "NUL byte": ("id: t\nname: x\x00\n", ["控制字符", "U+0000"], 2),
    "duplicate key": (BASE + "total: 10\n", ["键“total”重复出现"], 6),
    "list as a key": (BASE + "? [a, b]\n: 1\n", ["键必须是文字"], 6),
    "empty file": ("", ["准则文件是空的"], None),
    "only comments": ("# 考评准则\n\n   \n", ["准则文件是空的"], None),
    "top-level list": ("- id: t\n- name: x\n", ["顶层应是“键: 值”形式的映射"], 1),
    "top-level scalar": ("考评准则\n", ["顶层应是“键: 值”形式的映射"], 1),
    "GBK bytes": (BASE.replace("测试", "测试准则").encode("gbk"), ["不是 UTF-8 编码"], None),
    "UTF-16 bytes": (BASE.encode("utf-16"), ["不是 UTF-8 编码"], None),
    "floor: group on a first-level leaf": (leaf("{type: deduct, each: 2, floor: group}"),
                                           ["indicators[0].rule.floor", "本身就是一级指标"], 5),
    "band above leaf points": (leaf("{type: bands, bands: [{min: 5, points: 12}], else: 0}"),
                               ["indicators[0].rule.bands[0].points", "0 到该指标分值 10"], 5),
    "remove not a list": (BASE + "extends: parent.yaml\nremove: {a: 1}\n", ["remove 应为编号列表"], 7),
    "scheme rule points at itself": (leaf("{type: scheme, criteria: case.yaml}").replace(", metric: proactive_items", ""),
                                     ["scheme 规则引用形成循环", "indicators[0].rule.criteria"], 5),
}


@pytest.fixture
def parent(tmp_path: Path) -> None:
    write(tmp_path / "parent.yaml", BASE)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_criteria_file_is_reported_with_its_location(name, tmp_path, monkeypatch, parent, score_cli):
    text, fragments, line = CASES[name]
    path = write(tmp_path / "case.yaml", text)
    monkeypatch.chdir(tmp_path)  # a payload that did run would leave PWNED here
    run = score_cli("check", path)
    assert run.code == 2
    assert f"✗ {path}" in run.err and "错误:" in run.err and str(path) in run.err.split("错误:")[1]
    for fragment in fragments:
        assert fragment in run.err, (fragment, run.err)
    if line is not None:
        assert f"第{line}行" in run.err, run.err
    assert not (tmp_path / "PWNED").exists()


def test_cyclic_extends_names_the_chain(tmp_path, score_cli):
    write(tmp_path / "a.yaml", BASE + "extends: b.yaml\n")
    write(tmp_path / "b.yaml", BASE + "extends: a.yaml\n")
    run = score_cli("check", tmp_path / "a.yaml")
    assert run.code == 2 and "extends 形成循环:a.yaml → b.yaml → a.yaml" in run.err


def test_extends_to_a_missing_file_names_the_line(tmp_path, score_cli):
    path = write(tmp_path / "child.yaml", "extends: 去年的准则.yaml\nid: t\n")
    run = score_cli("check", path)
    assert run.code == 2
    assert f"{path} 第1行 extends" in run.err and "“去年的准则.yaml”不存在" in run.err


def test_extends_to_a_folder_names_the_line(tmp_path, score_cli):
    (tmp_path / "old").mkdir()
    path = write(tmp_path / "child.yaml", "id: t\nextends: old\n")
    run = score_cli("check", path)
    assert run.code == 2 and f"{path} 第2行 extends" in run.err and "不是准则文件" in run.err


@pytest.fixture
def yaml_calls(monkeypatch) -> list[str]:
    """Which PyYAML stages ran: refusals are proved early by the stages they never reach, not by
    wall time (a timed test fails on a busy machine; speed targets live in bench/)."""
    import yaml

    calls: list[str] = []
    for stage in ("parse", "compose"):
        original = getattr(yaml, stage)
        monkeypatch.setattr(yaml, stage, lambda *a, _o=original, _s=stage, **k: calls.append(_s) or _o(*a, **k))
    return calls


def test_ten_megabyte_file_is_refused_before_parsing(tmp_path, score_cli, yaml_calls):
    path = write(tmp_path / "big.yaml", b"# " + b"x" * 10_000_000 + b"\n")
    run = score_cli("check", path)
    assert yaml_calls == []
    assert run.code == 2 and "准则文件过大" in run.err and "上限 2000 KB" in run.err


@pytest.mark.parametrize("text", [
    "id: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "id: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
    "".join("  " * i + f"k{i}:\n" for i in range(500)) + "  " * 500 + "v: 1\n",
], ids=["10000 nested lists", "10000 nested mappings", "500 indented levels"])
def test_deep_nesting_is_refused_while_parsing(text, tmp_path, score_cli, yaml_calls):
    path = write(tmp_path / "deep.yaml", text)
    run = score_cli("check", path)
    # refused while parsing, before PyYAML's recursive composer builds the levels (libyaml may
    # stop at its own limit first; the pure-Python parser then runs again for our message)
    assert yaml_calls and set(yaml_calls) == {"parse"}
    assert run.code == 2 and "嵌套层级过深(超过 40 层)" in run.err


def test_billion_laughs_is_refused_without_expanding(tmp_path, score_cli, monkeypatch):
    from scoring.scheme import yamlsrc

    built: list[int] = []
    build = yamlsrc._Builder.build
    monkeypatch.setattr(yamlsrc._Builder, "build", lambda self, *a: built.append(1) or build(self, *a))
    path = write(tmp_path / "laughs.yaml", LAUGHS)  # 10^9 leaves once expanded
    run = score_cli("check", path)
    assert len(built) == yamlsrc.MAX_NODES + 1  # stopped at the limit, not after expanding
    assert run.code == 2 and "锚点/别名" in run.err


def test_folder_instead_of_file(tmp_path, score_cli):
    run = score_cli("check", tmp_path)
    assert run.code == 2 and f"“{tmp_path}”是文件夹" in run.err


def test_missing_file(tmp_path, score_cli):
    run = score_cli("check", tmp_path / "没有这个文件.yaml")
    assert run.code == 2 and "找不到准则文件" in run.err and "没有这个文件.yaml" in run.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_named_pipe_is_refused_without_blocking(tmp_path, score_cli):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # reading it would wait forever for a writer
    run = score_cli("check", fifo)
    assert run.code == 2 and "不是普通文件" in run.err


def test_main_job_stops_on_bad_criteria_before_reading_data(make_kit, score_cli):
    kit = make_kit(criteria="id: t\nname: [\n")
    run = score_cli(*kit.job())
    assert run.code == 2 and f"错误:{kit.criteria} 第3行: YAML 格式错误" in run.err
    assert not kit.out.exists()


def test_nothing_is_constructed_from_tags(tmp_path, monkeypatch):
    """The safe loader refuses before any constructor runs: os.system is never reached."""
    calls: list[str] = []
    monkeypatch.setattr(os, "system", lambda cmd: calls.append(cmd) or 0)
    path = write(tmp_path / "x.yaml", "id: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(CriteriaError, match="不支持 YAML 标签"):
        load_scheme(path)
    assert calls == []
