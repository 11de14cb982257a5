"""What headers, metric names, class labels and period labels mean.

Spreadsheets from different offices write the same column many ways ("单位名称", "单位",
"unit"); this module maps them to the column roles and metric ids the readers use. Every
lookup compares normalised keys: full-width to half-width, no spaces, case-folded.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.errors import ScoringError
from scoring.numbers import normalize_text
from scoring.periods import Period
from scoring.scheme.model import Scheme
from scoring.scheme.usage import metrics_used
from scoring.vocabulary import VOCABULARY

# Column role → spellings accepted in a header row.
ROLE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "unit_id": ("unit_id", "id", "单位编码", "单位编号", "单位代码", "编码", "编号", "代码"),
    "name": ("name", "unit", "unit_name", "单位", "单位名称", "名称", "部门", "部门名称",
             "被考评单位", "考评对象"),
    "class": ("class", "类别", "分类", "单位类别", "单位分类", "类型"),
    "aliases": ("aliases", "alias", "别名", "简称"),
    "metric": ("metric", "指标", "指标名称", "指标编号"),
    "value": ("value", "数值", "值", "数据"),
    "period": ("period", "期间", "考评期间", "统计期间"),
    "source": ("source", "来源", "来源文件", "数据来源"),
    "evidence": ("evidence", "依据原文", "依据", "原文"),
    "approx": ("approx", "约数", "是否约数"),
    "confidence": ("confidence", "置信度"),
    "status": ("status", "核对", "核对结果", "审核", "状态"),
    "date": ("date", "发布日期", "日期", "发布时间"),
    "category": ("category", "栏目", "栏目名称"),
    "title": ("title", "标题", "信息标题"),
    "due_date": ("due_date", "应公开日期", "应发布日期"),
    "note": ("备注", "说明", "note", "notes", "remark", "remarks"),  # kept with the values of its row
    # Bookkeeping columns people add; read as nothing, without a warning.
    "ignored": ("序号", "no", "no.", "排名",
                # what `score extract` adds for the clerk who checks its rows
                "origin", "出处", "unit_match", "单位匹配"),
}

UNIT_ROLES = ("unit_id", "name")  # in data files either column names the unit

# Vocabulary units that make a metric a count (a negative value is an error).
COUNT_UNITS = frozenset({"条", "件", "期", "次", "人次", "人", "个", "项", "篇", "份"})
FRACTION_UNITS = frozenset({"0–1", "0-1"})

_ID_LIKE = re.compile(r"^[a-z][a-z0-9_]*$")
_TRAILING_PAREN = re.compile(r"^(?P<head>.+?)\((?P<inner>[^()]*)\)$")


def key(text: object) -> str:
    """Comparison key: normalised, case-folded, without decoration like "*" or a trailing colon."""
    return normalize_text(str(text)).casefold().strip("*:")


def split_paren(header: str) -> tuple[str, str]:
    """"主动公开政府信息(条)" → ("主动公开政府信息", "条"); no parenthesis → (header, "")."""
    m = _TRAILING_PAREN.match(header)
    return (m["head"], m["inner"]) if m else (header, "")


@dataclass(frozen=True)
class Names:
    """Lookups built once per run from the vocabulary and, when given, the scheme."""

    roles: dict[str, str]
    metrics: dict[str, str]  # key → metric id
    classes: dict[str, str]  # key → class id (empty without a scheme)
    display: dict[str, str]  # metric id → Chinese name
    units: dict[str, str]  # metric id → unit ("条", "%", "0–1")
    class_names: dict[str, str] = field(default_factory=dict)  # class id → Chinese name
    scheme_metrics: frozenset[str] = field(default_factory=frozenset)
    has_scheme: bool = False

    @classmethod
    def build(cls, scheme: Scheme | None = None) -> "Names":
        roles = {key(s): role for role, spellings in ROLE_SPELLINGS.items() for s in spellings}
        metrics: dict[str, str] = {}
        display: dict[str, str] = {}
        units: dict[str, str] = {}
        for metric_id, term in VOCABULARY.items():
            for spelling in (metric_id, term.name, *term.aliases):
                metrics.setdefault(key(spelling), metric_id)
            display[metric_id] = term.name
            units[metric_id] = term.unit
        classes: dict[str, str] = {}
        used: set[str] = set()
        family = scheme.family() if scheme is not None else []
        for member in family:
            used |= metrics_used(member) | {spec.id for spec in member.metrics}
        for metric_id in used:
            metrics[key(metric_id)] = metric_id
        for member in reversed(family):  # the outer scheme's names win over linked ones
            for spec in member.metrics:  # the scheme's own names win over vocabulary aliases
                if spec.name:
                    metrics[key(spec.name)] = spec.id
                    display[spec.id] = spec.name
                if spec.unit:
                    units[spec.id] = spec.unit
        if scheme is not None:
            for unit_class in scheme.classes:
                for spelling in (unit_class.id, unit_class.name, *unit_class.aliases):
                    classes[key(spelling)] = unit_class.id
        class_names = {c.id: c.name for c in scheme.classes} if scheme is not None else {}
        return cls(roles, metrics, classes, display, units, class_names, frozenset(used), scheme is not None)

    def role(self, header: str) -> str | None:
        k = key(header)
        if k in self.roles:
            return self.roles[k]
        head, _ = split_paren(k)
        return self.roles.get(head)

    def positions(self, header: tuple[str, ...]) -> dict[str, int]:
        """Role → position of the first column in `header` that has it."""
        found: dict[str, int] = {}
        for position, text in enumerate(header):
            role = self.role(text) if text else None
            if role:
                found.setdefault(role, position)
        return found

    def metric(self, text: str) -> str | None:
        """Metric id for a header or a long-format cell: id, Chinese name or alias.

        "主动公开政府信息(条)" drops the unit; "第三方评估得分(evaluation_score)" uses the id in
        the parenthesis. A lower-case identifier is taken as a metric id even when unknown.
        """
        k = key(text)
        if not k:
            return None
        if k in self.metrics:
            return self.metrics[k]
        head, inner = split_paren(k)
        if _ID_LIKE.match(inner):
            return self.metrics.get(inner, inner)
        if head in self.metrics:
            return self.metrics[head]
        return k if _ID_LIKE.match(k) else None

    def closest_metrics(self, text: str, n: int = 3) -> list[str]:
        """Chinese names of the metrics whose spelling is closest to `text`."""
        found = difflib.get_close_matches(key(text), list(self.metrics), n=n * 3, cutoff=0.4)
        out: list[str] = []
        for spelling in found:
            name = self.display_name(self.metrics[spelling])
            if name not in out:
                out.append(name)
        return out[:n]

    def closest_ids(self, metric_id: str, n: int = 3) -> list[str]:
        """Known metric ids (vocabulary and scheme) spelled most like `metric_id`."""
        known = sorted(set(VOCABULARY) | self.scheme_metrics)
        return difflib.get_close_matches(metric_id, known, n=n, cutoff=0.6)

    def suspicious_id(self, metric_id: str) -> bool:
        """An identifier nobody declared: not in the vocabulary, not used by the scheme."""
        return self.has_scheme and metric_id not in VOCABULARY and metric_id not in self.scheme_metrics

    def display_name(self, metric_id: str) -> str:
        return self.display.get(metric_id, metric_id)

    def is_count(self, metric_id: str) -> bool:
        return self.units.get(metric_id, "") in COUNT_UNITS

    def is_fraction(self, metric_id: str) -> bool:
        return self.units.get(metric_id, "") in FRACTION_UNITS

    def class_id(self, text: str) -> str | None:
        """Class id for a units-file class cell; without a scheme the cell is kept as written."""
        k = key(text)
        if not self.has_scheme:
            return normalize_text(text)
        return self.classes.get(k)


def map_distinct(texts: pd.Series, function: Callable[[str], object], dtype: type = object) -> np.ndarray:
    """`function` of each cell, called once per distinct text (big files repeat their cells)."""
    codes, uniques = distinct_texts(texts)
    return np.array([function(u) for u in uniques], dtype=dtype)[codes] if len(codes) else np.zeros(0, dtype)


def distinct_texts(texts: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each cell's code and the distinct texts ("" for a missing cell), never converting the
    cells one by one: a Categorical's own codes, or a hash of the column."""
    if isinstance(texts.dtype, pd.CategoricalDtype):
        uniques = [*texts.cat.categories.to_numpy(dtype=object, na_value="").tolist(), ""]
        codes = texts.cat.codes.to_numpy()
        # a reader's codes are never -1 (checked without a copy of the column)
        return (np.where(codes < 0, len(uniques) - 1, codes) if len(codes) and codes.min() < 0 else codes), uniques
    codes, found = pd.factorize(texts, sort=False, use_na_sentinel=False)
    return codes, ["" if pd.isna(u) else str(u) for u in found]


