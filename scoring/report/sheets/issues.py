"""数据问题: every problem found in the input, errors first; says so when there is none."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.report.layout import Column, Styles, fit_widths, write_header, write_rows
from scoring.report.paging import new_sheet, setup_page
from scoring.result import Result
from scoring.vocabulary import display_name

SHEET = "数据问题"
HEADERS = ["严重程度", "文件", "行", "列", "单位", "指标", "说明"]
NO_ISSUES = "无数据问题"
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def issue_frame(result: Result) -> pd.DataFrame:
    """Issues as a table, errors first; unit ids and metric ids shown by their Chinese names."""
    records = [
        {"severity": i.severity, "严重程度": i.severity_name, "文件": i.file, "行": i.row, "列": i.column,
         "单位": i.unit, "指标": i.metric, "说明": i.message}
        for i in result.issues
    ]
    frame = pd.DataFrame(records, columns=["severity", *HEADERS])
    names = dict(zip(result.units["unit_id"].tolist(), result.units["name"].tolist()))  # lists: not per Arrow value
    frame["单位"] = _renamed(frame["单位"], names)
    metrics = {m: _metric_name(result, m) for m in frame["指标"].dropna().unique()}
    frame["指标"] = _renamed(frame["指标"], metrics)
    order = frame["severity"].map(_SEVERITY_ORDER).fillna(len(_SEVERITY_ORDER))
    return frame.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def _renamed(values: pd.Series, names: dict) -> pd.Series:
    """Known ids replaced by their names; anything else kept as written."""
    original = values.astype(object)
    mapped = original.map(names)
    return mapped.where(mapped.notna(), original)


def _metric_name(result: Result, metric: str) -> str:
    """The metric's Chinese name; "" for a metric nobody named (its message quotes the file)."""
    spec = result.scheme.metric_spec(metric)
    name = spec.name if spec is not None and spec.name else display_name(metric)
    return "" if name == metric else name


def write_issues(wb: Workbook, styles: Styles, result: Result) -> None:
    ws = new_sheet(wb, SHEET)
    frame = issue_frame(result)
    kinds = {"行": "int", "文件": "wrap", "列": "wrap", "单位": "wrap", "指标": "wrap", "说明": "wrap"}
    columns = [Column(h, frame[h], kinds.get(h, "text")) for h in HEADERS]
    write_header(ws, 0, HEADERS, styles.header)
    if frame.empty:
        ws.write_string(1, 0, NO_ISSUES, styles.cell("text"))
        last = 1
    else:
        last = write_rows(ws, styles, 1, columns, red=(frame["severity"] == "error").to_numpy()) - 1
    ws.autofilter(0, 0, last, len(HEADERS) - 1)
    ws.freeze_panes(1, 0)
    widths = fit_widths(ws, columns, styles.precision, header_row=0, first_row=1)
    if frame.empty:
        ws.set_column(0, 0, 14.0)
    setup_page(ws, f"{styles.page_title} 数据问题", repeat=(0, 0), widths=widths)
