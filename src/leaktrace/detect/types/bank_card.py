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

import operator
from functools import reduce
from typing import Any

import numpy as np
import polars as pl

from leaktrace.detect._bytes import INVALID, VALID
from leaktrace.detect._data import bank_bins
from leaktrace.detect._text import fixed_width, valid_invalid
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


def fast_codes(s: pl.Series) -> np.ndarray:
    """Plain 15-19 digit numbers, one digit matrix per length: valid when the Luhn check holds,
    else invalid; every other form undecided (codes as in ``detect._bytes``)."""
    codes = s.is_not_null().to_numpy().astype(np.uint8)
    lengths = s.str.len_bytes()
    for width in range(15, 20):
        rows, text = fixed_width(s, width, lengths)
        for first in range(0, rows.size, _BLOCK):  # blocks, so temporaries stay in the CPU cache
            block = slice(first, first + _BLOCK)
            codes[rows[block]] = _codes(text[block])
    return codes


def _codes(text: np.ndarray) -> np.ndarray:
    """Codes of cells of one width (rows of ``text``): 2 Luhn holds, 3 it fails, 1 not plain.

    The cell is read as three little-endian 64-bit words of eight characters, right-aligned in
    24 bytes with zeros in front (a leading zero leaves the Luhn sum alone), so every width
    doubles the same byte lanes; the digits are combined inside the words (SWAR).
    """
    n, width = text.shape
    cells = text.ravel()

    def word(at: int) -> np.ndarray:  # characters at..at+7, as digit values if they are digits
        return np.ndarray(n, "<u8", cells, at, (width,)) ^ _ZEROS

    head = word(0)
    words = [word(width - 8), word(width - 16) if width >= 16 else head << 8]
    if width > 16:
        words.append(head << 8 * (24 - width))
    # a byte lane is a digit when it is below 10: no high bits, even after adding 6
    nondigit = reduce(operator.or_, (x | (x + _SIXES) for x in words)) & _HIGH
    plain = (nondigit == 0) & np.take(_FIRST, text[:, 0])
    # even lanes are doubled, their digits summed: 2d, less 9 if d >= 5 (d + 3 reaches 8)
    lanes = reduce(operator.add, words)
    fives = reduce(operator.add, ((x + _THREES) >> 3 & _EVEN_ONES for x in words))
    total = ((lanes + (lanes & _EVEN) - 9 * fives) * _ONES) >> 56  # the sum of the lanes
    return np.where(plain, np.take(_LUHN, total), 1)


_BLOCK = 1 << 14  # 128 KB temporaries; at 1 << 15 malloc gave back and re-faulted pages
_ONES = 0x0101_0101_0101_0101
_ZEROS, _THREES, _SIXES, _HIGH = 0x30 * _ONES, 0x03 * _ONES, 0x06 * _ONES, 0xF0 * _ONES
_EVEN = 0x00FF_00FF_00FF_00FF  # lanes 0, 2, 4, 6: second, fourth, ... digit from the right
_EVEN_ONES = _EVEN & _ONES
_FIRST = np.isin(np.arange(256), np.frombuffer(b"345689", dtype=np.uint8))
_LUHN = np.where(np.arange(256) % 10 == 0, VALID, INVALID).astype(np.uint8)  # code by Luhn sum


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
