"""Extract agency data from report files: the library behind `score extract`.

    extraction = extract_reports(["reports/"], "2021", units_path="units.csv")
    write_extraction(extraction, "extracted/")        # then: score --input extracted/
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scoring.errors import InputError, Location, OutputError
from scoring.extract.checks import consistency_issues
from scoring.extract.finder import find_values, fmt
from scoring.extract.patterns import PatternSet, load_patterns
from scoring.extract.readers import collect_files, read_report_file
from scoring.extract.similarity import clean_text, nearest, signatures
from scoring.extract.split import Report, split_reports
from scoring.extract.units import (
    PROPOSE_SCORE,
    UNIT_COLUMNS,
    UnitMatch,
    UnitMatcher,
    core_name,
    load_units,
    places_differ,
)
from scoring.issues import DataIssue
from scoring.periods import Period
from scoring.progress import track
from scoring.report.output import atomic_write_all

VALUE_COLUMNS = ["unit", "metric", "value", "period", "source", "evidence", "approx", "confidence", "origin",
                 "unit_match"]
REPORT_COLUMNS = ["file", "index", "title", "unit", "unit_name", "matched", "year", "values", "similarity",
                  "most_similar", "unit_match", "unit_written", "unit_via", "candidate"]
CERTAIN, PROPOSED, UNMATCHED, NO_LIST = "确定", "待确认", "未匹配", "未提供名单"
SIMILARITY = "report_similarity"


@dataclass(frozen=True)
class Extraction:
    """What was read from the reports of one period.

    values:  long, one row per (report, metric): VALUE_COLUMNS, plus unit_name (as shown to
             people) and report (row number in `reports`). `unit` is the unit id when the
             report matched the units file (certainly, or proposed: unit_match 待确认), else the
             unit name the report gives. origin: 表格 (the template's tables) or 正文 (a sentence).
    reports: one row per report found: REPORT_COLUMNS (matched is None without a units file;
             candidate: the closest unit of the file when the match is not certain).
    units:   the units table to write (the units file as given, or derived from the titles).
    unmatched: report unit names not found in the units file (still extracted).
    """

    period: Period
    values: pd.DataFrame
    reports: pd.DataFrame
    units: pd.DataFrame
    unmatched: tuple[str, ...]
    issues: tuple[DataIssue, ...]


@dataclass(frozen=True)
class _Unit:
    key: str  # unit id when matched (or proposed), else the name
    label: str  # name shown to people
    matched: bool | None  # None without a units file; True also for a proposed match
    names: tuple[str, ...]  # every way of writing it, removed before comparing texts
    status: str = NO_LIST  # CERTAIN / PROPOSED / UNMATCHED / NO_LIST
    written: str = ""  # the unit as the report (or its file name) wrote it
    via: str = ""  # 标题 / 正文 / 开头几行 / 文件名
    candidate: str = ""  # "D05 长春市退役军人事务局(相似度 86)" when not certain


def extract_reports(
    paths: Sequence[str | Path],
    period: str | Period,
    units_path: str | Path | None = None,
    patterns_path: str | Path | None = None,
    previous: Sequence[str | Path] | None = None,
    progress: bool = True,
) -> Extraction:
    period = period if isinstance(period, Period) else Period.parse(period)
    rules = load_patterns(patterns_path)
    units = load_units(units_path) if units_path is not None else None
    matcher = UnitMatcher(units) if units is not None else None
    aliases = dict(zip(units["unit_id"], units["aliases"])) if units is not None else {}
    issues: list[DataIssue] = []
    reports = _read_all(paths, rules, issues, progress, "读取报告")
    if not reports:
        raise InputError("没有读到任何报告:请检查给出的文件或文件夹(支持 .txt、.docx、.pdf)")
    resolved = [_resolve_unit(r, matcher, aliases) for r in reports]
    rows: list[dict] = []
    for number, (report, unit) in enumerate(zip(reports, resolved)):
        if report.year is not None and report.year != period.year:
            issues.append(DataIssue(
                "warning", f"报告标题“{report.title}”的年份 {report.year} 与期间 {period.label} 不一致,仍按 {period.label} 提取",
                file=report.file, unit=unit.label,
            ))
        found, found_issues = find_values(report, rules, unit.label, period.year)
        issues += found_issues
        if not found:
            issues.append(DataIssue("info", f"报告“{report.title}”中没有找到可提取的数值(可能只有文字,或表格是图片)",
                                    file=report.file, unit=unit.label))
        rows += [
            {"unit": unit.key, "metric": f.metric, "value": f.value, "period": period.label, "source": report.file,
             "evidence": f.evidence, "approx": f.approx, "confidence": f.confidence, "origin": f.origin,
             "unit_match": unit.status, "unit_name": unit.label, "report": number}
            for f in found
        ]
    earlier = _read_all(previous or [], rules, issues, progress, "读取往年报告")
    similarity_rows, similarity = _similarities(reports, resolved, earlier, matcher, aliases, period)
    values = pd.DataFrame(rows + similarity_rows, columns=[*VALUE_COLUMNS, "unit_name", "report"])
    values = values.sort_values("report", kind="stable").reset_index(drop=True)  # reading order
    issues += consistency_issues(values[values["metric"] != SIMILARITY], rules)
    issues += _unit_issues(reports, resolved, units)
    return Extraction(
        period=period,
        values=values,
        reports=_reports_table(reports, resolved, values, similarity),
        units=units if units is not None else _derived_units(resolved),
        unmatched=tuple(dict.fromkeys(u.label for u in resolved if u.matched is False)),
        issues=tuple(issues),
    )


def write_extraction(extraction: Extraction, out_dir: str | Path, overwrite: bool = False,
                     inputs: Sequence[str | Path] = ()) -> list[Path]:
    """Write units.csv, <period>/metrics.csv and review/<period>_review.xlsx under out_dir,
    all or none; never over one of `inputs` (the --units file), even with `overwrite`."""
    from scoring.extract.review import write_review

    out = Path(out_dir)
    label = extraction.period.label
    targets = [out / "units.csv", out / label / "metrics.csv", out / "review" / f"{label}_review.xlsx"]
    if out.exists() and not out.is_dir():
        raise OutputError("输出位置已存在且不是文件夹", Location(file=str(out)))
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise OutputError(
            f"输出文件已存在:{'、'.join(str(t) for t in existing)};如确认覆盖,请加 --overwrite", Location(file=str(out))
        )
    units = extraction.units[UNIT_COLUMNS]
    metrics = extraction.values[VALUE_COLUMNS].assign(
        value=[fmt(v) for v in extraction.values["value"]],
        approx=extraction.values["approx"].map({True: "true", False: "false"}),
    )
    written, _ = atomic_write_all([
        (targets[0], lambda p: units.to_csv(p, index=False, encoding="utf-8-sig")),
        (targets[1], lambda p: metrics.to_csv(p, index=False, encoding="utf-8-sig")),
        (targets[2], lambda p: write_review(extraction, p)),
    ], overwrite=overwrite, numbered=False, inputs=[Path(i) for i in inputs])
    return written


def _read_all(paths: Sequence[str | Path], rules: PatternSet, issues: list[DataIssue], progress: bool,
              description: str) -> list[Report]:
    files = collect_files([Path(p) for p in paths])
    reports: list[Report] = []
    for source in track(files, description, total=len(files), enabled=progress):
        result = read_report_file(source)
        if result.text is None:
            issues.append(result.issue)
            continue
        found, split_issues = split_reports(result.text, source.display, rules)
        reports += found
        issues += split_issues
    return reports


def _resolve_unit(report: Report, matcher: UnitMatcher | None, aliases: dict[str, str]) -> _Unit:
    """The report's unit: a certain match of the title's (or a sentence's, or the first lines')
    unit, else of the file name's; else the closest unit proposed (待确认) when close enough;
    else the name as written, unmatched, with its closest candidate for the review."""
    candidates = [(report.unit_name, report.unit_source), (report.file_unit, "文件名")]
    candidates = [(name, via) for name, via in candidates if name]
    written, via = candidates[0] if candidates else ("", "")
    name = written or f"未识别单位({report.file}#{report.index})"
    names = [n for w, _ in candidates for n in (w, core_name(w))]
    if matcher is None:
        return _Unit(name, name, None, tuple(names), NO_LIST, written, via)
    for cand, cand_via in candidates:
        match = matcher.match(cand)
        if match is not None:
            return _Unit(match.unit_id, match.name, True, tuple(names + _official(match, aliases)), CERTAIN, cand,
                         cand_via)
    proposals = [(p, w, v) for w, v in candidates if (p := matcher.propose(w)) is not None]
    best = max(proposals, key=lambda x: x[0].score, default=None)
    if best is None:
        return _Unit(name, name, False, tuple(names), UNMATCHED, written, via)
    proposal, cand, cand_via = best
    described = f"{proposal.unit_id} {proposal.name}(相似度 {proposal.score:.0f})"
    if proposal.score >= PROPOSE_SCORE and not places_differ(cand, proposal.spelling):
        match = UnitMatch(proposal.unit_id, proposal.name)
        return _Unit(match.unit_id, match.name, True, tuple(names + _official(match, aliases)), PROPOSED, cand,
                     cand_via, described)
    return _Unit(name, name, False, tuple(names), UNMATCHED, written, via, described)


def _official(match: UnitMatch, aliases: dict[str, str]) -> list[str]:
    official = [match.name, *aliases.get(match.unit_id, "").split("|")]
    return official + [core_name(n) for n in official if n]


def _similarities(reports: list[Report], resolved: list[_Unit], earlier: list[Report], matcher: UnitMatcher | None,
                  aliases: dict[str, str], period: Period) -> tuple[list[dict], list[tuple[float, str]]]:
    earlier_units = [_resolve_unit(r, matcher, aliases) for r in earlier]
    texts = [clean_text(r.text, u.names) for r, u in zip([*reports, *earlier], [*resolved, *earlier_units])]
    sigs, valid = signatures(texts)
    best_other, best_sim = nearest(sigs, valid, len(reports))
    rows, summary = [], []
    for number, (report, unit) in enumerate(zip(reports, resolved)):
        other = int(best_other[number])
        if not valid[number]:
            evidence, described = "报告正文太短,未比较雷同度", ""
        elif other < 0:
            evidence, described = "未发现相似度高于约0.3的其他报告", ""
        else:
            is_earlier = other >= len(reports)
            o_report = earlier[other - len(reports)] if is_earlier else reports[other]
            o_unit = earlier_units[other - len(reports)] if is_earlier else resolved[other]
            described = f"《{o_report.title}》({o_unit.label},{'往年报告' if is_earlier else '本批报告'},{o_report.file})"
            evidence = f"与{described}相似度 {best_sim[number]:.2f}"
        similarity = round(float(best_sim[number]), 3)
        summary.append((similarity, described))
        rows.append({"unit": unit.key, "metric": SIMILARITY, "value": similarity, "period": period.label,
                     "source": report.file, "evidence": evidence, "approx": False, "confidence": 1.0,
                     "origin": "全文比较", "unit_match": unit.status, "unit_name": unit.label, "report": number})
    return rows, summary


def _unit_issues(reports: list[Report], resolved: list[_Unit], units: pd.DataFrame | None) -> list[DataIssue]:
    issues = []
    for report, unit in zip(reports, resolved):
        closest = f"最接近的是 {unit.candidate}" if unit.candidate else "名单中没有相近的单位"
        if not unit.written:
            issues.append(DataIssue(
                "warning", f"没能从标题、正文、文件名或开头几行认出报告“{report.title}”的单位,暂记为“{unit.label}”;请在核对表中改正",
                file=report.file, unit=unit.label,
            ))
        elif unit.status == PROPOSED:
            issues.append(DataIssue(
                "warning", f"报告单位“{unit.written}”(来自{unit.via})不在单位名单中,暂按最接近的 {unit.candidate} 提取,"
                           "请确认;如确是该单位,请把这种写法加到它的 aliases(别名)列",
                file=report.file, unit=unit.label,
            ))
        elif unit.matched is False:
            issues.append(DataIssue(
                "warning", f"报告单位“{unit.label}”(来自{unit.via})不在单位名单中,已按报告中的单位名提取;{closest}。"
                           "如是名单中某单位的另一种写法,请把它加到该单位的 aliases(别名)列",
                file=report.file, unit=unit.label,
            ))
    by_unit: dict[str, list[str]] = {}
    for report, unit in zip(reports, resolved):
        by_unit.setdefault(unit.key, []).append(f"{report.file}#{report.index}")
    for key, files in by_unit.items():
        if len(files) > 1:
            label = next(u.label for u in resolved if u.key == key)
            issues.append(DataIssue(
                "warning", f"单位“{label}”有 {len(files)} 份报告({'、'.join(files)}),数值会重复;请在核对表中删除多余的行",
                unit=label,
            ))
    if units is not None:
        missing = units.loc[~units["unit_id"].isin(by_unit), "name"].tolist()
        if missing:
            issues.append(DataIssue("info", f"单位名单中有 {len(missing)} 个单位没有找到报告:{'、'.join(missing)}"))
    return issues


def _reports_table(reports: list[Report], resolved: list[_Unit], values: pd.DataFrame,
                   similarity: list[tuple[float, str]]) -> pd.DataFrame:
    counts = values[values["metric"] != SIMILARITY].groupby("report").size()
    return pd.DataFrame(
        [
            {"file": r.file, "index": r.index, "title": r.title, "unit": u.key, "unit_name": u.label,
             "matched": u.matched, "year": r.year, "values": int(counts.get(number, 0)),
             "similarity": sim, "most_similar": described, "unit_match": u.status, "unit_written": u.written,
             "unit_via": u.via, "candidate": u.candidate}
            for number, (r, u, (sim, described)) in enumerate(zip(reports, resolved, similarity))
        ],
        columns=REPORT_COLUMNS,
    )


def _derived_units(resolved: list[_Unit]) -> pd.DataFrame:
    names = list(dict.fromkeys(u.label for u in resolved))
    return pd.DataFrame({"unit_id": names, "name": names, "class": "", "aliases": ""}, columns=UNIT_COLUMNS)
