"""趋势: each unit's total and rank in every scored period of the year so far (2021年第一季度 …
第四季度), units in this period's ranking order. Written when earlier periods had data."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.report.layout import Column, Styles, fit_widths, write_header, write_rows
from scoring.report.paging import new_sheet, setup_page
from scoring.report.rounding import half_up
from scoring.result import Result

SHEET = "趋势"
BAND_ROW, HEADER_ROW = 0, 1
KEY_COLUMNS = 2  # 单位, 类别


def trend_columns(result: Result, order: pd.DataFrame, earlier: tuple[Result, ...]) -> list[tuple[str, list[Column]]]:
    """(period in Chinese, [总分, 排名]) per period, oldest first, ending with this one; units
    matched by id, blank where a unit was not scored that period."""
    periods = sorted(earlier, key=lambda r: r.period.start) + [result]
    rank_col = "class_rank" if result.scheme.classes else "rank"
    out = []
    for run in periods:
        totals = run.totals.reindex(order.index)
        out.append((run.period.chinese, [
            Column("总分", pd.Series(half_up(totals["total"], run.scheme.precision)), "score"),
            Column("排名", totals[rank_col].reset_index(drop=True), "int"),
        ]))
    return out


def write_trend(wb: Workbook, styles: Styles, result: Result, order: pd.DataFrame, earlier: tuple[Result, ...]) -> None:
    ws = new_sheet(wb, SHEET)
    columns = [
        Column("单位", order["name"].reset_index(drop=True)),
        Column("类别", order["class_name"].reset_index(drop=True)),
    ]
    col = KEY_COLUMNS
    for label, pair in trend_columns(result, order, earlier):
        ws.merge_range(BAND_ROW, col, BAND_ROW, col + len(pair) - 1, "", styles.header)
        ws.write_string(BAND_ROW, col, label, styles.header)
        columns += pair
        col += len(pair)
    write_header(ws, HEADER_ROW, [c.header for c in columns], styles.header)
    vetoed = order["vetoed"].fillna(False).astype(bool).to_numpy()
    last = write_rows(ws, styles, HEADER_ROW + 1, columns, vetoed) - 1
    ws.autofilter(HEADER_ROW, 0, max(last, HEADER_ROW), len(columns) - 1)
    ws.freeze_panes(HEADER_ROW + 1, KEY_COLUMNS)
    widths = fit_widths(ws, columns, styles.precision, header_row=HEADER_ROW)
    widths[KEY_COLUMNS:] = [max(w, 8.0) for w in widths[KEY_COLUMNS:]]
    for i in range(KEY_COLUMNS, len(widths)):
        ws.set_column(i, i, widths[i])
    setup_page(ws, f"{styles.page_title} 趋势", repeat=(BAND_ROW, HEADER_ROW), widths=widths, repeat_columns=1)
