"""Where a command's criteria, data and outputs are: the options given, else the office folder's
score.toml (found in the current folder or a parent). Without either the command stops: it
never falls back to the bundled sample, and never writes into the folder the tool is installed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scoring.errors import ScoringError
from scoring.office import CONFIG_NAME, Office, find_office

if TYPE_CHECKING:
    from scoring.appeals import Adjustment
    from scoring.data.model import AgencyData
    from scoring.periods import Period
    from scoring.result import Result

BUNDLED_CRITERIA = Path("criteria") / "gov_openness_2021.yaml"


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def bundled_criteria() -> Path:
    """The bundled criteria file `score init` copies into a new office folder."""
    return project_root() / BUNDLED_CRITERIA


@dataclass(frozen=True)
class RunPaths:
    criteria: Path
    data: Path
    units: Path | None  # an explicit units file (score.toml's `units`), else the data folder's own
    outputs: Path  # the folder each period's outputs go under
    office: Office | None

    @property
    def office_name(self) -> str:
        return self.office.name if self.office else ""


def run_paths(criteria: Path | None, data: Path | None, needs_data: bool = True) -> RunPaths:
    """Options win; what they leave out comes from score.toml. Raises NoOffice without either."""
    office = find_office()
    if office is None:
        wanted = (("--criteria 准则文件", criteria), ("--input 数据文件夹", data)) if needs_data \
            else (("准则文件", criteria),)
        missing = [option for option, given in wanted if given is None]
        if missing:
            raise NoOffice(missing)
        return RunPaths(criteria, data or Path.cwd(), None, Path.cwd() / "outputs", None)  # type: ignore[arg-type]
    return RunPaths(
        criteria=criteria or office.criteria,
        data=data or office.data,
        units=office.units if data is None else None,  # another data folder brings its own units file
        outputs=office.outputs,
        office=office,
    )


class NoOffice(ScoringError):
    """No score.toml and not enough options: say how to start (exit 2, as any user error)."""

    def __init__(self, missing: list[str]):
        super().__init__(
            f"当前文件夹({Path.cwd()})及其上级文件夹中没有考评配置文件 {CONFIG_NAME}。\n"
            "  新建一个考评文件夹:score init 考评文件夹名 --name 本单位名称,然后进入该文件夹运行 score --period 2021Q4;\n"
            f"  或者直接指定{'和'.join(missing)}(见 docs/使用说明.md)。"
        )


def scored_period(paths: RunPaths, period: "Period",
                  progress: bool = True) -> tuple["AgencyData", "Result", list["Adjustment"]]:
    """One period read and scored with its 复核调整 applied (explain, feedback)."""
    from scoring.appeals import score_adjusted
    from scoring.data.load import load_data
    from scoring.scheme.loader import load_scheme

    scheme = load_scheme(paths.criteria)
    data = load_data(paths.data, period, scheme, progress=progress, units=paths.units)
    return (data, *score_adjusted(scheme, data, period, paths.data))
