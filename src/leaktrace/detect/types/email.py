"""E-mail address (电子邮箱), RFC 5321/5322 in the common "dot-atom" form.

A local part of letters, digits and ``._%+-``, ``@``, and a domain of labels ending in a
letters-only top-level domain. Normalised to lower case (Chinese providers treat addresses
case-insensitively).

>>> validate(' ZhangSan@QQ.com ')
'zhangsan@qq.com'

Status: ``z***@qq.com`` is masked; ``zhangsan@qq`` or ``a@@b.com`` is invalid.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl

from leaktrace.detect._bytes import UNDECIDED, VALID, code_point_table, compiled, run
from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

_VALID = r"^[a-z0-9][a-z0-9._%+\-]*@(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,}$"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.strip_chars().str.to_lowercase()


def _valid(c: pl.Expr) -> pl.Expr:
    return c.str.contains(_VALID).fill_null(False) & ~c.str.contains(r"\.\.").fill_null(False)


def fast_codes(s: pl.Series) -> np.ndarray:
    """Cells ``_valid`` accepts as written: valid; everything else undecided (codes as in
    ``detect._bytes``).

    A cell ``_VALID`` matches as it stands has no spaces, capitals or asterisks: it is already
    compact and cannot be masked, so ``status_expr`` reduces to ``_valid`` for it.
    """
    return run(_plain_email, s, *_email_tables())


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = _LOWER + "0123456789"


@cache
def _email_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The characters of ``_VALID``'s classes: a local part's, a label's ends, the top level's."""
    return (
        code_point_table([], _ALNUM + "._%+-"),
        code_point_table([], _ALNUM),
        code_point_table([], _LOWER),
    )


@compiled
def _plain_email(
    spans: np.ndarray,
    text: np.ndarray,
    local: np.ndarray,
    alnum: np.ndarray,
    lower: np.ndarray,
    out: np.ndarray,
) -> None:
    # one loop, not a per-cell helper that returns early: 22 ms per 1M cells against 38
    for row in range(out.size):
        start, end = spans[row, 0], spans[row, 1]
        out[row] = UNDECIDED
        if start == end or not alnum[text[start]]:
            continue
        # the local part up to the first "@" ("local" has no "@"), with no ".."
        at = start + 1
        while at < end and local[text[at]] and not (text[at] == 46 and text[at - 1] == 46):
            at += 1
        if at == end or text[at] != 64:  # "@"
            continue
        # dot-separated labels, a letter or digit at both ends; the last, letters only
        label, dots, letters = at + 1, 0, True
        for i in range(at + 1, end):
            b = text[i]
            if b == 46:  # "."
                if not alnum[text[label]] or not alnum[text[i - 1]]:  # also an empty label
                    break
                label, dots, letters = i + 1, dots + 1, True
            elif alnum[b] or b == 45:  # "-"
                letters = letters and lower[b]
            else:
                break
        else:
            if dots > 0 and end - label >= 2 and letters:
                out[row] = VALID


def tidy_expr(v: pl.Expr) -> pl.Expr:
    """`` ZhangSan@QQ.com `` -> ``zhangsan@qq.com``: ``_compact`` without folding full-width
    forms, which the fast path then leaves undecided, as it does every cell it does not call
    valid."""
    return _compact(v)


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
