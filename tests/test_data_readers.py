"""Reading input folders: formats, encodings, headers, units, periods, records and their issues."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from scoring.data.issuelog import IssueLog
from scoring.data.load import load_data
from scoring.data.records import derive_record_metric
from scoring.errors import InputError
from scoring.periods import Period
from scoring.scheme.model import Indicator, MetricSpec, Scheme, UnitClass
from tests.helpers import TINY_UNITS

UNITS_CSV = (
    "unit_id,name,class,aliases\n"
    "C01,东湖区,county,东湖\n"
    "C02,西山县,county,\n"
    "D01,市发展和改革委员会,dept,市发改委|发改委\n"
    "D02,市教育局,dept,\n"
)
WIDE = "单位,主动公开政府信息,政策解读\n东湖区,120,5\n市教育局,80,3\n"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(folder: Path, name: str, rows: list[list], sheet: str = "Sheet1",
               other_first: list[list] | None = None, merge: str | None = None) -> Path:
    book = Workbook()
    first = book.active
    if other_first is not None:
        first.title = "说明"
        for row in other_first:
            first.append(row)
        ws = book.create_sheet(sheet)
    else:
        ws = first
        ws.title = sheet
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def scheme() -> Scheme:
    return Scheme(
        id="test", name="测试方案", total=100,
        classes=(UnitClass(id="county", name="县区政府", aliases=("A类",)),
                 UnitClass(id="dept", name="市直部门", aliases=("B类",))),
        metrics=(MetricSpec(id="evaluation_score", name="第三方评估得分"),),
        indicators=(
            Indicator(id="volume", points=50, metric="proactive_items", rule={"type": "linear", "zero_at": 0, "full_at": 100}),
            Indicator(id="third", points=50, metric="evaluation_score", rule={"type": "score"}),
        ),
    )


def problems(data) -> tuple:
    """Issues other than notes (info: an encoding, a skipped title row, an alias, an approximation)."""
    return tuple(i for i in data.issues if i.severity != "info")


def folder_with(tmp_path: Path, metrics: str = WIDE, name: str = "2021Q4/metrics.csv", encoding: str = "utf-8") -> Path:
    write(tmp_path, "units.csv", UNITS_CSV)
    write(tmp_path, name, metrics, encoding)
    return tmp_path


def value(data, unit_id: str, metric: str) -> float:
    v = data.values
    return v[(v["unit_id"] == unit_id) & (v["metric"] == metric)]["value"].item()


# ---- encodings and CSV shape ----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_read_the_same(tmp_path: Path, encoding: str) -> None:
    data = load_data(folder_with(tmp_path, encoding=encoding), "2021Q4", progress=False)
    assert value(data, "C01", "proactive_items") == 120
    assert value(data, "D02", "policy_interpretations") == 3
    assert problems(data) == ()
    notes = [i.message for i in data.issues]
    assert notes == (["文件不是 UTF-8 编码,已按 GBK/GB18030 读取"] if encoding.startswith("gb") else [])
    assert data.sources == ("units.csv", "2021Q4/metrics.csv")


def test_undecodable_csv_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    (folder / "2021Q4" / "bad.csv").write_bytes(b"\xff\xfe\xff\xff,\x80\n")
    with pytest.raises(InputError) as err:
        load_data(folder, "2021Q4", progress=False)
    assert err.value.location.file == "2021Q4/bad.csv"
    assert "编码" in err.value.message


def test_ragged_rows_are_reported_with_their_row(tmp_path: Path) -> None:
    text = "单位,主动公开政府信息,政策解读\n东湖区,120,5,多余\n市教育局,80\n西山县,10,1\n"
    data = load_data(folder_with(tmp_path, text), "2021Q4", progress=False)
    rows = {i.row: i for i in data.issues}
    assert set(rows) == {2, 3}
    # a row with a filled cell beyond the header may have every value shifted (issue 15.13): not used
    assert rows[2].severity == "error" and "多于表头" in rows[2].message and "本行未使用" in rows[2].message
    assert "少于表头" in rows[3].message and rows[3].file == "2021Q4/metrics.csv"
    assert "C01" not in set(data.values["unit_id"])
    short = data.values.query("unit_id == 'D02' and metric == 'policy_interpretations'")
    assert short["applicable"].item() and short["raw"].item() == ""  # a cell the row lacks is blank: missing


def test_quoted_cells_with_commas_and_tabs_separated_files(tmp_path: Path) -> None:
    write(tmp_path, "2021Q4/b.csv", "单位\t回应关切\n西山县\t7\n")
    folder = folder_with(tmp_path, '单位,"主动公开政府信息",标题备注\n"东湖区","1,200",\n')
    data = load_data(folder, "2021Q4", progress=False)
    assert value(data, "C01", "proactive_items") == 1200
    assert value(data, "C02", "responses_to_concerns") == 7


def test_title_rows_above_the_header_are_skipped_and_rows_count_from_the_file_top(tmp_path: Path) -> None:
    text = "临江市2021年第四季度政务公开数据\n\n单位,主动公开政府信息\n东湖区,很多\n"
    data = load_data(folder_with(tmp_path, text), "2021Q4", progress=False)
    (issue,) = problems(data)
    assert (issue.row, issue.column) == (4, "主动公开政府信息")
    assert any(i.severity == "info" and "表头在第3行" in i.message and i.row == 3 for i in data.issues)


def test_empty_and_header_only_data_files_are_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    write(folder, "2021Q4/empty.csv", "")
    write(folder, "2021Q4/header.csv", "单位,政策解读\n")
    data = load_data(folder, "2021Q4", progress=False)
    by_file = {i.file: i for i in data.issues}
    assert by_file["2021Q4/empty.csv"].severity == "warning" and "为空" in by_file["2021Q4/empty.csv"].message
    assert "只有表头" in by_file["2021Q4/header.csv"].message
    assert "2021Q4/empty.csv" not in data.sources


def test_empty_units_file_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path, "units.csv", "")
    write(tmp_path, "2021Q4/metrics.csv", WIDE)
    with pytest.raises(InputError, match="单位名单为空"):
        load_data(tmp_path, "2021Q4", progress=False)


# ---- XLSX -------------------------------------------------------------------------------------


def test_xlsx_with_merged_title_numbers_as_text_and_a_data_sheet(tmp_path: Path) -> None:
    write(tmp_path, "units.csv", UNITS_CSV)
    rows = [["临江市第四季度评估结果", None, None], [None, None, None],
            ["单位名称", "第三方评估得分", "政策解读"], ["东湖区", 88.5, "7"], ["市教育局", "91", 2]]
    write_xlsx(tmp_path, "2021Q4/评估.xlsx", rows, sheet="数据", other_first=[["填表说明"]], merge="A1:C1")
    data = load_data(tmp_path, "2021Q4", scheme=scheme(), progress=False)
    assert value(data, "C01", "evaluation_score") == 88.5
    assert value(data, "D02", "evaluation_score") == 91
    assert value(data, "C01", "policy_interpretations") == 7
    row = data.values.query("unit_id == 'D02' and metric == 'evaluation_score'")["row"].item()
    assert row == 5
    assert problems(data) == ()


def test_not_an_xlsx_is_an_input_error(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    write(folder, "2021Q4/fake.xlsx", "单位,政策解读\n")
    with pytest.raises(InputError) as err:
        load_data(folder, "2021Q4", progress=False)
    assert err.value.location.file == "2021Q4/fake.xlsx" and "XLSX" in err.value.message


# ---- units ------------------------------------------------------------------------------------


def test_units_with_chinese_headers_class_names_and_aliases(tmp_path: Path) -> None:
    write(tmp_path, "units.csv",
          "单位编码,单位名称,类别,别名\nC01,东湖区,县区政府,\nC02,西山县,A类,\nD01,市发展和改革委员会,dept,市发改委\n"
          "D02,市教育局,市直部门,\n")
    write(tmp_path, "2021Q4/metrics.csv", "单位名称,主动公开政府信息\n市发改委,9\n西山县　,4\nＣ０１,3\n")
    data = load_data(tmp_path, "2021Q4", scheme=scheme(), progress=False)
    assert data.units["class"].tolist() == ["county", "county", "dept", "dept"]
    assert value(data, "D01", "proactive_items") == 9  # alias
    assert value(data, "C02", "proactive_items") == 4  # trailing full-width space
    assert value(data, "C01", "proactive_items") == 3  # full-width id
    assert problems(data) == ()


def test_units_xlsx(tmp_path: Path) -> None:
    write_xlsx(tmp_path, "units.xlsx", [["考评单位名单"], ["单位编码", "单位名称", "类别"], ["C01", "东湖区", "county"]])
    write(tmp_path, "2021Q4/metrics.csv", "单位,政策解读\n东湖区,2\n")
    data = load_data(tmp_path, "2021Q4", progress=False)
    assert data.units.to_dict("records") == [{"unit_id": "C01", "name": "东湖区", "class": "county", "aliases": ""}]


def test_unknown_class_and_duplicate_units_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "units.csv",
          "unit_id,name,class\nC01,东湖区,county\nC01,西山县,county\nC03,东湖区,county\nD01,市教育局,直属单位\n")
    write(tmp_path, "2021Q4/metrics.csv", "单位,政策解读\n东湖区,2\n")
    data = load_data(tmp_path, "2021Q4", scheme=scheme(), progress=False)
    assert data.units["unit_id"].tolist() == ["C01", "D01"]
    assert data.units["class"].tolist() == ["county", ""]
    issues = {i.row: i for i in data.issues}
    assert issues[3].severity == "warning" and "单位编码“C01”重复" in issues[3].message and "第 2 行" in issues[3].message
    assert issues[4].severity == "warning" and "单位名称“东湖区”重复" in issues[4].message
    assert issues[5].severity == "error" and "直属单位" in issues[5].message and issues[5].column == "class"


def test_unknown_unit_lists_the_closest_names(tmp_path: Path) -> None:
    text = "单位,主动公开政府信息,政策解读\n市教育厅,10,1\n东湖区,2,2\n市教育厅,3,3\n"
    data = load_data(folder_with(tmp_path, text), "2021Q4", progress=False)
    (issue,) = data.issues
    assert issue.severity == "error" and issue.unit == "市教育厅" and issue.row == 2 and issue.column == "单位"
    assert "共 2 行" in issue.message and "最接近的单位:市教育局" in issue.message
    assert set(data.values["unit_id"]) == {"C01"}


def test_folder_without_units_file_derives_units_from_the_data(tmp_path: Path) -> None:
    write(tmp_path, "2021Q4/metrics.csv", WIDE)
    data = load_data(tmp_path, "2021Q4", progress=False)
    assert data.units["name"].tolist() == ["东湖区", "市教育局"]
    assert data.units["class"].tolist() == ["", ""]
    assert [i.severity for i in data.issues] == ["info"]


# ---- metric files -----------------------------------------------------------------------------


def test_wide_headers_by_id_name_alias_unit_suffix_and_declared_name(tmp_path: Path) -> None:
    text = ("unit,proactive_items,解读,回应关切(条),第三方评估得分,工作亮点(highlights),序号,奇怪的列\n"
            "东湖区,1,2,3,4,5,1,x\n")
    data = load_data(folder_with(tmp_path, text), "2021Q4", scheme=scheme(), progress=False)
    got = dict(zip(data.values["metric"], data.values["value"]))
    assert got == {"proactive_items": 1, "policy_interpretations": 2, "responses_to_concerns": 3,
                   "evaluation_score": 4, "highlights": 5}
    unknown = [i for i in data.issues if i.column == "奇怪的列"]
    assert len(unknown) == 1 and unknown[0].severity == "warning" and unknown[0].row == 1
    # highlights is an identifier the scheme does not use: read, with a note (not a warning)
    assert any(i.metric == "highlights" and i.severity == "info" for i in data.issues)


def test_long_format_with_english_headers(tmp_path: Path) -> None:
    text = ("unit,metric,value,source,evidence,approx,period\n"
            "东湖区,proactive_items,665条,东湖区年报.pdf,全年主动公开政府信息665条,false,2021Q4\n"
            "市教育局,政策解读,20,,,true,2021Q4\n"
            "市教育局,政策解读,99,,,false,2021Q3\n")
    data = load_data(folder_with(tmp_path, text, name="long.csv"), "2021Q4", progress=False)
    v = data.values.set_index(["unit_id", "metric"])
    assert v.loc[("C01", "proactive_items"), "value"] == 665
    assert v.loc[("C01", "proactive_items"), "evidence"] == "东湖区年报.pdf:全年主动公开政府信息665条"
    assert v.loc[("C01", "proactive_items"), "source"] == "long.csv"
    assert v.loc[("D02", "policy_interpretations"), ["value", "approx"]].tolist() == [20, True]
    assert len(data.values) == 2  # the 2021Q3 row belongs to another period
    assert data.issues == ()


def test_review_workbook_from_the_extractor(tmp_path: Path) -> None:
    write(tmp_path, "units.csv", UNITS_CSV)
    header = ["单位", "指标", "数值", "期间", "来源文件", "依据原文", "约数", "置信度", "核对"]
    rows = [header,
            ["东湖区", "主动公开政府信息", "600余", "2021", "东湖.pdf", "主动公开信息600余条", "是", 0.9, ""],
            ["东湖区", "政策解读", "12", "2021", "东湖.pdf", "政策解读12篇", "否", 0.8, "删除"],
            ["市教育局", "行政复议", "1", "2021年度", "教育.pdf", "行政复议1件", "否", 0.7, "作废(重复)"],
            ["市教育局", "关注度", "3", "2021", "教育.pdf", "", "否", 0.5, ""]]
    review = write_xlsx(tmp_path, "review/2021_review.xlsx", rows, sheet="提取结果")
    data = load_data(review, "2021", progress=False)
    assert data.values[["unit_id", "metric", "value", "approx"]].values.tolist() == [
        ["C01", "proactive_items", 600.0, True]]
    assert data.units["unit_id"].tolist() == ["C01", "C02", "D01", "D02"]  # units.csv one folder up
    assert data.sources == ("units.csv", "review/2021_review.xlsx")
    infos = [i for i in data.issues if i.severity == "info" and i.column == "核对"]
    assert len(infos) == 1 and "2 行" in infos[0].message
    unknown = [i for i in data.issues if i.severity == "warning"]
    assert len(unknown) == 1 and "关注度" in unknown[0].message and unknown[0].row == 5


def test_review_folder_is_ignored_by_the_folder_loader(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    write(folder, "review/notes.csv", "单位,政策解读\n东湖区,999\n")
    data = load_data(folder, "2021Q4", progress=False)
    assert value(data, "C01", "policy_interpretations") == 5


def test_top_level_file_with_a_period_column_and_chinese_period_labels(tmp_path: Path) -> None:
    write(tmp_path, "units.csv", UNITS_CSV)
    write(tmp_path, "all.csv", "单位,期间,政策解读\n东湖区,2021年第四季度,4\n东湖区,2021Q3,9\n西山县,下季度,1\n")
    data = load_data(tmp_path, "2021Q4", progress=False)
    assert data.values[["unit_id", "value"]].values.tolist() == [["C01", 4.0]]
    (issue,) = data.issues
    assert issue.severity == "error" and issue.row == 4 and issue.column == "期间"


def test_top_level_file_without_period_is_read_for_the_run_with_a_note(tmp_path: Path) -> None:
    data = load_data(folder_with(tmp_path, name="metrics.csv"), "2021Q4", progress=False)
    assert value(data, "C01", "proactive_items") == 120
    assert [(i.severity, i.file) for i in data.issues] == [("info", "metrics.csv")]


def test_other_period_folders_are_not_read_for_metrics(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    write(folder, "2021Q3/metrics.csv", "单位,政策解读\n东湖区,999\n")
    write(folder, "2021/metrics.csv", "单位,政策解读\n东湖区,888\n")
    data = load_data(folder, "2021Q4", progress=False)
    assert value(data, "C01", "policy_interpretations") == 5
    with pytest.raises(InputError, match="2021Q1"):
        load_data(folder, "2021Q1", progress=False)


def test_single_file_without_units_derives_them(tmp_path: Path) -> None:
    path = write(tmp_path, "data/x.csv", WIDE)
    data = load_data(path, "2021Q4", progress=False)
    assert data.units["unit_id"].tolist() == ["东湖区", "市教育局"]
    assert data.sources == ("x.csv",)


def test_missing_input_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="找不到输入"):
        load_data(tmp_path / "nope", "2021Q4", progress=False)


# ---- records ----------------------------------------------------------------------------------


RECORDS = ("单位,发布日期,栏目,标题,应公开日期\n"
           "东湖区,2021-10-05,工作动态,召开会议,\n"
           "东湖,2021/11/5,通知公告,关于放假的通知,2021-11-01\n"
           "东湖镇,2021-10-06,工作动态,开展督查,\n"
           "东湖镇,2021-10-07,工作动态,开展督查,\n"
           "市教育局,十月五日,工作动态,开学,\n"
           "市教育局,2021-12-01,工作动态,开学,不知道\n")


def test_records_are_matched_parsed_and_their_problems_reported(tmp_path: Path) -> None:
    write(tmp_path, "units.csv", UNITS_CSV)
    write(tmp_path, "2021/records.csv", RECORDS)  # a year folder serves a quarter run
    data = load_data(tmp_path, "2021Q4", progress=False)
    r = data.records
    assert r["unit_id"].tolist() == ["C01", "C01", "D02"]
    assert str(r["date"].iloc[1].date()) == "2021-11-05"
    assert str(r["due_date"].iloc[1].date()) == "2021-11-01"
    assert r["due_date"].iloc[[0, 2]].isna().all()
    by_row = {i.row: i for i in data.issues}
    unknown = by_row[4]
    assert unknown.unit == "东湖镇" and "共 2 行" in unknown.message and unknown.severity == "error"
    assert "东湖区" in unknown.message  # closest name
    assert by_row[6].column == "发布日期" and "十月五日" in by_row[6].message
    assert by_row[7].column == "应公开日期" and "不知道" in by_row[7].message
    assert len(data.issues) == 3
    assert data.values.empty


def test_same_record_in_two_files_is_counted_once(tmp_path: Path) -> None:
    write(tmp_path, "units.csv", UNITS_CSV)
    write(tmp_path, "2021/records.csv", RECORDS.split("东湖镇")[0].rstrip(",\n") + "\n")
    write(tmp_path, "2021Q4/records.csv", "单位,发布日期,栏目,标题\n东湖区,2021-10-05,工作动态,召开会议\n"
                                          "东湖区,2021-10-05,工作动态,另一条\n")
    data = load_data(tmp_path, "2021Q4", progress=False)
    assert len(data.records) == 3
    assert [i.severity for i in data.issues] == ["info"]


def test_total_rows_are_skipped_with_a_note(tmp_path: Path) -> None:
    text = WIDE + "合 计,200,8\n"
    data = load_data(folder_with(tmp_path, text), "2021Q4", progress=False)
    (issue,) = data.issues
    assert issue.severity == "info" and issue.row == 4 and "合计" in issue.message
    assert len(data.values) == 4


def test_an_xls_that_is_no_workbook_is_an_input_error_naming_it(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    (folder / "2021Q4" / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError) as err:
        load_data(folder, "2021Q4", progress=False)
    assert err.value.location.file == "2021Q4/old.xls" and "另存为 .xlsx" in err.value.message


def test_the_committed_sample_folder_reads_with_its_documented_blemishes() -> None:
    sample = Path(__file__).resolve().parent.parent / "sample_inputs"
    data = load_data(sample, "2021Q4", progress=False)
    assert len(data.units) == 44 and set(data.units["class"]) == {"county", "dept"}
    (conflict,) = problems(data)  # 市财政局's two values; everything else reads cleanly
    notes = " ".join(i.message for i in data.issues if i.severity == "info")
    assert "GBK" in notes and "表头在第3行" in notes and "“市发改委”" in notes and "约数“770余”" in notes
    assert conflict.unit == "市财政局" and conflict.file == "2021Q4/补报.csv"
    wide = data.wide()
    ids = dict(zip(data.units["name"], data.units["unit_id"]))
    assert wide.loc[ids["市发展和改革委员会"]].notna().sum() >= 25  # written by its alias
    assert wide.loc[ids["松林镇"], "site_down"] == 1
    assert wide.loc[ids["市体育局"], "applications_received"] == 0
    assert pd.isna(wide.loc[ids["市档案馆"], "evaluation_score"])
    approx = data.values[data.values["approx"]]
    assert set(approx["raw"].str[-1]) == {"余", "多"}
    assert len(data.records) > 100_000


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(['a', 'b', ',', '"', '\n', '""', '"x,y"', '\r\n', '关', ' ']), max_size=40).map("".join))
def test_csv_cells_are_those_pythons_csv_module_reads(body: str) -> None:
    """pyarrow's reading (with odd rows placed by ours) gives the rows and cells the csv module
    gives, stripped, cut to the header's three columns; a row with a cell beyond them is left
    out; a text that is refused is one with a quote left open."""
    import csv
    import io
    import tempfile

    from scoring.data.csv_reader import read_csv

    text = "单位,甲,乙\n" + body
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(text.encode("utf-8"))
        try:
            table = read_csv(path, "t.csv", lambda cells: cells[:1] == ["单位"], IssueLog(), None, 2**20)
        except InputError as exc:
            assert "引号没有闭合" in exc.message
            return
    expected = []
    for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = [c.strip() for c in record]
        if number > 1 and not any(cells[3:]) and any(cells):
            expected.append((number, (cells + ["", ""])[:3]))
    got = list(zip(table.rows.tolist(), table.cells.astype(object).to_numpy().tolist())) if table else []
    assert got == expected


def test_records_of_several_files_keep_units_and_categories_as_codes(tmp_path: Path) -> None:
    """Monthly files written differently ("工作 动态", alias 东湖) join into one table whose unit and
    category columns stay categorical: the engine reads positions from their codes."""
    write(tmp_path, "units.csv", UNITS_CSV)
    write(tmp_path, "2021/records_10.csv", "单位,发布日期,栏目\n东湖区,2021-10-05,工作动态\n西山县,2021-10-06,通知公告\n")
    write(tmp_path, "2021/records_11.csv", "单位,发布日期,栏目\n东湖,2021-11-05,工作 动态\n东湖区,2021-11-09,政策解读\n")
    data = load_data(tmp_path, "2021Q4", progress=False)
    records = data.records
    assert isinstance(records["unit_id"].dtype, pd.CategoricalDtype)
    assert isinstance(records["category"].dtype, pd.CategoricalDtype)
    assert records["unit_id"].astype(str).tolist() == ["C01", "C02", "C01", "C01"]
    assert records["category"].astype(str).tolist() == ["工作动态", "通知公告", "工作动态", "政策解读"]
    counted = derive_record_metric(records, pd.Index(["C01", "C02", "D01"]), "count", {"category": "工作动态"},
                                   Period.parse("2021Q4"))
    assert counted.tolist() == [2.0, 0.0, 0.0]


def test_files_read_ahead_give_the_same_issues_in_the_same_order(tmp_path: Path, monkeypatch) -> None:
    """CSV files are read several at a time; what a run reports (and in which order) is that of
    reading them one after another, spreadsheets in between included."""
    import scoring.data.load as load

    write(tmp_path, "units.csv", UNITS_CSV)
    for month in range(1, 6):  # each file with its own note: a title row, a short row
        write(tmp_path, f"2021/records_{month:02d}.csv", f"第{month}月发布记录\n单位,发布日期,栏目,标题\n"
              f"东湖区,2021-{month:02d}-05,工作动态,会议\n西山县,2021-{month:02d}-06\n")
    write_xlsx(tmp_path, "2021/records_03b.xlsx", [["单位", "发布日期", "栏目"], ["市教育局", "2021-03-09", "通知公告"]])
    runs = {}
    for ahead in (1, 3):
        monkeypatch.setattr(load, "READ_AHEAD", ahead)
        data = load_data(tmp_path, "2021Q4", progress=False)
        runs[ahead] = ([(i.severity, i.file, i.row, i.message) for i in data.issues],
                       data.records["unit_id"].astype(str).tolist(), data.sources)
    assert runs[1] == runs[3]
    assert [file for _, file, _, _ in runs[1][0]][:3] == ["2021/records_01.csv"] * 2 + ["2021/records_02.csv"]
    (tmp_path / "2021" / "records_04.csv").write_bytes(b"PK\x03\x04" + bytes(60))  # a workbook named .csv
    with pytest.raises(InputError, match="Excel") as raised:
        load_data(tmp_path, "2021Q4", progress=False)
    assert raised.value.location.file == "2021/records_04.csv"


def test_reading_threads_make_no_records_once_a_run_is_stopped(tmp_path: Path) -> None:
    """A Ctrl-C while files are parsed stops the reading threads from making records of the
    files they are parsing (a big file's records would keep the process busy and growing)."""
    from scoring.data.load import DataFile, _Files
    from scoring.data.names import Names

    write(tmp_path, "units.csv", TINY_UNITS)
    records = write(tmp_path, "2021/records.csv", "单位,发布日期,栏目\n甲局,2021-10-05,工作动态\n乙局,2021-11-01,通知公告\n")
    files = _Files(Names.build(), titles=False)
    index = files.units(tmp_path / "units.csv", "units.csv")[1]
    data_file = DataFile(records, "2021/records.csv", Period.parse("2021"), False)
    made, _ = files._read(data_file, lambda: index)
    assert len(files._records) == 1 and made is not None and made.cells.empty  # made, its cells let go
    stopped = _Files(Names.build(), titles=False)
    stopped._stopped.set()
    table, _ = stopped._read(data_file, lambda: index)
    assert not stopped._records and table is not None and len(table.cells) == 2


def test_periods_loaded_together_read_later_periods_files_ahead_with_the_same_results(tmp_path: Path) -> None:
    """load_periods reads the compared period's files while the run's are read, and makes its
    metric values meanwhile; each period gets what loading it alone gives, issues in order. A
    compared period's file that cannot be read fails the load as it always did."""
    from scoring.data.load import load_periods

    write(tmp_path, "units.csv", UNITS_CSV)
    write(tmp_path, "2021/records_10.csv", "单位,发布日期,栏目\n东湖区,2021-10-05,工作动态\n西山县,2021-08-06,通知公告\n")
    write(tmp_path, "2021Q4/metrics.csv", "单位,proactive_items\n东湖区,12\n西山县,约30\n")
    write(tmp_path, "2021Q3/metrics.csv", "2021年第三季度\n单位,proactive_items\n东湖区,7\n北岭镇,5\n西山县,abc\n")
    together = load_periods(tmp_path, ["2021Q4", "2021Q3"], progress=False)
    for data in together:
        alone = load_data(tmp_path, data.period, progress=False)
        assert data.issues == alone.issues and data.sources == alone.sources
        pd.testing.assert_frame_equal(data.values, alone.values)
        pd.testing.assert_frame_equal(data.records, alone.records)
    assert together[1].values["value"].tolist()[0] == 7 and any("北岭镇" in i.message for i in together[1].issues)
    (tmp_path / "2021Q3" / "metrics.csv").write_bytes(b"PK\x03\x04" + bytes(60))  # a workbook named .csv
    assert load_data(tmp_path, "2021Q4", progress=False).values["value"].tolist() == [12, 30]
    with pytest.raises(InputError, match="Excel") as raised:
        load_periods(tmp_path, ["2021Q4", "2021Q3"], progress=False)
    assert raised.value.location.file == "2021Q3/metrics.csv"


def test_a_loader_reads_periods_one_after_another_each_file_once(tmp_path: Path, monkeypatch) -> None:
    """Loader.load for the run, then for the compared period (as the main job's child does):
    each period gets what loading it alone gives, and the year of records is parsed once."""
    from scoring.data import load
    from scoring.data.load import Loader

    write(tmp_path, "units.csv", UNITS_CSV)
    write(tmp_path, "2021/records_10.csv", "单位,发布日期,栏目\n东湖区,2021-10-05,工作动态\n西山县,2021-08-06,通知公告\n")
    write(tmp_path, "2021Q4/metrics.csv", "单位,proactive_items\n东湖区,12\n西山县,约30\n")
    write(tmp_path, "2021Q3/metrics.csv", "单位,proactive_items\n东湖区,7\n西山县,abc\n")
    alone = {p: load_data(tmp_path, p, progress=False) for p in ("2021Q4", "2021Q3")}
    parsed: list[str] = []
    original = load.read_table
    monkeypatch.setattr(load, "read_table", lambda path, *a, **k: parsed.append(Path(path).name) or original(path, *a, **k))
    loader = Loader(tmp_path, progress=False)
    for label in ("2021Q4", "2021Q3"):
        data = loader.load(Period.parse(label))
        assert data.issues == alone[label].issues and data.sources == alone[label].sources
        pd.testing.assert_frame_equal(data.values, alone[label].values)
        pd.testing.assert_frame_equal(data.records, alone[label].records)
    assert sorted(parsed) == ["metrics.csv", "metrics.csv", "records_10.csv", "units.csv"]
