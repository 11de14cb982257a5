"""`score feedback --period P`: one feedback file per unit, for sending to that unit alone."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scoring.cli.common import echo

if TYPE_CHECKING:
    from scoring.cli.paths import RunPaths
    from scoring.result import Result

HELP = """为每个单位生成考评结果反馈表(Excel,装有 LibreOffice 时另附 PDF),可分别发给各单位。

每份一至两页 A4:总分、等次、类内排名;失分情况(按失分从多到少,附评分说明和数据来源);
本单位的数据问题;复核调整。每份只含该单位自己的数据。

\\b
示例:
  score feedback --period 2021Q4                  写到 输出文件夹/2021Q4/反馈/<单位>.xlsx
  score feedback --period 2021Q4 --no-pdf --out 反馈/
  score --period 2021Q4 --feedback                考评的同时生成反馈表
"""


def feedback(
    period: str = typer.Option(..., "--period", "-p", help="考评期间,如 2021Q4"),
    criteria: Path | None = typer.Option(None, "--criteria", "-c", help="准则文件(默认按 score.toml)"),
    input_path: Path | None = typer.Option(None, "--input", "-i", help="数据文件夹或文件(默认按 score.toml)"),
    out: Path | None = typer.Option(None, "--out", "-o", help="输出文件夹(默认 score.toml 的输出文件夹/期间/反馈/)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="覆盖已有的同名文件(默认另存为带编号的新文件)"),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="不生成 PDF"),
) -> None:
    from scoring.cli.paths import run_paths, scored_period
    from scoring.periods import Period

    run_period = Period.parse(period)
    paths = run_paths(criteria, input_path)
    result = scored_period(paths, run_period)[1]
    write_unit_feedback(result, paths, out, overwrite, pdf=not no_pdf)


def write_unit_feedback(result: "Result", paths: "RunPaths", out: Path | None, overwrite: bool, pdf: bool = True) -> None:
    """Write and report the feedback files (shared with `score --feedback`)."""
    from scoring.report.feedback import FOLDER, write_feedback

    folder = out or paths.outputs / result.period.label / FOLDER
    files = write_feedback(result, folder, paths.office_name, overwrite, pdf)
    echo(f"  反馈表:{len(files.workbooks)} 个单位,{folder}" + (f"(另有 PDF {len(files.pdfs)} 份)" if files.pdfs else ""))
    if files.note:
        echo(f"  {files.note}")
