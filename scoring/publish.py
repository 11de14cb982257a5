"""`score publish`: the 评分细则 an office attaches to its 通知, as .docx and .xlsx.

Word is what offices send documents in (the 通知 itself is a .docx); python-docx writes real
Word tables with merged cells, page size and East Asian fonts, which no spreadsheet export
gives. The .xlsx is the same table for offices that prefer to edit it. Both are built from
`scheme_rows`, so the rules read exactly as `score check` prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scoring.report.layout import points_label, setup_page
from scoring.report.output import atomic_write_all, choose_paths
from scoring.scheme.document import LEVELS, SchemeRow, scheme_notes, scheme_rows
from scoring.scheme.model import Scheme

HEADERS = ("一级指标", "二级指标", "三级指标", "分值", "评分标准", "数据来源")
TITLE_FONT, BODY_FONT = "宋体", "仿宋"
DOCX_WIDTHS_CM = (3.2, 3.4, 3.0, 1.4, 11.0, 3.0)  # A4 landscape: 25.7 cm between the margins


@dataclass(frozen=True)
class Publication:
    title: str
    subtitle: str  # the office's name, when known
    rows: list[SchemeRow]
    notes: list[str]
    total: float


def publication(scheme: Scheme, office: str = "") -> Publication:
    return Publication(f"{scheme.name}评分细则", office, scheme_rows(scheme), scheme_notes(scheme), scheme.total)


def write_publication(scheme: Scheme, folder: Path, office: str = "", overwrite: bool = False) -> tuple[list[Path], bool]:
    """<name>评分细则.docx and .xlsx in `folder`, written together; (paths, renamed?)."""
    doc = publication(scheme, office)
    base = Path(folder) / f"{_file_name(doc.title)}.docx"
    paths, renamed = choose_paths([base, base.with_suffix(".xlsx")], overwrite)
    writers: list[Callable[[Path], None]] = [lambda tmp: _write_docx(doc, tmp), lambda tmp: _write_xlsx(doc, tmp)]
    atomic_write_all(list(zip(paths, writers)))
    return paths, renamed


def _file_name(text: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in text).strip() or "评分细则"


def _points(value: float | None) -> str:
    return "" if value is None else points_label(value)


def _blocks(rows: list[SchemeRow], level: int) -> list[tuple[int, int]]:
    """Runs of rows (start, end inclusive) sharing the cells of levels 0..level: merged in both
    documents. A run breaks where any higher level changes or the cell is empty."""
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i].levels[:level + 1] != rows[start].levels[:level + 1] \
                or rows[i].section != rows[start].section:
            if rows[start].levels[level]:
                runs.append((start, i - 1))
            start = i
    return runs


# ---- Word ----------------------------------------------------------------------------------------


def _write_docx(doc: Publication, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(2.0)
    _font(document.styles["Normal"], BODY_FONT, Pt(12))

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, doc.title, TITLE_FONT, Pt(18), bold=True)
    if doc.subtitle:
        sub = document.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(sub, doc.subtitle, BODY_FONT, Pt(14))

    for section_name in dict.fromkeys(r.section for r in doc.rows):
        rows = [r for r in doc.rows if r.section == section_name]
        heading = document.add_paragraph()
        label = f"{section_name}(满分 {points_label(doc.total)} 分)" if section_name == "指标" else section_name
        _run(heading, label, TITLE_FONT, Pt(14), bold=True)
        table = document.add_table(rows=1 + len(rows), cols=len(HEADERS))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        headers = HEADERS if section_name == "指标" else ("项目", "", "", "分值", "评分标准", "数据来源")
        for j, text in enumerate(headers):
            _cell(table.cell(0, j), text, bold=True)
        for i, row in enumerate(rows, start=1):
            for j, text in enumerate((*row.levels, _points(row.points), row.rule_text, row.source)):
                _cell(table.cell(i, j), text)
        _merge_docx(table, rows, section_name == "指标")
        for j, width in enumerate(DOCX_WIDTHS_CM):
            for cell in table.columns[j].cells:
                cell.width = Cm(width)
        _repeat_header(table.rows[0])

    if doc.notes:
        heading = document.add_paragraph()
        _run(heading, "其他说明", TITLE_FONT, Pt(14), bold=True)
        for number, note in enumerate(doc.notes, start=1):
            _run(document.add_paragraph(), f"{number}. {note}", BODY_FONT, Pt(12))
    document.save(str(path))


def _merge_docx(table, rows: list[SchemeRow], indicators: bool) -> None:
    """Merge each indicator's cell over its leaves' rows; items fill the three level columns."""
    if not indicators:
        for i in range(len(rows)):
            first = table.cell(i + 1, 0)
            first.merge(table.cell(i + 1, LEVELS - 1))
            _keep_first_paragraph(first)
        return
    for level in range(LEVELS):
        for start, end in _blocks(rows, level):
            if end > start:
                merged = table.cell(start + 1, level).merge(table.cell(end + 1, level))
                _keep_first_paragraph(merged)
    for i, row in enumerate(rows, start=1):  # a first-level leaf: its name across the empty levels
        filled = sum(1 for text in row.levels if text)
        if filled < LEVELS:
            merged = table.cell(i, filled - 1).merge(table.cell(i, LEVELS - 1))
            _keep_first_paragraph(merged)


def _keep_first_paragraph(cell) -> None:
    """Merging keeps every merged cell's paragraph; the text is in the first one."""
    texts = [p for p in cell.paragraphs if p.text]
    keep = texts[0] if texts else cell.paragraphs[0]
    for paragraph in list(cell.paragraphs):
        if paragraph is not keep and paragraph._p is not keep._p:
            paragraph._p.getparent().remove(paragraph._p)


