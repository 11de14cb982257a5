"""How uncertain each input value is: the interval an approximate number stands for, and the
spread a criteria file declares for a metric (`uncertainty:`), as samplers for the stability
analysis (`score --stability`).

How an approximate number is read (the defaults; a metric's `uncertainty:` changes them):

| written            | stands for                      | example                      |
| ------------------ | ------------------------------- | ---------------------------- |
| 600余, 600多, 逾600 | uniform over [600, 700)         | the last written digit's place |
| 1270余             | uniform over [1270, 1280)       |                              |
| 1.2万余            | uniform over [12000, 13000)     |                              |
| 约1.2万, 1.2万左右  | uniform over 1.2万 × [0.95, 1.05] | `about: 0.05`               |
| 近600, 将近600      | uniform over [570, 600]         | `about: 0.05`, below only    |

A declared `sd` adds normal noise (a third-party score measured with error); `relative` adds
uniform noise of ± that share of the value. Drawn values never go below 0.

Example (criteria file)::

    metrics:
      - {id: evaluation_score, name: 第三方评估得分, uncertainty: {sd: 2}}
      - {id: proactive_items, uncertainty: {about: 0.1}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

ABOVE_MARKS = ("余", "多", "来", "以上", "逾", "超过", "超")
BELOW_MARKS = ("将近", "接近", "近")
_NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")


class Uncertainty(BaseModel):
    """A metric's declared uncertainty (`uncertainty:` in the criteria file)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    sd: float = Field(default=0.0, ge=0)  # normal noise, in the metric's unit
    relative: float = Field(default=0.0, ge=0, le=1)  # uniform noise, ± share of the value
    about: float = Field(default=0.05, ge=0, le=1)  # 约/左右/近: ± share of the value
    more: float = Field(default=1.0, ge=0)  # 余/多: width in places of the last written digit


DEFAULT = Uncertainty()


@dataclass(frozen=True)
class Interval:
    """Where an approximate value lies: uniform over [low, high]."""

    low: float
    high: float


def interval(value: float, raw: str, spec: Uncertainty = DEFAULT) -> Interval:
    """The interval an approximate value stands for, from how it was written.

    >>> interval(600, "600余篇")
    Interval(low=600.0, high=700.0)
    >>> interval(12000, "约1.2万条")
    Interval(low=11400.0, high=12600.0)
    """
    text = raw or ""
    if any(mark in text for mark in ABOVE_MARKS):
        return Interval(float(value), float(value) + spec.more * _place(value, text))
    if any(mark in text for mark in BELOW_MARKS):
        return Interval(float(value) * (1 - spec.about), float(value))
    return Interval(float(value) * (1 - spec.about), float(value) * (1 + spec.about))


def _place(value: float, text: str) -> float:
    """The place value of the last non-zero digit as written: 600 → 100, 1270 → 10, 1.2万 → 1000."""
    match = _NUMBER.search(text.translate(_FULLWIDTH))
    if not match:
        return max(abs(value), 1.0) * 0.1
    written = match.group()
    number = float(written)
    if number == 0:
        return 1.0
    multiplier = value / number  # 万, 千, 亿 as the text wrote them
    if "." in written:
        digits = written.rstrip("0").split(".")[1]
        place = 10.0 ** -len(digits) if digits else 1.0
    else:
        place = 10.0 ** (len(written) - len(written.rstrip("0")))
    return place * multiplier


_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def draw(
    rng: np.random.Generator, values: np.ndarray, low: np.ndarray, high: np.ndarray,
    sd: np.ndarray, relative: np.ndarray, draws: int, grain: float,
) -> np.ndarray:
    """`draws` × len(values) values: uniform over [low, high) where low < high (else the value),
    plus declared noise, on a grid of `grain` (1 for counts: 600余 is one of 600, 601, …, 699),
    floored at 0."""
    n = len(values)
    out = np.broadcast_to(values, (draws, n)).astype(float)
    spread = high > low
    if spread.any():
        u = rng.random((draws, int(spread.sum())), dtype=np.float32)  # ample resolution, half the cost
        out[:, spread] = _on_grid(low[spread] + u * (high[spread] - low[spread]), grain, np.floor)
    if (relative > 0).any():
        out *= 1 + relative * (2 * rng.random((draws, n), dtype=np.float32) - 1)
    if (sd > 0).any():
        out += sd * rng.standard_normal((draws, n), dtype=np.float32)
    if ((relative > 0) | (sd > 0)).any():
        out = _on_grid(out, grain, np.rint)
    return np.maximum(out, 0.0)


def _on_grid(values: np.ndarray, grain: float, to_whole) -> np.ndarray:
    return to_whole(values) if grain == 1 else to_whole(values / grain) * grain
