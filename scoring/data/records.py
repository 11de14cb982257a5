"""Publication records (unit, date, category, title, due_date) and the metrics derived from them.

Day arithmetic for gaps: the period runs from the start of its first day to the end of its last
day, and an item counts at the start of the day it was published. So the gaps of a unit are
the days from the period start to its first item, between consecutive items, and from its last
item to the end of the period; they add up to the period's length, and a unit without any item
has one gap as long as the period (a quarter Q4: 92 days).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
import pandas as pd

from scoring.data.fast_dates import iso_days
from scoring.data.issuelog import IssueLog
from scoring.data.model import RECORD_COLUMNS
from scoring.data.names import ROLE_SPELLINGS, Names, distinct_texts, key, small_codes, unit_position
from scoring.data.rawtable import RawTable
from scoring.data.units import UnitIndex, reconcile_codes
from scoring.errors import CriteriaError
from scoring.issues import DataIssue
from scoring.numbers import normalize_text
from scoring.periods import Period
from scoring.scheme.model import Scheme

MIN_YEAR, MAX_YEAR = 1990, 2100

_DATE = re.compile(  # the time of day (上午 10:00:00, 10时30分, 10:00 PM, +08:00) is read past and dropped
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]*(?:上午|下午|中午|晚上|早上)?\s*\d{1,2}[:时]\d{1,2}(?:[:分]\d{1,2}(?:\.\d+)?秒?|分)?\s*(?:[AaPp][Mm])?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^[2-7]\d{4}(?:\.\d+)?$")  # Excel day numbers 20000–79999 (years 1954–2118), a time as a fraction
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_dates(texts: pd.Series) -> pd.Series:
    """Dates written as 2021-10-05, 2021/10/5, 2021.10.05, 2021年10月5日, 20211005 or as an Excel
    day number (44474); the time of day is dropped. NaT for empty or unreadable text. Each
    distinct text is parsed once."""
    codes, dates = date_codes(texts)
    values = np.append(dates.to_numpy("datetime64[ns]"), np.datetime64("NaT", "ns"))  # code -1: the last
    return pd.Series(values[codes], index=texts.index)


def date_codes(texts: pd.Series) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Each cell's code into the distinct dates read (-1 for empty or unreadable text) and those
    dates: a records file repeats a few hundred days over millions of rows, written in several
    ways (2021-10-05, 2021年10月5日), each read once."""
    codes, uniques = distinct_texts(texts)
    if not len(codes):
        return np.zeros(0, np.int8), pd.DatetimeIndex([], dtype="datetime64[ns]")
    uniques = pd.Series(uniques, dtype=object)
    _, parsed = iso_days(uniques)  # the speed path (scoring.data.fast_dates); the rest one by one
    for i in np.flatnonzero(np.isnat(parsed)):
        if uniques[i]:
            parsed[i] = _slow_date(uniques[i])
    years = parsed.astype("datetime64[Y]").astype("int64") + 1970
    parsed[(years < MIN_YEAR) | (years > MAX_YEAR)] = np.datetime64("NaT")
    text_to_date, dates = pd.factorize(parsed)  # two spellings of a day are one date; NaT → -1
    return small_codes(text_to_date, len(dates))[codes], pd.DatetimeIndex(dates, dtype="datetime64[ns]")


def coded_dates(codes: np.ndarray, dates: pd.DatetimeIndex) -> pd.Series:
    """A records date column: a Categorical over its distinct dates (NaT where the code is -1)."""
    return pd.Series(pd.Categorical.from_codes(codes, categories=dates, validate=False), copy=False)


def _slow_date(text: str) -> np.datetime64:
    s = unicodedata.normalize("NFKC", text).strip()
    if _SERIAL.match(s):  # an Excel date cell shown as a number (General format)
        return np.datetime64("1899-12-30", "ns") + np.timedelta64(int(float(s)), "D")
    m = _DATE.match(s) or _COMPACT.match(s)
    if not m:
        return np.datetime64("NaT")
    if not MIN_YEAR <= int(m[1]) <= MAX_YEAR:  # a nanosecond date would wrap around (1500 → 2084)
        return np.datetime64("NaT")
    try:
        return np.datetime64(datetime(int(m[1]), int(m[2]), int(m[3])), "ns")
    except ValueError:
        return np.datetime64("NaT")


