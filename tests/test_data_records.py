"""Record-derived metrics, worked out by hand on a quarter (2021Q4: Oct 1 – Dec 31, 92 days)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from scoring.data.records import derive_record_metric, parse_dates
from scoring.errors import CriteriaError
from scoring.periods import Period

Q4 = Period.parse("2021Q4")
UNITS = pd.Index(["A", "B", "C"])


def records() -> pd.DataFrame:
    rows = [
        # unit, date, category, due_date
        ("A", "2021-10-01", "工作动态", "2021-10-05"),  # day 0, on time
        ("A", "2021-10-15", "工作动态", "2021-10-10"),  # day 14, late
        ("A", "2021-10-15", "工作动态", None),  # same day again: counted, no extra gap
        ("A", "2021-11-30", "通知公告", None),  # day 60
        ("A", "2021-12-25", "工作动态", "2021-12-25"),  # day 85, due that very day: on time
        ("B", "2021-09-30", "工作动态", None),  # before the quarter: ignored
        ("B", "2021-12-31", "工作动态", None),  # day 91
        ("X", "2021-11-01", "工作动态", None),  # not among the units asked for
    ]
    frame = pd.DataFrame(rows, columns=["unit_id", "date", "category", "due_date"])
    return frame.assign(
        date=pd.to_datetime(frame["date"]), due_date=pd.to_datetime(frame["due_date"]), title="标题",
    )


def derive(measure: str, where: dict | None = None) -> pd.Series:
    return derive_record_metric(records(), UNITS, measure, where or {}, Q4)


def test_count_counts_items_inside_the_period_and_zero_for_units_without() -> None:
    assert derive("count").tolist() == [5.0, 1.0, 0.0]
    assert derive("count").index.tolist() == ["A", "B", "C"]


def test_max_gap_counts_the_stretches_from_period_start_and_to_period_end() -> None:
    # A: start→Oct 1 = 0, Oct 1→Oct 15 = 14, →Nov 30 = 46, →Dec 25 = 25, Dec 25→end (day 92) = 7
    # B: start→Dec 31 = 91, then 1; C has no item: the whole quarter, 92
    assert derive("max_gap_days").tolist() == [46.0, 91.0, 92.0]


def test_where_filters_before_gaps_are_measured() -> None:
    # Without the 通知公告 item of Nov 30, A's longest gap is Oct 15 → Dec 25 = 71 days
    assert derive("max_gap_days", {"category": "工作动态"}).tolist() == [71.0, 91.0, 92.0]
    assert derive("count", {"category": ["通知公告", "政策文件"]}).tolist() == [1.0, 0.0, 0.0]
    # The header words users write work as keys too, and values are compared normalised
    assert derive("count", {"栏目": " 工作动态"}).tolist() == [4.0, 1.0, 0.0]


def test_days_since_last_is_measured_to_the_end_of_the_period() -> None:
    assert derive("days_since_last").tolist() == [7.0, 1.0, 92.0]


def test_months_with_updates() -> None:
    assert derive("months_with_updates").tolist() == [3.0, 1.0, 0.0]
    assert derive("months_with_updates", {"category": "通知公告"}).tolist() == [1.0, 0.0, 0.0]


def test_months_below_and_without_updates() -> None:
    # A: Oct 3 items, Nov 1, Dec 1. B: Dec 1 (Sep 30 is outside). C: none.
    below = lambda t, where=None: derive_record_metric(records(), UNITS, "months_below", where or {}, Q4,  # noqa: E731
                                                       threshold=t).tolist()
    assert below(1) == [0.0, 2.0, 3.0]  # a month with no item is below any threshold ≥ 1
    assert below(2) == [2.0, 3.0, 3.0]
    assert below(3) == [2.0, 3.0, 3.0]
    assert below(4) == [3.0, 3.0, 3.0]
    assert below(2, {"category": "工作动态"}) == [2.0, 3.0, 3.0]  # A: Oct 3, Nov 0, Dec 1
    assert below(0.5) == [0.0, 2.0, 3.0]  # fewer than half an item: none at all
    assert derive("months_without_updates").tolist() == [0.0, 2.0, 3.0]
    year = derive_record_metric(records(), UNITS, "months_without_updates", {}, Period.parse("2021"))
    assert year.tolist() == [9.0, 10.0, 12.0]  # B: Sep and Dec


def test_on_time_share_counts_only_items_with_a_due_date() -> None:
    share = derive("on_time_share")
    assert share["A"] == pytest.approx(2 / 3)
    assert math.isnan(share["B"]) and math.isnan(share["C"])


def test_no_record_inside_the_period_means_undefined_for_everyone() -> None:
    result = derive_record_metric(records(), UNITS, "count", {}, Period.parse("2022Q1"))
    assert result.isna().all()
    # a record inside the period, of a unit not asked for: the period has records, none of these units'
    assert derive_record_metric(records(), UNITS, "count", {}, Period.parse("2021M11")).tolist() == [1.0, 0.0, 0.0]
    assert derive_record_metric(records().iloc[[5, 7]], UNITS, "count", {}, Period.parse("2021M11")).tolist() == [0.0] * 3
    empty = records().iloc[0:0]
    assert derive_record_metric(empty, UNITS, "max_gap_days", {}, Q4).isna().all()


def test_year_period_gap_without_items_is_the_year_length() -> None:
    result = derive_record_metric(records(), UNITS, "max_gap_days", {}, Period.parse("2021"))
    # C has no item in 2021: 365 days. B: Jan 1 → Sep 30 is 272 days.
    assert result["C"] == 365.0
    assert result["B"] == 272.0


def test_unknown_measure_or_column_is_a_criteria_error() -> None:
    with pytest.raises(CriteriaError, match="统计方式"):
        derive("median_gap")
    with pytest.raises(CriteriaError, match="作者"):
        derive("count", {"作者": "张三"})


def test_parse_dates_reads_the_usual_ways_of_writing_a_date() -> None:
    texts = pd.Series(["2021-10-05", "2021/10/5", "2021.10.05", "2021年10月5日", "20211005",
                       "2021-10-05 09:30:00", "２０２１-10-05", "44474", "", "2021-13-01", "下周", "2021"])
    parsed = parse_dates(texts)
    assert (parsed.iloc[:8] == pd.Timestamp("2021-10-05")).all()
    assert parsed.iloc[8:].isna().all()
