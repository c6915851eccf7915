"""Fixed-line telephone number (固定电话), China numbering plan (YD/T 1310 area codes).

An area code (010, 02x, or a 4-digit 03xx-09xx code) and a 7- or 8-digit subscriber number
that starts with 2-8, optionally an extension. Accepted noise: ``(0571)``, ``0571-``, spaces,
``+86 571``. Normalised to ``0571-88123456`` (area code, hyphen, subscriber number).

>>> validate('(0571) 8812 3456')
'0571-88123456'

Status: ``0571-****3456`` is masked; ``0571-1234567`` (subscriber starting with 1) is invalid.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

_AREA = r"(?:010|02\d|0[3-9]\d{2})"
_VALID = r"^(0(?:10|2\d))([2-8]\d{7})$|^(0[3-9]\d{2})([2-8]\d{6,7})$"


def _compact(v: pl.Expr) -> pl.Expr:
    c = v.str.replace_all(r"[\s\-()]", "").str.replace(r"^(?:\+86|0086)(\d)", "0$1")
    # drop an extension written as 转123 or -123 after a full number
    return c.str.replace(r"^(0\d{9,11})(?:转|ext|x)\d{1,5}$", "$1")


def _valid(c: pl.Expr) -> pl.Expr:
    return c.str.contains(_VALID).fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (area code then 6-9 digits but wrong plan) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^0\d{2,3}[\d*]{7,8}$") & c.str.contains(r"\*")
    invalid = c.str.contains("^" + _AREA + r"\d{6,9}$") & ~c.str.contains(r"^01[3-9]\d{9}$")
    return valid_invalid(_valid(c), invalid, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """``area-subscriber``; null unless valid."""
    c = _compact(v)
    area = pl.when(c.str.contains(r"^0(?:10|2\d)")).then(3).otherwise(4)
    return (
        pl.when(_valid(c))
        .then(c.str.slice(0, area) + pl.lit("-") + c.str.slice(area))
        .otherwise(pl.lit(None, pl.String))
    )


def validate(value: str) -> str:
    """Return ``area-subscriber`` or raise why it is not a valid landline number."""
    return validate_with(value, status_expr, normalise_expr, "landline number")
