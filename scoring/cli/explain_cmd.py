"""`score explain UNIT --period P`: one unit's breakdown in the terminal."""

from __future__ import annotations

from pathlib import Path

import typer

from scoring.cli.common import echo, fail
from scoring.cli.paths import run_paths, scored_period

HELP = """在终端显示某个单位的得分明细:每项指标的数值、规则、得分和说明。

\b
示例:
  score explain 市教育局 --period 2021Q4
  score explain D05 --period 2021 --criteria criteria/examples/county_variant.yaml --input 我的数据/
"""


def explain(
    unit: str = typer.Argument(..., help="单位编码、名称或别名", metavar="单位"),
    period: str = typer.Option(..., "--period", "-p", help="考评期间,如 2021Q4"),
    criteria: Path | None = typer.Option(None, "--criteria", "-c", help="准则文件(默认按 score.toml)"),
    input_path: Path | None = typer.Option(None, "--input", "-i", help="数据文件夹或文件(默认按 score.toml)"),
) -> None:
    from scoring.data.units import UnitIndex
    from scoring.periods import Period
    from scoring.rules.base import num

    run_period = Period.parse(period)
    data, result, _ = scored_period(run_paths(criteria, input_path), run_period, progress=False)
    scheme = result.scheme
    index = UnitIndex.build(data.units)  # the data files' matching: ids, names, aliases, any case or width
    unit_id = index.find(unit)
    if unit_id is None:
        close = index.closest(unit)
        raise fail(f"找不到单位“{unit}”" + (f",是否指:{'、'.join(close)}" if close else ""))
    row = result.totals.loc[unit_id]
    p = scheme.precision
    echo(f"{row['name']}({row['class_name']})· {scheme.name} · {run_period.label}")
    echo(f"总分 {num(row['total'], p)} · 等次 {row['grade'] or '—'} · 总排名 {row['rank']} · 类内排名 {row['class_rank']}")
    details = result.unit(unit_id)
    groups = result.groups[result.groups["unit_id"] == unit_id].set_index("group_id")
    kinds = {"bonus": "加分项", "penalty": "扣分项", "veto": "单项否决"}
    current = None
    for _, d in details.iterrows():
        in_tree = d["kind"] in ("indicator", "linked")  # a linked scheme's items sit under their leaf
        if in_tree and d["group_id"] != current:
            current = d["group_id"]
            echo("\n" + group_line(groups.loc[current], p))
        elif not in_tree and current != d["kind"]:
            current = d["kind"]
            echo(f"\n【{kinds[d['kind']]}】")
        echo(f"  {'  ' if d['kind'] == 'linked' else ''}{d['path']}:{d['explanation']}")
    echo("")
    echo(f"基础分 {num(row['base'], p)}/{num(row['max_base'], p)}"
         + (f",折算为 {num(row['rescaled'], p)}" if abs(row['rescale'] - 1) > 1e-9 else "")
         + f";加分 {num(row['bonus'], p)};扣分 {num(row['penalty'], p)};总分 {num(row['total'], p)}")
    steps = [s for s in result.log if s.unit_id == unit_id]
    if steps:
        echo("计算过程:")
        for s in steps:
            echo(f"  - {s.message}")


def group_line(group, precision: int) -> str:
    """"【网站】24/30 · 合格": a first-level group's points, its own grade and a veto that zeroed it."""
    from scoring.rules.base import num

    line = f"【{group['group_name']}】{num(group['points'], precision)}/{num(group['max_points'], precision)}"
    if group.get("grade"):
        line += f" · {group['grade']}"
    if group.get("veto"):
        line += f" · 单项否决:{group['veto']}"
    return line
