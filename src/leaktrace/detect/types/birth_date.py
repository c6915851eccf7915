"""Date of birth (出生日期), ISO 8601 calendar date, between 1900 and today.

Accepted forms: ``1990-01-02``, ``1990/1/2``, ``1990.01.02``, ``19900102``, ``1990年1月2日``,
optionally followed by a midnight time. Any date column could hold dates, so a column is
``birth_date`` only when its header says 出生 / 生日 / birth (a 签约日期 column is not).

>>> validate('1990年1月2日')
'1990-01-02'

Status: ``1990-**-**`` is masked; ``1990-02-30`` is invalid.
"""

from __future__ import annotations

import datetime

import polars as pl

from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with
from leaktrace.detect.types.cn_id import date_ok

_DATE = r"^((?:19|20)\d{2})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:\s+00:00(?::00)?)?$"
_COMPACT8 = r"^(?:19|20)\d{6}$"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.strip_chars()


def _ymd(c: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    eight = c.str.contains(_COMPACT8)
    y = pl.when(eight).then(c.str.slice(0, 4)).otherwise(c.str.extract(_DATE, 1))
    m = pl.when(eight).then(c.str.slice(4, 2)).otherwise(c.str.extract(_DATE, 2))
    d = pl.when(eight).then(c.str.slice(6, 2)).otherwise(c.str.extract(_DATE, 3))
    return (
        y.str.to_integer(strict=False),
        m.str.to_integer(strict=False),
        d.str.to_integer(strict=False),
    )


def _shaped(c: pl.Expr) -> pl.Expr:
    separated = c.str.contains(
        r"^(?:19|20)\d{2}([-/.年])\d{1,2}[-/.月]\d{1,2}日?(?:\s+00:00(?::00)?)?$"
    )
    return separated | c.str.contains(_COMPACT8)


def _valid(c: pl.Expr) -> pl.Expr:
    y, m, d = _ymd(c)
    today = datetime.date.today()
    not_future = (y * 10000 + m * 100 + d) <= today.year * 10000 + today.month * 100 + today.day
    return (_shaped(c) & date_ok(y, m, d) & not_future).fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (date-shaped, impossible or in the future) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^[\d*]{4}[-/.年][\d*]{1,2}[-/.月][\d*]{1,2}日?$") & c.str.contains(
        r"\*"
    )
    return valid_invalid(_valid(c), _shaped(c), masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """``YYYY-MM-DD``; null unless valid."""
    c = _compact(v)
    y, m, d = _ymd(c)
    iso = pl.format(
        "{}-{}-{}",
        y.cast(pl.String),
        m.cast(pl.String).str.zfill(2),
        d.cast(pl.String).str.zfill(2),
    )
    return pl.when(_valid(c)).then(iso).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return ``YYYY-MM-DD`` or raise why it is not a possible birth date."""
    return validate_with(value, status_expr, normalise_expr, "birth date")
