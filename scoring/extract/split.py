"""Splitting a file into reports by their titles, and the unit names each report offers.

A title is a line like "临江市XX局2021年政府信息公开工作年度报告" (kinds in patterns.yaml), possibly
cut by stray spaces or a line break, ending in "|" or "篇3", after "标题:". In a collection
(范文 sites, 汇编) a line "…工作总结 篇3" or "篇3" alone starts a piece too. A compilation copied
out of a PDF runs reports together in long lines: a title that starts after a sentence ends and
is followed by a date ("…工作。XX局2021年度政务公开工作总结 2021年12月22日 2021年,…") gets a
line of its own first. A "title" followed by almost no text (a table of contents, a page header
repeated) is not a report. A file without any title is one report.

Each report offers its unit in up to three ways, matched to the units file in run.py: the
title; a sentence naming the report ("现公布XX局2022年政府信息公开工作年度报告"); the file name
("螺洋街道.txt", "螺洋街道2021年报.docx"), used only when the file holds one report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from scoring.extract.patterns import PatternSet
from scoring.extract.text import TextView
from scoring.extract.units import UNIT_SUFFIX
from scoring.issues import DataIssue

_CHINESE_DIGITS = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
                   "六": "6", "七": "7", "八": "8", "九": "9"}
_PUNCTUATION = re.compile(r"[,。;!?:、]")
_MAX_TITLE = 80
_DATE = re.compile(r"\(?(?:19|20)\d{2}年\d{1,2}月\d{1,2}日\)?")
_NOT_A_UNIT = re.compile(r"^(?:我|本|全|各|该|上|下|今|去|明)")
# the file name's words that are not the unit: years, report kinds, separators
_FILE_NOISE = re.compile(
    r"(?:19|20)\d{2}年?度?|二[〇零○][〇零○一二三四五六七八九]{2}年度?|年报|年度报告|工作总结|工作报告|"
    r"政府信息公开|政务公开|信息公开|工作|情况|报告|总结|全文|定稿|终稿|最终版|修改稿|附件\d*|[\d_\-—–()\[\]【】\s.]+"
)


@dataclass(frozen=True)
class Report:
    file: str  # the file as shown to users
    index: int  # 1-based position of the report in its file
    title: str
    unit_name: str  # as the title (or a sentence, or the first lines) writes it; "" when not found
    year: int | None
    text: str  # squeezed text, title included: what the patterns read
    line: int  # 1-based line of the title in the file
    view: TextView | None = field(default=None, compare=False, repr=False)  # for tables and evidence
    unit_source: str = ""  # where unit_name came from: 标题 / 正文 / 开头几行
    file_unit: str = ""  # the unit the file name gives (one-report files only), "" when none

    def text_view(self) -> TextView:
        return self.view if self.view is not None else TextView.of(self.text)


@dataclass(frozen=True)
class _Title:
    line: int
    span: int  # lines the title takes (2 when a line break cut it)
    text: str
    unit: str
    year: int | None


def split_reports(written: str, file: str, rules: PatternSet) -> tuple[list[Report], list[DataIssue]]:
    """The reports in one file's text (as the file wrote it)."""
    written = _break_before_titles(written, rules)
    whole = TextView.of(written)
    lines = whole.squeezed.split("\n")
    written_lines = written.split("\n")
    titles = _find_titles(lines, rules)
    issues: list[DataIssue] = []
    # a title followed by almost no text (a table of contents) starts no report; its lines
    # stay with the report before it
    starts = [
        t for t, end in zip(titles, [t.line for t in titles[1:]] + [len(lines)])
        if len("".join(lines[t.line + t.span:end])) >= rules.min_report_chars
    ]
    if not starts:
        return [_whole_file(whole, lines, file, rules, titles)], issues
    kept = list(zip(starts, [t.line for t in starts[1:]] + [len(lines)]))
    preface = "".join(lines[:starts[0].line])
    if len(preface) > 200:
        issues.append(DataIssue(
            "info", f"文件开头有 {len(preface)} 字在第一份报告标题之前(如汇编说明、目录),未提取", file=file
        ))
    single = len(kept) == 1
    reports: list[Report] = []
    for index, (title, end) in enumerate(kept, start=1):
        body = lines[title.line + title.span:end]
        unit, source = title.unit, "标题"
        if not unit:
            unit, source = _unit_from_sentences("\n".join(body)), "正文"
        if not unit:
            unit, source = _unit_from_lines(body), "开头几行"
        view = TextView.of("\n".join(written_lines[title.line:end]).strip("\n"))
        reports.append(Report(file, index, title.text, unit, title.year, view.squeezed, title.line + 1, view,
                              source if unit else "", unit_from_file(file, rules) if single else ""))
    return reports, issues


