"""生成信息: where these results came from, for whoever must reproduce them: the criteria file
and its SHA-256, the scheme's id and version, the period code, the tool version, the time."""

from __future__ import annotations

from pathlib import PurePath

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook

import scoring
from scoring.report.layout import Column, Styles, column_width, fit_row_heights
from scoring.report.paging import new_sheet, setup_page
from scoring.result import Result

SHEET = "生成信息"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TEXT_WIDTH = 56.0  # a SHA-256 takes two lines


def provenance(result: Result, office: str | None = None) -> list[tuple[str, str]]:
    scheme, period = result.scheme, result.period
    files = [PurePath(s).name for s in scheme.sources]
    rows = [
        ("发文单位", office or "未设置"),
        ("考评方案", scheme.name + (f"(版本 {scheme.version})" if scheme.version else "")),
        ("方案编号", scheme.id),
        ("考评标准文件", PurePath(scheme.source).name if scheme.source else "未记录"),
        ("文件 SHA-256", scheme.sha256 or "未记录"),
    ]
    if len(files) > 1:
        rows.append(("继承的标准文件", "、".join(files[1:])))
    rows += [
        ("考评期间", f"{period.chinese}(期间代码 {period.label})"),
        ("工具版本", f"政务公开考评工具 {scoring.__version__}"),
        ("生成时间", result.generated_at.strftime(TIME_FORMAT)),
    ]
    return rows


def write_provenance(wb: Workbook, styles: Styles, result: Result, office: str | None = None) -> None:
    ws = new_sheet(wb, SHEET)
    rows = provenance(result, office)
    for row, (label, text) in enumerate(rows):
        ws.write_string(row, 0, label, styles.label)
        ws.write_string(row, 1, text, styles.cell("wrap"))
    widths = [column_width(Column("", pd.Series([label for label, _ in rows])), 0), TEXT_WIDTH]
    ws.set_column(0, 0, widths[0])
    ws.set_column(1, 1, widths[1])
    fit_row_heights(ws, np.arange(len(rows)), [(Column("", pd.Series([t for _, t in rows])), TEXT_WIDTH)])
    setup_page(ws, f"{styles.page_title} 生成信息", repeat=None, widths=widths, landscape=False)
