"""`score form`: the fill-in workbook for the metrics units report themselves (`source: unit`).

Each unit gets a sheet (in its own file, or all in one workbook) that is a long table the
ordinary reader reads as it is: 单位编码, 单位, 指标, 数值 columns, one row per metric, with the
metric's unit and a fill-in note beside it. The unit's code and name are prefilled, the sheet
is protected except the 数值 and 备注 cells, and Excel checks what is typed (whole numbers ≥ 0,
percentages 0–100, 是/否 lists). A hidden sheet marks the file as a form, so that the loader
can tell a unit that sent two different forms, and the units that sent none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scoring.data.forms import MARKER_SHEET  # hidden; its presence makes a workbook a form
from scoring.data.names import COUNT_UNITS
from scoring.periods import Period
from scoring.report.names import sheet_names
from scoring.report.output import atomic_write_all, choose_paths
from scoring.scheme.model import Scheme

HEADERS = ("序号", "单位编码", "单位", "指标", "计量单位", "数值", "备注", "填报说明")
VALUE_COL, NOTE_COL = HEADERS.index("数值"), HEADERS.index("备注")
HEADER_ROW = 3  # 0-based: title, unit line, instructions, then the header
FONT = {"font_name": "宋体", "font_charset": 134, "font_size": 11}
INSTRUCTIONS = ("请只在“数值”列填写本单位本期数据,需要说明的写在“备注”列;不适用的填“不适用”。"
                "其他单元格已锁定,请勿改动表格结构。填好后将本文件发回考评办公室。")


@dataclass(frozen=True)
class FormRow:
    metric: str
    name: str
    unit: str
    kind: str  # count | percent | yes_no | number
    note: str


def form_rows(scheme: Scheme) -> list[FormRow]:
    """The metrics units report themselves, in the order the criteria first use them."""
    rows: list[FormRow] = []
    seen: set[str] = set()
    yes_no = {leaf.metric for leaf in scheme.leaves() if getattr(leaf.rule, "type", None) == "boolean"}

    def add(metric: str | None) -> None:
        if not metric or metric in seen:
            return
        seen.add(metric)
        spec = scheme.metric_spec(metric)
        if spec is not None and spec.derived and not spec.source:
            from scoring.expressions import Expression

            for part in spec.ratio or sorted(Expression(spec.expr or "0").names):
                add(part)
            return
        if scheme.metric_sources(metric) != ("unit",):
            return
        name, unit = scheme.metric_label(metric)
        kind = "yes_no" if metric in yes_no else "percent" if unit == "%" else "count" if unit in COUNT_UNITS \
            else "number"
        rows.append(FormRow(metric, name, "" if kind == "yes_no" else unit, kind,
                            (spec.description if spec and spec.description else "") or _default_note(kind, unit)))

    for leaf in scheme.leaves():
        add(leaf.metric)
    for item in (*(scheme.bonus.items if scheme.bonus else ()), *scheme.penalties):
        add(item.metric)
    for veto in scheme.vetoes:
        add(veto.metric)
    return rows


def _default_note(kind: str, unit: str) -> str:
    return {
        "count": f"填写本期{unit}数,整数,没有填0",
        "percent": "填写百分比数值,0到100之间,如 95.5",
        "yes_no": "从下拉列表选择“是”或“否”",
        "number": f"填写数值{f'(单位:{unit})' if unit else ''}",
    }[kind]


def write_forms(scheme: Scheme, units: pd.DataFrame, period: Period, folder: Path, office: str = "",
                one_workbook: bool = False, overwrite: bool = False) -> tuple[list[Path], bool]:
    """One file per unit (<单位>.xlsx), or one workbook with a sheet per unit; (paths, renamed?)."""
    rows = form_rows(scheme)
    title = f"{scheme.name}数据填报表({period.chinese})"
    people = list(zip(units["unit_id"].astype(str), units["name"].astype(str)))
    if one_workbook:
        wanted = [Path(folder) / f"{_safe(scheme.name)}_{period.label}_填报表.xlsx"]
        groups = [people]
    else:
        wanted = [Path(folder) / f"{_safe(name)}_{period.label}_填报表.xlsx" for _, name in people]
        groups = [[unit] for unit in people]
    paths, renamed = choose_paths(wanted, overwrite)
    jobs: list[tuple[Path, Callable[[Path], None]]] = [
        (path, lambda tmp, g=group: _write_workbook(tmp, g, rows, title, office, scheme, period))
        for path, group in zip(paths, groups)
    ]
    atomic_write_all(jobs)
    return paths, renamed


def _safe(text: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in text).strip() or "单位"


def _write_workbook(path: Path, units: list[tuple[str, str]], rows: list[FormRow], title: str, office: str,
                    scheme: Scheme, period: Period) -> None:
    from xlsxwriter.workbook import Workbook

    with Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                              "strings_to_numbers": False}) as wb:
        f = _Formats(wb)
        for (unit_id, name), sheet in zip(units, sheet_names([n for _, n in units], {MARKER_SHEET})):
            _write_sheet(wb.add_worksheet(sheet), f, unit_id, name, rows, title, office, period)
        marker = wb.add_worksheet(MARKER_SHEET)
        for i, (label, value) in enumerate((("考评方案", scheme.name), ("方案编号", scheme.id),
                                            ("期间", period.label), ("单位数", str(len(units))))):
            marker.write_string(i, 0, label)
            marker.write_string(i, 1, value)
        marker.hide()


class _Formats:
    def __init__(self, wb):
        border = {**FONT, "border": 1, "valign": "vcenter", "text_wrap": True}
        self.title = wb.add_format({**FONT, "font_size": 16, "bold": True, "align": "center"})
        self.line = wb.add_format({**FONT})
        self.note = wb.add_format({**FONT, "text_wrap": True, "valign": "top", "font_color": "#595959"})
        self.header = wb.add_format({**border, "bold": True, "align": "center", "bg_color": "#DDEBF7"})
        self.locked = wb.add_format({**border, "bg_color": "#F2F2F2"})
        self.input = wb.add_format({**border, "locked": False, "bg_color": "#FFFFFF"})


def _write_sheet(ws, f: _Formats, unit_id: str, name: str, rows: list[FormRow], title: str, office: str,
                 period: Period) -> None:
    last = len(HEADERS) - 1
    ws.merge_range(0, 0, 0, last, title, f.title)
    ws.merge_range(1, 0, 1, last, f"填报单位:{name}    单位编码:{unit_id}    填报期间:{period.label}"
                   + (f"    考评办公室:{office}" if office else ""), f.line)
    ws.merge_range(2, 0, 2, last, INSTRUCTIONS, f.note)
    ws.set_row(2, 32)
    for j, header in enumerate(HEADERS):
        ws.write_string(HEADER_ROW, j, header, f.header)
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        cells = (str(i - HEADER_ROW), unit_id, name, row.name, row.unit, None, None, row.note)
        for j, text in enumerate(cells):
            if j in (VALUE_COL, NOTE_COL):
                ws.write_blank(i, j, None, f.input)
            else:
                ws.write_string(i, j, text, f.locked)
        _validate(ws, i, row)
    for j, width in enumerate((5, 10, 18, 26, 8, 12, 24, 34)):
        ws.set_column(j, j, width)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW, HEADER_ROW)


def _validate(ws, row: int, form_row: FormRow) -> None:
    """Excel checks what is typed. A count or percentage may still be "不适用": Excel warns and
    lets it through (the reader understands it); a 是/否 cell takes only the list."""
    if form_row.kind == "yes_no":
        ws.data_validation(row, VALUE_COL, row, VALUE_COL, {
            "validate": "list", "source": ["是", "否", "不适用"], "error_title": "请从列表中选择",
            "error_message": "请填写“是”“否”或“不适用”。"})
        return
    checks = {
        "count": ({"validate": "integer", "criteria": ">=", "value": 0}, "应为不小于0的整数"),
        "percent": ({"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100}, "应为0到100之间的数"),
        "number": ({"validate": "decimal", "criteria": ">=", "value": 0}, "应为不小于0的数"),
    }
    check, message = checks[form_row.kind]
    ws.data_validation(row, VALUE_COL, row, VALUE_COL, {
        **check, "error_type": "warning", "error_title": "数值有误", "error_message": f"{form_row.name}{message}。",
        "input_title": form_row.name[:32], "input_message": form_row.note[:255]})
