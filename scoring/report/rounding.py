"""The digits a reader sees: points rounded half up to the scheme's `precision`.

Every output stores these rounded values (workbook cells, CSV, JSON), never unrounded ones under
a number format, so 93.065 is 93.07 everywhere and a grade boundary reads as it was applied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_NUDGE = 1e-12  # relative: 2.385 is stored as 2.38499999…; half up means the office's 2.39


def half_up(values, precision: int) -> np.ndarray:
    """Values rounded half away from zero to `precision` decimals; NaN stays NaN."""
    numbers = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    scale = 10.0 ** precision
    scaled = np.abs(numbers) * scale
    return np.sign(numbers) * np.floor(scaled + 0.5 + np.maximum(_NUDGE * scaled, 1e-9)) / scale


def half_up_series(values: pd.Series, precision: int) -> pd.Series:
    return pd.Series(half_up(values, precision), index=values.index, name=values.name)
