"""得分明细: one row per unit and scored item, with the rule and a sentence anyone can check.

Results with hundreds of thousands of rows are written too; the frame is built with vectorised
pandas and written column by column.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.numbers import APPROX_PREFIXES, APPROX_SUFFIXES
from scoring.report.layout import (
    Column,
    Styles,
    as_text,
    ranked_rows,
    write_long_table,
    write_note,
)
from scoring.report.paging import new_sheet
from scoring.report.values import formatted, metric_formats, rule_texts
from scoring.result import Result
from scoring.scheme.model import Scheme

SHEET = "得分明细"
APPROX_MARK = "约"
_SAYS_APPROX = "|".join(re.escape(w) for w in (*APPROX_PREFIXES, *APPROX_SUFFIXES))


def ordered_details(result: Result, order: pd.DataFrame) -> pd.DataFrame:
    """Detail rows sorted by the units' ranking position, keeping the engine's item order."""
    return ranked_rows(result.details, order.index, "得分明细", "details", limit=len(result.details))[0]


def value_text(details: pd.DataFrame, scheme: Scheme | None = None) -> pd.Series:
    """The value as shown, with 约 before approximate numbers unless the text already says so
    ("600余条" stays as written, "350" becomes "约350"); rates as percentages and yes/no data as
    是/否 (see values.py) when the scheme is given."""
    text = as_text(details["value_text"])
    if scheme is not None:
        special = formatted(details["value"], details["metric"], metric_formats(scheme), scheme.precision)
        text = special.where(special.notna(), text).astype(str)
    approx = details["approx"].astype(object).where(details["approx"].notna(), False).astype(bool).to_numpy()
    codes, uniques = pd.factorize(text, sort=False)  # each distinct text searched once
    said = pd.Series(uniques, dtype=object).str.contains(_SAYS_APPROX, regex=True).to_numpy(bool)[codes]
    mark = approx & (text != "").to_numpy() & ~said
    return pd.Series(np.where(mark, APPROX_MARK + text, text), dtype=str)


def detail_columns(details: pd.DataFrame, unit_names: pd.Series | None, scheme: Scheme) -> list[Column]:
    """Columns of the details table; `unit_names` (index unit_id) adds the 单位 column. Rules
    read as on 评分标准 (one wording of each rule)."""
    columns = [] if unit_names is None else [Column("单位", details["unit_id"].map(unit_names), "wrap", max_width=16)]
    rules = details["item_id"].astype(str).map(rule_texts(scheme))
    return columns + [
        Column("指标路径", details["path"], "wrap", max_width=24),
        Column("指标值", value_text(details, scheme)),
        Column("评分规则", rules.where(rules.notna(), details["rule_text"]), "wrap"),
        Column("得分", details["points"], "score"),
        Column("满分", details["max_points"], "score"),
        Column("说明", details["explanation"], "wrap"),
    ]


def detail_table(result: Result, order: pd.DataFrame, data_format: str = "json") -> tuple[list[Column], str]:
    """The sheet's columns, ready to write, and the note (Chinese, "" for none) saying it holds
    only the first units (`data_format`: of the full results, where the note sends the reader
    for the rest)."""
    details, note = ranked_rows(result.details, order.index, "得分明细", "details", data_format=data_format)
    names = result.units.drop_duplicates("unit_id").set_index("unit_id")["name"]
    return [c.ready() for c in detail_columns(details, names, result.scheme)], note


def write_details(wb: Workbook, styles: Styles, result: Result, order: pd.DataFrame, data_format: str = "json",
                  table: tuple[list[Column], str] | None = None) -> list[str]:
    """The sheet (`table`: `detail_table`, when already made); returns the note for the user."""
    ws = new_sheet(wb, SHEET)
    columns, note = table or detail_table(result, order, data_format)
    header = write_note(ws, styles, note)
    write_long_table(ws, styles, header, columns, f"{styles.page_title} 得分明细")
    return [f"“{SHEET}”表:{note[2:]}"] if note else []
