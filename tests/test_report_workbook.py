"""The leadership workbook, read back with openpyxl. Expected values come from report_fixtures."""

from __future__ import annotations

import dataclasses
import re
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import report_fixtures as fx

from scoring.report.layout import as_text, display_widths, positions, text_width
from scoring.report.names import sheet_names
from scoring.report.paging import BODY_POINTS, MIN_SCALE
from scoring.report.workbook import SHEETS, write_workbook
from scoring.scheme.describe import describe_extras, describe_scheme

RED_FILL, RED_FONT = "FFFFC7CE", "FF9C0006"


@pytest.fixture(scope="module")
def book_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "result.xlsx"
    notes = write_workbook(fx.make_result(), path, previous=fx.make_previous(), unit_sheets=True)
    assert notes == []
    return path


@pytest.fixture(scope="module")
def book(book_path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(book_path)


def rows(ws, first: int = 1) -> list[tuple]:
    return list(ws.iter_rows(min_row=first, values_only=True))


RANKING_HEADER = 4  # title, issuing office and date, summary line, then the header row


def ranking_rows(ws, header_row: int = RANKING_HEADER, key: str = "排名") -> dict[str, dict]:
    """Unit name → {header: value} for the unit rows of the 排名 sheet (or of another sheet with
    one row per unit whose `key` column holds a rank)."""
    header = [c.value for c in ws[header_row]]
    out = {}
    for row in ws.iter_rows(min_row=header_row + 1):
        values = {h: c.value for h, c in zip(header, row)}
        if isinstance(values[key], int):
            out[values["单位"]] = values | {"_row": row[0].row}
    return out


def test_sheet_names_and_order(book):
    assert book.sheetnames[:8] == [s for s in SHEETS if s != "趋势"]
    assert book.sheetnames[8:] == ["东城区", "西城区", fx.FORMULA_NAME, "市教育局", "市财政局", "市卫健委"]


def test_ranking_title_headers_and_class_blocks(book):
    ws = book["排名"]
    assert ws["A1"].value == "2021年第四季度政务公开工作考评结果"
    assert ws["A2"].value == "2022年1月10日"  # no office named anywhere: the date alone
    assert ws["A3"].value == "参评单位 6 个,优秀 3 个,良好 0 个,合格 2 个,不合格 1 个(其中单项否决 1 个)。"
    assert [c.value for c in ws[4]] == [
        "排名", "单位", "总分", "等次", "主动公开(60)", "依申请公开(40)", "变化", "主要失分(分)", "备注",
    ]
    first_column = [r[0] for r in rows(ws, 5)][:8]
    assert first_column == ["县区政府(共 3 个,优秀 2 个,良好 0 个,合格 1 个,不合格 0 个)", 1, 1, 3,
                            "市直部门(共 3 个,优秀 1 个,良好 0 个,合格 1 个,不合格 1 个(其中单项否决 1 个))", 1, 2, 3]
    units = [r[1] for r in rows(ws, 5)][:8]
    assert units == [None, "东城区", "西城区", fx.FORMULA_NAME, None, "市教育局", "市财政局", "市卫健委"]


def test_ranking_values(book):
    table = ranking_rows(book["排名"])
    got = {name: (r["排名"], r["总分"], r["等次"], r["主动公开(60)"], r["依申请公开(40)"]) for name, r in table.items()}
    assert got == {
        "东城区": (1, 90, "优秀", 54, 34),
        "西城区": (1, 90, "优秀", 60, 35),
        fx.FORMULA_NAME: (3, 75, "合格", 38, 37),
        "市教育局": (1, 92, "优秀", 52, 40),
        "市财政局": (2, 75.5, "合格", 41, 34.5),
        "市卫健委": (3, 100, "不合格", 60, 40),
    }
    assert table["东城区"]["主要失分(分)"] == "政策解读6、复议纠错6"  # equal losses in scheme order
    assert table["西城区"]["主要失分(分)"] == "按时答复5、年报雷同扣5"
    assert table["东城区"]["备注"] == "与西城区并列;加分2"
    assert table["西城区"]["备注"] == "与东城区并列;扣分5"
    assert table["市卫健委"]["备注"] == f"单项否决:{fx.VETO_REASON},定为最低等次"
    assert table["市教育局"]["备注"] is None
    scores = ranking_rows(book["指标得分"], 2, "总排名")  # the rest of a unit's line
    assert (scores["东城区"]["总排名"], scores["东城区"]["加分"], scores["西城区"]["扣分"]) == (2, 2, 5)
    assert scores["市卫健委"]["否决"] == fx.VETO_REASON and scores["东城区"]["否决"] is None


def test_vetoed_unit_last_in_block_and_red(book):
    ws = book["排名"]
    table = ranking_rows(ws)
    vetoed_row = table["市卫健委"]["_row"]  # highest total, still after its class
    assert vetoed_row > table["市财政局"]["_row"] > table["市教育局"]["_row"]
    for cell in ws[vetoed_row]:
        assert cell.fill.fgColor.rgb == RED_FILL
        assert cell.font.color.rgb == RED_FONT
    assert ws.cell(table["市教育局"]["_row"], 3).fill.fgColor.rgb != RED_FILL


def test_comparison_with_previous(book):
    table = ranking_rows(book["排名"])
    assert {name: r["变化"] for name, r in table.items()} == {
        "东城区": "↑1", "西城区": "—", fx.FORMULA_NAME: "新", "市教育局": "↑1", "市财政局": "↓1", "市卫健委": "—",
    }
    table = ranking_rows(book["指标得分"], 2, "总排名")
    got = {name: (r["上期排名"], r["总分变化"]) for name, r in table.items()}
    assert got == {
        "东城区": (2, 10), "西城区": (1, 2), fx.FORMULA_NAME: (None, None), "市教育局": (2, 12), "市财政局": (1, -9.5),
        "市卫健委": (3, 30),
    }


def test_ranking_without_classes_or_previous(tmp_path):
    result = fx.make_result()
    plain = dataclasses.replace(result, scheme=result.scheme.model_copy(update={"classes": ()}))
    path = tmp_path / "plain.xlsx"
    write_workbook(plain, path)
    ws = openpyxl.load_workbook(path)["排名"]
    header = [c.value for c in ws[RANKING_HEADER]]
    assert "变化" not in header
    assert header[:4] == ["排名", "单位", "总分", "等次"]
    body = rows(ws, RANKING_HEADER + 1)[:6]
    # No block rows; ranked by overall rank, the vetoed unit last.
    assert [r[0] for r in body] == [1, 2, 2, 4, 5, 6]
    assert [r[1] for r in body] == ["市教育局", "东城区", "西城区", "市财政局", fx.FORMULA_NAME, "市卫健委"]


def test_formula_like_text_is_literal_and_no_cell_is_a_formula(book):
    table = ranking_rows(book["排名"])
    cell = book["排名"].cell(table[fx.FORMULA_NAME]["_row"], 2)
    assert cell.value == fx.FORMULA_NAME and cell.data_type == "s"
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)


