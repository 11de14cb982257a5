"""图表: a native Excel bar chart of total scores per class, in ranking order, one per printed
page (A4 portrait), every unit named and every bar labelled with its total, vetoed units in red.

Each chart reads a small table written beside it (单位, 总分, 单项否决), outside the print area,
so the chart stays live if someone edits the numbers and nothing is drawn from values the sheet
lacks. Vetoed units are a second series: a red bar with its own label in every program.
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.report.frames import RankingTable
from scoring.report.layout import FONT, Column, Styles, write_header, write_rows
from scoring.report.paging import ROW_POINTS, XLSXWRITER_CHAR_PX, column_px, new_sheet, setup_page
from scoring.result import Result

SHEET = "图表"
CHART_UNITS = 60  # bars per class: a class with more units shows its first 60 (排名 has them all)
PAGE_UNITS = 30  # bars per chart, one chart per page: more would crowd the units' names
ROW_PX = round(ROW_POINTS * 4 / 3)  # default row height in pixels
PAGE_COLUMNS, PAGE_COLUMN_WIDTH = 9, 8.0  # the chart's page: A–I, one portrait page wide
PAGE_ROWS = 38  # rows that fit an A4 portrait page at 100% within the margins, less a little air
BAR_PX, CHART_FRAME_PX = 26, 120  # height per bar; title, axis and legend around the bars
DATA_COL = PAGE_COLUMNS + 1  # the charts' tables, right of the print area
BAR_COLOR, VETO_COLOR, GRID_COLOR = "#5B9BD5", "#C00000", "#D9D9D9"


def chart_pages(table: RankingTable) -> list[tuple[str, int, int, str]]:
    """(class name, first, stop, what part of the class) per chart: up to PAGE_UNITS units each,
    at most CHART_UNITS of a class."""
    pages = []
    for block in table.blocks:
        units = block.stop - block.start
        shown = min(units, CHART_UNITS)
        label = block.name or "全部单位"
        for start in range(0, shown, PAGE_UNITS):
            stop = min(start + PAGE_UNITS, shown)
            part = f"(第 {start + 1}–{stop} 名)" if shown > PAGE_UNITS else ""
            rest = f"(前 {shown} 名,共 {units} 个单位,全部见“排名”表)" if shown < units and stop == shown else ""
            pages.append((label, block.start + start, block.start + stop, part + rest))
    return pages


def write_chart(wb: Workbook, styles: Styles, result: Result, table: RankingTable) -> None:
    ws = new_sheet(wb, SHEET)
    font = {"name": FONT["font_name"], "charset": FONT["font_charset"]}
    names = table.order["name"].reset_index(drop=True)
    totals = table.columns[[c.header for c in table.columns].index("总分")].values
    score_format = "0" if styles.precision == 0 else "0." + "0" * styles.precision
    width_px = PAGE_COLUMNS * column_px(PAGE_COLUMN_WIDTH, XLSXWRITER_CHAR_PX) - 10  # within A–I anywhere
    row, breaks = 0, []
    for label, start, stop, note in chart_pages(table):
        if row:
            breaks.append(row)
        size = stop - start
        rows = slice(start, stop)
        vetoed = table.vetoed[rows]
        shown = totals.iloc[rows].reset_index(drop=True)
        first, last = row + 1, row + size
        write_header(ws, row, ["单位", "总分", "单项否决"], styles.header, first_col=DATA_COL)
        write_rows(ws, styles, first, [
            Column("单位", names.iloc[rows]),
            Column("总分", shown.where(~vetoed), "score"),
            Column("单项否决", shown.where(pd.Series(vetoed)), "score"),
        ], vetoed, first_col=DATA_COL)

        chart = wb.add_chart({"type": "bar"})
        labels = {"value": True, "num_format": score_format, "font": {**font, "size": 9}}
        chart.add_series({
            "name": "总分", "categories": [SHEET, first, DATA_COL, last, DATA_COL],
            "values": [SHEET, first, DATA_COL + 1, last, DATA_COL + 1],
            "fill": {"color": BAR_COLOR}, "data_labels": labels, "gap": 40, "overlap": 100,
        })
        if vetoed.any():
            chart.add_series({
                "name": "单项否决", "categories": [SHEET, first, DATA_COL, last, DATA_COL],
                "values": [SHEET, first, DATA_COL + 2, last, DATA_COL + 2],
                "fill": {"color": VETO_COLOR}, "data_labels": labels,
            })
            chart.set_legend({"position": "bottom", "font": font})
        else:
            chart.set_legend({"none": True})
        chart.set_title({"name": f"{label}总分排名{note}", "name_font": {**font, "size": 12}})
        # Categories top-down in ranking order; the value axis then crosses at the bottom.
        chart.set_y_axis({"reverse": True, "crossing": "max", "interval_unit": 1,  # every unit named
                          "num_font": {**font, "size": 9}})
        chart.set_x_axis({"min": 0, "num_font": font,
                          "major_gridlines": {"visible": True, "line": {"color": GRID_COLOR}}})
        height = int(min(PAGE_ROWS * ROW_PX, max(10 * ROW_PX, size * BAR_PX + CHART_FRAME_PX)))
        chart.set_size({"width": width_px, "height": height})
        ws.insert_chart(row, 0, chart, {"object_position": 3})  # neither moved nor sized with cells
        row += max(-(-height // ROW_PX), size + 1) + 1

    ws.set_column(0, PAGE_COLUMNS - 1, PAGE_COLUMN_WIDTH)
    ws.set_column(DATA_COL, DATA_COL, 24.0)
    ws.set_column(DATA_COL + 1, DATA_COL + 2, 10.0)
    ws.print_area(0, 0, max(row - 2, 0), PAGE_COLUMNS - 1)
    setup_page(ws, f"{styles.page_title} 图表", repeat=None, widths=[PAGE_COLUMN_WIDTH] * PAGE_COLUMNS,
               landscape=False, breaks=breaks, last_row=max(row - 2, 0))
    ws.hide_gridlines(2)


