"""The units file (for matching report titles to units) and the matching itself.

A title names its unit the long way ("临江市东湖区人民政府", "临江市教育局"); the units file the
short way ("东湖区", "市教育局") or by an alias. A certain match, in order: exact id, name or alias
(the unit index `scoring.data.units.UnitIndex`, as data files are matched); the same "core"
(city prefix and 人民政府/办事处/管委会 removed); a core ending with another core
("西山县青石镇" → "青石镇"). Everything after normalising full/half width and spaces.

Anything else is only proposed (`propose`): the unit index's closest spelling of the name or of
its core, with its score, for a person to confirm; never taken as certain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scoring.data.units import Candidate, UnitIndex
from scoring.numbers import normalize_text

UNIT_COLUMNS = ["unit_id", "name", "class", "aliases"]
PROPOSE_SCORE = 80.0  # at or above: filed under the candidate, marked 待确认; below: left unmatched
_REGION_PREFIX = re.compile(r"^.{0,8}?[省市](?=.{2,})")
_GOVERNMENT_SUFFIX = re.compile(r"(?:(?<=[区县市镇乡])|(?<=街道))(?:人民政府|政府|办事处|管委会)$")
_PLACE = re.compile(r"(?:区|县|市|镇|乡|街道)$")
UNIT_SUFFIX = re.compile(
    r"(?:局|委员会|委|办公室|办|中心|馆|院|所|站|队|会|署|处|区|县|市|镇|乡|街道|政府|办事处|公司)$"
)


@dataclass(frozen=True)
class UnitMatch:
    unit_id: str
    name: str


def load_units(path: str | Path) -> pd.DataFrame:
    """units.csv / units.xlsx → unit_id, name, class, aliases, read as `score` reads it."""
    from scoring.data.load import read_units_file

    units, _ = read_units_file(path)
    return units[UNIT_COLUMNS].astype(str)


def core_name(name: str) -> str:
    """"临江市东湖区人民政府" → "东湖区"; "市教育局" → "教育局"; "临江市市场监督管理局" → "市场监督管理局"."""
    text = normalize_text(name)
    text = _GOVERNMENT_SUFFIX.sub("", text)
    return _REGION_PREFIX.sub("", text)


class UnitMatcher:
    """Matches a unit name from a report to a row of the units file."""

    def __init__(self, units: pd.DataFrame):
        self.index = UnitIndex.build(units)
        self._names = dict(zip(units["unit_id"], units["name"]))
        self._core: dict[str, UnitMatch | None] = {}
        for unit_id, name, aliases in units[["unit_id", "name", "aliases"]].itertuples(index=False):
            match = UnitMatch(unit_id, name)
            for written in [name, unit_id, *str(aliases).split("|")]:
                key = normalize_text(written)
                if key:
                    _add(self._core, core_name(key), match)

    def propose(self, name: str) -> Candidate | None:
        """The closest unit of the file (by the name or its core), with its score 0–100; None without any."""
        key = normalize_text(name)
        found = [c for q in dict.fromkeys([key, core_name(key)]) if q for c in self.index.candidates(q, 1, 0)]
        return max(found, key=lambda c: c.score, default=None)

    def match(self, name: str) -> UnitMatch | None:
        key = normalize_text(name)
        if not key:
            return None
        unit_id = self.index.find(key)
        if unit_id is not None:
            return UnitMatch(unit_id, self._names[unit_id])
        core = core_name(key)
        if self._core.get(core):
            return self._core[core]
        # the longest known core that this core ends with, or that ends with this core
        best: tuple[int, UnitMatch] | None = None
        for known, match in self._core.items():
            if match is None or len(known) < 2 or known == core:
                continue
            if core.endswith(known) and not _other_place(core[: -len(known)], known) \
                    or known.endswith(core) and len(core) >= 2:
                length = min(len(known), len(core))
                if best is None or length > best[0]:
                    best = (length, match)
        return best[1] if best else None


_LEADING_PLACE = re.compile(r"^.{1,6}?(?:自治县|区|县|镇|乡|街道)(?=.)")


def places_differ(written: str, spelling: str) -> bool:
    """"东湖区教育局" and "西湖区教育局" are alike but name two places: never proposed for each other."""
    a, b = _LEADING_PLACE.match(core_name(written)), _LEADING_PLACE.match(core_name(spelling))
    return bool(a and b) and a.group() != b.group()


def _other_place(prefix: str, known: str) -> bool:
    """"东湖区" + "教育局": a department of another place, not the city's bureau."""
    return bool(_PLACE.search(prefix)) and not _PLACE.search(known)


def _add(index: dict[str, UnitMatch | None], key: str, match: UnitMatch) -> None:
    """Register a key; a key shared by two different units is ambiguous (None)."""
    if key in index and index[key] is not None and index[key] != match:
        index[key] = None
    else:
        index.setdefault(key, match)
