"""Each speed path equals the plain version it stands in for."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from scoring.data.fast_decimals import plain_decimals
from scoring.data.values import parse_value

TEXTS = st.one_of(
    st.integers(-10**13, 10**13).map(str),
    st.floats(-1e13, 1e13, allow_nan=False).map(lambda x: f"{x:.4f}"),
    st.text(alphabet="0123456789.-+ ,余万%条１２٣", max_size=14),
    st.sampled_from(["007", "-0", "12.", ".5", "1e5", "999999999999.99", "1000000000000", " 5", "5\n"]),
)


@given(st.lists(TEXTS, max_size=40))
def test_plain_decimals_equal_parse_value(texts: list[str]) -> None:
    plain, values = plain_decimals(pd.Series(texts, dtype=object))
    for text, fast, value in zip(texts, plain, values):
        if not fast:
            assert math.isnan(value)
            continue
        one = parse_value(text)  # the plain version: everything it says must match
        assert value == one.value and str(value) == str(one.value), text  # -0.0 too
        assert (one.approx, one.applicable, one.percent, one.problem, one.gap) == (False, True, False, "", ""), text


def test_plain_decimals_take_the_common_cells_and_leave_the_rest() -> None:
    plain, values = plain_decimals(pd.Series(["665", "0.95", "-3", "600余", "1.2万", "１２", "12.", "1,234", ""]))
    assert plain.tolist() == [True, True, True, False, False, False, False, False, False]
    assert values[:3].tolist() == [665.0, 0.95, -3.0]
