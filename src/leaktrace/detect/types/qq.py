"""QQ number (QQ 号): Tencent account number, 5 to 11 digits, never starting with 0.

Values alone cannot tell a QQ number from any other run of digits, so a column is only typed
``qq`` when its header says so, and free text only yields a QQ span after a cue (QQ, 扣扣).

>>> validate('10001')
'10001'

Status: ``12****89`` is masked; ``0123456`` or a 12+ digit run is invalid.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.strip_chars().str.replace(r"(?i)@qq\.com$", "")


def _valid(c: pl.Expr) -> pl.Expr:
    return c.str.contains(r"^[1-9]\d{4,10}$").fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (digits of the wrong length or leading zero) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^\d{1,4}\*+\d{0,4}$") & (c.str.len_chars() >= 5)
    invalid = c.str.contains(r"^\d{3,4}$|^0\d{4,10}$|^\d{12,13}$")
    return valid_invalid(_valid(c), invalid, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """The digits; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the QQ number or raise why it is not one."""
    return validate_with(value, status_expr, normalise_expr, "QQ number")
