"""mark and trace key records as count does: the same canonical values and key texts."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from leaktrace.detect import ColumnProfile
from leaktrace.mark import Registry, RegistryError, mark_export, records
from leaktrace.normalize import key_hash
from leaktrace.normalize import records as normalize_records
from leaktrace.synth.leak import owners, write_table
from leaktrace.trace import trace


def _typed(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    return frame, records.column_types(frame)


def test_identifier_key_texts_are_the_canonical_values_count_keys() -> None:
    # typed by hand, the way lists write them: spaces, dashes, +86, full-width digits, x
    frame = pl.DataFrame(
        {
            "姓名": ["张伟", " 李娜 "],
            "手机号": ["+86 138 1234 5678", "１３９－８７６５－４３２１"],
            "身份证号": ["11010519491231002x", "330106198503151238"],
        }
    )
    ids = records.identity_fields(*_typed(frame))
    texts = records.key_texts(ids)
    assert texts.get_column("mobile").to_list() == [
        "mobile\x1f13812345678",
        "mobile\x1f13987654321",
    ]
    assert texts.get_column("cn_id").to_list() == [
        "cn_id\x1f11010519491231002X",
        "cn_id\x1f330106198503151238",
    ]
    assert texts.get_column("name_mobile").to_list()[1] == "name_mobile\x1f李娜\x1f13987654321"


def test_name_place_key_is_counts_person_key_of_a_record_without_identifier() -> None:
    frame = pl.DataFrame(
        {
            "姓名": ["王芳", "王芳", "陈静"],
            "地址": [
                "浙江省杭州市西湖区文三路100号金都花园3幢2单元1201室",
                "杭州市西湖区文三路100号金都花园03幢2单元1202室",
                "浙江省杭州市西湖区文三路100号金都花园3幢2单元1201室",
            ],
        }
    )
    types = {"姓名": "name", "地址": "address"}
    texts = records.key_texts(records.identity_fields(frame, types))
    profiles = [ColumnProfile(c, t, 1.0, False, "test") for c, t in types.items()]
    counted = normalize_records(frame, profiles).get_column("person_key")
    hashed = texts.select(key_hash(pl.col("name_place"))).to_series()
    assert hashed.to_list() == counted.to_list()
    assert counted.n_unique() == 3  # same name in another room, another name in the same room


def test_a_bare_room_number_still_gives_the_room_key() -> None:
    frame = pl.DataFrame({"姓名": ["赵敏"] * 4, "房号": ["1201", "1201室", "0801", "0801室"]})
    texts = records.key_texts(records.identity_fields(frame, {"姓名": "name", "房号": "room"}))
    assert texts.get_column("name_room").to_list() == [
        "name_room\x1f赵敏\x1f1201",
        "name_room\x1f赵敏\x1f1201",
        "name_room\x1f赵敏\x1f801",
        "name_room\x1f赵敏\x1f801",
    ]
    assert texts.get_column("name_place").to_list() == [None] * 4  # no estate, no address


def test_a_master_registered_with_other_keys_is_refused_not_matched_on_nothing(
    tmp_path: Path,
) -> None:
    master = write_table(owners(300, seed=8), tmp_path / "owners.csv")
    registry = Registry.create(str(tmp_path / "reg.db"))
    mark_export(master, recipient="甲", registry=registry, out=tmp_path / "a.csv")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'reg.db'}")
    with engine.begin() as conn:
        layout = conn.execute(sa.text("select layout from masters")).scalar_one()
        conn.execute(
            sa.text("update masters set layout = :l"),
            {"l": layout.replace(', "keys": "normalize/1"', "")},
        )
    with pytest.raises(RegistryError, match="earlier LeakTrace"):
        trace(tmp_path / "a.csv", Registry.open(str(tmp_path / "reg.db")))
