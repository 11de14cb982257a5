"""Consistency checks across the metrics of each report (vectorised over all reports).

- a part must not exceed its total (政策解读 ≤ 主动公开, 纠正 ≤ 复议总数, …);
- 本年新收 + 上年结转 = 办理结果总计 + 结转下年度, when all four are stated;
- 逾期答复 ≤ 本年新收 + 上年结转.
Which metrics form these checks comes from patterns.yaml (`checks`).
"""

from __future__ import annotations

import pandas as pd

from scoring.extract.finder import fmt
from scoring.extract.patterns import PatternSet
from scoring.issues import DataIssue
from scoring.vocabulary import display_name


def consistency_issues(values: pd.DataFrame, rules: PatternSet) -> list[DataIssue]:
    """`values`: one row per (report, metric) with columns report, source, unit_name, metric, value."""
    if values.empty:
        return []
    wide = values.pivot_table(index="report", columns="metric", values="value", aggfunc="first")
    meta = values.drop_duplicates("report").set_index("report")[["source", "unit_name"]]
    issues: list[DataIssue] = []
    for part, total in rules.parts:
        if part in wide and total in wide:
            bad = wide.index[wide[part] > wide[total]]
            issues += [
                _issue(meta, r, part, f"“{display_name(part)}”{fmt(wide.at[r, part])} 大于"
                                      f"“{display_name(total)}”{fmt(wide.at[r, total])},分项不应超过总数")
                for r in bad
            ]
    for balance in rules.balances:
        columns = [*balance.left, *balance.right]
        if not all(c in wide for c in columns):
            continue
        complete = wide[columns].notna().all(axis=1)
        left, right = wide[list(balance.left)].sum(axis=1), wide[list(balance.right)].sum(axis=1)
        for r in wide.index[complete & ((left - right).abs() > 1e-9)]:
            issues.append(_issue(meta, r, balance.left[0], (
                f"{_sum_text(wide, r, balance.left)} = {fmt(left[r])},而 {_sum_text(wide, r, balance.right)} = "
                f"{fmt(right[r])},两边应相等"
            )))
    if rules.overdue and all(c in wide for c in rules.overdue[:2]):
        overdue, bounds = rules.overdue[0], [c for c in rules.overdue[1:] if c in wide]
        bound = wide[bounds].fillna(0).sum(axis=1).where(wide[rules.overdue[1]].notna())
        for r in wide.index[wide[overdue] > bound]:
            issues.append(_issue(meta, r, overdue, (
                f"“{display_name(overdue)}”{fmt(wide.at[r, overdue])} 件,超过可办理的申请数 "
                f"{fmt(bound[r])} 件({'+'.join(display_name(c) for c in bounds)})"
            )))
    return issues


def _sum_text(wide: pd.DataFrame, report: int, metrics: tuple[str, ...]) -> str:
    return " + ".join(f"{display_name(m)} {fmt(wide.at[report, m])}" for m in metrics)


def _issue(meta: pd.DataFrame, report: int, metric: str, message: str) -> DataIssue:
    return DataIssue("warning", message, file=meta.at[report, "source"], unit=meta.at[report, "unit_name"],
                     metric=metric)
