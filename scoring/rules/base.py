"""What every rule type shares: its config model, the evaluation context and the outcome.

A rule type is a small class with a `Config` (pydantic, extra keys forbidden), a docstring with
an example, `describe()` (the rule in words) and `score()` (points for all units at once).
Rules that may serve as penalties also implement `deduction()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from scoring.rules import registry

Per = Literal["month", "quarter", "half", "year"]
PER_NAMES = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年"}


class RuleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    type: str


@dataclass(frozen=True)
class RuleContext:
    """Everything a rule sees. Arrays hold one entry per unit, in the units' order."""

    values: np.ndarray  # float; NaN where there is no usable value (the engine masks those)
    points: float  # full points of the leaf (for penalties: an optional cap, inf if none)
    classes: np.ndarray  # class id per unit: peers for rank/relative
    peers: np.ndarray  # bool: units taking part in peer comparisons (value usable, not excluded)
    scale: float = 1.0  # threshold factor for `per:` (quarter run of a per-year rule: 0.25)
    metric_name: str = ""
    unit: str = ""
    precision: int = 2


@dataclass(frozen=True)
class Outcome:
    points: np.ndarray  # float per unit
    explanation: np.ndarray  # str per unit


class Rule:
    type: ClassVar[str]
    Config: ClassVar[type[RuleConfig]]
    monotone: ClassVar[bool] = True  # a better value never earns fewer points (property tests)
    takes_metric: ClassVar[bool] = True
    penalty_ok: ClassVar[bool] = False
    has_per: ClassVar[bool] = False

    def __init__(self, config: RuleConfig):
        self.config = config

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        raise NotImplementedError

    def score(self, ctx: RuleContext) -> Outcome:
        raise NotImplementedError

    def deduction(self, ctx: RuleContext) -> Outcome:
        """Points taken off the total when used as a penalty (positive numbers)."""
        raise NotImplementedError

    def thresholds_scaled(self) -> bool:
        return bool(getattr(self.config, "per", None))


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule type to the registry under `cls.type`."""
    registry.add(cls)
    return cls


# ---- formatting helpers shared by explanations (vectorised) ----

def num(x: float, precision: int = 2) -> str:
    """One number as a reader expects it: 10 not 10.0, 2.5 not 2.50."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    text = f"{x:.{precision}f}"
    if precision:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def nums(values: np.ndarray, precision: int = 2) -> np.ndarray:
    """Vectorised `num` over an array (NaN → "—"). Formats each distinct value once."""
    values = np.asarray(values, dtype=float)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = _format_many(np.asarray(uniques, dtype=float), precision)
    out = np.append(texts, "—").astype(object)
    return out[codes]  # sentinel -1 picks the trailing "—"


def _format_many(values: np.ndarray, precision: int) -> np.ndarray:
    """Integer arithmetic plus numpy string ufuncs: no Python-level loop per value."""
    if values.size == 0:
        return np.array([], dtype=object)
    scale = 10**precision
    safe = np.abs(values) < 1e15 / scale
    r = np.round(np.where(safe, values, 0.0) * scale).astype(np.int64)
    a = np.abs(r)
    text = (a // scale).astype(str)
    if precision:
        frac = np.strings.rstrip(np.strings.zfill((a % scale).astype(str), precision), "0")
        text = np.where(frac == "", text, np.strings.add(np.strings.add(text, "."), frac))
    text = np.where(r < 0, np.strings.add("-", text), text).astype(object)
    for i in np.flatnonzero(~safe):  # astronomically large values: rare, format one by one
        text[i] = num(float(values[i]), precision)
    return text


def join(*parts) -> np.ndarray:
    """Concatenate strings and string arrays elementwise.

    Each distinct combination of parts is joined once and then repeated: explanations reuse a
    few band texts and a few hundred values, so a nation's millions of rows cost about as much
    as their distinct sentences.
    """
    arrays = [np.asarray(p, dtype=object) for p in parts if isinstance(p, np.ndarray) and p.ndim == 1]
    if not arrays or any(isinstance(p, np.ndarray) and p.ndim > 1 for p in parts):
        out = np.asarray("", dtype=object)
        for p in parts:
            out = out + (p if isinstance(p, np.ndarray) else str(p))
        return out
    n = len(arrays[0])
    combination = np.zeros(n, dtype=np.int64)
    for array in arrays:
        codes, uniques = pd.factorize(np.broadcast_to(array, n))
        combination = pd.factorize(combination * (len(uniques) + 1) + np.where(codes < 0, len(uniques), codes))[0]
    codes, _ = pd.factorize(combination)
    first = np.zeros(codes.max() + 1 if n else 0, dtype=np.int64)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)  # a row holding each combination
    columns = [p[first] if isinstance(p, np.ndarray) else [str(p)] * len(first) for p in
               (np.broadcast_to(np.asarray(q, dtype=object), n) if isinstance(q, np.ndarray) else q for q in parts)]
    joined = np.array(["".join(map(str, texts)) for texts in zip(*columns)] or [], dtype=object)
    return joined[codes]


def unit_suffix(unit: str) -> str:
    """How a unit follows a number: "665 条", "95%"; nothing for a 0–1 share."""
    if not unit or unit == "0–1":
        return ""
    return unit if unit == "%" else f" {unit}"


def value_phrase(ctx: RuleContext) -> np.ndarray:
    """"主动公开信息 665 条" for every unit."""
    unit = unit_suffix(ctx.unit)
    return join(f"{ctx.metric_name} ", nums(ctx.values, ctx.precision), unit)


def earned(points: np.ndarray, full: float, precision: int) -> np.ndarray:
    return join(nums(points, precision), f"/{num(full, precision)}")
