"""`score check FILE...`: validate criteria files and print the indicator tree in words."""

from __future__ import annotations

from pathlib import Path

import typer

from scoring.cli.common import EXIT_USAGE, echo

HELP = """检查准则文件是否有误,并列出指标体系(分值和评分规则)。

\b
示例:
  score check criteria/gov_openness_2021.yaml
  score check criteria/*.yaml criteria/examples/*.yaml
"""


def check(files: list[Path] = typer.Argument(..., help="一个或多个准则文件(.yaml)", metavar="准则文件")) -> None:
    from scoring.errors import ScoringError
    from scoring.scheme.describe import describe_extras, describe_scheme
    from scoring.scheme.loader import load_scheme

    failed = 0
    for path in files:
        try:
            scheme = load_scheme(path)
        except ScoringError as exc:
            failed += 1
            echo(f"✗ {path}\n  错误:{exc}", err=True)
            continue
        extends = f",继承自 {Path(scheme.sources[1]).name}" if len(scheme.sources) > 1 else ""
        echo(f"✓ {path}:{scheme.name}(id {scheme.id},版本 {scheme.version or '—'},满分 {scheme.total:g}{extends})")
        kinds = {"bonus": "加分", "penalty": "扣分", "veto": "否决"}
        for row in describe_scheme(scheme):
            indent = "  " * row.level
            pts = f" {row.points:g}分" if row.points is not None else ""
            tag = f"[{kinds[row.kind]}] " if row.kind in kinds else ""
            echo(f"{indent}{tag}{row.name}{pts} — {row.rule_text}")
        for line in describe_extras(scheme):
            echo(f"  {line}")
        for warning in scheme.warnings:
            echo(f"  警告:{warning}")
    if failed:
        echo(f"{failed} 个准则文件有误。", err=True)
        raise typer.Exit(EXIT_USAGE)
