"""排名: the 通报 leadership reads and the clerk prints.

Title (office's place + period in Chinese), the issuing office and date, a summary line, then one
ranked block per class, each starting on a new printed page, with the essential columns only
(排名, 单位, 总分, 等次, first-level indicators, 排名变化) and, in words, 主要失分 and 备注 (ties,
rescaling, bonus and penalty, data missing, veto, rounding). Everything else of a unit's line is
in 指标得分. Vetoed units are red and last in their block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from scoring.report.bulletin import grade_counts, issuer_line, report_title
from scoring.report.frames import RankingTable
from scoring.report.layout import (
    Column,
    Styles,
    fit_row_heights,
    fit_widths,
    write_header,
    write_rows,
)
from scoring.report.paging import new_sheet, set_height, setup_page
from scoring.report.remarks import MISSING_MARK, ROUNDING_NOTE, losses, main_losses, row_notes
from scoring.report.sheets.stability import unsettled_note
from scoring.result import Result

if TYPE_CHECKING:
    from scoring.stability import Stability

SHEET = "排名"
TITLE_ROW, ISSUER_ROW, SUMMARY_ROW, HEADER_ROW = 0, 1, 2, 3
ESSENTIAL = ("排名", "单位", "总分", "等次")
CHANGE = "排名变化"
UNIT_WIDTH = 12  # a long department name takes two lines
LOSSES = "主要失分(分)"
NOTE_LOSSES = f"“主要失分”按失分多少列出前三项;注明“{MISSING_MARK}”的,是因未报送数据而失分,不代表工作本身。"
NOTE_VETO = "红色标记的单位被单项否决,排在本类别最后。"
NOTE_RESCALE = "不考核部分指标的单位,按适用指标满分折算为总分(见“备注”中的折算前得分和折算系数)。"
NOTE_STABILITY = "“差异不显著”:按数据的不确定性抽样 {draws} 次,相邻两名的先后在不足 95% 的抽样中保持,详见“排名稳定性”表。"
NOTE_ROUNDING = f"各项得分按四舍五入显示;各项之和因此与总分相差时,“备注”中注明“{ROUNDING_NOTE}”。"


def sheet_title(result: Result, office: str | None = None) -> str:
    return report_title(result.scheme.name, result.period, office)


def print_columns(result: Result, table: RankingTable, stability: "Stability | None" = None) -> list[Column]:
    """The columns 排名 shows: essential ones, first-level indicators, change, then words."""
    by_header = {c.header: c for c in table.columns}
    group_headers = list(table.excluded.columns)
    columns = [by_header[h] for h in ESSENTIAL]
    columns[1] = Column("单位", columns[1].values, "wrap", max_width=UNIT_WIDTH)
    columns += [by_header[h] for h in group_headers]
    if CHANGE in by_header:
        columns.append(Column("变化", by_header[CHANGE].values))
    shown = np.column_stack([by_header[h].values.to_numpy(dtype=float) for h in group_headers]) \
        if group_headers else np.zeros((len(table.order), 0))
    lost = losses(result, table.order.index)  # read once for both texts
    remarks = row_notes(result, table.order, shown, lost)
    if stability is not None:
        remarks = _with_stability(remarks, table, stability)
    columns += [
        Column(LOSSES, main_losses(result, table.order.index, lost=lost), "wrap"),
        Column("备注", remarks, "wrap"),
    ]
    return columns


def _with_stability(remarks, table: RankingTable, stability: "Stability"):
    """“与第16名差异不显著” added to the 备注 of a unit whose order with the next is not settled."""
    units = stability.units.set_index("unit_id")
    unsettled = ~units["settled"].reindex(table.order.index.astype(str)).fillna(True).to_numpy(dtype=bool)
    marks = [unsettled_note(r) if u else "" for u, r in
             zip(unsettled, units["next_rank"].reindex(table.order.index.astype(str)).to_numpy())]
    joined = [";".join(p for p in (str(a), m) if p) for a, m in zip(remarks.fillna("").tolist(), marks)]
    return remarks.__class__(joined, index=remarks.index)


def write_ranking(wb: Workbook, styles: Styles, result: Result, table: RankingTable, office: str | None = None,
                  stability: "Stability | None" = None) -> None:
    ws = new_sheet(wb, SHEET)
    columns = print_columns(result, table, stability)
    headers = [c.header for c in columns]
    last_col = len(headers) - 1
    title = sheet_title(result, office)
    _banner(ws, styles, TITLE_ROW, last_col, title, styles.title, 32)
    _banner(ws, styles, ISSUER_ROW, last_col, issuer_line(office, result.generated_at), styles.centered, 20)
    labels = [g.label for g in result.scheme.grades]
    _banner(ws, styles, SUMMARY_ROW, last_col, grade_counts(table.order, labels) + "。", styles.plain, 20)
    write_header(ws, HEADER_ROW, headers, styles.header)

    with_blocks = bool(result.scheme.classes)
    sheet_rows = np.empty(len(table.order), dtype=int)  # sheet row of each ranking position
    breaks: list[int] = []
    row = HEADER_ROW + 1
    for block in table.blocks:
        size = block.stop - block.start
        if size == 0:
            continue
        if with_blocks:
            if row > HEADER_ROW + 1:
                breaks.append(row)  # each class starts a new printed page
            counts = grade_counts(table.order.iloc[block.start:block.stop], labels)
            ws.merge_range(row, 0, row, last_col, "", styles.label)
            ws.write_string(row, 0, f"{block.name}({counts.replace('参评单位 ', '共 ', 1)})", styles.label)
            row += 1
        part = [Column(c.header, c.values.iloc[block.start:block.stop], c.kind) for c in columns]
        sheet_rows[block.start:block.stop] = np.arange(row, row + size)
        row = write_rows(ws, styles, row, part, table.vetoed[block.start:block.stop])
    _mark_not_applicable(ws, styles, table, headers, sheet_rows)
    last_row = max(row - 1, HEADER_ROW)
    notes = _notes(table, columns[-1].values, stability)
    for i, note in enumerate(notes):
        ws.merge_range(last_row + 2 + i, 0, last_row + 2 + i, last_col, "", styles.note)
        ws.write_string(last_row + 2 + i, 0, note, styles.note)

    ws.freeze_panes(HEADER_ROW + 1, headers.index("单位") + 1)
    widths = fit_widths(ws, columns, styles.precision, header_row=HEADER_ROW)
    fit_row_heights(ws, sheet_rows, [(c, w) for c, w in zip(columns, widths) if c.kind == "wrap"])
    ws.print_area(0, 0, last_row + 1 + len(notes), last_col)
    setup_page(ws, title, repeat=(HEADER_ROW, HEADER_ROW), widths=widths, breaks=breaks,
               last_row=last_row + 1 + len(notes))


def _notes(table: RankingTable, remarks, stability: "Stability | None" = None) -> list[str]:
    """The notes under the table that apply to this run, numbered."""
    rescaled = (table.order["rescale"].to_numpy(dtype=float) != 1.0).any()
    rounded = remarks.str.contains(ROUNDING_NOTE, regex=False).any()
    wanted = [NOTE_LOSSES] + [NOTE_VETO] * bool(table.vetoed.any()) + [NOTE_RESCALE] * bool(rescaled) \
        + [NOTE_ROUNDING] * bool(rounded) + ([NOTE_STABILITY.format(draws=stability.draws)] if stability is not None and stability.unsettled else [])
    return [("注:" if i == 0 else "") + f"{i + 1}. {text}" for i, text in enumerate(wanted)]


def _banner(ws: Worksheet, styles: Styles, row: int, last_col: int, text: str, fmt, height: float) -> None:
    ws.merge_range(row, 0, row, last_col, "", fmt)
    ws.write_string(row, 0, text, fmt)
    set_height(ws, row, height)


def _mark_not_applicable(
    ws: Worksheet, styles: Styles, table: RankingTable, headers: list[str], sheet_rows: np.ndarray
) -> None:
    """First-level indicators a unit's class does not score show 不适用 instead of a number."""
    for header in table.excluded.columns:
        col = headers.index(header)
        for pos in np.flatnonzero(table.excluded[header].to_numpy()).tolist():
            ws.write_string(int(sheet_rows[pos]), col, "不适用", styles.cell("text", bool(table.vetoed[pos])))


