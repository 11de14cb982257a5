"""Numbers for vocabulary metrics in one report's text, with the sentence each came from.

Every pattern runs over the whole (normalised, length-capped) report. A match is dropped when
its sentence speaks of plans ("下一步…") or of another year ("较2020年…", "2022年,我委将…").
A metric found with different values keeps the most confident one (ties: the first stated)
and raises an issue. A total followed by "其中 …" whose parts add up to more is an issue too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.extract.patterns import MetricPattern, PatternSet
from scoring.extract.split import Report
from scoring.extract.text import sentence_at, sentence_bounds
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


def find_values(report: Report, rules: PatternSet, unit_label: str) -> tuple[list[Found], list[DataIssue]]:
    """The value kept for each metric the report states, and the issues found on the way."""
    text = report.text[: rules.max_report_chars]
    found = [f for pattern in rules.patterns for f in _matches(pattern, text, report.year, rules)]
    by_metric: dict[str, list[Found]] = {}
    for item in found:
        by_metric.setdefault(item.metric, []).append(item)
    kept: list[Found] = []
    issues: list[DataIssue] = []
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


def _matches(pattern: MetricPattern, text: str, year: int | None, rules: PatternSet) -> list[Found]:
    out = []
    for m in pattern.regex.finditer(text):
        if pattern.value is not None:
            value, approx, unit = pattern.value, False, ""
        else:
            parsed = parse_number(m["value"])
            if parsed is None:
                continue
            value, approx, unit = parsed.value * pattern.scale, parsed.approx, text[m.end("value"):m.end()]
        if _out_of_context(text, m.start(), m.end(), year, rules):
            continue
        confidence = pattern.confidence * (rules.approx_factor if approx else 1.0)
        out.append(Found(pattern.metric, round(value, 6), approx, round(confidence, 3), m.start(), m.end(),
                         sentence_at(text, m.start(), m.end()), pattern.id, unit))
    return out


def _out_of_context(text: str, start: int, end: int, year: int | None, rules: PatternSet) -> bool:
    left, right = sentence_bounds(text, start, end)
    sentence = text[left:right]
    if any(word in sentence for word in rules.skip_words):
        return True
    if year is None:
        return False
    clause = text[left:start]
    clause = clause[clause.rfind(",") + 1:]
    years = [int(y) for y in _YEAR.findall(clause)]
    opening = _SENTENCE_YEAR.match(sentence)
    if opening:
        years.append(int(opening.group(1)))
    return any(y != year for y in years)


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
