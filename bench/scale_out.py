"""The layout and engine proposed for a national platform's 10⁹ records, measured on a smaller
year: its monthly record CSVs converted once to month-partitioned Parquet (unit as the units
file's integer position, dates as date32, category dictionary-encoded, titles left out), then
one quarter's record measures (count, months with updates, longest gap, days since the last
item) computed by DuckDB over those files. Prints one JSON line: seconds and bytes of each.

    python -m bench.scale_out RECORDS_FOLDER UNITS_CSV OUT_FOLDER [--period 2021Q4]

Needs DuckDB (`pip install -e '.[bench]'`); the tool itself does not use it. The records
measures here are written in SQL for the measurement only; the tool's own are
scoring/data/records.py (MEASURES).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from scoring.periods import Period

QUARTER_SQL = """
WITH q AS (
    SELECT unit, date FROM read_parquet('{files}', hive_partitioning = true)
    WHERE date BETWEEN DATE '{start}' AND DATE '{end}'
), days AS (SELECT DISTINCT unit, date FROM q),
gaps AS (
    SELECT unit, date, date - lag(date, 1, DATE '{start}') OVER (PARTITION BY unit ORDER BY date) AS before
    FROM days
)
SELECT c.unit, c.items, c.months, g.longest, g.last_day
FROM (SELECT unit, count(*) AS items, count(DISTINCT month(date)) AS months FROM q GROUP BY unit) c
JOIN (SELECT unit, max(before) AS longest, max(date) AS last_day FROM gaps GROUP BY unit) g USING (unit)
"""


def convert(records: Path, units_csv: Path, out: Path) -> dict:
    """Each CSV → out/month=MM/part.parquet; seconds, rows, bytes in and out."""
    units = pacsv.read_csv(units_csv).column(0).cast(pa.string())
    start, rows, size_in = time.perf_counter(), 0, 0
    for path in sorted(records.glob("*.csv")):
        size_in += path.stat().st_size
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            include_columns=["单位编码", "发布日期", "栏目"], column_types={"发布日期": pa.string()}))
        date = pc.cast(pc.strptime(table.column("发布日期"), format="%Y-%m-%d", unit="s", error_is_null=True),
                       pa.date32())
        part = pa.table({"unit": pc.index_in(table.column("单位编码"), value_set=units).cast(pa.int32()),
                         "date": date, "category": pc.dictionary_encode(table.column("栏目"))})
        month = out / f"month={path.stem[-2:]}"
        month.mkdir(parents=True, exist_ok=True)
        pq.write_table(part, month / "part.parquet", compression="zstd")
        rows += part.num_rows
    size_out = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    return {"seconds": time.perf_counter() - start, "rows": rows, "csv_bytes": size_in, "parquet_bytes": size_out}


def quarter(out: Path, period: Period) -> dict:
    import duckdb

    start = time.perf_counter()
    result = duckdb.sql(QUARTER_SQL.format(files=out / "*" / "*.parquet", start=period.start, end=period.end)).fetchnumpy()
    return {"seconds": time.perf_counter() - start, "units": len(result["unit"]), "items": int(result["items"].sum())}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records", type=Path)
    parser.add_argument("units", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--period", default="2021Q4")
    args = parser.parse_args(argv)
    converted = convert(args.records, args.units, args.out)
    measured = quarter(args.out, Period.parse(args.period))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"convert": converted, "duckdb_quarter": measured, "peak_bytes": peak}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
