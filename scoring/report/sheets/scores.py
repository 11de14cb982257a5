"""指标得分: per unit, what 排名 leaves out of its line (总排名, 总分, 折算前得分, 折算系数, 加分, 扣分,
否决, 上期排名, 总分变化), then every leaf indicator's points, coloured from red (0) to green (full)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.report.frames import RankingTable
from scoring.report.layout import (
    LINE_HEIGHT,
    Column,
    Styles,
    fit_widths,
    is_plain,
    points_label,
    positions,
    write_header,
    write_rows,
)
from scoring.report.paging import new_sheet, set_height, setup_page
from scoring.result import Result

SHEET = "指标得分"
BAND_ROW, HEADER_ROW = 0, 1
KEY_COLUMNS = 2  # 单位, 类别
NOT_SCORED = ("not_applicable", "excluded")
_SCALE = {"min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}


SUMMARY = ("总排名", "总分", "折算前得分", "折算系数", "加分", "扣分", "否决", "上期排名", "总分变化")
SUMMARY_BAND = "单位汇总"


def write_scores(wb: Workbook, styles: Styles, result: Result, table: RankingTable) -> None:
    ws = new_sheet(wb, SHEET)
    order = table.order
    leaves = result.scheme.leaves()
    ids = [leaf.id for leaf in leaves]
    points, not_scored = _leaf_grid(result.details, order.index, ids)

    columns = [
        Column("单位", order["name"].reset_index(drop=True)),
        Column("类别", order["class_name"].reset_index(drop=True)),
    ]
    summary = [c for c in table.columns if c.header in SUMMARY]
    columns += summary
    first_leaf = len(columns)
    columns += [
        Column(
            f"{leaf.title}(满分{points_label(leaf.points)})",
            pd.Series(np.where(not_scored[:, i], np.nan, points[:, i])),
            "score",
            pd.Series(np.where(not_scored[:, i], "不适用", ""), dtype=object),
        )
        for i, leaf in enumerate(leaves)
    ]
    _write_bands(ws, styles, result, KEY_COLUMNS, len(summary))
    write_header(ws, HEADER_ROW, [c.header for c in columns], styles.header)
    first = HEADER_ROW + 1
    last = write_rows(ws, styles, first, columns, table.vetoed, plain=is_plain(len(order))) - 1
    if last >= first:
        for i, leaf in enumerate(leaves):
            if leaf.points > 0:
                scale = {"type": "3_color_scale", "min_type": "num", "min_value": 0, "mid_type": "num",
                         "mid_value": leaf.points / 2, "max_type": "num", "max_value": leaf.points, **_SCALE}
                ws.conditional_format(first, first_leaf + i, last, first_leaf + i, scale)

    ws.autofilter(HEADER_ROW, 0, max(last, HEADER_ROW), len(columns) - 1)
    ws.freeze_panes(first, KEY_COLUMNS)
    widths = fit_widths(ws, columns, styles.precision, header_row=HEADER_ROW)
    set_height(ws, BAND_ROW, 2 * LINE_HEIGHT + 3)  # a first-level name over one narrow leaf wraps
    setup_page(ws, f"{styles.page_title} 指标得分", repeat=(BAND_ROW, HEADER_ROW), widths=widths, repeat_columns=1,
               column_breaks=[first_leaf] if summary else [])  # the leaves start a page across


def _leaf_grid(details: pd.DataFrame, unit_ids: pd.Index, leaf_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Units (in `unit_ids` order) × leaves: points earned (NaN where a unit has no row) and
    whether the unit's class or data leaves the leaf unscored."""
    leaf = (details["kind"] == "indicator").to_numpy()
    unit = positions(unit_ids, details["unit_id"])[leaf]
    item = positions(pd.Index(leaf_ids), details["item_id"])[leaf]
    known = (unit >= 0) & (item >= 0)
    points = np.full((len(unit_ids), len(leaf_ids)), np.nan)
    points[unit[known], item[known]] = details["points"].to_numpy(dtype=float)[leaf][known]
    not_scored = np.zeros(points.shape, dtype=bool)
    not_scored[unit[known], item[known]] = details["status"].isin(NOT_SCORED).to_numpy()[leaf][known]
    return points, not_scored


def _write_bands(ws, styles: Styles, result: Result, col: int, summary: int) -> None:
    """Above the headers: 单位汇总 spans the summary columns, each first-level indicator its leaves."""
    if summary:
        ws.merge_range(BAND_ROW, col, BAND_ROW, col + summary - 1, "", styles.header)
        ws.write_string(BAND_ROW, col, SUMMARY_BAND, styles.header)
        col += summary
    for indicator in result.scheme.indicators:
        width = len(indicator.leaves())
        label = f"{indicator.title}({points_label(indicator.points)})"
        if width > 1:
            ws.merge_range(BAND_ROW, col, BAND_ROW, col + width - 1, "", styles.header)
        ws.write_string(BAND_ROW, col, label, styles.header)
        col += width
