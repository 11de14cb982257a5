"""Output paths, atomic writes, and the CSV / JSON exports."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import report_fixtures as fx

from scoring.background import can_fork
from scoring.errors import OutputError
from scoring.report import exports
from scoring.report.exports import write_csv, write_json, write_outputs
from scoring.report.output import atomic_write, choose_paths


def test_choose_paths_numbers_beside_existing_file(tmp_path):
    target = tmp_path / "x.xlsx"
    assert choose_paths([target], overwrite=False) == ([target], False)
    target.write_bytes(b"old")
    assert choose_paths([target], overwrite=False) == ([tmp_path / "x(2).xlsx"], True)
    (tmp_path / "x(2).xlsx").write_bytes(b"old")
    assert choose_paths([target], overwrite=False) == ([tmp_path / "x(3).xlsx"], True)
    assert choose_paths([target], overwrite=True) == ([target], False)


def test_related_files_share_one_number(tmp_path):
    wanted = [tmp_path / "r.xlsx", tmp_path / "r.csv", tmp_path / "r.json"]
    (tmp_path / "r.csv").write_text("old")
    (tmp_path / "r(2).json").write_text("old")
    chosen, renamed = choose_paths(wanted, overwrite=False)
    assert renamed and [p.name for p in chosen] == ["r(3).xlsx", "r(3).csv", "r(3).json"]


def test_atomic_write_writes_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    atomic_write(target, lambda tmp: tmp.write_text("新内容", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "新内容"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_atomic_write_failure_keeps_previous_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("旧内容", encoding="utf-8")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("半截", encoding="utf-8")
        raise ValueError("disk full")

    with pytest.raises(ValueError, match="disk full"):
        atomic_write(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "旧内容"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_into_unusable_folder_is_an_output_error(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    with pytest.raises(OutputError) as info:
        atomic_write(blocker / "out.xlsx", lambda tmp: tmp.write_text("x"))
    assert "无法在文件夹" in info.value.message
    assert info.value.location.file == str(blocker / "out.xlsx")


def test_file_locked_by_another_program_is_an_output_error(tmp_path, monkeypatch):
    target = tmp_path / "out.xlsx"
    target.write_text("旧内容", encoding="utf-8")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputError, match="可能正被 Excel"):
        atomic_write(target, lambda tmp: tmp.write_text("新内容", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "旧内容"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_atomic_write_keeps_mode_of_replaced_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(target, lambda tmp: tmp.write_text("new"))
    assert target.stat().st_mode & 0o777 == 0o640


def test_csv_has_bom_chinese_headers_and_ranking(tmp_path):
    path = tmp_path / "r.csv"
    write_csv(fx.make_result(), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "排名,总排名,单位,单位编码,类别,总分,等次,主动公开(60),依申请公开(40),折算前得分,折算系数,加分,扣分,否决"
    assert lines[1] == "1,2,东城区,c1,县区政府,90.00,优秀,54.00,34.00,88.00,1,2.00,0.00,"
    assert lines[3] == "3,5,\"'=HYPERLINK(\"\"x\"\")\",c3,县区政府,75.00,合格,38.00,37.00,75.00,1,0.00,0.00,"
    assert lines[5] == "2,4,市财政局,d2,市直部门,75.50,合格,41.00,34.50,75.50,1,0.00,0.00,"
    assert lines[6].endswith(",市直部门,100.00,不合格,60.00,40.00,100.00,1,0.00,0.00,泄密等严重问题")
    assert len(lines) == 7


def _strict_json(path: Path) -> dict:
    def no_nan(token: str):
        raise AssertionError(f"JSON holds {token}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=no_nan)


def test_json_holds_full_results(tmp_path):
    path = tmp_path / "r.json"
    write_json(fx.make_result(), path, previous=fx.make_previous())
    data = _strict_json(path)
    assert data["scheme"] == {
        "id": "test-openness", "name": "2021年度政务公开工作考评", "version": "2021.1", "sha256": "ab" * 32,
        "source": "test_openness.yaml", "total": 100.0, "precision": 2,
    }
    assert data["period"] == {"label": "2021Q4", "name": "2021年第四季度", "start": "2021-10-01", "end": "2021-12-31"}
    assert data["generated_at"] == "2022-01-10T09:30:00"
    totals = {t["unit_id"]: t for t in data["totals"]}
    assert {u: t["total"] for u, t in totals.items()} == {"c1": 90, "c2": 90, "c3": 75, "d1": 92, "d2": 75.5, "d3": 100}
    assert totals["d3"]["vetoed"] is True and totals["d3"]["class_rank"] == 3
    assert list(data) == ["tool", "scheme", "period", "generated_at", "issues", "previous_period", "log",
                          "totals", "groups", "items", "details", "inputs", "comparison"]
    assert len(data["details"]) == 42 and len(data["groups"]) == 12 and len(data["inputs"]) == 12
    assert len(data["items"]) == 7
    c3_on_time = next(d for d in data["details"] if d["unit_id"] == "c3" and d["item_id"] == "on_time")
    assert c3_on_time["value"] is None and c3_on_time["status"] == "undefined"
    assert [i["severity_name"] for i in data["issues"]] == ["警告", "错误"]
    assert data["log"][0] == {"stage": "veto", "message": fx.LOG[0].message, "unit_id": "d3", "item_id": "leak",
                              "before": None, "after": None, "params": {}}
    assert data["previous_period"] == "2021Q3"
    changes = {c["unit_id"]: (c["previous_rank"], c["rank_change"], c["total_change"]) for c in data["comparison"]}
    assert changes["c3"] == (None, "新", None) and changes["d2"] == (1, "↓1", -9.5)


ITEM_TEXTS = ["kind", "item_name", "path", "group_id", "metric", "rule_text"]


def test_json_items_one_row_per_item_in_scheme_order(tmp_path):
    path = tmp_path / "r.json"
    write_json(fx.make_result(), path)
    items = _strict_json(path)["items"]
    assert [(i["item_id"], i["kind"], i["path"]) for i in items] == [
        ("volume", "indicator", "主动公开 / 信息发布数量"),
        ("interpretation", "indicator", "主动公开 / 政策解读"),
        ("on_time", "indicator", "依申请公开 / 按时答复"),
        ("corrected", "indicator", "依申请公开 / 复议纠错"),
        ("demo_site", "bonus", "加分项 / 示范点创建"),
        ("copied_report", "penalty", "扣分项 / 年报雷同"),
        ("leak", "veto", "否决项 / 泄密等严重问题"),
    ]
    assert items[1] == {"item_id": "interpretation", "kind": "indicator", "item_name": "政策解读",
                        "path": "主动公开 / 政策解读", "group_id": "proactive",
                        "metric": "policy_interpretations", "rule_text": "政策解读规则"}


def test_json_details_join_items_on_item_id(tmp_path, monkeypatch):
    """Details streamed in slices of 10 rows still make one table; joined with items, each row
    has its item's texts back."""
    monkeypatch.setattr(exports, "JSON_ROWS", 10)
    path = tmp_path / "r.json"
    write_json(fx.make_result(), path)
    data = _strict_json(path)
    details = pd.DataFrame(data["details"])
    assert list(details.columns) == ["unit_id", "item_id", "value", "value_text", "approx", "status",
                                     "points", "max_points", "explanation"]
    joined = details.merge(pd.DataFrame(data["items"]), on="item_id", how="left", validate="many_to_one")
    assert len(joined) == 42 and joined[ITEM_TEXTS].notna().all().all()
    # c2 reported "600余条" items: approximate 600, band ≥500 → 30 of 30
    c2_volume = joined[(joined["unit_id"] == "c2") & (joined["item_id"] == "volume")].iloc[0]
    assert (c2_volume["path"], c2_volume["group_id"], c2_volume["metric"], c2_volume["rule_text"]) == (
        "主动公开 / 信息发布数量", "proactive", "proactive_items", "信息发布数量规则")
    assert (c2_volume["value"], c2_volume["value_text"], c2_volume["approx"]) == (600, "600余条", True)
    assert (c2_volume["points"], c2_volume["max_points"]) == (30, 30)
    # c2's report is 0.95 alike to another: ≥0.9 → 5 points off, and no first-level group
    c2_copied = joined[(joined["unit_id"] == "c2") & (joined["item_id"] == "copied_report")].iloc[0]
    assert (c2_copied["kind"], c2_copied["group_id"], c2_copied["points"]) == ("penalty", "", -5)
    assert c2_copied["rule_text"] == "雷同度 ≥0.9 扣5分"


