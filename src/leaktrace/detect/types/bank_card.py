"""Bank card number (银行卡号), ISO/IEC 7812: issuer identification number + Luhn check digit.

15 to 19 digits starting with a major industry identifier a bank card uses (3 Amex/JCB,
4 Visa, 5 Mastercard, 6 UnionPay/Discover, 9 old domestic cards); the last digit is the Luhn
check digit (ISO/IEC 7812-1 Annex B). ``decode`` names the bank for BINs listed in
``data/bank_bins.csv`` (only BINs we are confident about; an unknown BIN is not an error).

>>> validate('6222 0212 3456 7890 128')
'6222021234567890128'

Status: ``6222****1234`` is masked; a card-shaped number failing Luhn is invalid.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from leaktrace.detect._data import bank_bins
from leaktrace.detect._text import codes_to_status, fixed_width, valid_invalid
from leaktrace.detect._unit import InvalidChecksum, validate_with

_SHAPE = r"^[345869]\d{14,18}$"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"[\s\-]", "")


def luhn_ok(digits: pl.Expr) -> pl.Expr:
    """Luhn (mod 10) check of a column of digit strings up to 19 digits (vectorised).

    Null where the cell is not a number. The digit loop runs in numpy on the parsed integers:
    19 in-place divisions there cost a quarter of the same arithmetic as Polars expressions.
    """
    return digits.map_batches(_luhn_series, return_dtype=pl.Boolean, is_elementwise=True)


def _luhn_series(s: pl.Series) -> pl.Series:
    n = s.str.to_integer(base=10, dtype=pl.UInt64, strict=False)
    x = n.fill_null(0).to_numpy().copy()
    total = np.zeros(len(x), dtype=np.uint64)
    ten, two, nine = np.uint64(10), np.uint64(2), np.uint64(9)
    for k in range(19):
        d = x % ten
        x //= ten
        if k % 2:
            d = d * two - (d >= 5).astype(np.uint64) * nine  # doubled digit, digits summed
        total += d
    ok = pl.Series(s.name, total % ten == 0)
    return pl.select(pl.when(n.is_null()).then(None).otherwise(ok)).to_series().alias(s.name)


def fast_status_expr(v: pl.Expr) -> pl.Expr:
    """Status of plain 15-19 digit numbers (Luhn on their digits); ``"?"`` for other forms."""
    return v.map_batches(fast_status_series, return_dtype=pl.String, is_elementwise=True)


_FIRST = np.frombuffer(b"345689", dtype=np.uint8)


def fast_status_series(s: pl.Series) -> pl.Series:
    """Plain card numbers checked on their digit matrix, one matrix per length."""
    return codes_to_status(s, fast_codes(s))


def fast_codes(s: pl.Series) -> np.ndarray:
    """:func:`fast_status_series` as numpy codes (see ``detect._text.codes_to_status``)."""
    codes = np.where(s.is_null().to_numpy(), 0, 1).astype(np.uint8)
    lengths = s.str.len_bytes()
    for width in range(15, 20):
        rows, m = fixed_width(s, width, lengths)
        if not rows.size:
            continue
        d = m - np.uint8(48)  # non-digits wrap around to values above 9
        plain = (d.max(axis=1) <= 9) & np.isin(m[:, 0], _FIRST)
        if not plain.all():
            rows, d = rows[plain], d[plain]
        # from the right every second digit is doubled, its digits summed: 2d, less 9 if d >= 5
        # (integer products: numpy runs them without BLAS and its thread pool)
        doubled = np.zeros(width, dtype=np.int32)
        doubled[width - 2 :: -2] = 1
        d = d.astype(np.int32)
        total = d @ (1 + doubled) - 9 * ((d >= 5).astype(np.int32) @ doubled)
        codes[rows] = np.where(total % 10 == 0, 2, 3)
    return codes


def _valid(c: pl.Expr) -> pl.Expr:
    return (c.str.contains(_SHAPE) & luhn_ok(c)).fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (card-shaped, Luhn fails) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^[3-69]\d{3,5}\*{4,}\d{3,4}$") & c.str.len_chars().is_between(12, 19)
    return valid_invalid(_valid(c), c.str.contains(_SHAPE), masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """Digits only; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the digits or raise why it is not a valid card number."""
    digits = "".join(value.split()).replace("-", "")
    if digits.isdigit() and 15 <= len(digits) <= 19:
        odd = sum(int(d) for d in digits[-1::-2])
        even = sum(sum(divmod(2 * int(d), 10)) for d in digits[-2::-2])
        if (odd + even) % 10:
            raise InvalidChecksum()
    return validate_with(value, status_expr, normalise_expr, "bank card number")


def decode(value: str) -> dict[str, Any]:
    """Issuing bank and card product when the BIN is in ``data/bank_bins.csv``."""
    number = validate(value)
    bank, card = bank_bins().get(number[:6], (None, None))
    return {"number": number, "bin": number[:6], "bank": bank, "card": card}
