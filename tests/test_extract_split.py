"""Splitting files into reports by title, and matching report units to the units file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.extract.patterns import load_patterns
from scoring.extract.readers import SourceFile, read_report_file
from scoring.extract.split import split_reports
from scoring.extract.text import normalize
from scoring.extract.units import UnitMatcher, core_name, load_units, places_differ

REPORTS = Path(__file__).parent / "fixtures" / "reports"
RULES = load_patterns()
BODY = ("全年主动公开政府信息100条,政策解读10条,回应关切5条。全年未收到政府信息公开申请,"
        "未发生因政府信息公开引起的行政复议和行政诉讼。\n")


def split(text: str, file: str = "汇编.txt"):
    return split_reports(normalize(text), file, RULES)


def test_compilation_fixture_splits_into_five_reports() -> None:
    name = "临江市县区2021年度政务公开工作报告汇编.txt"
    text = read_report_file(SourceFile(REPORTS / "2021" / name, name)).text
    reports, issues = split_reports(text, name, RULES)
    assert [(r.index, r.unit_name, r.year) for r in reports] == [
        (1, "东湖区人民政府", 2021),
        (2, "临江市西山县人民政府", 2021),  # title cut in two by a line break
        (3, "南溪县", 2021),  # title with stray spaces
        (4, "临江市北岭区", 2021),  # year before the unit
        (5, "青石镇人民政府", 2021),
    ]
    assert reports[1].title == "临江市西山县人民政府2021年政府信息公开工作年度报告"
    assert reports[1].text.startswith("临江市西山县人民政府\n2021年")
    assert "全县共主动公开政府信息2186条" in reports[1].text and "南溪县" not in reports[1].text
    # the table of contents before the first report is not a report, and is mentioned
    assert [i.severity for i in issues] == ["info"] and "第一份报告标题之前" in issues[0].message


def test_title_forms() -> None:
    text = (
        "临江市民政局关于2021年度政务公开工作情况的报告\n" + BODY
        + "二〇二一年临江市水利局政务公开和政府信息公开工作总结\n" + BODY
        + "2021年政府信息公开工作年度报告\n临江市档案馆\n" + BODY
    )
    reports, _ = split(text)
    assert [(r.unit_name, r.year) for r in reports] == [("临江市民政局", 2021), ("临江市水利局", 2021), ("临江市档案馆", 2021)]


def test_sentence_naming_a_report_is_not_a_title() -> None:
    text = "临江市教育局2021年政府信息公开工作年度报告\n按要求按时发布《临江市教育局2020年政府信息公开工作年度报告》。\n" + BODY
    reports, _ = split(text)
    assert len(reports) == 1


def test_file_without_a_title_is_one_report_named_by_the_file() -> None:
    reports, issues = split("一、主要工作\n" + BODY, file="年报/临江市统计局2021年政务公开工作总结.txt")
    assert len(reports) == 1 and issues == []
    assert (reports[0].unit_name, reports[0].file_unit, reports[0].year, reports[0].title) == (
        "", "临江市统计局", 2021, "一、主要工作")


def test_units_file_with_chinese_headers_in_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes("单位编码,单位名称,类别,别名\nD1,市教育局,dept,\nD2,市发展和改革委员会,dept,市发改委|发改委\n".encode("gb18030"))
    units = load_units(path)
    assert units.columns.tolist() == ["unit_id", "name", "class", "aliases"]
    assert units.values.tolist() == [["D1", "市教育局", "dept", ""], ["D2", "市发展和改革委员会", "dept", "市发改委|发改委"]]


@pytest.mark.parametrize("written, expected", [
    ("临江市教育局", "市教育局"),
    ("临江市发改委", "市发展和改革委员会"),  # alias, with the city in front
    ("东湖区人民政府", "东湖区"),  # alias as given
    ("临江市西山县人民政府", "西山县"),
    ("西山县青石镇人民政府", "青石镇"),  # a town named with its county
    ("临江市市场监督管理局", "市市场监督管理局"),  # "市场" is not a city prefix
    ("ｃ０３", "南溪县"),  # the unit id, full-width
    ("临江市档案馆", None),
    ("东湖区教育局", None),  # a county's department is not the county
])
def test_unit_matching(written: str, expected: str | None) -> None:
    matcher = UnitMatcher(load_units(REPORTS / "units.csv").assign(unit_id=lambda t: t["unit_id"].str.lower()))
    match = matcher.match(written)
    assert (match.name if match else None) == expected


def test_core_names() -> None:
    assert [core_name(n) for n in ["临江市东湖区人民政府", "市教育局", "临江市市场监督管理局", "青石镇"]] == [
        "东湖区", "教育局", "市场监督管理局", "青石镇"]


def test_a_short_section_under_a_title_like_line_stays_with_its_report() -> None:
    text = "临江市教育局2021年政府信息公开工作年度报告\n" + BODY + "临江市教育局2021年政务公开工作总结\n(附后)\n" + BODY
    reports, _ = split(text)
    assert len(reports) == 2
    text = "临江市教育局2021年政府信息公开工作年度报告\n" + BODY + "临江市教育局2021年政务公开工作总结\n见上。\n"
    reports, _ = split(text)
    assert len(reports) == 1 and reports[0].text.endswith("见上。")


def test_proposals_never_cross_places() -> None:
    units = load_units(REPORTS / "units.csv")
    matcher = UnitMatcher(units)
    proposal = matcher.propose("临江市东湖区人民政府办公")
    assert proposal.unit_id == "C01" and proposal.score >= 80
    assert places_differ("东湖区教育局", "西湖区教育局") and places_differ("临江市东湖区城管局", "北岭区城管局")
    assert not places_differ("临江市北岭区教体局", "北岭区教育体育局") and not places_differ("文登审计局", "文登区审计局")
