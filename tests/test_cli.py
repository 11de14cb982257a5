"""The `score` command end to end: invoke it, read the workbook back, check ranks, totals and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from scoring.cli import main
from tests.helpers import TINY_CRITERIA as CRITERIA
from tests.helpers import TINY_UNITS as UNITS

# hand-computed: U1 6 + 4 = 10; U2 3 + 2 = 5; U3 4.8 + 0 = 4.8
METRICS = "unit,evaluation_score,proactive_items\n甲局,100,150\n乙局,50,20\n丙局,80,5\n"


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    (tmp_path / "data" / "2021Q4").mkdir(parents=True)
    (tmp_path / "data" / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "data" / "2021Q4" / "metrics.csv").write_text(METRICS, encoding="utf-8")
    (tmp_path / "tiny.yaml").write_text(CRITERIA, encoding="utf-8")
    return tmp_path


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def job(kit: Path, *extra: str) -> list[str]:
    return ["--period", "2021Q4", "--criteria", kit / "tiny.yaml", "--input", kit / "data", "--out", kit / "out", *extra]


def ranking_rows(path: Path) -> dict[str, dict]:
    ws = openpyxl.load_workbook(path)["排名"]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and "排名" in r and "单位" in r)
    header = rows[header_at]
    out = {}
    for r in rows[header_at + 1:]:
        record = dict(zip(header, r))
        if record.get("单位"):
            out[record["单位"]] = record
    return out


def test_main_job_writes_ranked_workbook(kit, capsys):
    code, out, err = run(job(kit), capsys)
    assert code == 0, err
    book = kit / "out" / "tiny_2021Q4.xlsx"
    assert book.exists() and (kit / "out" / "tiny_2021Q4.csv").exists() and (kit / "out" / "tiny_2021Q4.json").exists()
    rows = ranking_rows(book)
    assert {u: (r["排名"], float(r["总分"])) for u, r in rows.items()} == {"甲局": (1, 10.0), "乙局": (2, 5.0), "丙局": (3, 4.8)}
    assert rows["甲局"]["等次"] == "优秀" and rows["丙局"]["等次"] == "合格"
    assert "前三名:1. 甲局 10,2. 乙局 5,3. 丙局 4.8" in out
    assert str(book) in out and "单项否决:无" in out and "数据问题:无" in out


def test_json_details_join_items(kit, capsys):
    """The engine's own result: item texts once in `items`, detail rows refer to them by id."""
    assert run(job(kit), capsys)[0] == 0
    data = json.loads((kit / "out" / "tiny_2021Q4.json").read_text(encoding="utf-8"))
    listed = [(i["item_id"], i["path"], i["group_id"]) for i in data["items"]]
    assert listed == [("a", "评估", "a"), ("b", "发布数量", "b")]
    items = {i["item_id"]: i for i in data["items"]}
    assert len(data["details"]) == 6 and "rule_text" not in data["details"][0]
    # 丙局 (U3) published 5 items: under the 10-item band → 0 of 4
    row = next(d for d in data["details"] if d["unit_id"] == "U3" and d["item_id"] == "b")
    joined = {**row, **items[row["item_id"]]}
    assert (joined["item_name"], joined["metric"], joined["value"], joined["points"], joined["max_points"]) == (
        "发布数量", "proactive_items", 5, 0, 4)


def test_explain_shows_the_workbook_points(kit, capsys):
    assert run(job(kit), capsys)[0] == 0
    code, out, _ = run(["explain", "丙局", "--period", "2021Q4", "--criteria", kit / "tiny.yaml", "--input", kit / "data"], capsys)
    assert code == 0
    assert "总分 4.8" in out and "总排名 3" in out
    assert "第三方评估得分 80/100 × 6 → 4.8/6" in out
    assert "主动公开政府信息 5 条,未达任何档次 → 0/4" in out


def test_existing_workbook_is_kept_unless_overwrite(kit, capsys):
    assert run(job(kit), capsys)[0] == 0
    first = (kit / "out" / "tiny_2021Q4.xlsx").read_bytes()
    code, out, _ = run(job(kit), capsys)
    assert code == 0 and "未覆盖" in out
    assert (kit / "out" / "tiny_2021Q4.xlsx").read_bytes() == first
    numbered = [p.name for p in (kit / "out").glob("tiny_2021Q4*.xlsx")]
    assert len(numbered) == 2
    code, out, _ = run(job(kit, "--overwrite"), capsys)
    assert code == 0 and "未覆盖" not in out
    assert len(list((kit / "out").glob("tiny_2021Q4*.xlsx"))) == 2


def test_strict_exit_1_on_data_issues(kit, capsys):
    (kit / "data" / "2021Q4" / "metrics.csv").write_text(METRICS + "丁局,70,abc\n", encoding="utf-8")
    code, out, err = run(job(kit), capsys)
    assert code == 0 and "丁局" in out
    code, out, err = run(job(kit, "--strict", "--overwrite"), capsys)
    assert code == 1 and "--strict" in err


