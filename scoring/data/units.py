"""The unit list, and the one index that turns a written unit name into a unit id.

`UnitIndex` is the only place a unit is looked up: data files, report extraction (`score
extract`), `score explain` and everything else use it, so a unit found in one is found in all.
A unit is found by its id, its name or one of its aliases, compared by `key`: full-width to
half-width, no white space, case-insensitive ("Ｄ０１", "d 01" and "D01" are one key).

    index = UnitIndex.build(units)          # a frame with unit_id, name, aliases ("a|b")
    index.find("d01")                       # exact: "D01", or None when unknown
    index.match(texts)                      # exact, vectorised: a unit_id per cell ("" unknown)
    index.positions(texts)                  # exact, vectorised: positions in `index.ids`, -1 unknown
    index.candidates("市教育厅")             # fuzzy: [Candidate(unit_id, name, spelling, score)], best first
    index.closest("市教育厅")                # fuzzy: the closest unit names, for messages
    index.closest_many(texts)               # fuzzy for many texts at once, with progress

Fuzzy matching is rapidfuzz's Indel ratio (0–100, the score difflib's `ratio` gives, ×100)
over the keys: an indexed C matcher, so 750 unknown names against 20,000 units take well under
a second where difflib took minutes. `candidates` searches ids, names and aliases and keeps each
unit's best spelling; pass another rapidfuzz `scorer` (e.g. `fuzz.partial_ratio`) for report
titles that embed the name. Spellings shared by two units are kept for the first one listed and
reported (`build(units, issues, file)`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from scoring.data.issuelog import IssueLog
from scoring.data.names import Names, code_type, distinct_texts, key, map_distinct
from scoring.data.rawtable import RawTable
from scoring.errors import InputError, Location
from scoring.issues import DataIssue, Severity
from scoring.numbers import normalize_text
from scoring.progress import track

_ALIAS_SEPARATORS = re.compile(r"[|;、]")
CLOSEST_CUTOFF = 30  # fuzzy score below which a name is not "close" (difflib's cutoff 0.3 before)
_CHUNK = 100  # unknown texts compared per step of closest_many (one progress step; bounded memory)


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
    aliases = pd.Series(map_distinct(frame["aliases"], lambda s: "|".join(
        a for a in (x.strip() for x in _ALIAS_SEPARATORS.split(s)) if a)), index=frame.index, dtype=object)
    return pd.DataFrame({
        "unit_id": frame["unit_id"].astype(str), "name": frame["name"].astype(str),
        "class": classes.astype(str), "aliases": aliases.astype(str),
    }).reset_index(drop=True)


def _drop_duplicates(frame: pd.DataFrame, column: str, label: str, file: str, issues: IssueLog) -> pd.DataFrame:
    dup = frame[column].duplicated(keep="first")
    first_rows = frame.drop_duplicates(column).set_index(column)["row"]
    issues.add_rows(
        (DataIssue("warning", f"{label}“{line[column] if column == 'unit_id' else line['name']}”重复,"
                   f"保留第 {first_rows[line[column]]} 行,忽略本行", file, int(line["row"]), None, line["name"])
         for _, line in frame[dup].iterrows()),
        f"{label}重复",
    )
    return frame[~dup]


def _classes(frame: pd.DataFrame, names: Names, table: RawTable, column: int | None,
             issues: IssueLog) -> pd.Series:
    header = table.header[column] if column is not None else None
    resolved = pd.Series(map_distinct(frame["class_raw"], lambda s: names.class_id(s) if s else ""), index=frame.index,
                         dtype=object)  # a few classes over thousands of units: each looked up once
    if names.has_scheme and names.classes:
        known = "、".join(f"{name}({class_id})" for class_id, name in names.class_names.items())
        unknown, blank = frame[resolved.isna()], frame[frame["class_raw"] == ""]
        issues.add_rows(
            (DataIssue("error", f"类别“{raw}”不是考评方案中的类别({known}),该单位按未分类处理", table.file,
                       int(row), header, name)
             for raw, row, name in zip(unknown["class_raw"], unknown["row"], unknown["name"])),
            "类别不在考评方案中",
        )
        issues.add_rows(
            (DataIssue("warning", f"未填写类别(考评方案的类别:{known}),该单位按未分类处理", table.file, int(row),
                       header, name)
             for row, name in zip(blank["row"], blank["name"])),
            "未填写类别",
        )
    return resolved.fillna("")


def derive_units(texts: pd.Series) -> pd.DataFrame:
    """Units named by a data file's unit column, in order of appearance, without classes."""
    cleaned = texts.map(normalize_text)
    unique = cleaned[cleaned != ""].drop_duplicates()
    return pd.DataFrame({"unit_id": unique.astype(str), "name": unique.astype(str), "class": "", "aliases": ""}
                        ).reset_index(drop=True)


