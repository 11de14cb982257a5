"""Optional sheets, one per unit: its ranking line and every scored item, to send to the unit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from scoring.report.frames import RankingTable
from scoring.report.layout import Column, Styles, fit_widths, write_header, write_rows
from scoring.report.names import sheet_names
from scoring.report.paging import new_sheet, set_height, setup_page
from scoring.report.sheets.details import detail_columns
from scoring.result import Result

MAX_UNIT_SHEETS = 200


def write_unit_sheets(
    wb: Workbook, styles: Styles, result: Result, table: RankingTable, details: pd.DataFrame
) -> list[str]:
    """Add the unit sheets; returns notes for the user (Chinese), e.g. why none were written."""
    count = len(table.order)
    if count > MAX_UNIT_SHEETS:
        return [
            f"共有 {count} 个单位,超过 {MAX_UNIT_SHEETS} 个,未生成单位工作表;各单位明细见“得分明细”工作表。"
        ]
    taken = [ws.get_name() for ws in wb.worksheets()]
    titles = sheet_names(table.order["name"].astype(str).tolist(), taken)
    rows_of = details.groupby("unit_id", sort=False).indices
    empty = np.array([], dtype=int)
    for pos, (unit_id, title) in enumerate(zip(table.order.index, titles)):
        unit_details = details.iloc[rows_of.get(unit_id, empty)].reset_index(drop=True)
        _write_unit(new_sheet(wb, title), styles, result, table, pos, unit_details)
    return []


def _write_unit(
    ws: Worksheet, styles: Styles, result: Result, table: RankingTable, pos: int, details: pd.DataFrame
) -> None:
    name = str(table.order["name"].iloc[pos])
    red = bool(table.vetoed[pos])
    ws.write_string(0, 0, f"{name} {result.period.chinese}考评结果", styles.heading)
    set_height(ws, 0, 30)
    summary = [c for c in table.columns if c.header != "单位"]
    for row, column in enumerate(summary, start=2):
        ws.write_string(row, 0, column.header, styles.label)
        if column.header in table.excluded.columns and table.excluded[column.header].iloc[pos]:
            ws.write_string(row, 1, "不适用", styles.cell("text", red))
            continue
        value = Column(column.header, column.values.iloc[pos : pos + 1], column.kind)
        write_rows(ws, styles, row, [value], np.array([red]), first_col=1)
    header_row = len(summary) + 3
    columns = detail_columns(details, None, result.scheme)
    write_header(ws, header_row, [c.header for c in columns], styles.header)
    last = write_rows(ws, styles, header_row + 1, columns) - 1
    ws.autofilter(header_row, 0, max(last, header_row), len(columns) - 1)
    ws.freeze_panes(header_row + 1, 0)
    widths = fit_widths(ws, columns, styles.precision, header_row=header_row, first_row=header_row + 1)
    setup_page(ws, f"{name} 考评结果", repeat=(header_row, header_row), widths=widths)
