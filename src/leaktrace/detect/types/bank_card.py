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

from leaktrace.detect._bytes import INVALID, UNDECIDED, VALID, compiled, run, tidy_numbers
from leaktrace.detect._data import bank_bins
from leaktrace.detect._text import valid_invalid
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
    """Plain 15-19 digit numbers starting with a card's industry digit: valid when the Luhn
    check holds, else invalid; every other form undecided (codes as in ``detect._bytes``)."""
    return run(_plain_cards, s, _FIRST, _DOUBLED)


@compiled
def _plain_cards(
    spans: np.ndarray, text: np.ndarray, first: np.ndarray, doubled: np.ndarray, out: np.ndarray
) -> None:
    for row in range(out.size):
        start, end = spans[row, 0], spans[row, 1]
        out[row] = UNDECIDED
        if not 15 <= end - start <= 19 or not first[text[start]]:
            continue
        # from the check digit leftwards, every second digit doubled and its digits summed
        total = 0
        plain = True
        for i in range(end - start):
            digit = int(text[end - 1 - i]) - 48
            plain &= 0 <= digit <= 9
            total += doubled[digit & 15] if i & 1 else digit
        if plain:
            out[row] = VALID if total % 10 == 0 else INVALID


def tidy_expr(v: pl.Expr) -> pl.Expr:
    """``6222 0212 3456 7890 128``, full-width digits -> plain digits, by literal replacements
    (the full pipeline folds full-width forms and drops the same separators)."""
    return v.map_batches(tidy_numbers, return_dtype=pl.String, is_elementwise=True)


_FIRST = np.isin(np.arange(256), np.frombuffer(b"345689", dtype=np.uint8))
_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9, *[0] * 6], dtype=np.int64)
"""A digit doubled, its digits summed (2d, less 9 from 5 on); 16 entries for masked indexes."""


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
