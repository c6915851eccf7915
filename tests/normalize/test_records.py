"""records(): canonical fields, row status and reason, types and keys, against synth's truth."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from leaktrace.detect import check_columns, classify_columns
from leaktrace.normalize import (
    EXCEL_ID,
    MOBILE_SEGMENT,
    RECORD_SCHEMA,
    TYPE_BITS,
    records,
    types_of,
)
from leaktrace.normalize._address import clean_text
from leaktrace.normalize._keys import field_seed, identifier_keys
from leaktrace.synth import NoiseRates, noisy, residents

COLUMNS = {"姓名": "name", "手机号": "mobile", "身份证号": "cn_id", "地址": "address"}


def _records(table: pl.DataFrame, parts: bool = True) -> pl.DataFrame:
    profiles = classify_columns(list(table.columns), table)
    return records(table, profiles, parts=parts)


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    return residents(400, seed=31)


def test_every_valid_form_normalises_to_the_canonical_value(people: pl.DataFrame) -> None:
    clean = NoiseRates(variant=0.9, invalid=0.0, masked=0.0, typo=0.0, duplicate=0.0)
    table = noisy(people, COLUMNS, 31, rates=clean)
    recs = _records(table.frame)
    assert recs.get_column("status").unique().to_list() == ["valid"]
    truth = people.gather(table.person_id)
    assert recs.get_column("mobile").equals(truth.get_column("mobile"), check_names=False)
    assert recs.get_column("cn_id").equals(truth.get_column("cn_id"), check_names=False)
    assert recs.get_column("cn_id").str.contains(r"^\d{17}[\dX]$").all()
    assert recs.get_column("name").equals(truth.get_column("name"), check_names=False)
    for part in ("district", "community", "building", "unit", "room"):
        assert recs.get_column(part).equals(truth.get_column(part).cast(pl.String)), part


def test_repeats_of_a_person_share_person_and_content_keys(people: pl.DataFrame) -> None:
    rates = NoiseRates(variant=0.5, invalid=0.0, masked=0.0, typo=0.0, duplicate=0.2)
    table = noisy(people, COLUMNS, 32, rates=rates)
    recs = _records(table.frame).with_columns(table.person_id)
    per_person = recs.group_by("person_id").agg(
        pl.col("person_key").n_unique(), pl.col("content_key").n_unique()
    )
    assert per_person.get_column("person_key").max() == 1
    assert per_person.get_column("content_key").max() == 1
    assert recs.get_column("person_key").n_unique() == people.height


def test_row_status_follows_the_identifying_cells(people: pl.DataFrame) -> None:
    rates = NoiseRates(variant=0.3, invalid=0.15, masked=0.15, typo=0.0, duplicate=0.0)
    table = noisy(
        people, {"姓名": "name", "手机号": "mobile", "身份证号": "cn_id"}, 33, rates=rates
    )
    recs = _records(table.frame)
    status = table.status
    rank = {"valid": 3, "invalid": 2, "masked": 1}
    expected = [
        {3: "valid", 2: "invalid", 1: "masked"}[
            max(rank.get(row["手机号"] or "", 0), rank.get(row["身份证号"] or "", 0))
        ]
        for row in status.iter_rows(named=True)
    ]
    assert recs.get_column("status").to_list() == expected
    excluded = recs.filter(pl.col("status") != "valid")
    assert excluded.get_column("reason").null_count() == 0
    assert recs.filter(pl.col("status") == "valid").get_column("reason").null_count() == len(
        [s for s in expected if s == "valid"]
    )


def test_reasons_name_excel_mangled_ids_and_unknown_segments() -> None:
    table = pl.DataFrame(
        {
            "姓名": ["张三", "李四", "王五"],
            "身份证号": ["3.30182E+17", "3.30182E+17", "330182199001011236"],
            "手机号": ["13812345678", "10012345678", "10012345678"],
        }
    )
    profiles = classify_columns(["姓名", "身份证号", "手机号"], table)
    recs = records(table, profiles)
    assert recs.get_column("status").to_list() == ["valid", "invalid", "valid"]
    assert recs.get_column("reason").to_list() == [None, EXCEL_ID, None]
    only_phone = records(table.select("姓名", "手机号").tail(1), profiles)
    assert only_phone.get_column("reason").to_list() == [MOBILE_SEGMENT]


def test_types_bitmask_names_the_valid_fields(people: pl.DataFrame) -> None:
    clean = NoiseRates(variant=0.0, invalid=0.0, masked=0.0, typo=0.0, duplicate=0.0)
    table = noisy(
        people.head(5), {"姓名": "name", "手机号": "mobile", "房号": "room"}, 34, rates=clean
    )
    recs = _records(table.frame)
    assert types_of(recs.get_column("types")[0]) == {"name", "mobile", "room"}
    assert (
        recs.get_column("types")[0] == TYPE_BITS["name"] | TYPE_BITS["mobile"] | TYPE_BITS["room"]
    )


def test_schema_is_fixed_and_the_fast_path_keeps_person_keys(people: pl.DataFrame) -> None:
    table = noisy(people, COLUMNS, 35)
    full = _records(table.frame)
    fast = _records(table.frame, parts=False)
    assert full.schema == fast.schema == pl.Schema(RECORD_SCHEMA)
    assert full.get_column("person_key").equals(fast.get_column("person_key"))
    assert fast.get_column("content_key").null_count() == fast.height


def test_columns_keeps_those_of_the_schema_with_the_same_values(people: pl.DataFrame) -> None:
    table = noisy(people, COLUMNS, 36)
    profiles = classify_columns(list(table.frame.columns), table.frame)
    full = records(table.frame, profiles, parts=False)
    few = records(table.frame, profiles, parts=False, columns={"person_key", "status", "types"})
    assert few.columns == ["types", "status", "person_key"]  # in the schema's order
    assert few.equals(full.select(few.columns))


@pytest.mark.parametrize("seed", [41, 42])
def test_identifier_keys_hash_the_first_identifier_of_each_row(seed: int) -> None:
    # The key's definition, as one expression: the first identifier present, hashed with its
    # field's seed. identifier_keys hashes each field only where no earlier one is present,
    # over every row, many rows or a few: all three must give exactly these keys.
    rng = np.random.default_rng(seed)
    people = residents(2_000, seed=seed)
    fields = ["cn_id", "mobile", "email"]
    nulls = {"cn_id": 0.7, "mobile": 0.05, "email": 0.5}
    frame = people.select(
        pl.when(pl.lit(rng.random(people.height) >= nulls[f])).then(pl.col(f)).alias(f)
        for f in fields
    )
    definition = pl.coalesce(
        pl.when(pl.col(f).is_not_null()).then(pl.col(f).hash(seed=field_seed(f))) for f in fields
    )
    for case in (frame, frame.with_columns(pl.col("mobile").fill_null("13800000000"))):
        expected = case.select(definition).to_series()
        assert identifier_keys(case, fields).equals(expected, check_names=False)
    full = frame.with_columns(pl.col("cn_id").fill_null("x"))
    assert identifier_keys(full, fields).equals(full.get_column("cn_id").hash(field_seed("cn_id")))
    assert identifier_keys(frame, []).null_count() == frame.height


def test_an_empty_batch_and_a_batch_without_personal_columns() -> None:
    table = pl.DataFrame({"备注": ["已交房", None]}, schema={"备注": pl.String})
    recs = records(table, classify_columns(["备注"], table))
    assert recs.get_column("status").to_list() == ["empty", "empty"]
    assert records(table.head(0), []).height == 0


def test_values_taken_as_written_need_no_cleaning() -> None:
    """Names, addresses and rooms a fast path took as written skip the NFKC pass: they are plain."""
    addresses = [
        "浙江省杭州市西湖区文三路100号",
        "浙江省杭州市西湖区文三路１００号",
        "浙江省杭州市西湖区文三路100号\u3000",
        "浙江省杭州市西湖区文三路100号\u2160",
        "浙江省杭州市西湖区金都花园3幢2单元1201室",
        "浙江省杭州市西湖区金都花园3幢2单元１２０１室",
    ]
    rooms = [
        "3幢2单元1201室",
        "３幢2单元1201室",
        "3幢2单元1201室\u00a0",
        "3-2-1201",
        "3-2-１２０１",
        "A座1201",
    ]
    names = ["张三", "张 三", "欧阳娜娜", "张\u3000三", "\u2f45三"]
    table = pl.DataFrame(
        {"地址": addresses, "房号": rooms, "姓名": [*names, "李四"]},
        schema=dict.fromkeys(["地址", "房号", "姓名"], pl.String),
    )
    columns = [("地址", "address"), ("房号", "room"), ("姓名", "name")]
    for (name, _), (_, value, fast) in zip(columns, check_columns(table, columns), strict=True):
        taken = value.filter(fast)
        assert taken.len() >= 2, name
        cleaned = pl.select(clean_text(pl.lit(taken))).to_series()
        assert cleaned.equals(taken, check_names=False), name
    recs = records(table, classify_columns(list(table.columns), table))
    assert recs.get_column("name").to_list()[:2] == ["张三", "张三"]
    assert recs.get_column("address")[1] == "浙江省杭州市西湖区文三路100号"
