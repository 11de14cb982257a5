"""Blank is not "not applicable": blanks, 不适用 marks and spreadsheet errors read from a real file,
scored by the leaf's policies and reported with file and row. Values worked out by hand."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scoring.data.load import load_data
from scoring.engine import score
from tests.helpers import explanation, points, scheme_from

UNITS = "unit_id,name,class,aliases\nU1,甲局,,\nU2,乙局,,\nU3,丙局,,\nU4,丁局,,\n"
# rows as the office sees them in Excel: the header is row 1
METRICS = textwrap.dedent("""\
    单位,政策解读,未按时公开,培训
    甲局,10,1,2
    乙局,,1,不适用
    丙局,#N/A,,1
    丁局,20,/,=SUM(B2:B4)
""")
SCHEME = """
id: blanks
name: 空白与不适用
total: 30
{defaults}
metrics:
  - {{id: late_publications, name: 未按时公开, unit: 条{blank}}}
indicators:
  - {{id: a, name: 解读, points: 10, metric: policy_interpretations, rule: {{type: linear, zero_at: 0, full_at: 20}}}}
  - {{id: b, name: 及时, points: 10, metric: late_publications, rule: {{type: deduct, each: 2}}{b_extra}}}
  - {{id: c, name: 培训, points: 10, metric: trainings, rule: {{type: per_item, each: 5}}}}
