"""`score extract FILES_OR_DIRS... --period P --out DIR`: agency data from annual reports."""

from __future__ import annotations

from pathlib import Path

import typer

from scoring.cli.common import echo

HELP = """从政务公开年度报告、工作总结中提取数据(主动公开条数、政策解读、依申请公开件数……),
生成一个可以直接考评的数据文件夹,并附一份核对表。

读取 .txt(UTF-8 或 GB18030)、.docx 和有文字层的 .pdf;给出文件夹时逐级读取其中所有报告。
一个文件里有多份报告(汇编)时,按“XX局2021年政府信息公开工作年度报告”这样的标题自动拆分。
同时计算每份报告与本批其他报告、往年报告(--previous)的雷同度。

\b
示例:
  score extract 年报/2021/ --period 2021 --units 单位名单.csv --out 提取结果/
  score extract 年报/2021/ --period 2021 --units 单位名单.csv --previous 年报/2020/ --out 提取结果/
  score extract 汇编.pdf 补充报告.docx --period 2021 --patterns 本市提取规则.yaml --out 提取结果/ --overwrite

\b
输出:
  提取结果/units.csv                  单位名单(给了 --units 时为其副本,否则按报告标题生成)
  提取结果/2021/metrics.csv           提取的数值(长表:单位、指标、数值、依据原文……)
  提取结果/review/2021_review.xlsx    核对表:“核对”列写“删除”可剔除一行,数值有误可直接改

\b
核对后考评:
  score --input 提取结果/ --criteria 考评方案.yaml --period 2021
  score --input 提取结果/review/2021_review.xlsx --criteria 考评方案.yaml --period 2021   (用改过的核对表)
"""


def extract(
    paths: list[Path] = typer.Argument(..., help="报告文件或文件夹(可多个)", metavar="报告"),
    period: str = typer.Option(..., "--period", "-p", help="报告所属期间,如 2021"),
    out: Path = typer.Option(..., "--out", "-o", help="输出文件夹(生成 units.csv、期间/metrics.csv、review/核对表)"),
    units: Path | None = typer.Option(None, "--units", "-u", help="单位名单 units.csv/.xlsx,用于把报告对应到单位"),
    patterns: Path | None = typer.Option(None, "--patterns", help="本单位补充的提取规则(YAML,见 docs/extract.md)"),
    previous: list[Path] | None = typer.Option(None, "--previous", help="往年报告的文件或文件夹(可多次给出),用于雷同检测"),
    overwrite: bool = typer.Option(False, "--overwrite", help="覆盖输出文件夹中已有的结果"),
) -> None:
    from scoring.extract.run import SIMILARITY, extract_reports, write_extraction
    from scoring.issues import SEVERITY_NAMES

    extraction = extract_reports(paths, period, units_path=units, patterns_path=patterns, previous=previous or [])
    read = [p for p in (units, patterns, *paths, *(previous or [])) if p is not None]
    written = write_extraction(extraction, out, overwrite=overwrite, inputs=read)  # --overwrite never replaces these

    reports, values = extraction.reports, extraction.values
    numbers = values[values["metric"] != SIMILARITY]
    echo(f"读取报告 {len(reports)} 份(来自 {reports['file'].nunique()} 个文件),提取数值 {len(numbers)} 个"
         f"(其中约数 {int(numbers['approx'].sum())} 个)。")
    proposed = reports[reports["unit_match"] == "待确认"]
    if len(proposed):
        echo(f"单位待确认的报告 {len(proposed)} 份(名单中没有完全相同的写法,已暂按最接近的单位提取,请在核对表中确认):"
             + "、".join(f"{w}→{c}" for w, c in zip(proposed["unit_written"], proposed["candidate"])))
    if extraction.unmatched:
        echo(f"不在单位名单中的报告单位 {len(extraction.unmatched)} 个(已按报告中的单位名提取,核对表列出最接近的单位):"
             f"{'、'.join(extraction.unmatched)}")
    copied = reports[reports["similarity"] >= 0.9]
    for unit, similarity, other in zip(copied["unit_name"], copied["similarity"], copied["most_similar"]):
        echo(f"疑似雷同:{unit} 相似度 {similarity:.2f},与{other}")
    if extraction.issues:
        counts = {}
        for issue in extraction.issues:
            counts[issue.severity] = counts.get(issue.severity, 0) + 1
        detail = "、".join(f"{SEVERITY_NAMES[s]} {n} 条" for s, n in counts.items())
        echo(f"数据问题 {len(extraction.issues)} 条({detail}),详见核对表的“数据问题”页。")
    echo("已写出:")
    for path in written:
        echo(f"  {path}")
    echo(f"请打开 {written[-1]} 核对后再考评,例如:score --input {out} --criteria 考评方案.yaml --period {period}")
