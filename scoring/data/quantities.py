"""Units written in a cell or a header ("30000元", "经费(万元)", "3千") converted into the unit the
metric declares, and the checks a percentage or a 0–1 share needs.

A unit in the cell wins over one in the header. Money converts between 元, 千元, 万元 and 亿元 (a
bare multiplier, "3万" or a header "(万)", counts 元); counting words (条, 件, 篇…) name the
same count; a unit that cannot mean the metric's (元 for a count, % for money) is a problem: the
value is not used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.data.issuelog import IssueLog
from scoring.data.names import Names, map_distinct, split_paren
from scoring.issues import DataIssue
from scoring.numbers import UNITS, normalize_text

MONEY = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}
MULTIPLIERS = {"千": 1e3, "万": 1e4, "亿": 1e8}
PERCENT = frozenset({"%", "个百分点"})
FRACTION = frozenset({"0–1", "0-1"})
_HEADER_UNITS = frozenset(MONEY) | frozenset(MULTIPLIERS) | PERCENT | frozenset(UNITS)


def factor(written: str, declared: str, scaled: bool = False) -> float:
    """What a number written in `written` is multiplied by to be in `declared`; NaN when it
    cannot be converted. `scaled`: the number was written with 万/亿/千 and is already counted
    in ones ("3万" → 30000), which for money means 元."""
    if scaled and not written and declared in MONEY:
        written = "元"
    if not written or written == declared:
        return 1.0
    if declared in MONEY:
        base = MONEY.get(written, MULTIPLIERS.get(written))
        return np.nan if base is None else base / MONEY[declared]
    if written in MULTIPLIERS:
        return MULTIPLIERS[written]
    if not declared:  # a metric that declares no unit: the number as written
        return 1.0
    if declared in PERCENT or declared in FRACTION:  # a 0–1 share divides percentages elsewhere
        return 1.0 if written in PERCENT else np.nan
    if written in MONEY or written in PERCENT:
        return np.nan
    return 1.0


def header_unit(header: str) -> str:
    """The unit a header names in its trailing parenthesis: "信息公开经费(万元)" → "万元"."""
    _, inner = split_paren(normalize_text(header))
    inner = inner.removeprefix("单位:").removeprefix("单位")
    return inner if inner in _HEADER_UNITS else ""


def convert_units(cells: pd.DataFrame, parsed: pd.DataFrame, names: Names, unit_names: dict[str, str],
                  issues: IssueLog) -> pd.DataFrame:
    """`parsed` (value, unit, scaled, problem… per cell of `cells`) with values in their metric's
    unit, unconvertible ones made problems, percentages and shares checked. Cells carry
    unit_id, metric, raw, source, row, column."""
    from_header = map_distinct(cells["column"], header_unit)
    written = parsed["unit"].to_numpy(object)
    scaled = parsed["scaled"].to_numpy(bool)
    effective = np.where(written != "", written, np.where(scaled, "", from_header))
    declared = map_distinct(cells["metric"], lambda m: names.units.get(m, ""))
    # numpy's comparisons of texts throughout: pandas' are several times slower
    usable = (parsed["problem"].to_numpy(object) == "") & ~np.isnan(parsed["value"].to_numpy(float))
    considered = usable & ((effective != "") | scaled)
    value = parsed["value"].to_numpy(float).copy()
    problem = parsed["problem"].to_numpy(object).copy()
    if considered.any():
        keys = pd.DataFrame({"w": effective[considered], "d": declared[considered], "s": scaled[considered]})
        codes, uniques = pd.factorize(pd.MultiIndex.from_frame(keys))
        factors = np.array([factor(w, d, s) for w, d, s in uniques], dtype=float)[codes]
        at = np.flatnonzero(considered)
        bad = np.isnan(factors)
        value[at[~bad]] *= factors[~bad]
        for i in at[bad]:
            where = f"写作“{cells['raw'].iat[i]}”" if written[i] else f"表头写明单位“{effective[i]}”"
            problem[i] = f"{where},无法换算为该指标的单位“{declared[i]}”"
        value[at[bad]] = np.nan
        _report_conversions(cells, at[~bad & (factors != 1)], value, declared, written, names, unit_names, issues)
    problem = _check_shares(cells, value, problem, usable, parsed, names, issues)
    value = np.where(problem != "", np.nan, value)
    # the messages stay Python strings: a frame would convert every cell to Arrow text
    return parsed.assign(value=value, problem=pd.Series(problem, index=parsed.index, dtype=object))


def _report_conversions(cells: pd.DataFrame, at: np.ndarray, value: np.ndarray, declared: np.ndarray,
                        written: np.ndarray, names: Names, unit_names: dict[str, str], issues: IssueLog) -> None:
    """A note per converted cell written with its unit; one per column whose header gave the unit."""
    by_cell = at[written[at] != ""]
    issues.add_rows(
        (DataIssue("info", f"{unit_names[cells['unit_id'].iat[i]]} 的“{names.display_name(cells['metric'].iat[i])}”"
                   f"写作“{cells['raw'].iat[i]}”,已换算为 {value[i]:g} {declared[i]}", cells["source"].iat[i],
                   int(cells["row"].iat[i]), cells["column"].iat[i], unit_names[cells["unit_id"].iat[i]],
                   cells["metric"].iat[i])
         for i in by_cell),
        "单位换算",
    )
    by_header = pd.DataFrame({"source": cells["source"].to_numpy()[at], "column": cells["column"].to_numpy()[at],
                              "declared": declared[at], "metric": cells["metric"].to_numpy()[at]})[written[at] == ""]
    for (source, column, unit, metric), _ in by_header.groupby(["source", "column", "declared", "metric"], sort=False):
        issues.add("info", f"列“{column}”的数值按表头的单位“{header_unit(column)}”换算为“{names.display_name(metric)}”"
                   f"的单位“{unit}”", file=source, column=column, metric=metric)


def _check_shares(cells: pd.DataFrame, value: np.ndarray, problem: np.ndarray, usable: np.ndarray,
                  parsed: pd.DataFrame, names: Names, issues: IssueLog) -> np.ndarray:
    """A 0–1 share above 1 is a problem; a percentage column whose values are all at most 1 is flagged."""
    fraction = usable & _declared_in(cells, names, FRACTION)
    above = fraction & (value > 1)
    if above.any():
        problem = problem.copy()
        problem[above] = [f"数值“{raw}”超出 0–1 的范围(该指标以 0–1 计,如 0.17;百分数请写作“17%”)"
                          for raw in cells["raw"].to_numpy(object)[above]]
    percent = usable & _declared_in(cells, names, PERCENT)
    if percent.any():
        frame = pd.DataFrame({"source": cells["source"].to_numpy()[percent], "column": cells["column"].to_numpy()[percent],
                              "metric": cells["metric"].to_numpy()[percent], "value": value[percent],
                              "with_sign": parsed["unit"].to_numpy(object)[percent] == "%",
                              "row": cells["row"].to_numpy()[percent]})
        for (source, column, metric), group in frame.groupby(["source", "column", "metric"], sort=False):
            if (group["value"] <= 1).all() and (group["value"] > 0).any() and not group["with_sign"].any():
                issues.add("warning", f"列“{column}”的值都不大于 1(如 {group['value'].iloc[0]:g}),而"
                           f"“{names.display_name(metric)}”以百分数计(95 表示 95%):请核对是否漏乘 100。已按原值计算",
                           file=source, row=int(group["row"].iloc[0]), column=column, metric=metric)
    return problem


def _declared_in(cells: pd.DataFrame, names: Names, units: frozenset[str]) -> np.ndarray:
    """Which cells' metrics declare one of `units`: looked up once per metric, not per cell."""
    return map_distinct(cells["metric"], lambda m: names.units.get(m, "") in units, bool)
