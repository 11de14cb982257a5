"""The Result's tables from the engine's arrays: details (unit × item), groups and inputs.

Long tables are unit-major (a unit's items together, in scheme order) and keep repeated texts as
categories: a nation's details are millions of rows over a few thousand distinct texts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.data.model import AgencyData
from scoring.data.names import code_type
from scoring.evaluate import STATUSES, Scored, Units
from scoring.rules.base import distinct_texts, factorize_objects, nums, unit_suffix
from scoring.scheme.model import Scheme
from scoring.scheme.usage import metrics_used

VALUE_LABELS = {"not_applicable": "不适用", "missing": "缺失", "excluded": "不考核", "undefined": "无定义"}
DETAIL_COLUMNS = [
    "unit_id", "kind", "item_id", "item_name", "path", "group_id", "metric", "value", "value_text",
    "approx", "status", "rule_text", "points", "max_points", "explanation",
]
GROUP_COLUMNS = ["unit_id", "group_id", "group_name", "points", "max_points", "grade", "veto"]


def details_table(blocks: Sequence[Scored], units: Units, precision: int) -> pd.DataFrame:
    """One row per unit × scored item, built in display order."""
    n = units.n
    if not blocks:
        return pd.DataFrame(columns=DETAIL_COLUMNS)
    k = len(blocks)

    def col(attr):  # one column per block side by side, read row by row: unit-major
        return np.stack([np.asarray(getattr(b, attr)) for b in blocks], axis=1).ravel()

    item = np.tile(np.arange(k, dtype=code_type(k)), n)  # codes in their smallest type: neither cast nor taken again

    def rep(attr):  # the same text for every unit: a category per item, not a string per row
        return categorical(item, [getattr(b, attr) for b in blocks])

    statuses = [(np.asarray(b.status), STATUSES) for b in blocks]
    return pd.DataFrame({
        "unit_id": categorical(np.repeat(np.arange(n, dtype=code_type(n)), k), units.ids),
        "kind": rep("kind"), "item_id": rep("item_id"),
        "item_name": rep("item_name"), "path": rep("path"), "group_id": rep("group_id"),
        "metric": rep("metric"), "value": col("values").astype(float, copy=False),
        "value_text": side_by_side([value_texts(b, precision) for b in blocks]),
        "approx": col("approx").astype(bool, copy=False), "status": side_by_side(statuses),
        "rule_text": rep("rule_text"), "points": col("points").astype(float, copy=False),
        "max_points": col("max_points").astype(float, copy=False),
        "explanation": side_by_side([distinct_texts(b.explanation) for b in blocks]),
    }, copy=False)  # the columns are this table's own: pandas' copy into 2-D blocks cost a nation 0.5 s


def side_by_side(blocks: Sequence[tuple[np.ndarray, np.ndarray]]) -> pd.Categorical:
    """Each block's texts as (codes per unit, its distinct texts), the blocks side by side read
    row by row (unit-major), as one Categorical over the distinct texts of all blocks. A
    nation's 6.6 million explanations are a few hundred thousand sentences: stacking 6.6 million
    references cost 0.3 s a column, and every output hashed them again. Categories stay Python
    strings: Arrow strings would be copied to new objects by each reader of the rows."""
    sizes = [len(texts) for _, texts in blocks]
    code, categories = pd.factorize(np.concatenate([texts for _, texts in blocks]))  # an unheld text (None): -1
    code = code.astype(code_type(len(categories)))
    starts = np.cumsum([0, *sizes[:-1]])
    rows = np.empty((len(blocks[0][0]), len(blocks)), dtype=code.dtype)
    for j, ((codes, _), start, size) in enumerate(zip(blocks, starts, sizes)):
        # a block's codes read through its slice of `code` straight into its column (half the
        # time of taking then stacking); the appended -1, taken for a -1, keeps a missing text missing
        np.take(np.append(code[start:start + size], -1), codes, out=rows[:, j], mode="wrap")
    return pd.Categorical.from_codes(rows.ravel(), validate=False, categories=pd.Index(categories, dtype=object))


def value_texts(block: Scored, precision: int) -> tuple[np.ndarray, np.ndarray]:
    """"约665 条" per unit, or what a missing value means ("缺失", "不适用"…), as each unit's
    code into the distinct texts; each distinct (value, status, approx) is written once."""
    values = np.asarray(block.values, dtype=float)
    value_code, distinct_values = pd.factorize(values, use_na_sentinel=False)
    status_code, distinct_status = np.asarray(block.status, dtype=np.int64), STATUSES
    combination = (value_code * len(distinct_status) + status_code) * 2 + np.asarray(block.approx, dtype=bool)
    codes, combinations = pd.factorize(combination)
    approx_of, rest = combinations % 2, combinations // 2
    status_of, value_of = rest % len(distinct_status), rest // len(distinct_status)
    shown = nums(np.asarray(distinct_values, dtype=float), precision)
    suffix = unit_suffix(block.unit)
    texts = [
        VALUE_LABELS[distinct_status[s]] if distinct_status[s] in VALUE_LABELS and np.isnan(distinct_values[v])
        else ("约" if a else "") + shown[v] + suffix
        for a, s, v in zip(approx_of.tolist(), status_of.tolist(), value_of.tolist())
    ]
    return codes, np.array(texts, dtype=object)


def groups_table(groups: Sequence, units: Units, marks: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    """One row per unit × first-level indicator (`groups`: GroupPoints of the engine); `marks`:
    the group's own grade and the scoped veto that zeroed it, group-major like the rows."""
    n = units.n
    if not groups:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    group = np.repeat(np.arange(len(groups), dtype=code_type(len(groups))), n)
    return pd.DataFrame({
        "unit_id": categorical(np.tile(np.arange(n, dtype=code_type(n)), len(groups)), units.ids),
        "group_id": categorical(group, [g.id for g in groups]),
        "group_name": categorical(group, [g.name for g in groups]),
        "points": np.concatenate([g.points for g in groups]),
        "max_points": np.concatenate([g.max_points for g in groups]),
        "grade": repeated(marks[0]), "veto": repeated(marks[1]),
    }, copy=False)


