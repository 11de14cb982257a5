"""原始数据: every input value the scoring used, with where it came from."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.report.layout import Column, Styles, ranked_rows, write_long_table, write_note
from scoring.report.paging import new_sheet
from scoring.report.values import formatted, metric_formats
from scoring.result import Result

SHEET = "原始数据"


def input_table(result: Result, order: pd.DataFrame, data_format: str = "json") -> tuple[list[Column], str]:
    """The sheet's columns, ready to write, and the note (Chinese, "" for none) saying it holds
    only the first units (`data_format`: of the full results, where the note sends the reader
    for the rest)."""
    rows, note = ranked_rows(result.inputs, order.index, "原始数据", "inputs", data_format=data_format)
    names = result.units.drop_duplicates("unit_id").set_index("unit_id")["name"]
    metric = rows["metric_name"].astype(object).where(rows["metric_name"].fillna("") != "", rows["metric"])
    columns = [
        Column("单位", rows["unit_id"].map(names).fillna(rows["unit_id"]), "wrap", max_width=16),
        Column("指标", metric, "wrap", max_width=20),
        Column("数值", rows["value"], "general", labels=formatted(rows["value"], rows["metric"],
                                                                 metric_formats(result.scheme), result.scheme.precision)),
        Column("原文", rows["raw"], "wrap", max_width=16),
        Column("约数", rows["approx"].map({True: "是", False: "否"}).fillna("否")),
        Column("来源文件", rows["source"], "wrap", max_width=24),
        Column("行号", rows["row"], "int"),
        Column("列", rows["column"], "wrap", max_width=24),  # the file's own header, as written
        Column("依据原文", rows["evidence"], "wrap"),
    ]
    return [c.ready() for c in columns], note


def write_inputs(wb: Workbook, styles: Styles, result: Result, order: pd.DataFrame, data_format: str = "json",
                 table: tuple[list[Column], str] | None = None) -> list[str]:
    """The sheet (`table`: `input_table`, when already made); returns the note for the user."""
    ws = new_sheet(wb, SHEET)
    columns, note = table or input_table(result, order, data_format)
    header = write_note(ws, styles, note)
    write_long_table(ws, styles, header, columns, f"{styles.page_title} 原始数据")
    return [f"“{SHEET}”表:{note[2:]}"] if note else []