def test_numbers_use_scheme_precision_and_chinese_font(book):
    ws = book["排名"]
    row = ranking_rows(ws)["东城区"]["_row"]
    assert ws.cell(row, 3).number_format == "0.00"
    assert book["指标得分"].cell(ranking_rows(book["指标得分"], 2, "总排名")["东城区"]["_row"], 11).number_format == "+0.00;-0.00;0.00"
    assert ws.cell(row, 2).font.name == "等线"


def test_indicator_scores_sheet(book):
    ws = book["指标得分"]
    assert [c.value for c in ws[1]][2:] == ["单位汇总", *[None] * 8, "主动公开(60)", None, "依申请公开(40)", None]
    assert [c.value for c in ws[2]] == [
        "单位", "类别", "总排名", "总分", "折算前得分", "折算系数", "加分", "扣分", "否决", "上期排名", "总分变化",
        "信息发布数量(满分30)", "政策解读(满分30)", "按时答复(满分25)", "复议纠错(满分15)",
    ]
    body = rows(ws, 3)
    assert body[0][:2] + body[0][11:] == ("东城区", "县区政府", 30, 24, 25, 9)
    assert body[4][:2] + body[4][11:] == ("市财政局", "市直部门", 20, 21, 22.5, 12)
    assert body[4][2:8] == (4, 75.5, 75.5, 1, 0, 0)
    assert [r[0] for r in body] == ["东城区", "西城区", fx.FORMULA_NAME, "市教育局", "市财政局", "市卫健委"]
    scales = {str(cf.sqref): [r.type for r in cf.rules] for cf in ws.conditional_formatting}
    assert scales == {f"{col}3:{col}8": ["colorScale"] for col in "LMNO"}


