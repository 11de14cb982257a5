"""The one all-or-none writer: names claimed atomically, inputs never overwritten, every command's
outputs landing together."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from scoring.cli import main
from scoring.errors import OutputError
from scoring.report import output
from scoring.report.output import atomic_write_all

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def writer(text: str):
    return lambda tmp: Path(tmp).write_text(text, encoding="utf-8")


def test_a_name_taken_while_writing_moves_the_run_to_the_next_number(tmp_path: Path, monkeypatch) -> None:
    """Issue 15 item 11: two runs at once, no --overwrite. Run B looks (nothing there), run A
    lands x.xlsx/x.csv while B writes; B must not replace them but take x(2)."""
    targets = [tmp_path / "x.xlsx", tmp_path / "x.csv"]

    def slow_b(tmp: Path) -> None:  # B's first file; A finishes in the meantime
        atomic_write_all([(t, writer("A")) for t in targets], overwrite=False)
        Path(tmp).write_text("B", encoding="utf-8")

    written, renamed = atomic_write_all([(targets[0], slow_b), (targets[1], writer("B"))], overwrite=False)
    assert renamed and [p.name for p in written] == ["x(2).xlsx", "x(2).csv"]
    assert [t.read_text(encoding="utf-8") for t in targets] == ["A", "A"]
    assert [p.read_text(encoding="utf-8") for p in written] == ["B", "B"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x(2).csv", "x(2).xlsx", "x.csv", "x.xlsx"]


def test_a_name_claimed_between_looking_and_claiming_is_skipped(tmp_path: Path, monkeypatch) -> None:
    """The race at its narrowest: another run creates x.csv right after this one chose x.*."""
    real = output.choose_paths

    def choose_then_lose(paths, overwrite):
        chosen = real(paths, overwrite)
        if not (tmp_path / "x.csv").exists():
            (tmp_path / "x.csv").write_text("other run", encoding="utf-8")
        return chosen

    monkeypatch.setattr(output, "choose_paths", choose_then_lose)
    written, renamed = atomic_write_all([(tmp_path / "x.xlsx", writer("1")), (tmp_path / "x.csv", writer("2"))],
                                        overwrite=False)
    assert renamed and [p.name for p in written] == ["x(2).xlsx", "x(2).csv"]
    assert (tmp_path / "x.csv").read_text(encoding="utf-8") == "other run"
    assert not (tmp_path / "x.xlsx").exists()  # its claim was given back


def test_concurrent_runs_each_keep_their_own_files(tmp_path: Path) -> None:
    barrier = threading.Barrier(4)
    results: list[list[Path]] = []

    def run(n: int) -> None:
        def write(tmp: Path) -> None:
            barrier.wait(timeout=30)  # all four have looked and found nothing before any lands
            Path(tmp).write_text(str(n), encoding="utf-8")

        results.append(atomic_write_all([(tmp_path / "r.xlsx", write), (tmp_path / "r.json", writer(str(n)))],
                                        overwrite=False)[0])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 4 and len({p[0] for p in results}) == 4
    for xlsx, json in results:  # each run's two files carry the same number and the same run's text
        assert xlsx.stem == json.stem and xlsx.read_text(encoding="utf-8") == json.read_text(encoding="utf-8")


def test_without_numbering_a_taken_name_is_refused_and_nothing_lands(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text("old", encoding="utf-8")
    with pytest.raises(OutputError, match="输出文件已存在"):
        atomic_write_all([(tmp_path / "a.csv", writer("new")), (tmp_path / "b.csv", writer("new"))],
                         overwrite=False, numbered=False)
    assert [p.name for p in tmp_path.iterdir()] == ["b.csv"] and (tmp_path / "b.csv").read_text() == "old"


def test_overwrite_never_replaces_an_input(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text("unit_id,name\nA,甲局\n", encoding="utf-8")
    with pytest.raises(OutputError, match="是同一个文件,不会覆盖输入") as info:
        atomic_write_all([(tmp_path / "." / "units.csv", writer("x"))], inputs=[units])
    assert info.value.location.file == str(tmp_path / "." / "units.csv")
    assert units.read_text(encoding="utf-8") == "unit_id,name\nA,甲局\n"


def test_interrupted_placement_removes_every_claimed_name(tmp_path: Path, monkeypatch) -> None:
    real = output.os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_all([(tmp_path / "r.xlsx", writer("1")), (tmp_path / "r.csv", writer("2"))], overwrite=False)
    assert list(tmp_path.iterdir()) == []


# ---- score extract: all or none, never over its --units file --------------------------------------

def extract(out: Path, units: Path, *extra: object, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in ["extract", REPORTS / "2021", "--period", "2021", "--units", units, "--out", out, *extra]])
    captured = capsys.readouterr()
    return info.value.code, captured.out + captured.err


@pytest.mark.hostile
def test_extract_out_into_the_units_folder_with_overwrite_keeps_the_units_file(tmp_path: Path, capsys) -> None:
    """Issue 15 item 12: `--out <folder of --units> --overwrite` rewrote the units file itself."""
    units = tmp_path / "units.csv"
    shutil.copy(REPORTS / "units.csv", units)
    before = units.read_bytes()
    code, text = extract(tmp_path, units, "--overwrite", capsys=capsys)
    assert code == 2 and "不会覆盖输入" in text and str(units) in text
    assert units.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]  # nothing else landed either


def test_extract_outputs_land_all_or_none(tmp_path: Path, capsys, monkeypatch) -> None:
    from scoring.extract import review

    def broken(extraction, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(review, "write_review", broken)
    code, text = extract(tmp_path / "out", REPORTS / "units.csv", capsys=capsys)
    assert code == 2 and "磁盘空间不足" in text
    assert not any(p.is_file() for p in (tmp_path / "out").rglob("*"))  # no units.csv or metrics.csv alone
