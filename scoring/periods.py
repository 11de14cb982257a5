"""Scoring periods: `2021`, `2021H1`, `2021Q4`, `2021M03`.

A period knows its first and last day, its length in calendar months (for `per:` thresholds)
and days (for update gaps), and the period before it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from scoring.errors import ScoringError

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[HQM])(?P<index>\d{1,2}))?$")
_MONTHS = {"Y": 12, "H": 6, "Q": 3, "M": 1}
_COUNT = {"H": 2, "Q": 4, "M": 12}
_KIND_NAMES = {"Y": "年度", "H": "半年", "Q": "季度", "M": "月"}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str = "Y"  # Y, H, Q or M
    index: int = 1

    @classmethod
    def parse(cls, text: str) -> "Period":
        raw = str(text).strip().upper()
        m = _PATTERN.match(raw)
        if not m:
            raise ScoringError(
                f"无法识别的期间“{text}”:应写作 2021(年度)、2021H1(半年)、2021Q4(季度)或 2021M03(月份)"
            )
        year = int(m["year"])
        kind = m["kind"] or "Y"
        index = int(m["index"]) if m["index"] else 1
        if kind != "Y" and not 1 <= index <= _COUNT[kind]:
            limit = _COUNT[kind]
            raise ScoringError(f"期间“{text}”无效:{_KIND_NAMES[kind]}序号应在 1 到 {limit} 之间")
        if not 1900 <= year <= 2200:
            raise ScoringError(f"期间“{text}”的年份 {year} 不合理")
        return cls(year, kind, index)

    @property
    def label(self) -> str:
        if self.kind == "Y":
            return str(self.year)
        if self.kind == "M":
            return f"{self.year}M{self.index:02d}"
        return f"{self.year}{self.kind}{self.index}"

    @property
    def chinese(self) -> str:
        if self.kind == "Y":
            return f"{self.year}年度"
        if self.kind == "H":
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        if self.kind == "Q":
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        return f"{self.year}年{self.index}月"

    def __str__(self) -> str:
        return self.label

    @property
    def months(self) -> int:
        return _MONTHS[self.kind]

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.months + 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """Last day of the period (inclusive)."""
        last_month = self.first_month + self.months - 1
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        if self.kind == "Y":
            return Period(self.year - 1)
        if self.index > 1:
            return Period(self.year, self.kind, self.index - 1)
        return Period(self.year - 1, self.kind, _COUNT[self.kind])

    def earlier_in_year(self) -> list["Period"]:
        """The periods of the same kind before this one in its year: 2021Q3 → 2021Q1, 2021Q2."""
        return [Period(self.year, self.kind, i) for i in range(1, self.index)] if self.kind != "Y" else []

    def contains(self, other: "Period") -> bool:
        """True when `other` lies inside this period (a quarter inside its year)."""
        return self.start <= other.start and other.end <= self.end

    def scale_from(self, per: str) -> float:
        """Factor turning a threshold stated per month/quarter/year into this period's span."""
        per_months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[per]
        return self.months / per_months
