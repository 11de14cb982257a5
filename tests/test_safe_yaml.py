"""One safe YAML reader: the extract patterns file gets the criteria file's limits and messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import CriteriaError
from scoring.extract.patterns import load_patterns
from scoring.scheme import yamlsrc

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcdefgh", "bcdefghi")
)


def refusal(tmp_path: Path, content: str | bytes) -> CriteriaError:
    path = tmp_path / "我的提取规则.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(CriteriaError) as info:
        load_patterns(path)
    assert info.value.location.file == str(path)
    return info.value


@pytest.mark.hostile
@pytest.mark.parametrize(("content", "message"), [
    (b"# " + b"x" * 3_000_000 + b"\n", "提取规则文件过大"),
    ("tokens: " + "[" * 500 + "]" * 500 + "\n", "嵌套层级过深(超过 40 层)"),
    (LAUGHS, "提取规则文件内容过多(超过 100000 个元素)"),
    ("tokens: !!python/object/apply:os.system ['echo hi']\n", "不支持 YAML 标签“!!python/object/apply:os.system”:提取规则文件"),
    ("tokens: {A: 'x'}\ntokens: {B: 'y'}\n", "键“tokens”重复出现"),
    ("- a\n- b\n", "提取规则文件的顶层应是“键: 值”形式的映射"),
    (b"\xff\xfe\x00", "提取规则文件不是 UTF-8 编码"),
], ids=["too big", "deep nesting", "billion laughs", "python tag", "duplicate key", "list on top", "not utf-8"])
def test_patterns_file_has_the_criteria_limits(tmp_path: Path, content: str | bytes, message: str) -> None:
    assert message in refusal(tmp_path, content).message


def test_the_limits_are_the_readers_own(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(yamlsrc, "MAX_DEPTH", 3)
    path = tmp_path / "x.yaml"
    path.write_text("tokens: {A: [[[1]]]}\n", encoding="utf-8")
    with pytest.raises(CriteriaError, match="嵌套层级过深\\(超过 3 层\\)"):
        yamlsrc.read_yaml(path, what="提取规则文件")


def test_empty_patterns_file_adds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# 暂无自定义规则\n", encoding="utf-8")
    assert load_patterns(path) == load_patterns()


def test_bundled_patterns_are_read_by_the_safe_reader() -> None:
    from scoring.extract.patterns import BUNDLED

    data = yamlsrc.strip(yamlsrc.read_yaml(BUNDLED, what="提取规则文件"))
    assert {"patterns", "tokens"} <= set(data)
    assert load_patterns().patterns  # and it builds
