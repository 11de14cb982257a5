"""`score publish [CRITERIA]`: the 评分细则 as .docx and .xlsx, to attach to the office's 通知."""

from __future__ import annotations

from pathlib import Path

import typer

from scoring.cli.common import echo

HELP = """生成评分细则(Word 和 Excel 各一份),作为考评通知的附件发给各单位。

内容:一级、二级、三级指标,分值,评分标准(与 score check 列出的文字相同),数据来源,
以及加分、扣分和单项否决规则、分类排名和等次说明。A4 横向,宋体/仿宋,不含内部编号。

\\b
示例:
  score publish                                   用 score.toml 中的准则,写到 输出文件夹/评分细则/
  score publish criteria/my_criteria.yaml --out 通知附件/
"""


def publish(
    criteria: Path | None = typer.Argument(None, help="准则文件(默认按 score.toml)"),
    out: Path | None = typer.Option(None, "--out", "-o", help="输出文件夹(默认 score.toml 的输出文件夹/评分细则/)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="覆盖已有的同名文件(默认另存为带编号的新文件)"),
) -> None:
    from scoring.cli.paths import run_paths
    from scoring.publish import write_publication
    from scoring.scheme.loader import load_scheme

    paths = run_paths(criteria, None, needs_data=False)
    scheme = load_scheme(paths.criteria)
    written, renamed = write_publication(scheme, out or paths.outputs / "评分细则", paths.office_name, overwrite)
    echo(f"已生成评分细则:{scheme.name}")
    for path in written:
        echo(f"  {path}")
    if renamed:
        echo("  (同名文件已存在,未覆盖,另存为上述文件;如需覆盖请加 --overwrite)")