def test_json_keeps_item_text_that_varies_within_an_item_in_details(tmp_path):
    """If an item's rule text ever differed between units, it stays on each detail row and
    leaves the items table; the texts that are the same per item still move."""
    result = fx.make_result()
    details = result.details.copy()
    d1_volume = (details["unit_id"] == "d1") & (details["item_id"] == "volume")
    details.loc[d1_volume, "rule_text"] = "市直部门另定规则"
    path = tmp_path / "r.json"
    write_json(replace(result, details=details), path)
    data = _strict_json(path)
    assert list(data["items"][0]) == ["item_id", "kind", "item_name", "path", "group_id", "metric"]
    rules = {(d["unit_id"], d["item_id"]): d["rule_text"] for d in data["details"]}
    assert rules[("d1", "volume")] == "市直部门另定规则"
    assert rules[("c1", "volume")] == "信息发布数量规则"
    assert "path" not in data["details"][0]


def test_write_outputs_numbers_all_three_files_together(tmp_path):
    result = fx.make_result()
    first = write_outputs(result, tmp_path / "2021Q4.xlsx")
    assert (first.workbook.name, first.csv.name, first.json.name, first.renamed) == (
        "2021Q4.xlsx", "2021Q4.csv", "2021Q4.json", False)
    second = write_outputs(result, tmp_path / "2021Q4.xlsx", previous=fx.make_previous())
    assert (second.workbook.name, second.csv.name, second.json.name, second.renamed) == (
        "2021Q4(2).xlsx", "2021Q4(2).csv", "2021Q4(2).json", True)
    third = write_outputs(result, tmp_path / "2021Q4.xlsx", overwrite=True)
    assert third.workbook == first.workbook and not third.renamed
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2021Q4(2).csv", "2021Q4(2).json", "2021Q4(2).xlsx", "2021Q4.csv", "2021Q4.json", "2021Q4.xlsx",
    ]
    assert "上期排名" in [c.value for c in openpyxl.load_workbook(second.workbook)["指标得分"][2]]


