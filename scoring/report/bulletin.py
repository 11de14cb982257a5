"""通报 wording: the title, the issuing line under it and the summary line of a run.

    report_title("2021年度政务公开工作考评", Period.parse("2021Q4"), "临江市政务公开办公室")
    → "临江市2021年第四季度政务公开工作考评结果"

The period is always said in Chinese (2021年第四季度 / 2021年上半年 / 2021年3月 / 2021年度): the
scheme's own year phrase is taken out of its name so a quarter never reads "2021年度…2021Q4".
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from scoring.periods import Period

_YEAR_PHRASE = re.compile(r"[((]?\s*\d{4}\s*(?:年度|年|[HQM]\d{1,2})?\s*[))]?")
_REGION = re.compile(r"^(?:[\u4e00-\u9fff]{1,7}?(?:自治区|自治州|省|市|州|县|区|旗|盟))+")
_ASSESSMENT_WORDS = ("考评", "考核", "评估", "评议", "测评", "评价", "评比")
_DOCUMENT_WORDS = ("实施方案", "评分细则", "评分标准", "方案", "细则", "办法", "标准", "指标体系")


def region_of(office: str | None) -> str:
    """The place an office serves, for the title: "临江市政务公开办公室" → "临江市"; "" if none."""
    match = _REGION.match((office or "").strip())
    return match.group(0) if match else ""


def report_title(scheme_name: str, period: Period, office: str | None = None) -> str:
    """[region][period in Chinese][what was assessed]结果, each said once."""
    core = _YEAR_PHRASE.sub("", scheme_name, count=1).strip()
    for word in _DOCUMENT_WORDS:  # "…考评实施方案" names the document, not the assessment
        if core.endswith(word) and len(core) > len(word):
            core = core[: -len(word)].rstrip("的")
            break
    region = region_of(office)
    core = core.removeprefix(region)
    if core.endswith("结果"):
        core = core[:-2]
    if not core.endswith(_ASSESSMENT_WORDS):
        core += "考评"
    return f"{region}{period.chinese}{core}结果"


def chinese_date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def issuer_line(office: str | None, moment: datetime) -> str:
    """The issuing office and the date, as under a 通报's title; the date alone without an office."""
    office = (office or "").strip()
    return f"{office}    {chinese_date(moment)}" if office else chinese_date(moment)


def grade_counts(totals: pd.DataFrame, grade_labels: list[str]) -> str:
    """参评单位 44 个,优秀 1 个,良好 15 个,合格 25 个,不合格 3 个(其中单项否决 1 个)."""
    parts = [f"参评单位 {len(totals)} 个"]
    counts = totals["grade"].astype(str).value_counts()
    labels = grade_labels or [g for g in counts.index if g]
    parts += [f"{label} {int(counts.get(label, 0))} 个" for label in labels]
    vetoed = int(totals["vetoed"].fillna(False).astype(bool).sum())
    text = ",".join(parts)
    return text + (f"(其中单项否决 {vetoed} 个)" if vetoed else "")