"""


def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "2021Q4").mkdir(parents=True)
    (data / "units.csv").write_text(UNITS, encoding="utf-8")
    (data / "2021Q4" / "metrics.csv").write_text(METRICS, encoding="utf-8")
    return data


def run(tmp_path: Path, defaults: str = "", blank: str = "", b_extra: str = ""):
    scheme = scheme_from(tmp_path, SCHEME.format(defaults=defaults, blank=blank, b_extra=b_extra))
    return score(scheme, load_data(folder(tmp_path), "2021Q4", scheme, progress=False), "2021Q4")


def issues_for(result, unit: str, metric: str):
    return [i for i in result.issues if i.unit == unit and i.metric == metric]


def test_cells_are_read_as_blank_mark_or_error(tmp_path):
    data = load_data(folder(tmp_path), "2021Q4", progress=False)
    v = data.values.set_index(["unit_id", "metric"])
    assert v.loc[("U2", "policy_interpretations"), "raw"] == "" and v.loc[("U2", "policy_interpretations"), "applicable"]
    assert not v.loc[("U2", "trainings"), "applicable"]  # 不适用: the only kind of claim
    assert v.loc[("U3", "policy_interpretations"), "raw"] == "#N/A" and v.loc[("U3", "policy_interpretations"), "applicable"]
    assert not v.loc[("U4", "late_publications"), "applicable"]  # "/"
    # nothing is reported while reading: what a gap means depends on the leaf that reads it
    assert not [i for i in data.issues if i.unit in ("乙局", "丙局", "丁局")]


def test_hand_scores_and_issues(tmp_path):
    r = run(tmp_path)
    # 甲局: 10/20 × 10 = 5; 10 − 2 = 8; 2 × 5 = 10 → 23 of 30
    assert r.totals.loc["U1", "total"] == pytest.approx(23)
    # 乙局: 政策解读 blank → 0 of 10 (warning, row 3); 8; 培训 不适用 → left out: 8 of 20 × 30/20 = 12
    assert points(r, "U2", "a") == 0 and r.details.query("unit_id == 'U2' and item_id == 'a'")["max_points"].item() == 10
    assert explanation(r, "U2", "a") == "“政策解读”未填写 → 按0分计 0/10"
    assert explanation(r, "U2", "c") == "“培训”填写“不适用” → 不计分,按适用指标折算"
    assert r.totals.loc["U2", "total"] == pytest.approx(12)
    # 丙局: #N/A → 0 of 10; blank fault count → missing → 0 of 10; 1 × 5 = 5 → 5 of 30
    assert explanation(r, "U3", "a") == "“政策解读”为表格错误值“#N/A” → 按0分计 0/10"
    assert points(r, "U3", "b") == 0
    assert r.totals.loc["U3", "total"] == pytest.approx(5)
    # 丁局: 20/20 → 10; "/" → not applicable; the unsaved formula in 培训 → missing → 0: 10 of 20 × 30/20 = 15
    assert explanation(r, "U4", "c") == "“培训”是没有保存计算结果的公式“=SUM(B2:B4)” → 按0分计 0/10"
    assert r.totals.loc["U4", "total"] == pytest.approx(15)

    [blank] = issues_for(r, "乙局", "policy_interpretations")
    assert (blank.severity, blank.file, blank.row, blank.column) == ("warning", "2021Q4/metrics.csv", 3, "政策解读")
    assert blank.message == "“政策解读”未填写,指标“解读”按0分计"
    [claim] = issues_for(r, "乙局", "trainings")
    assert (claim.severity, claim.file, claim.row, claim.column) == ("info", "2021Q4/metrics.csv", 3, "培训")
    assert "不适用" in claim.message and "按适用指标折算" in claim.message
    [error] = issues_for(r, "丙局", "policy_interpretations")
    assert (error.severity, error.row) == ("warning", 4) and "#N/A" in error.message
    [fault] = issues_for(r, "丙局", "late_publications")
    assert (fault.severity, fault.row, fault.column) == ("warning", 4, "未按时公开")
    [slash] = issues_for(r, "丁局", "late_publications")
    assert (slash.severity, slash.row) == ("info", 5)
    assert slash.message == "“未按时公开”填写“/”(不适用),指标“及时”不计分,按适用指标折算"
    [formula] = issues_for(r, "丁局", "trainings")
    assert (formula.severity, formula.row) == ("warning", 5) and "公式" in formula.message


def test_blank_zero_metric_counts_an_empty_fault_cell_as_none(tmp_path):
    r = run(tmp_path, blank=", blank: zero")
    # 丙局: the blank fault count is 0 faults → 10 of 10, silently (the scheme said so); 5 + 10 = 15 of 30
    assert points(r, "U3", "b") == 10
    assert r.totals.loc["U3", "total"] == pytest.approx(15)
    assert not issues_for(r, "丙局", "late_publications")
    # "/" is still a claim, not a blank
    assert r.details.query("unit_id == 'U4' and item_id == 'b'")["status"].item() == "not_applicable"


def test_leaf_refusing_not_applicable_treats_the_mark_as_blank(tmp_path):
    r = run(tmp_path, b_extra=", not_applicable: missing")
    # 丁局: "/" refused → missing → 0 of 10; a 10, c formula 0 → 10 of 30
    assert points(r, "U4", "b") == 0
    assert r.totals.loc["U4", "total"] == pytest.approx(10)
    [refused] = issues_for(r, "丁局", "late_publications")
    assert refused.severity == "warning" and refused.row == 5 and "不接受不适用" in refused.message


def test_defaults_apply_to_leaves_that_do_not_say(tmp_path):
    r = run(tmp_path, defaults="defaults: {missing: exclude, not_applicable: missing}",
            b_extra=", missing: zero")
    # 乙局: 政策解读 blank → excluded (info); 培训 不适用 refused → missing → excluded too: 8 of 10 × 30/10 = 24
    assert r.totals.loc["U2", "total"] == pytest.approx(24)
    [blank] = issues_for(r, "乙局", "policy_interpretations")
    assert blank.severity == "info" and blank.row == 3
    # 丙局: #N/A excluded (a spreadsheet error stays a warning); blank fault → the leaf's own `missing: zero`
    # → 0 of 10; 5 of 10 → 5 of 20 × 30/20 = 7.5
    assert r.totals.loc["U3", "total"] == pytest.approx(7.5)
    assert issues_for(r, "丙局", "policy_interpretations")[0].severity == "warning"


def test_a_ratio_of_a_blank_names_the_blank_input_cell(tmp_path):
    data = tmp_path / "data"
    (data / "2021").mkdir(parents=True)
    (data / "units.csv").write_text("unit_id,name,class,aliases\nU1,甲局,,\nU2,乙局,,\n", encoding="utf-8")
    (data / "2021" / "m.csv").write_text("单位,按时答复,本年新收申请\n甲局,9,10\n乙局,,10\n", encoding="utf-8")
    scheme = scheme_from(tmp_path, """
    id: ratio
    name: 比率
    total: 10
    metrics:
      - {id: applications_on_time, name: 按时答复, unit: 件}
      - {id: on_time_rate, name: 按时答复率, ratio: [applications_on_time, applications_received]}
    indicators:
      - {id: t, points: 10, metric: on_time_rate, rule: {type: linear, zero_at: 0.8, full_at: 1.0}}
    """)
    r = score(scheme, load_data(data, "2021", scheme, progress=False), "2021")
    assert points(r, "U1", "t") == pytest.approx(5)  # 0.9: half way from 0.8 to 1.0
    assert points(r, "U2", "t") == 0
    [issue] = issues_for(r, "乙局", "on_time_rate")
    assert (issue.file, issue.row, issue.column) == ("2021/m.csv", 3, "按时答复") and "“按时答复”未填写" in issue.message


def test_bundled_sample_shows_a_blank_warning_and_a_not_applicable_claim():
    from scoring.scheme.loader import load_scheme

    root = Path(__file__).resolve().parents[1]
    scheme = load_scheme(root / "criteria" / "gov_openness_2021.yaml")
    r = score(scheme, load_data(root / "sample_inputs", "2021Q4", scheme, progress=False), "2021Q4")
    ids = dict(zip(r.units["name"], r.units["unit_id"]))
    # 市民政局 left 政策解读 blank: 0 of 6 (missing: zero), warned with the cell
    assert points(r, ids["市民政局"], "interpretation") == 0
    [blank] = issues_for(r, "市民政局", "policy_interpretations")
    assert (blank.severity, blank.file, blank.row) == ("warning", "2021Q4/metrics.csv", 33)
    # 市信访局 claimed 建议提案办理 不适用: left out; 69.905 of 87 applicable points × 100/87 + bonus 1 = 81.35
    d = r.details.set_index(["unit_id", "item_id"])
    assert d.loc[(ids["市信访局"], "proposals"), "status"] == "not_applicable"
    [claim] = issues_for(r, "市信访局", "proposals_handled")
    assert (claim.severity, claim.row) == ("info", 44)
    assert r.totals.loc[ids["市信访局"], "max_base"] == pytest.approx(87)
    assert r.totals.loc[ids["市信访局"], "total"] == 81.35  # 69.905 × 100/87 + 1 = 81.3505…, stored rounded
    # 市林业局 left its fault count blank: `blank: zero` → 0 faults, 4 of 4, nothing to report
    assert points(r, ids["市林业局"], "late") == 4
    assert not issues_for(r, "市林业局", "late_publications")
