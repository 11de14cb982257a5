"""Numbers for vocabulary metrics in one report, with the sentence or table row each came from.

Every pattern runs over the whole (squeezed, length-capped) report. A match is dropped when
its sentence speaks of plans ("下一步…") or of another year ("较2020年…", "2022年,我委将…").
A metric found with different values keeps the most confident one (ties: the first stated)
and raises an issue. A total followed by "其中 …" whose parts add up to more is an issue too.
The template's tables (template.py) come first: a metric a table gives is taken from it, and a
sentence saying otherwise is reported with both values and places. Evidence is shown as the
report wrote it (traditional characters, full-width digits and spaces kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.extract.patterns import MetricPattern, PatternSet
from scoring.extract.split import Report
from scoring.extract.template import read_template
from scoring.extract.text import MAX_EVIDENCE, TextView, sentence_bounds
from scoring.issues import DataIssue
from scoring.numbers import parse_number
from scoring.vocabulary import display_name

_YEAR = re.compile(r"((?:19|20)\d{2})年")
_SENTENCE_YEAR = re.compile(r"^[^\d,。;]{0,4}((?:19|20)\d{2})年")
_BREAKDOWN_END = re.compile(r"[。!?\n]")
_NESTED = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Found:
    metric: str
    value: float
    approx: bool
    confidence: float
    start: int
    end: int
    evidence: str
    pattern: str
    unit: str  # the unit written after the number ("条"), "" when none
    origin: str = "正文"  # 正文 (a sentence) or 表格 (a template table's cell)


def find_values(report: Report, rules: PatternSet, unit_label: str,
                year: int | None = None) -> tuple[list[Found], list[DataIssue]]:
    """The value kept for each metric the report states, and the issues found on the way.

    `year`: the year the report is about when its title does not say (the extraction's period),
    so that "2021年主动公开…" in a 2022 report without a title is still a comparison."""
    text = report.text[: rules.max_report_chars]
    view = report.text_view()
    about = report.year if report.year is not None else year
    found = [f for pattern in rules.patterns for f in _matches(pattern, text, about, rules, view)]
    by_metric: dict[str, list[Found]] = {}
    for item in found:
        by_metric.setdefault(item.metric, []).append(item)
    kept: list[Found] = []
    tables, issues = _table_values(report, view, unit_label)
    for metric, cell in tables.items():
        kept.append(cell)
        stated = by_metric.pop(metric, [])
        differing = [f for f in stated if f.value != cell.value]
        if differing:
            issues.append(_table_text_issue(report, unit_label, cell, max(differing, key=lambda f: f.confidence)))
    for metric, items in by_metric.items():
        best = max(items, key=lambda f: (f.confidence, -f.start))
        kept.append(best)
        others: dict[float, Found] = {}  # the strongest statement of each other value
        for f in sorted(items, key=lambda f: (-f.confidence, f.start)):
            if f.value != best.value:
                others.setdefault(f.value, f)
        if others:
            issues.append(_conflict_issue(report, unit_label, best, sorted(others.values(), key=lambda f: f.start)))
        if metric in rules.breakdown_totals:
            issue = _breakdown_issue(text, best, rules, report, unit_label)
            if issue:
                issues.append(issue)
    if len(report.text) > rules.max_report_chars:
        issues.append(DataIssue(
            "warning", f"报告“{report.title}”长 {len(report.text)} 字,只提取了前 {rules.max_report_chars} 字",
            file=report.file, unit=unit_label,
        ))
    return sorted(kept, key=lambda f: f.start), issues


def _table_values(report: Report, view: TextView, unit_label: str) -> tuple[dict[str, Found], list[DataIssue]]:
    values, table_issues = read_template(view, f"报告“{report.title}”")
    cells = {v.metric: Found(v.metric, v.value, False, v.confidence, v.start, v.start, v.evidence, v.place, "",
                             "表格") for v in values}
    issues = [DataIssue(i.severity, i.message, file=report.file, unit=unit_label, metric=i.metric)
              for i in table_issues]
    return cells, issues


def _table_text_issue(report: Report, unit_label: str, cell: Found, sentence: Found) -> DataIssue:
    return DataIssue(
        "warning",
        f"“{display_name(cell.metric)}”表格与正文不一致:表格为 {fmt(cell.value)}({cell.pattern}:“{_short(cell.evidence, 60)}”),"
        f"正文为 {fmt(sentence.value)}(“{_short(sentence.evidence, 60)}”);已采用表格数值,请核对",
        file=report.file, unit=unit_label, metric=cell.metric,
    )


def _matches(pattern: MetricPattern, text: str, year: int | None, rules: PatternSet, view: TextView) -> list[Found]:
    out = []
    for m in pattern.regex.finditer(text):
        if pattern.value is not None:
            value, approx, unit = pattern.value, False, ""
        else:
            parsed = parse_number(m["value"])
            if parsed is None:
                continue
            value, approx, unit = parsed.value * pattern.scale, parsed.approx, text[m.end("value"):m.end()]
        if _out_of_context(text, m, year, rules, pattern.metric):
            continue
        confidence = pattern.confidence * (rules.approx_factor if approx else 1.0)
        if pattern.metric in rules.channel_metrics and _one_channel(text, m, rules.website_words, rules):
            confidence *= rules.approx_factor  # the website's count: a stated total comes first
        out.append(Found(pattern.metric, round(value, 6), approx, round(confidence, 3), m.start(), m.end(),
                         _evidence(view, text, m.start(), m.end()), pattern.id, unit))
    return out


def _evidence(view: TextView, text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], as the report wrote it (a run-on one: a window)."""
    left, right = sentence_bounds(text, start, end)
    while left < right and text[left] in "\n ":
        left += 1
    if right - left > MAX_EVIDENCE:
        centre = (start + end) // 2
        lo = max(left, min(centre - MAX_EVIDENCE // 2, right - MAX_EVIDENCE))
        return "…" + view.written_between(lo, lo + MAX_EVIDENCE, limit=10 * MAX_EVIDENCE) + "…"
    return view.written_between(left, right, limit=10 * MAX_EVIDENCE)


def _out_of_context(text: str, m: re.Match[str], year: int | None, rules: PatternSet, metric: str) -> bool:
    start, end = m.start(), m.end()
    left, right = sentence_bounds(text, start, end)
    sentence = text[left:right]
    if any(word in sentence for word in rules.skip_words):
        return True
    clause = text[left:start]
    clause = clause[clause.rfind(",") + 1:]
    for trap in rules.traps:
        before = clause + m.group() if trap.clause else text[left:end]
        if metric in trap.metrics and any(word in before for word in trap.words):
            return True
    if metric in rules.channel_metrics and _one_channel(text, m, rules.channel_words, rules):
        return True
    if year is None:
        return False
    if "prev_year" in m.re.groupindex:
        return m["prev_year"] is not None and int(m["prev_year"]) != year - 1
    years = [int(y) for y in _YEAR.findall(clause)]
    opening = _SENTENCE_YEAR.match(sentence)
    if opening:
        years.append(int(opening.group(1)))
    return any(y != year for y in years)


def _one_channel(text: str, m: re.Match[str], words: tuple[str, ...], rules: PatternSet) -> bool:
    """Whether the match's clause counts for one channel named by `words` ("微信公众号发布信息198条"),
    not for several ("在网站和公众号发布信息326篇", "通过网站、新媒体等平台公开…")."""
    left = max(text.rfind(ch, 0, m.start()) for ch in ",;。!?\n") + 1
    clause = text[left:m.end()]
    if not any(word in clause for word in words) or _SEVERAL_CHANNELS.search(clause):
        return False
    spans = sorted((i, i + len(w)) for w in (*rules.channel_words, *rules.website_words)
                   for i in _positions(clause, w))
    mentions, last_end = 0, -10
    for start, end in spans:
        if start > last_end:  # "微信公众号" is one mention, "网站和公众号" two
            mentions += 1
        last_end = max(last_end, end)
    return mentions == 1


_SEVERAL_CHANNELS = re.compile(r"等(?:平台|渠道|载体|方式|途径|媒体)|各(?:类)?(?:平台|渠道)|多种(?:渠道|方式|形式)")


def _positions(text: str, word: str) -> list[int]:
    out, i = [], text.find(word)
    while i >= 0:
        out.append(i)
        i = text.find(word, i + 1)
    return out


def _conflict_issue(report: Report, unit_label: str, best: Found, others: list[Found]) -> DataIssue:
    name = display_name(best.metric)
    listed = "、".join(f"{fmt(f.value)}(“{_short(f.evidence)}”)" for f in others)
    reason = "置信度较高" if all(f.confidence < best.confidence for f in others) else "先出现"
    return DataIssue(
        "warning",
        f"“{name}”在报告中出现不同数值:采用 {fmt(best.value)}(“{_short(best.evidence)}”,{reason}),"
        f"另有 {listed};请在核对表中确认",
        file=report.file, unit=unit_label, metric=best.metric,
    )


def _breakdown_issue(text: str, total: Found, rules: PatternSet, report: Report, unit_label: str) -> DataIssue | None:
    if not total.unit:
        return None
    end = _BREAKDOWN_END.search(text, total.end)
    segment = text[total.end:end.start() if end else len(text)].lstrip(",:")
    if segment.startswith("("):
        segment = segment[1:segment.find(")")] if ")" in segment else segment[1:]
    if not segment.startswith("其中"):
        return None
    segment = _NESTED.sub("", segment[2:].lstrip(",:"))
    item = re.compile(rf"[^\d]{{1,20}}?(\d+(?:\.\d+)?)(?:余|多)?{re.escape(total.unit)}")
    parts: list[float] = []
    for clause in re.split(r"[,、;]", segment):
        m = item.fullmatch(clause)
        if m is None or any(word in clause for word in rules.breakdown_stop):
            break
        parts.append(float(m.group(1)))
    if len(parts) < 2 or sum(parts) <= total.value + 1e-9:
        return None
    return DataIssue(
        "warning",
        f"“{display_name(total.metric)}”总数 {fmt(total.value)}{total.unit},其中各项合计 "
        f"{fmt(sum(parts))}{total.unit}({'+'.join(fmt(p) for p in parts)}),超过总数",
        file=report.file, unit=unit_label, metric=total.metric,
    )


def fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


def _short(sentence: str, width: int = 40) -> str:
    return sentence if len(sentence) <= width else sentence[: width - 1] + "…"
