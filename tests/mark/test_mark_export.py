"""What a marked export contains: the same people, keyed spellings, at most 1% honey."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.errors import UsageError
from leaktrace.mark import Exporter, Registry, mark_export, variants
from leaktrace.mark.code import SLOT_INDEX, SLOTS
from leaktrace.synth.leak import owners, read_export, write_table

IDENTITY = ["姓名", "手机号", "身份证号", "电子邮箱"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Registry, pl.DataFrame]:
    root = tmp_path_factory.mktemp("mark")
    frame = owners(1_000, seed=5)
    master = write_table(frame, root / "owners.csv")
    return master, Registry.create(str(root / "reg.db")), frame


def _real_rows(export: pl.DataFrame) -> pl.DataFrame:
    return export.filter(pl.col("身份证号").is_not_null())


def test_names_phones_ids_and_emails_are_never_altered(setup, tmp_path: Path) -> None:
    master, reg, frame = setup
    mark_export(master, recipient="a", registry=reg, out=tmp_path / "a.csv")
    export = read_export(tmp_path / "a.csv")
    assert (
        _real_rows(export)
        .select(IDENTITY)
        .sort(IDENTITY)
        .equals(frame.select(IDENTITY).sort(IDENTITY))
    )


def test_exports_differ_only_in_marked_columns(setup, tmp_path: Path) -> None:
    master, reg, _ = setup
    mark_export(master, recipient="a", registry=reg, out=tmp_path / "a.csv")
    mark_export(master, recipient="b", registry=reg, out=tmp_path / "b.csv")
    a = _real_rows(read_export(tmp_path / "a.csv")).sort("身份证号")
    b = _real_rows(read_export(tmp_path / "b.csv")).sort("身份证号")
    differing = [c for c in a.columns if not a[c].equals(b[c])]
    assert set(differing) == {"楼栋", "单元", "房号", "建筑面积", "交付日期", "地址"}


def test_honey_records_are_at_most_one_percent_and_invent_no_phone(setup, tmp_path) -> None:
    master, reg, _ = setup
    result = mark_export(master, recipient="c", registry=reg, out=tmp_path / "c.csv")
    export = read_export(tmp_path / "c.csv")
    honey = export.filter(pl.col("身份证号").is_null())
    assert 0 < honey.height == result.honey <= 0.01 * (export.height - honey.height)
    assert honey["手机号"].null_count() == honey.height
    assert honey["电子邮箱"].null_count() == honey.height
    assert any("no --trap-pool" in n for n in result.notes)
    assert honey["姓名"].null_count() == 0 and honey["小区"].null_count() == 0


def test_honey_phones_and_emails_come_only_from_the_trap_pool(tmp_path: Path) -> None:
    master = write_table(owners(1_000, seed=8), tmp_path / "owners.csv")
    pool = [f"1700000{i:04d}" for i in range(10)] + [f"trap{i}@holder.example" for i in range(10)]
    (tmp_path / "pool.txt").write_text("\n".join(pool) + "\n")
    reg = Registry.create(str(tmp_path / "reg.db"))
    mark_export(
        master, recipient="a", registry=reg, out=tmp_path / "a.csv", trap_pool=tmp_path / "pool.txt"
    )
    honey = read_export(tmp_path / "a.csv").filter(pl.col("身份证号").is_null())
    phones = set(honey["手机号"].drop_nulls().to_list())
    mails = set(honey["电子邮箱"].drop_nulls().to_list())
    assert phones and phones <= set(pool)
    assert mails and mails <= set(pool)


def test_spellings_depend_on_the_record_not_on_the_subset_or_order(setup) -> None:
    master, reg, frame = setup
    exporter = Exporter.open(master, reg)
    dist = exporter.distribute("d")
    whole = exporter.render(dist)
    half = np.zeros(frame.height, dtype=bool)
    half[::2] = True
    part = exporter.render(replace(dist, records=half, honey=np.zeros_like(dist.honey)))
    joined = part.join(whole, on="身份证号", suffix="_whole")
    assert joined.height == half.sum()
    for column in ("楼栋", "房号", "建筑面积", "交付日期", "地址"):
        assert joined[column].equals(joined[f"{column}_whole"], check_names=False)


def test_xlsx_master_gives_an_xlsx_export(tmp_path: Path) -> None:
    master = write_table(owners(200, seed=9), tmp_path / "owners.xlsx")
    reg = Registry.create(str(tmp_path / "reg.db"))
    mark_export(master, recipient="a", registry=reg, out=tmp_path / "a.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes()[:2] == b"PK"
    assert read_export(tmp_path / "a.xlsx").height >= 200


def test_gbk_master_gives_a_gbk_export(tmp_path: Path) -> None:
    master = write_table(owners(200, seed=9), tmp_path / "owners.csv", encoding="gbk")
    reg = Registry.create(str(tmp_path / "reg.db"))
    mark_export(master, recipient="a", registry=reg, out=tmp_path / "a.csv")
    text = (tmp_path / "a.csv").read_bytes().decode("gbk")
    assert text.startswith("姓名,手机号")


def test_a_name_column_cannot_be_marked_free_to_vary(setup, tmp_path: Path) -> None:
    _, _, frame = setup
    master = write_table(frame.head(100), tmp_path / "small.csv")
    reg = Registry.create(str(tmp_path / "reg.db"))
    with pytest.raises(UsageError, match="never altered"):
        mark_export(
            master, recipient="a", registry=reg, out=tmp_path / "a.csv", vary=[("姓名", "room")]
        )


KIND_SAMPLES = {
    "building": "16幢",
    "unit": "2单元",
    "room": "16幢2单元802室",
    "area": "86.7",
    "date": "2013-06-23",
    "address": "浙江省杭州市西湖区古墩路588号文鼎苑16幢2单元802室",
}


@settings(max_examples=12, deadline=None)
@given(st.lists(st.booleans(), min_size=len(SLOTS), max_size=len(SLOTS)), st.booleans())
def test_every_kind_reads_back_the_symbols_it_was_spelled_with(
    bits: list[bool], coin: bool
) -> None:
    row = np.array([bits])
    for kind, sample in KIND_SAMPLES.items():
        spelled = variants.encode(kind, pl.Series("v", [sample]), row, np.array([coin]))
        read = variants.read(kind, spelled)
        for slot, symbols in read.items():
            assert symbols[0] == int(bits[SLOT_INDEX[slot]]), (kind, slot, spelled[0])


def test_readers_ignore_full_width_digits_and_whitespace() -> None:
    got = variants.read("room", pl.Series(["８０２ 室", " 802\t", "８幢802", "****室"]))
    assert got["room"].tolist() == [1, 0, 0, -1]
    assert got["building"].tolist() == [-1, -1, 0, -1]
    assert variants.read("area", pl.Series(["86.7", "86.70", "86"]))["area"].tolist() == [1, -1, -1]


def test_an_export_keeps_the_masters_format(tmp_path: Path) -> None:
    master = write_table(owners(100, seed=9), tmp_path / "owners.xlsx")
    reg = Registry.create(str(tmp_path / "reg.db"))
    with pytest.raises(UsageError, match="master's format"):
        mark_export(master, recipient="a", registry=reg, out=tmp_path / "a.csv")
    assert reg.distributions() == []