def test_write_outputs_adds_xlsx_suffix(tmp_path):
    paths = write_outputs(fx.make_result(), tmp_path / "考评结果")
    assert [p.name for p in (paths.workbook, paths.csv, paths.json)] == ["考评结果.xlsx", "考评结果.csv", "考评结果.json"]


def test_outputs_are_all_or_nothing(tmp_path, monkeypatch):
    """A failure while writing the JSON leaves neither a new workbook nor a CSV behind."""
    from scoring.report import exports
    from tests.report_fixtures import make_result

    result = make_result()
    target = tmp_path / "out.xlsx"

    def broken(*_args):
        def write(tmp):
            raise RuntimeError("disk full")
        return write

    monkeypatch.setattr(exports, "_json_writer", broken)
    with pytest.raises(RuntimeError):
        exports.write_outputs(result, target)
    assert list(tmp_path.iterdir()) == []


def test_failed_rename_puts_every_earlier_file_back(tmp_path, monkeypatch):
    """If the last rename fails (a file open in Excel), the old workbook and CSV are restored."""
    import os

    from scoring.report import output

    targets = [tmp_path / "r.xlsx", tmp_path / "r.csv"]
    for t in targets:
        t.write_text("old " + t.suffix, encoding="utf-8")
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("r.csv") and ".tmp" in str(src):
            raise PermissionError("in use")
        return real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    jobs = [(t, lambda tmp, t=t: Path(tmp).write_text("new", encoding="utf-8")) for t in targets]
    with pytest.raises(output.OutputError) as info:
        output.atomic_write_all(jobs)
    assert "原有文件未改动" in info.value.message
    assert [t.read_text(encoding="utf-8") for t in targets] == ["old .xlsx", "old .csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.xlsx"]


def test_backup_left_by_a_killed_run_is_restored(tmp_path):
    from scoring.report import output

    target = tmp_path / "r.xlsx"
    (tmp_path / ".r.999999999.bak.xlsx").write_text("previous", encoding="utf-8")  # no such process
    output.remove_stale_temps(target)
    assert target.read_text(encoding="utf-8") == "previous"


