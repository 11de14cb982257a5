"""`score form --period P`: the fill-in workbooks for the metrics units report themselves."""

from __future__ import annotations

from pathlib import Path

import typer

from scoring.cli.common import echo, fail

HELP = """生成各单位的数据填报表(Excel),只含准则中由各单位报送(source: unit)的指标。

每个单位一个文件(默认),或用 --one-workbook 生成一个工作簿、每个单位一张表。表中已填好
单位名称和编码,每项指标一行,注明计量单位和填报说明;数值有校验(整数不小于0、百分比0到100、
是/否下拉),其余单元格锁定。各单位填好发回后,放入数据文件夹的期间子文件夹(如 data/2021Q4/,
文件名不限),考评时自动读取;同一单位发回两份不同的表、未发回的单位都会列在数据问题中。

\\b
示例:
  score form --period 2021Q4                      写到 输出文件夹/2021Q4/填报表/
  score form --period 2021Q4 --one-workbook --out 下发/
"""


def form(
    period: str = typer.Option(..., "--period", "-p", help="填报期间,如 2021Q4"),
    criteria: Path | None = typer.Option(None, "--criteria", "-c", help="准则文件(默认按 score.toml)"),
    units: Path | None = typer.Option(None, "--units", "-u", help="单位名单(默认按 score.toml 或数据文件夹中的 units.csv)"),
    out: Path | None = typer.Option(None, "--out", "-o", help="输出文件夹(默认 score.toml 的输出文件夹/期间/填报表/)"),
    one_workbook: bool = typer.Option(False, "--one-workbook", help="所有单位放在一个工作簿中,每个单位一张表"),
    overwrite: bool = typer.Option(False, "--overwrite", help="覆盖已有的同名文件(默认另存为带编号的新文件)"),
) -> None:
    from scoring.cli.paths import run_paths
    from scoring.data.load import read_units_file, units_file_in
    from scoring.forms import form_rows, write_forms
    from scoring.periods import Period
    from scoring.scheme.loader import load_scheme

    run_period = Period.parse(period)
    paths = run_paths(criteria, None, needs_data=units is None)
    scheme = load_scheme(paths.criteria)
    units_path = units or paths.units or units_file_in(paths.data)
    if units_path is None:
        raise fail(f"找不到单位名单:请在数据文件夹 {paths.data} 中放入 units.csv(单位编码、单位名称、类别),"
                   "或用 --units 指定")
    unit_table, _ = read_units_file(units_path, scheme)
    if not form_rows(scheme):
        raise fail("准则中没有由各单位报送(source: unit)的指标,无需填报表")
    folder = out or paths.outputs / run_period.label / "填报表"
    written, renamed = write_forms(scheme, unit_table, run_period, folder, paths.office_name, one_workbook, overwrite)
    echo(f"已生成填报表 {len(written)} 个文件,{len(unit_table)} 个单位,每个单位 {len(form_rows(scheme))} 项指标:{folder}")
    if renamed:
        echo("  (同名文件已存在,未覆盖,另存为带编号的文件;如需覆盖请加 --overwrite)")
    echo(f"各单位填好发回后,放入 {paths.data / run_period.label}/ 即可考评(文件名不限)。")
