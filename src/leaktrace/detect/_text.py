"""Vectorised text clean-up shared by the type units.

Every helper maps one character to one character or drops separators, so a unit can compact a
cell without Python loops. ``fold`` keeps character offsets intact, which ``find_spans`` relies on.
"""

from __future__ import annotations

import numpy as np
import polars as pl

# Full-width forms U+FF01..U+FF5E are ASCII U+0021..U+007E shifted; U+3000 is the ideographic
# space. Spreadsheets and chat apps produce them when users type with a Chinese IME.
_FULL = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000", "\u00a0"]
_HALF = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" ", " "]
_NON_ASCII = r"[^\x00-\x7f]"


def fold(v: pl.Expr) -> pl.Expr:
    """Full-width letters, digits and punctuation -> ASCII, one character for one."""
    return v.str.replace_many(_FULL, _HALF)


def fold_series(s: pl.Series) -> pl.Series:
    """``fold`` for a Series, skipping the work when the column is pure ASCII."""
    if not s.str.contains(_NON_ASCII).any():
        return s
    return pl.select(fold(pl.lit(s))).to_series().alias(s.name)


def compact(v: pl.Expr, separators: str = r"[\s\-]") -> pl.Expr:
    """Drop separators users type inside numbers (spaces, hyphens) and trim the cell."""
    return v.str.replace_all(separators, "").str.strip_chars()


def digit(n: pl.Expr, position_from_right: int) -> pl.Expr:
    """The decimal digit of integer column ``n`` at ``position_from_right`` (0 = units)."""
    return (n // (10**position_from_right)) % 10


def apply(s: pl.Series, expr: pl.Expr) -> pl.Series:
    """Evaluate an expression over ``pl.col("v")`` on a Series, keeping the Series name.

    Runs lazily so Polars eliminates common sub-expressions: units reuse their compacted value
    in several tests, and the eager engine would recompute it for each.
    """
    frame = pl.LazyFrame({"v": s.cast(pl.String)})
    return frame.select(expr.alias(s.name)).collect().to_series()


def codes_to_status(s: pl.Series, codes: np.ndarray) -> pl.Series:
    """Status strings of a fast path from numpy codes: 0 null, 1 ``"?"``, 2 valid, 3 invalid."""
    out = pl.Series(s.name, codes, dtype=pl.UInt8)
    return out.replace_strict(_CODES, default=None, return_dtype=pl.String)


_CODES = {1: "?", 2: "valid", 3: "invalid"}


V = pl.col("v")
"""The column every unit expression reads; units are written as functions of an ``pl.Expr``."""


def valid_invalid(valid: pl.Expr, invalid_shape: pl.Expr, masked: pl.Expr) -> pl.Expr:
    """Combine a unit's three tests into the status column (masked first, then valid)."""
    return (
        pl.when(masked)
        .then(pl.lit("masked"))
        .when(valid)
        .then(pl.lit("valid"))
        .when(invalid_shape)
        .then(pl.lit("invalid"))
        .otherwise(pl.lit(None, pl.String))
    )
