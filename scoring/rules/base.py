"""What every rule type shares: its config model, the evaluation context and the outcome.

A rule type is a small class with a `Config` (pydantic, extra keys forbidden), a docstring with
an example, `describe()` (the rule in words) and `score()` (points for all units at once).
Rules that may serve as penalties set `penalty_ok` and implement `deduction()`. What a rule can
give at most (`reachable`), how its thresholds follow the run's period (`threshold_scale`), where
its deductions stop (`floor`) and its own checks (`problems`) are methods here, overridden by the
types that differ. Every subclass is checked when it is defined (`type`, `Config`, an example).
"""

from __future__ import annotations

import ctypes
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict

from scoring.rounding import decimal_digits, half_up_scaled, half_up_text, signed
from scoring.rules import registry

if TYPE_CHECKING:
    from scoring.periods import Period

Per = Literal["month", "quarter", "half", "year"]
Role = Literal["leaf", "bonus", "penalty"]  # where a rule is used in a scheme
Floor = Literal["leaf", "parent", "group"]
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
    # Rules that name their own metrics (`reads`): values per metric id (NaN: not applicable,
    # no deduction or credit) and each metric's (Chinese name, unit)
    inputs: Mapping[str, np.ndarray] = field(default_factory=dict)
    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    linked: pd.DataFrame | None = None  # for a linked scheme's leaf: its totals, one row per unit


@dataclass(frozen=True)
class Outcome:
    points: np.ndarray  # float per unit
    explanation: np.ndarray  # str per unit


@dataclass(frozen=True)
class Problem:
    """A rule's own finding at check time: `key` is the path inside the rule's mapping."""

    severity: Literal["error", "warning"]
    message: str  # Chinese
    key: tuple = ()


class Rule:
    type: ClassVar[str]
    Config: ClassVar[type[RuleConfig]]
    monotone: ClassVar[bool] = True  # a better value never earns fewer points (property tests)
    takes_metric: ClassVar[bool] = True
    penalty_ok: ClassVar[bool] = False

    def __init__(self, config: RuleConfig):
        self.config = config

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        _check_rule_class(cls)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.config == self.config  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.config))

    def describe(self, points: float | None, metric_name: str, unit: str) -> str:
        raise NotImplementedError

    def score(self, ctx: RuleContext) -> Outcome:
        raise NotImplementedError

    def points(self, ctx: RuleContext) -> np.ndarray:
        """The points of `score()` without its explanations: what the stability analysis asks
        millions of times. Rule types whose points are cheap to compute on their own override it."""
        return self.score(ctx).points

    def deduction(self, ctx: RuleContext) -> Outcome:
        """Points taken off the total when used as a penalty (positive numbers)."""
        raise NotImplementedError

    def reads(self) -> tuple[tuple[str, tuple], ...]:
        """Metric ids the rule itself names instead of the leaf's `metric` (with each one's key
        path inside the rule, for messages); a rule reading the leaf's metric names none."""
        return ()

    def reachable(self, points: float) -> float:
        """The most a leaf worth `points` can earn under this rule."""
        return points

    def threshold_scale(self, period: "Period") -> float:
        """Factor for thresholds stated `per` month/quarter/half/year, in a run over `period`."""
        per = getattr(self.config, "per", None)
        return period.scale_from(per) if per else 1.0

    @property
    def floor(self) -> Floor:
        """Where deductions stop: this leaf at 0, its parent group, or the first-level indicator."""
        return getattr(self.config, "floor", "leaf")

    @property
    def linked_criteria(self) -> str | None:
        """The criteria file this rule scores the units with (relative to the scheme), if any."""
        return None

    def problems(self, points: float | None, role: Role) -> Iterator[Problem]:
        """What `score check` reports about this rule used as `role` with `points` (a leaf's
        points, an item's cap or None). Subclasses add theirs with `yield from super()...`."""
        if role != "leaf" and not self.takes_metric:
            yield Problem("error", f"规则类型“{self.type}”不能用于加分项或扣分项", ("type",))
        if role == "penalty" and not self.penalty_ok:
            usable = "、".join(t for t in registry.rule_types() if registry.get(t).penalty_ok)
            yield Problem("error", f"扣分项不能使用规则类型“{self.type}”(可用 {usable})", ("type",))
        if role == "leaf" and points is not None:
            best = self.reachable(points)
            if best < points - 1e-9:
                yield Problem("warning", f"按此规则最多只能得 {num(best)} 分,达不到该指标的分值 {num(points)} 分")


