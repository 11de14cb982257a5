"""The unit list and matching what data files write in their unit column to a unit id.

A unit is found by its id, its name or one of its aliases, compared after normalising
full-width/half-width characters and spaces, case-insensitively.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from scoring.data.issuelog import IssueLog
from scoring.data.names import Names, key
from scoring.data.tables import RawTable
from scoring.errors import InputError, Location
from scoring.issues import DataIssue, Severity
from scoring.numbers import normalize_text

_ALIAS_SEPARATORS = re.compile(r"[|;、]")
SUGGESTED_NAMES = 100  # unknown unit texts that get closest-name suggestions (each one compares with every unit)


def read_units(table: RawTable, names: Names, issues: IssueLog) -> pd.DataFrame:
    """Units file → unit_id, name, class, aliases (first kept on duplicates, each stated)."""
    roles = names.positions(table.header)
    if "unit_id" not in roles and "name" not in roles:
        raise InputError("单位名单缺少“单位编码”或“单位名称”列(可用表头:unit_id、name、class、aliases 或 "
                         "单位编码、单位名称、类别、别名)", Location(file=table.file, row=table.header_row))
    empty = pd.Series("", index=table.cells.index, dtype=object)
    ids = table.column(roles["unit_id"]) if "unit_id" in roles else empty
    unit_names = table.column(roles["name"]) if "name" in roles else empty
    ids = ids.where(ids != "", unit_names)
    unit_names = unit_names.where(unit_names != "", ids)
    frame = pd.DataFrame({
        "unit_id": ids.map(normalize_text),
        "name": unit_names,
        "class_raw": table.column(roles["class"]) if "class" in roles else empty,
        "aliases": table.column(roles["aliases"]) if "aliases" in roles else empty,
        "row": table.rows,
    })
    frame = frame[frame["unit_id"] != ""]
    frame = _drop_duplicates(frame, "unit_id", "单位编码", table.file, issues)
    frame = frame.assign(name_key=frame["name"].map(key))
    frame = _drop_duplicates(frame, "name_key", "单位名称", table.file, issues)
    classes = _classes(frame, names, table, roles.get("class"), issues)
    aliases = frame["aliases"].map(lambda s: "|".join(a for a in (x.strip() for x in _ALIAS_SEPARATORS.split(s)) if a))
    return pd.DataFrame({
        "unit_id": frame["unit_id"].astype(str), "name": frame["name"].astype(str),
        "class": classes.astype(str), "aliases": aliases.astype(str),
    }).reset_index(drop=True)


def _drop_duplicates(frame: pd.DataFrame, column: str, label: str, file: str, issues: IssueLog) -> pd.DataFrame:
    dup = frame[column].duplicated(keep="first")
    first_rows = frame.drop_duplicates(column).set_index(column)["row"]
    for _, line in frame[dup].iterrows():  # duplicates are few
        issues.add("warning", f"{label}“{line[column] if column == 'unit_id' else line['name']}”重复,"
                   f"保留第 {first_rows[line[column]]} 行,忽略本行", file=file, row=int(line["row"]),
                   unit=line["name"])
    return frame[~dup]


def _classes(frame: pd.DataFrame, names: Names, table: RawTable, column: int | None,
             issues: IssueLog) -> pd.Series:
    header = table.header[column] if column is not None else None
    resolved = frame["class_raw"].map(lambda s: names.class_id(s) if s else "")
    if names.has_scheme and names.classes:
        known = "、".join(f"{name}({class_id})" for class_id, name in names.class_names.items())
        for _, line in frame[resolved.isna()].iterrows():
            issues.add("error", f"类别“{line['class_raw']}”不是考评方案中的类别({known}),该单位按未分类处理",
                       file=table.file, row=int(line["row"]), column=header, unit=line["name"])
        for _, line in frame[frame["class_raw"] == ""].iterrows():
            issues.add("warning", f"未填写类别(考评方案的类别:{known}),该单位按未分类处理",
                       file=table.file, row=int(line["row"]), column=header, unit=line["name"])
    return resolved.fillna("")


def derive_units(texts: pd.Series) -> pd.DataFrame:
    """Units named by a data file's unit column, in order of appearance, without classes."""
    cleaned = texts.map(normalize_text)
    unique = cleaned[cleaned != ""].drop_duplicates()
    return pd.DataFrame({"unit_id": unique.astype(str), "name": unique.astype(str), "class": "", "aliases": ""}
                        ).reset_index(drop=True)


