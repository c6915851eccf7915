"""write_large_csv(): chunked output that is one valid CSV with the documented columns."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from stdnum.cn import ric

from leaktrace.synth import LARGE_CSV_TYPES, write_large_csv


def test_chunks_join_into_one_csv_with_one_header(tmp_path: Path) -> None:
    path = write_large_csv(tmp_path / "big.csv", rows=1_003, seed=2, chunk=100)
    frame = pl.read_csv(path, infer_schema=False)
    assert frame.columns == list(LARGE_CSV_TYPES)
    assert frame.height == 1_003
    assert all(ric.calc_check_digit(v) == v[-1] for v in frame["身份证号"])
    mobiles = frame["手机号"].str.replace_all("-", "")
    assert mobiles.str.contains(r"^1\d{10}$").all()
    assert 0.05 < frame["手机号"].str.contains("-").mean() < 0.3
    assert frame["金额"].str.contains(r"^\d+\.\d{2}$").all()


def test_same_seed_and_chunk_give_the_same_bytes(tmp_path: Path) -> None:
    a = write_large_csv(tmp_path / "a.csv", rows=500, seed=4, chunk=128)
    b = write_large_csv(tmp_path / "b.csv", rows=500, seed=4, chunk=128)
    assert a.read_bytes() == b.read_bytes()


def test_zero_rows_still_writes_the_header(tmp_path: Path) -> None:
    path = write_large_csv(tmp_path / "empty.csv", rows=0, seed=1)
    assert path.read_text(encoding="utf-8").strip() == ",".join(LARGE_CSV_TYPES)


def test_overlapping_files_hold_a_third_of_the_people_twice(tmp_path: Path) -> None:
    from leaktrace.synth._large import OVERLAP_SUBSETS, write_large_overlap

    truth = write_large_overlap(tmp_path, rows=8_000, files=4, seed=3, chunk=700)
    files = [pl.read_csv(tmp_path / f"part_{i}.csv", infer_schema=False) for i in range(4)]
    assert [f.columns for f in files] == [list(s) for s in OVERLAP_SUBSETS]
    assert [f.height for f in files] == [f["rows"] for f in truth["files"]]  # type: ignore[index]
    assert (
        truth["records"] == sum(f.height for f in files) == truth["persons"] + truth["in_two_files"]
    )
    assert abs(truth["records"] - 8_000) < 10
    assert round(truth["in_two_files"] / truth["persons"], 2) == 0.33

    # recount the second copies from the values themselves. 6,000 people in 16 blocks of 375:
    # each file holds its own 1,500 and 500 second copies of the previous file's people.
    assert truth["persons"] == 6_000 and [f.height for f in files] == [2_000] * 4

    def plain(values: pl.Series) -> set[str]:
        return set(values.drop_nulls().str.replace_all(r"^\+86 |-", ""))

    by_mobile = len(plain(files[0]["手机号"]) & plain(files[1]["手机号"]))  # file 0 -> 1
    by_email = len(plain(files[1]["邮箱"]) & plain(files[2]["邮箱"]))  # file 1 -> 2
    assert by_mobile == 500  # everyone has a mobile
    assert 300 < by_email < 450  # 30% have no e-mail
    # files 2 -> 3 and 3 -> 0 both hold a place (room or address): all 500 copies link there
    assert truth["linkable_in_two_files"] == by_mobile + by_email + 500 + 500
    # the same phone is written another way in some second copies
    assert files[1]["手机号"].str.starts_with("+86 ").any()


def test_overlapping_files_are_the_same_bytes_for_the_same_seed(tmp_path: Path) -> None:
    from leaktrace.synth._large import write_large_overlap

    write_large_overlap(tmp_path / "a", rows=2_000, files=3, seed=9)
    write_large_overlap(tmp_path / "b", rows=2_000, files=3, seed=9)
    for i in range(3):
        name = f"part_{i}.csv"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_damaged_cells_carry_the_generators_messy_forms(tmp_path: Path) -> None:
    clean = pl.read_csv(write_large_csv(tmp_path / "c.csv", 4_000, seed=6), infer_schema=False)
    path = write_large_csv(tmp_path / "d.csv", rows=4_000, seed=6, damaged=True, remarks=True)
    messy = pl.read_csv(path, infer_schema=False)
    assert messy.columns == [*LARGE_CSV_TYPES, "备注"]
    for column in ("姓名", "手机号", "身份证号", "地址", "房号", "银行卡号"):
        changed = (messy[column] != clean[column]).mean()
        # 38% of the cells (43% of phones and IDs) are drawn; some forms leave a value as it
        # was (a three-character name is not spaced, not every name has a typo to make)
        assert 0.08 < changed < 0.5, (column, changed)
    phones, ids = messy["手机号"], messy["身份证号"]
    assert phones.str.starts_with("+86").any() and phones.str.contains(r"\*{4}").any()
    assert phones.str.contains(r"^1\.\d+E\+10$").any() and phones.str.ends_with(".0").any()
    assert ids.str.contains(r"^\d{15}$").any() and ids.str.contains("[０-９]").any()
    assert messy["姓名"].str.contains(r"\*").any()
    # the remarks name the person as the damaged row shows them
    person = messy["备注"].str.extract(r"^转交(.+)$")
    named = person.is_not_null()
    assert named.sum() > 50
    assert (person.filter(named) == messy["姓名"].filter(named)).all()
    # the same seed gives the same bytes
    again = write_large_csv(tmp_path / "e.csv", rows=4_000, seed=6, damaged=True, remarks=True)
    assert again.read_bytes() == path.read_bytes()