def inputs_table(scheme: Scheme, data: AgencyData, units: Units) -> pd.DataFrame:
    """Every input value the scheme reads, for the units scored."""
    used = metrics_used(scheme)
    v = data.values
    keys = data.value_keys  # each distinct text checked once
    metrics, metric_texts = keys.metric_codes, keys.metric_texts
    # membership over object arrays: an Arrow string Index's isin loops in Python (a nation's
    # 100,000 unit ids: 1 s)
    scored_unit = pd.Index(np.asarray(keys.unit_texts, dtype=object), dtype=object).isin(units.ids)
    keep = scored_unit[keys.unit_codes] & metric_texts.isin(used)[metrics]
    names = np.array([scheme.metric_label(m)[0] if m in used else "" for m in metric_texts], dtype=object)
    if not keep.all():
        v, metrics = v[keep], metrics[keep]
    out = v.assign(metric_name=pd.Series(names[metrics], index=v.index, dtype=object, copy=False))
    cols = ["unit_id", "metric", "metric_name", "value", "raw", "approx", "source", "row", "column", "evidence"]
    return out.reindex(columns=cols).reset_index(drop=True)


def categorical(codes: np.ndarray, texts: Sequence[str] | np.ndarray) -> pd.Categorical:
    """`texts[codes]` as a pandas Categorical: each text stored once. The detail rows repeat a
    unit's id for every item and an item's texts for every unit (a nation: 6.6 million rows).
    The few texts are numbered first, in the integer type pandas keeps for that many
    categories, so the rows' codes are neither searched nor converted again."""
    texts = np.asarray(texts, dtype=object)
    if pd.api.types.infer_dtype(texts, skipna=False) != "string":
        texts = texts.astype(str).astype(object)
    if pd.Index(texts, dtype=object).is_unique:  # unit ids; item ids. Checked on the Python strings:
        # Arrow strings' check, and the numpy copy made for it, cost 0.1 s for 100,000 ids
        categories = pd.Index(texts, dtype="str")
        small = codes.astype(code_type(len(categories)), copy=False)  # the codes are the positions
    else:
        distinct, position = np.unique(texts.astype(str), return_inverse=True)
        categories = pd.Index(distinct)
        small = position.astype(code_type(len(categories)))[codes]
    return pd.Categorical.from_codes(small, categories=categories, validate=False)


def repeated(texts: np.ndarray) -> pd.Categorical:
    """A few texts repeated over many rows (a grade per unit × group) as a Categorical of the
    same strings: pandas would copy each row into an Arrow string (a million rows: 75 ms)."""
    codes, distinct = factorize_objects(texts)
    return pd.Categorical.from_codes(codes.astype(code_type(len(distinct))), validate=False,
                                     categories=pd.Index(distinct, dtype=object))
