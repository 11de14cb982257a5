"""The office folder: `score.toml` and the paths it names.

An office keeps its year's work in one folder (made by `score init`): the criteria, the data
units send in, the outputs. `score.toml` at its top names them; `score` finds it in the current
folder or the nearest parent (as git and ruff find theirs) and resolves every path in it against
the folder it sits in, so the office may run `score` from any subfolder.

    name = "临江市政务公开办公室"          # the office's name, for titles
    criteria = "criteria/my_criteria.yaml"
    data = "data"
    outputs = "outputs"
    units = "data/units.csv"            # optional: else units.csv at the top of `data`
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scoring.errors import Location, ScoringError

CONFIG_NAME = "score.toml"
REQUIRED = ("name", "criteria", "data")
OPTIONAL = {"outputs": "outputs", "units": None}
KEY_MEANINGS = {
    "name": "办公室名称(用于标题)", "criteria": "准则文件", "data": "数据文件夹",
    "outputs": "输出文件夹", "units": "单位名单文件",
}


class OfficeError(ScoringError):
    """A score.toml that cannot be used."""


@dataclass(frozen=True)
class Office:
    """An office folder. Paths are absolute, resolved against the folder of score.toml."""

    root: Path
    config: Path
    name: str
    criteria: Path
    data: Path
    outputs: Path
    units: Path | None  # None: the units file at the top of `data`

    def output_dir(self, period_label: str) -> Path:
        return self.outputs / period_label


def find_config(start: Path | None = None) -> Path | None:
    """score.toml in `start` (default: the current folder) or its nearest parent that has one."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def find_office(start: Path | None = None) -> Office | None:
    config = find_config(start)
    return load_office(config) if config else None


def load_office(config: Path) -> Office:
    """Read and check score.toml; raises OfficeError naming the file and key."""
    import tomllib  # only when a command runs: `score --help` stays fast

    where = str(config)
    try:
        settings = tomllib.loads(config.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise OfficeError("配置文件不是 UTF-8 编码,请用记事本另存为 UTF-8", Location(file=where)) from None
    except tomllib.TOMLDecodeError as exc:
        raise OfficeError(f"配置文件格式有误({exc}),每行应写作 键 = \"值\"", Location(file=where)) from None
    except OSError as exc:
        raise OfficeError(f"无法读取配置文件:{exc.strerror}", Location(file=where)) from None
    for key, value in settings.items():
        if key not in KEY_MEANINGS:
            known = "、".join(KEY_MEANINGS)
            raise OfficeError(f"未知的键“{key}”,可用的键:{known}", Location(file=where, key=key))
        if not isinstance(value, str) or not value.strip():
            raise OfficeError(f"“{key}”({KEY_MEANINGS[key]})应为一段非空文字,用英文双引号括起来",
                              Location(file=where, key=key))
    for key in REQUIRED:
        if key not in settings:
            raise OfficeError(f"缺少“{key}”({KEY_MEANINGS[key]}),例如 {key} = \"…\"", Location(file=where, key=key))
    root = config.resolve().parent
    values = {**OPTIONAL, **settings}
    units = values["units"]
    return Office(
        root=root,
        config=config.resolve(),
        name=settings["name"].strip(),
        criteria=root / settings["criteria"],
        data=root / settings["data"],
        outputs=root / values["outputs"],
        units=root / units if units else None,
    )


def config_text(name: str, criteria: str, data: str, outputs: str = "outputs", units: str | None = None) -> str:
    """score.toml as `score init` writes it, with a Chinese comment on every key."""
    lines = [
        "# 政务公开考评配置文件。在本文件夹或其子文件夹中运行 score 时自动读取;",
        "# 路径均相对于本文件所在的文件夹。",
        f'name = "{_escaped(name)}"          # 办公室名称,用于工作簿和反馈表的标题',
        f'criteria = "{_escaped(criteria)}"  # 考评准则文件',
        f'data = "{_escaped(data)}"          # 数据文件夹:每期一个子文件夹,如 data/2021Q4/',
        f'outputs = "{_escaped(outputs)}"    # 输出文件夹:每期一个子文件夹',
    ]
    if units:
        lines.append(f'units = "{_escaped(units)}"   # 单位名单文件')
    else:
        lines.append(f'# units = "{_escaped(data)}/units.csv"   # 单位名单文件(默认为数据文件夹中的 units.csv)')
    return "\n".join(lines) + "\n"


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
