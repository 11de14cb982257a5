"""指标得分: units × leaf indicators, points earned, coloured from red (0) to green (full marks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.report.layout import (
    Column,
    Styles,
    fit_widths,
    is_plain,
    points_label,
    setup_page,
    write_header,
    write_rows,
)
from scoring.result import Result

SHEET = "指标得分"
BAND_ROW, HEADER_ROW = 0, 1
KEY_COLUMNS = 2  # 单位, 类别
NOT_SCORED = ("not_applicable", "excluded")
_SCALE = {"min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}


def write_scores(wb: Workbook, styles: Styles, result: Result, order: pd.DataFrame) -> None:
    ws = wb.add_worksheet(SHEET)
    leaves = result.scheme.leaves()
    ids = [leaf.id for leaf in leaves]
    points, not_scored = _leaf_grid(result.details, order.index, ids)

    columns = [
        Column("单位", order["name"].reset_index(drop=True)),
        Column("类别", order["class_name"].reset_index(drop=True)),
    ]
    columns += [
        Column(
            f"{leaf.title}(满分{points_label(leaf.points)})",
            pd.Series(np.where(not_scored[:, i], np.nan, points[:, i])),
            "score",
            pd.Series(np.where(not_scored[:, i], "不适用", ""), dtype=object),
        )
        for i, leaf in enumerate(leaves)
    ]
    _write_bands(ws, styles, result)
    write_header(ws, HEADER_ROW, [c.header for c in columns], styles.header)
    first = HEADER_ROW + 1
    last = write_rows(ws, styles, first, columns, plain=is_plain(len(order))) - 1
    if last >= first:
        for i, leaf in enumerate(leaves):
            if leaf.points > 0:
                scale = {"type": "3_color_scale", "min_type": "num", "min_value": 0, "mid_type": "num",
                         "mid_value": leaf.points / 2, "max_type": "num", "max_value": leaf.points, **_SCALE}
                ws.conditional_format(first, KEY_COLUMNS + i, last, KEY_COLUMNS + i, scale)

    ws.autofilter(HEADER_ROW, 0, max(last, HEADER_ROW), len(columns) - 1)
    ws.freeze_panes(first, KEY_COLUMNS)
    fit_widths(ws, columns, styles.precision, header_row=HEADER_ROW)
    setup_page(ws, f"{result.scheme.name} 指标得分", repeat=(BAND_ROW, HEADER_ROW))


def _leaf_grid(details: pd.DataFrame, unit_ids: pd.Index, leaf_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Units (in `unit_ids` order) × leaves: points earned (NaN where a unit has no row) and
    whether the unit's class or data leaves the leaf unscored."""
    leaf = (details["kind"] == "indicator").to_numpy()
    unit = pd.Index(unit_ids).get_indexer(details["unit_id"].to_numpy()[leaf])
    item = pd.Index(leaf_ids).get_indexer(details["item_id"].to_numpy()[leaf])
    known = (unit >= 0) & (item >= 0)
    points = np.full((len(unit_ids), len(leaf_ids)), np.nan)
    points[unit[known], item[known]] = details["points"].to_numpy(dtype=float)[leaf][known]
    not_scored = np.zeros(points.shape, dtype=bool)
    not_scored[unit[known], item[known]] = details["status"].isin(NOT_SCORED).to_numpy()[leaf][known]
    return points, not_scored


def _write_bands(ws, styles: Styles, result: Result) -> None:
    """Above the leaf headers, each first-level indicator spans its leaves."""
    col = KEY_COLUMNS
    for indicator in result.scheme.indicators:
        width = len(indicator.leaves())
        label = f"{indicator.title}({points_label(indicator.points)})"
        if width > 1:
            ws.merge_range(BAND_ROW, col, BAND_ROW, col + width - 1, "", styles.header)
        ws.write_string(BAND_ROW, col, label, styles.header)
        col += width