def small_codes(codes: np.ndarray, distinct: int) -> np.ndarray:
    """`codes` (-1 for none) in the smallest integer type holding `distinct` codes, as a
    Categorical keeps them: per record, 1 or 2 bytes where a date takes 8."""
    return codes.astype(code_type(distinct), copy=False)


def code_type(distinct: int) -> type[np.signedinteger]:
    """The smallest integer type holding `distinct` codes and -1."""
    return next((t for t in (np.int8, np.int16, np.int32) if distinct < np.iinfo(t).max), np.int64)


def unit_position(roles: dict[str, int]) -> int | None:
    """Column naming the unit in a data file: the id column if there is one, else the name."""
    return next((roles[r] for r in UNIT_ROLES if r in roles), None)


_CHINESE_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIOD_FORMS = (
    (re.compile(r"^(\d{4})年?(?:度|全年)?$"), lambda m: Period(int(m[1]))),
    (re.compile(r"^(\d{4})年?第?([一二三四1-4])季度?$"), lambda m: Period(int(m[1]), "Q", _CHINESE_QUARTERS[m[2]])),
    (re.compile(r"^(\d{4})年?([上下])半年$"), lambda m: Period(int(m[1]), "H", 1 if m[2] == "上" else 2)),
    (re.compile(r"^(\d{4})年(\d{1,2})月份?$"), lambda m: Period(int(m[1]), "M", int(m[2]))),
    (re.compile(r"^(\d{4})[-_./](\d{1,2})$"), lambda m: Period(int(m[1]), "M", int(m[2]))),  # "2021-10"
)


def parse_period_text(text: object) -> Period | None:
    """A period written as a code ("2021Q4", "2021-Q4"), in Chinese ("2021年第四季度") or as a
    month ("2021-10", "2021.10" → 2021M10); else None."""
    s = normalize_text(str(text))
    if not s:
        return None
    try:
        return Period.parse(re.sub(r"[-_/]", "", s))
    except ScoringError:
        pass
    for pattern, make in _PERIOD_FORMS:
        m = pattern.match(s)
        if m:
            try:
                period = make(m)
                return Period.parse(period.label)  # validates month range and year
            except (ScoringError, KeyError):
                return None
    return None
