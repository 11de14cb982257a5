"""Each speed path equals the plain version it stands in for."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from scoring.data.fast_decimals import plain_decimals
from scoring.data.values import parse_value

TEXTS = st.one_of(
    st.integers(-10**13, 10**13).map(str),
    st.floats(-1e13, 1e13, allow_nan=False).map(lambda x: f"{x:.4f}"),
    st.text(alphabet="0123456789.-+ ,余万%条１２٣", max_size=14),
    st.sampled_from(["007", "-0", "12.", ".5", "1e5", "999999999999.99", "1000000000000", " 5", "5\n"]),
)


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
