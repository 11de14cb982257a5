"""Run one scale's pipeline in this process, stage by stage, and print the timings as one JSON line.

    python -m bench.stages --input DIR --criteria FILE --period 2021Q4 --out DIR [--workbook]

The engine's named steps (`scoring.engine.STEPS`) are timed through its `timer` hook and summed
into derive (the derive step), rank (grades and ranks) and score (every other step). The
engine runs `--repeat` times and the fastest run counts. With `--workbook`, the workbook is
written once in the pipeline's order (for its memory), then `--pairs` times in turn with the
plain XlsxWriter baseline of the same cells (`bench.baseline`): the fastest of each, and the
median of the pairs' ratios.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

STAGE_OF_STEP = {"derive": "derive", "grades": "rank", "ranks": "rank"}  # any other step: "score"
WARM_UP_PAIRS = 1  # workbook/baseline pairs written before the timed ones


class Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


def peak_mb() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fastest(write: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = write()
        best = min(best, time.perf_counter() - start)
    return best, out


def run(args: argparse.Namespace) -> dict:
    clock = Clock()
    with clock.stage("import"):
        from scoring import engine
        from scoring.data.load import load_data
        from scoring.report.exports import write_csv, write_json
        from scoring.report.parquet_export import write_parquet
        from scoring.report.workbook import write_workbook
        from scoring.scheme.loader import load_scheme
    with clock.stage("criteria"):
        scheme = load_scheme(args.criteria)
    data, read_ratios = _read_and_bare_pyarrow(load_data, args, scheme, clock)
    result = _engine(engine, scheme, data, args.period, args.repeat, clock)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    notes: object = []
    if args.workbook:  # once in the pipeline's order, so its memory counts in the peak
        clock.seconds["workbook"], notes = fastest(lambda: write_workbook(result, out / "bench.xlsx"), 1)
    with clock.stage("csv"):
        write_csv(result, out / "bench.csv")
    if not args.no_json:
        with clock.stage("json"):
            write_json(result, out / "bench.json")
    with clock.stage("parquet"):
        parquet = write_parquet(result, out / "bench.xlsx")
    pipeline_peak = peak_mb()
    cells, baseline, ratios = 0, None, []
    if args.workbook:
        from bench.baseline import cell_count, record_cells

        recorded = record_cells(result, out / "recorded.xlsx")  # the cells the workbook holds; not timed
        cells = cell_count(recorded)
        workbook, baseline, ratios = _workbook_and_baseline(write_workbook, result, recorded, out, args.pairs)
        clock.seconds["workbook"] = min(clock.seconds["workbook"], workbook)
    return {
        "seconds": clock.seconds,
        "read_ratios": read_ratios,
        "baseline": baseline,
        "ratios": ratios,
        "peak_mb": pipeline_peak,
        "units": int(len(result.totals)),
        "leaves": len(scheme.leaves()),
        "detail_rows": int(len(result.details)),
        "values": int(len(data.values)),
        "records": int(len(data.records)),
        "issues": len(result.issues),
        "cells": cells,
        "notes": notes,
        "sizes": {**{p.suffix[1:]: p.stat().st_size for p in sorted(out.iterdir()) if p.stem == "bench"},
                  "parquet": sum(p.stat().st_size for p in parquet)},
    }


def _workbook_and_baseline(write_workbook, result, cells, out: Path, pairs: int) -> tuple[float, float, list[float]]:
    """The workbook and the plain XlsxWriter baseline written in turn, `pairs` times: the fastest
    of each, and each pair's ratio. A pair's two writes are seconds apart, so a slow spell of a
    shared machine mostly slows both; the median of the pairs' ratios is what is judged."""
    from bench.baseline import write_plain
    from scoring.collector import settled_heap

    def workbook() -> float:
        start = time.perf_counter()
        write_workbook(result, out / "bench.xlsx")
        return time.perf_counter() - start

    def baseline() -> float:
        start = time.perf_counter()
        with settled_heap():  # as the workbook writer does: the Result's objects stay out of GC scans
            write_plain(cells, out / "plain.xlsx")
        return time.perf_counter() - start

    for _ in range(WARM_UP_PAIRS if pairs > 1 else 0):  # untimed: the first pairs run slower while memory settles
        workbook(), baseline()
    workbooks, baselines = [], []
    for pair in range(pairs):  # which goes first alternates: neither always finds the other's garbage
        if pair % 2:
            baselines.append(baseline())
            workbooks.append(workbook())
        else:
            workbooks.append(workbook())
            baselines.append(baseline())
    return min(workbooks), min(baselines), [w / b for w, b in zip(workbooks, baselines)]


def _read_and_bare_pyarrow(load_data, args: argparse.Namespace, scheme, clock: Clock):
    """Our reading of the run's files and a bare `pyarrow.csv.read_csv` of the same CSV files
    (default options: every column, types inferred, all cores), in turn `--read-pairs` times:
    the fastest of each, and each pair's ratio (a slow spell of the machine slows both)."""
    import pyarrow.csv

    ours, bare, ratios = [], [], []
    _warm_file_cache(Path(args.input))
    data = None
    for _ in range(args.read_pairs):
        data = None  # one copy of the data alive at a time
        start = time.perf_counter()
        data = load_data(args.input, args.period, scheme, progress=False)
        ours.append(time.perf_counter() - start)
        files = [Path(args.input) / source for source in data.sources if source.lower().endswith(".csv")]
        start = time.perf_counter()
        for path in files:
            pyarrow.csv.read_csv(path)
        bare.append(time.perf_counter() - start)
        ratios.append(ours[-1] / bare[-1])
    clock.add("read", min(ours))
    clock.add("pyarrow_read", min(bare))
    return data, ratios


def _warm_file_cache(folder: Path) -> None:
    """Every input file read once, untimed: both readers then start from the OS's file cache.
    Otherwise the first (ours) may read from disk what the machine dropped while idle, and the
    bare read after it finds it cached (a 50M-record year: 4.5 GB)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as f:
                while f.read(1 << 24):
                    pass


def _engine(engine, scheme, data, period: str, repeat: int, clock: Clock):
    """The engine's call `repeat` times (as the workbook, the fastest counts), split into
    derive / score / rank by timing its named steps."""
    best: dict[str, float] = {}
    result = None
    for _ in range(repeat):
        timed = Clock()
        result = None  # one Result alive at a time: the peak memory stays that of a single run
        with timed.stage("engine"):
            result = engine.score(scheme, data, period,
                                  timer=lambda step, timed=timed: timed.stage(STAGE_OF_STEP.get(step, "score")))
        if not best or timed.seconds["engine"] < best["engine"]:
            best = dict(timed.seconds)
    for name, seconds in best.items():
        clock.add(name, seconds)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input", required=True)
    parser.add_argument("--criteria", required=True)
    parser.add_argument("--period", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--workbook", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="engine runs; the fastest counts")
    parser.add_argument("--pairs", type=int, default=1, help="workbook and baseline writes in turn")
    parser.add_argument("--no-json", action="store_true", help="skip the JSON (a nation's is gigabytes; Parquet instead)")
    parser.add_argument("--read-pairs", type=int, default=1, help="our reading and a bare pyarrow read in turn")
    print(json.dumps(run(parser.parse_args(argv)), ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
