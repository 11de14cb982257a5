"""Data issues: problems in the input that do not stop a run but must be seen.

They travel as a structured list to the terminal summary, the workbook's 数据问题 sheet and the
JSON output. With `--strict`, any issue of severity `error` or `warning` ends the run with exit
code 1 (`info` issues never do).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class DataIssue:
    severity: Severity
    message: str  # Chinese, says what was found and what was expected / what was done
    file: str | None = None
    row: int | None = None  # 1-based row as the user sees it in Excel / a text editor
    column: str | None = None
    unit: str | None = None
    metric: str | None = None

    @property
    def severity_name(self) -> str:
        return SEVERITY_NAMES[self.severity]

    def to_dict(self) -> dict:
        return asdict(self)
