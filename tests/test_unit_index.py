"""The one unit index: exact lookup (any case or width), fuzzy candidates, and `score explain` by id."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scoring.data.issuelog import IssueLog
from scoring.data.load import load_data
from scoring.data.units import Candidate, UnitIndex

UNITS = pd.DataFrame({
    "unit_id": ["D01", "D02", "C01"],
    "name": ["市发展和改革委员会", "市教育局", "东湖区"],
    "class": ["dept", "dept", "county"],
    "aliases": ["市发改委|发改委", "", "东湖"],
})


def test_exact_lookup_ignores_case_width_and_spaces() -> None:
    index = UnitIndex.build(UNITS)
    assert [index.find(t) for t in ("D01", "d01", "Ｄ０１", " d 0 1 ", "市发改委", "市 教育局", "东湖")] == \
        ["D01", "D01", "D01", "D01", "D01", "D02", "C01"]
    assert index.find("市教育厅") is None and index.find("") is None
    assert list(index.match(pd.Series(["d02", "？", "c01"]))) == ["D02", "", "C01"]


def test_fuzzy_candidates_score_every_spelling_and_list_each_unit_once() -> None:
    index = UnitIndex.build(UNITS)
    found = index.candidates("市教育厅")
    # Indel ratio by hand: 市教育厅 / 市教育局 share 3 of 4 characters → 2·3 / 8 = 75
    assert found[0] == Candidate("D02", "市教育局", "市教育局", 75.0)
    assert [c.unit_id for c in found] == list(dict.fromkeys(c.unit_id for c in found))
    # "发改委" is an alias: 2·3 / (3 + 4) → 85.7 against "市发改委", 100 against "发改委" itself
    best = index.candidates("发改委")[0]
    assert (best.unit_id, best.spelling, best.score) == ("D01", "发改委", 100.0)
    assert index.candidates("完全无关的名字", cutoff=50) == []


def test_closest_names_break_ties_by_units_file_order() -> None:
    index = UnitIndex.build(pd.DataFrame({"unit_id": ["A", "B"], "name": ["甲乙", "甲丙"], "aliases": ["", ""]}))
    assert index.closest("甲丁") == ["甲乙", "甲丙"]  # both 50: listed order


def test_shared_spelling_goes_to_the_first_unit_with_a_warning() -> None:
    units = pd.DataFrame({"unit_id": ["A", "B"], "name": ["甲局", "乙局"], "aliases": ["综合局", "综合局"]})
    issues = IssueLog()
    index = UnitIndex.build(units, issues, "units.csv")
    assert index.find("综合局") == "A"
    assert [i.message for i in issues.items] == ["“综合局”同时可指“甲局”和“乙局”,按“甲局”处理"]


def test_closest_many_compares_in_blocks_as_one_by_one() -> None:
    """Issue 15 item 18 at test size (its 20,000 × 750 took 204 s with difflib, ~2 s now): blocks of
    unknown names give what each name alone gives."""
    units = pd.DataFrame({"unit_id": [f"U{i:04d}" for i in range(2_000)],
                          "name": [f"第{i}号街道办事处" for i in range(2_000)], "aliases": ""})
    index = UnitIndex.build(units)
    texts = [f"第{i}号街道" for i in range(0, 2_000, 9)]  # 223 names: three blocks
    found = index.closest_many(texts, progress=False)
    assert found[7][0] == "第63号街道办事处"
    assert found == [index.closest(t) for t in texts]


def test_every_unknown_unit_gets_its_closest_names(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "2021Q4"
    folder.mkdir(parents=True)
    (folder / "m.csv").write_text("单位,主动公开政府信息,政策解读\n市教育厅,1,1\n东湖县,2,2\n市教育所,3,3\n市教育局,4,4\n",
                                  encoding="utf-8")
    (tmp_path / "data" / "units.csv").write_text("unit_id,name\nD02,市教育局\nC01,东湖区\n", encoding="utf-8")
    data = load_data(tmp_path / "data", "2021Q4", progress=False)
    messages = [i.message for i in sorted(data.issues, key=lambda i: i.row or 0) if "不在单位名单中" in i.message]
    assert len(messages) == 3
    assert "最接近的单位:市教育局" in messages[0] and "最接近的单位:东湖区" in messages[1]
    assert "最接近的单位:市教育局" in messages[2]


# ---- score explain by id, as the data files match ------------------------------------------------

@pytest.fixture
def kit(make_kit):
    # the data file writes the ids in lower case: the loader matches them, so explain must too
    return make_kit(metrics="unit,evaluation_score,proactive_items\nu1,100,150\nu2,50,20\nu3,80,5\n")


@pytest.mark.parametrize("written", ["U3", "u3", "Ｕ３", "丙局"])
def test_explain_finds_a_unit_by_id_in_any_case(kit, score_cli, written: str) -> None:
    run = score_cli("explain", written, "--period", "2021Q4", "--criteria", kit.criteria, "--input", kit.data)
    assert run.code == 0, run.text
    assert "丙局" in run.out and "总分 4.8" in run.out  # hand-computed: 80/100 × 6 = 4.8, 5 items → 0


def test_explain_suggests_the_closest_names(kit, score_cli) -> None:
    run = score_cli("explain", "丙处", "--period", "2021Q4", "--criteria", kit.criteria, "--input", kit.data)
    assert run.code == 2 and "找不到单位“丙处”,是否指:丙局" in run.text


def test_extract_matches_units_through_the_same_index() -> None:
    from scoring.extract.units import UnitMatch, UnitMatcher

    matcher = UnitMatcher(UNITS)
    assert matcher.index.find("ｄ02") == "D02"
    assert matcher.match("d02") == UnitMatch("D02", "市教育局")  # as a data file's "d02" is matched
    assert matcher.match("临江市东湖区人民政府") == UnitMatch("C01", "东湖区")  # extract's own core-name step