def _check_rule_class(cls: type[Rule]) -> None:
    """A rule type must name itself, bring its config model and show an example in its
    module's or class's docstring; checked when the class is defined, not when a file uses it."""
    import sys

    name = getattr(cls, "type", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"rule class {cls.__qualname__} needs `type`: a short identifier such as 'bands'")
    config = getattr(cls, "Config", None)
    if not (isinstance(config, type) and issubclass(config, RuleConfig)):
        raise TypeError(f"rule class {cls.__qualname__} needs `Config`: a RuleConfig subclass")
    module = sys.modules.get(cls.__module__)
    doc = (cls.__doc__ or "") + "\n" + ((module.__doc__ or "") if module else "")
    if "Example" not in doc or f"type: {name}" not in doc:
        raise TypeError(f"rule class {cls.__qualname__} needs a docstring with an example ('Example' and 'type: {name}')")


# ---- boundaries compared as written ----
# Values and thresholds are written in decimals (816 ÷ 480 ≥ 1.7, 3 ÷ 20 vs 0.15, 400 × ¼): a
# binary float can land a hair off the boundary. A value within this relative distance of a
# bound *is* the bound; decimals people write differ from a bound by far more when they differ.
DRIFT = 1e-12


def _slack(bound: float | np.ndarray) -> float | np.ndarray:
    return DRIFT * np.maximum(1.0, np.abs(bound))


def at_least(values: np.ndarray, bound: float) -> np.ndarray:
    """values ≥ bound, exactly as written: a value a float drift below the bound is at it."""
    return values >= bound - _slack(bound)


def above(values: np.ndarray, bound: float) -> np.ndarray:
    """values > bound, exactly as written: a value a float drift above the bound is only at it."""
    return values > bound + _slack(bound)


def at_most(values: np.ndarray, bound: float) -> np.ndarray:
    return values <= bound + _slack(bound)


def below(values: np.ndarray, bound: float) -> np.ndarray:
    return values < bound - _slack(bound)


def whole_steps(span: np.ndarray, every: float) -> np.ndarray:
    """⌊span ÷ every⌋ with the same exactness ((0.3 − 0.1) ÷ 0.1 is 2 steps, not 1.999…)."""
    quotient = span / every
    return np.floor(quotient + _slack(quotient))


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule type to the registry under `cls.type`."""
    registry.add(cls)
    return cls


# ---- formatting helpers shared by explanations (vectorised) ----

def num(x: float, precision: int = 2) -> str:
    """One number as a reader expects it: 10 not 10.0, 2.5 not 2.50."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    return _num(float(x), precision)


@lru_cache(maxsize=1 << 16)  # each leaf writes its points and thresholds again for every policy
def _num(x: float, precision: int) -> str:
    scale = 10**precision
    if not abs(x) < 1e15 / scale:  # astronomically large or infinite: as `_format_many` does
        return half_up_text(x, precision)
    # `_format_many`'s digits for one number with Python ints: its array kernels cost
    # about 0.1 ms a call, and explanations and step logs call this thousands of times
    return _written(int(half_up_scaled(np.array([x]), precision)[0]), precision)


def _written(r: int, precision: int) -> str:
    """The number `r` × 10**-precision as `num` writes it ("2.5", "-3", "10")."""
    whole, frac = divmod(abs(r), 10**precision)
    text = str(whole)
    if precision and frac:
        text += "." + str(frac).zfill(precision).rstrip("0")
    return "-" + text if r < 0 else text


def nums(values: np.ndarray, precision: int = 2) -> np.ndarray:
    """Vectorised `num` over an array (NaN → "—"). Formats each distinct value once."""
    values = np.asarray(values, dtype=float)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = _format_many(np.asarray(uniques, dtype=float), precision)
    out = np.append(texts, "—").astype(object)
    codes[codes < 0] = len(uniques)  # NaN's sentinel picks the trailing "—"
    return _coded(out[codes], codes, len(out))


