"""WeChat ID (微信号): 6 to 20 letters, digits, ``-`` or ``_``, starting with a letter; or the
mobile number the account is bound to, which users often give instead.

Like QQ numbers, WeChat IDs look like any user name, so columns need a header (微信, wechat).

>>> validate('zhang_san88')
'zhang_san88'

Status: ``zh***88`` is masked; a value with spaces or Chinese characters is not a WeChat ID.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

_VALID = r"^[a-zA-Z][a-zA-Z0-9_\-]{5,19}$|^1[3-9]\d{9}$"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.strip_chars().str.replace(r"^(?i:wxid_)", "wxid_")


def _valid(c: pl.Expr) -> pl.Expr:
    return c.str.contains(_VALID).fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (ID-like but too short or long) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^[a-zA-Z0-9_\-]{1,6}\*{2,}[a-zA-Z0-9_\-]{0,6}$")
    invalid = c.str.contains(r"^[a-zA-Z][a-zA-Z0-9_\-]{1,4}$|^[a-zA-Z][a-zA-Z0-9_\-]{20,30}$")
    return valid_invalid(_valid(c), invalid, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """The ID as written (WeChat IDs are case-sensitive); null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the WeChat ID or raise why it is not one."""
    return validate_with(value, status_expr, normalise_expr, "WeChat ID")
