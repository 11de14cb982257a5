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
from scoring.rules.base import filled, join, num, nums


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
    messages = join(np.asarray(names, dtype=object)[at], ":", *_parts(template, texts)).tolist()
    # the Steps assembled by iterators in C (a nation logs 100,000s): each row's tuple of
    # (parameter, value) pairs zipped column by column, the named tuple made by tuple.__new__
    applied = zip(*(zip(repeat(k), _values(v, at)) for k, v in params.items())) if params else repeat(())
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


def _parts(template: str, texts: dict[str, np.ndarray]) -> list:
    """`template` as literal texts and the columns its fields name, for `join` ("{x:.2f}"-style
    specs are not used: numbers are written by `nums`)."""
    parts: list = []
    for literal, field, spec, conversion in Formatter().parse(template):
        if spec or conversion:
            raise ValueError(f"step template field {field!r} may not carry a format spec: {template}")
        parts.append(literal)
        if field is not None:
            parts.append(texts[field])
    return parts


def _values(value, at: np.ndarray) -> list:
    """The column's value for each unit of `at`, as plain Python objects."""
    if isinstance(value, np.ndarray) and value.dtype != object:
        return value[at].tolist()  # numpy's own conversion to Python numbers
    if isinstance(value, np.ndarray):
        return [v.item() if isinstance(v, np.generic) else v for v in value[at].tolist()]
    return [value.item() if isinstance(value, np.generic) else value] * len(at)


def _texts(value, at: np.ndarray, digits: int) -> np.ndarray:
    """The column's value for each unit of `at` as the message shows it (numbers by `nums`,
    whose texts `join` then takes with their codes)."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return nums(value[at].astype(float), digits)
    if isinstance(value, np.ndarray):
        return np.array([_text(v, digits) for v in _values(value, at)], dtype=object)
    return filled(len(at), _text(value.item() if isinstance(value, np.generic) else value, digits))


def _text(value, digits: int) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    return num(float(value), digits) if isinstance(value, (int, float)) else str(value)
