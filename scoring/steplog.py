"""Step-log entries: numbers first, the Chinese sentence rendered from them.

Every engine step that changes units' points reports, per unit, its points before and after and
the parameters it applied; `message` is `template` filled with those values (numbers written as
in explanations), prefixed with the unit's name.
"""

from __future__ import annotations

from functools import partial
from itertools import repeat
from string import Formatter

import numpy as np

from scoring.result import Step
from scoring.rules.base import num, nums


def unit_steps(
    stage: str, mask: np.ndarray, ids: np.ndarray, names: np.ndarray, template: str, *,
    item_id: str | None = None, before=None, after=None, digits: int = 2, **params,
) -> tuple[Step, ...]:
    """A Step for each unit in `mask`. `before`, `after` and `params` are scalars or arrays over
    all units; `template` may use {before}, {after} and every parameter's name."""
    at = np.flatnonzero(mask)
    if not len(at):
        return ()
    columns = {"before": before, "after": after, **params}
    # each column's texts for the units of the mask at once: a province rescales thousands of
    # units, and formatting their numbers one call at a time dominated the engine
    texts = {k: _texts(v, at, digits) for k, v in columns.items()}
    messages = _each(np.asarray(names, dtype=object)[at], ":", *_parts(template, texts))
    # the Steps assembled by iterators in C (a nation logs 100,000s): each row's tuple of
    # (parameter, value) pairs zipped column by column, the named tuple made by tuple.__new__;
    # a parameter the same for every unit is one pair, shared
    pairs = [zip(repeat(k), _values(v, at)) if isinstance(v, np.ndarray) else repeat((k, _value(v)))
             for k, v in params.items()]
    applied = zip(*pairs) if params else repeat(())
    # ids by str() of each: numpy's astype(str) copies every id twice (a nation's rescale: 50 ms)
    rows = zip(repeat(stage), messages, list(map(str, np.asarray(ids, dtype=object)[at].tolist())), repeat(item_id),
               _points(before, at), _points(after, at), applied)
    return tuple(map(_STEP, rows))


_STEP = partial(tuple.__new__, Step)


def _points(value, at: np.ndarray):
    """`before`/`after` for each unit of `at` as Python floats (None stays None)."""
    if value is None:
        return repeat(None)
    if isinstance(value, np.ndarray):
        return np.asarray(value[at], dtype=float).tolist()
    return repeat(float(value))


def _parts(template: str, texts: dict[str, np.ndarray | str]) -> list:
    """`template` as literal texts and the columns its fields name, for `_each` ("{x:.2f}"-style
    specs are not used: numbers are written by `nums`)."""
    parts: list = []
    for literal, field, spec, conversion in Formatter().parse(template):
        if spec or conversion:
            raise ValueError(f"step template field {field!r} may not carry a format spec: {template}")
        parts.append(literal)
        if field is not None:
            parts.append(texts[field])
    return parts


def _each(*parts) -> list[str]:
    """Strings and string arrays joined row by row. Each message names its unit, so no two are
    alike: `join`'s search for repeated combinations would only cost (a nation's 97,000
    tie-break entries: 135 -> 55 ms)."""
    columns = [p.tolist() if isinstance(p, np.ndarray) else repeat(p) for p in parts]
    return list(map("".join, zip(*columns)))


def _values(values: np.ndarray, at: np.ndarray) -> list:
    """The array's value for each unit of `at`, as plain Python objects."""
    if values.dtype != object:
        return values[at].tolist()  # numpy's own conversion to Python numbers
    return [_value(v) for v in values[at].tolist()]


def _value(value):
    """A plain Python object for a numpy scalar."""
    return value.item() if isinstance(value, np.generic) else value


def _texts(value, at: np.ndarray, digits: int) -> np.ndarray | str:
    """The column's value for each unit of `at` as the message shows it (numbers by `nums`,
    each distinct number written once); one text for a value the same for all."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return nums(value[at].astype(float), digits)
    if isinstance(value, np.ndarray):
        return np.array([_text(v, digits) for v in _values(value, at)], dtype=object)
    return _text(_value(value), digits)


def _text(value, digits: int) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    return num(float(value), digits) if isinstance(value, (int, float)) else str(value)
