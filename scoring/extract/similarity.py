"""Copied-report detection (雷同): each report's similarity to its most similar other report.

Text → drop the report's own unit names, digits, punctuation and white space → 5-character
shingles (hashed) → MinHash signature (120 hash functions) → LSH (40 bands × 3 rows) proposes
candidate pairs → similarity = share of equal signature entries (estimated Jaccard of the
shingle sets). Linear in the number of reports apart from the candidate pairs, so thousands
of reports take seconds. Pairs below about 0.3 are rarely proposed: such reports get 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

SHINGLE = 5
NUM_PERM = 120
BANDS, ROWS = 40, 3  # candidate threshold ≈ (1/40)^(1/3) ≈ 0.29
MIN_SHINGLES = 30  # fewer: too short to judge, never compared
WINDOW = 50  # in a huge bucket each report is paired with its next WINDOW neighbours only
CANDIDATE_THRESHOLD = 0.3
_SEED = 20211231
_NOT_TEXT = re.compile(r"[^\u3400-\u9fffA-Za-z]+")
_U64 = np.uint64


def clean_text(text: str, names: Iterable[str]) -> str:
    """The text compared: own unit names removed (longest first), only letters and CJK kept."""
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, "")
    return _NOT_TEXT.sub("", text)


def shingles(text: str, k: int = SHINGLE) -> np.ndarray:
    """Distinct 64-bit hashes of the k-character substrings of `text`."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    for t in range(k):
        h = h * _U64(1_000_003) + codes[t:t + n]
    return np.unique(_mix(h))


def signatures(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (n × NUM_PERM, uint64) and which texts are long enough to compare."""
    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) * _U64(2) + _U64(1)  # odd multipliers
    b = rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
    out = np.full((len(texts), NUM_PERM), np.iinfo(np.uint64).max, dtype=np.uint64)
    valid = np.zeros(len(texts), dtype=bool)
    for row, text in enumerate(texts):
        h = shingles(text)
        if len(h) < MIN_SHINGLES:
            continue
        valid[row] = True
        for lo in range(0, NUM_PERM, 24):  # chunks keep memory small for long reports
            hashed = _mix(h[None, :] * a[lo:lo + 24, None] + b[lo:lo + 24, None])
            out[row, lo:lo + 24] = hashed.min(axis=1)
    return out, valid


def estimate(sigs: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of each pair (rows of `pairs` index `sigs`)."""
    out = np.empty(len(pairs), dtype=float)
    for lo in range(0, len(pairs), 50_000):
        chunk = pairs[lo:lo + 50_000]
        out[lo:lo + 50_000] = (sigs[chunk[:, 0]] == sigs[chunk[:, 1]]).mean(axis=1)
    return out


def candidate_pairs(sigs: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Pairs (i < j) sharing at least one LSH band, among the valid rows."""
    rows = np.flatnonzero(valid)
    found: list[np.ndarray] = []
    bands = sigs[rows, : BANDS * ROWS].reshape(len(rows), BANDS, ROWS)
    for band in range(BANDS):
        key = np.zeros(len(rows), dtype=np.uint64)
        for r in range(ROWS):
            key = _mix(key * _U64(31) + bands[:, band, r])
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        for offset in range(1, min(WINDOW, len(rows) - 1) + 1):
            same = sorted_key[:-offset] == sorted_key[offset:]
            if not same.any():
                break  # keys are sorted: no equal pair at this distance, none further away
            found.append(np.stack([rows[order[:-offset][same]], rows[order[offset:][same]]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.sort(np.concatenate(found), axis=1)
    return np.unique(pairs, axis=0)


def nearest(sigs: np.ndarray, valid: np.ndarray, n_batch: int) -> tuple[np.ndarray, np.ndarray]:
    """For each of the first `n_batch` rows: index of its most similar other row (-1: none
    found) and the similarity. Rows after `n_batch` (earlier years) are only compared with the
    batch, not with each other."""
    pairs = candidate_pairs(sigs, valid)
    pairs = pairs[pairs[:, 0] < n_batch]  # i < j: at least one side is in the batch
    sims = estimate(sigs, pairs)
    keep = sims >= CANDIDATE_THRESHOLD
    pairs, sims = pairs[keep], sims[keep]
    best_other = np.full(n_batch, -1, dtype=np.int64)
    best_sim = np.zeros(n_batch, dtype=float)
    if len(pairs):
        a = np.concatenate([pairs[:, 0], pairs[:, 1]])
        b = np.concatenate([pairs[:, 1], pairs[:, 0]])
        s = np.concatenate([sims, sims])
        in_batch = a < n_batch
        a, b, s = a[in_batch], b[in_batch], s[in_batch]
        order = np.lexsort((b, -s, a))  # per report: highest similarity first, then lowest index
        a, b, s = a[order], b[order], s[order]
        first = np.unique(a, return_index=True)[1]
        best_other[a[first]] = b[first]
        best_sim[a[first]] = s[first]
    return best_other, best_sim


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the bits of 64-bit values (wrapping arithmetic)."""
    x = x + _U64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))