def record_rows(table: RawTable, names: Names, units: UnitIndex, issues: IssueLog) -> pd.DataFrame:
    """Rows of a records file matched to units; unusable rows reported and left out."""
    table = reconcile_codes(table, names, units, issues)
    roles = names.positions(table.header)
    unit_at = unit_position(roles)
    assert unit_at is not None and "date" in roles
    cells, rows = table.cells, table.rows
    unit_text = cells[unit_at]
    positions = units.positions(unit_text)
    listed = positions >= 0  # integer positions: no text comparison over millions of rows
    units.report_unknown(unit_text, ~listed, rows, table.file, table.header[unit_at], "error", "这些发布记录", issues)
    date_text = cells[roles["date"]]
    codes, dates = date_codes(date_text)
    dated = codes >= 0
    bad = listed & ~dated
    date_header = table.header[roles["date"]]
    unit_names = units.names_by_id
    issues.add_rows(
        (DataIssue("error", f"发布日期“{text}”无法识别,本条记录未使用" if text else "未填写发布日期,本条记录未使用",
                   table.file, int(row), date_header, unit_names[unit_id])
         for text, row, unit_id in zip(date_text[bad], rows[bad], units.ids_at(positions[bad]))),
        "发布日期无法识别",
    )
    due = _due_dates(table, roles, units, positions, listed, unit_names, issues)
    keep = listed & dated
    kept = bool(keep.all())  # the usual file: every record listed and dated, nothing to filter
    text_or_empty = lambda role: cells[roles[role]] if role in roles else _blank(len(cells))  # noqa: E731
    text_codes, uniques = distinct_texts(text_or_empty("category"))
    # sorted: the monthly files of a year usually have the same categories, joined without recoding
    normal_codes, normal = pd.factorize(pd.Index([normalize_text(u) for u in uniques], dtype=object), sort=True)
    categories = pd.Categorical.from_codes(small_codes(normal_codes, len(normal))[text_codes] if len(text_codes)
                                           else text_codes, categories=pd.Index(normal, dtype=object), validate=False)
    title = text_or_empty("title")
    frame = pd.DataFrame({
        # a Categorical over the listed units: millions of records, a few thousand ids, and the
        # engine reads each record's unit position from its code (PreparedRecords); dates are
        # codes over the file's few hundred days
        "unit_id": pd.Categorical.from_codes(positions if kept else np.where(keep, positions, -1),
                                             categories=units.ids, validate=False),
        "date": coded_dates(codes, dates), "category": categories,
        # unread titles stay one code per record; read ones are Arrow-backed text
        "title": title if isinstance(title.dtype, pd.CategoricalDtype) else title.astype(str), "due_date": due,
    }, copy=False)  # columns made here (in RECORD_COLUMNS' order): not copied again
    if kept:
        return frame
    frame = frame[keep].reset_index(drop=True)  # its dates stay those some record has (a file's day span)
    return frame.assign(date=frame["date"].cat.remove_unused_categories())


def _blank(n: int) -> pd.Series:
    """A column of empty cells, as codes: nothing per record."""
    return pd.Series(pd.Categorical.from_codes(np.zeros(n, np.int8), categories=[""], validate=False), copy=False)


def _due_dates(table: RawTable, roles: dict[str, int], units: UnitIndex, positions: np.ndarray, listed: np.ndarray,
               unit_names: dict[str, str], issues: IssueLog) -> pd.Series:
    if "due_date" not in roles:
        return coded_dates(np.full(len(table.cells), -1, np.int8), pd.DatetimeIndex([], dtype="datetime64[ns]"))
    text = table.cells[roles["due_date"]]
    codes, dates = date_codes(text)
    bad = (codes < 0) & listed & (text != "").to_numpy()  # most records leave it empty
    issues.add_rows(
        (DataIssue("error", f"应公开日期“{t}”无法识别,按未填写处理", table.file, int(r),
                   table.header[roles["due_date"]], unit_names[u])
         for t, r, u in zip(text[bad], table.rows[bad], units.ids_at(positions[bad]))),
        "应公开日期无法识别",
    )
    return coded_dates(codes, dates)


def empty_records() -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": pd.Series([], dtype=str), "date": pd.Series([], dtype="datetime64[ns]"),
        "category": pd.Series([], dtype=str), "title": pd.Series([], dtype=str),
        "due_date": pd.Series([], dtype="datetime64[ns]"),
    })[RECORD_COLUMNS]


