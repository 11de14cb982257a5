"""`score extract` end to end, and its output read back by the main job."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from scoring.cli import main

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CRITERIA = """\
id: extracted
name: 年报提取数据考评
total: 10
grades:
  - {label: 合格, min: 6}
  - {label: 不合格, min: 0}
indicators:
  - id: volume
    name: 主动公开
    points: 6
    metric: proactive_items
    rule: {type: bands, bands: [{min: 500, points: 6}, {min: 100, points: 3}], else: 0}
  - {id: interp, name: 政策解读, points: 4, metric: policy_interpretations, rule: {type: linear, zero_at: 0, full_at: 20}}
penalties:
  - {id: copied, name: 年报雷同, metric: report_similarity, rule: {type: bands, bands: [{min: 0.9, points: -2}], else: 0}}
"""


def run(args: list, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def extract_args(out: Path, *extra) -> list:
    return ["extract", REPORTS / "2021", "--period", "2021", "--units", REPORTS / "units.csv",
            "--previous", REPORTS / "2020", "--out", out, *extra]


def totals(book: Path) -> dict[str, float]:
    rows = list(openpyxl.load_workbook(book)["排名"].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and "排名" in r and "单位" in r)
    header = rows[header_at]
    return {r[header.index("单位")]: float(r[header.index("总分")]) for r in rows[header_at + 1:] if r[header.index("单位")]}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("extract") / "out"
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in extract_args(out)])
    assert info.value.code == 0
    return out


def test_output_folder(extracted: Path) -> None:
    metrics_path = extracted / "2021" / "metrics.csv"
    assert metrics_path.read_bytes().startswith(b"\xef\xbb\xbf")
    metrics = pd.read_csv(metrics_path, encoding="utf-8-sig", dtype=str)
    assert metrics.columns.tolist() == ["unit", "metric", "value", "period", "source", "evidence", "approx", "confidence",
                                        "origin", "unit_match"]
    row = metrics[(metrics["unit"] == "D05") & (metrics["metric"] == "proactive_items")].iloc[0]
    assert row[["value", "period", "approx", "origin", "unit_match"]].tolist() == ["600", "2021", "true", "正文", "确定"]
    assert row["evidence"].startswith("围绕疫情防控") and "600余条" in row["evidence"]
    assert row["source"] == "市卫生健康委员会2021年度政务公开工作总结.txt"
    assert (metrics["metric"] == "report_similarity").sum() == 27
    units = pd.read_csv(extracted / "units.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert units.equals(pd.read_csv(REPORTS / "units.csv", dtype=str, keep_default_na=False))


def test_review_workbook(extracted: Path) -> None:
    book = openpyxl.load_workbook(extracted / "review" / "2021_review.xlsx")
    assert book.sheetnames == ["提取结果", "报告清单", "数据问题"]
    rows = list(book["提取结果"].iter_rows(values_only=True))
    assert list(rows[0]) == ["单位", "单位匹配", "指标", "数值", "期间", "来源文件", "出处", "依据原文", "约数", "置信度",
                             "核对"]
    # the unmatched unit's rows come first, then the certain ones by confidence, lowest first
    assert rows[1][:2] == ("临江市档案馆", "未匹配")
    certain = [r for r in rows[1:] if r[1] == "确定"]
    assert [r[9] for r in certain] == sorted(r[9] for r in certain)
    east = next(r for r in rows if r[0] == "东湖区" and r[2] == "主动公开政府信息")
    assert east[3:5] == (3215, "2021") and east[6] == "正文" and east[8] == "否" and east[10] is None
    reports = list(book["报告清单"].iter_rows(values_only=True))
    assert len(reports) == 28
    education = next(r for r in reports if r[2] == "市教育局")
    assert education[3] == "确定" and education[9] > 0.9 and "往年报告" in education[10]
    archive = next(r for r in reports if r[2] == "临江市档案馆")
    assert archive[3:6] == ("未匹配", "临江市档案馆", "标题") and "相似度" in archive[6]
    issues = list(book["数据问题"].iter_rows(values_only=True))
    assert any("临江市档案馆" in (r[1] or "") for r in issues)


def test_existing_output_needs_overwrite(extracted: Path, capsys) -> None:
    code, _, err = run(extract_args(extracted), capsys)
    assert code == 2 and "--overwrite" in err and "已存在" in err
    code, out, _ = run(extract_args(extracted, "--overwrite"), capsys)
    assert code == 0 and "读取报告 27 份" in out and "临江市档案馆" in out and "疑似雷同:市教育局" in out


def test_main_job_reads_the_extracted_folder(extracted: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    code, _, err = run(["--input", extracted, "--criteria", tmp_path / "c.yaml", "--period", "2021",
                        "--out", tmp_path / "score"], capsys)
    assert code == 0, err
    got = totals(tmp_path / "score" / "extracted_2021.xlsx")
    # by hand: 685 ≥ 500 → 6; 32 ≥ 20 → 4; 雷同 0.99 with its 2020 report → −2
    assert got["市教育局"] == 8
    # 236 → 3; 9/20 × 4 = 1.8; similar to 市农业农村局 but below 0.9
    assert got["市水利局"] == 4.8
    assert got["市公共资源交易中心"] == 6  # 56,304 → 6; no 政策解读 stated → 0
    assert "临江市档案馆" not in got  # not in the units file: reported, not scored


def test_corrected_review_workbook_is_an_input(extracted: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(extracted, folder)
    path = folder / "review" / "2021_review.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["提取结果"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "市水利局" and row[2].value == "主动公开政府信息":
            row[3].value = 600  # a person corrects the number
        if row[0].value == "市水利局" and row[2].value == "政策解读":
            row[10].value = "删除"  # and strikes a row
    book.save(path)
    (tmp_path / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    code, _, err = run(["--input", path, "--criteria", tmp_path / "c.yaml", "--period", "2021",
                        "--out", tmp_path / "score"], capsys)
    assert code == 0, err
    assert totals(tmp_path / "score" / "extracted_2021.xlsx")["市水利局"] == 6  # 600 → 6; 政策解读 struck → 0


def test_without_units_file_units_come_from_titles(tmp_path: Path, capsys) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ["市水利局2021年政务公开工作总结.txt", "市教育局2021年政府信息公开工作年度报告.txt"]:
        shutil.copy(REPORTS / "2021" / name, reports / name)
    code, out, err = run(["extract", reports, "--period", "2021", "--out", tmp_path / "out"], capsys)
    assert code == 0, err
    units = pd.read_csv(tmp_path / "out" / "units.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert units.values.tolist() == [["临江市教育局", "临江市教育局", "", ""], ["临江市水利局", "临江市水利局", "", ""]]
    (tmp_path / "c.yaml").write_text(CRITERIA, encoding="utf-8")
    code, _, err = run(["--input", tmp_path / "out", "--criteria", tmp_path / "c.yaml", "--period", "2021",
                        "--out", tmp_path / "score"], capsys)
    assert code == 0, err
    assert totals(tmp_path / "score" / "extracted_2021.xlsx") == {"临江市教育局": 10, "临江市水利局": 4.8}


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path, capsys) -> None:
    (tmp_path / "r.txt").write_text("临江市水利局2021年政务公开工作总结\n=主动公开政府信息236条,+回应关切5条\n" + "工作扎实推进。" * 20,
                                    encoding="utf-8")
    code, _, err = run(["extract", tmp_path / "r.txt", "--period", "2021", "--out", tmp_path / "out"], capsys)
    assert code == 0, err
    cell = openpyxl.load_workbook(tmp_path / "out" / "review" / "2021_review.xlsx")["提取结果"]["H2"]
    assert cell.data_type == "s" and cell.value.startswith("=主动公开")


@pytest.mark.parametrize("args, message", [
    (["extract", "没有这个文件夹", "--period", "2021", "--out", "x"], "找不到报告文件或文件夹"),
    (["extract", REPORTS / "2021", "--period", "2021年", "--out", "x"], "无法识别的期间"),
    (["extract", REPORTS / "units.csv", "--period", "2021", "--out", "x"], "不支持的报告文件类型"),
])
def test_user_errors_exit_2(args: list, message: str, capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(args, capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_bad_patterns_file_exit_2_naming_file_and_key(tmp_path: Path, capsys) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("patterns:\n  trainings:\n    - {id: t, regex: '培训(\\d+期'}\n", encoding="utf-8")
    code, _, err = run(["extract", REPORTS / "2021", "--period", "2021", "--patterns", rules,
                        "--out", tmp_path / "out"], capsys)
    assert code == 2 and str(rules) in err and "patterns.trainings[0].regex" in err
    assert not (tmp_path / "out").exists()
