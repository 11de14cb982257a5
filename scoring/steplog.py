"""Step-log entries: numbers first, the Chinese sentence rendered from them.

Every engine step that changes units' points reports, per unit, its points before and after and
the parameters it applied; `message` is `template` filled with those values (numbers written as
in explanations), prefixed with the unit's name.
"""

from __future__ import annotations

import numpy as np

from scoring.result import Step
from scoring.rules.base import num


def unit_steps(
    stage: str, mask: np.ndarray, ids: np.ndarray, names: np.ndarray, template: str, *,
    item_id: str | None = None, before=None, after=None, digits: int = 2, **params,
) -> tuple[Step, ...]:
    """A Step for each unit in `mask`. `before`, `after` and `params` are scalars or arrays over
    all units; `template` may use {before}, {after} and every parameter's name."""
    out = []
    for i in np.flatnonzero(mask):
        values = {k: _at(v, i) for k, v in params.items()}
        b, a = _at(before, i), _at(after, i)
        shown = {k: _text(v, digits) for k, v in values.items()}
        text = template.format(before=_text(b, digits), after=_text(a, digits), **shown)
        out.append(Step(stage, f"{names[i]}:{text}", str(ids[i]), item_id,
                        None if b is None else float(b), None if a is None else float(a), tuple(values.items())))
    return tuple(out)


def _at(value, i: int):
    if isinstance(value, np.ndarray):
        value = value[i]
    return value.item() if isinstance(value, np.generic) else value


def _text(value, digits: int) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    return num(float(value), digits) if isinstance(value, (int, float)) else str(value)
