"""The result as Parquet files (`score --format parquet`): typed, columnar, for other systems.

A nation's JSON is gigabytes that few programs will load; the same tables as Parquet are a
small fraction of that, written in seconds, and read back in a second by pandas, DuckDB, Spark,
R's arrow or Power BI. The tables are those of the JSON (`result_tables`: totals, groups,
items, details, inputs, log, comparison) plus `issues`, one file each beside the workbook:
`<name>_<table>.parquet`. Every file carries the run's identity (tool, scheme, period, time,
as in the JSON's head) as JSON in its key-value metadata under `scoring`.

Repeated texts (unit ids, item ids, statuses) are stored dictionary-encoded; numbers keep the
engine's full precision, as in the JSON (the workbook and CSV show them rounded).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scoring.issues import DataIssue
from scoring.report.exports import result_tables, run_header
from scoring.result import Result
from scoring.rules.base import factorize_objects

METADATA_KEY = b"scoring"
ENCODERS = 2  # tables encoded at once (threads)
# Rows handed to the Parquet encoder at a time (Arrow's default: 1,024). Each batch of a
# dictionary-encoded column costs a pass over its dictionary for the min/max statistics: a
# nation's explanations took 0.8 s to write in batches of 1,024 and take 0.5 s in these.
WRITE_BATCH_ROWS = 16_384


def parquet_tables(result: Result, previous: Result | None = None, stability=None) -> dict[str, pd.DataFrame]:
    """Table name → frame, in the order the files are listed (`stability`: a Stability)."""
    return {**result_tables(result, previous, stability), "issues": issues_table(result.issues)}


def issues_table(issues: Sequence[DataIssue]) -> pd.DataFrame:
    """A row per issue, its fields and severity_name, built column by column (a nation's
    data has tens of thousands of issues; `dataclasses.asdict` costs 20 µs each)."""
    names = [f.name for f in fields(DataIssue)]
    columns = {name: [getattr(issue, name) for issue in issues] for name in names}
    columns["severity_name"] = [issue.severity_name for issue in issues]
    return pd.DataFrame(columns, columns=[*names, "severity_name"])


def parquet_paths(base: Path, names: list[str]) -> list[Path]:
    """`x.xlsx` → x_totals.parquet, x_details.parquet …"""
    return [base.with_name(f"{base.stem}_{name}.parquet") for name in names]


def parquet_writers(tables: dict[str, pd.DataFrame], header: dict, start: bool = True) -> list[Callable[[Path], None]]:
    """A writer per table, in the tables' order. Every table starts converting and encoding
    into memory at once, ENCODERS at a time in threads, largest first: Arrow and the Parquet
    encoder release the GIL, so a nation's details and inputs (6.6 and 6.7 million rows) are
    encoded side by side, and in `score` while the workbook is written. A writer waits for its
    table's bytes and puts them into the temporary file it is given; the files are still
    renamed into place together (`atomic_write_all`). With `start=False` the encoding starts
    when the first writer is called, in the process that calls it (a forked child, which
    must not inherit running threads)."""
    metadata = json.dumps(header, ensure_ascii=False).encode()
    encoded: dict[str, Future] = {}

    def begin() -> None:
        if encoded:
            return
        pool = ThreadPoolExecutor(ENCODERS, thread_name_prefix="parquet")
        for name in sorted(tables, key=lambda name: -tables[name].size):
            encoded[name] = pool.submit(_encoded, tables[name], metadata)
        pool.shutdown(wait=False)  # the queued tables still run; the threads end with the last

    if start:
        begin()
    return [_file_writer(lambda name=name: begin() or encoded[name]) for name in tables]


def _encoded(frame: pd.DataFrame, metadata: bytes) -> pa.Buffer:
    table = arrow_table(frame)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), METADATA_KEY: metadata})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_batch_size=WRITE_BATCH_ROWS)
    return sink.getvalue()


def _file_writer(encoded: Callable[[], Future]) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as out:
            out.write(encoded().result())  # re-raises what went wrong while encoding

    return write


def write_parquet(result: Result, base: Path, previous: Result | None = None) -> list[Path]:
    """Every table's file beside `base` (atomically, all or none); the paths written."""
    from scoring.report.output import atomic_write_all

    tables = parquet_tables(result, previous)
    paths = parquet_paths(Path(base), list(tables))
    atomic_write_all(list(zip(paths, parquet_writers(tables, run_header(result, previous)))))
    return paths


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table without its index. A text column stays text (nulls for
    missing); an object column mixing kinds (a value that is a number in one row, "不适用" in
    another) is written as text, never guessed; one holding mappings or lists (a rule's
    parameters) as their JSON text, as the JSON export writes them."""
    columns = {}
    for name in frame.columns:
        values = frame[name]
        if values.dtype != object:
            columns[str(name)] = pa.Array.from_pandas(values)
            continue
        try:
            column = _text_column(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # before TypeError: ArrowTypeError is one
            column = pa.array([None if _missing(v) else str(v) for v in values], pa.string())
        except TypeError:  # mappings or lists (a step's parameters): not hashable
            column = _json_column(values)
        columns[str(name)] = _json_column(values) if pa.types.is_nested(column.type) else column  # tuples
    return pa.table(columns) if columns else pa.table({})


def _json_column(values: pd.Series) -> pa.Array:
    """Mappings or lists as their JSON text, each distinct object dumped once (a nation's step
    log has 100,000s of rows sharing a dozen parameter dicts: `log_table`)."""
    texts: dict[int, str | None] = {}

    def text(value: object) -> str | None:
        if id(value) not in texts:  # `values` holds every object while this runs: ids stay theirs
            texts[id(value)] = None if _missing(value) else json.dumps(value, ensure_ascii=False, default=str)
        return texts[id(value)]

    return pa.array([text(value) for value in values], pa.string())


def _text_column(values: pd.Series) -> pa.Array:
    """An object column as Arrow; one that repeats its texts (a nation's 6.6 million
    explanations are a few hundred thousand distinct sentences) dictionary-encoded from its
    distinct values, so each string is converted and compressed once. TypeError: values that
    cannot be hashed (mappings, lists)."""
    codes, uniques = factorize_objects(values.to_numpy())
    if len(uniques) * 2 > len(values):  # mostly distinct: converted as it is
        return pa.array(values, from_pandas=True)
    dictionary = pa.array(np.asarray(uniques, dtype=object), from_pandas=True)
    if not pa.types.is_string(dictionary.type):  # numbers (a log's before/after) stay numbers
        return pa.array(values, from_pandas=True)
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0, type=pa.int32()), dictionary)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)
