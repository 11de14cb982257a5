"""Ranks (competition ranking, ties share, tie-breaks), grades and grade quotas.

Sorting key, best first: not vetoed (`fail`) before vetoed, total (descending), then each
`tiebreak` indicator's points (descending). The engine has rounded all of them to the scheme's
precision before (scoring.rounding): what ranks is what the office sees. Units with the
same key share a rank and the next rank skips (1, 2, 2, 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scoring.result import Step
from scoring.rules.base import codes_of, filled

if TYPE_CHECKING:  # at run time: rules.rank ranks peers with competition_rank, and the scheme model imports the rules
    from scoring.scheme.model import Scheme


def sort_keys(total: np.ndarray, failed: np.ndarray, tiebreaks: list[np.ndarray]) -> pd.DataFrame:
    """Columns that order units best first when sorted ascending (numbers already rounded)."""
    keys = {"_failed": failed.astype(int), "_total": -np.asarray(total, dtype=float)}
    for i, values in enumerate(tiebreaks):
        keys[f"_tb{i}"] = -np.asarray(values, dtype=float)
    return pd.DataFrame(keys)


def competition_rank(keys: pd.DataFrame, groups: np.ndarray | None = None) -> np.ndarray:
    """Rank 1..n (within each group if given); equal keys share the best rank."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=int)
    # groups as integer codes: lexsort over an object array compares Python strings (a nation's
    # 100,000 class names: 0.3 s); ranks within a group do not depend on the groups' order
    group = codes_of(groups) if groups is not None else np.zeros(n, dtype=np.int8)
    columns = [keys[c].to_numpy() for c in keys.columns]  # plain arrays: no DataFrame copy or take
    order = np.lexsort([*reversed(columns), group])  # the last key sorts first
    grouped = group[order]
    same_group = grouped[1:] == grouped[:-1]
    same_key = np.ones(n - 1, dtype=bool)
    for column in columns:
        ordered = column[order]
        same_key &= ordered[1:] == ordered[:-1]
    new_group = np.concatenate([[True], ~same_group])
    new_key = np.concatenate([[True], ~(same_group & same_key)])
    rank_sorted = np.maximum.accumulate(np.where(new_key, np.arange(n), 0))
    rank_sorted = rank_sorted - _group_starts(new_group) + 1
    ranks = np.empty(n, dtype=int)
    ranks[order] = rank_sorted
    return ranks


def _group_starts(new_group: np.ndarray) -> np.ndarray:
    """For each sorted row, the index of the first row of its group."""
    return np.maximum.accumulate(np.where(new_group, np.arange(len(new_group)), 0))


def grade(
    scheme: Scheme, total: np.ndarray, failed: np.ndarray, keys: pd.DataFrame, classes: np.ndarray,
    unit_names: np.ndarray, unit_ids: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, tuple[Step, ...]]:
    """Grade labels, a 'demoted by quota' flag per unit and a log entry per demotion."""
    n = len(total)
    steps: list[Step] = []
    if not scheme.grades:
        return filled(n, ""), np.zeros(n, dtype=bool), ()
    labels = [g.label for g in scheme.grades]
    rounded = total  # rounded by the engine
    level = np.full(n, len(labels) - 1)
    for i in range(len(labels) - 1, -1, -1):
        level = np.where(rounded >= scheme.grades[i].min - 1e-9, np.minimum(level, i), level)
    level = np.where(failed, len(labels) - 1, level)
    demoted = np.zeros(n, dtype=bool)
    groups = classes if scheme.classes else np.zeros(n, dtype=object)
    rank_in_group = competition_rank(keys, groups)
    for i, g in enumerate(scheme.grades[:-1]):
        if g.max_share is None:
            continue
        for group in pd.unique(groups):
            members = groups == group
            allowed = int(np.floor(g.max_share * members.sum() + 1e-9))
            inside = np.flatnonzero(members & (level == i))
            if len(inside) <= allowed:
                continue
            ranks = rank_in_group[inside]
            # keep units strictly better than the cut; a tie straddling the cut is demoted whole
            cut_rank = np.sort(ranks)[allowed]
            out = inside[ranks >= cut_rank]
            level[out] = i + 1
            demoted[out] = True
            for u in out:
                steps.append(Step(
                    "grade",
                    f"{unit_names[u]}:“{g.label}”限额为本类 {members.sum()} 个单位的 {g.max_share:.0%}(最多 {allowed} 个),"
                    f"按排名降为“{labels[i + 1]}”",
                    unit_id=str(unit_ids[u]),
                    params=(("grade", g.label), ("max_share", g.max_share), ("class_units", int(members.sum())),
                            ("allowed", allowed), ("new_grade", labels[i + 1])),
                ))
    return np.array(labels, dtype=object)[level], demoted, tuple(steps)
