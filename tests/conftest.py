"""Shared pytest set-up: the `hostile` marker and a one-line count of hostile cases in the summary.

Hostile tests feed the tool broken, malicious or absurd input (tests/test_hostile_*.py). CI output
ends with e.g. `hostile cases tried: 57 (passed 57)`; every parametrized case counts once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

# nodeid → "not run" / "passed" / "failed" / "skipped" for every selected hostile test (one run per process)
_hostile: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "hostile: broken, malicious or absurd input must get a clear message, never a crash"
    )
    config.addinivalue_line(  # the README's command runs them; `-m "not slow"` is the quick run
        "markers", "slow: takes seconds (a subprocess, a property search, the benchmark); left out by -m 'not slow'"
    )
    _hostile.clear()


def pytest_collection_finish(session: pytest.Session) -> None:
    for item in session.items:  # after -k / -m deselection
        if item.get_closest_marker("hostile") is not None:
            _hostile[item.nodeid] = "not run"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    state = _hostile.get(report.nodeid)
    if state is None or state == "failed":
        return
    if report.failed:
        _hostile[report.nodeid] = "failed"
    elif report.skipped:
        _hostile[report.nodeid] = "skipped"
    elif report.when == "call":
        _hostile[report.nodeid] = "passed"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    counts = Counter(_hostile.values())
    if not _hostile:
        return
    tried = counts["passed"] + counts["failed"]
    extra = "".join(f", {k} {counts[k]}" for k in ("failed", "skipped", "not run") if counts[k])
    terminalreporter.write_line(f"hostile cases tried: {tried} (passed {counts['passed']}{extra})")


# ---- helpers for the hostile tests ----------------------------------------------------------------

from tests.helpers import TINY_CRITERIA, TINY_UNITS  # noqa: E402  (shared with tests/test_cli.py)

TINY_HEADER = "unit,evaluation_score,proactive_items\n"
# hand-computed: 甲局 6 + 4 = 10, 乙局 3 + 2 = 5, 丙局 4.8 + 0 = 4.8
TINY_METRICS = TINY_HEADER + "甲局,100,150\n乙局,50,20\n丙局,80,5\n"


@dataclass
class CliRun:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class Kit:
    """A criteria file and an input folder for period 2021Q4, under a test's tmp_path."""

    root: Path
    criteria: Path
    data: Path
    out: Path

    @property
    def period_dir(self) -> Path:
        return self.data / "2021Q4"

    @property
    def workbook(self) -> Path:
        return self.out / "tiny_2021Q4.xlsx"

    def job(self, *extra: object) -> list[str]:
        return ["--period", "2021Q4", "--criteria", str(self.criteria), "--input", str(self.data),
                "--out", str(self.out), *[str(e) for e in extra]]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def make_kit(tmp_path: Path):
    """make_kit(metrics=..., units=..., name=...) → Kit; None leaves that file out."""

    def make(metrics: str | bytes | None = TINY_METRICS, units: str | bytes | None = TINY_UNITS,
             name: str = "metrics.csv", criteria: str = TINY_CRITERIA) -> Kit:
        kit = Kit(tmp_path, write(tmp_path / "tiny.yaml", criteria), tmp_path / "data", tmp_path / "out")
        kit.period_dir.mkdir(parents=True, exist_ok=True)
        if units is not None:
            write(kit.data / "units.csv", units)
        if metrics is not None:
            write(kit.period_dir / name, metrics)
        return kit

    return make


@pytest.fixture
def score_cli(capsys):
    """Run `score ...` in-process; never a traceback, never an internal error (exit 3)."""
    from scoring.cli import main

    def run(*args: object) -> CliRun:
        with pytest.raises(SystemExit) as info:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        result = CliRun(info.value.code, captured.out, captured.err)
        assert "Traceback" not in result.text, result.text
        assert result.code != 3 and "程序内部错误" not in result.text, result.text
        return result

    return run
