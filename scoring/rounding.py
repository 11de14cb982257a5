"""One rounding for every number an office sees: half up (四舍五入) to the scheme's `precision`.

Numbers are rounded as the decimals they stand for, not as binary floats: 2.675 (stored as
2.67499999…) becomes 2.68, and a sum that drifted to 89.49999999999999 is 89.5 and becomes 90 at
precision 0. `half_up_exact` says what that means, one number at a time with `decimal`;
`half_up` does the same over arrays (tested equal) and is what the engine and the formatters use.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DRIFT_DIGITS = 6  # decimals beyond `precision` that absorb binary drift before rounding
_EXACT_ABOVE = 1e9  # scaled magnitudes above this take the exact path (float spacing too coarse)


def half_up_exact(value: float, precision: int) -> float:
    """The reference: the float's shortest decimal, drift absorbed, rounded half up."""
    if not np.isfinite(value):
        return value
    with localcontext() as ctx:
        ctx.prec = 400  # enough digits for any float with its decimals
        d = Decimal(repr(float(value)))
        d = d.quantize(Decimal(1).scaleb(-(precision + DRIFT_DIGITS)), rounding=ROUND_HALF_EVEN)
        d = d.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    out = float(d)
    return 0.0 if out == 0 else out


def half_up_text(value: float, precision: int) -> str:
    """`half_up_exact` written out ("2.68", "10"; trailing zeros dropped), for any magnitude."""
    if not np.isfinite(value):
        return str(value)
    with localcontext() as ctx:
        ctx.prec = 400  # enough digits for any float
        d = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def half_up_scaled(values: np.ndarray, precision: int) -> np.ndarray:
    """Rounded values × 10**precision as integers in a float array (sign kept); values too big
    for float spacing to hold their decimals take the exact path (inf where × 10**precision
    overflows)."""
    return _half_up_scaled(np.asarray(values, dtype=float), precision)[0]


def _half_up_scaled(values: np.ndarray, precision: int) -> tuple[np.ndarray, np.ndarray]:
    """`half_up_scaled` and the positions of the values that took the exact path."""
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.abs(values, out=np.empty_like(values))
        scaled *= 10.0**precision
        big = np.flatnonzero(scaled > _EXACT_ABOVE)  # NaN is not; ±inf is, and is not finite
        big = big[np.isfinite(values.flat[big])]
        # in place: the engine rounds a nation's points 100,000 at a time, and each pass counts
        out = np.round(scaled, DRIFT_DIGITS, out=scaled)
        out += 0.5
        np.floor(out, out=out)
        out *= np.sign(values)
        for i in big:  # rare: one by one
            # rint: 335544.29 × 10^5 is 33554428999.999996 in binary, and callers take ints
            out.flat[i] = np.rint(half_up_exact(float(values.flat[i]), precision) * 10.0**precision)
    return out, big


def half_up(values, precision: int) -> np.ndarray:
    """`half_up_exact` over an array (NaN and ±inf kept: the arithmetic keeps them)."""
    values = np.asarray(values, dtype=float)
    out, big = _half_up_scaled(values, precision)
    out /= 10.0**precision
    for i in big:
        out.flat[i] = half_up_exact(float(values.flat[i]), precision)
    return out + 0.0  # no -0.0


def fixed_text(values, precision: int) -> np.ndarray:
    """Rounded half up and written with exactly `precision` decimals ("90.10", "-3.00"), as
    "%.{precision}f" writes the rounded value; "" for NaN. Integer arithmetic and numpy string
    ufuncs: a nation's CSV formatted 1.4 million numbers one Python call each."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1 and len(values) > 1000:  # points repeat: each distinct value written once
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return np.append(_fixed_each(np.asarray(uniques, dtype=float), precision), "")[codes]
    return _fixed_each(values, precision)


def _fixed_each(values: np.ndarray, precision: int) -> np.ndarray:
    safe, negative, whole, decimals = decimal_digits(values, precision)
    text = pc.binary_join_element_wise(whole, ".", decimals, "") if precision else whole
    out = np.where(safe, signed(text, negative).to_numpy(zero_copy_only=False), "").astype(object)
    for i in np.flatnonzero(np.isfinite(values) & ~safe.reshape(values.shape)):  # astronomically large: one by one, exactly
        out[i] = f"{half_up_exact(float(values.flat[i]), precision):.{precision}f}"
    return out.reshape(values.shape)


def decimal_digits(values: np.ndarray, precision: int) -> tuple[np.ndarray, np.ndarray, pa.Array, pa.Array]:
    """The half-up value's digits with integer arithmetic, for the texts of explanations
    (`rules.base.nums`) and of the CSV (`fixed_text`): `safe` (magnitude below 1e15 ÷
    10**precision; NaN and ±inf are not), the sign, the whole part and exactly `precision`
    decimals (zero-padded), flat, the digits as Arrow strings: pyarrow's casts and string
    kernels write them 3 to 5 times as fast as numpy's string ufuncs (a nation's explanations
    and step log write millions of numbers). Entries that are not safe hold zeros."""
    values = np.asarray(values, dtype=float).ravel()
    scale = 10**precision
    safe = np.abs(values) < 1e15 / scale
    r = half_up_scaled(np.where(safe, values, 0.0), precision).astype(np.int64)
    a = np.abs(r)
    whole = pc.cast(pa.array(a // scale), pa.string())
    decimals = pc.utf8_lpad(pc.cast(pa.array(a % scale), pa.string()), precision, "0") if precision \
        else pa.repeat("", len(a)).cast(pa.string())
    return safe, r < 0, whole, decimals


def signed(text: pa.Array, negative: np.ndarray) -> pa.Array:
    """`text` with "-" before the entries of `negative` (digits from `decimal_digits`)."""
    return pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", text, ""), text)
