"""Value forms in metric cells, and the issues raised for values that cannot be used."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.data.load import load_data
from scoring.data.values import parse_value, parse_values, truthy

UNITS_CSV = "unit_id,name,class,aliases\nC01,东湖区,county,东湖\nD01,市教育局,dept,\nD02,市财政局,dept,\n"


@pytest.mark.parametrize(
    ("text", "value", "approx"),
    [
        ("665", 665, False), ("665条", 665, False), ("1,234", 1234, False), ("600余", 600, True),
        ("1000多", 1000, True), ("约300", 300, True), ("1.2万", 12000, False), ("100%", 100, False),
        ("百分之百", 100, False), ("１２", 12, False), ("三期", 3, False), ("0", 0, False), ("无", 0, False),
        ("否", 0, False), ("是", 1, False), ("有", 1, False), ("-3", -3, False), ("−3", -3, False),
        ("1e3", 1000, False), (" 12 ", 12, False),
    ],
)
def test_numbers_as_written(text: str, value: float, approx: bool) -> None:
    parsed = parse_value(text)
    assert (parsed.value, parsed.approx, parsed.applicable, parsed.problem) == (value, approx, True, "")


@pytest.mark.parametrize("text", ["—", "——", "-", "/", "不适用", "不涉及", "N/A", "n/a", "－", " 不适用 "])
def test_not_applicable_marks(text: str) -> None:
    parsed = parse_value(text)
    assert not parsed.applicable and math.isnan(parsed.value) and parsed.problem == "" and parsed.gap == ""


@pytest.mark.parametrize(("text", "gap"), [
    ("", "blank"), ("   ", "blank"), ("\u3000", "blank"), ("#N/A", "error"), ("#n/a", "error"), ("#DIV/0!", "error"),
    ("#REF!", "error"), ("#VALUE!", "error"), ("#NAME?", "error"), ("#NUM!", "error"), ("#NULL!", "error"),
    ("=B2/C2", "formula"), ("=SUM(B2:B9)", "formula"),
])
def test_blanks_errors_and_unsaved_formulas_are_missing_not_not_applicable(text: str, gap: str) -> None:
    parsed = parse_value(text)
    assert parsed.applicable and math.isnan(parsed.value) and parsed.problem == "" and parsed.gap == gap


@pytest.mark.parametrize(
    ("text", "problem"),
    [("若干", "无法识别的数值“若干”"), ("inf", "不是有限数"), ("nan", "不是有限数"), ("1e308", "大得不合理"),
     ("1e400", "不是有限数"), ("12件左右吧", "无法识别")],
)
def test_unusable_text_gives_a_problem_and_nan(text: str, problem: str) -> None:
    parsed = parse_value(text)
    assert math.isnan(parsed.value) and parsed.applicable and problem in parsed.problem


def test_parse_values_marks_negative_counts_and_scales_percent_fractions() -> None:
    raw = pd.Series(["-2", "-2", "95%", "95%", "0.3"], index=[10, 11, 12, 13, 14])
    is_count = pd.Series([True, False, False, False, False], index=raw.index)
    is_fraction = pd.Series([False, False, True, False, True], index=raw.index)
    parsed = parse_values(raw, is_count, is_fraction)
    assert parsed.index.tolist() == [10, 11, 12, 13, 14]
    assert math.isnan(parsed.loc[10, "value"]) and "负数“-2”" in parsed.loc[10, "problem"]
    assert parsed.loc[11, "value"] == -2 and parsed.loc[11, "problem"] == ""
    assert parsed.loc[12, "value"] == pytest.approx(0.95)
    assert parsed.loc[13, "value"] == 95
    assert parsed.loc[14, "value"] == pytest.approx(0.3)


_CELLS = st.one_of(
    st.integers(-10**13, 10**13).map(str),
    st.floats(-1e13, 1e13, allow_nan=False).map(lambda x: f"{x:.3f}"),
    st.text(alphabet="0123456789.-+ ,余约万%条一二十—", max_size=8),
    st.sampled_from(["600余", "1.2万", "—", "", "不适用", "无", "007", "12.", ".5", "1e5", "１２", "-0"]),
)


@pytest.mark.slow
@given(st.lists(_CELLS, max_size=30))
def test_parse_values_reads_every_cell_as_parse_value_does(cells: list[str]) -> None:
    """The column reader's shortcut for plain decimals gives exactly what the cell reader gives."""
    table = parse_values(pd.Series(cells, dtype=object))
    for text, row in zip(cells, table.itertuples()):
        one = parse_value(text)
        assert (row.value == one.value or (math.isnan(row.value) and math.isnan(one.value))), text
        assert (row.approx, row.applicable, row.problem) == (one.approx, one.applicable, one.problem), text


def test_truthy_reads_yes_no_columns() -> None:
    assert truthy(pd.Series(["是", "否", "true", "FALSE", "1", "0", ""])).tolist() == [
        True, False, True, False, True, False, False]


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def sample(tmp_path: Path, metrics: str, *more: tuple[str, str]) -> Path:
    write(tmp_path, "units.csv", UNITS_CSV)
    write(tmp_path, "2021Q4/metrics.csv", metrics)
    for name, text in more:
        write(tmp_path, name, text)
    return tmp_path