@dataclass(frozen=True)
class Candidate:
    """A unit that a written name may mean: the spelling it matched and the fuzzy score (0–100)."""

    unit_id: str
    name: str
    spelling: str
    score: float


Scorer = Callable[..., float]


@dataclass(frozen=True)
class UnitIndex:
    units: pd.DataFrame
    lookup: dict[str, str]  # key of id, name or alias → unit_id

    @classmethod
    def build(cls, units: pd.DataFrame, issues: IssueLog | None = None, file: str | None = None) -> "UnitIndex":
        """Index ids, names and aliases; a spelling two units share goes to the first (a warning in `issues`)."""
        lookup: dict[str, str] = {}
        names = dict(zip(units["unit_id"].tolist(), units["name"].tolist()))
        for uid, spelling in _spellings(units):
            owner = lookup.setdefault(key(spelling), uid)
            if owner != uid and issues is not None:
                issues.add("warning", f"“{spelling}”同时可指“{names[owner]}”和“{names[uid]}”,按“{names[owner]}”处理",
                           file=file, unit=names[uid])
        return cls(units, lookup)

    def find(self, text: object) -> str | None:
        """The unit_id written as `text` (id, name or alias, any case or width), None when unknown."""
        return self.lookup.get(key(text))

    def match(self, texts: pd.Series) -> pd.Series:
        """unit_id for each cell ("" when unknown), looking each distinct text up once."""
        return pd.Series(self.ids_at(self.positions(texts)), index=texts.index, dtype=object)

    def ids_at(self, positions: np.ndarray) -> np.ndarray:
        """The unit_id at each position of `ids`, "" for -1 (unknown)."""
        return np.append(self.ids.to_numpy(dtype=object), "")[positions]

    def positions(self, texts: pd.Series) -> np.ndarray:
        """Each cell's position in `ids`, -1 when unknown, looking each distinct text up once."""
        codes, uniques = distinct_texts(texts)
        known = self._positions
        for text in uniques:
            if text not in known:  # twelve monthly files name the same units: each text looked up once
                known[text] = self.ids.get_loc(self.lookup[k]) if (k := key(text)) in self.lookup else -1
        # in the smallest type holding the positions: per record, 2 bytes for a province's units
        found = np.array([known[text] for text in uniques], dtype=code_type(len(self.ids)))
        return found[codes] if len(codes) else np.zeros(0, dtype=found.dtype)

    @cached_property
    def names_by_id(self) -> dict[str, str]:
        """unit_id → name, built once (the records reader names units in its issues, file after file)."""
        return dict(zip(self.units["unit_id"].tolist(), self.units["name"].tolist()))

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Unit text as written → position in `ids` (-1 unknown), filled as texts are met."""
        return {}

    @cached_property
    def ids(self) -> pd.Index:
        """The listed unit ids, each once: the categories of matched unit columns."""
        return pd.Index(self.units["unit_id"].astype(str)).drop_duplicates()

    def candidates(self, text: str, limit: int = 5, cutoff: float = 50, scorer: Scorer | None = None) -> list[Candidate]:
        """Units whose id, name or an alias is spelled like `text`, best first, each unit once.

        Scores are 0–100 (`scorer` over keys, default rapidfuzz's `fuzz.ratio`); ties keep the
        units file's order.
        """
        from rapidfuzz import fuzz, process  # only when a name is not found: a tenth of a second to import

        scorer = scorer or fuzz.ratio
        found = process.extract(key(text), self._spelling_keys, scorer=scorer, score_cutoff=cutoff, limit=None)
        found.sort(key=lambda hit: (-hit[1], hit[2]))
        names = self._names
        out: dict[str, Candidate] = {}
        for _, score, at in found:
            uid, spelling = self._spelling_list[at]
            if uid not in out:
                out[uid] = Candidate(uid, names[uid], spelling, float(score))
                if len(out) == limit:
                    break
        return list(out.values())

    def closest(self, text: str, n: int = 3) -> list[str]:
        """The unit names spelled most like `text` (for a message), best first."""
        return self.closest_many([text], n)[0]

    def closest_many(self, texts: Iterable[str], n: int = 3, progress: bool = True) -> list[list[str]]:
        """`closest` of each text, compared in blocks (one matrix per block, progress on a terminal)."""
        from rapidfuzz import fuzz, process

        queries = [key(t) for t in texts]
        choices = list(self._name_keys)
        out: list[list[str]] = []
        if not choices:
            return [[] for _ in queries]
        blocks = range(0, len(queries), _CHUNK)
        for start in track(blocks, "查找相近的单位名称", total=len(blocks), enabled=progress and len(queries) > _CHUNK):
            scores = process.cdist(queries[start:start + _CHUNK], choices, scorer=fuzz.ratio,
                                   score_cutoff=CLOSEST_CUTOFF, dtype=np.float32)
            for row in scores:
                best = np.lexsort((np.arange(len(row)), -row))[:n]  # score, then units-file order
                out.append([self._name_keys[choices[i]] for i in best if row[i] >= CLOSEST_CUTOFF])
        return out

    @cached_property
    def _names(self) -> dict[str, str]:
        return dict(zip(self.units["unit_id"].astype(str), self.units["name"].astype(str)))

    @cached_property
    def _name_keys(self) -> dict[str, str]:
        """key → name, first name kept for a key two names share."""
        found: dict[str, str] = {}
        for name in self.units["name"].astype(str):
            found.setdefault(key(name), name)
        return found

    @cached_property
    def _spelling_list(self) -> list[tuple[str, str]]:
        return [(str(uid), spelling) for uid, spelling in _spellings(self.units)]

    @cached_property
    def _spelling_keys(self) -> list[str]:
        return [key(spelling) for _, spelling in self._spelling_list]

    def report_unknown(self, texts: pd.Series, unknown: np.ndarray, rows: np.ndarray, file: str,
                       column: str, severity: Severity, what: str, issues: IssueLog) -> None:
        """One issue per unknown unit text (`unknown` marks its rows): how many rows, the first
        row, the closest names."""
        if not unknown.any():
            return
        frame = pd.DataFrame({"text": texts.to_numpy()[unknown], "row": rows[unknown]})
        frame = frame[frame["text"] != ""]
        groups = list(frame.groupby("text", sort=False))
        suggestions = self.closest_many([str(text) for text, _ in groups])
        for (text, group), close in zip(groups, suggestions):
            hint = f"最接近的单位:{'、'.join(close)}" if close else "单位名单中没有相近的名称"
            count = f"共 {len(group)} 行,首次出现在第 {int(group['row'].iloc[0])} 行" if len(group) > 1 else \
                "1 行"
            issues.items.append(DataIssue(
                severity, f"单位“{text}”不在单位名单中({count}),{what}未使用。{hint}。可在单位名单的“别名”列登记该写法",
                file, int(group["row"].iloc[0]), column, str(text),
            ))


def _spellings(units: pd.DataFrame) -> list[tuple[str, str]]:
    """(unit_id, spelling) for every id, then every name, then every alias: the order of precedence."""
    ids = units["unit_id"].tolist()  # Python lists: iterating Arrow-backed columns costs a call per cell
    spellings = [(uid, uid) for uid in ids] + list(zip(ids, units["name"].tolist()))
    for uid, aliases in zip(ids, units["aliases"].tolist()):
        spellings += [(uid, a) for a in str(aliases).split("|") if a]
    return spellings


def reconcile_codes(table: RawTable, names: Names, index: UnitIndex, issues: IssueLog) -> RawTable:
    """A data file naming each unit twice, by code and by name: the two must agree.

    A row whose code and name are different units (or one of them unknown) is not used, with
    an error: a 编号 column holding row serials (1, 2, 3) must not score another unit. A blank
    code falls back to the name. A code column none of whose codes is a listed unit is taken
    for serial numbers: units are then found by name, with a warning. The unit column the
    readers match (the code column) gets the text that identifies each row's unit.
    """
    roles = names.positions(table.header)
    if "unit_id" not in roles or "name" not in roles:
        return table
    code_at, name_at = roles["unit_id"], roles["name"]
    # as plain texts: a CSV reader may give either column as codes (Categorical) or Arrow strings
    codes, written = table.column(code_at).astype(object), table.column(name_at).astype(object)
    by_code, by_name = index.positions(codes), index.positions(written)
    has_code, has_name = (codes != "").to_numpy(), (written != "").to_numpy()
    code_header, name_header = table.header[code_at], table.header[name_at]
    cells = table.cells.copy()
    if not (by_code[has_code] >= 0).any():
        if has_code.any():
            issues.add("warning", f"“{code_header}”列的值都不是单位名单中的单位编码(可能是序号),已改按“{name_header}”列识别单位",
                       file=table.file, row=table.header_row, column=code_header)
        cells[code_at] = written
        return replace(table, cells=cells)
    disagree = has_code & has_name & (by_code != by_name)
    unit_names = index.units["name"].to_numpy(object)
    issues.add_rows(
        (DataIssue("error", f"{code_header}“{code}”{_listed_as(p, unit_names)},{name_header}却是“{name}”"
                   f"{_listed_as(q, unit_names)}:两者不一致,本行未使用", table.file, int(row), code_header,
                   unit_names[p] if p >= 0 else None)
         for code, name, p, q, row in zip(codes[disagree], written[disagree], by_code[disagree], by_name[disagree],
                                          table.rows[disagree])),
        "编码与名称不一致",
    )
    cells[code_at] = codes.where(has_code, written)
    keep = ~disagree
    return replace(table, cells=cells[keep].reset_index(drop=True), rows=table.rows[keep])


def _listed_as(position: int, unit_names: np.ndarray) -> str:
    return f"(单位名单中为“{unit_names[position]}”)" if position >= 0 else "(不在单位名单中)"