@pytest.mark.parametrize("args, words", [
    (["--period", "2021Q5"], "期间"),
    (["--period", "21Q4"], "期间"),
    (["--period", "2021Q4", "--criteria", "nowhere.yaml"], "找不到准则文件"),
    (["--no-such-option"], "用法错误"),
    ([], "--period"),
])
def test_exit_2_for_bad_usage(args, words, capsys):
    code, _, err = run(args, capsys)
    assert code == 2 and words in err and "Traceback" not in err


def test_exit_2_for_bad_criteria_and_unreadable_input(kit, capsys):
    (kit / "bad.yaml").write_text(CRITERIA.replace("points: 4\n", "pionts: 4\n"), encoding="utf-8")
    code, _, err = run(job(kit)[:2] + ["--criteria", kit / "bad.yaml", "--input", kit / "data"], capsys)
    assert code == 2 and "第13行" in err and "pionts" in err
    code, _, err = run(["--period", "2021Q4", "--criteria", kit / "tiny.yaml", "--input", kit / "missing"], capsys)
    assert code == 2 and "Traceback" not in err


def test_check_bundled_and_bad(kit, capsys):
    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "criteria").rglob("*.yaml"))
    code, out, _ = run(["check", *files], capsys)
    assert code == 0 and out.count("✓") == len(files)
    assert "信息发布数量 8分" in out
    (kit / "bad.yaml").write_text(CRITERIA.replace("total: 10", "total: 12"), encoding="utf-8")
    code, _, err = run(["check", kit / "tiny.yaml", kit / "bad.yaml"], capsys)
    assert code == 2 and "bad.yaml 第3行 total" in err


