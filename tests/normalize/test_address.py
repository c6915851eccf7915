"""The address splitter against the generator's canonical address parts."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.normalize import ADDRESS_PARTS, split_address, split_room
from leaktrace.synth import residents

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _truth(people: pl.DataFrame) -> pl.DataFrame:
    return people.select(pl.col(p).cast(pl.String) for p in ADDRESS_PARTS)


def test_split_address_recovers_every_part_of_generated_addresses() -> None:
    people = residents(5_000, seed=11)
    assert split_address(people["address"]).equals(_truth(people))


def test_split_address_finds_district_and_estate_without_province_or_city() -> None:
    people = residents(500, seed=12)
    short = people["address"].str.replace("^浙江省杭州市", "")
    parts = split_address(short)
    for part in ("district", "community", "building", "unit", "room"):
        assert parts[part].equals(people[part].cast(pl.String)), part
    assert parts["province"].null_count() == 500


def test_split_address_reads_dong_spaces_and_full_width_digits_alike() -> None:
    people = residents(300, seed=13)
    messy = people["address"].map_elements(
        lambda a: a.replace("幢", " 栋 ").translate(FULL_WIDTH), return_dtype=pl.String
    )
    assert split_address(messy).equals(_truth(people))


def test_split_address_handles_municipalities_and_missing_values() -> None:
    parts = split_address(pl.Series(["北京市朝阳区建国路1号阳光家园3-2-1201", None, ""]))
    assert parts.row(0) == ("北京市", "北京市", "朝阳区", "阳光家园", "3", "2", "1201")
    assert parts.row(1) == (None,) * 7
    assert parts.row(2) == (None,) * 7


def test_a_road_named_like_an_estate_is_not_an_estate() -> None:
    parts = split_address(pl.Series(["上海市浦东新区张江镇科苑路1号", "严州新城5号楼1单元301室"]))
    assert parts["community"].to_list() == [None, "严州新城"]
    assert parts.row(1)[4:] == ("5", "1", "301")


@settings(deadline=None)  # the first example loads the compiled splitter
@given(
    building=st.integers(1, 99),
    unit=st.integers(1, 9),
    room=st.integers(101, 3299),
    form=st.sampled_from(
        ["{b}-{u}-{r}", "{b}幢{u}单元{r}室", "{b}栋{u}单元{r}", "0{b}幢 {u} 单元 {r}"]
    ),
    wide=st.booleans(),
)
def test_split_room_gives_the_same_parts_for_every_way_of_writing_a_room(
    building: int, unit: int, room: int, form: str, wide: bool
) -> None:
    text = form.format(b=building, u=unit, r=room)
    if wide:
        text = text.translate(FULL_WIDTH)
    assert split_room(pl.Series([text])).row(0) == (str(building), str(unit), str(room))


def test_split_room_without_unit() -> None:
    assert split_room(pl.Series(["12-301", "3栋1201"])).rows() == [
        ("12", None, "301"),
        ("3", None, "1201"),
    ]
