"""`score init DIR`: a new office folder.

score.toml (the office's name and where its criteria, data and outputs are), a copy of the
bundled criteria, a criteria file of the office's own that extends it, the data folder with
templates whose headers are exactly what the readers expect, and the outputs folder.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import typer

from scoring.cli.common import echo, fail
from scoring.cli.paths import bundled_criteria, project_root

GUIDE = project_root() / "docs" / "使用说明.md"  # the office staff's guide, copied into the folder

HELP = """新建考评文件夹:配置文件 score.toml、准则文件(继承自带准则)、数据文件夹和输出文件夹。

之后在该文件夹(或其子文件夹)中运行 score,准则、数据和输出位置都按 score.toml 确定。

\b
示例:
  score init 临江市2022考评/ --name 临江市政务公开办公室
  score init 西山县考评/ --name 西山县政务公开办 --period 2022Q1
然后:
  cd 临江市2022考评
  score check criteria/my_criteria.yaml
  score --period 2022Q1
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
考评文件夹说明
==============
score.toml                     配置文件:办公室名称、准则文件、数据文件夹、输出文件夹
criteria/{base}    自带的考评准则(副本,可参考,不建议直接修改)
criteria/my_criteria.yaml      本单位准则:继承自带准则,只写不同之处
data/units.csv                 单位名单:单位编码、单位名称、类别、别名(多个别名用 | 分隔)
data/{period}/考评办数据.csv  考评办公室、第三方、平台提供的本期数据:每行一个单位,每列一项指标
                               (各单位自己报送的指标用 score form 生成填报表下发,发回后放入 data/{period}/)
data/{year}/records.csv       网站发布记录:单位、发布日期、栏目、标题、应公开日期
outputs/                       考评结果:每期一个子文件夹
使用说明.md                    完整的使用说明(一年的工作步骤、准则写法、提示的含义)

一年的工作顺序(在本文件夹中运行):
  score check criteria/my_criteria.yaml      检查准则
  score publish                              生成评分细则,随通知下发
  score form --period {period}               生成各单位的数据填报表
  score --period {period}                    考评(发回的填报表放入 data/{period}/)
  score feedback --period {period}           生成各单位的反馈表
"""


def init(
    folder: Path = typer.Argument(..., help="新建的文件夹(须不存在或为空)", metavar="文件夹"),
    name: str | None = typer.Option(None, "--name", "-n", help="办公室名称,用于标题(默认为文件夹名)"),
    period: str | None = typer.Option(None, "--period", "-p", help="数据模板的期间(默认当前季度)"),
) -> None:
    from scoring.office import CONFIG_NAME, config_text
    from scoring.periods import Period
    from scoring.scheme.loader import load_scheme
    from scoring.scheme.model import Scheme

    today = date.today()
    run_period = Period.parse(period) if period else Period(today.year, "Q", (today.month - 1) // 3 + 1)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise fail(f"“{folder}”已存在且不是空文件夹,为避免覆盖已有文件,请换一个文件夹名")
    base_path = bundled_criteria()
    scheme: Scheme = load_scheme(base_path)
    criteria_dir, data_dir = folder / "criteria", folder / "data"
    try:
        for d in (criteria_dir, data_dir / run_period.label, data_dir / str(run_period.year), folder / "outputs"):
            d.mkdir(parents=True, exist_ok=True)
        office_name = (name or folder.resolve().name).strip()
        (folder / CONFIG_NAME).write_text(config_text(office_name, "criteria/my_criteria.yaml", "data"), encoding="utf-8")
        shutil.copyfile(base_path, criteria_dir / base_path.name)
        (criteria_dir / "my_criteria.yaml").write_text(MY_CRITERIA.format(base=base_path.name), encoding="utf-8")
        _write_csv(data_dir / "units.csv", ["单位编码", "单位名称", "类别", "别名"])
        _write_csv(data_dir / run_period.label / "考评办数据.csv", ["单位", *_office_metric_headers(scheme)])
        _write_csv(data_dir / str(run_period.year) / "records.csv", ["单位", "发布日期", "栏目", "标题", "应公开日期"])
        if GUIDE.is_file():
            shutil.copyfile(GUIDE, folder / GUIDE.name)
        (folder / "说明.txt").write_text(
            README.format(base=base_path.name, period=run_period.label, year=run_period.year), encoding="utf-8"
        )
    except OSError as exc:
        raise fail(f"无法在“{folder}”中创建文件:{exc.strerror}") from None
    echo(f"已生成起步文件:{folder}")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        echo(f"  {path.relative_to(folder)}")
    echo(f"下一步:进入 {folder},填写 data/ 中的单位名单和数据,然后运行 score check criteria/my_criteria.yaml"
         f" 和 score --period {run_period.label}")


def _office_metric_headers(scheme) -> list[str]:
    """Chinese names of the metrics the scheme reads from data files that units do not report
    themselves (those are on their forms: `score form`), in the order the criteria use them."""
    from scoring.scheme.usage import metrics_used

    derived = {m.id for m in scheme.metrics if m.derived}
    order = [m.id for m in scheme.metrics] + sorted(metrics_used(scheme))
    wanted = [m for m in dict.fromkeys(order) if m in metrics_used(scheme) - derived]
    return [scheme.metric_label(m)[0] for m in wanted if scheme.metric_sources(m) != ("unit",)]


def _write_csv(path: Path, header: list[str]) -> None:
    # UTF-8 with BOM so Excel on Windows shows the Chinese headers
    path.write_text(",".join(header) + "\n", encoding="utf-8-sig")