def test_details_sheet(book):
    ws = book["得分明细"]
    assert [c.value for c in ws[1]] == ["单位", "指标路径", "指标值", "评分规则", "得分", "满分", "说明"]
    body = rows(ws, 2)
    assert len(body) == len(fx.make_result().details)
    rules = {r.id: r.rule_text for r in describe_scheme(fx.make_scheme())}  # one wording of each rule
    assert body[0] == ("东城区", "主动公开 / 信息发布数量", "665条", rules["volume"], 30, 30, "信息发布数量 665条 → 30/30")
    assert {r[3] for r in body if r[1] == "扣分项 / 年报雷同"} == {rules["copied_report"]}
    by_key = {(r[0], r[1]): r for r in body}
    assert by_key[("西城区", "主动公开 / 信息发布数量")][2] == "600余条"  # already says it is approximate
    assert by_key[("市教育局", "主动公开 / 信息发布数量")][2] == "约350"
    assert by_key[("西城区", "扣分项 / 年报雷同")][6] == "年报雷同度 0.95 ≥ 0.9 → 扣 5 分"
    assert by_key[("市卫健委", "否决项 / 泄密等严重问题")][6] == "发生泄密 1 件 → 单项否决,等次为不合格"
    # Units appear in ranking order, the vetoed one last.
    assert list(dict.fromkeys(r[0] for r in body)) == ["东城区", "西城区", fx.FORMULA_NAME, "市教育局", "市财政局", "市卫健委"]


def test_inputs_sheet(book):
    ws = book["原始数据"]
    assert [c.value for c in ws[1]] == ["单位", "指标", "数值", "原文", "约数", "来源文件", "行号", "列", "依据原文"]
    body = rows(ws, 2)
    assert len(body) == 12
    assert body[2] == ("西城区", "主动公开政府信息", 600, "600余条", "是", "西城区2021年报.txt", 3, "主动公开政府信息",
                       "全年主动公开政府信息600余条,其中政策解读20条。")
    assert body[0][4] == "否"


def test_criteria_sheet(book):
    ws = book["评分标准"]
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "层级")
    block = {r[0]: r[1] for r in rows(ws)[: header_row - 2]}
    assert block["考评方案"] == "2021年度政务公开工作考评(版本 2021.1)"
    assert block["考评期间"] == "2021年第四季度(2021-10-01 至 2021-12-31)"
    assert block["考评规则"] == describe_extras(fx.make_scheme())[0] == "类别 县区政府:单独排名"
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert [c.value for c in ws[header_row]][:6] == ["层级", "类型", "名称", "分值", "数据项", "评分规则"]
    tree = rows(ws, header_row + 1)
    expected = describe_scheme(fx.make_scheme())
    assert [(r[0], r[2], r[5]) for r in tree] == [(e.level, e.name, e.rule_text) for e in expected]
    assert tree[1][:5] == (2, "指标", "信息发布数量", 30, "主动公开政府信息")
    assert [r[1] for r in tree[-3:]] == ["加分项", "扣分项", "否决项"]


def test_provenance_sheet(book):
    info = {r[0]: r[1] for r in rows(book["生成信息"])}
    assert info["考评标准文件"] == "test_openness.yaml"
    assert info["文件 SHA-256"] == "ab" * 32
    assert info["方案编号"] == "test-openness"
    assert info["工具版本"] == "政务公开考评工具 0.1.0"
    assert info["考评期间"] == "2021年第四季度(期间代码 2021Q4)"
    assert info["生成时间"] == "2022-01-10 09:30:00"


def test_issues_sheet_errors_first(book):
    ws = book["数据问题"]
    assert [c.value for c in ws[1]] == ["严重程度", "文件", "行", "列", "单位", "指标", "说明"]
    body = rows(ws, 2)
    assert body[0][:6] == ("错误", "metrics.csv", 5, None, "市财政局", "本年新收依申请公开申请")
    assert body[1][:6] == ("警告", "metrics.csv", 3, "主动公开政府信息", "西城区", "主动公开政府信息")


def test_issues_sheet_when_there_are_none(tmp_path):
    path = tmp_path / "clean.xlsx"
    write_workbook(fx.make_result(issues=()), path)
    ws = openpyxl.load_workbook(path)["数据问题"]
    assert [c.value for c in ws[1]] == ["严重程度", "文件", "行", "列", "单位", "指标", "说明"]
    assert ws["A2"].value == "无数据问题"
    assert ws.max_row == 2


