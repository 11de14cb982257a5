"""Consistency checks over the metrics of each report."""

from __future__ import annotations

import pandas as pd

from scoring.extract.checks import consistency_issues
from scoring.extract.patterns import load_patterns

RULES = load_patterns()


def frame(reports: dict[str, dict[str, float]]) -> pd.DataFrame:
    rows = [{"report": i, "source": f"{unit}.txt", "unit_name": unit, "metric": m, "value": v}
            for i, (unit, metrics) in enumerate(reports.items()) for m, v in metrics.items()]
    return pd.DataFrame(rows)


def test_consistent_reports_have_no_issues() -> None:
    values = frame({
        "甲局": {"proactive_items": 100, "policy_interpretations": 10, "applications_received": 5,
                 "applications_carried_over": 1, "applications_completed": 4, "applications_carried_forward": 2,
                 "applications_overdue": 6},
        "乙局": {"policy_interpretations": 50, "applications_received": 3, "applications_overdue": 3},  # no totals
    })
    assert consistency_issues(values, RULES) == []


def test_part_above_total() -> None:
    values = frame({"甲局": {"proactive_items": 30, "policy_interpretations": 41},
                    "乙局": {"reconsiderations": 2, "reconsiderations_corrected": 3}})
    issues = consistency_issues(values, RULES)
    assert [(i.unit, i.metric, i.file) for i in issues] == [
        ("甲局", "policy_interpretations", "甲局.txt"), ("乙局", "reconsiderations_corrected", "乙局.txt")]
    assert "“政策解读”41 大于“主动公开政府信息”30" in issues[0].message


def test_application_balance() -> None:
    values = frame({"甲局": {"applications_received": 11, "applications_carried_over": 2,
                             "applications_completed": 12, "applications_carried_forward": 3}})
    (issue,) = consistency_issues(values, RULES)
    assert issue.metric == "applications_received" and issue.severity == "warning"
    assert "= 13" in issue.message and "= 15" in issue.message


def test_overdue_above_what_could_be_answered() -> None:
    values = frame({"甲局": {"applications_received": 5, "applications_carried_over": 1, "applications_overdue": 7},
                    "乙局": {"applications_received": 5, "applications_overdue": 6}})
    issues = consistency_issues(values, RULES)
    assert [(i.unit, i.metric) for i in issues] == [("甲局", "applications_overdue"), ("乙局", "applications_overdue")]
    assert "超过可办理的申请数 6 件" in issues[0].message and "超过可办理的申请数 5 件" in issues[1].message
