"""The review workbook: what was extracted, for a person to check before scoring.

Sheet 提取结果 (first, so the data reader takes it) has one row per number with the sentence or
table row it came from, whether it came from a table or the text (出处), its confidence and how
sure the unit is (单位匹配: 确定 / 待确认 / 未匹配); the uncertain rows come first (unit not
certain, then low confidence), so a clerk checks those first. A person writes 删除 in 核对 to
strike a row or corrects 数值. The corrected workbook is itself a valid input (`score --input
DIR/review/2021_review.xlsx`). Sheets 报告清单 and 数据问题 list the reports found and the issues.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scoring.issues import SEVERITY_NAMES
from scoring.vocabulary import display_name

if TYPE_CHECKING:
    from scoring.extract.run import Extraction

VALUE_HEADERS = ["单位", "单位匹配", "指标", "数值", "期间", "来源文件", "出处", "依据原文", "约数", "置信度", "核对"]
REPORT_HEADERS = ["文件", "文件内序号", "单位", "单位匹配", "报告中的写法", "单位依据", "最接近的名单单位", "标题",
                  "提取数值个数", "雷同度", "最相似报告"]
_MATCH_ORDER = {"未匹配": 0, "待确认": 1, "未提供名单": 2, "确定": 3}
ISSUE_HEADERS = ["级别", "说明", "文件", "单位", "指标"]


def write_review(extraction: Extraction, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    styles = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "top": workbook.add_format({"valign": "top"}),
        "confidence": workbook.add_format({"num_format": "0.00", "valign": "top"}),
        "number": workbook.add_format({"num_format": "General", "valign": "top"}),
    }
    _values_sheet(workbook, extraction, styles)
    _reports_sheet(workbook, extraction, styles)
    _issues_sheet(workbook, extraction, styles)
    workbook.close()


def _values_sheet(workbook, extraction: Extraction, styles: dict) -> None:
    sheet = workbook.add_worksheet("提取结果")
    _header(sheet, VALUE_HEADERS, [18, 8, 22, 12, 8, 34, 6, 70, 6, 8, 8], styles)
    values = extraction.values.assign(_rank=extraction.values["unit_match"].map(_MATCH_ORDER).fillna(0))
    values = values.sort_values(["_rank", "confidence"], kind="stable")
    columns = zip(values["unit_name"], values["unit_match"], values["metric"], values["value"], values["period"],
                  values["source"], values["origin"], values["evidence"], values["approx"], values["confidence"])
    for row, (unit, match, metric, value, period, source, origin, evidence, approx, confidence) in enumerate(
            columns, start=1):
        sheet.write_string(row, 0, unit, styles["top"])
        sheet.write_string(row, 1, match, styles["top"])
        sheet.write_string(row, 2, display_name(metric), styles["top"])
        sheet.write_number(row, 3, float(value), styles["number"])
        sheet.write_string(row, 4, period, styles["top"])
        sheet.write_string(row, 5, source, styles["top"])
        sheet.write_string(row, 6, origin, styles["top"])
        sheet.write_string(row, 7, evidence, styles["wrap"])
        sheet.write_string(row, 8, "是" if approx else "否", styles["top"])
        sheet.write_number(row, 9, float(confidence), styles["confidence"])
        sheet.write_blank(row, 10, None, styles["top"])
    if len(values):
        sheet.data_validation(1, 10, len(values), 10, {
            "validate": "list", "source": ["删除"], "error_type": "information",
            "input_title": "核对", "input_message": "留空 = 保留;写“删除” = 不采用此行。数值有误请直接改“数值”列。",
        })
    sheet.autofilter(0, 0, max(len(values), 1), len(VALUE_HEADERS) - 1)


def _reports_sheet(workbook, extraction: Extraction, styles: dict) -> None:
    sheet = workbook.add_worksheet("报告清单")
    _header(sheet, REPORT_HEADERS, [34, 8, 18, 8, 20, 8, 30, 44, 10, 8, 60], styles)
    reports = extraction.reports
    rows = zip(reports["file"], reports["index"], reports["unit_name"], reports["unit_match"],
               reports["unit_written"], reports["unit_via"], reports["candidate"], reports["title"],
               reports["values"], reports["similarity"], reports["most_similar"])
    for row, cells in enumerate(rows, start=1):
        file, index, unit, match, written, via, candidate, title, count, similarity, similar = cells
        sheet.write_string(row, 0, file, styles["top"])
        sheet.write_number(row, 1, int(index), styles["top"])
        for column, text in enumerate((unit, match, written, via, candidate), start=2):
            sheet.write_string(row, column, text, styles["top"])
        sheet.write_string(row, 7, title, styles["wrap"])
        sheet.write_number(row, 8, int(count), styles["top"])
        sheet.write_number(row, 9, float(similarity), styles["confidence"])
        sheet.write_string(row, 10, similar, styles["wrap"])


def _issues_sheet(workbook, extraction: Extraction, styles: dict) -> None:
    sheet = workbook.add_worksheet("数据问题")
    _header(sheet, ISSUE_HEADERS, [8, 80, 34, 18, 20], styles)
    for row, issue in enumerate(extraction.issues, start=1):
        sheet.write_string(row, 0, SEVERITY_NAMES[issue.severity], styles["top"])
        sheet.write_string(row, 1, issue.message, styles["wrap"])
        sheet.write_string(row, 2, issue.file or "", styles["top"])
        sheet.write_string(row, 3, issue.unit or "", styles["top"])
        sheet.write_string(row, 4, display_name(issue.metric) if issue.metric else "", styles["top"])


def _header(sheet, headers: list[str], widths: list[int], styles: dict) -> None:
    for column, (text, width) in enumerate(zip(headers, widths)):
        sheet.write_string(0, column, text, styles["header"])
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
