"""Metric files, wide (a row per unit, a column per metric) or long (unit, metric, value), to cells.

Both shapes become the same long table of text cells, each with the file, row and column it
came from; the loader then matches units and parses values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.data.issuelog import IssueLog
from scoring.data.names import Names, key, map_distinct, parse_period_text, unit_position
from scoring.data.rawtable import RawTable
from scoring.data.values import truthy
from scoring.issues import DataIssue
from scoring.periods import Period

CELL_COLUMNS = ["unit_text", "metric", "raw", "approx_mark", "period", "source", "row", "column", "evidence"]
DROPPED_MARKS = ("删除", "剔除", "作废")
TOTAL_WORDS = ("总数", "合计", "总计", "小计", "总量", "数量", "条数", "件数")  # under 主动公开: its total
SUMMARY_ROWS = ("合计", "总计", "小计", "平均", "平均值", "全市合计")


def wide_cells(table: RawTable, names: Names, default: Period | None, issues: IssueLog) -> pd.DataFrame:
    roles = names.positions(table.header)
    unit_at = unit_position(roles)
    assert unit_at is not None, "classified as wide without a unit column"
    metric_columns: list[tuple[int, str]] = []
    for position, header in enumerate(table.header):
        if not header or names.role(header) is not None:
            continue
        metric_id = names.metric(header)
        if metric_id is None and table.group(position):  # a sub-column of a two-row header
            group = table.group(position)
            metric_id = names.metric(group if key(header) in TOTAL_WORDS else group + header)
        if metric_id is None:
            close = names.closest_metrics(header)
            hint = f"是否指:{'、'.join(close)}?" if close else "请使用指标编号或指标中文名称作表头。"
            issues.add("warning", f"未识别的列“{header}”,该列已忽略。{hint}", file=table.file,
                       row=table.header_row, column=header)
            continue
        if names.suspicious_id(metric_id):
            issues.add("info", f"列“{header}”按指标“{metric_id}”读入,但考评方案没有使用该指标。{_did_you_mean(names, metric_id)}",
                       file=table.file, row=table.header_row, column=header, metric=metric_id)
        metric_columns.append((position, metric_id))
    metric_columns = _one_column_each(metric_columns, table, names, issues)
    periods = _periods(table, roles, default, issues)
    n = len(table.cells)
    notes = _with_note(np.full(n, "", object), table, roles)
    positions = [position for position, _ in metric_columns]
    columns = len(positions)
    # one long table from the columns side by side (a province: 5,000 rows × 60 metrics), not a
    # frame per column. Every text column is held as codes: what repeats (each row's unit,
    # period and note for every column, each column's metric and header for every row) is
    # never copied, the values (a few thousand distinct texts) are parsed and checked once each.
    cells = pd.DataFrame({
        "unit_text": _repeated(table.column(unit_at).to_numpy(object), tile=columns),
        "metric": _repeated(np.array([m for _, m in metric_columns], dtype=object), each=n),
        "raw": _coded(np.concatenate([table.column(p).to_numpy(object) for p in positions] or [np.zeros(0, object)])),
        "approx_mark": False,
        "period": _repeated(np.asarray(periods, dtype=object), tile=columns),
        "source": _repeated(np.array([table.file], dtype=object), each=n * columns),
        "row": np.tile(table.rows, columns),
        "column": _repeated(np.array([table.header[p] for p in positions], dtype=object), each=n),
        "evidence": _repeated(notes, tile=columns),
    }, columns=CELL_COLUMNS)
    return _without_unit(cells, table, unit_at, issues)


def _coded(texts: np.ndarray) -> pd.Series:
    """`texts` as a Categorical over its sorted distinct texts: factorized as Python strings,
    only the distinct ones made Arrow text (pd.Categorical converts every cell first)."""
    codes, distinct = pd.factorize(texts, sort=True)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(distinct, dtype="str"), validate=False),
                     copy=False)


def _repeated(texts: np.ndarray, tile: int = 1, each: int = 1) -> pd.Series:
    """`texts` repeated (`each` text `each` times, the whole `tile` times) as a Categorical. Its
    categories are sorted, so that sorting the codes sorts the texts."""
    coded = pd.Categorical(texts)
    return pd.Series(pd.Categorical.from_codes(np.tile(np.repeat(coded.codes, each), tile), dtype=coded.dtype,
                                               validate=False))


def _one_column_each(columns: list[tuple[int, str]], table: RawTable, names: Names,
                     issues: IssueLog) -> list[tuple[int, str]]:
    """Columns of metrics named by one column only. Two columns naming one metric (a total and
    its 其中 sub-item) cannot be told apart: neither is used, and a header error names both."""
    positions: dict[str, list[int]] = {}
    for position, metric_id in columns:
        positions.setdefault(metric_id, []).append(position)
    for metric_id, found in positions.items():
        if len(found) > 1:
            listed = "、".join(f"“{table.header[p]}”" for p in found)
            issues.add("error", f"表头有 {len(found)} 列都对应指标“{names.display_name(metric_id)}”:{listed},"
                       "无法确定用哪一列,这些列均未使用;请删除多余的列,或把列名改为不同的指标",
                       file=table.file, row=table.header_row, column=table.header[found[1]], metric=metric_id)
    return [(p, m) for p, m in columns if len(positions[m]) == 1]


def long_cells(table: RawTable, names: Names, default: Period | None, issues: IssueLog) -> pd.DataFrame:
    roles = names.positions(table.header)
    unit_at = unit_position(roles)
    assert unit_at is not None and "metric" in roles and "value" in roles
    n = len(table.cells)
    keep = np.ones(n, dtype=bool)
    if "status" in roles:
        status = table.column(roles["status"]).map(key)
        dropped = status.map(lambda s: any(mark in s for mark in DROPPED_MARKS)).to_numpy(bool)
        if dropped.any():
            issues.add("info", f"{int(dropped.sum())} 行在“{table.header[roles['status']]}”列标为删除/剔除/作废,已跳过",
                       file=table.file, column=table.header[roles["status"]])
        keep &= ~dropped
    metric_text = table.column(roles["metric"])
    codes, uniques = pd.factorize(metric_text, sort=False)
    resolved = np.array([names.metric(u) or "" for u in uniques], dtype=object)
    metric_ids = resolved[codes] if n else np.array([], dtype=object)
    unknown = keep & (metric_ids == "") & (metric_text != "").to_numpy()
    _report_unknown_metrics(metric_text[unknown], table.rows[unknown], table, roles["metric"], names, issues)
    for metric_id in sorted({m for m in resolved if m and names.suspicious_id(m)}):
        issues.add("warning", f"指标“{metric_id}”考评方案没有使用。{_did_you_mean(names, metric_id)}",
                   file=table.file, column=table.header[roles["metric"]], metric=metric_id)
    keep &= metric_ids != ""
    evidence = table.column(roles["evidence"]).to_numpy(object) if "evidence" in roles else np.full(n, "", object)
    if "source" in roles:  # the report a value was taken from goes with its evidence sentence
        origin = table.column(roles["source"]).to_numpy(object)
        evidence = np.where(origin == "", evidence, np.where(evidence == "", origin, origin + ":" + evidence))
    evidence = _with_note(evidence, table, roles)
    cells = pd.DataFrame({
        "unit_text": table.column(unit_at),
        "metric": metric_ids,
        "raw": table.column(roles["value"]),
        "approx_mark": truthy(table.column(roles["approx"])) if "approx" in roles else False,
        "period": _periods(table, roles, default, issues),
        "source": table.file,
        "row": table.rows,
        "column": table.header[roles["value"]],
        "evidence": evidence,
    })[keep].reset_index(drop=True)
    return _without_unit(cells, table, unit_at, issues)


def _with_note(evidence: np.ndarray, table: RawTable, roles: dict[str, int]) -> np.ndarray:
    """A 备注/说明 cell goes with the values of its row, after any evidence: "备注:含转载12条"."""
    if "note" not in roles:
        return evidence
    note = table.column(roles["note"]).to_numpy(object)
    labelled = np.where(note == "", "", f"{table.header[roles['note']]}:" + note.astype(str))
    return np.where(labelled == "", evidence, np.where(evidence == "", labelled, evidence + ";" + labelled))


def _did_you_mean(names: Names, metric_id: str) -> str:
    close = names.closest_ids(metric_id)
    return f"是否拼写有误,应为 {'、'.join(close)}?" if close else "请检查是否拼写有误。"


def _report_unknown_metrics(texts: pd.Series, rows: np.ndarray, table: RawTable, position: int,
                            names: Names, issues: IssueLog) -> None:
    frame = pd.DataFrame({"text": texts.to_numpy(), "row": rows})
    for text, group in frame.groupby("text", sort=False):
        close = names.closest_metrics(text)
        hint = f"是否指:{'、'.join(close)}?" if close else ""
        issues.add("warning", f"未识别的指标“{text}”({len(group)} 行),这些行已忽略。{hint}",
                   file=table.file, row=int(group["row"].iloc[0]), column=table.header[position])


def _periods(table: RawTable, roles: dict[str, int], default: Period | None, issues: IssueLog) -> np.ndarray:
    """Period label per row: the `period` cell, else the file's default ("" when neither)."""
    n = len(table.cells)
    fallback = default.label if default else ""
    if "period" not in roles:
        return np.full(n, fallback, dtype=object)
    column = table.column(roles["period"])
    codes, uniques = pd.factorize(column, sort=False)
    parsed = [parse_period_text(u) for u in uniques]
    labels = np.array([p.label if p else (fallback if u == "" else None) for u, p in zip(uniques, parsed)],
                      dtype=object)[codes] if n else np.array([], dtype=object)
    bad = np.array([x is None for x in labels], dtype=bool)
    header = table.header[roles["period"]]
    issues.add_rows(
        (DataIssue("error", f"无法识别的期间“{text}”(应写作 2021、2021Q4、2021H1、2021M03 或“2021年第四季度”),本行未使用",
                   table.file, int(row), header)
         for text, row in zip(column[bad], table.rows[bad])),
        "期间无法识别",
    )
    return np.where(bad, "?", labels)  # "?" matches no period: the row is left out


def _without_unit(cells: pd.DataFrame, table: RawTable, unit_at: int, issues: IssueLog) -> pd.DataFrame:
    """Drop cells with no unit written (reported when they carry values) and total rows (合计)."""
    missing = (cells["unit_text"] == "").to_numpy()
    if missing.any():
        filled = cells[missing & (cells["raw"] != "").to_numpy()]
        issues.add_rows(
            (DataIssue("error", "本行有数据但未填写单位,未使用", table.file, int(r), table.header[unit_at])
             for r in filled["row"].drop_duplicates()),
            "未填写单位",
        )
    totals = map_distinct(cells["unit_text"], lambda text: key(text) in SUMMARY_ROWS, bool)
    if totals.any():
        rows = cells.loc[totals, "row"].drop_duplicates()
        issues.add("info", f"第 {'、'.join(str(r) for r in rows)} 行是合计/平均行,已跳过", file=table.file,
                   row=int(rows.iloc[0]), column=table.header[unit_at])
    return cells[~missing & ~totals].reset_index(drop=True)
