"""Speed path for the dates most records files hold: ISO dates ("2021-10-05", "2021-10-05 09:30").

pandas converts all of them in one vectorised step, where `scoring.data.records` reads the
other spellings a text at a time. Equal to the plain reader for every text it accepts
(tests/test_fast_paths.py); every other text is left for the plain reader.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Years 1990–2100 only (the years records may carry): others go the plain way, which refuses years outside
# what a nanosecond date holds instead of letting them wrap around (1500 read as 2084).
ISO = re.compile(r"^(?:199\d|20\d{2}|2100)-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def iso_days(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(which texts are ISO dates, their days as datetime64[ns]: NaT for the others and for
    impossible dates such as 2021-02-30)."""
    iso = texts.str.match(ISO).to_numpy(bool)  # pandas' ISO8601 alone also takes "2021" or "2021-10"
    days = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    if iso.any():
        days[iso] = pd.to_datetime(texts[iso], format="ISO8601", errors="coerce").dt.normalize().to_numpy(
            "datetime64[ns]")
    return iso, days
