"""The short Chinese summary printed after the main job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scoring.cli.common import echo
from scoring.rules.base import num

if TYPE_CHECKING:
    from scoring.report.exports import OutputPaths
    from scoring.result import Result
    from scoring.stability import Stability


SHOWN_VETOES = 10  # a province may veto dozens: the terminal names the first, the workbook all
SHOWN_ISSUES = 10


def print_summary(result: "Result", written: "OutputPaths", previous: "Result | None",
                  stability: "Stability | None" = None, office: str | None = None) -> None:
    from scoring.report.bulletin import grade_counts, report_title
    from scoring.report.rounding import half_up

    s, t = result.scheme, result.totals
    p = s.precision
    t = t.assign(total=half_up(t["total"], p))  # the digits of the workbook, CSV and JSON
    echo(f"考评完成:{report_title(s.name, result.period, office or s.office)}")
    echo(f"  {grade_counts(t, [g.label for g in s.grades])}")
    groups = [(c.id, c.name) for c in s.classes] or [(None, "全部单位")]
    known = {c.id for c in s.classes}
    if s.classes and (~t["class"].isin(known)).any():
        groups.append(("", "未分类"))
    ordered = result.ranking()  # the workbook's order
    for class_id, class_name in groups:
        block = ordered if class_id is None else ordered[ordered["class"] == class_id] if class_id else \
            ordered[~ordered["class"].isin(known)]
        if block.empty:
            continue
        ok = block[block["veto_effect"] != "fail"]
        rank_col = "class_rank" if class_id is not None else "rank"
        top = ",".join(f"{r[rank_col]}. {r['name']} {num(r['total'], p)}" for _, r in ok.head(3).iterrows())
        echo(f"  {class_name}:{len(block)} 个单位;前三名:{top or '无'}")
    vetoed = t[t["vetoed"]]
    if len(vetoed):
        listed = vetoed.head(SHOWN_VETOES)
        names = "、".join(f"{name}({why})" for name, why in zip(listed["name"], listed["veto_reasons"]))
        more = f" 等 {len(vetoed)} 个单位,全部见工作簿“排名”表" if len(vetoed) > SHOWN_VETOES else ""
        echo(f"  单项否决:{names}{more}")
    else:
        echo("  单项否决:无")
    counts = {k: sum(1 for i in result.issues if i.severity == k) for k in ("error", "warning", "info")}
    if result.issues:
        echo(f"  数据问题:{len(result.issues)} 条(错误 {counts['error']},警告 {counts['warning']},提示 {counts['info']}),详见工作簿“数据问题”表")
        order = {"error": 0, "warning": 1, "info": 2}
        shown = sorted(result.issues, key=lambda i: order[i.severity])[:SHOWN_ISSUES]
        for issue in shown:
            unit = issue.unit if issue.unit and issue.unit not in issue.message else None
            where = " ".join(str(x) for x in (issue.file, f"第{issue.row}行" if issue.row else None, unit) if x)
            echo(f"    - [{issue.severity_name}] {where + ':' if where else ''}{issue.message}")
        if len(result.issues) > len(shown):
            echo(f"    ……另有 {len(result.issues) - len(shown)} 条")
    else:
        echo("  数据问题:无")
    if previous is not None:
        echo(f"  对比期间:{previous.period.label}")
    if stability is not None:
        settled = "全部相邻名次差异显著" if not stability.unsettled else f"{stability.unsettled} 对相邻名次差异不显著(见工作簿“排名稳定性”表)"
        echo(f"  排名稳定性:{stability.draws} 次抽样,{settled}")
    echo(f"  工作簿:{written.workbook}")
    if written.parquet:
        echo(f"  完整结果(Parquet,每张表一个文件):{written.parquet[0]} 等 {len(written.parquet)} 个文件")
    if written.renamed:
        echo("  (同名工作簿已存在,未覆盖,新结果另存为上述文件;如需覆盖请加 --overwrite)")
    for note in written.notes:
        echo(f"  {note}")
