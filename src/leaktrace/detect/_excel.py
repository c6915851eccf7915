"""Numbers a spreadsheet rewrote: ``13606661234.0``, ``1.8667778888E+10``, ``3.30182E+17``.

A spreadsheet that takes a mobile number or an ID number for a number writes it back as a float
(``13606661234.0``) or in scientific notation. Scientific notation keeps as many significant
digits as the program chose to show: ``1.8667778888E+10`` still holds all eleven digits of
18667778888, ``1.38123E+10`` holds six of them and ``3.30182199001011E+17`` fifteen of eighteen.
A number is recovered only when every digit is written out; trailing zeros that are not written
cannot be told from lost digits (``1.38E+10`` may have been 13800000000 or 13812345678), so such
a number is lost, and the value is untrue as it stands (Art. 11: "有证据证明信息不真实").

These are expressions over a compacted cell (no spaces; full-width forms folded); the units
``mobile`` and ``cn_id`` use them in their slow paths, where every such cell goes.
"""

from __future__ import annotations

import re

import polars as pl

SCIENTIFIC = r"^([1-9])\.(\d+)[eE]\+?(\d{1,2})$"
"""A positive number in scientific notation: a digit, a point, the other digits, the exponent."""

FLOAT = r"^(\d+)\.0+$"
"""An integer written with a fractional part of zeros (``13606661234.0``)."""


def _scientific(c: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The written digits of a number in scientific notation and how many the number has."""
    parts = c.str.extract_groups(SCIENTIFIC)
    digits = parts.struct.field("1") + parts.struct.field("2")
    width = parts.struct.field("3").cast(pl.Int32, strict=False) + 1
    return digits, width


def spreadsheet_digits(c: pl.Expr) -> pl.Expr:
    """The digits of a spreadsheet number when every one of them is written; null otherwise
    (and for every cell that is not such a number)."""
    digits, width = _scientific(c)
    whole = pl.when(digits.str.len_chars() == width).then(digits)
    return pl.coalesce(c.str.extract(FLOAT, 1), whole)


def spreadsheet_digits_str(value: str) -> str | None:
    """:func:`spreadsheet_digits` for one compacted value."""
    if m := re.fullmatch(FLOAT, value):
        return m.group(1)
    if (m := re.fullmatch(SCIENTIFIC, value)) and len(m[1] + m[2]) == int(m[3]) + 1:
        return m[1] + m[2]
    return None


def spreadsheet_cut(c: pl.Expr) -> pl.Expr:
    """Whether the cell is a number in scientific notation that does not write every digit."""
    return c.str.contains(SCIENTIFIC) & spreadsheet_digits(c).is_null()


def spreadsheet_lost(c: pl.Expr, widths: tuple[int, ...], first: str = "") -> pl.Expr:
    """Whether the cell is a number in scientific notation of one of ``widths`` digits (starting
    with ``first``) that lost some of them: it was such a value, and no longer says which."""
    digits, width = _scientific(c)
    lost = width.is_in(list(widths)) & (digits.str.len_chars() < width)
    return (lost & digits.str.starts_with(first)).fill_null(False)


def recovered(s: pl.Series, type_id: str) -> int:
    """How many cells of a column of ``type_id`` (``mobile`` or ``cn_id``) hold a spreadsheet
    number whose every digit survived and which is valid once read back.

    Cheap on a clean column: only cells with a point in them are looked at.
    """
    from leaktrace.detect._catalogue import CATALOGUE

    candidates = s.filter(s.str.contains(".", literal=True).fill_null(False))
    if not candidates.len():
        return 0
    frame = pl.DataFrame({"v": candidates.str.strip_chars()})
    digits = frame.select(spreadsheet_digits(pl.col("v"))).to_series().drop_nulls()
    if not digits.len():
        return 0
    return int(CATALOGUE[type_id].normalise(digits).is_not_null().sum())
