"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters over 0-9 and A-Z without I, O, Z, S, V: registration authority (1), organisation
kind (1), region code (6), organisation code (9, GB 11714) and a check character: weights
3^i mod 31 (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28), check = 31 - sum mod 31.
A company's code is personal information when it identifies a sole trader (个体工商户, kind 92).

>>> validate('91110108551385082Q')
'91110108551385082Q'

Status: ``9111**********082Q`` is masked; a wrong check character is invalid.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with
from leaktrace.detect.types.cn_id import _province_codes

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# python-stdnum (and the codes issued so far) have digits in the first eight places
_SHAPE = r"^\d{8}[0-9A-HJ-NPQRTUWXY]{10}$"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"[\s\-]", "").str.to_uppercase()


def _value(ch: pl.Expr) -> pl.Expr:
    return ch.replace_strict(_VALUES, default=None, return_dtype=pl.Int64)


def check_char(c: pl.Expr) -> pl.Expr:
    """The GB 32100 check character of compacted 18-character codes (vectorised)."""
    total = pl.sum_horizontal([_value(c.str.slice(i, 1)) * w for i, w in enumerate(WEIGHTS)])
    idx = (31 - total % 31) % 31
    return idx.replace_strict(dict(enumerate(ALPHABET)), default=None, return_dtype=pl.String)


def _valid(c: pl.Expr) -> pl.Expr:
    shaped = c.str.contains(_SHAPE)
    return (shaped & (check_char(c) == c.str.slice(17, 1))).fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (code-shaped, check character wrong) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^[0-9A-Y]{2,8}\*+[0-9A-Y]{2,6}$") & (c.str.len_chars() == 18)
    # code-shaped with a province code in characters 3-4 (an 18-digit ID has 01-99 of a city)
    shaped = c.str.contains(_SHAPE) & c.str.slice(2, 2).is_in(_province_codes())
    return valid_invalid(_valid(c), shaped, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """Upper-case 18 characters; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the code or raise why it is not a valid unified social credit code."""
    return validate_with(value, status_expr, normalise_expr, "unified social credit code")