def test_frozen_panes_and_filters(book):
    expected = {"排名": "C5", "指标得分": "C3", "得分明细": "B2", "原始数据": "B2", "数据问题": "A2"}
    assert {name: book[name].freeze_panes for name in expected} == expected
    assert book["得分明细"].auto_filter.ref == "A1:G43"


def test_print_settings(book):
    """A4, text at 10 pt or more on paper, repeated headers, page numbers counted per sheet."""
    for name in [s for s in SHEETS if s != "趋势"]:
        ws = book[name]
        assert ws.page_setup.paperSize == 9, name
        scale = ws.page_setup.scale or 100
        assert scale >= MIN_SCALE and scale * BODY_POINTS / 100 >= 10, name
        assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert re.fullmatch(r"第 &P 页,共 \d+ 页", ws.oddFooter.center.text), name
        assert ws.page_setup.useFirstPageNumber and (ws.page_setup.firstPageNumber or 1) == 1, name
    assert book["排名"].page_setup.orientation == "landscape"
    assert book["图表"].page_setup.orientation == "portrait"
    assert book["排名"].print_title_rows == "$4:$4"
    assert [b.id for b in book["指标得分"].col_breaks.brk] == [11]  # the leaves (from column L) start a page across
    assert book["指标得分"].print_title_cols == "$A:$A"
    assert book["指标得分"].print_title_rows == "$1:$2"
    assert book["得分明细"].print_title_rows == "$1:$1"
    assert book["排名"].oddHeader.center.text == "2021年第四季度政务公开工作考评结果"
    assert book["图表"].oddHeader.center.text == "2021年第四季度政务公开工作考评结果 图表"


def test_each_class_starts_a_page(book):
    ws = book["排名"]
    class_rows = [c.row for c in ws["A"] if isinstance(c.value, str) and c.value.startswith(("县区政府(", "市直部门("))]
    assert [b.id for b in ws.row_breaks.brk] == [class_rows[1] - 1]  # a break after the row before 市直部门
    assert ws.oddFooter.center.text == "第 &P 页,共 2 页"


def test_one_chart_per_page_every_unit_named(book, book_path):
    assert len(book["图表"]._charts) == 2
    with zipfile.ZipFile(book_path) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
        xml = z.read("xl/charts/chart2.xml").decode("utf-8")
    assert "<c:barChart>" in xml and "市直部门总分排名" in xml
    assert "C00000" in xml and "单项否决" in xml  # the vetoed unit: a red series of its own, labelled
    assert xml.count("<c:showVal val=\"1\"/>") >= 2  # both series show their values
    assert "<c:tickLblSkip val=\"1\"/>" in xml  # no unit's name skipped
    ws = book["图表"]
    assert len(ws.row_breaks.brk) == 1
    table = [r[10:13] for r in rows(ws, 1)][:4]
    assert table == [("单位", "总分", "单项否决"), ("东城区", 90, None), ("西城区", 90, None), (fx.FORMULA_NAME, 75, None)]


def test_unit_sheets(book):
    ws = book["市卫健委"]
    assert ws["A1"].value == "市卫健委 2021年第四季度考评结果"
    summary = {r[0]: r[1] for r in rows(ws, 3) if r[0] in ("总分", "等次", "排名", "否决")}
    assert summary == {"排名": 3, "总分": 100, "等次": "不合格", "否决": fx.VETO_REASON}
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "指标路径")
    assert len(rows(ws, header_row + 1)) == 7


def test_unit_sheets_skipped_beyond_limit(tmp_path):
    path = tmp_path / "many.xlsx"
    notes = write_workbook(fx.make_large_result(201, 4), path, unit_sheets=True)
    assert len(notes) == 1 and "201" in notes[0] and "未生成单位工作表" in notes[0]
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == [s for s in SHEETS if s != "趋势"]


def test_sheet_names_valid_and_unique():
    wanted = ["排名", "a/b:c*d?e[f]g\\h", "'引号'", "X" * 40, "x" * 40, "History", "东城区", "东城区", "", "'''"]
    names = sheet_names(wanted, taken=SHEETS)
    assert names == [
        "排名~2", "a_b_c_d_e_f_g_h", "引号", "X" * 31, "x" * 29 + "~2", "History~2", "东城区", "东城区~2", "单位",
        "单位~2",
    ]
    folded = [n.casefold() for n in [*SHEETS, *names]]
    assert len(set(folded)) == len(folded)
    for name in names:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\") and name[0] != "'" and name[-1] != "'"