def test_values_table_keeps_raw_text_approx_and_applicability(tmp_path: Path) -> None:
    folder = sample(tmp_path, "单位,主动公开政府信息,全文电子化率,泄密\n东湖区,600余,—,无\n市教育局,1.2万,百分之百,0\n")
    data = load_data(folder, "2021Q4", progress=False)
    v = data.values.set_index(["unit_id", "metric"])
    assert v.loc[("C01", "proactive_items"), ["value", "raw", "approx"]].tolist() == [600.0, "600余", True]
    assert v.loc[("D01", "proactive_items"), "value"] == 12000.0
    assert not v.loc[("C01", "fulltext_rate"), "applicable"]
    assert math.isnan(v.loc[("C01", "fulltext_rate"), "value"])
    assert v.loc[("D01", "fulltext_rate"), "value"] == 100.0
    assert v.loc[("C01", "leaks"), "value"] == 0.0
    assert v.loc[("C01", "proactive_items"), ["source", "row", "column"]].tolist() == [
        "2021Q4/metrics.csv", 2, "主动公开政府信息"]
    # an approximate value is flagged in the table, and noted (info) with its row
    assert [(i.severity, i.row, i.metric) for i in data.issues] == [("info", 2, "proactive_items")]
    wide = data.wide()
    assert wide.index.tolist() == ["C01", "D01", "D02"]
    assert math.isnan(wide.loc["D02", "proactive_items"])  # D02 has no row: missing


def test_unreadable_negative_and_infinite_values_are_errors_naming_the_cell(tmp_path: Path) -> None:
    folder = sample(tmp_path, "单位,主动公开政府信息,政策解读,全文电子化率\n东湖区,很多,-3,inf\n市教育局,1e308,2,99\n")
    data = load_data(folder, "2021Q4", progress=False)
    issues = {(i.row, i.column): i for i in data.issues}
    assert len(issues) == 4 and all(i.severity == "error" for i in issues.values())
    unreadable = issues[(2, "主动公开政府信息")]
    assert (unreadable.file, unreadable.unit, unreadable.metric) == ("2021Q4/metrics.csv", "东湖区", "proactive_items")
    assert "“很多”" in unreadable.message and "未使用" in unreadable.message
    assert "负数“-3”" in issues[(2, "政策解读")].message
    assert "不是有限数" in issues[(2, "全文电子化率")].message
    assert "大得不合理" in issues[(3, "主动公开政府信息")].message
    v = data.values.set_index(["unit_id", "metric"])
    assert math.isnan(v.loc[("C01", "policy_interpretations"), "value"])
    assert v.loc[("C01", "policy_interpretations"), "raw"] == "-3"


def test_conflicting_duplicates_use_the_last_read_and_say_so(tmp_path: Path) -> None:
    folder = sample(
        tmp_path, "单位,主动公开政府信息,政策解读\n东湖区,600,12\n市教育局,80,5\n",
        ("2021Q4/补报.csv", "单位,指标,数值\n东湖区,主动公开政府信息,650\n市教育局,政策解读,5\n东湖,政策解读,12.0\n"),
    )
    data = load_data(folder, "2021Q4", progress=False)
    problems = [i for i in data.issues if i.severity != "info"]
    assert len(problems) == 1
    assert any("单位写作“东湖”" in i.message for i in data.issues)  # the alias is noted
    issue = problems[0]
    assert issue.severity == "warning"
    assert (issue.file, issue.row, issue.unit, issue.metric) == ("2021Q4/补报.csv", 2, "东湖区", "proactive_items")
    assert "“600”" in issue.message and "“650”" in issue.message and "采用最后读入的“650”" in issue.message
    v = data.values.set_index(["unit_id", "metric"])
    assert v.loc[("C01", "proactive_items"), "value"] == 650.0
    assert len(data.values) == 4  # one row per unit and metric


def test_duplicate_within_one_file_and_an_unusable_copy(tmp_path: Path) -> None:
    # Two rows for 东湖区 in one file: the later one wins. An unreadable later copy does not
    # override a usable value: it is reported as an error on its own.
    folder = sample(tmp_path, "单位,政策解读,回应关切\n东湖区,3,7\n东湖区,4,看情况\n")
    data = load_data(folder, "2021Q4", progress=False)
    v = data.values.set_index(["unit_id", "metric"])
    assert v.loc[("C01", "policy_interpretations"), "value"] == 4.0
    assert v.loc[("C01", "responses_to_concerns"), "value"] == 7.0
    assert sorted(i.severity for i in data.issues) == ["error", "warning"]


def test_many_bad_cells_in_one_file_are_listed_up_to_a_limit_then_counted(tmp_path: Path) -> None:
    lines = "".join(f"东湖区,坏{i}\n" for i in range(25))
    data = load_data(sample(tmp_path, "单位,政策解读\n" + lines), "2021Q4", progress=False)
    errors = [i for i in data.issues if i.severity == "error"]
    assert len(errors) == 21
    assert [i.row for i in errors[:20]] == list(range(2, 22))
    assert "另有 5 行" in errors[20].message and "第 22、23、24、25、26 行" in errors[20].message


def test_an_empty_cell_does_not_hide_a_value_from_another_file(tmp_path: Path) -> None:
    folder = sample(tmp_path, "单位,政策解读,回应关切\n东湖区,6,\n",
                    ("2021Q4/z.csv", "单位,政策解读,回应关切\n东湖区,,/\n"))
    data = load_data(folder, "2021Q4", progress=False)
    v = data.values.set_index(["unit_id", "metric"])
    assert v.loc[("C01", "policy_interpretations"), ["value", "source"]].tolist() == [6.0, "2021Q4/metrics.csv"]
    # an explicit "/" is a statement (not applicable) and wins over an empty cell
    assert not v.loc[("C01", "responses_to_concerns"), "applicable"]
    assert v.loc[("C01", "responses_to_concerns"), "raw"] == "/"
    assert data.issues == ()
