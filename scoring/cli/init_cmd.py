"""`score init DIR`: a new office's starter kit.

It holds a copy of the bundled criteria, a criteria file of the office's own that extends it,
and empty data templates whose headers are exactly what the readers expect.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import typer

from scoring.cli.common import echo, fail
from scoring.cli.paths import DEFAULT_CRITERIA, bundled

HELP = """生成新考评的起步文件:准则文件(继承自带准则)和空白数据模板。

\b
示例:
  score init 临江市2022考评/
  score init 西山县考评/ --period 2022Q1
然后:
  score check 临江市2022考评/criteria/my_criteria.yaml
  score --period 2022Q1 --criteria 临江市2022考评/criteria/my_criteria.yaml --input 临江市2022考评/data/
"""

MY_CRITERIA = """\
# 本单位的考评准则:从自带准则出发,只写不同之处。
# 写法见项目文档 docs/criteria.md;改完后运行 score check 检查。
extends: {base}
id: my-openness
name: 我市政务公开工作考评

# 示例:删除某项指标(删除后请相应调整上级指标和总分,使分值合计一致)
# remove: [standing]

# 示例:修改某项指标的评分档次(按编号覆盖,只写要改的键)
# indicators:
#   - id: volume
#     rule: {{type: bands, bands: [{{min: 300, points: 8}}, {{min: 100, points: 6}}], else: 2, per: year}}
"""

README = """\
起步文件说明
============
criteria/{base}    自带的考评准则(副本,可参考,不建议直接修改)
criteria/my_criteria.yaml      本单位准则:继承自带准则,只写不同之处
data/units.csv                 单位名单:单位编码、单位名称、类别、别名(多个别名用 | 分隔)
data/{period}/metrics.csv     各单位本期数据:每行一个单位,每列一项指标
data/{year}/records.csv       网站发布记录:单位、发布日期、栏目、标题、应公开日期

填好数据后运行:
  score check criteria/my_criteria.yaml
  score --period {period} --criteria criteria/my_criteria.yaml --input data/
"""


def init(
    folder: Path = typer.Argument(..., help="新建的文件夹(须不存在或为空)", metavar="文件夹"),
    period: str | None = typer.Option(None, "--period", "-p", help="数据模板的期间(默认当前季度)"),
) -> None:
    from scoring.periods import Period
    from scoring.scheme.loader import load_scheme
    from scoring.scheme.model import Scheme

    today = date.today()
    run_period = Period.parse(period) if period else Period(today.year, "Q", (today.month - 1) // 3 + 1)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise fail(f"“{folder}”已存在且不是空文件夹,为避免覆盖已有文件,请换一个文件夹名")
    base_path = bundled(DEFAULT_CRITERIA)
    scheme: Scheme = load_scheme(base_path)
    criteria_dir, data_dir = folder / "criteria", folder / "data"
    try:
        for d in (criteria_dir, data_dir / run_period.label, data_dir / str(run_period.year)):
            d.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base_path, criteria_dir / base_path.name)
        (criteria_dir / "my_criteria.yaml").write_text(MY_CRITERIA.format(base=base_path.name), encoding="utf-8")
        _write_csv(data_dir / "units.csv", ["单位编码", "单位名称", "类别", "别名"])
        _write_csv(data_dir / run_period.label / "metrics.csv", ["单位", *_metric_headers(scheme)])
        _write_csv(data_dir / str(run_period.year) / "records.csv", ["单位", "发布日期", "栏目", "标题", "应公开日期"])
        (folder / "说明.txt").write_text(
            README.format(base=base_path.name, period=run_period.label, year=run_period.year), encoding="utf-8"
        )
    except OSError as exc:
        raise fail(f"无法在“{folder}”中创建文件:{exc.strerror}") from None
    echo(f"已生成起步文件:{folder}")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        echo(f"  {path.relative_to(folder)}")
    echo(f"下一步:填写 data/ 中的模板,然后运行 score check {criteria_dir / 'my_criteria.yaml'}")


def _metric_headers(scheme) -> list[str]:
    """Chinese names of every metric the scheme reads from the data (not derived ones)."""
    from scoring.scheme.usage import metrics_used

    derived = {m.id for m in scheme.metrics if m.derived}
    return [scheme.metric_label(m)[0] for m in sorted(metrics_used(scheme) - derived)]


def _write_csv(path: Path, header: list[str]) -> None:
    # UTF-8 with BOM so Excel on Windows shows the Chinese headers
    path.write_text(",".join(header) + "\n", encoding="utf-8-sig")
