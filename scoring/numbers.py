"""Numbers as Chinese reports and spreadsheets write them.

`parse_number("600余篇")` → 600 (approximate); "1.2万条" → 12000; "百分之百" → 100 (percent);
"三期" → 3; "１２" → 12; "一百零五" → 105. Percentages stay in percent units ("95%" → 95).
Shared by the data readers and the report extractor so both read a number the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Units stripped from the end of a number, longest first ("万元" is a unit, not a multiplier).
UNITS = (
    "万元", "人次", "余人", "个百分点", "条", "篇", "件", "期", "次", "人", "元", "份", "个",
    "项", "场", "批", "家", "天", "日", "年", "月", "户", "名", "起", "宗", "类", "部", "本",
    "位", "例", "台", "套", "处", "所", "座", "号", "%",
)
APPROX_SUFFIXES = ("余", "多", "以上", "左右", "来")
APPROX_PREFIXES = ("大约", "约", "近", "逾", "超过", "将近", "接近")

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5,
           "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)

_ARABIC = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


@dataclass(frozen=True)
class ParsedNumber:
    value: float
    approx: bool = False
    unit: str = ""  # the unit written after the number, "%" for percentages


def normalize_text(text: str) -> str:
    """Full-width to half-width, and drop all white space (also inside a number).

    str.split() splits at exactly the characters a str pattern's \\s matches (str.isspace), in
    a twentieth of re.sub's time: every unit name, header and distinct cell comes through here."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def chinese_numeral(text: str) -> int | None:
    """Value of a Chinese numeral ("一百零五" → 105, "十二" → 12, "两千" → 2000), else None."""
    if not text or any(ch not in CHINESE_NUMERAL_CHARS for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and digit != 0 and _DIGITS[ch] != 0:
                # "一二三" is not a numeral but a digit string like "一九九八"; read digit-wise
                return _digit_string(text)
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            if section == 0 and total == 0:
                return None
            total = (total + section) * _BIG_UNITS[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def _digit_string(text: str) -> int | None:
    if all(ch in _DIGITS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    return None


def _plain(core: str) -> float | None:
    """A bare number: arabic (with commas), arabic × 万/亿, or a Chinese numeral."""
    if not core:
        return None
    if _ARABIC.match(core):
        return float(core.replace(",", ""))
    if core[-1] in _BIG_UNITS and _ARABIC.match(core[:-1]):
        return float(core[:-1].replace(",", "")) * _BIG_UNITS[core[-1]]
    value = chinese_numeral(core)
    return float(value) if value is not None else None


def parse_number(text: object) -> ParsedNumber | None:
    """Read one number written the Chinese way; None when the text is not a number."""
    s = normalize_text(str(text))
    if not s:
        return None
    approx = False
    for prefix in APPROX_PREFIXES:
        if s.startswith(prefix):
            s, approx = s[len(prefix):], True
            break
    if s.startswith("百分之"):
        rest = s[3:]
        value = 100.0 if rest == "百" else _plain(rest)
        return None if value is None else ParsedNumber(value, approx, "%")
    unit = ""
    for u in UNITS:
        if s.endswith(u) and len(s) > len(u):
            s, unit = s[: -len(u)], u
            break
    for suffix in APPROX_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s, approx = s[: -len(suffix)], True
            break
    # "1万余" / "3千多": the approximation marker may sit between number and multiplier
    value = _plain(s)
    if value is None:
        return None
    return ParsedNumber(value, approx, unit)
