"""CSV and JSON beside the workbook, and `write_outputs` which writes all three under one name.

CSV: the ranking table, UTF-8 with BOM so Excel on Chinese Windows opens it correctly; text
that Excel would take for a formula (a unit named "=HYPERLINK(…)") starts with an apostrophe.
JSON: the full result for other programs: scheme identity, period, every table, issues, log.
The texts of a scored item (name, path, rule…) are in `items`, once per item; `details` rows
refer to them by item_id instead of repeating them for every unit.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, TextIO

import numpy as np
import pandas as pd

import scoring
from scoring.background import can_fork
from scoring.collector import settled_heap
from scoring.report.frames import comparison, ranking_table
from scoring.report.layout import as_text
from scoring.report.output import atomic_write, atomic_write_all
from scoring.report.rounding import half_up
from scoring.report.workbook import WorkbookOptions, workbook_writer
from scoring.result import Result, Step
from scoring.rounding import fixed_text
from scoring.rules.base import first_rows, nums

if TYPE_CHECKING:
    from scoring.stability import Stability

JSON_ROWS = 50_000  # table rows per slice when streaming the JSON
ITEM_COLUMNS = ("kind", "item_name", "path", "group_id", "metric", "rule_text")  # an item's, not a unit's
POINT_COLUMNS = {  # per table: the columns holding points, stored as shown (see rounding.py)
    "totals": ("base", "rescaled", "bonus_raw", "bonus", "penalty", "total"),
    "groups": ("raw", "points"),
    "details": ("points",),
}


FORMATS = ("json", "parquet")  # the machine-readable export beside the workbook and the CSV
JSON_UP_TO_UNITS = 2_000  # beyond this the JSON (a province's: 140 MB, seconds to write) gives way to Parquet


def default_format(units: int) -> str:
    """The export when `--format` is not given: the JSON for a city, Parquet at scale."""
    return "json" if units <= JSON_UP_TO_UNITS else "parquet"


@dataclass(frozen=True)
class OutputPaths:
    workbook: Path
    csv: Path
    json: Path | None  # None with --format parquet
    renamed: bool  # True when a file of that name existed and a numbered name was used
    notes: tuple[str, ...] = ()  # things the user should know (Chinese)
    parquet: tuple[Path, ...] = ()  # one file per table with --format parquet


def ranking_csv_frame(result: Result) -> pd.DataFrame:
    """The ranking table as the CSV holds it: one row per unit, ranks as integers."""
    table = ranking_table(result, with_ids=True)
    data = {}
    for column in table.columns:
        values = column.values.reset_index(drop=True)
        if column.kind == "int":
            values = pd.to_numeric(values, errors="coerce").round().astype("Int64")
        elif column.kind in ("score", "signed"):  # the workbook's digits, written as text once
            values = pd.Series(fixed_text(half_up(values, result.scheme.precision), result.scheme.precision),
                               dtype=object)
        elif column.kind == "general":  # a factor (1.1111): its own decimals, not the points' ones
            values = pd.Series(nums(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float), 4)).replace("—", "")
        else:
            values = _defuse(as_text(values))
        data[column.header] = values
    return pd.DataFrame(data)


def _defuse(text: pd.Series) -> pd.Series:
    """Text that Excel would run as a formula when opening the CSV gets a leading apostrophe."""
    codes, uniques = pd.factorize(text.to_numpy(dtype=object))  # each distinct text checked once
    risky = np.array([str(t)[:1] in _FORMULA_STARTS for t in uniques], dtype=bool)
    if not len(risky) or not risky.any():
        return text
    return text.where(~risky[codes], "'" + text)


_FORMULA_STARTS = frozenset("=+-@\t\r")


def write_csv(result: Result, path: Path) -> None:
    atomic_write(Path(path), _csv_writer(result))


def _csv_writer(result: Result):
    def write(tmp: Path) -> None:
        frame = ranking_csv_frame(result)
        with settled_heap(), open(tmp, "w", encoding="utf-8-sig", newline="") as out:
            write_csv_rows(frame, out)

    return write


def write_csv_rows(frame: pd.DataFrame, out: TextIO) -> None:
    """The frame as pandas' `to_csv(index=False)` writes it (a header row, a missing value as an
    empty cell, quotes only around a cell that holds a comma, quote or line break, os.linesep
    between rows), through the csv module directly: pandas' writer spent 2 s of a nation's
    100,000 rows on checking text cells for missing values chunk by chunk."""
    writer = csv.writer(out, lineterminator=os.linesep)
    writer.writerow(frame.columns)
    writer.writerows(zip(*(_cells(frame[name]) for name in frame.columns)))


def _cells(column: pd.Series) -> np.ndarray:
    return np.where(column.isna().to_numpy(), "", column.to_numpy(dtype=object))


def write_json(result: Result, path: Path, previous: Result | None = None, stability: "Stability | None" = None) -> None:
    atomic_write(Path(path), _json_writer(result, previous, stability))


def _json_writer(result: Result, previous: Result | None, stability: "Stability | None" = None):
    def write(tmp: Path) -> None:
        with settled_heap(), open(tmp, "w", encoding="utf-8") as out:
            write_json_document(result, out, previous, stability)

    return write


def json_text(result: Result, previous: Result | None = None) -> str:
    """The JSON document as one string (see `write_json_document`)."""
    out = io.StringIO()
    write_json_document(result, out, previous)
    return out.getvalue()


def write_json_document(result: Result, out: TextIO, previous: Result | None = None,
                        stability: "Stability | None" = None) -> None:
    """The JSON document, streamed to `out`. Small parts go through json.dumps; tables through
    pandas' fast writer a slice of rows at a time, so a province's details never sit in memory
    as one giant string."""
    head = run_header(result)
    head["issues"] = [{**issue.to_dict(), "severity_name": issue.severity_name} for issue in result.issues]
    head.update(_comparison_header(previous, stability))
    out.write("{\n")
    parts = [(k, lambda v=v: out.write(_indented(v))) for k, v in head.items()]
    parts += [(k, lambda frame=frame: _write_table(frame, out))
              for k, frame in result_tables(result, previous, stability).items()]
    for i, (k, write_value) in enumerate(parts):
        out.write((",\n" if i else "") + f"  {json.dumps(k)}: ")
        write_value()
    out.write("\n}\n")


def run_header(result: Result, previous: Result | None = None, stability: "Stability | None" = None) -> dict:
    """What identifies a run in every machine-readable output: tool, scheme, period, time (and
    the comparison period and stability settings when there are)."""
    scheme, period = result.scheme, result.period
    head = {
        "tool": {"name": "gov-openness-scoring", "version": scoring.__version__},
        "scheme": {
            "id": scheme.id,
            "name": scheme.name,
            "version": scheme.version,
            "sha256": scheme.sha256,
            "source": PurePath(scheme.source).name if scheme.source else None,
            "total": scheme.total,
            "precision": scheme.precision,
        },
        "period": {
            "label": period.label,
            "name": period.chinese,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "generated_at": result.generated_at.isoformat(),
    }
    return {**head, **_comparison_header(previous, stability)}


def _comparison_header(previous: Result | None, stability: "Stability | None") -> dict:
    head: dict = {}
    if previous is not None:
        head["previous_period"] = previous.period.label
    if stability is not None:
        head["stability"] = {"draws": stability.draws, "seed": stability.seed, "weights": stability.weights,
                             "uncertain_values": stability.uncertain_values, "unsettled_pairs": stability.unsettled}
    return head


def result_tables(result: Result, previous: Result | None = None,
                  stability: "Stability | None" = None) -> dict[str, pd.DataFrame]:
    """The result's tables as the JSON and Parquet exports hold them (item texts in `items`)."""
    items, details = split_items(result.details)
    tables = {
        "log": log_table(result.log),
        "totals": result.totals.rename_axis("unit_id").reset_index(),
        "groups": result.groups,
        "items": items,
        "details": details,
        "inputs": result.inputs,
    }
    for name, point_columns in POINT_COLUMNS.items():
        tables[name] = _points_as_shown(tables[name], point_columns, result.scheme.precision)
    if previous is not None:
        tables["comparison"] = comparison(result, previous).rename_axis("unit_id").reset_index()
    if stability is not None:
        tables["stability_units"] = stability.units
        tables["stability_pairs"] = stability.pairs
    return tables