def test_parquet_holds_the_json_tables_typed(tmp_path):
    """`--format parquet`: one file per table beside the workbook, the same rows and values as
    the JSON, numbers as numbers, and the run's identity in each file's metadata."""
    import pyarrow.parquet as pq

    result, previous = fx.make_result(), fx.make_previous()
    written = write_outputs(result, tmp_path / "2021Q4.xlsx", previous=previous, data_format="parquet")
    assert written.json is None and not (tmp_path / "2021Q4.json").exists()
    names = [p.name for p in written.parquet]
    assert names == [f"2021Q4_{t}.parquet" for t in
                     ("log", "totals", "groups", "items", "details", "inputs", "comparison", "issues")]
    json_data = json.loads(exports.json_text(result, previous))
    totals = pq.read_table(tmp_path / "2021Q4_totals.parquet").to_pandas()
    assert dict(zip(totals["unit_id"], totals["total"])) == {t["unit_id"]: t["total"] for t in json_data["totals"]}
    assert totals["total"].dtype == float and totals["rank"].dtype.kind == "i" and totals["vetoed"].dtype == bool
    details = pq.read_table(tmp_path / "2021Q4_details.parquet").to_pandas()
    assert len(details) == len(json_data["details"]) == 42
    c3 = details[(details["unit_id"] == "c3") & (details["item_id"] == "on_time")].iloc[0]
    assert pd.isna(c3["value"]) and c3["status"] == "undefined"
    issues = pq.read_table(tmp_path / "2021Q4_issues.parquet").to_pandas()
    assert list(issues["severity_name"]) == ["警告", "错误"]
    meta = json.loads(pq.read_schema(tmp_path / "2021Q4_details.parquet").metadata[b"scoring"])
    assert meta["scheme"]["id"] == "test-openness" and meta["period"]["label"] == "2021Q4"
    assert meta["previous_period"] == "2021Q3"
    again = write_outputs(result, tmp_path / "2021Q4.xlsx", data_format="parquet")  # never overwritten silently
    assert again.renamed and again.parquet[0].name == "2021Q4_log(2).parquet"


def test_parquet_log_params_are_the_json_objects(tmp_path):
    """The step log's parameters as the JSON export writes them: rows sharing a set of parameters
    and a set holding a list (not hashable) each get their own JSON text; a step without any
    gets "{}"."""
    import pyarrow.parquet as pq

    from scoring.report.parquet_export import write_parquet
    from scoring.result import Step

    shared = (("max_base", 90.0), ("total", 100.0))
    log = (Step("rescale", "甲", "c1", None, 50.0, 55.6, shared), Step("rescale", "乙", "c2", None, 45.0, 50.0, shared),
           Step("derive", "丙", params=(("ratio", ["a", "b"]), ("undefined_units", 2))), Step("rank", "丁"))
    result = replace(fx.make_result(), log=log)
    write_parquet(result, tmp_path / "x.xlsx")
    params = pq.read_table(tmp_path / "x_log.parquet").column("params").to_pylist()
    assert params == ['{"max_base": 90.0, "total": 100.0}'] * 2 + ['{"ratio": ["a", "b"], "undefined_units": 2}', "{}"]
    assert [json.loads(p) for p in params] == [step["params"] for step in json.loads(exports.json_text(result))["log"]]


def test_split_items_keeps_a_text_that_differs_within_an_item_in_the_detail_rows():
    """An item's texts move to `items` only when every unit's row has the same; items listed in
    order of first appearance, Categorical or plain columns alike, a missing value equal to another."""
    details = pd.DataFrame({
        "unit_id": ["a", "a", "b", "b"],
        "item_id": pd.Categorical(["x2", "x1", "x2", "x1"], categories=["x1", "x2"]),
        "kind": pd.Categorical(["indicator"] * 4), "item_name": ["乙", "甲", "乙", "甲"],
        "path": ["A / 乙", "A / 甲", "A / 乙", "A / 甲"], "group_id": ["A"] * 4,
        "metric": ["m2", "m1", "m2", "m1b"], "rule_text": [None, "规则", None, "规则"], "points": [1.0, 2.0, 3.0, 4.0],
    })
    items, rows = exports.split_items(details)
    assert list(items["item_id"]) == ["x2", "x1"] and list(items["item_name"]) == ["乙", "甲"]
    assert list(items.columns) == ["item_id", "kind", "item_name", "path", "group_id", "rule_text"]
    assert list(rows.columns) == ["unit_id", "item_id", "metric", "points"] and list(rows["metric"]) == ["m2", "m1", "m2", "m1b"]
    assert pd.isna(items["rule_text"][0]) and items["rule_text"][1] == "规则"


def test_csv_rows_are_what_pandas_to_csv_writes():
    """The CSV writer's cells and quoting are pandas' (`to_csv(index=False)`): missing values
    empty, quotes only around commas, quotes and line breaks, integers with missing ranks."""
    import io

    frame = pd.DataFrame({
        "单位,名称": ["x", "", None, 'q"uote', "new\nline", "cr\rx", "tab\tx", " sp ", "'=1", "逗号,中文"],
        "排名": pd.array([1, None, 3, 4, 5, 6, 7, 8, 9, 10], dtype="Int64"),
        "总分": pd.Series(["1.50", "", "—", None, "a", "b", "c", "d", "e", float("nan")], dtype=object),
        "等次": pd.Series(["优秀", "", "—", None, "a", "b", "c", "d", "e", '"f"'], dtype="str"),
    })
    ours = io.StringIO(newline="")
    exports.write_csv_rows(frame, ours)
    assert ours.getvalue() == frame.to_csv(index=False)


