"""Parquet files, read row group by row group and rendered as text.

Parquet carries types, but the rest of LeakTrace works on text so that every format looks alike to
detection. Integral floats lose their `.0` (a phone saved as a double is still `13812345678`);
nested values become JSON text; binary becomes hex.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from leaktrace.errors import InputError

from ._csv import check_cells
from ._model import Limits, Table

_EXACT_FLOAT = 2.0**53


def read_parquet(path: Path, shown: str, limits: Limits) -> list[Table]:
    """One table named after the file, with the Parquet schema's column names."""
    try:
        columns = list(pq.ParquetFile(path).schema_arrow.names)
    except Exception as exc:
        raise InputError(
            f"parquet 文件损坏或不完整 corrupt or truncated parquet file ({exc})", shown
        ) from exc

    def batches() -> Iterator[pl.DataFrame]:
        seen = 0
        with pq.ParquetFile(path) as source:
            for record_batch in source.iter_batches(batch_size=limits.batch_rows):
                frame = pl.DataFrame(pl.from_arrow(record_batch))
                frame = as_text(frame)
                check_cells(frame, limits, shown, seen)
                seen += frame.height
                yield frame

    return [Table(Path(shown.rsplit("!/", 1)[-1]).name, columns, None, batches, shown)]


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as String, empty strings as null."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            expr = col
        elif dtype.is_float():
            expr = (
                pl.when(col.is_finite() & (col == col.floor()) & (col.abs() < _EXACT_FLOAT))
                .then(col.cast(pl.Int64).cast(pl.String))
                .otherwise(col.cast(pl.String))
            )
        elif dtype == pl.Binary:
            expr = col.bin.encode("hex")
        elif dtype.is_nested() or dtype == pl.Object:
            expr = col.map_elements(_json_text, return_dtype=pl.String)
        else:
            expr = col.cast(pl.String)
        exprs.append(pl.when(expr.str.len_bytes() > 0).then(expr).otherwise(None).alias(name))
    return frame.select(exprs)


def _json_text(value: object) -> str:
    if isinstance(value, pl.Series):
        value = value.to_list()
    return json.dumps(value, ensure_ascii=False, default=str)
