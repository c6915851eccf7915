"""The kernels' view of a column: each cell's bytes read in place from Polars' string views."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from leaktrace.detect._bytes import cell_spans
from leaktrace.synth import NoiseRates, noisy, residents


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    frame = residents(3_000, seed=31)
    columns = {c: c for c in ("name", "cn_id", "mobile", "email", "bank_card", "address", "room")}
    rates = NoiseRates(variant=0.3, invalid=0.1, masked=0.1, typo=0.1, empty=0.1, duplicate=0.0)
    return noisy(frame, columns, seed=31, rates=rates).frame


def _cells(s: pl.Series) -> list[bytes | None]:
    """Each cell's bytes as the kernels see them (None where the column has a null)."""
    spans, text, owner = cell_spans(s)
    cells = [bytes(text[a:b]) for a, b in spans.tolist()]
    del owner
    return [None if v is None else c for c, v in zip(cells, s.to_list(), strict=True)]


def _expected(s: pl.Series) -> list[bytes | None]:
    return [None if v is None else v.encode() for v in s.cast(pl.String).to_list()]


def test_spans_give_every_cell_its_utf8_bytes(people: pl.DataFrame) -> None:
    # short cells (in the view itself, up to 12 bytes), long ones (in a data buffer), empty
    # text and nulls, Han characters and ASCII
    for column in people.columns:
        s = people.get_column(column)
        assert _cells(s) == _expected(s), column


def test_spans_follow_slices_filters_and_gathers(people: pl.DataFrame) -> None:
    address = people.get_column("address")
    derived = [
        address.slice(1_234, 500),
        address.filter(address.str.len_bytes() > 30),
        address.gather(np.arange(address.len())[::-7]),
        pl.select(pl.when(pl.lit(address).str.contains("号")).then(pl.lit(address))).to_series(),
    ]
    for s in derived:
        assert _cells(s) == _expected(s)


def test_spans_read_a_column_of_many_chunks(people: pl.DataFrame) -> None:
    parts = [people.get_column("name").slice(i, 700) for i in range(0, people.height, 700)]
    s = pl.concat(parts, rechunk=False)
    assert s.n_chunks() > 1
    assert _cells(s) == _expected(s)


def test_a_null_view_that_points_nowhere_gets_an_empty_span() -> None:
    # Arrow leaves a null cell's view unspecified and Polars keeps what it is given: this one
    # names a data buffer that does not exist, and a kernel must not read where it points
    views = np.array([[20, int.from_bytes(b"abcd", "little"), 0, 0], [1000, 0, 7, 123_456]])
    validity = np.packbits([1, 0], bitorder="little").tobytes()
    buffers = [validity, views.astype(np.uint32).tobytes(), b"abcdefghijklmnopqrstuvwxyz"]
    arrow = pa.Array.from_buffers(pa.string_view(), 2, [pa.py_buffer(b) for b in buffers])
    s = pl.Series(pl.from_arrow(arrow))
    spans, text, owner = cell_spans(s)
    assert bytes(text[spans[0, 0] : spans[0, 1]]) == b"abcdefghijklmnopqrst"
    assert spans[1, 0] == spans[1, 1]
    del owner


def test_spans_of_a_column_that_is_not_text() -> None:
    s = pl.Series([13812345678, None, 7], dtype=pl.Int64)
    assert _cells(s) == [b"13812345678", None, b"7"]
    assert _cells(pl.Series([None, None])) == [None, None]