FEW_NUMBERS = 256  # up to this many, numbers are written faster one by one than by array kernels


def _format_many(values: np.ndarray, precision: int) -> np.ndarray:
    """Half up (scoring.rounding), then the digits: a few numbers (most leaves' distinct values
    and points) by Python ints, each, since Arrow's string kernels take about 0.3 ms a call to
    set up; more by integer arithmetic plus those kernels, with no Python-level loop per value."""
    if len(values) <= FEW_NUMBERS:
        safe = np.abs(values) < 1e15 / 10**precision  # astronomically large values: exactly, by `_num`
        rounded = half_up_scaled(np.where(safe, values, 0.0), precision).astype(np.int64).tolist()
        return np.array([_written(r, precision) if ok else _num(x, precision)
                         for r, ok, x in zip(rounded, safe.tolist(), values.tolist())], dtype=object)
    safe, negative, text, decimals = decimal_digits(values, precision)
    if precision:
        decimals = pc.utf8_rtrim(decimals, "0")
        text = pc.if_else(pc.equal(decimals, ""), text, pc.binary_join_element_wise(text, ".", decimals, ""))
    text = signed(text, negative).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~safe):  # astronomically large values: rare, format one by one
        text[i] = half_up_text(float(values[i]), precision)
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
    # the combination of the parts as one mixed-radix number, numbered densely once at the end
    # (renumbered on the way only if it would outgrow int64): a factorisation per part cost a
    # nation's leaves about 1 s
    codes, size = np.zeros(n, dtype=np.int64), 1
    for array in arrays:
        part, count = _codes_of(array, n)
        if size * (count + 1) >= 2**62:
            codes, distinct = pd.factorize(codes)
            size = len(distinct)
        codes *= count + 1  # in place: a nation's leaves join 100,000-row arrays about 500 times
        codes += part
        if (part < 0).any():  # a missing text: code `count`
            codes[part < 0] += count + 1
        size *= count + 1
    if len(arrays) > 1:  # one array's codes already number its texts (perhaps some unused: joined unread)
        codes = _dense(codes, size)
    first = first_rows(codes, codes.max() + 1 if n else 0)  # a row holding each combination
    first[first == n] = 0  # a code no row holds (`pick`'s unchosen texts): joined from any row, never read
    columns = [p[first].tolist() if isinstance(p, np.ndarray) else repeat(str(p)) for p in
               (np.broadcast_to(np.asarray(q, dtype=object), n) if isinstance(q, np.ndarray) else q for q in parts)]
    joined = np.empty(len(first), dtype=object)
    try:  # each combination's texts joined by str.join mapped in C: a step log joins 100,000 names
        joined[:] = list(map("".join, zip(*columns)))
    except TypeError:  # a part that is not text (a number): written by str() first
        joined[:] = ["".join(map(str, texts)) for texts in zip(*columns)]
    return _coded(joined[codes], codes, len(joined))


def _dense(codes: np.ndarray, size: int) -> np.ndarray:
    """`codes` (each below `size`) renumbered 0, 1, … in their order, unused ones left out: by a
    table of `size` flags where that is not much longer than the codes (a third of the time of
    hashing them), else factorized."""
    if size > 4 * len(codes) + 1024:
        return pd.factorize(codes)[0]
    used = np.zeros(size, dtype=bool)
    used[codes] = True
    return (np.cumsum(used) - 1)[codes]


def first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """The first row holding each code 0…count-1 (len(codes) for a code no row holds), in
    one pass: written from the last row back, so the first write of a code is the last."""
    first = np.full(count, len(codes), dtype=np.intp)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return first


def pick(texts, choice: np.ndarray) -> np.ndarray:
    """`texts[choice]` (a band's text per unit, "是"/"否"…) as an array that remembers `choice`
    as its codes, so `join` does not hash its rows again."""
    texts = np.asarray(texts, dtype=object)
    choice = np.asarray(choice, dtype=np.int64)
    return _coded(texts[choice], choice, len(texts))


def coded(texts) -> np.ndarray:
    """`texts` (the units' classes…) as an array that remembers its codes, hashed once here
    instead of by every rule that groups or joins by it."""
    texts = np.asarray(texts, dtype=object)
    codes, distinct = pd.factorize(texts)
    return _coded(texts.copy(), codes, len(distinct))


