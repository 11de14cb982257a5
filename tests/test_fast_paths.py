"""Each speed path equals the plain version it stands in for."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.data.fast_decimals import plain_decimals
from scoring.data.values import parse_value

TEXTS = st.one_of(
    st.integers(-10**13, 10**13).map(str),
    st.floats(-1e13, 1e13, allow_nan=False).map(lambda x: f"{x:.4f}"),
    st.text(alphabet="0123456789.-+ ,余万%条１２٣", max_size=14),
    st.sampled_from(["007", "-0", "12.", ".5", "1e5", "999999999999.99", "1000000000000", " 5", "5\n"]),
)
UNTIMED = settings(deadline=None)  # a shared machine: an example's time says nothing (the first also pays for imports)


@UNTIMED
@given(st.lists(TEXTS, max_size=40))
def test_plain_decimals_equal_parse_value(texts: list[str]) -> None:
    plain, values = plain_decimals(pd.Series(texts, dtype=object))
    for text, fast, value in zip(texts, plain, values):
        if not fast:
            assert math.isnan(value)
            continue
        one = parse_value(text)  # the plain version: everything it says must match
        assert value == one.value and str(value) == str(one.value), text  # -0.0 too
        assert (one.approx, one.applicable, one.percent, one.problem, one.gap) == (False, True, False, "", ""), text


def test_plain_decimals_take_the_common_cells_and_leave_the_rest() -> None:
    plain, values = plain_decimals(pd.Series(["665", "0.95", "-3", "600余", "1.2万", "１２", "12.", "1,234", ""]))
    assert plain.tolist() == [True, True, True, False, False, False, False, False, False]
    assert values[:3].tolist() == [665.0, 0.95, -3.0]


DATES = st.one_of(
    st.datetimes(min_value=__import__("datetime").datetime(1990, 1, 1),
                 max_value=__import__("datetime").datetime(2100, 12, 31)).map(
        lambda d: d.isoformat(sep=" ", timespec=["minutes", "seconds", "microseconds"][d.microsecond % 3])),
    st.dates().map(lambda d: d.isoformat()),
    st.text(alphabet="0123456789- :T.", max_size=22),
    st.sampled_from(["2021-02-30", "2021-13-01", "2021-10", "2021", "2021-10-05T09:30", "2021-1-5", "1500-03-01",
                     "0001-01-01", "9999-12-31", "2021-10-05 09:30:00.5"]),
)


@UNTIMED
@given(st.lists(DATES, max_size=30))
def test_iso_days_equal_the_plain_date_reader(texts: list[str]) -> None:
    from scoring.data.fast_dates import iso_days
    from scoring.data.records import _slow_date

    taken, days = iso_days(pd.Series(texts, dtype=object))
    for text, fast, day in zip(texts, taken, days):
        if fast:  # an impossible date is NaT on both ways
            plain = _slow_date(text)
            assert (day == plain) or (pd.isna(day) and pd.isna(plain)), text
        else:
            assert pd.isna(day)


def test_a_date_outside_the_years_is_unreadable_not_wrapped_around() -> None:
    from scoring.data.records import parse_dates

    parsed = parse_dates(pd.Series(["1500-03-01", "1500年3月1日", "2021-10-05 09:30:00.5"]))
    assert parsed.isna().tolist() == [True, True, False]  # 1500 was read as 2084-09-17 before
    assert parsed.iloc[2] == pd.Timestamp("2021-10-05")


CODED = st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["工作动态", "通知公告", "政策解读", "", " 其他"])),
                          max_size=6), min_size=1, max_size=4)


@UNTIMED
@given(CODED)
def test_records_joined_as_codes_equal_a_plain_concat(files: list[list[str | None]]) -> None:
    """Monthly files' categorical columns, each over its own categories (missing cells too), are
    joined by moving codes: the same values, in the same order, as joining the plain texts."""
    from scoring.data.load import _joined_column

    parts = [pd.Series(pd.Categorical(cells)) for cells in files]
    joined = _joined_column(parts)
    assert isinstance(joined.dtype, pd.CategoricalDtype)
    plain = pd.concat([p.astype(object) for p in parts], ignore_index=True)
    assert joined.astype(object).fillna("<none>").tolist() == plain.fillna("<none>").tolist()


def test_monthly_record_files_keep_dates_as_codes_and_read_them_as_written(tmp_path) -> None:
    """Dates spelt several ways across monthly files (and a file without due dates) come out as
    the same days the plain reader gives, held as codes over the distinct days."""
    from scoring.data.load import load_data
    from scoring.data.records import PreparedRecords, day_numbers, parse_dates

    (tmp_path / "2021").mkdir()
    (tmp_path / "units.csv").write_text("unit_id,name\nC01,东湖区\nC02,西山县\n", encoding="utf-8")
    (tmp_path / "2021" / "records_10.csv").write_text(
        "单位,发布日期,栏目,标题,应公开日期\n东湖区,2021-10-05,工作动态,甲,\n西山县,2021年10月5日,通知公告,乙,2021/10/04\n"
        "东湖区, 2021/10/31 ,工作动态,丙,2021-11-01\n", encoding="utf-8")
    (tmp_path / "2021" / "records_11.csv").write_text(
        "单位,发布日期,栏目,标题\n西山县,20211101,工作动态,丁\n东湖区,2021-11-30 09:30,政策解读,戊\n", encoding="utf-8")
    records = load_data(tmp_path, "2021Q4", progress=False).records
    written = ["2021-10-05", "2021年10月5日", "2021/10/31", "20211101", "2021-11-30 09:30"]
    assert records["date"].astype(object).tolist() == parse_dates(pd.Series(written)).tolist()
    assert isinstance(records["date"].dtype, pd.CategoricalDtype)
    assert len(records["date"].cat.categories) == 4  # 10-05 written two ways is one day
    due = parse_dates(pd.Series(["", "2021/10/04", "2021-11-01", "", ""]))
    assert records["due_date"].astype(object).isna().tolist() == due.isna().tolist()
    assert day_numbers(records["due_date"]).tolist() == day_numbers(due).tolist()
    prepared = PreparedRecords.build(records, pd.Index(["C01", "C02"]))
    days = prepared.day_of[prepared.date_codes]
    assert days.tolist() == day_numbers(parse_dates(pd.Series(written))).tolist()


MESSY_CSV = {
    "bom and a title row": "\ufeff2021年发布记录\n单位,发布日期,栏目\n甲局,2021-10-05,工作动态\n".encode(),
    "gbk": "单位,发布日期,栏目\n甲局,2021-10-05,工作动态\n".encode("gb18030"),
    "gbk below an ascii top": ("unit,date,category\n" + "U1,2021-10-05,news\n" * 4000 + "乙局,2021-10-06,通知公告\n"
                              ).encode("gb18030"),
    "short, spilled and unnamed": "单位,发布日期,栏目,\n甲局,2021-10-05\n乙局,2021-10-05,工作动态,1,234\n丙局,2021-10-05,动态,x\n".encode(),
    "quoted line break": '单位,发布日期,栏目\n甲局,2021-10-05,"工作\n动态"\n乙局,2021-10-06,通知\n'.encode(),
    "unclosed quote": '单位,发布日期,栏目\n甲局,2021-10-05,"工作\n动态\n乙局,2021-10-06,通知\n'.encode(),
    "a workbook": b"PK\x03\x04" + bytes(100),
    "blank": b"\xef\xbb\xbf  \r\n\t\n",
    "binary": bytes(range(256)) * 8,
}


@pytest.mark.parametrize("name", MESSY_CSV)
def test_a_mapped_csv_reads_as_a_copied_one(name: str, tmp_path, monkeypatch) -> None:
    """Big files are mapped into memory instead of copied: the same cells, rows, issues and
    errors as reading the bytes, for every kind of messy file."""
    from scoring.data import csv_reader
    from scoring.data.issuelog import IssueLog
    from scoring.data.rawtable import Columns
    from scoring.errors import InputError

    path = tmp_path / "records.csv"
    path.write_bytes(MESSY_CSV[name])

    def read(map_from: int):
        monkeypatch.setattr(csv_reader, "MAP_FROM", map_from)
        issues = IssueLog()
        try:
            table = csv_reader.read_csv(path, "records.csv", lambda cells: "单位" in cells or "unit" in cells, issues,
                                        lambda header: Columns(coded=frozenset({1, 2})), 2**30)
        except InputError as exc:
            return str(exc)
        if table is None:
            return None, issues.items
        return table.cells.astype(object).to_dict("list"), table.rows.tolist(), issues.items

    assert read(1) == read(2**40)


@UNTIMED
@given(st.lists(st.one_of(st.none(), st.sampled_from(["工作动态", "m01", "", " 2021Q4", "nan"]), st.integers(0, 3)),
                max_size=8))
def test_coded_texts_convert_as_astype_str(cells: list) -> None:
    """A value column held as codes becomes the same text column as pandas' astype(str)."""
    from scoring.data.load import _text

    column = pd.Series(pd.Categorical(cells if all(isinstance(c, str) for c in cells) else [*cells]),
                       index=range(5, 5 + len(cells)))
    fast, plain = _text(column), column.astype(str)
    assert fast.dtype == plain.dtype and fast.index.equals(plain.index)
    assert fast.fillna("<none>").tolist() == plain.fillna("<none>").tolist()
