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
