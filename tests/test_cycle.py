"""The office's year end to end, in a folder made by `score init`: publish the scheme, send out
forms, read the filled forms back (written here as Excel would save them), score."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from scoring.cli.paths import project_root

CRITERIA = """\
id: lj
name: 临江市政务公开考评
total: 20
grades:
  - {label: 优秀, min: 15}
  - {label: 合格, min: 0}
metrics:
  - {id: evaluation_score, name: 第三方评估得分, unit: 分, source: third_party}
  - {id: proactive_items, description: 本期主动公开的政府信息条数(不含转载)}
indicators:
  - id: open
    name: 主动公开
    points: 14
    children:
      - {id: volume, name: 信息发布数量, points: 6, metric: proactive_items,
         rule: {type: bands, bands: [{min: 100, points: 6}, {min: 10, points: 3}], else: 0}}
      - {id: digital, name: 全文电子化, points: 4, metric: fulltext_rate, rule: {type: linear, zero_at: 80, full_at: 100}}
      - {id: staff, name: 专职人员, points: 4, metric: staff_fulltime, rule: {type: boolean}}
  - {id: assess, name: 第三方评估, points: 6, metric: evaluation_score, rule: {type: score, scale: 100}}
"""
UNITS = "单位编码,单位名称,类别\nA01,甲局,\nA02,乙局,\nA03,丙局,\n"
THIRD_PARTY = "单位,第三方评估得分\n甲局,100\n乙局,50\n丙局,80\n"
# what each unit types into its form: proactive_items, fulltext_rate, staff_fulltime, 备注 of the first row
FILLED = {"甲局": (150, 100, "是", "含转载12条"), "乙局": (20, 90, "否", None)}


@pytest.fixture
def office(tmp_path: Path, score_cli, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert score_cli("init", "临江", "--name", "临江市政务公开办", "--period", "2021Q4").code == 0
    root = tmp_path / "临江"
    shutil.rmtree(root / "data" / "2021Q4")
    shutil.rmtree(root / "data" / "2021")
    (root / "data" / "2021Q4").mkdir()
    (root / "criteria" / "my_criteria.yaml").write_text(CRITERIA, encoding="utf-8")
    (root / "data" / "units.csv").write_text(UNITS, encoding="utf-8-sig")
    (root / "data" / "2021Q4" / "第三方评估.csv").write_text(THIRD_PARTY, encoding="utf-8-sig")
    monkeypatch.chdir(root)
    return root


def fill(form: Path, target: Path, values: tuple) -> None:
    """A unit's clerk fills the 数值 (and one 备注) cells and saves, as Excel does."""
    wb = openpyxl.load_workbook(form)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[4]]
    value_col, note_col = header.index("数值") + 1, header.index("备注") + 1
    for row, value in zip(range(5, ws.max_row + 1), values[:3]):
        ws.cell(row, value_col).value = value
    if values[3]:
        ws.cell(5, note_col).value = values[3]
    wb.save(target)


