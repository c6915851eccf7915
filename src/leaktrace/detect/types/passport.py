"""Passport and travel permit numbers (护照, 港澳通行证, 回乡证, 台胞证, 赴台通行证).

Chinese passports (ICAO Doc 9303 documents): ``E`` + 8 digits, or ``E`` + letter + 7 digits
(2012-), older ``G`` + 8 digits, diplomatic/service/public-affairs ``D``/``S``/``P`` + 7-8
digits. Exit-entry permits for Hong Kong and Macau: ``C`` + 8 digits or ``C`` + letter + 7
digits; home-return permits (回乡证): ``H``/``M`` + 8 or 10 digits; Taiwan compatriot permits
(台胞证): 8 digits or ``T`` + 8 digits (with this header only); mainland permit to Taiwan ``L`` +
8 digits. ``decode`` names the document.

>>> validate('e12345678')
'E12345678'

Status: ``E1234****`` is masked; ``E1234567`` (one digit short) is invalid.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

KINDS = (
    (r"^E(?:\d{8}|[A-HJ-NP-Z]\d{7})$", "普通护照"),
    (r"^G\d{8}$", "普通护照(旧版)"),
    (r"^[DSP]\d{7,8}$", "外交/公务护照"),
    (r"^C(?:\d{8}|[A-HJ-NP-Z]\d{7})$", "往来港澳通行证"),
    (r"^[HM](?:\d{8}|\d{10})$", "港澳居民来往内地通行证"),
    (r"^T\d{8}$", "台湾居民来往大陆通行证"),
    (r"^L\d{8}$", "大陆居民往来台湾通行证"),
)
_VALID = "|".join(pattern for pattern, _ in KINDS)


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"[\s\-]", "").str.to_uppercase()


def _valid(c: pl.Expr) -> pl.Expr:
    return c.str.contains(_VALID).fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (document letter + 6-11 digits in no issued pattern) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^[EGDSPCHMTL][A-Z0-9]{1,5}\*{3,}[0-9]{0,4}$")
    invalid = c.str.contains(r"^[EGCHML][A-Z]?\d{6,11}$")
    return valid_invalid(_valid(c), invalid, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """Upper case without separators; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the number or raise why it is not a passport or permit number."""
    return validate_with(value, status_expr, normalise_expr, "passport or permit number")


def decode(value: str) -> dict[str, Any]:
    """Which document the number belongs to."""
    import re

    number = validate(value)
    kind = next(label for pattern, label in KINDS if re.match(pattern, number))
    return {"number": number, "document": kind}