def test_init_scaffolds_a_starter_kit(tmp_path, capsys):
    target = tmp_path / "新考评"
    code, out, _ = run(["init", target, "--period", "2022Q1"], capsys)
    assert code == 0
    assert (target / "criteria" / "my_criteria.yaml").exists()
    header = (target / "data" / "2022Q1" / "考评办数据.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    # what the office and third parties provide; what units report goes on their forms (score form)
    assert header.startswith("单位,") and "第三方评估得分" in header and "主动公开政府信息" not in header
    assert (target / "使用说明.md").read_text(encoding="utf-8").startswith("# 政务公开考评工具 使用说明")
    code, out, _ = run(["check", target / "criteria" / "my_criteria.yaml"], capsys)
    assert code == 0
    code, _, err = run(["init", target], capsys)
    assert code == 2 and "已存在" in err


@pytest.mark.slow
def test_help_has_worked_examples():
    for args in ([], ["check"], ["explain"], ["init"], ["extract"], ["publish"], ["form"]):
        proc = subprocess.run([sys.executable, "-m", "scoring", *args, "--help"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "示例" in proc.stdout
        assert "用法:" in proc.stdout and "选项:" in proc.stdout and "显示本帮助并退出。" in proc.stdout
        for english in ("Usage", "Options", "Arguments", "Commands", "Show this message", "[required]", "<str>", "<path>"):
            assert english not in proc.stdout, (args, english)


@pytest.mark.parametrize(("args", "expected"), [
    (["--period"], "用法错误:选项 '--period' 需要一个值"),
    (["--perio", "2021Q4"], "用法错误:没有这个选项: --perio (可用的选项: --period"),
    (["explain"], "用法错误:缺少参数 '单位'"),
    (["nosuch"], "用法错误:没有这个子命令 'nosuch'"),
])
def test_usage_errors_in_chinese(args, expected, capsys):
    code, out, err = run(args, capsys)
    assert code == 2 and err.startswith(expected), err
    assert not any(word in err for word in ("Error", "Missing", "No such", "Option", "Usage")), err


@pytest.mark.slow
def test_bundled_sample_main_job(tmp_path):
    """The README's main job, as a subprocess on the bundled sample."""
    proc = subprocess.run(
        [sys.executable, "-m", "scoring", "--period", "2021Q4", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.returncode == 0, proc.stderr
    rows = ranking_rows(tmp_path / "gov-openness-2021_2021Q4.xlsx")
    assert len(rows) >= 40
    trend = openpyxl.load_workbook(tmp_path / "gov-openness-2021_2021Q4.xlsx")["趋势"]  # 2021Q3 has its own folder
    assert [c.value for c in trend[1]][2::2] == ["2021年第三季度", "2021年第四季度"]
    assert "县区政府" in proc.stdout and "市直部门" in proc.stdout and "单项否决" in proc.stdout
    # the executable ends without Python's teardown: its buffered output must still be complete
    assert proc.stdout.rstrip().splitlines()[-1].strip().startswith(("工作簿", "“"))


@pytest.mark.slow
def test_executable_keeps_exit_codes_and_messages(kit):
    """`python -m scoring` (like the `score` executable) ends through os._exit: codes and output intact."""
    root = Path(__file__).resolve().parents[1]
    bad = subprocess.run([sys.executable, "-m", "scoring", "--period", "2030Q1", "--criteria", str(kit / "tiny.yaml"),
                          "--input", str(kit / "data"), "--out", str(kit / "out")],
                         capture_output=True, text=True, timeout=120, cwd=root)
    assert bad.returncode == 2 and "没有找到期间 2030Q1" in bad.stderr and bad.stdout == ""
    good = subprocess.run([sys.executable, "-m", "scoring", *map(str, job(kit))],
                          capture_output=True, text=True, timeout=120, cwd=root)
    assert good.returncode == 0, good.stderr
    assert "考评完成:2021年第四季度小型考评结果" in good.stdout and str(kit / "out" / "tiny_2021Q4.xlsx") in good.stdout


def test_summary_names_the_first_vetoed_units_and_counts_the_rest(kit, capsys, monkeypatch):
    from scoring.cli import summary

    monkeypatch.setattr(summary, "SHOWN_VETOES", 1)
    vetoes = "vetoes:\n  - {id: leak, name: 泄密, metric: evaluation_score, when: \"< 90\", effect: fail}\n"
    (kit / "tiny.yaml").write_text(CRITERIA + vetoes, encoding="utf-8")
    code, out, err = run(job(kit), capsys)
    assert code == 0, err
    line = next(line for line in out.splitlines() if line.strip().startswith("单项否决"))
    # 乙局 (50) and 丙局 (80) are vetoed; units keep their order in the totals table
    assert line.strip() == "单项否决:乙局(泄密) 等 2 个单位,全部见工作簿“排名”表"


def test_format_parquet_writes_the_tables_instead_of_the_json(kit, capsys):
    import pandas as pd

    code, out, err = run(job(kit, "--format", "parquet"), capsys)
    assert code == 0, err
    folder = kit / "out"
    assert not (folder / "tiny_2021Q4.json").exists() and (folder / "tiny_2021Q4.xlsx").exists()
    totals = pd.read_parquet(folder / "tiny_2021Q4_totals.parquet")
    assert dict(zip(totals["name"], totals["total"])) == {"甲局": 10.0, "乙局": 5.0, "丙局": 4.8}
    assert "完整结果(Parquet" in out and "tiny_2021Q4_log.parquet" in out
    code, _, err = run(job(kit, "--format", "xml", "--overwrite"), capsys)
    assert code == 2 and "--format 只能是 json 或 parquet" in err


def test_without_format_the_json_is_for_a_city_and_parquet_for_more_units(kit, capsys, monkeypatch):
    from scoring.report import exports

    assert exports.default_format(80) == "json" and exports.default_format(2_000) == "json"
    assert exports.default_format(2_001) == "parquet"
    code, out, err = run(job(kit), capsys)
    assert code == 0, err
    assert (kit / "out" / "tiny_2021Q4.json").exists()
    monkeypatch.setattr(exports, "JSON_UP_TO_UNITS", 2)  # the kit's three units are "many"
    code, out, err = run(job(kit, "--overwrite"), capsys)
    assert code == 0, err
    assert (kit / "out" / "tiny_2021Q4_totals.parquet").exists() and "完整结果(Parquet" in out
    (kit / "out" / "tiny_2021Q4.json").unlink()
    code, out, err = run(job(kit, "--overwrite", "--format", "json"), capsys)  # asked for: written
    assert code == 0, err
    assert "完整结果(Parquet" not in out and (kit / "out" / "tiny_2021Q4.json").exists()


ONLY_FOR_SOME_FILES = ("python_calamine", "rapidfuzz", "xml.sax.saxutils", "openpyxl")
LOADED = """
import sys
from scoring.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    assert not exit.code, exit.code
print("LOADED:" + ",".join(m for m in {names!r} if m in sys.modules))
"""


def _loaded_after(args: list[str]) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", LOADED.format(names=ONLY_FOR_SOME_FILES), *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", check=True)
    loaded = next(line for line in proc.stdout.splitlines() if line.startswith("LOADED:"))
    return set(filter(None, loaded.removeprefix("LOADED:").split(",")))


def test_a_run_on_csv_files_loads_no_spreadsheet_reader_and_no_fuzzy_matcher(kit):
    """A tenth of a second of a city's start: the spreadsheet readers, and rapidfuzz (only for
    names not found), are imported when needed, not by every run."""
    assert _loaded_after(job(kit)) == set()
    book = openpyxl.Workbook()  # the same run with its units in a spreadsheet
    for line in UNITS.strip().splitlines():
        book.active.append(line.split(","))
    book.save(kit / "data" / "units.xlsx")
    (kit / "data" / "units.csv").unlink()
    assert "python_calamine" in _loaded_after(job(kit, "--overwrite"))
