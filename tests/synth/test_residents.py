"""residents(): every canonical value is valid by the reference validators, and seeds reproduce."""

from __future__ import annotations

import re
from collections import Counter

import phonenumbers
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn, numdb
from stdnum.cn import ric, uscc

from leaktrace.synth import RESIDENT_COLUMNS, residents
from leaktrace.synth import _reference as ref

N = 5_000


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    return residents(N, seed=11)


def test_columns_and_size(people: pl.DataFrame) -> None:
    assert people.columns == RESIDENT_COLUMNS
    assert people.height == N
    assert people["person_id"].to_list() == list(range(N))


def test_every_cn_id_has_a_correct_check_digit_and_a_known_county(people: pl.DataFrame) -> None:
    loc = numdb.get("cn/loc")
    for cn_id in people["cn_id"]:
        assert re.fullmatch(r"\d{17}[\dX]", cn_id)
        assert cn_id[-1] == ric.calc_check_digit(cn_id)
        assert loc.info(cn_id[:6])[-1][1], cn_id  # the county level exists in stdnum's data


def test_cn_id_carries_birth_date_and_sex(people: pl.DataFrame) -> None:
    for cn_id, birth, gender in people.select("cn_id", "birth_date", "gender").iter_rows():
        assert ric.get_birth_date(cn_id) == birth
        assert int(cn_id[16]) % 2 == (1 if gender == "男" else 0)


def test_cn_id_counties_favour_jiande_and_hangzhou(people: pl.DataFrame) -> None:
    prefixes = people["cn_id"].str.slice(0, 6)
    assert 0.25 < (prefixes == "330182").mean() < 0.45
    assert 0.45 < prefixes.str.starts_with("3301").mean() < 0.75
    assert 0.08 < (~prefixes.str.starts_with("33")).mean() < 0.3


def test_adults_of_plausible_age(people: pl.DataFrame) -> None:
    years = people["birth_date"].dt.year()
    assert years.min() >= 2024 - 89
    assert years.max() <= 2024 - 18


def test_mobiles_are_valid_cn_mobile_numbers(people: pl.DataFrame) -> None:
    for mobile in people["mobile"]:
        number = phonenumbers.parse(mobile, "CN")
        assert phonenumbers.is_valid_number(number), mobile
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


def test_landlines_are_valid_fixed_lines_with_hangzhou_most_common(people: pl.DataFrame) -> None:
    landlines = people["landline"].drop_nulls()
    for landline in landlines:
        number = phonenumbers.parse(landline, "CN")
        assert phonenumbers.is_valid_number(number), landline
    assert landlines.str.starts_with("0571-").mean() > 0.5


def test_bank_cards_pass_luhn_under_known_bins(people: pl.DataFrame) -> None:
    bins = dict(zip(ref.table("bank_bins")["bin"], ref.table("bank_bins")["length"], strict=True))
    cards = people["bank_card"].drop_nulls()
    assert cards.len() > N * 0.8
    for card in cards:
        assert luhn.is_valid(card), card
        assert len(card) == int(bins[card[:6]])


def test_uscc_are_valid(people: pl.DataFrame) -> None:
    codes = people["uscc"].drop_nulls()
    assert codes.len() > N * 0.6
    assert all(uscc.is_valid(code) for code in codes.unique())