def test_same_result_gives_same_cells_except_generation_time(tmp_path):
    result = fx.make_result()
    later = dataclasses.replace(result, generated_at=result.generated_at.replace(hour=18))
    cells = {}
    for name, res in (("a", result), ("b", result), ("c", later)):
        path = tmp_path / f"{name}.xlsx"
        write_workbook(res, path, previous=fx.make_previous())
        wb = openpyxl.load_workbook(path)
        cells[name] = {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert cells["a"] == cells["b"]
    differ = {k for k in cells["a"] if cells["a"][k] != cells["c"].get(k)}
    assert differ == {("生成信息", "B8")}  # the 生成时间 line
    assert cells["c"][("生成信息", "B8")] == "2022-01-10 18:30:00"


def test_failed_write_keeps_previous_workbook(tmp_path, monkeypatch):
    path = tmp_path / "result.xlsx"
    write_workbook(fx.make_result(), path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("scoring.report.workbook.write_chart", broken)
    with pytest.raises(RuntimeError, match="boom"):
        write_workbook(fx.make_result(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["result.xlsx"]


def test_text_width_counts_cjk_as_two():
    assert list(display_widths(as_text(pd.Series(["主动公开ab", "abc", None])))) == [10, 3, 0]
    assert list(display_widths(as_text(pd.Series(["(满分30)", "\uff08满分30\uff09"])))) == [8, 10]  # full-width brackets


def test_text_width_edges():
    # range ends (U+1100–U+115F wide, U+1160 not), punctuation and emoji one wide, a lone surrogate
    assert list(display_widths(["\u1100\u115f\u1160", "—“”→≥", "😀x", "\ud800", ""])) == [5, 5, 2, 1, 0]
    # texts measured across the million-character chunks
    assert list(display_widths(["中" * 600_000, "a" * 600_000, "中"])) == [1_200_000, 600_000, 2]
    assert len(display_widths([])) == 0
    assert text_width("主动公开(60)") == 12 == display_widths(["主动公开(60)"])[0]


@pytest.mark.parametrize("dtype", ["str", "string[python]", object, "category"])
def test_positions_of_keys_in_any_column_type(dtype):
    keys = pd.Series(["a", "x", None, "c", "a"], dtype=dtype)
    assert positions(pd.Index(["b", "a", "c"]), keys).tolist() == [1, -1, -1, 2, 1]
    assert positions(pd.Index([1, 2]), pd.Series(["1", "2"], dtype=dtype)).tolist() == [-1, -1]  # 1 is not "1"


def test_empty_result_and_unknown_class(tmp_path):
    result = fx.make_result()
    empty = dataclasses.replace(result, units=result.units.iloc[:0], details=result.details.iloc[:0],
                                groups=result.groups.iloc[:0], totals=result.totals.iloc[:0],
                                inputs=result.inputs.iloc[:0], issues=())
    write_workbook(empty, tmp_path / "empty.xlsx", unit_sheets=True)
    book = openpyxl.load_workbook(tmp_path / "empty.xlsx")
    assert book.sheetnames == [s for s in SHEETS if s != "趋势"]
    assert book["排名"]["A3"].value == "参评单位 0 个,优秀 0 个,良好 0 个,合格 0 个,不合格 0 个。"
    assert book["数据问题"]["A2"].value == "无数据问题"

    totals = result.totals.copy()
    totals.loc["c3", ["class", "class_name"]] = ["other", ""]
    write_workbook(dataclasses.replace(result, totals=totals), tmp_path / "unknown.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "unknown.xlsx")["排名"]
    blocks = [r[0].split("(")[0] for r in rows(ws, 5) if isinstance(r[0], str) and "(共 " in r[0]]
    assert blocks == ["县区政府", "市直部门", "未分类"]


def test_vetoed_unit_listed_last_even_if_ranked_first(tmp_path):
    """The engine ranks vetoed units last; the sheet does not rely on it."""
    result = fx.make_result()
    totals = result.totals.copy()
    totals.loc[["d3", "d1", "d2"], "class_rank"] = [1, 2, 3]
    write_workbook(dataclasses.replace(result, totals=totals), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["排名"]
    assert [r[1] for r in rows(ws, 10)][:3] == ["市教育局", "市财政局", "市卫健委"]  # row 9: block header


@pytest.mark.parametrize("plain", [False, True], ids=["styled", "plain"])
def test_long_sheets_are_plain_tables(plain, tmp_path, monkeypatch):
    """From PLAIN_FROM rows a sheet has no cell formats. Points are stored rounded to the
    scheme's decimals either way (the digits of the CSV and JSON). 排名 always keeps its styling."""
    from scoring.report import layout

    if plain:
        monkeypatch.setattr(layout, "PLAIN_FROM", 6)  # 指标得分 has 6 units, 得分明细 24 rows
    result = fx.make_result()
    details = result.details.copy()
    details.loc[(details["unit_id"] == "d2") & (details["item_id"] == "on_time"), "points"] = 22.456
    path = tmp_path / "book.xlsx"
    write_workbook(dataclasses.replace(result, details=details), path)
    book = openpyxl.load_workbook(path)
    scores = book["指标得分"]
    cell = scores.cell(3 + 4, [c.value for c in scores[2]].index("按时答复(满分25)") + 1)  # 市财政局
    detail = next(row for row in book["得分明细"].iter_rows(min_row=2)
                  if row[0].value == "市财政局" and row[1].value == "依申请公开 / 按时答复")[4]
    ranked = book["排名"].cell(ranking_rows(book["排名"])["东城区"]["_row"], 3)  # 总分
    if plain:
        assert (cell.value, cell.number_format, cell.border.left.style) == (22.46, "General", None)
        assert (detail.value, detail.number_format, detail.border.left.style) == (22.46, "General", None)
    else:
        assert (cell.value, cell.number_format, cell.border.left.style) == (22.46, "0.00", "thin")
        assert (detail.value, detail.number_format, detail.border.left.style) == (22.46, "0.00", "thin")
    assert ranked.border.left.style == "thin" and ranked.number_format == "0.00"


@pytest.mark.parametrize("data_format", ["json", "parquet"])
def test_a_cut_sheet_sends_the_reader_to_the_full_results_written(data_format, tmp_path, monkeypatch):
    """得分明细 and 原始数据 list only the first units beyond SHEET_ROW_LIMIT rows; their first
    row names where every row is: the JSON's part, or the Parquet file actually written."""
    from scoring.report import layout
    from scoring.report.exports import write_outputs

    monkeypatch.setattr(layout, "SHEET_ROW_LIMIT", 10)  # 42 detail rows, 7 a unit: the first unit only
    written = write_outputs(fx.make_result(), tmp_path / "book.xlsx", data_format=data_format)
    book = openpyxl.load_workbook(written.workbook)
    note = book["得分明细"]["A1"].value
    assert note.startswith("注:共 6 个单位、42 行得分明细,本表只列出排名前 1 个单位的 7 行")
    if data_format == "parquet":
        assert "以 _details.parquet 结尾的 Parquet 文件" in note and "JSON" not in note
        assert (tmp_path / "book_details.parquet").exists() and not (tmp_path / "book.json").exists()
        assert "以 _inputs.parquet 结尾" in book["原始数据"]["A1"].value
    else:
        assert "同名 JSON 文件的“details”部分" in note and (tmp_path / "book.json").exists()


def test_a_workbook_built_on_disk_is_the_same_workbook_zipped_faster(tmp_path, monkeypatch):
    """Big workbooks are assembled on disk and zipped at deflate level 1 (QuickZipWorkbook):
    same members, same bytes inside as one built in memory, and XlsxWriter's ZipFile is
    itself again afterwards."""
    import xlsxwriter.workbook

    from scoring.report import workbook

    result = fx.make_result()
    write_workbook(result, tmp_path / "memory.xlsx")
    monkeypatch.setattr(workbook, "IN_MEMORY_ROWS", 0)
    write_workbook(result, tmp_path / "disk.xlsx")
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
    with zipfile.ZipFile(tmp_path / "memory.xlsx") as memory, zipfile.ZipFile(tmp_path / "disk.xlsx") as disk:
        assert sorted(memory.namelist()) == sorted(disk.namelist())
        assert all(memory.read(name) == disk.read(name) for name in memory.namelist())
        sheet = disk.getinfo("xl/worksheets/sheet1.xml")
        fast = zlib.compressobj(1, zlib.DEFLATED, -15)  # raw deflate at level 1, as the zip holds it
        assert sheet.compress_size == len(fast.compress(disk.read(sheet.filename)) + fast.flush())
