"""Motor-vehicle number plate (机动车号牌), GA 36-2018.

A province abbreviation (``data/plate_provinces.txt``), an issuing-authority letter, then five
characters (letters without I and O, digits; the last may be 挂 学 警 港 澳 领) or six for
new-energy vehicles (D/F in the third or last position). Accepted noise: ``浙A·12345``,
spaces, lower case.

>>> validate('浙a·12345')
'浙A12345'

Status: ``浙A***45`` is masked; ``浙I12345`` (letter I is never issued) is invalid.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from leaktrace.detect._data import plate_provinces
from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

_BODY = (
    r"[A-HJ-NP-Z](?:[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳领]|[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF])"
)


@cache
def _provinces() -> str:
    return "[" + "".join(sorted(plate_provinces())) + "]"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"[\s·\-.•]", "").str.to_uppercase()


def _valid(c: pl.Expr) -> pl.Expr:
    return c.str.contains("^" + _provinces() + _BODY + "$").fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (province + 6-7 letters/digits in a wrong pattern) / masked / null."""
    c = _compact(v)
    p = _provinces()
    masked = c.str.contains("^" + p + r"[A-Z*][A-Z0-9*]{4,6}$") & c.str.contains(r"\*")
    invalid = c.str.contains("^" + p + r"[A-Z][A-Z0-9]{5,6}$")
    return valid_invalid(_valid(c), invalid, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """Upper case without separators; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the plate or raise why it is not a valid one."""
    return validate_with(value, status_expr, normalise_expr, "number plate")