def _vin_check(vin: str) -> str:
    values = {c: i for i, c in enumerate("0123456789")}
    values |= dict(
        zip(
            "ABCDEFGHJKLMNPRSTUVWXYZ",
            [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9],
            strict=True,
        )
    )
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum(values[c] * w for c, w in zip(vin, weights, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def test_vins_have_iso_3779_check_digit_and_go_with_plates(people: pl.DataFrame) -> None:
    cars = people.filter(pl.col("plate").is_not_null())
    assert people["vin"].null_count() == people["plate"].null_count()
    for vin in cars["vin"]:
        assert re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vin)
        assert vin[8] == _vin_check(vin), vin


def test_plates_ordinary_and_new_energy(people: pl.DataFrame) -> None:
    plates = people["plate"].drop_nulls()
    ordinary = plates.str.contains(r"^[\u4e00-\u9fff][A-Z][A-HJ-NP-Z0-9]{5}$")
    energy = plates.str.contains(r"^[\u4e00-\u9fff][A-Z][DF]\d{5}$")
    assert (ordinary | energy).all()
    assert 0.05 < energy.mean() < 0.2
    assert plates.str.starts_with("浙A").mean() > 0.7


def test_emails_qq_wechat_passport_ip_look_right(people: pl.DataFrame) -> None:
    assert people["email"].drop_nulls().str.contains(r"^[a-z0-9]+@[a-z0-9]+\.(com|cn)$").all()
    assert people["qq"].str.contains(r"^[1-9]\d{7,9}$").all()
    assert people["wechat"].drop_nulls().str.contains(r"^[a-z][a-z0-9_]{5,19}$").all()
    assert people["passport"].drop_nulls().str.contains(r"^E\d{8}$").all()
    octets = people["ip"].str.split(".").to_list()
    assert all(len(o) == 4 and all(0 <= int(x) <= 255 for x in o) for o in octets)


def test_addresses_are_full_and_match_their_parts(people: pl.DataFrame) -> None:
    for row in people.head(500).iter_rows(named=True):
        address = row["address"]
        assert address.startswith("浙江省杭州市" + row["district"] + row["subdistrict"])
        room = f"{row['community']}{row['building']}幢{row['unit']}单元{row['room']}室"
        assert address.endswith(room)
    assert people["area"].min() >= 38
    assert (people["area"] * 10 == (people["area"] * 10).round()).all()


def test_coordinates_fall_inside_the_estate_box(people: pl.DataFrame) -> None:
    estates = ref.table("communities").with_columns(pl.col("lat", "lng", "radius").cast(pl.Float64))
    joined = people.join(estates, on=["community", "district"], suffix="_estate")
    assert joined.height == people.height
    assert ((joined["lat"] - joined["lat_estate"]).abs() <= joined["radius"] + 1e-6).all()
    assert ((joined["lng"] - joined["lng_estate"]).abs() <= joined["radius"] + 1e-6).all()


def test_surnames_follow_realistic_frequencies() -> None:
    many = residents(100_000, seed=3)
    surname = many["name"].str.slice(0, 1)
    top = [s for s, _ in Counter(surname.to_list()).most_common(5)]
    assert set(top[:3]) == {"王", "李", "张"}
    assert set(top) <= {"王", "李", "张", "刘", "陈", "杨"}
    assert many["name"].str.starts_with("欧阳").sum() > 0
    assert many["name"].str.len_chars().is_between(2, 4).all()


def test_same_seed_same_people_other_seed_other_people() -> None:
    assert residents(300, seed=5).equals(residents(300, seed=5))
    assert not residents(300, seed=5)["cn_id"].equals(residents(300, seed=6)["cn_id"])


def test_communities_limits_where_people_live() -> None:
    estate = residents(200, seed=1, communities=["金都花园"])
    assert set(estate["community"]) == {"金都花园"}
    assert set(estate["district"]) == {"建德市"}
    with pytest.raises(ValueError, match="unknown communities"):
        residents(10, seed=1, communities=["不存在小区"])


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**63 - 1), n=st.integers(min_value=1, max_value=60))
def test_any_seed_gives_valid_ids_cards_and_mobiles(seed: int, n: int) -> None:
    people = residents(n, seed=seed)
    assert people.height == n
    assert all(ric.calc_check_digit(v) == v[-1] for v in people["cn_id"])
    assert all(luhn.is_valid(v) for v in people["bank_card"].drop_nulls())
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(v, "CN")) for v in people["mobile"])
