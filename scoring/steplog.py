"""Step-log entries: numbers first, the Chinese sentence rendered from them.

Every engine step that changes units' points reports, per unit, its points before and after and
the parameters it applied; `message` is `template` filled with those values (numbers written as
in explanations), prefixed with the unit's name.
"""

from __future__ import annotations

from string import Formatter

import numpy as np

from scoring.result import Step
from scoring.rules.base import join, num, nums


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
    # each column's values and texts for the units of the mask at once: a province rescales
    # thousands of units, and formatting their numbers one call at a time dominated the engine
    values = {k: _values(v, at) for k, v in columns.items()}
    texts = {k: _texts(v, at, digits) for k, v in columns.items()}
    messages = join(np.asarray(names, dtype=object)[at], ":", *_parts(template, texts)).tolist()
    shown = list(zip(*(values[k] for k in params))) if params else [()] * len(at)
    return tuple(
        Step(stage, message, str(unit), item_id, None if b is None else float(b), None if a is None else float(a),
             tuple(zip(params, applied)))
        for message, unit, b, a, applied in zip(messages, np.asarray(ids)[at].tolist(), values["before"],
                                                 values["after"], shown)
    )


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
    return np.full(len(at), _text(value.item() if isinstance(value, np.generic) else value, digits), dtype=object)


def _text(value, digits: int) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    return num(float(value), digits) if isinstance(value, (int, float)) else str(value)
