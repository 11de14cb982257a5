"""Outputs under attack: unwritable places, odd paths, earlier results, runs killed while writing.

A run never leaves a broken output and never destroys an earlier one.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from scoring.report import output
from tests.conftest import write

pytestmark = pytest.mark.hostile

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("tiny_2021Q4.xlsx", "tiny_2021Q4.csv", "tiny_2021Q4.json")


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def temps(folder: Path, stem: str = "tiny_2021Q4") -> list[Path]:
    return sorted(folder.glob(f".{stem}.*.tmp.*"))


# ---- where the files go ------------------------------------------------------------------------------


def test_output_folder_below_a_regular_file(make_kit, score_cli):
    kit = make_kit()
    blocker = write(kit.root / "报告", "我是一个文件,不是文件夹")
    run = score_cli(*kit.job()[:-1], blocker / "2021Q4")
    assert run.code == 2 and f"无法在文件夹“{blocker / '2021Q4'}”中写入文件" in run.err
    assert "路径中有同名的文件而不是文件夹" in run.err
    assert blocker.read_text(encoding="utf-8") == "我是一个文件,不是文件夹"


def test_output_folder_that_is_a_regular_file(make_kit, score_cli):
    kit = make_kit()
    blocker = write(kit.root / "out", "x")
    run = score_cli(*kit.job())
    assert run.code == 2 and "已有同名的文件,不是文件夹" in run.err and str(blocker) in run.err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores folder permissions; covered by the regular-file cases above")
def test_read_only_output_folder(make_kit, score_cli):
    kit = make_kit()
    kit.out.mkdir()
    kit.out.chmod(0o555)
    try:
        run = score_cli(*kit.job())
    finally:
        kit.out.chmod(0o755)
    assert run.code == 2 and "没有写入权限" in run.err and listing(kit.out) == set()


def test_path_with_spaces_and_chinese(make_kit, score_cli):
    kit = make_kit()
    out = kit.root / "考评 结果" / "2021 第四季度"
    run = score_cli(*kit.job()[:-1], out)
    assert run.code == 0 and str(out / "tiny_2021Q4.xlsx") in run.out
    assert listing(out) == set(OUTPUTS)
    assert openpyxl.load_workbook(out / "tiny_2021Q4.xlsx").sheetnames[0] == "排名"


def test_existing_results_are_kept_and_the_new_ones_go_beside(make_kit, score_cli):
    kit = make_kit()
    assert score_cli(*kit.job()).code == 0
    before = {name: (kit.out / name).read_bytes() for name in OUTPUTS}
    run = score_cli(*kit.job())
    assert run.code == 0 and "同名工作簿已存在,未覆盖" in run.out and "tiny_2021Q4(2).xlsx" in run.out
    assert {name: (kit.out / name).read_bytes() for name in OUTPUTS} == before
    assert listing(kit.out) == set(OUTPUTS) | {"tiny_2021Q4(2).xlsx", "tiny_2021Q4(2).csv", "tiny_2021Q4(2).json"}
    again = score_cli(*kit.job("--overwrite"))
    assert again.code == 0 and "未覆盖" not in again.out
    assert len(listing(kit.out)) == 6  # replaced in place, no (3)


def test_a_folder_where_the_workbook_should_go(make_kit, score_cli):
    kit = make_kit()
    (kit.out / "tiny_2021Q4.xlsx").mkdir(parents=True)
    run = score_cli(*kit.job("--overwrite"))
    assert run.code == 2 and "tiny_2021Q4.xlsx" in run.err and "已有同名的文件夹" in run.err
    assert temps(kit.out) == [] and listing(kit.out) == {"tiny_2021Q4.xlsx"}  # no CSV/JSON without the workbook


def test_disk_full_while_writing_keeps_the_old_files(make_kit, score_cli, monkeypatch):
    kit = make_kit()
    assert score_cli(*kit.job()).code == 0
    before = {name: (kit.out / name).read_bytes() for name in OUTPUTS}

    def full(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "_flush_to_disk", full)
    run = score_cli(*kit.job("--overwrite"))
    assert run.code == 2 and "写入文件失败(磁盘空间不足),原有文件未改动" in run.err
    assert {name: (kit.out / name).read_bytes() for name in OUTPUTS} == before and temps(kit.out) == []


def test_ctrl_c_while_writing_keeps_the_old_files(make_kit, score_cli, monkeypatch):
    kit = make_kit()
    assert score_cli(*kit.job()).code == 0
    before = {name: (kit.out / name).read_bytes() for name in OUTPUTS}

    def interrupted(path: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "_flush_to_disk", interrupted)
    run = score_cli(*kit.job("--overwrite"))
    assert run.code == 130 and "已中断,未写出不完整的文件" in run.err
    assert {name: (kit.out / name).read_bytes() for name in OUTPUTS} == before and temps(kit.out) == []


# ---- temporary files of killed runs --------------------------------------------------------------


def test_stale_temp_files_of_dead_writers_are_removed(tmp_path):
    target = tmp_path / "tiny_2021Q4.xlsx"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = write(tmp_path / f".tiny_2021Q4.{int(dead.stdout)}.ab12cd34.tmp.xlsx", b"half a workbook")
        busy = write(tmp_path / f".tiny_2021Q4.{alive.pid}.ef56gh78.tmp.xlsx", b"being written")
        other = write(tmp_path / f".tiny_2021Q4(2).{int(dead.stdout)}.ab12cd34.tmp.xlsx", b"another name")
        notes = write(tmp_path / ".tiny_2021Q4.notes.txt", b"not ours")
        output.remove_stale_temps(target)
        assert not stale.exists()
        assert busy.exists() and other.exists() and notes.exists()
    finally:
        alive.kill()
        alive.wait()


def big_kit(root: Path, units: int = 1000, leaves: int = 10) -> list[str]:
    """Criteria and data large enough that writing the workbook takes a moment; returns the job."""
    metrics = "".join(f"  - {{id: m{j}, name: 指标{j}}}\n" for j in range(leaves))
    indicators = "".join(
        f"  - {{id: l{j}, points: 10, metric: m{j}, rule: {{type: linear, zero_at: 0, full_at: 100}}}}\n"
        for j in range(leaves)
    )
    write(root / "tiny.yaml", f"id: tiny\nname: 大\ntotal: {10 * leaves}\nmetrics:\n{metrics}indicators:\n{indicators}")
    write(root / "big" / "units.csv", "unit_id,name\n" + "".join(f"U{i},单位{i}\n" for i in range(units)))
    header = "unit_id," + ",".join(f"m{j}" for j in range(leaves)) + "\n"
    rows = "".join(f"U{i}," + ",".join(str((i * 7 + j) % 101) for j in range(leaves)) + "\n" for i in range(units))
    write(root / "big" / "2021Q4" / "metrics.csv", header + rows)
    return ["--period", "2021Q4", "--criteria", str(root / "tiny.yaml"), "--input", str(root / "big"),
            "--out", str(root / "out"), "--overwrite"]


def start_and_signal_while_writing(job: list[str], out: Path, sig: int) -> subprocess.CompletedProcess:
    """Run `python -m scoring` and send `sig` as soon as its temporary workbook appears."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "scoring", *job], cwd=out.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    try:
        while not temps(out):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the run ended before writing started (exit {proc.returncode}): {proc.stderr.read()}")
            time.sleep(0.001)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def previous_results(make_kit, score_cli) -> tuple[object, dict[str, bytes]]:
    kit = make_kit()
    assert score_cli(*kit.job()).code == 0
    return kit, {name: (kit.out / name).read_bytes() for name in OUTPUTS}


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX only")
def test_sigkill_while_writing_leaves_the_old_workbook_and_the_next_run_cleans_up(make_kit, score_cli):
    kit, before = previous_results(make_kit, score_cli)
    killed = start_and_signal_while_writing(big_kit(kit.root), kit.out, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    assert {name: (kit.out / name).read_bytes() for name in OUTPUTS} == before  # intact, not half-replaced
    assert listing(kit.out) - set(OUTPUTS) == {p.name for p in temps(kit.out)}  # no partial target file
    assert temps(kit.out)  # a killed process cannot clean up its temporary files ...
    assert score_cli(*kit.job("--overwrite")).code == 0
    assert temps(kit.out) == [] and listing(kit.out) == set(OUTPUTS)  # ... the next run does
    assert openpyxl.load_workbook(kit.workbook).sheetnames[0] == "排名"


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGTERM handling is tested on POSIX")
def test_sigterm_while_writing_cleans_up_like_ctrl_c(make_kit, score_cli):
    kit, before = previous_results(make_kit, score_cli)
    stopped = start_and_signal_while_writing(big_kit(kit.root), kit.out, signal.SIGTERM)
    assert stopped.returncode == 143 and "已中断,未写出不完整的文件" in stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert temps(kit.out) == [] and listing(kit.out) == set(OUTPUTS)
    assert {name: (kit.out / name).read_bytes() for name in OUTPUTS} == before
