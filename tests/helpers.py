"""Small builders for engine tests: a scheme from YAML text, agency data from plain dicts."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.data.model import RECORD_COLUMNS, VALUE_COLUMNS, AgencyData
from scoring.periods import Period
from scoring.scheme.loader import load_scheme
from scoring.scheme.model import Scheme


def scheme_from(tmp_path: Path, text: str, name: str = "scheme.yaml") -> Scheme:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_scheme(path)


NA = "不适用"  # marker for a value the unit declared not applicable


def make_data(
    units: list[tuple[str, str, str]],
    values: dict[str, dict[str, float | str | None]],
    period: str = "2021",
    records: list[tuple[str, str, str]] | None = None,
    approx: set[tuple[str, str]] = frozenset(),
) -> AgencyData:
    """units: (unit_id, name, class); values: unit_id → {metric: number | NA | None (a blank cell)};
    records: (unit_id, date, category)."""
    unit_frame = pd.DataFrame(units, columns=["unit_id", "name", "class"]).assign(aliases="")
    rows = []
    for unit_id, metrics in values.items():
        for metric, value in metrics.items():
            applicable = value != NA
            number = float(value) if applicable and value is not None else np.nan
            rows.append({
                "unit_id": unit_id, "metric": metric, "value": number, "raw": "" if value is None else str(value),
                "approx": (unit_id, metric) in approx, "applicable": applicable,
                "source": "test.csv", "row": len(rows) + 2, "column": metric, "evidence": "",
            })
    value_frame = pd.DataFrame(rows, columns=VALUE_COLUMNS)
    recs = pd.DataFrame(
        [{"unit_id": u, "date": pd.Timestamp(d), "category": c, "title": "t", "due_date": pd.NaT} for u, d, c in records or []],
        columns=RECORD_COLUMNS,
    )
    recs["date"] = pd.to_datetime(recs["date"])
    recs["due_date"] = pd.to_datetime(recs["due_date"])
    return AgencyData(period=Period.parse(period), units=unit_frame, values=value_frame, records=recs)


def assert_same_totals(full, summary) -> None:
    """A summary Result (`explain=False`) holds exactly the full Result's totals, units and
    derived metrics, and so do its linked schemes' results."""
    assert summary.summary and not full.summary
    pd.testing.assert_frame_equal(summary.totals, full.totals, check_exact=True)
    pd.testing.assert_frame_equal(summary.units, full.units, check_exact=True)
    pd.testing.assert_frame_equal(summary.metrics, full.metrics, check_exact=True)
    assert summary.period == full.period and summary.scheme is full.scheme
    assert summary.linked.keys() == full.linked.keys()
    for leaf_id, sub in full.linked.items():
        assert_same_totals(sub, summary.linked[leaf_id])


def points(result, unit_id: str, item_id: str) -> float:
    d = result.details
    row = d[(d["unit_id"] == unit_id) & (d["item_id"] == item_id)]
    assert len(row) == 1, (unit_id, item_id, len(row))
    return float(row["points"].iloc[0])


def explanation(result, unit_id: str, item_id: str) -> str:
    d = result.details
    return str(d[(d["unit_id"] == unit_id) & (d["item_id"] == item_id)]["explanation"].iloc[0])


# A scheme small enough to check by hand, shared by the CLI and hostile tests.
TINY_CRITERIA = """\
id: tiny
name: 小型考评
total: 10
grades:
  - {label: 优秀, min: 9}
  - {label: 合格, min: 0}
metrics:
  - {id: evaluation_score, name: 第三方评估得分, unit: 分}
indicators:
  - {id: a, name: 评估, points: 6, metric: evaluation_score, rule: {type: score, scale: 100}}
  - id: b
    name: 发布数量
    points: 4
    metric: proactive_items
    rule: {type: bands, bands: [{min: 100, points: 4}, {min: 10, points: 2}], else: 0}
"""
TINY_UNITS = "unit_id,name,class,aliases\nU1,甲局,,\nU2,乙局,,\nU3,丙局,,\n"
