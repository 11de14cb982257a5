"""Speed path for the texts most big tables hold: plain decimals ("665", "0.95", "-3").

One regular-expression match and one float conversion over all texts at once, where
`scoring.data.values.parse_value` reads a text at a time. It accepts only texts that
`parse_value` reads to exactly the same value (no unit, no approximation, no percent, within
its limit: at most 12 digits before the point); every other text is left for `parse_value`.
tests/test_fast_paths.py holds it equal to the plain version.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PLAIN = r"-?[0-9]{1,12}(\.[0-9]+)?"  # ASCII digits only: float() reads them as parse_value does


def plain_decimals(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(which texts are plain decimals, their values: NaN for the others)."""
    plain = texts.str.fullmatch(PLAIN).to_numpy(dtype=bool)
    values = np.full(len(texts), np.nan)
    values[plain] = texts[plain].astype(float).to_numpy()
    return plain, values
