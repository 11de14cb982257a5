"""Worksheet names Excel accepts: at most 31 characters, none of []:*?/\\, no leading or
trailing apostrophe, unique without regard to case."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_LENGTH = 31
_INVALID = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_RESERVED = {"history"}  # Excel keeps this name for its change history
_FALLBACK = "单位"


def sheet_names(wanted: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """Valid, unique sheet names for `wanted`, avoiding `taken`; repeats become `name~2`, `name~3`…"""
    used = {name.casefold() for name in taken} | _RESERVED
    chosen: list[str] = []
    for raw in wanted:
        base = _clean(_INVALID.sub("_", str(raw))) or _FALLBACK
        candidate, n = base, 1
        while candidate.casefold() in used:
            n += 1
            suffix = f"~{n}"
            candidate = (_clean(base[: MAX_LENGTH - len(suffix)]) or _FALLBACK) + suffix
        used.add(candidate.casefold())
        chosen.append(candidate)
    return chosen


def _clean(name: str) -> str:
    return name.strip().strip("'").strip()[:MAX_LENGTH].strip().strip("'")