# ---- derived metrics -------------------------------------------------------------------------

_WHERE_COLUMNS = {key(s): role for role in ("category", "title") for s in ROLE_SPELLINGS[role]}


@dataclass(frozen=True)
class Window:
    """The records of one period whose unit is listed, as arrays: what every metric of the
    period picks its records from."""

    rows: np.ndarray  # their positions among all the records
    unit: np.ndarray  # int32 position of each one's unit in the unit list
    day: np.ndarray  # int32 day of each one within the period, 0 for the first day
    any_inside: bool  # whether any record at all (listed unit or not) is dated inside the period
    _codes: dict[str, np.ndarray] = field(default_factory=dict)  # column → codes of these records


@dataclass(frozen=True)
class PreparedRecords:
    """Records as codes, made once for all the records metrics of a run. A unit's position and
    a date's day are looked up once per distinct unit and date, and each period's records
    (`window`) picked once: no array over every record but their codes (a year of records,
    where a quarter is scored)."""

    records: pd.DataFrame
    unit_codes: np.ndarray  # code of each record's unit, -1 for none
    unit_at: np.ndarray  # int32 position in the unit list of each unit code, -1 not listed (the last: code -1)
    date_codes: np.ndarray  # code of each record's date, -1 for none
    day_of: np.ndarray  # int32 days since 1970-01-01 of each date code, NO_DAY for none (the last: code -1)
    _codes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # column → codes, texts
    _windows: dict[str, Window] = field(default_factory=dict)  # period label → its records

    @classmethod
    def build(cls, records: pd.DataFrame, unit_ids: pd.Index) -> "PreparedRecords":
        unit_codes, units = _codes_of(records["unit_id"])
        unit_at = np.append(pd.Index(unit_ids).get_indexer(units), -1).astype(np.int32)
        date_codes, dates = _codes_of(records["date"])
        day_of = np.append(_days(pd.Index(dates).to_numpy("datetime64[ns]")), NO_DAY)
        return cls(records, unit_codes, unit_at, date_codes, day_of)

    def coded(self, column: str, window: Window) -> tuple[np.ndarray, np.ndarray]:
        """Codes (of the window's records) and normalised distinct texts of a text column (`where` filters)."""
        if column not in self._codes:
            codes, uniques = distinct_texts(self.records[column])  # "" for a missing cell
            self._codes[column] = (codes, np.array([normalize_text(u) for u in uniques], dtype=object))
        codes, texts = self._codes[column]
        if column not in window._codes:
            window._codes[column] = codes[window.rows]
        return window._codes[column], texts

    def window(self, period: Period) -> Window:
        """The records dated inside `period` whose unit is listed, worked out once for all the
        record metrics of a run: which dates are inside is decided per date, not per record."""
        if period.label not in self._windows:
            offset = self.day_of.astype(np.int64) - int(np.datetime64(period.start, "D").astype(np.int64))
            inside = _per_record((self.day_of != NO_DAY) & (offset >= 0) & (offset < period.days), self.date_codes)
            any_inside = bool(inside.any())
            listed = self.unit_at >= 0
            if not (listed[:-1].all() and self.unit_codes.min(initial=0) >= 0):  # the readers' records: all listed
                inside &= _per_record(listed, self.unit_codes)
            rows = np.flatnonzero(inside)
            self._windows[period.label] = Window(rows, self.unit_at[self.unit_codes[rows]],
                                                 offset.astype(np.int32)[self.date_codes[rows]], any_inside)
        return self._windows[period.label]


