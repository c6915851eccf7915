"""E-mail address (电子邮箱), RFC 5321/5322 in the common "dot-atom" form.

A local part of letters, digits and ``._%+-``, ``@``, and a domain of labels ending in a
letters-only top-level domain. Normalised to lower case (Chinese providers treat addresses
case-insensitively).

>>> validate(' ZhangSan@QQ.com ')
'zhangsan@qq.com'

Status: ``z***@qq.com`` is masked; ``zhangsan@qq`` or ``a@@b.com`` is invalid.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import valid_invalid, valid_or_undecided
from leaktrace.detect._unit import validate_with

_VALID = r"^[a-z0-9][a-z0-9._%+\-]*@(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,}$"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.strip_chars().str.to_lowercase()


def _valid(c: pl.Expr) -> pl.Expr:
    return c.str.contains(_VALID).fill_null(False) & ~c.str.contains(r"\.\.").fill_null(False)


def fast_status_expr(v: pl.Expr) -> pl.Expr:
    """ "valid" for a clean lower-case address; "?" for everything else.

    A cell ``_VALID`` matches as it stands has no spaces, capitals or asterisks: it is already
    compact and cannot be masked, so ``status_expr`` reduces to ``_valid`` for it.
    """
    return valid_or_undecided(v, _valid(v))


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (has an ``@`` between word characters but fails) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^[^@\s]*\*+[^@\s]*@[a-z0-9.\-*]+$")
    invalid = c.str.contains(r"^[^\s@]+@+[^\s@]*$") | c.str.contains(r"^[a-z0-9._\-]+@")
    return valid_invalid(_valid(c), invalid, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """Lower-case address; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the lower-case address or raise why it is not a valid one."""
    return validate_with(value, status_expr, normalise_expr, "e-mail address")
