"""The workbook as a 通报: one set of numbers, rows that add up, print settings, no program text,
titles in Chinese, 趋势. The bundled sample city is scored by the real engine and its workbook,
CSV and JSON are read back; small cases use the hand-made Result of report_fixtures."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import report_fixtures as fx

from scoring.data.load import load_periods
from scoring.engine import score
from scoring.periods import Period
from scoring.report.bulletin import grade_counts, issuer_line, region_of, report_title
from scoring.report.exports import write_outputs
from scoring.report.paging import BODY_POINTS, MIN_SCALE, count_pages
from scoring.report.remarks import ROUNDING_NOTE
from scoring.report.rounding import half_up
from scoring.report.workbook import write_workbook
from scoring.scheme.loader import load_scheme

ROOT = Path(__file__).resolve().parent.parent
HEADER_ROW = 4
ID = r"(?<![A-Za-z0-9_]){}(?![A-Za-z0-9_])"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample city's 2021Q4 run with its comparison period, written as all three files."""
    scheme = load_scheme(ROOT / "criteria" / "gov_openness_2021.yaml")
    data, before = load_periods(ROOT / "sample_inputs", ["2021Q4", "2021Q3"], scheme, progress=False)
    result = score(scheme, data, Period.parse("2021Q4"))
    previous = score(scheme, before, Period.parse("2021Q3"))
    paths = write_outputs(result, tmp_path_factory.mktemp("sample") / "q4.xlsx", previous=previous)
    return result, paths, openpyxl.load_workbook(paths.workbook)


def unit_rows(ws, header_row: int, key: str) -> dict[str, dict]:
    header = [c.value for c in ws[header_row]]
    out = {}
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        values = dict(zip(header, row))
        if isinstance(values.get(key), int):
            out[values["单位"]] = values
    return out


def test_stored_values_equal_csv_and_json(sample):
    result, paths, book = sample
    ranking = unit_rows(book["排名"], HEADER_ROW, "排名")
    scores = unit_rows(book["指标得分"], 2, "总排名")
    csv = pd.read_csv(paths.csv, encoding="utf-8-sig").set_index("单位")
    document = json.loads(paths.json.read_text(encoding="utf-8"))
    totals = {row["unit_id"]: row for row in document["totals"]}
    groups = {(row["unit_id"], row["group_id"]): row["points"] for row in document["groups"]}
    headers = {ind.id: f"{ind.title}({ind.points:g})" for ind in result.scheme.indicators}
    assert len(ranking) == len(csv) == len(totals) == 44
    for name, row in ranking.items():
        unit_id = csv.loc[name, "单位编码"]
        assert row["总分"] == csv.loc[name, "总分"] == totals[unit_id]["total"], name
        assert scores[name]["折算前得分"] == csv.loc[name, "折算前得分"] == totals[unit_id]["base"], name
        assert scores[name]["加分"] == csv.loc[name, "加分"] == totals[unit_id]["bonus"], name
        for group_id, header in headers.items():
            if isinstance(row[header], float | int):
                assert row[header] == csv.loc[name, header] == groups[(unit_id, group_id)], (name, header)
    # 市商务局: 93.07 would be an unrounded value under a number format; the stored digits are the CSV's
    assert ranking["市商务局"]["总分"] == 92.71


def test_stored_points_carry_no_more_decimals_than_the_scheme(sample):
    result, _, book = sample
    p = result.scheme.precision
    for name in ("排名", "指标得分", "得分明细", "图表"):
        header = [c.value for c in book[name][2 if name == "指标得分" else 1]]
        for row in book[name].iter_rows(values_only=True):
            for head, value in zip(header, row):
                if isinstance(value, float) and head != "折算系数":
                    assert round(value, p) == value, (name, head, value)


