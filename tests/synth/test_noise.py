"""noisy(): leak-style forms with a truthful status per cell."""

from __future__ import annotations

import re
from decimal import Decimal

import phonenumbers
import polars as pl
import pytest
from stdnum import luhn
from stdnum.cn import ric, uscc

from leaktrace.synth import TYPE_IDS, NoiseRates, Noisy, noisy, residents
from leaktrace.synth._noise import excel_number, field_values

_FROM_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    return residents(3_000, seed=21)


@pytest.fixture(scope="module")
def messy(people: pl.DataFrame) -> Noisy:
    columns = {t: t for t in TYPE_IDS} | {"序号": "seq", "金额": "amount", "备注": "note"}
    rates = NoiseRates(
        variant=0.5, invalid=0.1, masked=0.1, typo=0.05, duplicate=0.05, spreadsheet=0.1
    )
    return noisy(people, columns, seed=4, rates=rates)


def _is_phone(text: str) -> bool:
    """phonenumbers' verdict; a number it cannot even parse is not a valid phone."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, "CN"))
    except phonenumbers.NumberParseException:
        return False


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(_FROM_FULL_WIDTH))


def _canonical_mobile(text: str) -> str:
    digits = _digits(text)
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def _canonical_birth_date(text: str) -> str:
    year, month, day = (
        (int(p) for p in re.findall(r"\d+", text))
        if not text.isdigit()
        else (int(text[:4]), int(text[4:6]), int(text[6:]))
    )
    return f"{year:04d}-{month:02d}-{day:02d}"


def _rows(messy: Noisy, column: str, status: str) -> list[tuple[str, str, str]]:
    truth = dict(zip(range(3_000), field_values(residents(3_000, seed=21), column, 0), strict=True))
    return [
        (text, kind, truth[pid])
        for text, s, kind, pid in zip(
            messy.frame[column],
            messy.status[column],
            messy.forms[column],
            messy.person_id,
            strict=True,
        )
        if s == status
    ]


def test_valid_mobile_forms_round_trip_to_the_true_number(messy: Noisy) -> None:
    rows = _rows(messy, "mobile", "valid")
    kinds = {kind for _, kind, _ in rows}
    assert {"dashed", "intl", "full_width", "spaced", "intl_compact", "plain"} <= kinds
    assert {"excel_float", "excel_whole"} <= kinds
    for text, kind, true in rows:
        if kind.startswith("excel"):  # a spreadsheet's number, read exactly by decimal
            assert str(int(Decimal(text))) == true, text
            continue
        assert _canonical_mobile(text) == true, text


def test_valid_id_forms_round_trip_including_old_15_digit_ids(messy: Noisy) -> None:
    rows = _rows(messy, "cn_id", "valid")
    assert {"old15", "lower_x", "full_width", "spaced", "plain"} <= {k for _, k, _ in rows}
    for text, kind, true in rows:
        compact = re.sub(r"\s", "", text.translate(_FROM_FULL_WIDTH)).upper()
        if kind.startswith("excel"):
            assert str(int(Decimal(text))) == true, text
        elif kind == "old15":
            assert len(compact) == 15
            assert compact == true[:6] + true[8:17]
        else:
            assert compact == true
            assert ric.calc_check_digit(compact) == compact[-1]


def test_valid_card_landline_email_birth_date_forms_round_trip(messy: Noisy) -> None:
    for text, _, true in _rows(messy, "bank_card", "valid"):
        assert _digits(text) == true
    for text, _, true in _rows(messy, "landline", "valid"):
        assert _digits(text) == true.replace("-", "")
        assert _is_phone(text), text
    for text, _, true in _rows(messy, "email", "valid"):
        assert text.lower() == true
    for text, _, true in _rows(messy, "birth_date", "valid"):
        assert _canonical_birth_date(text) == true


def test_invalid_values_fail_their_validators(messy: Noisy) -> None:
    ids = _rows(messy, "cn_id", "invalid")
    assert {"excel", "bad_check", "bad_date"} <= {k for _, k, _ in ids}
    for text, kind, _ in ids:
        assert not ric.is_valid(text), text
        if kind == "excel":
            assert re.fullmatch(r"\d\.\d{1,5}E\+17", text), text
    for text, kind, true in _rows(messy, "mobile", "invalid"):
        assert not _is_phone(text), text
        if kind == "excel":  # digits lost: six significant ones are left
            assert len(re.sub(r"\D", "", text.split("E")[0])) < 11, text
            assert true.startswith(text[0])
    for text, _, _ in _rows(messy, "bank_card", "invalid"):
        assert not luhn.is_valid(text)
    for text, _, _ in _rows(messy, "uscc", "invalid"):
        assert not uscc.is_valid(text)


def test_masked_values_hide_characters_and_keep_the_rest(messy: Noisy) -> None:
    for column in ("mobile", "cn_id", "bank_card", "name"):
        rows = _rows(messy, column, "masked")
        assert rows
        for text, _, true in rows:
            assert "*" in text
            assert len(text) == len(true) or column == "name"
            assert text[0] == true[0]
    assert any(re.fullmatch(r"1\d{2}\*{4}\d{4}", t) for t, _, _ in _rows(messy, "mobile", "masked"))
    assert any(
        re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", t) for t, _, _ in _rows(messy, "cn_id", "masked")
    )


def test_rates_are_honoured(messy: Noisy, people: pl.DataFrame) -> None:
    assert messy.frame.height == people.height + round(people.height * 0.05)
    assert messy.person_id.is_duplicated().sum() == 2 * round(people.height * 0.05)
    status = messy.status["cn_id"]
    assert 0.07 < (status == "invalid").mean() < 0.13
    assert 0.07 < (status == "masked").mean() < 0.13


def test_repeated_rows_are_exact_copies_next_to_the_original(messy: Noisy) -> None:
    pids = messy.person_id.to_list()
    repeats = [i for i in range(1, len(pids)) if pids[i] == pids[i - 1]]
    assert repeats
    for i in repeats:
        assert messy.frame.row(i) == messy.frame.row(i - 1)


def test_non_pi_columns_have_null_type_and_status(messy: Noisy) -> None:
    for column in ("序号", "金额", "备注"):
        assert messy.types[column] is None
        assert messy.status[column].null_count() == messy.frame.height
    assert messy.types["mobile"] == "mobile"
    assert messy.frame.schema == dict.fromkeys(messy.frame.columns, pl.String)


def test_empty_cells_have_null_status(people: pl.DataFrame) -> None:
    made = noisy(people, {"手机号": "mobile"}, seed=1, rates=NoiseRates(empty=0.2, duplicate=0))
    empty = made.frame["手机号"].is_null()
    assert 0.15 < empty.mean() < 0.25
    assert made.status["手机号"].is_null().equals(empty)


def test_forms_can_be_restricted_per_column(people: pl.DataFrame) -> None:
    made = noisy(
        people,
        {"手机": "mobile"},
        seed=2,
        rates=NoiseRates(variant=1.0, invalid=0, masked=0, duplicate=0),
        forms={"手机": ["dashed"]},
    )
    assert made.frame["手机"].str.contains(r"^\d{3}-\d{4}-\d{4}$").all()


def test_excel_number_is_what_excel_shows() -> None:
    assert excel_number("330182199001011234") == "3.30182E+17"
    assert excel_number("330000000000000000") == "3.3E+17"


def test_same_seed_same_noise(people: pl.DataFrame) -> None:
    a = noisy(people.head(200), {"x": "cn_id", "y": "name"}, seed=9)
    b = noisy(people.head(200), {"x": "cn_id", "y": "name"}, seed=9)
    assert a.frame.equals(b.frame) and a.status.equals(b.status)
