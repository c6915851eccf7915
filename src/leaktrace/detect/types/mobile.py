"""Mainland China mobile number (手机号码), ITU-T E.164 country code 86, MIIT numbering plan.

Eleven digits starting with a carrier segment (``data/mobile_segments.csv``: 3-digit segments
and the longer ones phonenumbers distinguishes, 1610 and 17400-17405). Accepted noise: ``+86``,
``0086`` or ``86`` prefixes, spaces and hyphens, full-width digits.

>>> validate('+86 138-1234-5678')
'13812345678'

A number a spreadsheet rewrote is read back when every digit is written out
(``13606661234.0``, ``1.8667778888E+10``); one that lost digits (``1.38123E+10``) is invalid,
as it no longer says whose number it was (``detect._excel``).

>>> validate('1.8667778888E+10')
'18667778888'

Status: ``138****5678`` is masked; ``15412345678`` or ``12012345678`` (segment never issued)
is invalid; in free text only 1[3-9] numbers or numbers after a phone cue count as invalid.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl

from leaktrace.detect._bytes import INVALID, UNDECIDED, VALID, compiled, run, tidy_numbers
from leaktrace.detect._data import mobile_segments
from leaktrace.detect._excel import spreadsheet_digits, spreadsheet_lost
from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with


@cache
def _segments(width: int) -> pl.Series:
    return pl.Series([p for p in mobile_segments() if len(p) == width], dtype=pl.String).implode()


def _compact(v: pl.Expr) -> pl.Expr:
    c = v.str.replace_all(r"[\s\-()]", "")
    c = pl.coalesce(spreadsheet_digits(c), c)
    return c.str.replace(r"^(?:\+86|0086|86)(1\d{10}|1[\d*]{10})$", "$1")


def _valid(c: pl.Expr) -> pl.Expr:
    shaped = c.str.contains(r"^1[3-9]\d{9}$")
    known = (
        c.str.slice(0, 3).is_in(_segments(3))
        | c.str.slice(0, 4).is_in(_segments(4))
        | c.str.slice(0, 5).is_in(_segments(5))
    )
    return (shaped & known).fill_null(False)


def tidy_expr(v: pl.Expr) -> pl.Expr:
    """``138-1234-5678``, ``+86 138 1234 5678``, ``1.3812345678E+10`` -> eleven digits;
    full-width digits (``１３８…``) folded to ASCII first, as the full pipeline folds them."""
    return v.map_batches(_tidy_series, return_dtype=pl.String, is_elementwise=True)


def _tidy_series(s: pl.Series) -> pl.Series:
    # one compiled pass: folded, separators dropped, a spreadsheet number with every digit
    # written (13606661234.0) read back, as the full pipeline does it
    return tidy_numbers(s, read_back=True).str.strip_prefix("+86")


def fast_codes(s: pl.Series) -> np.ndarray:
    """Eleven ASCII digits starting with 1: valid when a known segment opens them, else invalid;
    every other form undecided (codes as in ``detect._bytes``)."""
    return run(_plain_mobile, s, _known_prefixes())


@cache
def _known_prefixes() -> np.ndarray:
    """``table[p - 10000]``: whether the five-digit prefix ``p`` (1xxxx) opens a known segment."""
    prefixes = np.arange(10000, 20000)
    table = np.zeros(prefixes.size, dtype=np.bool_)
    for width, divisor in ((3, 100), (4, 10), (5, 1)):
        segments = [int(p) for p in mobile_segments() if len(p) == width]
        table |= np.isin(prefixes // divisor, segments)
    return table


@compiled
def _plain_mobile(spans: np.ndarray, text: np.ndarray, known: np.ndarray, out: np.ndarray) -> None:
    for row in range(out.size):
        start, end = spans[row, 0], spans[row, 1]
        code = UNDECIDED
        if end - start == 11 and text[start] == 49:  # "1"
            prefix = 0
            for k in range(11):
                digit = int(text[start + k]) - 48
                if digit < 0 or digit > 9:
                    break
                if k < 5:
                    prefix = prefix * 10 + digit
            else:
                code = VALID if known[prefix - 10000] else INVALID
        out[row] = code


def _status_series(s: pl.Series) -> pl.Series:
    """The noisy-form pipeline with the compacted value computed once (a column, not a tree)."""
    frame = pl.DataFrame({"v": s}).with_columns(_compact(pl.col("v")).alias("c"))
    return frame.select(_status(pl.col("c"))).to_series()


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (eleven digits starting with 1, unknown segment) / masked / null."""
    return v.map_batches(_status_series, return_dtype=pl.String, is_elementwise=True)


def _status(c: pl.Expr) -> pl.Expr:
    masked = (
        c.str.contains(r"^1[3-9*][\d*]{9}$")
        & c.str.contains(r"\*")
        & (c.str.count_matches(r"\d") >= 4)
    )
    # in a column any eleven digits starting with 1 are a broken mobile, and so is such a
    # number a spreadsheet cut short (1.38123E+10); find_spans is stricter
    invalid = c.str.contains(r"^1\d{10}$") | spreadsheet_lost(c, (11,), "1")
    return valid_invalid(_valid(c), invalid, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """Eleven digits, no country code; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def carrier(number: str) -> str | None:
    """The carrier of a valid number's segment (information for reports)."""
    segments = mobile_segments()
    return segments.get(number[:5]) or segments.get(number[:4]) or segments.get(number[:3])


def validate(value: str) -> str:
    """Return the eleven-digit number or raise why it is not a valid mobile number."""
    return validate_with(value, status_expr, normalise_expr, "mobile number")
