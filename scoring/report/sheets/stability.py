"""排名稳定性: how sure each rank is (written only when the run asked for `--stability`).

One row per unit in ranking order: its rank, the median and the 5–95% interval of its rank over
the draws, the interval drawn as a bar over the class's ranks, its grade and the share of draws
keeping it, and whether its order with the next unit holds in 95% of draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.report.layout import Column, Styles, fit_widths, write_header, write_rows
from scoring.report.paging import new_sheet, setup_page
from scoring.result import Result
from scoring.stability import HIGH, LOW, SETTLED, Stability

SHEET = "排名稳定性"
BAR_WIDTH = 20  # characters of the rank-interval bar


def unsettled_note(next_rank: float) -> str:
    """The mark 排名 and this sheet put on a unit whose order with the next one is not settled."""
    return f"与第{int(next_rank)}名差异不显著"


def stability_frame(stability: Stability) -> pd.DataFrame:
    """The sheet's table, also the JSON's `stability` rows (Chinese headers here, ids there)."""
    u = stability.units
    size = u.groupby("class")["rank"].transform("max").to_numpy(dtype=float)
    low, high = u["rank_low"].to_numpy(dtype=float), u["rank_high"].to_numpy(dtype=float)
    interval = np.where(low == high, low.astype(int).astype(str),
                        np.char.add(np.char.add(low.astype(int).astype(str), "–"), high.astype(int).astype(str)))
    settled = u["settled"].to_numpy(dtype=bool)
    note = np.where(settled, "", [unsettled_note(r) if r == r else "" for r in u["next_rank"]])
    return pd.DataFrame({
        "类别": u["class_name"].to_numpy(),
        "排名": u["rank"].to_numpy(),
        "单位": u["name"].to_numpy(),
        "名次中位数": u["median_rank"].to_numpy(),
        f"名次区间({LOW}%–{HIGH}%)": interval,
        "区间图": [_bar(a, b, s) for a, b, s in zip(low, high, size)],
        "等次": u["grade"].to_numpy(),
        "保持等次的概率": [f"{p:.0%}" for p in u["grade_probability"]],
        "领先下一名的抽样比例": [f"{p:.0%}" if p == p else "" for p in u["ahead_share"]],
        "与下一名": note,
    })


def _bar(low: float, high: float, size: float) -> str:
    """▕░░███░░░▏ over ranks 1..size of the class: the filled part is the rank interval."""
    if not size or size != size:
        return ""
    scale = BAR_WIDTH / size
    start = int(np.floor((low - 1) * scale))
    stop = max(start + 1, int(np.ceil(high * scale)))
    return "░" * start + "█" * (stop - start) + "░" * (BAR_WIDTH - stop)


def write_stability(wb: Workbook, styles: Styles, result: Result, stability: Stability) -> None:
    ws = new_sheet(wb, SHEET)
    frame = stability_frame(stability)
    ws.write_string(0, 0, f"{styles.page_title} 排名稳定性", styles.title)
    weights = f",一级指标权重各上下浮动 {stability.weights:.0%}" if stability.weights else ""
    ws.write_string(1, 0, (
        f"按 {stability.draws} 次抽样(随机种子 {stability.seed}{weights}),{stability.uncertain_values} 个数值"
        f"有不确定性;相邻名次中有 {stability.unsettled} 对差异不显著(上一名领先的抽样不足 {SETTLED:.0%})。"
        "说明见 docs/排名稳定性.md。"
    ), styles.note)
    kinds = {"排名": "int", "名次中位数": "general"}
    columns = [Column(h, frame[h], kinds.get(h, "text")) for h in frame.columns]
    header = 3
    write_header(ws, header, list(frame.columns), styles.header)
    red = frame["与下一名"].to_numpy(dtype=object) != ""
    last = write_rows(ws, styles, header + 1, columns, red=red) - 1
    ws.autofilter(header, 0, max(last, header), len(columns) - 1)
    ws.freeze_panes(header + 1, 3)
    widths = fit_widths(ws, columns, styles.precision, header_row=header, first_row=header + 1)
    setup_page(ws, f"{styles.page_title} 排名稳定性", repeat=(header, header), widths=widths)
