"""评分标准: the scheme in words (classes, grades, tie-breaks) and the indicator tree with every
rule, so a reader can recheck any score by hand. No internal ids: those, with the criteria file,
its fingerprint and the tool version, are on the 生成信息 sheet."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook

from scoring.report.layout import (
    Column,
    Styles,
    column_width,
    fit_widths,
    points_label,
    write_header,
    write_rows,
)
from scoring.report.paging import new_sheet, setup_page
from scoring.result import Result
from scoring.scheme.describe import describe_extras, describe_scheme
from scoring.scheme.model import Scheme

SHEET = "评分标准"
NAME_WIDTH = 30  # an indicator's name with the classes it does not apply to
KIND_NAMES = {"indicator": "指标", "bonus": "加分项", "penalty": "扣分项", "veto": "否决项"}


def header_block(result: Result) -> list[tuple[str, str]]:
    """(label, text) pairs shown above the indicator tree."""
    scheme, period = result.scheme, result.period
    block = [
        ("考评方案", scheme.name + (f"(版本 {scheme.version})" if scheme.version else "")),
        ("考评期间", f"{period.chinese}({period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d})"),
        ("满分", f"{points_label(scheme.total)} 分,得分保留 {scheme.precision} 位小数(四舍五入)"),
    ]
    extras = describe_extras(scheme)  # classes, grades, tie-breaks in words
    block += [("考评规则" if i == 0 else "", line) for i, line in enumerate(extras)]
    return block


def tree_frame(scheme: Scheme) -> pd.DataFrame:
    rows = describe_scheme(scheme)
    return pd.DataFrame(
        {
            "层级": [r.level for r in rows],
            "类型": [KIND_NAMES.get(r.kind, r.kind) for r in rows],
            "名称": [r.name for r in rows],
            "分值": [r.points for r in rows],
            "数据项": [_metric_text(scheme, r.metric) for r in rows],
            "评分规则": [r.rule_text for r in rows],
        }
    )


def _metric_text(scheme: Scheme, metric: str | None) -> str:
    return scheme.metric_label(metric)[0] if metric else ""


def write_criteria(wb: Workbook, styles: Styles, result: Result) -> None:
    ws = new_sheet(wb, SHEET)
    block = header_block(result)
    tree = tree_frame(result.scheme)
    for row, (label, text) in enumerate(block):
        ws.write_string(row, 0, label, styles.label)
        ws.merge_range(row, 1, row, len(tree.columns) - 1, "", styles.cell("text"))
        ws.write_string(row, 1, text, styles.cell("text"))

    kinds = {"层级": "int", "分值": "general", "数据项": "wrap", "评分规则": "wrap"}
    labels = column_width(Column("", pd.Series([label for label, _ in block])), 0)  # the block's labels above
    columns = [Column(h, tree[h], kinds.get(h, "text"), max_width=NAME_WIDTH if h == "名称" else None,
                      min_width=labels if i == 0 else None) for i, h in enumerate(tree.columns)]
    header_row, first = len(block) + 1, len(block) + 2
    write_header(ws, header_row, list(tree.columns), styles.header)
    name_col = list(tree.columns).index("名称")
    write_rows(ws, styles, first, columns[:name_col])
    write_rows(ws, styles, first, columns[name_col + 1 :], first_col=name_col + 1)
    for i, (level, name) in enumerate(zip(tree["层级"].tolist(), tree["名称"].tolist())):
        ws.write_string(first + i, name_col, str(name), styles.indent[min(max(int(level) - 1, 0), 3)])
    last = max(first + len(tree) - 1, header_row)

    ws.autofilter(header_row, 0, last, len(columns) - 1)
    ws.freeze_panes(first, 0)
    widths = fit_widths(ws, columns, styles.precision, header_row=header_row, first_row=header_row + 1)
    setup_page(ws, f"{styles.page_title} 评分标准", repeat=(header_row, header_row), widths=widths)
