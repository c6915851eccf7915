"""Check characters computed on whole arrays at once.

Generating a million IDs one ``stdnum`` call at a time would take seconds; these do the same
arithmetic on ASCII matrices (one row per value, one byte per character). Tests cross-check every
one of them against python-stdnum.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

ZERO = ord("0")

# GB 11643-1999: weights 2^(17-i) mod 11 and the check character for each remainder.
_RIC_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int32)
_RIC_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)

# ISO 3779 / GB 16735: transliteration of VIN characters and the position weights.
_VIN_VALUES = np.zeros(128, dtype=np.uint8)
for _i, _c in enumerate("0123456789"):
    _VIN_VALUES[ord(_c)] = _i
for _chars, _start in (("ABCDEFGH", 1), ("JKLMN", 1), ("P", 7), ("R", 9), ("STUVWXYZ", 2)):
    for _i, _c in enumerate(_chars):
        _VIN_VALUES[ord(_c)] = _start + _i
_VIN_WEIGHTS = np.array([8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int32)
_VIN_CHARS = np.frombuffer(b"0123456789X", dtype=np.uint8)

# GB 32100-2015 (USCC) and GB 11714-1997 (organisation code).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def ric_check(body: np.ndarray) -> np.ndarray:
    """Check characters (ASCII) for an (n, 17) matrix of ASCII digits."""
    return _RIC_CHARS[_weighted_sum(body - ZERO, _RIC_WEIGHTS) % 11]


def _weighted_sum(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row sums of ``values * weights``, one column at a time.

    Column by column keeps every temporary one column wide: a whole-matrix product would
    first widen millions of rows to 64-bit numbers.
    """
    total = np.zeros(len(values), dtype=np.int32)
    for column, weight in enumerate(weights):
        if weight:
            total += values[:, column].astype(np.int32) * int(weight)
    return total


def luhn_check(digits: np.ndarray) -> np.ndarray:
    """Luhn check digits (ASCII) for an (n, k) matrix of ASCII digits, check position excluded.

    Doubling starts from the rightmost body digit, as for a number whose check digit follows.
    """
    width = digits.shape[1]
    total = np.zeros(len(digits), dtype=np.int32)
    for offset in range(width):  # offset 0 is the rightmost body digit, which is doubled
        value = digits[:, width - 1 - offset].astype(np.int32) - ZERO
        if offset % 2 == 0:
            value = value * 2
            value -= 9 * (value > 9)
        total += value
    check = (10 - total % 10) % 10
    return (check + ZERO).astype(np.uint8)


def vin_check(vin: np.ndarray) -> np.ndarray:
    """Check characters (ASCII) for an (n, 17) VIN matrix; position 9 is ignored (weight 0)."""
    return _VIN_CHARS[_weighted_sum(_VIN_VALUES[vin], _VIN_WEIGHTS) % 11]


def org_code_check(body: str) -> str:
    """GB 11714 check character of an eight-character organisation code body."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check(body: str) -> str:
    """GB 32100 check character of the first 17 USCC characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total) % 31]


def ascii_series(matrix: np.ndarray, name: str, lengths: np.ndarray | None = None) -> pl.Series:
    """A String Series from an (n, w) ASCII matrix without a Python loop.

    With ``lengths``, row i keeps its first ``lengths[i]`` characters. The bytes go straight
    into an Arrow buffer, which is why this is fast enough for millions of rows.
    """
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    n, width = matrix.shape
    if lengths is None:
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
        data = matrix.reshape(-1)
    else:
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        data = matrix[np.arange(width)[None, :] < lengths[:, None]]
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data.tobytes()))
    series = pl.Series(name, array)
    return series


def digits(rng: np.random.Generator, n: int, width: int, low: int = 0) -> np.ndarray:
    """An (n, width) matrix of random ASCII digits, each at least ``low``."""
    return (rng.integers(low, 10, size=(n, width), dtype=np.uint8) + ZERO).astype(np.uint8)


def letters(rng: np.random.Generator, n: int, width: int, alphabet: str) -> np.ndarray:
    """An (n, width) matrix of random ASCII characters from ``alphabet``."""
    table = np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)
    return table[rng.integers(0, len(table), size=(n, width), dtype=np.uint8)]
