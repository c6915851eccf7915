"""IP address (IP 地址): IPv4 dotted quad (RFC 791) or IPv6 (RFC 4291 text forms).

>>> validate('192.168.001.010')
'192.168.1.10'

Status: ``192.168.*.*`` is masked; ``300.1.1.1`` (octet above 255) is invalid.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

_QUAD = r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$"
_V6 = r"^(?i:[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7})$"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.strip_chars()


def _octets(c: pl.Expr) -> list[pl.Expr]:
    return [c.str.extract(_QUAD, i).str.to_integer(strict=False) for i in range(1, 5)]


def _valid(c: pl.Expr) -> pl.Expr:
    octets = pl.all_horizontal([o <= 255 for o in _octets(c)])
    v4 = c.str.contains(_QUAD) & octets
    v6 = c.str.contains(_V6) & (c.str.count_matches("::") <= 1)
    return (v4.fill_null(False)) | v6.fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (dotted quad with an octet above 255) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^\d{1,3}\.[\d*]{1,3}\.[\d*]{1,3}\.[\d*]{1,3}$") & c.str.contains(
        r"\*"
    )
    return valid_invalid(_valid(c), c.str.contains(_QUAD), masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """IPv4 without leading zeros, IPv6 lower-case; null unless valid."""
    c = _compact(v)
    quad = pl.concat_str([o.cast(pl.String) for o in _octets(c)], separator=".")
    form = pl.when(c.str.contains(_QUAD)).then(quad).otherwise(c.str.to_lowercase())
    return pl.when(_valid(c)).then(form).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the normalised address or raise why it is not a valid IP address."""
    return validate_with(value, status_expr, normalise_expr, "IP address")
