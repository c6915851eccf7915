"""Vectorised validators agree with python-stdnum and phonenumbers on generated numbers."""

from __future__ import annotations

import datetime

import phonenumbers
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from leaktrace.detect import CATALOGUE
from leaktrace.detect.types import cn_id, mobile, vin

from .test_uscc_prefix import ISSUED_PREFIXES

SETTINGS = settings(max_examples=60, deadline=None)
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def _eval(expr: pl.Expr, values: list[str]) -> list[object]:
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(expr).to_series().to_list()


@SETTINGS
@given(st.lists(st.text(alphabet="0123456789", min_size=17, max_size=17), min_size=1, max_size=50))
def test_cn_id_check_character_matches_stdnum(bodies: list[str]) -> None:
    ours = _eval(cn_id.check_char(pl.col("v")), bodies)
    assert ours == [ric.calc_check_digit(b + "0") for b in bodies]


@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(1900, 2099), st.integers(0, 13), st.integers(0, 32)),
        min_size=1,
        max_size=50,
    )
)
def test_cn_id_date_check_matches_stdnum(dates: list[tuple[int, int, int]]) -> None:
    numbers = [f"110105{y:04d}{m:02d}{d:02d}0010" for y, m, d in dates]
    frame = pl.DataFrame({"y": [y for y, _, _ in dates], "m": [m for _, m, _ in dates]})
    frame = frame.with_columns(d=pl.Series([d for _, _, d in dates]))
    ours = frame.select(cn_id.date_ok(pl.col("y"), pl.col("m"), pl.col("d"))).to_series()

    def stdnum_ok(number: str) -> bool:
        try:
            ric.get_birth_date(number)
        except ValidationError:
            return False
        return True

    assert ours.to_list() == [stdnum_ok(n) for n in numbers]


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["110105", "330182", "620201", "440303", "120110", "110103"]),
            st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)),
            st.integers(0, 999),
            st.sampled_from(list("0123456789X")),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_cn_id_status_valid_iff_stdnum_check_and_date(
    parts: list[tuple[str, datetime.date, int, str]],
) -> None:
    numbers = [f"{c}{d:%Y%m%d}{o:03d}{k}" for c, d, o, k in parts]
    statuses = CATALOGUE["cn_id"].status(pl.Series(numbers)).to_list()
    for number, status in zip(numbers, statuses, strict=True):
        expected = ric.calc_check_digit(number) == number[-1]
        assert (status == "valid") == expected, number
        assert status in {"valid", "invalid"}


@SETTINGS
@given(st.lists(st.text(alphabet="0123456789", min_size=15, max_size=19), min_size=1, max_size=50))
def test_luhn_matches_stdnum(numbers: list[str]) -> None:
    from leaktrace.detect.types.bank_card import luhn_ok

    assert _eval(luhn_ok(pl.col("v")), numbers) == [luhn.is_valid(n) for n in numbers]


@SETTINGS
@given(st.lists(st.text(alphabet="0123456789", min_size=15, max_size=19), min_size=1, max_size=50))
def test_bank_card_fast_and_slow_paths_agree(numbers: list[str]) -> None:
    unit = CATALOGUE["bank_card"]
    plain = unit.status(pl.Series(numbers)).to_list()
    spaced = unit.status(pl.Series([" ".join([n[:4], n[4:]]) for n in numbers])).to_list()
    assert plain == spaced


uscc_alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=2, max_size=2)
            | st.text(alphabet="0123456789", min_size=2, max_size=2)
            | st.sampled_from(sorted(ISSUED_PREFIXES)),
            st.text(alphabet="0123456789", min_size=6, max_size=6),
            st.text(alphabet=uscc_alphabet, min_size=10, max_size=10),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_uscc_valid_matches_stdnum(parts: list[tuple[str, str, str]]) -> None:
    codes = [a + b + c for a, b, c in parts]
    # half of them with the right check character, so both outcomes are exercised
    codes = [c[:17] + uscc.calc_check_digit(c[:17]) if i % 2 else c for i, c in enumerate(codes)]
    ours = CATALOGUE["uscc"].status(pl.Series(codes)).to_list()
    # stdnum checks the characters and the check character (and wants digits in the first two
    # places, which A…, N… and Y… codes don't have); the authority and kind must be a pair the
    # standard lists (typed from GB 32100-2015 and its registry's additions, tests/detect/
    # test_uscc_prefix.py)
    expected = [
        c[:2] in ISSUED_PREFIXES
        and c[17] == uscc.calc_check_digit(c[:17])
        and (uscc.is_valid(c) or c[0] in "ANY")
        for c in codes
    ]
    assert [s == "valid" for s in ours] == expected


@SETTINGS
@given(st.lists(st.integers(13_000_000_000, 19_999_999_999), min_size=1, max_size=50))
def test_mobile_valid_matches_phonenumbers(values: list[int]) -> None:
    numbers = [str(v) for v in values]
    ours = CATALOGUE["mobile"].status(pl.Series(numbers)).to_list()
    for number, status in zip(numbers, ours, strict=True):
        parsed = phonenumbers.parse(number, "CN")
        expected = phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        assert (status == "valid") == expected, number
    assert mobile.carrier("13812345678") == "中国移动"


def _vin_reference(code: str) -> str:
    """Check character per ISO 3779 / 49 CFR 565.15, written out the textbook way."""
    values = {**{str(d): d for d in range(10)}}
    for letters, start in (("ABCDEFGH", 1), ("JKLMN", 1), ("P", 7), ("R", 9), ("STUVWXYZ", 2)):
        for i, letter in enumerate(letters):
            values[letter] = start + i
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum(values[ch] * w for ch, w in zip(code, weights, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


@SETTINGS
@given(
    st.lists(
        st.text(alphabet="0123456789ABCDEFGHJKLMNPRSTUVWXYZ", min_size=17, max_size=17),
        min_size=1,
        max_size=50,
    )
)
def test_vin_check_matches_reference(codes: list[str]) -> None:
    assert _eval(vin.check_char(pl.col("v")), codes) == [_vin_reference(c) for c in codes]
