"""Resident identity card number (居民身份证号码), GB 11643-1999.

18 characters: a six-digit region code (GB/T 2260), the birth date YYYYMMDD, a three-digit order
code (odd for men, even for women) and a check character computed with ISO 7064 MOD 11-2 over
weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 (``X`` stands for 10). First-generation cards
(before 1999) carry 15 digits: no century and no check character; they are valid and normalise
to 18 characters by inserting ``19`` and computing the check character.

The region code must have existed in some period (python-stdnum's ``cn/loc.dat``); whether it
existed in the birth year is reported by ``decode`` as information only, because a code is the
place of first registration and is never re-issued when districts are renamed.

>>> validate('11010519491231002x')
'11010519491231002X'
>>> validate('330182900101123')                       # 15-digit first-generation number
'330182199001011236'
>>> decode('11010519491231002X')['gender']
'female'
A number a spreadsheet rewrote is read back when every digit is written out
(``330182199001011236.0``, ``3.30182199001011236E+17``); one that lost digits (``3.30182E+17``,
``3.30182199001011E+17``: fifteen of eighteen) is invalid (``detect._excel``).

Status: ``330182********1234`` is masked; ``3.30182E+17`` (Excel destroyed the digits) is invalid.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

import numpy as np
import polars as pl

from leaktrace.detect._bytes import INVALID, UNDECIDED, VALID, compiled, run, tidy_numbers
from leaktrace.detect._data import counties
from leaktrace.detect._excel import (
    spreadsheet_digits,
    spreadsheet_digits_str,
    spreadsheet_lost,
)
from leaktrace.detect._text import compact, valid_invalid
from leaktrace.detect._unit import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    MaskedValue,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# An 18-character value only "looks like an ID" (and so can be an invalid one) when its date
# field is shaped like a date: this keeps order numbers and bank cards out of cn_id "invalid".
_SHAPE_18 = r"^[1-9]\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[\dX]$"
_SHAPE_15 = r"^[1-9]\d{5}\d{2}[01]\d[0-3]\d\d{3}$"
_EXCEL = r"^[1-9]\.\d+E\+?1[4-7]$"
_MASKED = r"^[\dX]{0,14}\*[\dX*]*$"


@cache
def _province_codes() -> pl.Series:
    return pl.Series(sorted({code[:2] for code in counties()}), dtype=pl.String).implode()


def _compact(v: pl.Expr) -> pl.Expr:
    c = compact(v).str.to_uppercase()
    return pl.coalesce(spreadsheet_digits(c), c)


def _excel_lost(c: pl.Expr) -> pl.Expr:
    """An ID (15 or 18 digits) a spreadsheet wrote in scientific notation, digits lost."""
    return spreadsheet_lost(c, (15, 16, 17, 18))


def check_value(body17: pl.Expr) -> pl.Expr:
    """The check value 0-10 (10 is written X) of 17-digit strings, by integer arithmetic."""
    return (23 - 2 * (body17.str.to_integer(base=13, strict=False) % 11)) % 11


def check_char(body17: pl.Expr) -> pl.Expr:
    """The GB 11643 check character of a column of 17-digit strings (vectorised).

    The weights are 2^(17-i) mod 11, and 13 = 2 (mod 11), so the weighted sum is twice the
    digits read in base 13 (the trick python-stdnum uses). Reading base 13 is one integer parse
    per cell instead of 17 digit extractions; 13^17 still fits an Int64.
    """
    x = body17.str.to_integer(base=13, strict=False) % 11
    c = (23 - 2 * x) % 11
    return pl.when(c == 10).then(pl.lit("X")).otherwise(c.cast(pl.String))


def date_ok(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Whether (year, month, day) is a calendar date (vectorised, Gregorian)."""
    leap = (((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)).cast(pl.Int64)
    m = month.clip(1, 12)
    # days in month without branches: 28 + (m + m//8) % 2 + 2 % m + 2 * (1 // m), + leap day
    days = 28 + (m + m // 8) % 2 + 2 % m + 2 * (1 // m) + (m == 2).cast(pl.Int64) * leap
    return month.is_between(1, 12) & day.is_between(1, days)


def _to18(c: pl.Expr) -> pl.Expr:
    """18-character form of a compacted 15- or 18-character value (no validation)."""
    body = (
        pl.when(c.str.len_chars() == 15)
        .then(c.str.slice(0, 6) + pl.lit("19") + c.str.slice(6, 9))
        .otherwise(c.str.slice(0, 17))
    )
    return pl.when(c.str.len_chars() == 15).then(body + check_char(body)).otherwise(c)


@cache
def _county_ints() -> pl.Series:
    return pl.Series(sorted(int(c) for c in counties()), dtype=pl.Int64).implode()


@cache
def _province_ints() -> pl.Series:
    return pl.Series(sorted({int(c[:2]) for c in counties()}), dtype=pl.Int64).implode()


def _with_checks(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Add ``valid18`` and ``shaped18`` for the 18-character strings in ``column``.

    Stepwise columns, so the number is parsed once and the date parts are computed once; as one
    nested expression every use would re-parse the string (eager Polars has no CSE).
    """
    v = pl.col(column)
    frame = frame.with_columns(
        v.str.slice(0, 17).str.to_integer(base=10, strict=False).alias("_n"),
        pl.coalesce(v.str.to_integer(base=10, strict=False) % 10, pl.lit(10)).alias("_last"),
        check_value(v.str.slice(0, 17)).alias("_check"),
    )
    n = pl.col("_n")
    frame = frame.with_columns(
        ((n // 10**7) % 10000).alias("_y"),
        ((n // 10**5) % 100).alias("_m"),
        ((n // 10**3) % 100).alias("_d"),
    )
    year, month, day = pl.col("_y"), pl.col("_m"), pl.col("_d")
    today = datetime.date.today()
    born = year * 10000 + month * 100 + day
    return frame.with_columns(
        (
            (n // 10**11).is_in(_county_ints())
            & year.is_between(1800, 2099)
            & date_ok(year, month, day)
            & (born <= today.year * 10000 + today.month * 100 + today.day)
            & (pl.col("_check") == pl.col("_last"))
        )
        .fill_null(False)
        .alias("valid18"),
        (
            (n // 10**15).is_in(_province_ints())
            & year.is_between(1800, 2099)
            & (month <= 19)
            & (day <= 39)
        )
        .fill_null(False)
        .alias("shaped18"),
    )


def fast_codes(s: pl.Series) -> np.ndarray:
    """Plain 18-character IDs checked on their digits, Excel numbers that lost digits called
    invalid, every other form undecided (codes as in ``detect._bytes``).

    The same tests as ``_with_checks`` (region, date, check character; ``shaped18`` for
    invalid), in one compiled pass over the cells' bytes instead of three parses.
    """
    today = datetime.date.today()
    born_by = today.year * 10000 + today.month * 100 + today.day
    tables = (_county_bits(), _YEAR_STARTS, _CALENDAR, _DATE_SHAPED, _province_table())
    codes = run(_plain_ids, s, *tables, born_by)
    # an ID Excel turned into a number (3.30182E+17) is invalid as it stands, unless every
    # digit is still there: that one the slow path reads back
    rest = (codes == UNDECIDED).nonzero()[0]
    if rest.size:
        cells = s.gather(rest)
        excel = cells.str.contains(_EXCEL).fill_null(False)
        if excel.any():
            lost = pl.select(_excel_lost(pl.lit(cells.filter(excel)))).to_series()
            codes[rest[excel.to_numpy()][lost.to_numpy()]] = INVALID
    return codes


@compiled
def _plain_ids(
    spans: np.ndarray,
    text: np.ndarray,
    county_bits: np.ndarray,
    year_starts: np.ndarray,
    calendar: np.ndarray,
    date_shaped: np.ndarray,
    provinces: np.ndarray,
    born_by: int,
    out: np.ndarray,
) -> None:
    """1 unless the cell is plain (18 bytes: 17 digits, the first not 0, then a digit or X),
    else 2 valid, 3 invalid (``shaped18``) or 0 neither."""
    for row in range(out.size):
        i, end = spans[row, 0], spans[row, 1]
        out[row] = UNDECIDED
        if end - i != 18 or text[i] == 48:  # "0"
            continue
        number = total = 0
        plain = True
        for k in range(17):
            digit = int(text[i + k]) - 48
            plain &= 0 <= digit <= 9
            number += digit * _TENS[k]  # a sum, not a chain of multiplications
            total += digit * _WEIGHTS[k]
        last = int(text[i + 17])
        if not plain or not (48 <= last <= 57 or last == 88):  # a digit or "X"
            continue
        region, year = number // 10**11, number // 10**7 % 10000
        day = year_starts[year] + number // 10**3 % 10000  # the calendar tables' index
        check = 10 if last == 88 else last - 48
        county = county_bits[region >> 6] >> np.uint64(region & 63) & np.uint64(1)
        valid = (
            county
            and calendar[day]
            and year * 10000 + number // 10**3 % 10000 <= born_by
            and (total + check) % 11 == 1
        )
        if valid:
            out[row] = VALID
        elif provinces[region // 10000] and date_shaped[day]:
            out[row] = INVALID
        else:
            out[row] = 0


_TENS = 10 ** np.arange(16, -1, -1, dtype=np.int64)
_WEIGHTS = np.array(WEIGHTS, dtype=np.int64)


def _date_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``starts[year] + MMDD`` indexes ``calendar`` (a real date) and ``shaped`` (month <= 19,
    day <= 39); both are False for a year outside 1800-2099 (start 0)."""
    year = np.arange(10000)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    starts = np.where((year >= 1800) & (year <= 2099), 10000 + 10000 * leap, 0)
    month, day = np.divmod(np.arange(10000), 100)
    days = _DAYS[np.clip(month, 0, 12)]
    common = (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)
    leap_year = common | ((month == 2) & (day == 29))
    shaped = (month <= 19) & (day <= 39)
    never = np.zeros(10000, dtype=bool)
    calendar = np.concatenate([never, common, leap_year])
    return starts.astype(np.int64), calendar, np.concatenate([never, shaped, shaped])


_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_YEAR_STARTS, _CALENDAR, _DATE_SHAPED = _date_tables()


@cache
def _county_bits() -> np.ndarray:
    """Bit ``code`` of these 64-bit words is set for every six-digit region code that ever
    existed (a bit set: it stays in the CPU cache, a bool table does not)."""
    table = np.zeros(1 << 20, dtype=bool)
    table[[int(c) for c in counties()]] = True
    return np.packbits(table, bitorder="little").view("<u8")


@cache
def _province_table() -> np.ndarray:
    table = np.zeros(100, dtype=bool)
    table[[int(c[:2]) for c in counties()]] = True
    return table


def tidy_expr(v: pl.Expr) -> pl.Expr:
    """``110105 19491231 002x`` -> ``11010519491231002X``: full-width digits folded, spaces and
    hyphens dropped, ``x`` upper-cased, a spreadsheet number read back when every digit is
    written (``330182199001011236.0``), a 15-digit number given its 18-character form, in the
    order the full pipeline takes these steps. A cell left in any other form is not 17 digits
    and a check character, so the fast path leaves it undecided."""
    return v.map_batches(_tidy_series, return_dtype=pl.String, is_elementwise=True)


def _tidy_series(s: pl.Series) -> pl.Series:
    c = tidy_numbers(s, upper_x=True, read_back=True)  # the first steps, in one compiled pass
    short = (c.str.len_bytes() == 15).fill_null(False)
    if not short.any():
        return c
    rows = short.arg_true()
    cells = c.gather(rows)
    # a 15-character cell that is not all digits has no check character: kept as it is
    long = pl.select(pl.coalesce(_to18(pl.lit(cells)), pl.lit(cells))).to_series()
    return c.scatter(rows, long)


def _status_series(s: pl.Series) -> pl.Series:
    """The regex pipeline for noisy forms, one stage per column so nothing is computed twice."""
    c = pl.col("c")
    frame = pl.DataFrame({"v": s}).with_columns(_compact(pl.col("v")).alias("c"))
    frame = _with_checks(frame.with_columns(_to18(c).alias("c18")), "c18")
    status = valid_invalid(
        (c.str.contains(_SHAPE_18) | c.str.contains(_SHAPE_15)) & pl.col("valid18"),
        (
            (c.str.contains(_SHAPE_18) | c.str.contains(_SHAPE_15))
            & c.str.slice(0, 2).is_in(_province_codes())
        )
        | _excel_lost(c),
        c.str.contains(_MASKED)
        & c.str.len_chars().is_in([15, 18])
        & (c.str.count_matches(r"[\dX]") >= 4),
    )
    return frame.select(status.fill_null(pl.lit(None, pl.String))).to_series()


def _normalise_series(s: pl.Series) -> pl.Series:
    c = pl.col("c")
    frame = pl.DataFrame({"v": s}).with_columns(_compact(pl.col("v")).alias("c"))
    frame = _with_checks(frame.with_columns(_to18(c).alias("c18")), "c18")
    valid = (c.str.contains(_SHAPE_18) | c.str.contains(_SHAPE_15)) & pl.col("valid18")
    out = pl.when(valid.fill_null(False)).then(pl.col("c18")).otherwise(pl.lit(None, pl.String))
    return frame.select(out).to_series()


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (ID-shaped or Excel-mangled but failing) / masked / null."""
    return v.map_batches(_status_series, return_dtype=pl.String, is_elementwise=True)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """Upper-case 18-character number (15-digit numbers converted); null unless valid."""
    return v.map_batches(_normalise_series, return_dtype=pl.String, is_elementwise=True)


def compact_str(value: str) -> str:
    """Scalar compaction: trim, drop spaces and hyphens, upper-case, full-width to ASCII."""
    folded = value.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    return "".join(folded.split()).replace("-", "").upper()


def calc_check_digit(body17: str) -> str:
    """Scalar check character of the first 17 digits (same result as stdnum.cn.ric)."""
    total = sum(int(d) * w for d, w in zip(body17[:17], WEIGHTS, strict=True))
    c = (12 - total % 11) % 11
    return "X" if c == 10 else str(c)


def validate(value: str) -> str:
    """Return the 18-character number or raise why it is not a valid ID."""
    number = compact_str(value)
    number = spreadsheet_digits_str(number) or number
    if "*" in number:
        raise MaskedValue()
    if len(number) == 15 and number.isdigit():
        number = number[:6] + "19" + number[6:]
        number += calc_check_digit(number)
    if len(number) != 18:
        raise InvalidLength()
    if not number[:17].isdigit() or number[17] not in "0123456789X":
        raise InvalidFormat()
    if number[17] != calc_check_digit(number):
        raise InvalidChecksum()
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidComponent("Impossible birth date.") from None
    if born > datetime.date.today():
        raise InvalidComponent("Birth date in the future.")
    if number[:6] not in counties():
        raise InvalidComponent("Unknown region code.")
    return number


def decode(value: str) -> dict[str, Any]:
    """Gender, birth date and region of a valid ID.

    ``county_in_birth_year`` is True/False when python-stdnum records the code's periods, None
    when it does not know; it is information, never a reason to call the ID untrue.
    """
    number = validate(value)
    county = counties()[number[:6]]
    born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    in_year: bool | None = None
    if county.periods:
        in_year = any(
            (start is None or born.year >= start) and (end is None or born.year <= end)
            for start, end in county.periods
        )
    return {
        "number": number,
        "gender": "male" if int(number[16]) % 2 else "female",
        "birth_date": born,
        "county_code": number[:6],
        "county_name": county.name,
        "province": county.province,
        "county_in_birth_year": in_year,
    }


def decode_frame(s: pl.Series) -> pl.DataFrame:
    """Vectorised ``decode`` for a column: number, gender, birth_date, county_code, province.

    Null where the cell is not a valid ID. County names come from ``decode`` or ``counties()``.
    """
    number = normalise_expr(pl.col("v"))
    frame = pl.DataFrame({"v": s.cast(pl.String)}).select(number.alias("number"))
    provinces = {code[:2]: c.province for code, c in counties().items()}
    return frame.select(
        "number",
        pl.when(pl.col("number").str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1)
        .then(pl.lit("male"))
        .when(pl.col("number").is_not_null())
        .then(pl.lit("female"))
        .alias("gender"),
        pl.col("number").str.slice(6, 8).str.to_date("%Y%m%d", strict=False).alias("birth_date"),
        pl.col("number").str.slice(0, 6).alias("county_code"),
        pl.col("number")
        .str.slice(0, 2)
        .replace_strict(provinces, default=None, return_dtype=pl.String)
        .alias("province"),
    )