def test_factorize_objects_is_pandas_factorize():
    """Rows grouped by the object they hold, then by text: the same codes and distinct values as
    pd.factorize, equal texts held by different objects included."""
    import numpy as np

    from scoring.rules.base import factorize_objects

    shared = "主动公开 974 条 → 2/2"
    values = np.array([shared, None, "".join(["主动公开 974 条", " → 2/2"]), "乙", float("nan"), shared, "乙"], dtype=object)
    codes, uniques = factorize_objects(values)
    expected_codes, expected_uniques = pd.factorize(values)
    assert codes.tolist() == expected_codes.tolist() == [0, -1, 0, 1, -1, 0, 1]
    assert uniques.tolist() == expected_uniques.tolist() == [shared, "乙"]
    assert [len(part) for part in factorize_objects(np.array([], dtype=object))] == [0, 0]


def test_parquet_table_failing_to_encode_leaves_no_file(tmp_path, monkeypatch):
    """Tables are encoded in threads; one that fails still fails the whole write: no workbook,
    CSV or Parquet file and no temporary file is left, and the error reaches the caller."""
    from scoring.report import parquet_export

    real = parquet_export.arrow_table

    def failing(frame):
        if "explanation" in frame.columns:
            raise ValueError("encoding failed")
        return real(frame)

    monkeypatch.setattr(parquet_export, "arrow_table", failing)
    with pytest.raises(ValueError, match="encoding failed"):
        write_outputs(fx.make_result(), tmp_path / "2021Q4.xlsx", data_format="parquet")
    assert list(tmp_path.iterdir()) == []


# ---- files written beside the others by a forked child (atomic_write_all(beside=...)) ----

forking = pytest.mark.skipif(not can_fork(), reason="needs Linux with fork and two CPUs")


def _pid_writer(tmp: Path) -> None:
    Path(tmp).write_text(str(os.getpid()), encoding="utf-8")


@forking
def test_the_last_files_are_written_by_a_child_and_all_land(tmp_path):
    from scoring.report import output

    targets = [tmp_path / "r.xlsx", tmp_path / "r.csv", tmp_path / "r.json"]
    written, renamed = output.atomic_write_all([(t, _pid_writer) for t in targets], beside=2)
    pids = [int(t.read_text(encoding="utf-8")) for t in written]
    assert written == targets and not renamed
    assert pids[0] == os.getpid() and pids[1] == pids[2] != os.getpid()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.json", "r.xlsx"]


@forking
def test_a_file_the_child_cannot_write_stops_all_with_the_message_here(tmp_path):
    from scoring.report import output

    targets = [tmp_path / "r.xlsx", tmp_path / "r.csv"]
    for t in targets:
        t.write_text("old", encoding="utf-8")

    def full_disk(tmp: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError) as info:
        output.atomic_write_all([(targets[0], _pid_writer), (targets[1], full_disk)], beside=1)
    assert "磁盘空间不足" in info.value.message and info.value.location.file == str(targets[1])
    assert [t.read_text(encoding="utf-8") for t in targets] == ["old", "old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.xlsx"]


@forking
def test_a_failure_here_stops_the_child_and_leaves_nothing(tmp_path):
    from scoring.report import output

    def slow(tmp: Path) -> None:
        Path(tmp).write_text("partial", encoding="utf-8")
        time.sleep(60)

    def broken(tmp: Path) -> None:
        raise ValueError("workbook failed")

    start = time.perf_counter()
    with pytest.raises(ValueError, match="workbook failed"):
        output.atomic_write_all([(tmp_path / "r.xlsx", broken), (tmp_path / "r.csv", slow)], beside=1)
    assert time.perf_counter() - start < 10
    assert list(tmp_path.iterdir()) == []


@forking
def test_parquet_files_written_by_the_child_are_those_written_here(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    result = fx.make_result()
    tables = {}
    for fork in (True, False):
        monkeypatch.setattr("scoring.background.can_fork", lambda fork=fork: fork)
        monkeypatch.setattr("scoring.report.exports.can_fork", lambda fork=fork: fork)
        paths = write_outputs(result, tmp_path / str(fork) / "r.xlsx", data_format="parquet")
        tables[fork] = {p.name: pq.read_table(p) for p in paths.parquet}
        tables[fork] = {name: t.replace_schema_metadata({}) for name, t in tables[fork].items()}
    assert tables[True].keys() == tables[False].keys() and tables[True]
    for name, table in tables[True].items():
        assert table.equals(tables[False][name]), name
