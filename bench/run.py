"""Benchmark: synthetic data at three scales, the time of each stage, peak memory, the targets.

    .venv/bin/python bench/run.py [--scales city,province,nation] [--quick] [--no-write-docs]

For each scale it writes a synthetic input folder into a temporary directory (deterministic
seeds; removed afterwards), runs the pipeline stage by stage in a child process
(`bench.stages`), writes the same cells with plain XlsxWriter in another (`bench.baseline`)
and, for city and province, runs the `score` command end to end as a user would. Peak memory
is each child's ru_maxrss. The table goes to the terminal and to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `bench` is a package of the repository
    sys.path.insert(0, str(ROOT))

from bench.report import Measured, Run, render_markdown, render_terminal  # noqa: E402
from bench.scales import QUICK, SCALES, Scale  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
BIG_RECORDS = 10_000_000  # beyond this a scale is read and run end to end once (about a minute each)
BYTECODE = ""  # PYTHONPYCACHEPREFIX for the children, set by compile_bytecode


def run_child(command: list[str], cwd: Path = ROOT) -> Run:
    """Run `command`; its own peak memory comes from wait4's rusage (ru_maxrss, KiB on Linux)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=_child_env())
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, process.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    if BYTECODE:  # bytecode cached as an installed tool has it after its first run
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = BYTECODE
    return env


def compile_bytecode(folder: Path) -> None:
    """Compile the project into `folder` (outside the repository) for the children to use;
    some environments turn bytecode caching off, which no user's installation does."""
    global BYTECODE
    BYTECODE = str(folder)
    _check(run_child([sys.executable, "-m", "compileall", "-q", str(ROOT / "scoring"), str(ROOT / "bench")]),
           "compileall")
    warm = "import pandas, numpy, pydantic, xlsxwriter, yaml, typer, scoring.cli, scoring.engine, scoring.report.exports"
    _check(run_child([sys.executable, "-c", warm]), "importing the libraries")


def score_command() -> list[str]:
    script = Path(sys.executable).with_name("score")
    return [str(script)] if script.exists() else [sys.executable, "-m", "scoring"]


