"""Feedback to each unit (`score feedback`, `score --feedback`): one workbook per unit, and a PDF
of it when LibreOffice is installed, that the office can send to that unit alone.

One A4 page or two: the unit's total, grade and rank in its class; where it lost points,
largest loss first, each with the explanation and the data it came from; its data issues; the
approved adjustments (复核调整). Only the unit's own rows are read from the Result: no other
unit's name, value or points can appear in its file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.report.layout import Styles, workbook_options
from scoring.report.output import atomic_write_all, choose_paths
from scoring.result import Result
from scoring.rules.base import num

FOLDER = "反馈"
LOSS_HEADERS = ("指标", "满分", "得分", "失分", "评分说明", "数据及来源")
ISSUE_HEADERS = ("类别", "文件", "行", "说明")
PDF_TIMEOUT_S = 600


@dataclass(frozen=True)
class FeedbackFiles:
    workbooks: list[Path]
    pdfs: list[Path]
    note: str  # Chinese: why there is no PDF, when there is none


def write_feedback(result: Result, folder: Path, office: str = "", overwrite: bool = False,
                   pdf: bool = True) -> FeedbackFiles:
    """<folder>/<单位>.xlsx for every unit (and .pdf beside it when LibreOffice is present)."""
    totals = result.ranking()
    names = [_safe(str(n)) for n in totals["name"]]
    wanted = [Path(folder) / f"{name}.xlsx" for name in _unique(names)]
    paths, _ = choose_paths(wanted, overwrite)
    class_sizes = totals["class"].value_counts()
    jobs: list[tuple[Path, Callable[[Path], None]]] = [
        (path, lambda tmp, u=unit_id: _write_unit(result, str(u), tmp, office, int(class_sizes[totals.at[u, "class"]])))
        for path, unit_id in zip(paths, totals.index)
    ]
    atomic_write_all(jobs)
    if not pdf:
        return FeedbackFiles(paths, [], "")
    if _soffice() is not None:
        print(f"正在用 LibreOffice 把 {len(paths)} 份反馈表转为 PDF……", file=sys.stderr, flush=True)
    pdfs, note = _pdfs(paths)
    return FeedbackFiles(paths, pdfs, note)


def _safe(text: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in text).strip() or "单位"


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}({seen[name]})")
    return out


# ---- one unit's page ----------------------------------------------------------------------------


def losses(result: Result, unit_id: str) -> pd.DataFrame:
    """The unit's detail rows where it lost points, largest loss first: indicators short of their
    (applicable) points, and deductions."""
    d = result.unit(unit_id)
    lost = pd.Series(0.0, index=d.index)
    indicator = d["kind"] == "indicator"
    lost[indicator] = (d["max_points"] - d["points"])[indicator]
    penalty = d["kind"] == "penalty"
    lost[penalty] = d["points"][penalty].abs()
    rounded = lost.round(result.scheme.precision)
    return d.assign(lost=rounded)[rounded > 0].sort_values("lost", ascending=False, kind="stable")


def unit_issues(result: Result, name: str) -> list:
    """Data issues about this unit alone (an issue naming several units is the office's own)."""
    return [i for i in result.issues if i.unit == name]


def unit_adjustments(result: Result, unit_id: str) -> list[str]:
    return [step.message for step in result.log if step.stage == "adjust" and step.unit_id == unit_id]


def data_text(result: Result, unit_id: str, metric: str, value_text: str) -> str:
    """"665 条(2021Q4/metrics.csv 第3行)": the value and where it was read; a derived metric
    lists the values it was made of."""
    inputs = result.inputs[result.inputs["unit_id"].astype(str) == unit_id]
    by_metric = {m: r for m, r in zip(inputs["metric"].astype(str), inputs.to_dict("records"))}

    def where(m: str) -> str:
        r = by_metric.get(m)
        if r is None:
            return ""
        note = f";{r['evidence']}" if r.get("evidence") else ""
        return f"{r['source']} 第{r['row']}行{note}"

    if metric in by_metric:
        raw = str(by_metric[metric]["raw"])
        shown = value_text if any(c.isdigit() for c in raw) else raw  # "是" as written, not "1"
        return f"{shown}({where(metric)})"
    spec = result.scheme.metric_spec(metric)
    parts = list(spec.ratio or ()) if spec and spec.ratio else []
    if spec and spec.records:
        return f"{value_text}(政务公开平台记录)"
    shown = [f"{by_metric[m]['metric_name']} {by_metric[m]['raw']}({where(m)})" for m in parts if m in by_metric]
    return f"{value_text}" + (f",由 {';'.join(shown)} 算得" if shown else "")


def _write_unit(result: Result, unit_id: str, path: Path, office: str, class_size: int) -> None:
    s = result.scheme
    p = s.precision
    row = result.totals.loc[unit_id]
    with Workbook(str(path), workbook_options()) as wb:
        st = Styles(wb, p)
        wrap = st.cell("wrap")
        ws = wb.add_worksheet("考评反馈")
        last = len(LOSS_HEADERS) - 1
        title = f"{s.name}({result.period.chinese})考评结果反馈"
        ws.merge_range(0, 0, 0, last, title, st.title)
        ws.set_row(0, 28)
        ws.merge_range(1, 0, 1, last, f"{office + '    ' if office else ''}单位:{row['name']}    类别:{row['class_name']}",
                       st.note)
        summary = [
            ("总分", f"{num(row['total'], p)}(满分 {num(s.total, p)})"),
            ("等次", str(row["grade"] or "—") + ("(因比例限制调整)" if row["demoted"] else "")),
            ("类内排名", f"第 {int(row['class_rank'])} 名(本类共 {class_size} 个单位)"),
        ]
        if row["vetoed"]:
            summary.append(("单项否决", str(row["veto_reasons"])))
        if row["bonus"] or row["penalty"]:
            summary.append(("加分 / 扣分", f"加 {num(row['bonus'], p)} 分,扣 {num(row['penalty'], p)} 分"))
        r = 3
        for label, value in summary:
            ws.write_string(r, 0, label, st.label)
            ws.merge_range(r, 1, r, last, value, wrap)
            r += 1

        r += 1
        ws.merge_range(r, 0, r, last, "一、失分情况(按失分从多到少)", st.heading)
        r += 1
        lost = losses(result, unit_id)
        for j, header in enumerate(LOSS_HEADERS):
            ws.write_string(r, j, header, st.header)
        header_row = r
        r += 1
        if lost.empty:
            ws.merge_range(r, 0, r, last, "无失分。", wrap)
            r += 1
        for d in lost.itertuples():
            maxp = "" if pd.isna(d.max_points) else num(d.max_points, p)
            cells = (str(d.path), maxp, num(d.points, p), num(d.lost, p), str(d.explanation),
                     data_text(result, unit_id, str(d.metric), str(d.value_text)))
            for j, text in enumerate(cells):
                ws.write_string(r, j, text, wrap)
            ws.set_row(r, 15 * max(2, -(-len(cells[4]) // 26), -(-len(cells[5]) // 18)))
            r += 1

        r += 1
        ws.merge_range(r, 0, r, last, "二、数据问题", st.heading)
        r += 1
        issues = unit_issues(result, str(row["name"]))
        if issues:
            ws.write_string(r, 0, ISSUE_HEADERS[0], st.header)
            ws.write_string(r, 1, ISSUE_HEADERS[1], st.header)
            ws.write_string(r, 2, ISSUE_HEADERS[2], st.header)
            ws.merge_range(r, 3, r, last, ISSUE_HEADERS[3], st.header)
            r += 1
            for issue in issues:
                ws.write_string(r, 0, issue.severity_name, wrap)
                ws.write_string(r, 1, issue.file or "", wrap)
                ws.write_string(r, 2, str(issue.row or ""), wrap)
                ws.merge_range(r, 3, r, last, issue.message, wrap)
                ws.set_row(r, 15 * max(1, -(-len(issue.message) // 50)))
                r += 1
        else:
            ws.merge_range(r, 0, r, last, "无。", wrap)
            r += 1

        r += 1
        ws.merge_range(r, 0, r, last, "三、复核调整", st.heading)
        r += 1
        for text in unit_adjustments(result, unit_id) or ["无。"]:
            ws.merge_range(r, 0, r, last, text, wrap)
            ws.set_row(r, 15 * max(1, -(-len(text) // 60)))
            r += 1
        r += 1
        ws.merge_range(r, 0, r, last, f"生成时间:{result.generated_at:%Y-%m-%d %H:%M}。如对结果有异议,请在规定时间内向考评办公室提出复核申请。",
                       st.note)

        for j, width in enumerate((22, 7, 7, 7, 30, 26)):
            ws.set_column(j, j, width)
        ws.set_paper(9)
        ws.set_portrait()
        ws.fit_to_pages(1, 2)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.repeat_rows(header_row, header_row)
        ws.set_footer("&C第 &P 页,共 &N 页")


# ---- PDF ------------------------------------------------------------------------------------------


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _pdfs(workbooks: list[Path]) -> tuple[list[Path], str]:
    """Each workbook as PDF beside it, converted by LibreOffice in one run into a temporary folder
    and moved into place; none, with a note, when LibreOffice is missing or fails."""
    program = _soffice()
    if program is None:
        return [], "未找到 LibreOffice,未生成 PDF(安装后重新运行即可)"
    if not workbooks:
        return [], ""
    with tempfile.TemporaryDirectory(prefix="score-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        command = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", tmp, *map(str, workbooks)]
        try:
            subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return [], "LibreOffice 转换 PDF 失败,未生成 PDF"
        pdfs = []
        for book in workbooks:
            made = Path(tmp) / f"{book.stem}.pdf"
            if made.exists():
                target = book.with_suffix(".pdf")
                shutil.move(str(made), str(target))
                pdfs.append(target)
    missing = len(workbooks) - len(pdfs)
    return pdfs, f"{missing} 个单位的 PDF 未能生成" if missing else ""