def _per_record(per_code: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """A flag per code (the last for code -1) spread to the records: compared as a range of codes
    where the flagged codes run together (a quarter's days in a year of monthly files), which is
    several times faster than a lookup per record."""
    flagged = np.flatnonzero(per_code[:-1])
    if per_code[-1] or not len(flagged) or flagged[-1] - flagged[0] + 1 != len(flagged):
        return per_code[codes]
    return (codes >= flagged[0]) & (codes <= flagged[-1])


def _codes_of(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each cell's code (-1 for none) and the distinct values: a Categorical's own."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), column.cat.categories
    codes, uniques = pd.factorize(column, sort=False)
    return codes, pd.Index(uniques)


NO_DAY = np.iinfo(np.int32).min


def day_numbers(dates: pd.Series, picked: np.ndarray | None = None) -> np.ndarray:
    """Days since 1970-01-01 as int32 (of the records `picked`, a mask or positions), NO_DAY
    where there is no date. Dates coded as the readers give them are looked up by code, never
    expanded."""
    if isinstance(dates.dtype, pd.CategoricalDtype):
        codes = dates.cat.codes.to_numpy()
        table = _days(dates.cat.categories.to_numpy("datetime64[ns]"))
        return np.append(table, NO_DAY)[codes if picked is None else codes[picked]]  # code -1: the last
    return _days(dates.to_numpy("datetime64[ns]") if picked is None else dates.to_numpy("datetime64[ns]")[picked])


def _days(dates: np.ndarray) -> np.ndarray:
    days = dates.astype("datetime64[D]")
    return np.where(np.isnat(days), NO_DAY, days.astype(np.int64)).astype(np.int32)


@dataclass(frozen=True)
class Selected:
    """The records one metric counts, as arrays: what every measure works from. Each array is
    picked from the period's records when a measure first asks for it."""

    window: Window  # the period's records
    kept: np.ndarray | None  # which of them the metric's `where` keeps; None: all
    units: int  # length of the unit list
    span: int  # days in the period
    start: np.datetime64  # the period's first day
    period_months: int  # calendar months the period touches
    threshold: float | None  # the measure's threshold (months_below)
    prepared: PreparedRecords

    @cached_property
    def unit(self) -> np.ndarray:
        """Position of each record's unit in the unit list."""
        return self._picked(self.window.unit)

    @cached_property
    def day(self) -> np.ndarray:
        """Each record's day within the period, 0 for the first day."""
        return self._picked(self.window.day)

    def column_days(self, column: str) -> np.ndarray:
        """Another date column of these records (due_date), as datetime64[D] (NaT where none)."""
        days = day_numbers(self.prepared.records[column], self._picked(self.window.rows))
        return np.where(days == NO_DAY, np.datetime64("NaT", "D"), days.astype("datetime64[D]"))

    def dates(self) -> np.ndarray:
        """These records' dates as datetime64[D]."""
        return self.start + self.day

    def months(self) -> np.ndarray:
        """Each record's calendar month within the period, 0 for the first: looked up by its day."""
        days = self.start + np.arange(self.span)
        return (days.astype("datetime64[M]") - self.start.astype("datetime64[M]")).astype(np.int64)[self.day]

    def _picked(self, values: np.ndarray) -> np.ndarray:
        return values if self.kept is None else values[self.kept]


Measure = Callable[[Selected], np.ndarray]
MEASURES: dict[str, Measure] = {}


def measure(name: str) -> Callable[[Measure], Measure]:
    """Register a records measure: one float per unit from the selected records, over integer
    codes only (no per-record Python). Its docstring says what it gives a unit without items."""

    def register(function: Measure) -> Measure:
        assert function.__doc__, f"records measure {name} needs a docstring"
        MEASURES[name] = function
        return function

    return register


@measure("count")
def _count(s: Selected) -> np.ndarray:
    """Items; 0 without any."""
    return np.bincount(s.unit, minlength=s.units).astype(float)


@measure("months_with_updates")
def _months_with_updates(s: Selected) -> np.ndarray:
    """Calendar months with at least one item; 0 without any."""
    return (_items_per_month(s) > 0).sum(axis=1).astype(float)


@measure("months_without_updates")
def _months_without_updates(s: Selected) -> np.ndarray:
    """Calendar months of the period without any item; all of them without any item."""
    return (_items_per_month(s) < 1).sum(axis=1).astype(float)


@measure("months_below")
def _months_below(s: Selected) -> np.ndarray:
    """Calendar months with fewer than `threshold` items (a month without any item is below
    every threshold ≥ 1); all of them without any item."""
    return (_items_per_month(s) < s.threshold).sum(axis=1).astype(float)


@measure("on_time_share")
def _on_time_share(s: Selected) -> np.ndarray:
    """Share of items with a due_date published on or before it; NaN without any."""
    due = s.column_days("due_date")
    has_due = ~np.isnat(due)
    on_time = has_due & (s.dates() <= due)
    total = np.bincount(s.unit[has_due], minlength=s.units).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.bincount(s.unit, weights=on_time, minlength=s.units) / total
    result[total == 0] = np.nan
    return result


@measure("max_gap_days")
def _max_gap_days(s: Selected) -> np.ndarray:
    """Longest gap in days (see the module docstring); the period's days without any item."""
    unit, day, first, last = _unit_days(s)
    result = np.full(s.units, float(s.span))
    if len(unit):  # each unit's days run together: the longest gap of each run, then the one to the period's end
        before = np.where(first, day, day - np.r_[0, day[:-1]])  # from period start, or from previous item
        result[unit[first]] = np.maximum(np.maximum.reduceat(before, np.flatnonzero(first)), s.span - day[last])
    return result


@measure("days_since_last")
def _days_since_last(s: Selected) -> np.ndarray:
    """Days from the last item to the end of the period; the period's days without any item."""
    unit, day, _, last = _unit_days(s)
    result = np.full(s.units, float(s.span))
    result[unit[last]] = s.span - day[last]
    return result


def derive_record_metric(records: pd.DataFrame, unit_ids: pd.Index, measure: str,
                         where: Mapping[str, str | Sequence[str]], period: Period,
                         prepared: PreparedRecords | None = None, threshold: float | None = None) -> pd.Series:
    """One float per unit (indexed like `unit_ids`) from the records dated inside `period`,
    by the registered `measure` (MEASURES).

    `where` keeps records whose column equals the text (or one of the texts), compared normalised.
    When no record at all falls inside the period (no records supplied for it), every unit is NaN.
    `prepared` (of these records and units) saves the work shared by several metrics.
    """
    if measure not in MEASURES:
        raise CriteriaError(f"未知的发布记录统计方式“{measure}”,可用:{'、'.join(MEASURES)}")
    index = pd.Index(unit_ids)
    prepared = prepared or PreparedRecords.build(records, index)
    window = prepared.window(period)
    if not window.any_inside:
        return pd.Series(np.nan, index=index, dtype=float)
    selected = Selected(window, _where_mask(prepared, window, where), len(index), period.days,
                        np.datetime64(period.start, "D"), period.months, threshold, prepared)
    return pd.Series(MEASURES[measure](selected), index=index, dtype=float)


def _items_per_month(s: Selected) -> np.ndarray:
    """Unit × month table of item counts over the period's calendar months (one bincount)."""
    months = s.period_months
    return np.bincount(s.unit.astype("int64") * months + s.months(), minlength=s.units * months).reshape(s.units, months)


def _distinct(values: np.ndarray, size: int) -> np.ndarray:
    """Sorted distinct integers of [0, size): marked in a table when it is small beside their
    number, else sorted (np.unique hashes, which is far slower on millions of them)."""
    if size <= 8 * len(values) + 1024:
        seen = np.zeros(size, dtype=bool)
        seen[values] = True
        return np.flatnonzero(seen)
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _unit_days(s: Selected) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (unit, day) pairs sorted by unit then day, and which are each unit's first and last."""
    pairs = _distinct(s.unit.astype("int64") * (s.span + 1) + s.day, s.units * (s.span + 1))
    unit, day = pairs // (s.span + 1), pairs % (s.span + 1)
    if not len(unit):  # `where` left no record inside the period: no unit has a first or last item
        return unit, day, np.zeros(0, bool), np.zeros(0, bool)
    first = np.r_[True, unit[1:] != unit[:-1]]
    last = np.r_[unit[1:] != unit[:-1], True]
    return unit, day, first, last


def needs_titles(scheme: Scheme | None) -> bool:
    """Whether a records metric of the scheme (or of a scheme it links) filters on titles."""
    if scheme is None:
        return False
    return any(_WHERE_COLUMNS.get(key(column), column) == "title"
               for member in scheme.family() for spec in member.metrics if spec.records
               for column in spec.records.where)


def _where_mask(prepared: PreparedRecords, window: Window,
                where: Mapping[str, str | Sequence[str]]) -> np.ndarray | None:
    """Which of the window's records `where` keeps; None without a filter (all of them)."""
    records = prepared.records
    mask = None
    for column, wanted in where.items():
        name = column if column in records.columns else _WHERE_COLUMNS.get(key(column), column)
        if name not in records.columns:
            raise CriteriaError(f"发布记录没有“{column}”列,where 只能按 category(栏目)或 title(标题)筛选")
        values = {normalize_text(wanted)} if isinstance(wanted, str) else {normalize_text(v) for v in wanted}
        codes, texts = prepared.coded(name, window)
        hit = np.array([t in values for t in texts], dtype=bool)[codes]
        mask = hit if mask is None else mask & hit
    return mask
