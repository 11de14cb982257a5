"""The extraction rule file: bundled rules, an office's extension file, validation messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import CriteriaError
from scoring.extract.finder import find_values
from scoring.extract.patterns import load_patterns
from scoring.extract.split import Report
from scoring.extract.template import table_metrics
from scoring.extract.text import normalize
from scoring.vocabulary import VOCABULARY


def values(text: str, rules) -> dict[str, float]:
    report = Report("r.txt", 1, "标题", "单位", 2021, normalize(text), 1)
    return {f.metric: f.value for f in find_values(report, rules, "单位")[0]}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "本市规则.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_rules_cover_the_vocabulary() -> None:
    rules = load_patterns()
    covered = {p.metric for p in rules.patterns} | table_metrics()
    assert covered == set(VOCABULARY) - {"report_similarity"}
    assert len({p.id for p in rules.patterns}) == len(rules.patterns)


def test_extension_adds_replaces_and_disables(tmp_path: Path) -> None:
    path = write(tmp_path, """
patterns:
  site_visits:                      # a metric of the office's own scheme
    - {id: visits, regex: '网站访问量{GAP}{NUM}人次', confidence: 0.9}
  proactive_items:
    - {id: proactive_main, regex: '发稿{NUM}条', confidence: 0.9}   # replaces the bundled rule
disable: [proactive_any, proactive_listed]
""")
    text = "网站访问量达到35万人次。全年主动公开政府信息665条,发稿120条。"
    assert values(text, load_patterns()) == {"proactive_items": 665}
    assert values(text, load_patterns(path)) == {"site_visits": 350_000, "proactive_items": 120}


def test_full_width_punctuation_in_a_rule_matches(tmp_path: Path) -> None:
    path = write(tmp_path, "patterns:\n  trainings:\n    - {id: t, regex: '培训：{NUM}期', confidence: 0.95}\n")
    assert values("培训：３期", load_patterns(path)) == {"trainings": 3}


@pytest.mark.parametrize("body, key, message", [
    ("patterns:\n  trainings:\n    - {id: t, regex: '培训(\\d+期', confidence: 0.9}\n",
     "patterns.trainings[0].regex", "正则表达式无效"),
    ("patterns:\n  trainings:\n    - {id: t, regex: '培训(\\d+)+期', confidence: 0.9}\n",
     "patterns.trainings[0].regex", "嵌套"),
    ("patterns:\n  trainings:\n    - {id: t, regex: '培训{NUMBER}期'}\n", "patterns.trainings[0].regex", "{NUMBER}"),
    ("patterns:\n  trainings:\n    - {id: t, regex: '培训\\d+期'}\n", "patterns.trainings[0].regex", "value"),
    ("patterns:\n  trainings:\n    - {id: t, regex: '培训{NUM}期', confidence: 2}\n",
     "patterns.trainings[0].confidence", "0 到 1"),
    ("patterns:\n  trainings:\n    - {regex: '培训{NUM}期'}\n", "patterns.trainings[0].id", "id"),
    ("patterns:\n  Trainings:\n    - {id: t, regex: '培训{NUM}期'}\n", "patterns.Trainings", "指标编号"),
    ("pattern:\n  trainings: []\n", "pattern", "不认识的键"),
    ("disable: [no_such_rule]\n", "disable", "no_such_rule"),
])
def test_invalid_rule_files_name_file_and_key(tmp_path: Path, body: str, key: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(CriteriaError) as info:
        load_patterns(path)
    assert info.value.location.file == str(path) and info.value.location.key == key
    assert message in info.value.message


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = write(tmp_path, "patterns:\n  trainings:\n    - {id: t, regex: '培训{NUM}期'\n")
    with pytest.raises(CriteriaError) as info:
        load_patterns(path)
    assert info.value.location.line is not None and "YAML" in info.value.message


def test_missing_rule_file(tmp_path: Path) -> None:
    with pytest.raises(CriteriaError, match="找不到"):
        load_patterns(tmp_path / "none.yaml")


def test_extension_title_kinds_are_checked_and_used(tmp_path: Path) -> None:
    path = write(tmp_path, "titles:\n  kinds: ['政务公开工作(述职报告']\n")
    with pytest.raises(CriteriaError) as info:
        load_patterns(path)
    assert info.value.location.key == "titles.kinds[0]"
    path = write(tmp_path, "titles:\n  kinds: ['政务公开工作述职报告']\n")
    assert load_patterns(path).title.match("临江市教育局2021年政务公开工作述职报告")
    assert not load_patterns().title.match("临江市教育局2021年政务公开工作述职报告")


def test_the_documented_example_rule_file_works(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[1] / "docs" / "extract.md").read_text(encoding="utf-8")
    example = doc.split("# 本市规则.yaml\n", 1)[1].split("```", 1)[0]
    rules = load_patterns(write(tmp_path, example))
    assert "proactive_any" not in {p.id for p in rules.patterns}
    text = "发布政务动态120条。网站访问量达到3.5万人次。依申请公开：零。"
    assert values(text, rules) == {"proactive_items": 120, "site_visits": 35_000, "applications_received": 0}
    assert ("site_visits_mobile", "site_visits") in rules.parts and "拟于" in rules.skip_words
