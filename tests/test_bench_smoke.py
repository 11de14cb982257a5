"""bench/run.py at --quick sizes: it runs every scale and prints the table with every stage.

Nothing here asserts a time: the table's numbers are only checked to be there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import STAGES

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "bench" / "run.py"
DOCS = ROOT / "docs" / "benchmarks.md"


def bench(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUN), *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def cells(out: str, label: str) -> list[str]:
    """The row of the table starting with `label`, split into its per-scale cells."""
    line = next(line for line in out.splitlines() if line.startswith(label + "  "))
    return line[len(label):].split()


@pytest.mark.slow
def test_quick_run_prints_every_stage_for_every_scale(tmp_path):
    docs_before = DOCS.read_bytes() if DOCS.exists() else None
    run = bench("--quick", "--no-write-docs", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    assert cells(out, "stage") == ["city", "province", "province50m", "nation"]
    for label, _ in STAGES:
        row = cells(out, label)
        float(row[0])  # the city runs every stage
        if label in ("write workbook", "write JSON", "read data", "score"):
            float(row[1])
    for label in ("plain XlsxWriter, same cells", "workbook ÷ plain (median of pairs)", "pipeline peak memory",
                  "end to end: `score` command"):
        assert label in out
    for scale in range(3):  # the scales with records are read by us and by bare pyarrow, in pairs
        float(cells(out, "bare pyarrow read of the same CSV files")[scale])
    ratios = cells(out, "reading ÷ bare pyarrow (median of pairs)")  # "5.79 ×" is two cells here
    assert ratios[1:6:2] == ["×"] * 3 and all(float(r) > 0 for r in ratios[0:6:2])
    assert cells(out, "write workbook")[3] == "—"  # the nation writes no workbook
    targets = out.split("Targets (not judged at --quick sizes):", 1)[1].strip().splitlines()
    assert [t.split(None, 1)[1].split(" ≤")[0] for t in targets] == [
        "city end to end (`score` command)", "`score --help`", "province end to end (`score` command)",
        "province with 20,000 records end to end (`score` command)", "province: reading", "province50m: reading",
        "province engine (40 units × 60 leaves, derived from 8,000 records): derive, score, rank",
        "nation scoring (derive, score, rank)", "nation results written (ranking CSV and `--format parquet`)",
        "province workbook"]
    assert (DOCS.read_bytes() if DOCS.exists() else None) == docs_before
    assert "province: score --period 2021Q4 end to end" in run.stderr  # progress on the terminal


def test_unknown_scale_is_refused_before_any_work(tmp_path):
    run = bench("--scales", "city,moon", "--no-write-docs", cwd=tmp_path)
    assert run.returncode == 2
    assert "unknown scale(s): moon" in run.stderr
    assert "writing" not in run.stderr


def test_the_plain_baseline_holds_every_cell_the_workbook_holds(tmp_path):
    """bench/baseline.py records the cells the workbook writer writes, cell by cell or a
    column at a time: exactly the non-empty cells of the file it writes."""
    import openpyxl
    import report_fixtures as fx

    from bench.baseline import record_cells

    recorded = record_cells(fx.make_result(), tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    for ws in book.worksheets:
        in_file = {(c.row - 1, c.column - 1): c.value for row in ws.iter_rows() for c in row if c.value is not None}
        sheet = recorded.get(ws.title)
        noted = {} if sheet is None else {(r, c): v for r, c, v in (*sheet.strings, *sheet.numbers)}
        assert noted == in_file, ws.title
    assert sum(len(s.strings) + len(s.numbers) for s in recorded.values()) > 600
