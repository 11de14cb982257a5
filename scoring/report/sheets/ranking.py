"""排名: the ranking leadership reads first; one ranked block per class, vetoed units in red."""

from __future__ import annotations

import numpy as np
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from scoring.report.frames import RankingTable
from scoring.report.layout import Column, Styles, fit_widths, setup_page, write_header, write_rows
from scoring.result import Result

SHEET = "排名"
HEADER_ROW = 1
VETO_NOTE = "注:红色标记的单位被单项否决,排在本类别最后。"


def sheet_title(result: Result) -> str:
    return f"{result.scheme.name}({result.period.label})考评结果"


def write_ranking(wb: Workbook, styles: Styles, result: Result, table: RankingTable) -> None:
    ws = wb.add_worksheet(SHEET)
    title = sheet_title(result)
    headers = [c.header for c in table.columns]
    last_col = len(headers) - 1
    ws.merge_range(0, 0, 0, last_col, "", styles.title)
    ws.write_string(0, 0, title, styles.title)
    ws.set_row(0, 30)
    write_header(ws, HEADER_ROW, headers, styles.header)

    with_blocks = bool(result.scheme.classes)
    sheet_rows = np.empty(len(table.order), dtype=int)  # sheet row of each ranking position
    row = HEADER_ROW + 1
    for block in table.blocks:
        size = block.stop - block.start
        if size == 0:
            continue
        if with_blocks:
            ws.merge_range(row, 0, row, last_col, "", styles.label)
            ws.write_string(row, 0, f"{block.name}(共 {size} 个单位)", styles.label)
            row += 1
        part = [Column(c.header, c.values.iloc[block.start : block.stop], c.kind) for c in table.columns]
        sheet_rows[block.start : block.stop] = np.arange(row, row + size)
        row = write_rows(ws, styles, row, part, table.vetoed[block.start : block.stop])
    _mark_not_applicable(ws, styles, table, headers, sheet_rows)
    last_row = max(row - 1, HEADER_ROW)

    if table.vetoed.any():
        ws.write_string(last_row + 2, 0, VETO_NOTE, styles.note)
    ws.autofilter(HEADER_ROW, 0, last_row, last_col)
    ws.freeze_panes(HEADER_ROW + 1, headers.index("单位") + 1)
    fit_widths(ws, table.columns, styles.precision, header_row=HEADER_ROW)
    setup_page(ws, title, repeat=(HEADER_ROW, HEADER_ROW))


def _mark_not_applicable(
    ws: Worksheet, styles: Styles, table: RankingTable, headers: list[str], sheet_rows: np.ndarray
) -> None:
    """First-level indicators a unit's class does not score show 不适用 instead of a number."""
    for header in table.excluded.columns:
        col = headers.index(header)
        for pos in np.flatnonzero(table.excluded[header].to_numpy()).tolist():
            ws.write_string(int(sheet_rows[pos]), col, "不适用", styles.cell("text", bool(table.vetoed[pos])))
