"""Splitting a file into reports by their titles, and the unit and year each title names.

A title is a whole line like "临江市XX局2021年政府信息公开工作年度报告" (kinds in patterns.yaml);
stray spaces were already removed, and a title cut in two by a line break is joined back. A
"title" followed by almost no text (a compilation's table of contents) is not a report. A
file without any title is one report; its unit comes from the file name or its first lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from scoring.extract.patterns import PatternSet
from scoring.extract.units import UNIT_SUFFIX
from scoring.issues import DataIssue

_CHINESE_DIGITS = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
                   "六": "6", "七": "7", "八": "8", "九": "9"}
_PUNCTUATION = re.compile(r"[,。;!?:、]")
_MAX_TITLE = 80


@dataclass(frozen=True)
class Report:
    file: str  # the file as shown to users
    index: int  # 1-based position of the report in its file
    title: str
    unit_name: str  # as the title (or file name, or first lines) writes it; "" when not found
    year: int | None
    text: str  # normalised text, title included
    line: int  # 1-based line of the title in the (normalised) file text


@dataclass(frozen=True)
class _Title:
    line: int
    span: int  # lines the title takes (2 when a line break cut it)
    text: str
    unit: str
    year: int


def split_reports(text: str, file: str, rules: PatternSet) -> tuple[list[Report], list[DataIssue]]:
    lines = text.split("\n")
    titles = _find_titles(lines, rules)
    issues: list[DataIssue] = []
    reports: list[Report] = []
    # a title followed by almost no text (a table of contents) starts no report; its lines
    # stay with the report before it
    starts = [
        t for t, end in zip(titles, [t.line for t in titles[1:]] + [len(lines)])
        if len("".join(lines[t.line + t.span:end])) >= rules.min_report_chars
    ]
    if not starts:
        return [_whole_file(text, lines, file, rules)], issues
    kept = list(zip(starts, [t.line for t in starts[1:]] + [len(lines)]))
    preface = "".join(lines[:starts[0].line])
    if len(preface) > 200:
        issues.append(DataIssue(
            "info", f"文件开头有 {len(preface)} 字在第一份报告标题之前(如汇编说明、目录),未提取", file=file
        ))
    for index, (title, end) in enumerate(kept, start=1):
        unit = title.unit or _unit_from_lines(lines[title.line + title.span:end]) or _unit_from_file(file, rules)
        text_of = "\n".join(lines[title.line:end]).strip("\n")
        reports.append(Report(file, index, title.text, unit, title.year, text_of, title.line + 1))
    return reports, issues


def _find_titles(lines: list[str], rules: PatternSet) -> list[_Title]:
    titles: list[_Title] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line or len(line) > _MAX_TITLE:
            i += 1
            continue
        found = _parse_title(line, rules)
        if (found is None or not found[0]) and i + 1 < len(lines) and lines[i + 1] and len(line) <= 40 \
                and not _PUNCTUATION.search(line):
            joined = _parse_title(line + lines[i + 1], rules)
            if joined is not None and joined[0]:
                titles.append(_Title(i, 2, line + lines[i + 1], *joined))
                i += 2
                continue
        if found is not None:
            titles.append(_Title(i, 1, line, *found))
        i += 1
    return titles


def _parse_title(text: str, rules: PatternSet) -> tuple[str, int] | None:
    """(unit as written, year) when `text` is a report title; unit "" when the title has none."""
    m = rules.title.match(text)
    if not m:
        return None
    unit = (m["pre"] or m["post"]).removesuffix("关于").strip("的")
    return (unit if len(unit) >= 2 else ""), parse_year(m["year"])


def parse_year(text: str) -> int:
    return int("".join(_CHINESE_DIGITS.get(ch, ch) for ch in text))


def _whole_file(text: str, lines: list[str], file: str, rules: PatternSet) -> Report:
    first = next((line for line in lines if line), "")
    title = first if 0 < len(first) <= 60 else PurePath(file).stem
    from_name = _parse_title(PurePath(file).stem, rules)
    unit = _unit_from_lines(lines) or (from_name[0] if from_name else "")
    year = from_name[1] if from_name else None
    return Report(file, 1, title, unit, year, text, 1)


def _unit_from_lines(lines: list[str]) -> str:
    """A short line near the top that is a unit name ("临江市档案馆"), as under a bare title."""
    for line in [line for line in lines if line][:3]:
        if 2 <= len(line) <= 30 and UNIT_SUFFIX.search(line) and not _PUNCTUATION.search(line) \
                and not re.search(r"\d", line):
            return line
    return ""


def _unit_from_file(file: str, rules: PatternSet) -> str:
    found = _parse_title(PurePath(file).stem, rules)
    return found[0] if found else ""
