"""图表: a native Excel bar chart of total scores per class, in ranking order.

Each chart reads a small table written beside it on this sheet (单位, 总分), so the chart
stays live if someone edits the numbers and nothing is drawn from values the sheet lacks.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook

from scoring.report.frames import RankingTable
from scoring.report.layout import FONT, Column, Styles, column_width, setup_page, write_header, write_rows
from scoring.result import Result

SHEET = "图表"
CHART_UNITS = 60  # bars per chart: a class with more units shows its first 60 (排名 has them all)
ROW_PX = 20  # default row height in pixels
CHART_COL = 3
MIN_ROWS = 14
BAR_COLOR, VETO_COLOR, GRID_COLOR = "#5B9BD5", "#C00000", "#D9D9D9"


def write_chart(wb: Workbook, styles: Styles, result: Result, table: RankingTable) -> None:
    ws = wb.add_worksheet(SHEET)
    ws.write_string(0, 0, "各单位总分(按排名顺序,红色为单项否决)", styles.note)
    font = {"name": FONT["font_name"], "charset": FONT["font_charset"]}
    names = table.order["name"].reset_index(drop=True)
    totals = table.order["total"].reset_index(drop=True)
    score_format = "0" if styles.precision == 0 else "0." + "0" * styles.precision
    row = 2
    for block in table.blocks:
        units = block.stop - block.start
        if units == 0:
            continue
        size = min(units, CHART_UNITS)
        label = block.name or "全部单位"
        shown = "" if size == units else f"(前 {size} 名,共 {units} 个单位,全部见“排名”表)"
        ws.write_string(row, 0, label + shown, styles.label)
        write_header(ws, row + 1, ["单位", "总分"], styles.header)
        first, last = row + 2, row + 1 + size
        rows = slice(block.start, block.start + size)
        part = [Column("单位", names.iloc[rows]), Column("总分", totals.iloc[rows], "score")]
        write_rows(ws, styles, first, part, table.vetoed[rows])

        chart = wb.add_chart({"type": "bar"})
        vetoed = table.vetoed[rows].tolist()
        red_bars = [{"fill": {"color": VETO_COLOR}} if v else None for v in vetoed] if any(vetoed) else None
        chart.add_series(
            {
                "name": f"{label}总分",
                "categories": [SHEET, first, 0, last, 0],
                "values": [SHEET, first, 1, last, 1],
                "fill": {"color": BAR_COLOR},
                "points": red_bars,
                "data_labels": {"value": True, "num_format": score_format, "font": font},
            }
        )
        title = f"{label}总分排名" + ("" if size == units else f"(前 {size} 名)")
        chart.set_title({"name": title, "name_font": {**font, "size": 12}})
        # Categories top-down in ranking order; the value axis then crosses at the bottom.
        chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font, "interval_unit": 1})  # every unit labelled
        gridlines = {"visible": True, "line": {"color": GRID_COLOR}}
        chart.set_x_axis({"min": 0, "num_font": font, "major_gridlines": gridlines})
        chart.set_legend({"none": True})
        spanned = max(size + 2, MIN_ROWS)  # sheet rows the chart covers
        chart.set_size({"width": 760, "height": spanned * ROW_PX})
        ws.insert_chart(row, CHART_COL, chart)
        row += spanned + 2

    ws.set_column(0, 0, max(column_width(Column("单位", names), styles.precision), 12.0))
    ws.set_column(1, 1, 10.0)
    setup_page(ws, f"{result.scheme.name} 图表", repeat=None)
    ws.hide_gridlines(2)
