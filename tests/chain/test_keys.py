"""``key_rows``: one owner written two ways has the same keys; estates and dates ride along."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from leaktrace.chain import KEY_FIELDS, key_rows, match
from leaktrace.detect import classify_columns
from leaktrace.synth import residents


def _keys(frame: pl.DataFrame) -> pl.DataFrame:
    profiles = classify_columns(list(frame.columns), frame)
    return key_rows(frame, profiles)


def _owners(n: int) -> pl.DataFrame:
    return residents(n, seed=41).select(
        "name", "mobile", "community", "building", "unit", "room", "address"
    )


def test_the_same_owner_written_two_ways_has_the_same_keys() -> None:
    people = _owners(40)
    plain = people.select(
        pl.col("name").alias("姓名"),
        pl.col("mobile").alias("手机"),
        pl.col("community").alias("小区"),
        pl.concat_str("building", pl.lit("幢"), "unit", pl.lit("单元"), "room", pl.lit("室")).alias(
            "房号"
        ),
        pl.lit("2016-05-03").alias("登记日期"),
    )
    messy = people.select(
        pl.col("name").alias("业主"),
        pl.concat_str(pl.lit("+86 "), pl.col("mobile")).alias("联系电话"),
        pl.concat_str(pl.lit(" "), pl.col("community")).alias("项目"),
        pl.concat_str(pl.lit("0"), "building", pl.lit("-"), "unit", pl.lit("-"), "room").alias(
            "房号"
        ),
        pl.lit("2016年5月3日").alias("日期"),
    )
    a, b = _keys(plain), _keys(messy)
    for field in ("mobile", "name_place"):
        number = KEY_FIELDS.index(field)
        ka = set(a.filter(pl.col("field") == number).get_column("key"))
        kb = set(b.filter(pl.col("field") == number).get_column("key"))
        assert len(ka) == 40 and ka == kb, field
    assert set(a.get_column("community")) == set(people.get_column("community"))
    assert set(b.get_column("community")) == set(people.get_column("community"))
    assert a.get_column("day").unique().to_list() == b.get_column("day").unique().to_list()


def test_estates_and_rooms_come_from_the_address_when_there_is_no_column() -> None:
    people = _owners(30)
    listed = people.select(pl.col("name").alias("姓名"), pl.col("address").alias("地址"))
    rows = _keys(listed)
    assert rows.filter(pl.col("field") == KEY_FIELDS.index("name_place")).height == 30
    assert set(rows.get_column("community")) == set(people.get_column("community"))


def test_a_list_without_phones_is_matched_on_name_and_room(tmp_path: Path) -> None:
    people = _owners(200)
    source = people.select(
        pl.col("name").alias("姓名"),
        pl.col("mobile").alias("手机"),
        pl.col("community").alias("小区"),
        pl.concat_str("building", pl.lit("幢"), "unit", pl.lit("单元"), "room", pl.lit("室")).alias(
            "房号"
        ),
    )
    source.write_csv(tmp_path / "source.csv")
    source.head(50).drop("手机").write_csv(tmp_path / "seized.csv")
    [found] = match([tmp_path / "seized.csv"], [tmp_path / "source.csv"]).matches
    best = found.best_source
    assert best is not None
    assert (best.field, best.matched, best.containment) == ("name_place", 50, 1.0)
    assert best.reverse == 0.25


def test_identifier_keys_are_counts_person_keys() -> None:
    """match and count key a person the same way: a row keyed by its mobile in count has that
    very key in match's mobile field (one key for the whole product, issue 14)."""
    from leaktrace.normalize import records

    people = _owners(25)
    listed = people.select(
        pl.col("name").alias("姓名"),
        pl.concat_str(
            pl.col("mobile").str.slice(0, 3), pl.lit("-"), pl.col("mobile").str.slice(3)
        ).alias("手机号"),
    )
    profiles = classify_columns(list(listed.columns), listed)
    counted = set(records(listed, profiles).get_column("person_key"))
    rows = key_rows(listed, profiles)
    matched = set(rows.filter(pl.col("field") == KEY_FIELDS.index("mobile")).get_column("key"))
    assert len(counted) == 25 and matched == counted