def log_table(log: Sequence[Step]) -> pd.DataFrame:
    """The step log, a row per step, built column by column (a nation logs 100,000s of steps).
    `params` ((name, value) pairs) read best as an object: one dict per distinct set of
    parameters (a run has a dozen), shared by the rows that have it."""
    columns = dict(zip(Step._fields, zip(*log))) if log else {}
    if log:
        shared: dict = {}
        columns["params"] = [_params_dict(params, shared) for params in columns["params"]]
    return pd.DataFrame(columns, columns=list(Step._fields), dtype=object)


def _params_dict(params: tuple, shared: dict) -> dict:
    try:
        found = shared.get(params)
    except TypeError:  # a value that is a list: not hashable, its own dict
        return dict(params)
    if found is None:
        found = shared[params] = dict(params)
    return found


def _points_as_shown(frame: pd.DataFrame, columns: tuple[str, ...], precision: int) -> pd.DataFrame:
    present = [c for c in columns if c in frame.columns]
    return frame.assign(**{c: half_up(frame[c], precision) for c in present}) if present else frame


def split_items(details: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items, details without the item texts). `items`: one row per item_id in order of first
    appearance (scheme order), with each ITEM_COLUMNS column whose value is the same for every
    unit of an item. A column that differs within an item anywhere stays in the detail rows
    instead, so nothing is lost whatever the engine hands over."""
    item = _codes(details["item_id"]) + 1  # 0: no item id
    first_of = first_rows(item, int(item.max()) + 1 if len(item) else 1)  # each item's first row
    first = np.sort(first_of[first_of < len(item)])  # in order of first appearance
    first_row = first_of[item]  # per row
    shared = [c for c in ITEM_COLUMNS if _constant_per_item(details[c], first_row)]
    items = details.iloc[first][["item_id", *shared]].reset_index(drop=True)
    return items, details.drop(columns=shared)


def _constant_per_item(column: pd.Series, first_row: np.ndarray) -> bool:
    """Whether every row holds the value of its item's first row (`first_row`, per row)."""
    values = _codes(column)
    return bool(np.array_equal(values, values[first_row]))