@dataclass(frozen=True)
class UnitIndex:
    units: pd.DataFrame
    lookup: dict[str, str]  # key of id, name or alias → unit_id

    @classmethod
    def build(cls, units: pd.DataFrame, issues: IssueLog, file: str | None = None) -> "UnitIndex":
        lookup: dict[str, str] = {}
        names = dict(zip(units["unit_id"], units["name"]))
        spellings = [(uid, uid) for uid in units["unit_id"]] + list(zip(units["unit_id"], units["name"]))
        for uid, aliases in zip(units["unit_id"], units["aliases"]):
            spellings += [(uid, a) for a in aliases.split("|") if a]
        for uid, spelling in spellings:
            k = key(spelling)
            owner = lookup.setdefault(k, uid)
            if owner != uid:
                issues.add("warning", f"“{spelling}”同时可指“{names[owner]}”和“{names[uid]}”,按“{names[owner]}”处理",
                           file=file, unit=names[uid])
        return cls(units, lookup)

    def match(self, texts: pd.Series) -> pd.Series:
        """unit_id for each cell ("" when unknown), looking each distinct text up once."""
        return pd.Series(self.ids_at(self.positions(texts)), index=texts.index, dtype=object)

    def ids_at(self, positions: np.ndarray) -> np.ndarray:
        """The unit_id at each position of `ids`, "" for -1 (unknown)."""
        return np.append(self.ids.to_numpy(dtype=object), "")[positions]

    def positions(self, texts: pd.Series) -> np.ndarray:
        """Each cell's position in `ids`, -1 when unknown, looking each distinct text up once."""
        codes, uniques = pd.factorize(texts.fillna("").astype(str), sort=False)
        found = self.ids.get_indexer([self.lookup.get(key(u), "") for u in uniques])
        return found[codes] if len(codes) else np.zeros(0, dtype=np.intp)

    @cached_property
    def ids(self) -> pd.Index:
        """The listed unit ids, each once: the categories of matched unit columns."""
        return pd.Index(self.units["unit_id"].astype(str)).drop_duplicates()

    def closest(self, text: str, n: int = 3) -> list[str]:
        names = list(self.units["name"])
        by_key = {key(name): name for name in names}
        return [by_key[k] for k in difflib.get_close_matches(key(text), list(by_key), n=n, cutoff=0.3)]

    def report_unknown(self, texts: pd.Series, unit_ids: pd.Series, rows: np.ndarray, file: str,
                       column: str, severity: Severity, what: str, issues: IssueLog) -> None:
        """One issue per unknown unit text: how many rows, the first row, the closest names."""
        unknown = (unit_ids == "").to_numpy()
        if not unknown.any():
            return
        frame = pd.DataFrame({"text": texts.to_numpy()[unknown], "row": rows[unknown]})
        frame = frame[frame["text"] != ""]
        for number, (text, group) in enumerate(frame.groupby("text", sort=False)):
            if number < SUGGESTED_NAMES:
                close = self.closest(text)
                hint = f"最接近的单位:{'、'.join(close)}" if close else "单位名单中没有相近的名称"
            else:  # each suggestion compares with every listed name: bounded for a province's typo file
                hint = f"未知名称超过 {SUGGESTED_NAMES} 个,此后不再列出相近名称,请先核对单位名单是否用对"
            count = f"共 {len(group)} 行,首次出现在第 {int(group['row'].iloc[0])} 行" if len(group) > 1 else \
                "1 行"
            issues.items.append(DataIssue(
                severity, f"单位“{text}”不在单位名单中({count}),{what}未使用。{hint}。可在单位名单的“别名”列登记该写法",
                file, int(group["row"].iloc[0]), column, str(text),
            ))
