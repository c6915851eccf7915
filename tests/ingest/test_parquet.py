"""Parquet: typed columns come out as text, integral floats without `.0`."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .conftest import only_evidence, rows


def test_parquet_columns_become_text(tmp_path: Path) -> None:
    path = tmp_path / "people.parquet"
    pl.DataFrame(
        {
            "姓名": ["张三", ""],
            "手机": [13800000000.0, 13900000000.5],
            "年龄": [30, None],
            "标签": [["a"], []],
        }
    ).write_parquet(path)
    ev = only_evidence(path)
    assert (ev.format, ev.encoding) == ("parquet", None)
    assert ev.tables[0].columns == ["姓名", "手机", "年龄", "标签"]
    assert rows(ev) == [
        {"姓名": "张三", "手机": "13800000000", "年龄": "30", "标签": '["a"]'},
        {"姓名": None, "手机": "13900000000.5", "年龄": None, "标签": "[]"},
    ]