def test_forms_hold_what_units_report(office, score_cli):
    run = score_cli("form", "--period", "2021Q4")
    assert run.code == 0, run.err
    forms = office / "outputs" / "2021Q4" / "填报表"
    assert sorted(p.name for p in forms.iterdir()) == [f"{u}_2021Q4_填报表.xlsx" for u in ("丙局", "乙局", "甲局")]
    wb = openpyxl.load_workbook(forms / "甲局_2021Q4_填报表.xlsx")
    ws = wb.worksheets[0]
    assert wb.sheetnames == ["甲局", "填报表信息"] and wb["填报表信息"].sheet_state == "hidden"
    assert ws["A1"].value == "临江市政务公开考评数据填报表(2021年第四季度)"
    assert "填报单位:甲局" in ws["A2"].value and "单位编码:A01" in ws["A2"].value
    assert [c.value for c in ws[4]] == ["序号", "单位编码", "单位", "指标", "计量单位", "数值", "备注", "填报说明"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    # the third-party score is not the unit's to report
    assert [r[1:5] for r in rows] == [["A01", "甲局", "主动公开政府信息", "条"], ["A01", "甲局", "全文电子化率", "%"],
                                      ["A01", "甲局", "专职工作人员", ""]]
    assert rows[0][7] == "本期主动公开的政府信息条数(不含转载)"
    assert ws.protection.sheet and ws["F5"].protection.locked is False and ws["D5"].protection.locked is not False
    checks = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert checks["F5"].type == "whole" and checks["F5"].operator == "greaterThanOrEqual" and checks["F5"].formula1 == "0"
    assert checks["F6"].type == "decimal" and (checks["F6"].formula1, checks["F6"].formula2) == ("0", "100")
    assert checks["F7"].type == "list" and "是" in checks["F7"].formula1 and "否" in checks["F7"].formula1


def test_filled_forms_are_read_back(office, score_cli):
    assert score_cli("form", "--period", "2021Q4").code == 0
    forms = office / "outputs" / "2021Q4" / "填报表"
    period = office / "data" / "2021Q4"
    for unit, values in FILLED.items():
        fill(forms / f"{unit}_2021Q4_填报表.xlsx", period / f"{unit}回执.xlsx", values)
    # 乙局 sends a corrected copy under another name, with another value: a conflict
    fill(forms / "乙局_2021Q4_填报表.xlsx", period / "乙局回执(更正).xlsx", (25, 90, "否", None))
    run = score_cli("--period", "2021Q4")
    assert run.code == 0, run.err
    assert "乙局 发回了 2 份内容不同的填报表" in run.out and "1 个单位未发回填报表" in run.out and "丙局" in run.out
    result = json.loads((office / "outputs" / "2021Q4" / "lj_2021Q4.json").read_text(encoding="utf-8"))
    totals = {t["name"]: t["total"] for t in result["totals"]}
    # hand-computed: 甲局 6 + 4 + 4 + 6 = 20; 乙局 (25 → 3) + 2 + 0 + 3 = 8; 丙局 nothing reported: 0 + 0 + 0 + 4.8
    assert totals == {"甲局": 20, "乙局": 8, "丙局": 4.8}
    inputs = [i for i in result["inputs"] if i["unit_id"] == "A01" and i["metric"] == "proactive_items"]
    assert inputs[0]["raw"] == "150" and "含转载12条" in inputs[0]["evidence"]


def test_one_workbook_with_a_sheet_per_unit(office, score_cli):
    assert score_cli("form", "--period", "2021Q4", "--one-workbook").code == 0
    book = office / "outputs" / "2021Q4" / "填报表" / "临江市政务公开考评_2021Q4_填报表.xlsx"
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["甲局", "乙局", "丙局", "填报表信息"]
    for unit, values in FILLED.items():  # the office fills two sheets of the one workbook
        ws = wb[unit]
        for row, value in zip(range(5, 8), values[:3]):
            ws.cell(row, 6).value = value
    wb.save(office / "data" / "2021Q4" / "汇总.xlsx")
    run = score_cli("--period", "2021Q4")
    assert run.code == 0, run.err
    # 丙局's blank sheet is "not reported" (scored as missing), never "not applicable" (rescaled)
    assert "1 个单位未发回填报表(或表中未填数值):丙局" in run.out
    result = json.loads((office / "outputs" / "2021Q4" / "lj_2021Q4.json").read_text(encoding="utf-8"))
    assert {t["name"]: t["total"] for t in result["totals"]} == {"甲局": 20, "乙局": 8, "丙局": 4.8}


def test_the_install_folder_is_never_touched(office, score_cli):
    before = {p: p.stat().st_mtime for p in (project_root() / "outputs").rglob("*")}
    for args in (["publish"], ["form", "--period", "2021Q4"], ["--period", "2021Q4"]):
        assert score_cli(*args).code == 0
    assert {p: p.stat().st_mtime for p in (project_root() / "outputs").rglob("*")} == before


def adjustments_file(path: Path) -> None:
    """The office's 复核调整 sheet, with a title row and a real date cell, as Excel saves it."""
    import datetime

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2021年第四季度考评复核调整表"])
    ws.append(["单位", "指标", "调整后数值", "调整后得分", "理由", "批准人", "日期"])
    ws.append(["乙局", "主动公开政府信息", 120, None, "补报漏报的信息", "王主任", datetime.datetime(2022, 1, 10)])
    ws.append(["丙局", "专职人员", None, 4, "现场核查已配备专职人员", "王主任", datetime.datetime(2022, 1, 11)])
    wb.save(path)


def scored_office(office: Path, score_cli) -> Path:
    assert score_cli("form", "--period", "2021Q4").code == 0
    forms = office / "outputs" / "2021Q4" / "填报表"
    for unit, values in FILLED.items():
        fill(forms / f"{unit}_2021Q4_填报表.xlsx", office / "data" / "2021Q4" / f"{unit}回执.xlsx", values)
    adjustments_file(office / "data" / "2021Q4" / "复核调整.xlsx")
    run = score_cli("--period", "2021Q4")
    assert run.code == 0, run.err
    assert "复核调整:乙局“主动公开政府信息” → 120" in run.out and "复核调整:丙局“专职人员” → 4 分" in run.out
    return office / "outputs" / "2021Q4" / "lj_2021Q4.json"


def test_adjustments_applied_with_their_trail(office, score_cli):
    result = json.loads(scored_office(office, score_cli).read_text(encoding="utf-8"))
    # hand-computed: 乙局 volume 20 → 120: 6 instead of 3, total 8 + 3 = 11; 丙局 staff 0 → 4: 4.8 + 4 = 8.8
    assert {t["name"]: t["total"] for t in result["totals"]} == {"甲局": 20, "乙局": 11, "丙局": 8.8}
    items = {i["item_id"]: i for i in result["items"]}
    details = {(d["unit_id"], d["item_id"]): d for d in result["details"]}
    volume = details[("A02", "volume")]
    assert volume["points"] == 6
    assert "复核调整:原 20(2021Q4/乙局回执.xlsx 第5行) → 120(理由:补报漏报的信息;批准:王主任 2022-01-10)" \
        in volume["explanation"]
    staff = details[("A03", "staff")]
    assert staff["points"] == 4 and "复核调整:原 0 分 → 4 分(理由:现场核查已配备专职人员;批准:王主任 2022-01-11)" \
        in staff["explanation"] and items["staff"]["item_name"] == "专职人员"
    steps = [s for s in result["log"] if s["stage"] == "adjust"]
    assert {(s["unit_id"], s["item_id"]) for s in steps} == {("A02", "proactive_items"), ("A03", "staff")}
    # the workbook's breakdown shows the same trail
    ws = openpyxl.load_workbook(office / "outputs" / "2021Q4" / "lj_2021Q4.xlsx")["得分明细"]
    texts = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("复核调整:原 0 分 → 4 分" in t for t in texts) and any("→ 120(理由" in t for t in texts)


@pytest.mark.parametrize("row, words", [
    (["丁局", "专职人员", None, 4, "x", "王"], ["复核调整.xlsx 第3行", "丁局", "不在单位名单"]),
    (["乙局", "专职人员", None, 9, "x", "王"], ["调整后得分", "0 到 4"]),
    (["乙局", "专职人员", 1, 4, "x", "王"], ["只能填写"]),
    (["乙局", "专职人员", None, 4, "", "王"], ["理由"]),
    (["乙局", "主动公开", None, 4, "x", "王"], ["不是末级指标"]),
])
def test_an_adjustment_that_cannot_be_applied_stops_the_run(office, score_cli, row, words):
    wb = openpyxl.Workbook()
    wb.active.append(["复核调整表"])
    wb.active.append(["单位", "指标", "调整后数值", "调整后得分", "理由", "批准人"])
    wb.active.append(row)
    wb.save(office / "data" / "2021Q4" / "复核调整.xlsx")
    run = score_cli("--period", "2021Q4")
    assert run.code == 2
    for word in words:
        assert word in run.err


def feedback_rows(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path)["考评反馈"]
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def test_feedback_files_read_back_cell_by_cell(office, score_cli):
    scored_office(office, score_cli)
    run = score_cli("feedback", "--period", "2021Q4", "--no-pdf")
    assert run.code == 0, run.err
    folder = office / "outputs" / "2021Q4" / "反馈"
    assert sorted(p.name for p in folder.iterdir()) == ["丙局.xlsx", "乙局.xlsx", "甲局.xlsx"]
    rows = feedback_rows(folder / "乙局.xlsx")
    assert rows[0][0] == "临江市政务公开考评(2021年第四季度)考评结果反馈"
    assert rows[1][0] == "临江市政务公开办    单位:乙局    类别:未分类"
    assert [r[:2] for r in rows[3:6]] == [["总分", "11(满分 20)"], ["等次", "合格"], ["类内排名", "第 2 名(本类共 3 个单位)"]]
    header = rows.index(["指标", "满分", "得分", "失分", "评分说明", "数据及来源"])
    losses = rows[header + 1: header + 4]
    # largest loss first: 专职人员 4, 第三方评估 3, 全文电子化 2 (信息发布数量 was adjusted to full marks)
    assert [r[:4] for r in losses] == [["主动公开 / 专职人员", "4", "0", "4"], ["第三方评估", "6", "3", "3"],
                                       ["主动公开 / 全文电子化", "4", "2", "2"]]
    assert losses[0][5].startswith("否(2021Q4/乙局回执.xlsx 第7行")
    assert losses[1][5] == "50 分(2021Q4/第三方评估.csv 第3行)"
    texts = [c for r in rows for c in r if isinstance(c, str)]
    adjusted = texts[texts.index("三、复核调整") + 1]
    assert adjusted.startswith("乙局:“主动公开政府信息”复核调整:原 20(2021Q4/乙局回执.xlsx 第5行) → 120")
    # a unit sees only its own data
    assert not [t for t in texts if "甲局" in t or "丙局" in t or "A01" in t]
    rows = feedback_rows(folder / "丙局.xlsx")
    texts = [c for r in rows for c in r if isinstance(c, str)]
    assert "乙局" not in "".join(texts) and any("复核调整:原 0 分 → 4 分" in t for t in texts)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_feedback_as_pdf_on_a_run(office, score_cli):
    import pdfplumber  # the PDF library the project already depends on (report tables)

    assert score_cli("--period", "2021Q4", "--feedback").code == 0
    pdf = office / "outputs" / "2021Q4" / "反馈" / "甲局.pdf"
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        assert len(document.pages) <= 2 and (round(float(page.width)), round(float(page.height))) == (595, 842)
        assert "甲局" in (page.extract_text() or "")


def test_a_note_column_stays_with_the_values_of_its_row(tmp_path):
    """备注 in a wide file explains the row's values: kept as their evidence, shown in 原始数据."""
    from scoring.data.load import load_data

    (tmp_path / "2021Q4").mkdir()
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8-sig")
    (tmp_path / "2021Q4" / "数据.csv").write_text(
        "单位,主动公开政府信息,政策解读,备注\n甲局,150,6,含转载12条\n乙局,20,3,\n", encoding="utf-8-sig")
    values = load_data(tmp_path, "2021Q4", progress=False).values.set_index(["unit_id", "metric"])
    assert values.loc[("A01", "proactive_items"), "evidence"] == "备注:含转载12条"
    assert values.loc[("A01", "policy_interpretations"), "evidence"] == "备注:含转载12条"
    assert values.loc[("A02", "proactive_items"), "evidence"] == ""
    assert values.loc[("A01", "proactive_items"), "value"] == 150