def test_each_shown_row_adds_up_or_says_why_not(sample):
    """Indicators add up to 折算前得分; × 折算系数, + 加分 − 扣分 gives 总分 (vetoed-to-zero units
    show 0); where rounding makes a row miss by a hundredth, 备注 says so."""
    result, _, book = sample
    ranking = unit_rows(book["排名"], HEADER_ROW, "排名")
    scores = unit_rows(book["指标得分"], 2, "总排名")
    headers = [f"{ind.title}({ind.points:g})" for ind in result.scheme.indicators]
    rescaled = noted = 0
    for name, row in ranking.items():
        line = scores[name]
        notes = row["备注"] or ""
        shown = sum(v for h in headers if isinstance(v := row[h], float | int))
        factor = re.search(r"折算系数(\d+(?:\.\d+)?)/(\d+(?:\.\d+)?)", notes)
        if factor:
            rescaled += 1
            assert line["折算系数"] == round(float(factor[1]) / float(factor[2]), 4)
            assert f"折算前得分{line['折算前得分']:g}" in notes
        ratio = float(factor[1]) / float(factor[2]) if factor else 1.0
        expected = half_up([line["折算前得分"] * ratio], 2)[0] + (line["加分"] or 0) - (line["扣分"] or 0)
        adds_up = abs(shown - line["折算前得分"]) < 0.005 and abs(expected - row["总分"]) < 0.005
        if not adds_up:
            noted += 1
            assert ROUNDING_NOTE in notes, (name, shown, line["折算前得分"], expected, row["总分"])
    assert rescaled == 30  # every 市直部门 unit: 政务新媒体 does not apply to them
    assert 0 < noted < len(ranking)


def test_ranking_words_losses_missing_data_ties_and_veto(sample):
    _, _, book = sample
    ranking = unit_rows(book["排名"], HEADER_ROW, "排名")
    archive = ranking["市档案馆"]
    assert archive["主要失分(分)"].startswith("第三方评估20(缺数据)")
    assert "缺数据失20分" in archive["备注"]
    assert ranking["市公安局"]["总分"] == ranking["市生态环境局"]["总分"]
    assert ranking["市公安局"]["备注"].startswith("与市生态环境局同分,按主动公开得分(20.76)排序")
    assert ranking["松林镇"]["备注"] == "单项否决:网站无法访问,定为最低等次"
    assert all(row["主要失分(分)"] for row in ranking.values())  # no unit of the sample scored full marks


def test_ranking_prints_at_ten_points_with_classes_on_their_own_pages(sample):
    _, _, book = sample
    ws = book["排名"]
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation) == (9, "landscape")
    assert setup.scale >= MIN_SCALE and setup.scale * BODY_POINTS / 100 >= 10
    assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    block_rows = [c.row for c in ws["A"] if isinstance(c.value, str) and c.value.startswith(("县区政府(", "市直部门("))]
    assert [b.id for b in ws.row_breaks.brk] == [block_rows[1] - 1]
    assert re.fullmatch(r"第 &P 页,共 [2-9] 页", ws.oddFooter.center.text)
    assert [c.value for c in ws[HEADER_ROW]] == [
        "排名", "单位", "总分", "等次", "主动公开(25)", "平台建设与更新(15)", "依申请公开(20)", "组织保障(10)",
        "政务新媒体(10)", "第三方评估(20)", "变化", "主要失分(分)", "备注",
    ]


def test_no_cell_shows_a_metric_indicator_or_class_id(sample):
    result, _, book = sample
    scheme = result.scheme
    ids = {ind.id for top in scheme.indicators for ind in _walk(top)}
    ids |= {m.id for m in scheme.metrics} | {leaf.metric for leaf in scheme.leaves() if leaf.metric}
    ids |= {v.id for v in scheme.vetoes} | {v.metric for v in scheme.vetoes if v.metric} | {c.id for c in scheme.classes}
    ids |= {i.id for i in scheme.penalties} | {i.metric for i in scheme.penalties}
    ids |= {i.id for i in scheme.bonus.items} | {i.metric for i in scheme.bonus.items}
    pattern = re.compile("|".join(ID.format(re.escape(i)) for i in sorted(ids, key=len, reverse=True)))
    for ws in book.worksheets:
        if ws.title == "生成信息":
            continue
        source_header = [c.column for c in ws[1] if c.value == "列"] if ws.title == "原始数据" else []
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.column not in source_header:  # a file's own header
                    assert not pattern.search(cell.value), (ws.title, cell.coordinate, cell.value)


