"""Honey records' names come from mark's own vocabulary and read as names."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from leaktrace.mark import Registry, mark_export, records
from leaktrace.mark._honey import name_vocabulary
from leaktrace.synth.leak import owners, read_export, write_table


def test_honey_names_are_drawn_from_marks_vocabulary_and_are_valid_names(tmp_path: Path) -> None:
    surnames, given = name_vocabulary()
    assert len(surnames) == len(set(surnames)) == 120  # 百家姓, lines 1-30
    assert "赵" in surnames and "钱" in surnames and "天" in given and "玄" not in given
    master = write_table(owners(1_500, seed=21), tmp_path / "owners.csv")
    mark_export(
        master,
        recipient="甲",
        registry=Registry.create(str(tmp_path / "r.db")),
        out=tmp_path / "a.csv",
    )
    export = read_export(tmp_path / "a.csv")
    honey = export.filter(pl.col("身份证号").is_null())  # honey records carry no ID number
    assert 0 < honey.height <= 0.01 * export.height + 1
    names = honey.get_column("姓名").to_list()
    assert all(n[0] in surnames and all(c in given for c in n[1:]) for n in names)
    assert all(2 <= len(n) <= 3 for n in names)
    valid = records.normalise("name", honey.get_column("姓名"))
    assert valid.null_count() == 0