def codes_of(texts: np.ndarray) -> np.ndarray:
    """Integer codes of `texts` (same code, same text; -1 for a missing one): the remembered
    ones for an array from `coded`, `pick`, `join` or `nums`."""
    return _codes_of(np.asarray(texts, dtype=object), len(texts))[0]


def distinct_texts(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct): `texts` is `distinct[codes]` (-1: a missing text). The codes are the
    remembered ones for an array from `coded`, `pick`, `join` or `nums`; a distinct text that no
    row holds (`pick`'s unchosen bands) is None."""
    texts = np.asarray(texts, dtype=object)
    codes, count = _codes_of(texts, len(texts))
    first = first_rows(np.where(codes < 0, count, codes), count + 1)[:count]  # a missing text's rows set aside
    held = first < len(texts)
    distinct = np.full(count, None, dtype=object)
    distinct[held] = texts[first[held]]
    return codes, distinct


class Rewritten:
    """Texts (a leaf's explanations) rewritten for a few units at a time, their codes kept in
    step, so that what `result()` hands on is not hashed again (a nation: 100,000 rows a leaf)."""

    def __init__(self, texts: np.ndarray):
        texts = np.asarray(texts, dtype=object)
        codes, self.count = _codes_of(texts, len(texts))
        self.texts, self.codes = texts.copy(), codes.copy()

    def set(self, mask: np.ndarray, text: str | np.ndarray) -> None:
        """`text` for the units of `mask`: one for all, or an array over those units only."""
        if isinstance(text, np.ndarray):
            codes, count = _codes_of(np.asarray(text, dtype=object), len(text))
            self.codes[mask] = np.where(codes < 0, -1, codes + self.count)
        else:
            codes, count = 0, 1
            self.codes[mask] = self.count
        self.texts[mask] = text
        self.count += count

    def result(self) -> np.ndarray:
        return _coded(self.texts, self.codes, self.count)


def filled(n: int, text: str) -> np.ndarray:
    """`text` n times, writable: `np.full(n, text, dtype=object)` makes a new string object for
    every entry (a nation: up to 20 ms per call), this refers to one."""
    out = np.empty(n, dtype=object)
    out[:] = text
    return out


# Texts that `nums`, `join` and `pick` made remember their codes (same code, same text), so a phrase
# joined into a longer one is not hashed again: explanations nest joins several deep, and a
# nation's 100,000-row arrays cost ~5 ms a factorisation. The arrays are read-only, so the codes
# cannot go stale; an entry leaves with its array.
_CODES: dict[int, tuple[weakref.ref, np.ndarray, int]] = {}


def _coded(texts: np.ndarray, codes: np.ndarray, count: int) -> np.ndarray:
    texts.flags.writeable = False
    key = id(texts)
    _CODES[key] = (weakref.ref(texts, lambda _, key=key: _CODES.pop(key, None)), codes, count)
    return texts


def _codes_of(array: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    entry = _CODES.get(id(array))
    if entry is not None and entry[0]() is array and len(entry[1]) == n:
        return entry[1], entry[2]
    codes, uniques = factorize_objects(np.broadcast_to(array, n))
    return codes, len(uniques)


def factorize_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`pd.factorize(values)` of an object array (codes, -1 for missing; distinct values in
    order of first appearance), grouping rows by the object they hold before comparing texts.
    The engine repeats a few thousand string objects over a nation's 6.6 million detail rows:
    hashing each row's address (the pointer the array stores) and then the distinct objects'
    texts costs a third of hashing 6.6 million sentences (explanations: 1.95 -> 0.6 s)."""
    values = np.ascontiguousarray(values, dtype=object)
    if not len(values):
        return pd.factorize(values, use_na_sentinel=True)
    addresses = np.frombuffer((ctypes.c_size_t * len(values)).from_address(values.ctypes.data), dtype=np.uintp)
    by_object, distinct_objects = pd.factorize(addresses)  # `values` keeps every object alive meanwhile
    first = first_rows(by_object, len(distinct_objects))  # a row holding each object
    codes, uniques = pd.factorize(values[first], use_na_sentinel=True)
    return codes[by_object], uniques


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
