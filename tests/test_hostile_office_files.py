"""Spreadsheets as offices save them (Excel, WPS, LibreOffice): hidden sheets, merged cells,
two-row headers, percent formats, error values, stray far-away cells, .xls/.et/.ods.

Each test writes its file the way the office program does (openpyxl and XlsxWriter write
shared strings, merges, hidden sheets and number formats into real .xlsx parts; the .xls and
.ods fixtures come from tests/fixtures/make_office_fixtures.py) and checks the value used and
the issue reported, naming file, row and column.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from scoring.data.load import load_data
from tests.conftest import TINY_UNITS, write
from tests.helpers import TINY_CRITERIA, scheme_from

pytestmark = pytest.mark.hostile

OFFICE = Path(__file__).resolve().parent / "fixtures" / "office"
# hand-computed with TINY_CRITERIA: 甲局 90 → 5.4 + 150 → 4 = 9.4, 乙局 3 + 2 = 5, 丙局 4.8 + 0 = 4.8
FIXTURE_TOTALS = {"甲局": 9.4, "乙局": 5.0, "丙局": 4.8}


def totals_of(kit) -> dict[str, float]:
    data = json.loads(kit.workbook.with_suffix(".json").read_text(encoding="utf-8"))
    return {row["name"]: row["total"] for row in data["totals"]}


def issues_of(kit) -> list[dict]:
    return json.loads(kit.workbook.with_suffix(".json").read_text(encoding="utf-8"))["issues"]


def load(folder: Path):
    """load_data with the tiny criteria (第三方评估得分 is its metric's name)."""
    return load_data(folder, "2021Q4", scheme=scheme_from(folder, TINY_CRITERIA, "tiny.yaml"), progress=False)


def save(book: openpyxl.Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def value_of(data, unit_id: str, metric: str) -> float:
    v = data.values
    return v[(v["unit_id"] == unit_id) & (v["metric"] == metric)]["value"].item()


def row_of(data, unit_id: str, metric: str):
    v = data.values
    return v[(v["unit_id"] == unit_id) & (v["metric"] == metric)].iloc[0]


# ---- sheets: hidden, active, other tables ------------------------------------------------------


def test_a_hidden_first_sheet_is_never_read_the_visible_active_one_is(make_kit, score_cli):
    book = openpyxl.Workbook()
    stale = book.active
    stale.title = "去年数据"
    stale.append(["单位", "第三方评估得分", "主动公开政府信息"])
    stale.append(["甲局", 1, 1])
    stale.sheet_state = "hidden"
    sheet = book.create_sheet("第四季度")
    sheet.append(["单位", "第三方评估得分", "主动公开政府信息"])
    for row in (["甲局", 100, 150], ["乙局", 50, 20], ["丙局", 80, 5]):
        sheet.append(row)
    book.active = 1
    kit = make_kit(metrics=None)
    save(book, kit.period_dir / "报送.xlsx")
    run = score_cli(*kit.job())
    assert run.code == 0, run.text
    assert totals_of(kit) == {"甲局": 10.0, "乙局": 5.0, "丙局": 4.8}
    (said,) = [i for i in issues_of(kit) if "隐藏" in i["message"]]
    assert said["file"] == "2021Q4/报送.xlsx" and "读取工作表“第四季度”" in said["message"]
    assert "“去年数据”未读取" in said["message"]


def test_another_visible_sheet_with_a_header_is_named_in_a_warning(tmp_path):
    write(tmp_path / "units.csv", TINY_UNITS)
    book = openpyxl.Workbook()
    book.active.title = "数据"
    book.active.append(["单位", "第三方评估得分"])
    book.active.append(["甲局", 90])
    other = book.create_sheet("补报")
    other.append(["单位", "第三方评估得分"])
    other.append(["乙局", 70])
    save(book, tmp_path / "2021Q4" / "评估.xlsx")
    data = load(tmp_path)
    assert value_of(data, "U1", "evaluation_score") == 90
    (warning,) = [i for i in data.issues if i.severity == "warning"]
    assert warning.file == "2021Q4/评估.xlsx" and "“补报”也有可识别的表头" in warning.message


def test_a_workbook_whose_sheets_are_all_hidden_is_refused(make_kit, score_cli):
    book = openpyxl.Workbook()
    book.active.append(["单位", "第三方评估得分"])
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():  # what a macro hiding every sheet leaves (Excel's UI refuses to)
            data = source.read(info)
            target.writestr(info, data.replace(b'state="visible"', b'state="hidden"') if info.filename == "xl/workbook.xml" else data)
    kit = make_kit(metrics=None)
    write(kit.period_dir / "全隐藏.xlsx", out.getvalue())
    run = score_cli(*kit.job())
    assert run.code == 2 and "2021Q4/全隐藏.xlsx" in run.err and "没有可见的工作表" in run.err


# ---- merged cells --------------------------------------------------------------------------------


def test_class_merged_over_a_block_of_units_gives_each_unit_its_class(tmp_path):
    from tests.test_data_readers import scheme

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位编码", "单位名称", "类别"])
    for row in (["C01", "东湖区", "县区政府"], ["C02", "西山县", None], ["D01", "市发改委", "市直部门"],
                ["D02", "市教育局", None], ["D03", "市财政局", None]):
        sheet.append(row)
    sheet.merge_cells("C2:C3")
    sheet.merge_cells("C4:C6")
    save(book, tmp_path / "units.xlsx")
    write(tmp_path / "2021Q4" / "m.csv", "单位,主动公开政府信息\n东湖区,1\n")
    data = load_data(tmp_path, "2021Q4", scheme=scheme(), progress=False)
    assert data.units["class"].tolist() == ["county", "county", "dept", "dept", "dept"]
    notes = [i for i in data.issues if "合并单元格" in i.message]
    assert [(i.file, i.row, i.column) for i in notes] == [("units.xlsx", 2, "类别"), ("units.xlsx", 4, "类别")]
    assert "C4:C6" in notes[1].message and "“市直部门”" in notes[1].message
    assert not [i for i in data.issues if i.severity != "info"]


def test_unit_merged_down_a_long_table_names_every_row(tmp_path):
    write(tmp_path / "units.csv", TINY_UNITS)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位", "指标", "数值"])
    for row in (["甲局", "第三方评估得分", 90], [None, "主动公开政府信息", 150], ["乙局", "第三方评估得分", 60],
                [None, "主动公开政府信息", 20]):
        sheet.append(row)
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("A4:A5")
    save(book, tmp_path / "2021Q4" / "长表.xlsx")
    data = load(tmp_path)
    assert value_of(data, "U1", "proactive_items") == 150 and value_of(data, "U2", "proactive_items") == 20
    assert row_of(data, "U1", "proactive_items")["row"] == 3
    assert not [i for i in data.issues if i.severity != "info"]


# ---- two-row headers and two columns for one metric ------------------------------------------------


def test_a_two_row_merged_header_reads_each_sub_column(make_kit, score_cli):
    """主动公开 merged over three sub-columns; 单位 and 第三方评估得分 merged down two rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位", "第三方评估得分", "主动公开", None, None])
    sheet.append([None, None, "总数", "其中规范性文件", "政策解读"])
    for row in (["甲局", 100, 150, 30, 5], ["乙局", 50, 20, 2, 1], ["丙局", 80, 5, 0, 0]):
        sheet.append(row)
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("C1:E1")
    kit = make_kit(metrics=None)
    save(book, kit.period_dir / "两行表头.xlsx")
    run = score_cli(*kit.job())
    assert run.code == 0, run.text
    assert totals_of(kit) == {"甲局": 10.0, "乙局": 5.0, "丙局": 4.8}  # 总数 (150, 20, 5), not 其中 (30, 2, 0)
    issues = issues_of(kit)
    (header,) = [i for i in issues if "表头占两行" in i["message"]]
    assert header["file"] == "2021Q4/两行表头.xlsx" and "第1、2行" in header["message"]
    (unknown,) = [i for i in issues if i["column"] == "其中规范性文件"]
    assert unknown["severity"] == "warning" and "未识别的列" in unknown["message"]


def test_a_header_merged_across_columns_above_a_data_row_is_one_row(tmp_path):
    """A merged 备注 header over two columns must not swallow the first unit's row."""
    write(tmp_path / "units.csv", TINY_UNITS)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位", "第三方评估得分", "备注", None])
    sheet.append(["甲局", 90, "已核", None])
    sheet.append(["乙局", 60, None, None])
    sheet.merge_cells("C1:D1")
    save(book, tmp_path / "2021Q4" / "评估.xlsx")
    data = load(tmp_path)
    assert value_of(data, "U1", "evaluation_score") == 90 and value_of(data, "U2", "evaluation_score") == 60


def test_two_columns_for_one_metric_is_a_header_error_naming_both(tmp_path):
    write(tmp_path / "units.csv", TINY_UNITS)
    write(tmp_path / "2021Q4" / "m.csv", "单位,第三方评估得分,主动公开政府信息(条),主动公开政府信息(其中规范性文件)\n"
                                         "甲局,90,150,30\n乙局,60,20,2\n")
    data = load(tmp_path)
    assert "proactive_items" not in set(data.values["metric"])  # neither the total nor the sub-item
    assert value_of(data, "U1", "evaluation_score") == 90
    (error,) = [i for i in data.issues if i.severity == "error"]
    assert error.file == "2021Q4/m.csv" and error.row == 1 and error.metric == "proactive_items"
    assert "“主动公开政府信息(条)”" in error.message and "“主动公开政府信息(其中规范性文件)”" in error.message


# ---- cell formats, error values, formulas -------------------------------------------------------------


def test_percent_formatted_cells_are_read_as_shown(tmp_path):
    """Excel stores 95% as 0.95 with a percent format: a % metric gets 95, a 0–1 metric 0.95."""
    write(tmp_path / "units.csv", TINY_UNITS)
    path = tmp_path / "2021Q4" / "比率.xlsx"
    path.parent.mkdir(parents=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    percent = book.add_format({"num_format": "0%"})
    decimals = book.add_format({"num_format": "0.00%"})
    sheet.write_row(0, 0, ["单位", "全文电子化率", "年报雷同度"])
    for r, (unit, rate, same) in enumerate([("甲局", 0.95, 0.07), ("乙局", 1, 0.123)], start=1):
        sheet.write(r, 0, unit)
        sheet.write_number(r, 1, rate, percent)
        sheet.write_number(r, 2, same, decimals)
    book.close()
    data = load(tmp_path)
    assert value_of(data, "U1", "fulltext_rate") == 95 and row_of(data, "U1", "fulltext_rate")["raw"] == "95%"
    assert value_of(data, "U2", "fulltext_rate") == 100
    assert value_of(data, "U1", "report_similarity") == pytest.approx(0.07)
    assert value_of(data, "U2", "report_similarity") == pytest.approx(0.123)


def test_error_values_and_formulas_without_a_value_are_missing_with_an_issue(make_kit, score_cli):
    """#N/A from a failed VLOOKUP and a formula saved without its result are not "not applicable":
    the reader keeps their text, the scoring treats them as missing and says so."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位", "第三方评估得分", "主动公开政府信息"])
    sheet.append(["甲局", "#N/A", "=SUM(100,50)"])  # openpyxl saves formulas without a value, as scripts do
    sheet.append(["乙局", "#DIV/0!", 20])
    sheet.append(["丙局", 80, 5])
    kit = make_kit(metrics=None)
    save(book, kit.period_dir / "汇总.xlsx")
    data = load(kit.data)
    na, formula = row_of(data, "U1", "evaluation_score"), row_of(data, "U1", "proactive_items")
    assert na["raw"] == "#N/A" and formula["raw"] == "=SUM(100,50)"
    assert row_of(data, "U2", "evaluation_score")["raw"] == "#DIV/0!"
    for found in (na, formula, row_of(data, "U2", "evaluation_score")):
        assert found["applicable"] and found["value"] != found["value"]  # missing (NaN), not 不适用
    run = score_cli(*kit.job())
    assert run.code == 0, run.text
    assert totals_of(kit) == {"甲局": 0.0, "乙局": 2.0, "丙局": 4.8}  # missing scores nothing, no rescaling
    said = {(i["row"], i["column"]) for i in issues_of(kit)
            if i["severity"] == "warning" and i["file"] == "2021Q4/汇总.xlsx"}
    assert {(2, "第三方评估得分"), (2, "主动公开政府信息"), (3, "第三方评估得分")} <= said


# ---- bounded by the real data ---------------------------------------------------------------------------


def test_one_cell_in_column_xfd_costs_neither_memory_nor_time(tmp_path):
    write(tmp_path / "units.csv", TINY_UNITS)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位", "第三方评估得分"])
    for n in range(3000):
        sheet.append([["甲局", "乙局", "丙局"][n % 3] if n < 3 else f"说明{n}", 90])
    sheet["XFD2000"] = "x"
    path = save(book, tmp_path / "2021Q4" / "宽.xlsx")
    write(tmp_path / "tiny.yaml", TINY_CRITERIA)
    assert path.stat().st_size < 100_000
    probe = textwrap.dedent(f"""
        import resource, sys
        from scoring.data.load import load_data
        from scoring.scheme.loader import load_scheme
        data = load_data({str(tmp_path)!r}, "2021Q4", load_scheme({str(tmp_path / "tiny.yaml")!r}), progress=False)
        far = [i for i in data.issues if i.column == "XFD"]
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, len(far), far[0].row, far[0].file)
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    peak_mb, far, row, file = done.stdout.split()
    assert int(peak_mb) < 1000 and (far, row, file) == ("1", "2000", "2021Q4/宽.xlsx")


# ---- .xls, WPS .et, .ods --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["报送.xls", "报送.et"])
def test_xls_and_wps_et_files_are_read_with_hidden_sheets_skipped(name, make_kit, score_cli):
    kit = make_kit(metrics=None)
    shutil.copy(OFFICE / "wps_export.xls", kit.period_dir / name)
    run = score_cli(*kit.job())
    assert run.code == 0, run.text
    assert totals_of(kit) == FIXTURE_TOTALS
    (said,) = [i for i in issues_of(kit) if "隐藏的工作表“去年”未读取" in i["message"]]
    assert said["file"] == f"2021Q4/{name}"


def test_ods_files_are_read(make_kit, score_cli):
    kit = make_kit(metrics=None)
    shutil.copy(OFFICE / "libreoffice.ods", kit.period_dir / "报送.ods")
    run = score_cli(*kit.job())
    assert run.code == 0, run.text
    assert totals_of(kit) == FIXTURE_TOTALS


def test_an_et_file_that_cannot_be_read_says_to_save_it_as_xlsx(make_kit, score_cli):
    kit = make_kit(metrics=None)
    write(kit.period_dir / "报送.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    run = score_cli(*kit.job())
    assert run.code == 2 and "2021Q4/报送.et" in run.err and "另存为 .xlsx" in run.err



# ---- units written in cells and headers -------------------------------------------------------------

MONEY_CRITERIA = """\
id: money
name: 经费考评
total: 10
metrics:
  - {id: spending, name: 信息公开经费, unit: 万元}
indicators:
  - {id: a, name: 经费, points: 10, metric: spending, rule: {type: linear, zero_at: 0, full_at: 10}}
"""


def money_data(folder: Path, metrics_csv: str):
    write(folder / "units.csv", TINY_UNITS)
    write(folder / "2021Q4" / "经费.csv", metrics_csv)
    return load_data(folder, "2021Q4", scheme=scheme_from(folder, MONEY_CRITERIA, "money.yaml"), progress=False)


def test_units_written_in_cells_are_converted_into_the_metrics_unit(tmp_path):
    data = money_data(tmp_path, "单位,信息公开经费\n甲局,30000元\n乙局,3万\n丙局,2.5万元\n")
    assert value_of(data, "U1", "spending") == 3  # 30000 元 = 3 万元, not 30000 万元
    assert value_of(data, "U2", "spending") == 3
    assert value_of(data, "U3", "spending") == 2.5
    (note,) = [i for i in data.issues if "已换算" in i.message]
    assert (note.file, note.row, note.column, note.unit) == ("2021Q4/经费.csv", 2, "信息公开经费", "甲局")
    assert "30000元" in note.message and "3 万元" in note.message


def test_a_unit_in_the_header_converts_the_whole_column(tmp_path):
    data = money_data(tmp_path, "单位,信息公开经费(元)\n甲局,30000\n乙局,4500\n丙局,3千\n")
    assert value_of(data, "U1", "spending") == 3 and value_of(data, "U2", "spending") == pytest.approx(0.45)
    assert value_of(data, "U3", "spending") == pytest.approx(0.3)
    (note,) = [i for i in data.issues if "按表头的单位" in i.message]
    assert note.column == "信息公开经费(元)" and "“元”" in note.message and "“万元”" in note.message


def test_a_unit_that_cannot_be_converted_is_an_error_and_the_value_unused(tmp_path):
    data = money_data(tmp_path, "单位,信息公开经费\n甲局,30条\n乙局,95%\n丙局,12\n")
    assert value_of(data, "U3", "spending") == 12
    for unit_id in ("U1", "U2"):
        assert value_of(data, unit_id, "spending") != value_of(data, unit_id, "spending")  # NaN: not used
    errors = {i.row: i for i in data.issues if i.severity == "error"}
    assert set(errors) == {2, 3} and "无法换算为该指标的单位“万元”" in errors[2].message
    assert errors[2].file == "2021Q4/经费.csv" and errors[2].column == "信息公开经费"


def test_a_percent_column_of_fractions_is_flagged_and_a_share_above_one_refused(tmp_path):
    write(tmp_path / "units.csv", TINY_UNITS)
    write(tmp_path / "2021Q4" / "比率.csv", "单位,全文电子化率,年报雷同度\n甲局,0.95,0.3\n乙局,1,17\n丙局,0.9,17%\n")
    data = load(tmp_path)
    assert value_of(data, "U1", "fulltext_rate") == 0.95  # used as written, but flagged
    (flag,) = [i for i in data.issues if i.metric == "fulltext_rate"]
    assert flag.severity == "warning" and flag.column == "全文电子化率" and "都不大于 1" in flag.message
    assert value_of(data, "U3", "report_similarity") == pytest.approx(0.17)
    assert value_of(data, "U2", "report_similarity") != value_of(data, "U2", "report_similarity")
    (above,) = [i for i in data.issues if i.metric == "report_similarity"]
    assert above.severity == "error" and above.row == 3 and "超出 0–1 的范围" in above.message


# ---- unit codes against names ------------------------------------------------------------------------


def test_a_code_column_of_row_serials_never_scores_another_unit(tmp_path):
    """The units file codes units 1, 2, 3; the data's 编号 is the row serial, in another order."""
    write(tmp_path / "units.csv", "单位编码,单位名称\n1,甲局\n2,乙局\n3,丙局\n")
    write(tmp_path / "2021Q4" / "m.csv", "编号,单位名称,第三方评估得分\n1,丙局,80\n2,甲局,100\n3,乙局,50\n,乙局,55\n")
    data = load(tmp_path)
    assert not len(data.values[data.values["row"].isin([2, 3, 4])])  # the three mismatched rows: not used
    assert value_of(data, "2", "evaluation_score") == 55  # blank code: found by its name
    errors = [i for i in data.issues if i.severity == "error"]
    assert [(e.file, e.row, e.column) for e in errors] == [("2021Q4/m.csv", r, "编号") for r in (2, 3, 4)]
    assert "编号“1”(单位名单中为“甲局”),单位名称却是“丙局”(单位名单中为“丙局”)" in errors[0].message


def test_a_code_column_matching_no_unit_is_read_as_serials_and_names_used(tmp_path):
    write(tmp_path / "units.csv", TINY_UNITS)
    write(tmp_path / "2021Q4" / "m.csv", "编号,单位名称,第三方评估得分\n1,丙局,80\n2,甲局,100\n")
    data = load(tmp_path)
    assert value_of(data, "U3", "evaluation_score") == 80 and value_of(data, "U1", "evaluation_score") == 100
    (warning,) = [i for i in data.issues if i.severity != "info"]
    assert warning.column == "编号" and "可能是序号" in warning.message


# ---- the tool's own outputs ---------------------------------------------------------------------------


def test_results_written_into_the_input_folder_are_never_read_back(make_kit, score_cli, tmp_path):
    kit = make_kit()
    assert score_cli(*kit.job()).code == 0
    for made in kit.out.iterdir():  # last quarter's results, copied in with the data
        shutil.copy(made, kit.period_dir / made.name)
    run = score_cli(*kit.job("--overwrite"))
    assert run.code == 0, run.text
    assert totals_of(kit) == {"甲局": 10.0, "乙局": 5.0, "丙局": 4.8}
    skipped = {i["file"] for i in issues_of(kit) if "本工具生成的考评结果" in i["message"]}
    assert skipped == {"2021Q4/tiny_2021Q4.xlsx", "2021Q4/tiny_2021Q4.csv"}


def test_out_inside_input_is_refused(make_kit, score_cli):
    kit = make_kit()
    run = score_cli(*kit.job()[:-2], "--out", kit.data / "结果")
    assert run.code == 2 and "在输入文件夹" in run.err and not (kit.data / "结果").exists()


# ---- records, names, dates, issue counts ---------------------------------------------------------------


RECORDS_CRITERIA = """\
id: rec
name: 发布考评
total: 10
metrics:
  - {id: gap, name: 人事信息最长间隔, records: {measure: max_gap_days, where: {category: 人事信息}}}
indicators:
  - {id: a, name: 更新, points: 10, metric: gap, rule: {type: linear, zero_at: 92, full_at: 0}}
"""


def test_records_where_matching_nothing_in_the_period_gives_the_full_period_gap(tmp_path):
    write(tmp_path / "units.csv", TINY_UNITS)
    write(tmp_path / "2021Q4" / "records.csv",
          "单位,发布日期,栏目,标题\n甲局,2021-10-05,政策解读,a\n乙局,2021-11-01,政策解读,b\n甲局,2021-06-01,人事信息,c\n")
    scheme = scheme_from(tmp_path, RECORDS_CRITERIA, "rec.yaml")
    from scoring.engine import score

    data = load_data(tmp_path, "2021Q4", scheme=scheme, progress=False)
    result = score(scheme, data, "2021Q4")
    gaps = result.details.query("item_id == 'a'").set_index("unit_id")["value"].to_dict()
    assert gaps == {"U1": 92.0, "U2": 92.0, "U3": 92.0}


def test_dates_as_excel_and_wps_write_them(tmp_path):
    import pandas as pd

    from scoring.data.records import parse_dates

    texts = pd.Series(["44561.5", "2021/12/31 上午 10:00:00", "2021/12/31 下午 11:59:59", "2021-12-31T23:30:00+08:00",
                       "2021-12-31 10:00:00 +0800", "2021年12月31日 10时30分"])
    assert parse_dates(texts).dt.strftime("%Y-%m-%d").tolist() == ["2021-12-31"] * 6


def test_a_file_name_that_is_not_utf8_is_shown_with_replacement_characters(make_kit, score_cli):
    kit = make_kit(metrics=None)
    name = b"\xb1\xa8\xcb\xcd.csv"  # 报送.csv in GBK, as unzip leaves a Windows zip's names
    folder = bytes(kit.period_dir) + b"/" + name
    with open(folder, "w", encoding="utf-8") as handle:
        handle.write("单位,第三方评估得分,主动公开政府信息\n甲局,100,150\n乙局,50,20\n未知局,1,1\n")
    run = score_cli(*kit.job())
    assert run.code == 0, run.text
    shown = {i["file"] for i in issues_of(kit) if i["file"]}
    assert "2021Q4/\ufffd\ufffd\ufffd\ufffd.csv" in shown
    assert totals_of(kit)["甲局"] == 10.0


def test_issues_of_one_kind_are_capped_per_file(tmp_path):
    from tests.test_data_readers import scheme

    rows = "".join(f"X{n},单位{n},不存在的类别\n" for n in range(300))
    write(tmp_path / "units.csv", "单位编码,单位名称,类别\n" + rows)
    write(tmp_path / "2021Q4" / "m.csv", "单位,主动公开政府信息\n单位1,1\n")
    data = load_data(tmp_path, "2021Q4", scheme=scheme(), progress=False)
    kinds = [i for i in data.issues if i.file == "units.csv"]
    assert len(kinds) == 21 and "另有 280 行同类问题(类别不在考评方案中)" in kinds[-1].message
