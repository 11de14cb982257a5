"""Precision and recall of the extractor against the hand-labelled fixture reports.

tests/fixtures/reports/2021/ holds 27 reports of the fictional city 临江市 (a compilation, a
GB18030 text, a .docx, a .pdf); labels.csv lists every number a careful reader takes from
them for the vocabulary metrics. Run with -s to see the table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scoring.extract.run import SIMILARITY, extract_reports

REPORTS = Path(__file__).parent / "fixtures" / "reports"
KEY_METRICS = ("proactive_items", "policy_interpretations", "responses_to_concerns", "applications_received")


@pytest.fixture(scope="module")
def extraction():
    return extract_reports([REPORTS / "2021"], "2021", units_path=REPORTS / "units.csv", progress=False)


def test_the_fixture_set_is_what_the_brief_asks(extraction) -> None:
    reports = extraction.reports
    assert len(reports) >= 20
    assert reports["file"].value_counts().max() >= 5  # a compilation holding several reports
    assert {Path(f).suffix for f in reports["file"]} == {".txt", ".docx", ".pdf"}
    assert reports["unit_name"].nunique() == len(reports)


def test_precision_and_recall_per_metric(extraction) -> None:
    labels = pd.read_csv(REPORTS / "labels.csv", dtype={"file": str, "unit": str, "metric": str})
    found = extraction.values[extraction.values["metric"] != SIMILARITY]
    found = found.rename(columns={"source": "file", "unit": "unit_id"}).rename(columns={"unit_name": "unit"})
    keys = ["file", "unit", "metric"]
    assert not labels.duplicated(keys).any() and not found.duplicated(keys).any()
    merged = labels.merge(found[[*keys, "value", "approx"]], on=keys, how="outer", suffixes=("_label", "_found"),
                          indicator=True)
    merged["correct"] = (merged["_merge"] == "both") & ((merged["value_label"] - merged["value_found"]).abs() < 1e-9)
    table = merged.groupby("metric").agg(
        labelled=("value_label", "count"), found=("value_found", "count"), correct=("correct", "sum"))
    table["precision"] = table["correct"] / table["found"]
    table["recall"] = table["correct"] / table["labelled"]
    print("\n" + table.to_string(float_format=lambda v: f"{v:.3f}"))
    wrong = merged[~merged["correct"]]
    print(wrong[[*keys, "value_label", "value_found"]].to_string() if len(wrong) else "no differences")
    for metric in KEY_METRICS:
        assert table.at[metric, "labelled"] >= 20, metric
        assert table.at[metric, "precision"] >= 0.95 and table.at[metric, "recall"] >= 0.95, metric
    total = table[["labelled", "found", "correct"]].sum()
    assert total["correct"] / total["found"] >= 0.9 and total["correct"] / total["labelled"] >= 0.9
    both = merged[merged["correct"]]
    assert (both["approx_label"].astype(bool) == both["approx_found"].astype(bool)).mean() >= 0.95


def test_consistency_issues_of_the_fixture_set(extraction) -> None:
    issues = [(i.unit, i.metric) for i in extraction.issues if i.metric]
    assert ("市文化广电旅游局", "proactive_items") in issues  # 其中 items sum to 541 > 523
    assert ("市文化广电旅游局", "applications_received") in issues  # 11 + 2 ≠ 12 + 3
    assert extraction.unmatched == ("临江市档案馆",)