def _break_before_titles(written: str, rules: PatternSet) -> str:
    """Give each title that starts mid-line (after a sentence, before a date) a line of its own."""
    view = TextView.of(written)
    cuts: list[int] = []
    for m in rules.inline_title.finditer(view.squeezed):
        start, end = m.start("title"), m.end("title")
        if start > 0 and view.squeezed[start - 1] != "\n":
            cuts.append(int(view.offsets[start]))
        if end < len(view.squeezed) and view.squeezed[end] != "\n":
            cuts.append(int(view.offsets[end - 1]) + 1)
        date = _DATE.match(view.squeezed, end)
        if date and date.end() < len(view.squeezed) and view.squeezed[date.end()] != "\n":
            cuts.append(int(view.offsets[date.end() - 1]) + 1)  # the date's year is not the body's
    if not cuts:
        return written
    pieces, last = [], 0
    for cut in sorted(set(cuts)):
        pieces.append(written[last:cut])
        last = cut
    pieces.append(written[last:])
    return "\n".join(pieces)


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
        elif rules.collection_item.match(line):
            titles.append(_Title(i, 1, line, "", None))
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


def _whole_file(view: TextView, lines: list[str], file: str, rules: PatternSet, titles: list[_Title]) -> Report:
    """A file without a report title followed by a body: one report. A title too short to start
    a report of its own (its body is a line) still names the unit and year."""
    first = next((line for line in lines if line), "")
    title = first if 0 < len(first) <= 60 else PurePath(file).stem
    named = next((t for t in titles if t.unit), None)
    if named is not None:
        return Report(file, 1, named.text, named.unit, named.year, view.squeezed, named.line + 1, view, "标题",
                      unit_from_file(file, rules))
    from_name = _parse_title(PurePath(file).stem, rules)
    year = titles[0].year if titles else from_name[1] if from_name else None
    unit, source = _unit_from_sentences(view.squeezed), "正文"
    if not unit:
        unit, source = _unit_from_lines(lines), "开头几行"
    return Report(file, 1, title, unit, year, view.squeezed, 1, view, source if unit else "",
                  unit_from_file(file, rules))


def _unit_from_sentences(text: str) -> str:
    """A unit named by a sentence about its report ("现公布XX局2022年政府信息公开工作年度报告")."""
    for m in _UNIT_IN_SENTENCE.finditer(text[:3000]):
        unit = m["unit"] or m["unit2"]
        if len(unit) >= 3 and UNIT_SUFFIX.search(unit) and not _NOT_A_UNIT.match(unit):
            return unit
    return ""


_UNIT_IN_SENTENCE = re.compile(
    r"(?:公布|发布|公开|编制|印发)了?《?(?P<unit>[^\d,。;:!?《》()\n]{2,30}?)(?:\([^()\n]{0,20}\))?"
    r"(?:19|20)\d{2}年度?的?(?:政府信息公开|政务公开)"
    r"|(?:19|20)\d{2}年度?(?P<unit2>[^\d,。;:!?《》()\n]{3,20}?)的?(?:政府信息公开|政务公开)工作"
)


def _unit_from_lines(lines: list[str]) -> str:
    """A short line near the top that is a unit name ("临江市档案馆"), as under a bare title."""
    for line in [line for line in lines if line][:3]:
        if 2 <= len(line) <= 30 and UNIT_SUFFIX.search(line) and not _PUNCTUATION.search(line) \
                and not re.search(r"\d", line):
            return line
    return ""


def unit_from_file(file: str, rules: PatternSet) -> str:
    """The unit a file name gives: its title's unit, else the name without years and report words."""
    stem = PurePath(file).stem
    found = _parse_title(stem, rules)
    if found and found[0]:
        return found[0]
    rest = _FILE_NOISE.sub("", stem.replace(" ", ""))
    return rest if len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 2 else ""  # not "eca" from "001_88eca.txt"
