"""Benchmark of the rank-stability analysis (`score --stability`) at province scale.

    .venv/bin/python -m bench.stability [--units 5000] [--draws 1000] [--quick]

Writes the province's synthetic input folder (bench.synth: 5,000 units in three classes, the
generated 60-leaf scheme with rank, relative, bands and linear leaves, about 1% of counts written
"600余"), declares a measurement error on the third-party scores (`sd: 2`) and on a few more
metrics (`relative: 0.05`: every unit's value of those varies), scores it once, then times
`stability(result, draws, weights=0.1)` in this process and reports its peak memory
(ru_maxrss). Target (issue 19): 1,000 draws in ≤ 10 s and ≤ 2 GB. The engine's own run is not
part of the time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scales import Scale  # noqa: E402
from bench.synth import generated_scheme, make_inputs  # noqa: E402

TARGET_SECONDS, TARGET_GB = 10.0, 2.0
KINDS = generated_scheme()[1]  # metric id → how bench.synth draws it ("score": a third-party score)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="40 units, 50 draws (the smoke test)")
    args = parser.parse_args(argv)
    units, draws = (40, 50) if args.quick else (args.units, args.draws)

    from scoring.data.load import load_periods
    from scoring.engine import score
    from scoring.scheme.loader import load_scheme
    from scoring.stability import stability

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inputs = make_inputs(Scale("province", units, 0, True, False, False, False), root)
        document = yaml.safe_load(inputs.criteria.read_text(encoding="utf-8"))
        declared = {m for m, kind in KINDS.items() if kind == "score"}
        for i, metric in enumerate(document.get("metrics", [])):
            if metric["id"] in declared:
                metric["uncertainty"] = {"sd": 2}
            elif i % 10 == 0 and not metric.get("records"):
                metric["uncertainty"] = {"relative": 0.05}
        criteria = root / "stability_criteria.yaml"
        criteria.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
        scheme = load_scheme(criteria)
        data = load_periods(inputs.folder, [inputs.period], scheme, progress=False)[0]
        result = score(scheme, data, inputs.period)
        start, cpu = time.perf_counter(), time.process_time()
        found = stability(result, draws=draws, seed=1, weights=0.1)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    leaves = result.details["kind"].astype(str).eq("indicator").sum() // max(len(result.totals), 1)
    print(f"稳定性分析 {len(result.totals)} 个单位 × {leaves} 个指标 × {draws} 次抽样:"
          f"{seconds:.2f} s(CPU {cpu:.2f} s),峰值内存 {peak_gb:.2f} GB;不确定的数值 {found.uncertain_values} 个,"
          f"相邻排名未确定 {found.unsettled} 对")
    if args.quick:
        return 0
    met = seconds <= TARGET_SECONDS and peak_gb <= TARGET_GB
    print(f"目标 ≤ {TARGET_SECONDS:.0f} s、≤ {TARGET_GB:.0f} GB:{'达到' if met else '未达到'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
