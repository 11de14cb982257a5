"""scoring.background: work in a forked child, or here when the child gives no answer; the main
job scores its comparison and trend periods so, and writes its data files beside the workbook."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pytest

from scoring.background import Background, can_fork
from scoring.data.load import load_data
from scoring.engine import score
from scoring.result import NotExplained
from scoring.scheme.loader import load_scheme

PARENT = os.getpid()
forking = pytest.mark.skipif(not can_fork(), reason="needs Linux with fork and two CPUs")


def in_child() -> bool:
    return os.getpid() != PARENT


@forking
def test_the_answer_comes_from_a_child_process():
    with Background(os.getpid) as pending:
        assert pending.result() != PARENT


def test_without_fork_the_work_runs_here():
    with Background(os.getpid, fork=False) as pending:
        assert pending.result() == PARENT


@forking
def test_an_answer_bigger_than_a_pipe_buffer_arrives_whole():
    big = bytes(range(256)) * 40_000  # 10 MB
    with Background(lambda: big if in_child() else b"") as pending:
        assert pending.result() == big


@forking
def test_an_error_in_the_child_means_the_work_runs_here():
    def work() -> str:
        if in_child():
            raise ValueError("child")
        return "here"

    with Background(work) as pending:
        assert pending.result() == "here"


@forking
def test_an_error_here_is_the_one_the_caller_sees():
    def work() -> str:
        raise ValueError("数据有误")

    with Background(work) as pending, pytest.raises(ValueError, match="数据有误"):
        pending.result()


@forking
def test_a_child_that_dies_or_answers_what_cannot_be_sent_is_replaced_by_the_work_here():
    def dies() -> str:
        if in_child():
            os._exit(3)
        return "here"

    def unpicklable() -> object:
        return (lambda: 1) if in_child() else "here"

    for work in (dies, unpicklable):
        with Background(work) as pending:
            assert pending.result() == "here"


@forking
def test_the_child_prints_nothing(capfd):
    def work() -> int:
        print("from the child")
        os.write(2, b"child error output\n")
        return 1

    with Background(work) as pending:
        assert pending.result() == 1
    out, err = capfd.readouterr()
    assert "child" not in out and "child" not in err


@forking
def test_leaving_without_the_result_stops_the_child():
    start = time.perf_counter()
    with Background(lambda: time.sleep(60)) as pending:
        pid = pending._pid
    assert time.perf_counter() - start < 10
    with pytest.raises(ChildProcessError):  # reaped: no child of ours is left
        os.waitpid(pid, 0)


@forking
def test_an_error_here_while_the_child_works_stops_the_child():
    with pytest.raises(KeyError), Background(lambda: time.sleep(60)) as pending:
        pid = pending._pid
        raise KeyError("here")
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)


# ---- the main job: its comparison and trend periods scored, its data files written in a child ----

ROOT = Path(__file__).resolve().parents[1]


def test_a_result_and_a_summary_survive_pickling():
    scheme = load_scheme(ROOT / "criteria" / "gov_openness_2021.yaml")
    data = load_data(ROOT / "sample_inputs", "2021Q3", scheme, progress=False)
    full, summary = score(scheme, data, "2021Q3"), score(scheme, data, "2021Q3", explain=False)
    again, summary_again = pickle.loads(pickle.dumps(full)), pickle.loads(pickle.dumps(summary))
    for table in ("units", "details", "groups", "totals", "inputs", "metrics"):
        pd.testing.assert_frame_equal(getattr(again, table), getattr(full, table))
    assert (again.issues, again.log, again.scheme, again.period) == (full.issues, full.log, full.scheme, full.period)
    assert summary_again.summary and isinstance(summary_again.linked, MappingProxyType)
    pd.testing.assert_frame_equal(summary_again.totals, summary.totals)
    with pytest.raises(NotExplained):
        _ = summary_again.details


@forking
def test_the_main_job_gives_the_same_files_with_and_without_the_child(tmp_path, score_cli, monkeypatch):
    used = []
    original = Background.result

    def recorded(self):
        used.append(self._pid is not None)
        return original(self)

    monkeypatch.setattr(Background, "result", recorded)
    outputs = {}
    for fork in (True, False):
        monkeypatch.setattr("scoring.background.can_fork", lambda fork=fork: fork)
        out = tmp_path / str(fork)
        run = score_cli("--period", "2021Q4", "--input", ROOT / "sample_inputs", "--criteria",
                        ROOT / "criteria" / "gov_openness_2021.yaml", "--out", out, "--format", "json")
        assert run.code == 0, run.text
        assert "对比期间:2021Q3" in run.out
        document = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
        document.pop("generated_at")
        outputs[fork] = (document, next(out.glob("*.csv")).read_bytes())
    # the compared periods, the workbook's long tables (made here: the sample's workbook is
    # small), the data files beside the workbook
    assert used == [True, False, True, False, False, False]
    assert outputs[True] == outputs[False]
    assert outputs[True][0]["comparison"] and outputs[True][0]["previous_period"] == "2021Q3"


@forking
def test_the_child_ends_when_the_parent_is_killed(tmp_path):
    noted = tmp_path / "child.pid"
    script = (
        "import os, signal, time\n"
        "from scoring.background import Background\n"
        "def work():\n"
        f"    open({str(noted)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(60)\n"
        "with Background(work):\n"
        f"    while not os.path.exists({str(noted)!r}): time.sleep(0.01)\n"
        "    time.sleep(0.2)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    parent = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60)
    assert parent.returncode == -signal.SIGKILL
    child = int(noted.read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its reaper counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@forking
def test_a_compared_period_the_child_cannot_read_stops_the_run_with_its_message(tmp_path, score_cli, monkeypatch):
    import shutil

    forked = []
    original = Background._start
    monkeypatch.setattr(Background, "_start", lambda self: forked.append(True) or original(self))
    data = tmp_path / "data"
    shutil.copytree(ROOT / "sample_inputs", data)
    (data / "2021Q3" / "metrics.csv").write_bytes(b"PK\x03\x04" + bytes(60))  # a workbook named .csv
    run = score_cli("--period", "2021Q4", "--input", data, "--criteria", ROOT / "criteria" / "gov_openness_2021.yaml",
                    "--out", tmp_path / "out")
    assert forked  # the compared period was the child's to read
    assert run.code == 2 and "2021Q3" in run.err and "metrics.csv" in run.err, run.text
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@forking
def test_a_stop_arriving_while_the_process_forks_still_stops_it(tmp_path):
    """SIGTERM (or Ctrl-C) during the fork would run its handler inside the interpreter's
    at-fork callbacks, which only print an exception: the run went on and wrote its files.
    Here the signal comes from such a callback, as if it arrived at that instant."""
    script = (
        "import os, signal\n"
        "from scoring.background import Background\n"
        "class Stopped(BaseException):\n"
        "    pass\n"
        "def stop(signum, frame):\n"
        "    raise Stopped\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "sent = []\n"
        "def arrives():\n"
        "    if not sent:\n"
        "        sent.append(True)\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "os.register_at_fork(after_in_parent=arrives)\n"
        "try:\n"
        "    with Background(lambda: 1) as pending:\n"
        "        pending.result()\n"
        "    print('went on')\n"
        "except Stopped:\n"
        "    print('stopped')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.stdout.strip() == "stopped", run.stdout + run.stderr
    assert "Exception ignored" not in run.stderr
