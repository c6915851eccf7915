"""Vehicle identification number (车辆识别代号, VIN), GB 16735-2019 / ISO 3779.

17 characters over 0-9 and A-Z without I, O, Q. GB 16735 makes the ninth character a check
character (as in North America, 49 CFR 565): letters transliterate to 1-9 (A=1 ... Z=9, skipping
I O Q), weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2, check = sum mod 11 with 10 written ``X``.
Vehicles made in China start with ``L``.

>>> validate('1hgcm82633a004352')
'1HGCM82633A004352'

Status: ``1HGCM8*******4352`` is masked; a wrong ninth character is invalid.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import digit, valid_invalid
from leaktrace.detect._unit import validate_with

WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_SHAPE = r"^[0-9A-HJ-NPR-Z]{8}[0-9X][0-9A-HJ-NPR-Z]{8}$"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"[\s\-]", "").str.to_uppercase()


def check_char(c: pl.Expr) -> pl.Expr:
    """The ninth (check) character of 17-character VINs (vectorised).

    Every transliteration value is a single digit, so one ``replace_many`` turns a VIN into 17
    digits and the weighted sum is integer arithmetic on one parsed number.
    """
    letters = [ch for ch in TRANSLITERATION if ch.isalpha()]
    digits = c.str.replace_many(letters, [str(TRANSLITERATION[ch]) for ch in letters])
    n = digits.str.to_integer(base=10, strict=False)
    total = pl.sum_horizontal([digit(n, 16 - i) * w for i, w in enumerate(WEIGHTS) if w])
    r = total % 11
    return pl.when(r == 10).then(pl.lit("X")).otherwise(r.cast(pl.String))


def _valid(c: pl.Expr) -> pl.Expr:
    return (c.str.contains(_SHAPE) & (check_char(c) == c.str.slice(8, 1))).fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (VIN-shaped with letters and digits, check fails) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^[0-9A-HJ-NPR-Z]{3,11}\*{4,}[0-9A-HJ-NPR-Z]{2,6}$") & (
        c.str.len_chars() == 17
    )
    shaped = (
        c.str.contains(_SHAPE) & c.str.contains(r"^[A-Z0-9]{3}") & c.str.contains(r"\d{4}$")
    ) & c.str.contains(r"[A-Z]")
    return valid_invalid(_valid(c), shaped, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """Upper-case 17 characters; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the VIN or raise why it is not a valid one."""
    return validate_with(value, status_expr, normalise_expr, "VIN")