def _cell(cell, text: str, bold: bool = False) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.shared import Pt

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    _run(paragraph, text, TITLE_FONT if bold else BODY_FONT, Pt(10.5), bold=bold)


def _run(paragraph, text: str, font: str, size, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.bold = bold
    _font(run, font, size)


def _font(target, name: str, size) -> None:
    """Latin and East Asian font alike: Word picks Chinese glyphs from the eastAsia font."""
    from docx.oxml.ns import qn

    target.font.name = name
    target.font.size = size
    element = target.element if hasattr(target, "element") else target._element
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _repeat_header(row) -> None:
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    flag = properties.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    properties.append(flag)


# ---- Excel ---------------------------------------------------------------------------------------


def _write_xlsx(doc: Publication, path: Path) -> None:
    from xlsxwriter.workbook import Workbook

    with Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                              "strings_to_numbers": False}) as wb:
        base = {"font_name": BODY_FONT, "font_charset": 134, "font_size": 10.5, "border": 1,
                "valign": "vcenter", "text_wrap": True}
        cell = wb.add_format(base)
        centred = wb.add_format({**base, "align": "center"})
        header = wb.add_format({**base, "font_name": TITLE_FONT, "bold": True, "align": "center", "bg_color": "#DDEBF7"})
        title = wb.add_format({"font_name": TITLE_FONT, "font_charset": 134, "font_size": 16, "bold": True,
                               "align": "center", "valign": "vcenter"})
        plain = wb.add_format({"font_name": BODY_FONT, "font_charset": 134, "font_size": 10.5, "text_wrap": True,
                               "valign": "top"})
        ws = wb.add_worksheet("评分细则")
        last = len(HEADERS) - 1
        ws.merge_range(0, 0, 0, last, doc.title, title)
        ws.set_row(0, 30)
        row = 1
        if doc.subtitle:
            ws.merge_range(row, 0, row, last, doc.subtitle, wb.add_format({"font_name": BODY_FONT, "font_charset": 134,
                                                                          "font_size": 12, "align": "center"}))
            row += 1
        header_row = row
        for j, text in enumerate(HEADERS):
            ws.write_string(row, j, text, header)
        row += 1
        first = row
        for r in doc.rows:
            for j, text in enumerate((*_xlsx_levels(r), "", r.rule_text, r.source)):
                ws.write_string(row, j, text, centred if j == 5 else cell)
            if r.points is not None:
                ws.write_number(row, 3, r.points, centred)
            else:
                ws.write_blank(row, 3, None, centred)
            ws.set_row(row, 15 * max(1, -(-len(r.rule_text) // 34)))
            row += 1
        _merge_xlsx(ws, doc.rows, first, cell)
        row += 1
        for number, note in enumerate(doc.notes, start=1):
            ws.merge_range(row, 0, row, last, f"{number}. {note}", plain)
            row += 1
        for j, width in enumerate((16, 16, 16, 7, 60, 14)):
            ws.set_column(j, j, width)
        setup_page(ws, doc.title, repeat=(header_row, header_row))


def _merge_xlsx(ws, rows: list[SchemeRow], first: int, fmt) -> None:
    """As in Word: an indicator's cell over its leaves' rows, a shallow leaf's name (or an
    item's) across the empty level columns."""
    for i, r in enumerate(rows):
        levels = _xlsx_levels(r)
        filled = sum(1 for text in levels if text)
        if filled < LEVELS:
            ws.merge_range(first + i, filled - 1, first + i, LEVELS - 1, levels[filled - 1], fmt)
    for level in range(LEVELS - 1):
        for start, end in _blocks(rows, level):
            if end > start and rows[start].section == "指标":
                ws.merge_range(first + start, level, first + end, level, rows[start].levels[level], fmt)


def _xlsx_levels(row: SchemeRow) -> tuple[str, ...]:
    """One table for everything: an item's section goes before its name."""
    return row.levels if row.section == "指标" else (f"{row.section}:{row.levels[0]}", *[""] * (LEVELS - 1))
