"""Geographic coordinates (经纬度), WGS-84 / GCJ-02 decimal degrees, plausibly inside China.

A pair ``lat,lng`` or ``lng,lat`` (comma, semicolon, slash or space between) whose latitude is
within 3.5-54 N and longitude within 73-136 E, the bounding box of China's territory including
the South China Sea islands; or, in a column headed 经度/纬度, a single coordinate with at least
four decimals. Normalised to ``lat,lng`` rounded to six decimals.

>>> validate('120.155070, 30.274084')
'30.274084,120.15507'

Status: ``30.27****,120.15****`` is masked; a pair outside China (``48.8566,2.3522``) is invalid.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

_PAIR = r"^(-?\d{1,3}\.\d+)\s*[,;/ ]\s*(-?\d{1,3}\.\d+)$"
_SINGLE = r"^\d{1,3}\.\d{4,}$"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.strip_chars().str.strip_chars("()[]").str.replace_all(r"[°NEne]", "")


def _lat_ok(x: pl.Expr) -> pl.Expr:
    return x.is_between(3.5, 54.0)


def _lng_ok(x: pl.Expr) -> pl.Expr:
    return x.is_between(73.0, 136.0)


def _pair(c: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    a = c.str.extract(_PAIR, 1).cast(pl.Float64, strict=False)
    b = c.str.extract(_PAIR, 2).cast(pl.Float64, strict=False)
    lat = pl.when(_lat_ok(a) & _lng_ok(b)).then(a).otherwise(b)
    lng = pl.when(_lat_ok(a) & _lng_ok(b)).then(b).otherwise(a)
    return lat, lng


def _valid(c: pl.Expr) -> pl.Expr:
    lat, lng = _pair(c)
    pair = c.str.contains(_PAIR) & _lat_ok(lat) & _lng_ok(lng)
    x = c.cast(pl.Float64, strict=False)
    single = c.str.contains(_SINGLE) & (_lat_ok(x) | _lng_ok(x))
    return pair.fill_null(False) | single.fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (a coordinate pair outside China) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^\d{1,3}\.[\d*]+\s*[,;/ ]\s*\d{1,3}\.[\d*]+$") & c.str.contains(r"\*")
    invalid = c.str.contains(r"^(-?\d{1,3}\.\d{3,})\s*[,;/ ]\s*(-?\d{1,3}\.\d{3,})$")
    return valid_invalid(_valid(c), invalid, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """``lat,lng`` with six decimals (single coordinates as six decimals); null unless valid."""
    c = _compact(v)
    lat, lng = _pair(c)
    pair = pl.format("{},{}", lat.round(6).cast(pl.String), lng.round(6).cast(pl.String))
    single = c.cast(pl.Float64, strict=False).round(6).cast(pl.String)
    form = pl.when(c.str.contains(_PAIR)).then(pair).otherwise(single)
    return pl.when(_valid(c)).then(form).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return ``lat,lng`` or raise why it is not a coordinate inside China."""
    return validate_with(value, status_expr, normalise_expr, "coordinate in China")
