"""How the `score` executable ends: exit handlers run, a closed output pipe is not an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_with_closed_stdout(*args: str) -> subprocess.CompletedProcess:
    """`score … | head` once head has gone: the read end of stdout is closed before the first write."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "scoring", *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=300, cwd=ROOT)
    finally:
        os.close(write)


@pytest.mark.slow
def test_closed_pipe_ends_quietly_with_141_not_stricts_1() -> None:
    proc = run_with_closed_stdout("check", "criteria/gov_openness_2021.yaml")
    assert proc.returncode == 141  # 128 + SIGPIPE, as a shell reports `git log | head`
    assert proc.stderr == ""  # no traceback, no "Exception ignored", no 程序内部错误


@pytest.mark.slow
def test_closed_pipe_after_a_main_job_keeps_its_outputs(tmp_path: Path) -> None:
    proc = run_with_closed_stdout("--period", "2021Q4", "--out", str(tmp_path))
    assert proc.returncode == 141 and proc.stderr == ""
    assert (tmp_path / "gov-openness-2021_2021Q4.xlsx").is_file()  # written before the summary


def test_the_executable_runs_exit_handlers_before_skipping_teardown(tmp_path: Path) -> None:
    """entry() ends with os._exit (no teardown: a stated speed reason) but atexit handlers still run."""
    marker = tmp_path / "handler.txt"
    code = ("import atexit, sys\n"
            "from scoring.cli import entry\n"
            f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ran'))\n"
            "sys.argv = ['score', '--version']\n"
            "entry()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout.startswith("score ")
    assert marker.read_text() == "ran"
