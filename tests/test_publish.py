"""`score publish`: the 评分细则 as Word and Excel, read back cell by cell."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from scoring.cli.paths import bundled_criteria
from scoring.scheme.describe import describe_scheme
from scoring.scheme.loader import load_scheme

IDS = re.compile(r"\b(proactive|volume|interpretation|applications|on_time_rate|evaluation_score|county|dept)\b")


@pytest.fixture
def published(tmp_path, score_cli, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)
    assert score_cli("init", "办", "--name", "临江市政务公开办").code == 0
    monkeypatch.chdir(tmp_path / "办")
    run = score_cli("publish", "criteria/gov_openness_2021.yaml")
    assert run.code == 0, run.err
    folder = tmp_path / "办" / "outputs" / "评分细则"
    return folder / "2021年度政务公开工作考评评分细则.docx", folder / "2021年度政务公开工作考评评分细则.xlsx"


def test_word_document_holds_the_rules_in_words(published):
    document = docx.Document(str(published[0]))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (29.7, 21.0)  # A4 landscape
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:2] == ["2021年度政务公开工作考评评分细则", "临江市政务公开办"]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["一级指标", "二级指标", "三级指标", "分值", "评分标准", "数据来源"]
    first = [c.text for c in table.rows[1].cells]
    assert first[0] == "主动公开(25分)" and first[1] == "信息发布数量" and first[3] == "8"
    assert first[4] == "主动公开政府信息(每年标准,按期间折算):≥500条得8分;≥200条得6分;≥50条得4分;其他得1分"
    assert first[5] == "各单位报送"
    # 主动公开 has five leaves: one merged cell over their rows
    assert table.cell(1, 0)._tc is table.cell(5, 0)._tc and table.cell(6, 0)._tc is not table.cell(1, 0)._tc
    sources = {row.cells[1].text: row.cells[5].text for row in table.rows[1:]}
    assert sources["工作动态更新"] == "政务公开平台记录" and sources["第三方评估"] == "第三方评估"
    texts = [c.text for t in document.tables for r in t.rows for c in r.cells] + paragraphs
    assert not [t for t in texts if IDS.search(t)]
    fonts = {f.get(qn("w:eastAsia")) for f in document.element.body.iter(qn("w:rFonts"))}
    assert fonts == {"宋体", "仿宋"}
    joined = "\n".join(texts)
    assert "单项否决" in joined and "泄密" in joined and "加分合计上限 5 分" in joined and "等次 优秀" in joined


def test_same_sentences_as_score_check(published):
    scheme = load_scheme(bundled_criteria())
    document = docx.Document(str(published[0]))
    shown = {c.text for t in document.tables for r in t.rows for c in r.cells}
    for row in describe_scheme(scheme):
        if row.kind != "indicator" or row.metric:
            assert row.rule_text in shown, row.rule_text


def test_excel_table_merged_and_printable(published):
    ws = openpyxl.load_workbook(published[1])["评分细则"]
    assert ws["A1"].value == "2021年度政务公开工作考评评分细则" and ws["A2"].value == "临江市政务公开办"
    assert [c.value for c in ws[3]] == ["一级指标", "二级指标", "三级指标", "分值", "评分标准", "数据来源"]
    assert ws["A4"].value == "主动公开(25分)" and ws["B4"].value == "信息发布数量" and ws["D4"].value == 8
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A4:A8" in merged and "B4:C4" in merged
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    veto = next(r for r in rows if r[0] and r[0].startswith("单项否决:泄密"))
    assert veto[3] in (None, "") and veto[5] == "考评办公室评定"
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$3:$3"
    assert not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r)


def test_existing_files_kept_unless_overwrite(published, score_cli):
    run = score_cli("publish", "criteria/gov_openness_2021.yaml")
    assert run.code == 0 and "(2).docx" in run.out and published[0].with_name(published[0].stem + "(2).xlsx").exists()
    assert score_cli("publish", "criteria/gov_openness_2021.yaml", "--overwrite").code == 0


def test_publish_outside_an_office_needs_a_file(tmp_path, score_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = score_cli("publish")
    assert run.code == 2 and "score init" in run.err