def _walk(ind):
    yield ind
    for child in ind.children or ():
        yield from _walk(child)


@pytest.mark.parametrize(("period", "title"), [
    ("2021Q4", "临江市2021年第四季度政务公开工作考评结果"),
    ("2021H1", "临江市2021年上半年政务公开工作考评结果"),
    ("2021M03", "临江市2021年3月政务公开工作考评结果"),
    ("2021", "临江市2021年度政务公开工作考评结果"),
])
def test_titles_say_the_period_in_chinese_once(period, title):
    assert report_title("2021年度政务公开工作考评", Period.parse(period), "临江市政务公开办公室") == title
    plain = report_title("2021年度政务公开工作考评", Period.parse(period))
    assert plain == title.removeprefix("临江市")
    assert plain.count("考评") == 1 and (period == "2021" or period not in plain)


def test_title_wording_from_other_scheme_names():
    q4 = Period.parse("2021Q4")
    assert report_title("临江市2021年度政务公开工作考评", q4, "临江市政务公开办公室") == "临江市2021年第四季度政务公开工作考评结果"
    assert report_title("政务公开考核", q4) == "2021年第四季度政务公开考核结果"
    assert report_title("2021年政务公开工作考评实施方案", q4) == "2021年第四季度政务公开工作考评结果"
    assert report_title("政务公开(2021Q4)", q4) == "2021年第四季度政务公开考评结果"
    assert region_of("北京市海淀区政务服务管理局") == "北京市海淀区"
    assert region_of("市政务公开办") == "" and region_of(None) == ""


def test_issuer_line_and_grade_counts():
    moment = datetime(2022, 1, 5, 9, 0)
    assert issuer_line("临江市政务公开办公室", moment) == "临江市政务公开办公室    2022年1月5日"
    assert issuer_line(None, moment) == "2022年1月5日"
    totals = fx.make_result().totals
    assert grade_counts(totals, ["优秀", "良好", "合格", "不合格"]) == \
        "参评单位 6 个,优秀 3 个,良好 0 个,合格 2 个,不合格 1 个(其中单项否决 1 个)"


def test_office_named_by_the_caller_or_the_criteria(tmp_path):
    result = fx.make_result()
    write_workbook(result, tmp_path / "a.xlsx", office="临江市政务公开办公室")
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx")["排名"]
    assert (ws["A1"].value, ws["A2"].value) == ("临江市2021年第四季度政务公开工作考评结果", "临江市政务公开办公室    2022年1月10日")
    from_criteria = dataclasses.replace(result, scheme=result.scheme.model_copy(update={"office": "青山县政务公开办"}))
    write_workbook(from_criteria, tmp_path / "b.xlsx")
    book = openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert book["排名"]["A1"].value == "青山县2021年第四季度政务公开工作考评结果"
    assert book["生成信息"]["B1"].value == "青山县政务公开办"


def test_trend_sheet_lists_each_period_of_the_year(tmp_path):
    result, q3 = fx.make_result(), fx.make_previous()
    write_workbook(result, tmp_path / "t.xlsx", previous=q3, earlier=(q3,))
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames[:2] == ["排名", "趋势"]
    ws = book["趋势"]
    assert [c.value for c in ws[1]] == [None, None, "2021年第三季度", None, "2021年第四季度", None]
    assert [c.value for c in ws[2]] == ["单位", "类别", "总分", "排名", "总分", "排名"]
    body = {r[0]: r[2:] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert body["东城区"] == (80, 2, 90, 1)
    assert body[fx.FORMULA_NAME] == (None, None, 75, 3)  # not scored in the third quarter


def test_page_count_follows_rows_breaks_and_repeated_header():
    heights = [30, 20, 20, 20] + [100] * 6  # title, two lines, the header (repeated), six rows
    assert count_pages(heights, 400, (3, 3), set()) == 2  # 90+300 | 20+300
    assert count_pages(heights, 400, (3, 3), {7}) == 2
    assert count_pages(heights, 400, (3, 3), {5}) == 3  # 90+100 | 20+300 | 20+100
    assert count_pages([], 400, None, set()) == 1
