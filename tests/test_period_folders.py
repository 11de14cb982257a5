"""One period-folder resolver for the loader and the automatic comparison period."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.data.folders import find_period_folders, folder_period, period_folders, unread_folders
from scoring.data.load import load_data
from scoring.periods import Period
from tests.conftest import TINY_HEADER, write


@pytest.mark.parametrize(("name", "label"), [
    ("2021Q3", "2021Q3"), ("2021年第三季度", "2021Q3"), ("2021-Q3", "2021Q3"), ("2021年三季度", "2021Q3"),
    ("2021-10", "2021M10"), ("2021.10", "2021M10"), ("2021年10月", "2021M10"), ("2021M10", "2021M10"),
    ("2021年上半年", "2021H1"), ("2021", "2021"), ("2021年度", "2021"), ("２０２１Ｑ３", "2021Q3"),
])
def test_folder_names_read_as_periods(tmp_path: Path, name: str, label: str) -> None:
    assert folder_period(tmp_path / name) == Period.parse(label)


def test_a_dated_folder_that_is_no_period_is_named_not_silently_dropped(tmp_path: Path) -> None:
    write(tmp_path / "2021-13" / "m.csv", "x")  # month 13
    write(tmp_path / "2021年第五季度" / "m.csv", "x")
    (tmp_path / "2021备份").mkdir()  # empty: nothing lost, nothing said
    write(tmp_path / "review" / "m.csv", "x")  # not dated: an ordinary folder
    assert [(p.name, "不是可识别的期间" in why) for p, why in unread_folders(tmp_path)] == \
        [("2021-13", True), ("2021年第五季度", True)]
    assert period_folders(tmp_path) == []


def test_month_folder_is_read_for_its_month(make_kit) -> None:
    kit = make_kit(metrics=None)
    write(kit.data / "2021-10" / "m.csv", TINY_HEADER + "甲局,100,150\n")
    data = load_data(kit.data, "2021M10", progress=False)
    assert data.values.set_index("metric")["value"].to_dict() == {"evaluation_score": 100, "proactive_items": 150}
    assert data.values["source"].iloc[0] == "2021-10/m.csv"


def test_loader_warns_about_a_dated_folder_it_skips(make_kit) -> None:
    kit = make_kit()
    write(kit.data / "2021-Q5" / "m.csv", TINY_HEADER + "甲局,1,1\n")
    data = load_data(kit.data, "2021Q4", progress=False)
    skipped = [i for i in data.issues if i.file == "2021-Q5"]
    assert len(skipped) == 1 and skipped[0].severity == "warning" and "其中的文件未读取" in skipped[0].message


def test_both_spellings_of_a_period_are_its_folders(tmp_path: Path) -> None:
    for name in ("2021Q3", "2021年第三季度", "2021年第四季度"):
        (tmp_path / name).mkdir()
    assert [p.name for p in find_period_folders(tmp_path, Period.parse("2021Q3"))] == ["2021Q3", "2021年第三季度"]


def test_comparison_found_from_a_chinese_named_folder(make_kit, score_cli) -> None:
    kit = make_kit()
    # hand-computed for 2021Q3: 甲局 3 + 2 = 5 (50/100 × 6, 20 items → 2), 乙局 6 + 4 = 10
    write(kit.data / "2021年第三季度" / "m.csv", TINY_HEADER + "甲局,50,20\n乙局,100,150\n丙局,80,5\n")
    run = score_cli(*kit.job())
    assert run.code == 0, run.text
    assert "对比期间:2021Q3" in run.out
    import openpyxl

    sheet = openpyxl.load_workbook(kit.workbook)["指标得分"]  # 上期排名 and 总分变化 beside the indicators
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in rows if "上期排名" in r)
    table = {r[header.index("单位")]: r for r in rows[rows.index(header) + 1:] if r[header.index("单位")]}
    # 2021Q4 (TINY_METRICS): 甲局 10 rank 1, 乙局 5 rank 2: each swapped places with the other
    assert table["甲局"][header.index("上期排名")] == 2 and table["乙局"][header.index("上期排名")] == 1
    assert float(table["甲局"][header.index("总分变化")]) == 5.0
