"""The digits a reader sees: points rounded half up to the scheme's `precision`.

Every output stores these rounded values (workbook cells, CSV, JSON), never unrounded ones under
a number format, so 93.065 is 93.07 everywhere and a grade boundary reads as it was applied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring import rounding


def half_up(values, precision: int) -> np.ndarray:
    """Values rounded half up to `precision` decimals as the engine rounds them
    (scoring.rounding); anything not a number becomes NaN."""
    numbers = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    return rounding.half_up(numbers, precision)


def half_up_series(values: pd.Series, precision: int) -> pd.Series:
    return pd.Series(half_up(values, precision), index=values.index, name=values.name)
