"""Step-log entries: numbers first, the Chinese sentence rendered from them.

Every engine step that changes units' points reports, per unit, its points before and after and
the parameters it applied; `message` is `template` filled with those values (numbers written as
in explanations), prefixed with the unit's name.
"""

from __future__ import annotations

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
    # each column's values and texts for the units of the mask at once: a province rescales
    # thousands of units, and formatting their numbers one call at a time dominated the engine
    values = {k: _values(v, at) for k, v in columns.items()}
    texts = {k: _texts(v, at, digits) for k, v in columns.items()}
    out = []
    for j, i in enumerate(at.tolist()):
        text = template.format(**{k: t[j] for k, t in texts.items()})
        b, a = values["before"][j], values["after"][j]
        out.append(Step(stage, f"{names[i]}:{text}", str(ids[i]), item_id,
                        None if b is None else float(b), None if a is None else float(a),
                        tuple((k, values[k][j]) for k in params)))
    return tuple(out)


def _values(value, at: np.ndarray) -> list:
    """The column's value for each unit of `at`, as plain Python objects."""
    if isinstance(value, np.ndarray):
        return [v.item() if isinstance(v, np.generic) else v for v in value[at].tolist()]
    return [value.item() if isinstance(value, np.generic) else value] * len(at)


def _texts(value, at: np.ndarray, digits: int) -> list[str]:
    """The column's value for each unit of `at` as the message shows it."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return nums(value[at].astype(float), digits).tolist()
    if isinstance(value, np.ndarray):
        return [_text(v, digits) for v in _values(value, at)]
    return [_text(value.item() if isinstance(value, np.generic) else value, digits)] * len(at)


def _text(value, digits: int) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    return num(float(value), digits) if isinstance(value, (int, float)) else str(value)
