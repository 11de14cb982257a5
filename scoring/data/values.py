"""Metric values as people write them in spreadsheets: "665条", "600余", "1.2万", "百分之百", "无".

`parse_value` reads one cell; `parse_values` reads a column by parsing each distinct text once.
Only explicit not-applicable marks ("不适用", "不涉及", "—", "/") give applicable=False and NaN. An
empty cell, a spreadsheet error ("#N/A", "#DIV/0!") and a formula without a stored value ("=B2/C2",
as the readers surface it) are *missing*: NaN with `gap` saying which (the engine applies the
leaf's `missing` policy and reports the cell). Other text that is not a number gives a problem
message (the caller turns it into a data issue).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from scoring.data.fast_decimals import plain_decimals
from scoring.data.names import distinct_texts
from scoring.numbers import normalize_text, parse_number

NOT_APPLICABLE = frozenset({"-", "--", "—", "——", "/", "\\", "不适用", "不涉及", "n/a", "na"})
# What Excel and WPS show in a cell whose formula failed; compared case-folded.
SPREADSHEET_ERRORS = frozenset({
    "#n/a", "#div/0!", "#ref!", "#value!", "#name?", "#num!", "#null!", "#spill!", "#calc!", "#getting_data",
})
FORMULA_MARK = "="  # a cell text starting with it is a formula whose value was never stored
GAPS = ("", "blank", "error", "formula")  # why a cell holds no value; positions are the gap codes
TRUE_WORDS = frozenset({"是", "有", "true", "yes", "y", "√", "✓"})
FALSE_WORDS = frozenset({"否", "无", "没有", "未收到", "未发生", "false", "no", "n", "×", "✗"})
LIMIT = 1e12  # larger magnitudes are typing errors ("1e308"), not counts of anything

_SCIENTIFIC = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$|^[+-]?(inf|infinity|nan)$")
_PLAIN = r"-?[0-9]{1,12}(\.[0-9]+)?"  # read by float() exactly as by parse_value; within LIMIT
_THOUSANDS = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)千(?=(?:余|多)?元?$)")
_MINUS = str.maketrans({"−": "-", "–": "-"})


@dataclass(frozen=True)
class ParsedValue:
    value: float
    approx: bool = False
    applicable: bool = True
    percent: bool = False
    problem: str = ""  # Chinese, empty when the text was read
    gap: str = ""  # "blank" | "error" | "formula": the cell is missing a value (see GAPS)
    unit: str = ""  # the unit written after the number: "元", "万元", "%", "条"
    scaled: bool = False  # written with 千/万/亿 ("3万"): the value is already counted in ones


def parse_value(text: object) -> ParsedValue:
    """One cell. A problem leaves value NaN; "—"/"不适用" is not applicable; empty is missing."""
    s = normalize_text(str(text)).translate(_MINUS)
    folded = s.casefold()
    gap = cell_gap(s)
    if gap:
        return ParsedValue(math.nan, gap=gap)
    if folded in NOT_APPLICABLE:
        return ParsedValue(math.nan, applicable=False)
    if folded in TRUE_WORDS:
        return ParsedValue(1.0)
    if folded in FALSE_WORDS:
        return ParsedValue(0.0)
    if "千" in s:  # "3千元": 千 as parse_number does 万 (the regex only where it can match: a digit run
        s = _THOUSANDS.sub(lambda m: format(Decimal(m[1]) * 1000, "f"), s)  # without 千 would cost n²)
    parsed = parse_number(s)
    unit, scaled = "", False
    if parsed is not None:
        value, approx, percent, unit = parsed.value, parsed.approx, parsed.unit == "%", parsed.unit
        scaled = unit != "万元" and any(c in folded for c in "千万亿")
    elif _SCIENTIFIC.match(folded):
        value, approx, percent = float(folded), False, False
    else:
        return ParsedValue(math.nan, problem=f"无法识别的数值“{_shown(text)}”")
    if not math.isfinite(value):
        return ParsedValue(math.nan, problem=f"数值“{_shown(text)}”不是有限数")
    if abs(value) > LIMIT:
        return ParsedValue(math.nan, problem=f"数值“{_shown(text)}”大得不合理(超过 {LIMIT:.0e})")
    return ParsedValue(value, approx, True, percent, unit=unit, scaled=scaled)


def cell_gap(normalized: str) -> str:
    """Why a cell (text already normalised) holds no value: "blank", "error", "formula" or ""."""
    if not normalized:
        return "blank"
    if normalized.casefold() in SPREADSHEET_ERRORS:
        return "error"
    return "formula" if normalized.startswith(FORMULA_MARK) else ""


def gap_codes(raw: np.ndarray) -> np.ndarray:
    """Position in GAPS per cell text (0: the cell is not a gap); each distinct text checked once."""
    codes, uniques = pd.factorize(pd.Series(raw, dtype=object).fillna("").astype(str), sort=False)
    found = np.array([GAPS.index(cell_gap(normalize_text(u))) for u in uniques], dtype=np.int8)
    return found[codes] if len(codes) else np.zeros(0, dtype=np.int8)


def _shown(text: object, limit: int = 50) -> str:
    """The cell as written, cut short: a pasted page must not flood the issues list."""
    s = str(text)
    return s if len(s) <= limit else f"{s[:limit]}…(共 {len(s)} 个字符)"


def parse_values(raw: pd.Series, is_count: pd.Series | None = None,
                 is_fraction: pd.Series | None = None) -> pd.DataFrame:
    """Parse a column of cells: value, approx, applicable, problem (same index as `raw`).

    `is_count` marks cells of count metrics (a negative value is a problem); `is_fraction` marks
    cells of 0–1 metrics (a percentage is divided by 100).
    """
    codes, uniques = distinct_texts(raw)  # "" for a missing cell; a Categorical's own codes
    distinct = _parse_distinct(pd.Series(uniques, dtype=object))
    pick = lambda attr: distinct[attr].to_numpy()[codes]  # noqa: E731
    value = pick("value")
    problem = pick("problem")
    percent = pick("percent")
    if is_fraction is not None:
        value = np.where(percent & is_fraction.to_numpy(bool), value / 100, value)
    if is_count is not None:
        negative = (value < 0) & is_count.to_numpy(bool)
        if negative.any():  # the message only for those rows: a nation has millions of cells
            problem[negative] = [f"计数类指标不能为负数“{uniques[c]}”" for c in codes[negative]]
            value = np.where(negative, np.nan, value)
    texts = lambda values: pd.Series(values, index=raw.index, dtype=object)  # noqa: E731  (not converted to Arrow text cell by cell)
    return pd.DataFrame(
        {"value": value, "approx": pick("approx"), "applicable": pick("applicable"),
         "problem": texts(problem), "unit": texts(pick("unit")), "scaled": pick("scaled")},
        index=raw.index,
    )


def _parse_distinct(texts: pd.Series) -> pd.DataFrame:
    """`parse_value` of each text, as columns. Plain decimals ("665", "0.95"), most of a big
    table's distinct texts, go through the vectorised speed path (scoring.data.fast_decimals)."""
    plain, value = plain_decimals(texts)
    approx, applicable = np.zeros(len(texts), dtype=bool), np.ones(len(texts), dtype=bool)
    percent, problem = np.zeros(len(texts), dtype=bool), np.full(len(texts), "", dtype=object)
    unit, scaled = np.full(len(texts), "", dtype=object), np.zeros(len(texts), dtype=bool)
    for i in np.flatnonzero(~plain).tolist():
        p = parse_value(texts.iat[i])
        value[i], approx[i], applicable[i], percent[i], problem[i] = p.value, p.approx, p.applicable, p.percent, p.problem
        unit[i], scaled[i] = p.unit, p.scaled
    return pd.DataFrame({"value": value, "approx": approx, "applicable": applicable, "percent": percent,
                         "problem": problem, "unit": unit, "scaled": scaled})


def truthy(raw: pd.Series) -> pd.Series:
    """A yes/no column ("是"/"否", "true"/"false", 1/0) as bool; anything else is False."""
    codes, uniques = pd.factorize(raw.fillna("").astype(str), sort=False)
    flags = np.array([_truthy(u) for u in uniques], dtype=bool)
    return pd.Series(flags[codes] if len(codes) else np.zeros(0, bool), index=raw.index)


def _truthy(text: str) -> bool:
    s = normalize_text(text).casefold()
    return s in TRUE_WORDS or s in {"1", "1.0"}