def progress(text: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


@dataclass
class Plan:
    quick: bool
    repeat: int  # runs of the engine; the fastest counts
    pairs: int  # workbook and baseline written in turn; the fastest of each counts
    cli_runs: int  # end-to-end runs of the city; the median counts
    big_cli_runs: int  # end-to-end runs of the province (each about 15 s); the median counts
    help_runs: int
    keep: Path | None = None  # where synthetic inputs are kept between runs
    results: dict[str, Measured] = field(default_factory=dict)


def synthetic_inputs(scale: Scale, root: Path, plan: Plan, keep: Path | None) -> tuple[dict, float | None]:
    """The scale's inputs (bench.synth) and the seconds writing them took; with `keep`, written
    there once and reused by later runs (the same seeds give the same bytes)."""
    folder = keep or root
    done = folder / f"{scale.name}{'_quick' if plan.quick else ''}.inputs.json"
    if keep and done.exists():
        progress(f"{scale.name}: reusing the inputs in {folder}")
        return json.loads(done.read_text(encoding="utf-8")), None
    progress(f"{scale.name}: writing {scale.units:,} units and {scale.records:,} publication records")
    made = run_child([sys.executable, "-m", "bench.synth", scale.name, str(folder), *(["--quick"] if plan.quick else [])])
    _check(made, "bench.synth")
    inputs = json.loads(made.stdout.strip().splitlines()[-1])
    if keep:
        done.write_text(json.dumps(inputs), encoding="utf-8")
    return inputs, made.seconds


def measure(scale: Scale, root: Path, plan: Plan) -> Measured:
    inputs, generated = synthetic_inputs(scale, root, plan, plan.keep)
    measured = Measured(scale, inputs["records"], generated_seconds=generated)
    out = root / f"{scale.name}_out"
    progress(f"{scale.name}: running the stages")
    stages = run_child([sys.executable, "-m", "bench.stages", "--input", inputs["folder"], "--criteria",
                        inputs["criteria"], "--period", inputs["period"], "--out", str(out),
                        "--repeat", str(1 if scale.records > BIG_RECORDS else plan.repeat), "--pairs", str(plan.pairs),
                        "--read-pairs", str(1 if plan.quick or scale.records > BIG_RECORDS else 3),
                        *(["--workbook"] if scale.workbook else []),
                        *(["--no-json"] if not scale.records and not plan.quick else [])])
    _check(stages, "bench.stages")
    measured.stages = json.loads(stages.stdout.strip().splitlines()[-1])
    measured.stages_peak_mb = stages.peak_mb
    measured.baseline_seconds = measured.stages.get("baseline")
    if scale.records > BIG_RECORDS and importlib.util.find_spec("duckdb") is not None:
        progress(f"{scale.name}: the 10⁹-record layout (Parquet by month) and DuckDB, measured on this year")
        scale_out = run_child([sys.executable, "-m", "bench.scale_out", str(Path(inputs["folder"]) / "2021"),
                               str(Path(inputs["folder"]) / "units.csv"), str(root / f"{scale.name}_parquet")])
        _check(scale_out, "bench.scale_out")
        measured.scale_out = json.loads(scale_out.stdout.strip().splitlines()[-1])
    if scale.cli:
        runs = plan.cli_runs if scale.name == "city" else 1 if scale.records > BIG_RECORDS else plan.big_cli_runs
        progress(f"{scale.name}: score --period {inputs['period']} end to end ({runs} run{'s' if runs > 1 else ''})")
        if runs > 1:  # one untimed run first: reads back what the OS dropped from its file cache while idle
            _end_to_end(inputs, root / f"{scale.name}_cli")
        measured.cli = [_end_to_end(inputs, root / f"{scale.name}_cli") for _ in range(runs)]
    return measured


def _end_to_end(inputs: dict, out: Path) -> Run:
    run = run_child([*score_command(), "--period", inputs["period"], "--input", inputs["folder"], "--criteria",
                     inputs["criteria"], "--out", str(out), "--overwrite"])
    _check(run, "score")
    return run


def _check(run: Run, what: str) -> None:
    if run.code != 0:
        raise SystemExit(f"{what} failed (exit {run.code}):\n{run.stderr[-3000:]}")


def help_seconds(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        run = run_child([*score_command(), "--help"])
        _check(run, "score --help")
        times.append(run.seconds)
    return times


def machine() -> dict[str, str]:
    """What the numbers were measured on (read from /proc where there is one)."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = next((line.split()[1] for line in meminfo.read_text().splitlines() if line.startswith("MemTotal")), "")
        memory = f"{int(total) / 2**20:.1f} GiB" if total else ""
    return {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "system": platform.platform(),
        "python": platform.python_version(),
        "libraries": ", ".join(f"{name} {version(name)}" for name in ("numpy", "pandas", "XlsxWriter")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default=",".join(SCALES), help=f"comma-separated: {', '.join(SCALES)}")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (the smoke test); targets are not judged")
    parser.add_argument("--no-write-docs", action="store_true", help="print the table only")
    parser.add_argument("--keep-inputs", type=Path, help="write the synthetic inputs to this folder once and reuse "
                                                         "them in later runs (the 50M year takes minutes to write)")
    args = parser.parse_args(argv)
    table = QUICK if args.quick else SCALES
    names = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [n for n in names if n not in table]
    if unknown:
        parser.error(f"unknown scale(s): {', '.join(unknown)}; choose from {', '.join(table)}")
    plan = Plan(args.quick, repeat=1 if args.quick else 3, pairs=1 if args.quick else 3,
                cli_runs=1 if args.quick else 5,
                big_cli_runs=1 if args.quick else 3,
                help_runs=2 if args.quick else 5, keep=args.keep_inputs)
    if plan.keep:
        plan.keep.mkdir(parents=True, exist_ok=True)
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as tmp:
        compile_bytecode(Path(tmp) / "bytecode")
        for name in names:
            plan.results[name] = measure(table[name], Path(tmp), plan)
        progress("score --help")
        helps = help_seconds(plan.help_runs)
    info = machine()
    info["load"] = (f"1-minute load average {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
                    f"({os.cpu_count()} cores)")
    print(render_terminal(plan.results, helps, info, judged=not args.quick))
    if not args.no_write_docs:
        DOCS.write_text(render_markdown(plan.results, helps, info, judged=not args.quick), encoding="utf-8")
        progress(f"wrote {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
