"""`score --period P`: the quarterly main job. Score, rank, write the workbook, print a summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scoring.cli.common import EXIT_STRICT, echo, fail
from scoring.cli.paths import run_paths

if TYPE_CHECKING:
    from scoring.appeals import Adjustment
    from scoring.data.load import Loader
    from scoring.periods import Period
    from scoring.result import Result
    from scoring.scheme.model import Scheme

HELP = """政务公开考评:按考评准则为各单位打分、排名,生成给领导看的 Excel 工作簿。

\b
示例:
  score --period 2021Q4                      在考评文件夹(有 score.toml)中考评 2021 年第四季度
  score --period 2021 --criteria criteria/examples/county_variant.yaml --input 我的数据/
  score --period 2021Q4 --compare 2021Q3 --out 报告/ --overwrite
  score --period 2021Q4 --feedback           同时为每个单位生成反馈表
  score publish                              生成评分细则(Word、Excel)
  score form --period 2021Q4                 生成各单位的数据填报表
  score check criteria/*.yaml                检查准则文件并列出指标体系
  score explain 市教育局 --period 2021Q4      在终端查看某单位的得分明细
  score init 新考评/                          生成新考评的起步文件
  score extract 年报/ --period 2021 --out 提取结果/   从年度报告中提取数据

在考评文件夹(score init 生成,含 score.toml)或其子文件夹中运行时,准则、数据和输出位置
都按 score.toml 确定;不在考评文件夹中时须用 --criteria 和 --input 指定。

退出码:0 成功;1 运行完成但 --strict 发现数据问题;2 用法、准则或输入有误;3 程序内部错误;
130/143 被中断;141 输出管道已关闭(如 score … | head)。
"""


def main_job(
    ctx: typer.Context,
    period: str | None = typer.Option(None, "--period", "-p", help="考评期间,如 2021Q4、2021H1、2021M03、2021"),
    criteria: Path | None = typer.Option(None, "--criteria", "-c", help="准则文件(默认按 score.toml)"),
    input_path: Path | None = typer.Option(None, "--input", "-i", help="数据文件夹或文件(默认按 score.toml)"),
    out: Path | None = typer.Option(None, "--out", "-o", help="输出文件夹(默认 score.toml 的输出文件夹/期间/)"),
    compare: str | None = typer.Option(None, "--compare", help="对比的上一期间(默认:上一期数据存在时自动对比)"),
    strict: bool = typer.Option(False, "--strict", help="有数据问题(错误或警告)时以退出码 1 结束"),
    overwrite: bool = typer.Option(False, "--overwrite", help="覆盖已有的同名工作簿(默认另存为带编号的新文件)"),
    unit_sheets: bool = typer.Option(False, "--unit-sheets", help="为每个单位增加一张明细表(最多 200 个)"),
    stability: bool = typer.Option(False, "--stability", help="排名稳定性分析:按数据的不确定性重复抽样打分,看名次是否可靠"),
    draws: int = typer.Option(1000, "--draws", min=10, max=100_000, help="稳定性分析的抽样次数"),
    seed: int = typer.Option(0, "--seed", help="稳定性分析的随机种子(同一种子结果相同)"),
    weights: str | None = typer.Option(None, "--weights", help="稳定性分析中一级指标权重的浮动幅度,如 ±10%"),
    data_format: str | None = typer.Option(None, "--format", help="工作簿和 CSV 之外的完整结果格式:json(适合市级规模)"
                                           "或 parquet(省级、全国规模:每张表一个 .parquet 文件,供数据库和分析软件读取);"
                                           "不指定时按规模选择:2000 个单位以内写 json,更多写 parquet"),
    feedback: bool = typer.Option(False, "--feedback", help="同时为每个单位生成反馈表(见 score feedback)"),
    version: bool = typer.Option(False, "--version", help="显示版本号"),
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if version:
        from scoring import __version__

        echo(f"score {__version__}")
        return
    if period is None:
        raise fail("请用 --period 指定考评期间,例如:score --period 2021Q4(score --help 查看全部用法)")
    from scoring.collector import settled_imports

    with settled_imports():
        from scoring.cli.summary import print_summary
        from scoring.data.folders import find_period_folders
        from scoring.data.load import Loader
        from scoring.periods import Period
        from scoring.report.exports import FORMATS, default_format, write_outputs
        from scoring.scheme.loader import load_scheme

    if data_format is not None and data_format not in FORMATS:
        raise fail(f"--format 只能是 {' 或 '.join(FORMATS)},而不是“{data_format}”")
    run_period = Period.parse(period)
    paths = run_paths(criteria, input_path)
    scheme = load_scheme(paths.criteria)
    source = paths.data
    out_dir = out or paths.outputs / run_period.label
    if Path(source).is_dir() and Path(out_dir).resolve().is_relative_to(Path(source).resolve()):
        raise fail(f"输出文件夹“{out_dir}”在输入文件夹“{source}”之内:结果写在数据中间,会与数据混在一起。"
                   "请用 --out 指定输入文件夹之外的位置")
    compare_period = Period.parse(compare) if compare else run_period.previous()
    # the loader's own folder resolver: `2021年第三季度/` counts as 2021Q3's folder here too
    comparing = bool(compare) or bool(find_period_folders(Path(source), compare_period))
    # earlier periods of the year with data of their own: each unit's total and rank per period (趋势)
    trend = [p for p in run_period.earlier_in_year() if find_period_folders(Path(source), p)]
    wanted = list(dict.fromkeys([run_period, *([compare_period] if comparing else []), *trend]))
    result, adjustments, totals_of = score_periods(scheme, Loader(source, scheme, units=paths.units), wanted, source)
    previous = totals_of.get(compare_period) if comparing else None

    target = Path(out_dir) / f"{scheme.id}_{run_period.label}.xlsx"
    found = None
    if stability or weights:
        from scoring.progress import track
        from scoring.stability import stability as analyse

        found = analyse(result, draws=draws, seed=seed, weights=weight_spread(weights), progress=track)
    written = write_outputs(result, target, previous=previous, overwrite=overwrite, unit_sheets=unit_sheets,
                            stability=found, data_format=data_format or default_format(len(result.units)),
                            earlier=tuple(totals_of[p] for p in trend),
                            inputs=[Path(scheme.source or ""), Path(source)],
                            office=paths.office_name)
    print_summary(result, written, previous, found)
    for a in adjustments:
        echo(f"  复核调整:{a.unit_name}“{a.target_name}” → {a.new_text}{' 分' if a.kind == 'points' else ''}"
             f"({a.file} 第{a.row}行,批准:{a.approved_by})")
    if feedback:
        from scoring.cli.feedback_cmd import write_unit_feedback

        write_unit_feedback(result, paths, Path(out_dir) / "反馈" if out else None, overwrite)
    if strict and any(i.severity in ("error", "warning") for i in result.issues):
        echo(f"--strict:发现 {len(result.issues)} 条数据问题,以退出码 {EXIT_STRICT} 结束。", err=True)
        raise typer.Exit(EXIT_STRICT)


def score_periods(scheme: "Scheme", loader: "Loader", periods: list["Period"],
                  source: Path) -> tuple["Result", list["Adjustment"], dict["Period", "Result"]]:
    """The run's period (`periods[0]`) read and scored in full, with its 复核调整; the others
    read and scored as summaries (the outputs read only their totals and ranks), in a forked
    child on the other core while this process scores the run's own period, from the files
    already read (a year of records is read once: scoring/background.py). Where they are read
    and scored here instead, their CSV files are read during the run's own read, and what the
    periods derive alike (a year of records) is made once."""
    from scoring.appeals import score_adjusted
    from scoring.background import Background, can_fork
    from scoring.engine import Shared

    run, others = periods[0], periods[1:]
    data = loader.load(run, later=[] if others and can_fork() else others)
    shared = Shared()
    with Background(lambda: {p: score_adjusted(scheme, loader.load(p), p, source, explain=False, shared=shared)[0]
                             for p in others}, fork=bool(others)) as pending:
        result, adjustments = score_adjusted(scheme, data, run, source, shared=shared)
        return result, adjustments, pending.result()


def weight_spread(text: str | None) -> float:
    """"±10%", "10%" or "0.1" → 0.1 (a share, below 1)."""
    if not text:
        return 0.0
    cleaned = text.strip().lstrip("±+").replace("%", "").replace("％", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise fail(f"--weights 应写成浮动幅度,如 ±10%,而不是“{text}”") from None
    share = value / 100 if "%" in text or "％" in text or value >= 1 else value
    if not 0 < share < 1:
        raise fail(f"--weights 的浮动幅度应在 0 到 100% 之间,而不是“{text}”")
    return share