def _codes(column: pd.Series) -> np.ndarray:
    """Equal integers for equal values (missing values equal each other): a Categorical's own
    codes (its categories are distinct; a nation's 6.6 million detail rows need no hashing),
    else factorized."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy()
    return pd.factorize(column, use_na_sentinel=False)[0]


def _indented(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")


def _write_table(frame: pd.DataFrame, out: TextIO) -> None:
    """The table as a JSON array of row objects, written JSON_ROWS rows at a time."""
    if len(frame) <= JSON_ROWS:
        out.write(_table_json(frame))
        return
    out.write("[")
    for start in range(0, len(frame), JSON_ROWS):
        if start:
            out.write(",")
        out.write(_table_json(frame.iloc[start:start + JSON_ROWS])[1:-1])
    out.write("]")


def _table_json(frame: pd.DataFrame) -> str:
    return frame.to_json(orient="records", force_ascii=False, double_precision=10, date_format="iso")


def write_outputs(
    result: Result,
    out_path: Path,
    previous: Result | None = None,
    overwrite: bool = False,
    unit_sheets: bool = False,
    stability: "Stability | None" = None,
    earlier: tuple[Result, ...] = (),
    office: str | None = None,
    data_format: str = "json",
    inputs: Sequence[Path] = (),
) -> OutputPaths:
    """Workbook at `out_path` (.xlsx added if missing) plus the same name .csv and either .json
    or, with `data_format="parquet"`, one _<table>.parquet per table (scoring/report/parquet_export.py).

    `earlier`: results of earlier periods of the same year, for the 趋势 sheet; `office`: the
    issuing office's name for the title (default: the criteria's `office:`).

    The CSV and the JSON or Parquet files are written by a forked child on the other core while
    this process writes the workbook (`atomic_write_all(beside=...)`; here, after it, where
    there is no child).

    Without `overwrite`, an existing file is never replaced: the files move together to the
    first free numbered name, x(2).xlsx / x(2).csv / x(2).json, claimed atomically (two runs at
    once never share one). With it, a file among `inputs` is still never replaced.
    """
    out_path = Path(out_path)
    base = out_path if out_path.suffix.lower() == ".xlsx" else out_path.with_name(out_path.name + ".xlsx")
    notes: list[str] = []
    options = WorkbookOptions(previous, tuple(earlier), unit_sheets, office, stability, data_format)
    jobs = [(base, workbook_writer(result, options, notes)), (base.with_suffix(".csv"), _csv_writer(result))]
    if data_format == "parquet":
        from scoring.report.parquet_export import parquet_paths, parquet_tables, parquet_writers

        tables = parquet_tables(result, previous, stability)
        # encoded beside the workbook: in the forked child that writes the data files, else in threads here
        writers = parquet_writers(tables, run_header(result, previous, stability), start=not can_fork())
        jobs += zip(parquet_paths(base, list(tables)), writers)
        (workbook, csv, *data_paths), renamed = atomic_write_all(jobs, overwrite=overwrite, inputs=inputs,
                                                                 beside=len(jobs) - 1)
        return OutputPaths(workbook, csv, None, renamed, tuple(notes), tuple(data_paths))
    jobs.append((base.with_suffix(".json"), _json_writer(result, previous, stability)))
    (workbook, csv, json_path), renamed = atomic_write_all(jobs, overwrite=overwrite, inputs=inputs, beside=2)
    return OutputPaths(workbook, csv, json_path, renamed, tuple(notes))
