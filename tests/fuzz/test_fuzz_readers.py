"""Every reader, given random or mutated input, gives tables or one line saying why not.

A reader may refuse a file (``Failure`` from ``walk``, or ``LeakTraceError`` while its batches
are read); it may never raise anything else, and the reason is always one line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.errors import LeakTraceError
from leaktrace.ingest import Evidence, Failure, Limits, walk

from . import _inputs as inputs
from .conftest import FUZZ

LIMITS = Limits(batch_rows=64, max_archive_bytes=8 << 20)


def _read(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory(prefix="leaktrace-fuzz-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        for result in walk([path], limits=LIMITS):
            if isinstance(result, Failure):
                assert result.reason and "\n" not in result.reason, result.reason
                continue
            assert isinstance(result, Evidence)
            for table in result.tables:
                try:
                    for batch in table.batches():
                        assert all(dtype == pl.String for dtype in batch.dtypes)
                        assert batch.width == len(table.columns)
                except LeakTraceError as exc:
                    assert "\n" not in str(exc), str(exc)


SUFFIXES = st.sampled_from([".csv", ".txt", ".tsv", ".dat"])


@FUZZ
@given(
    st.one_of(inputs.delimited(), inputs.mutated(inputs.delimited()), st.binary(max_size=2048)),
    SUFFIXES,
)
def test_fuzz_csv_and_txt(data: bytes, suffix: str) -> None:
    _read(data, suffix)


@FUZZ
@given(st.one_of(inputs.xlsx_files, inputs.mutated(inputs.xlsx_files)))
def test_fuzz_xlsx(data: bytes) -> None:
    _read(data, ".xlsx")


@FUZZ
@given(st.one_of(inputs.xls_files, inputs.mutated(inputs.xls_files)))
def test_fuzz_xls(data: bytes) -> None:
    _read(data, ".xls")


@FUZZ
@given(
    st.one_of(inputs.json_files(), inputs.mutated(inputs.json_files()), st.binary(max_size=1024))
)
def test_fuzz_json(data: bytes) -> None:
    _read(data, ".json")


@FUZZ
@given(st.one_of(inputs.sql_files(), inputs.mutated(inputs.sql_files())))
def test_fuzz_sql_dump(data: bytes) -> None:
    _read(data, ".sql")


@pytest.mark.filterwarnings("ignore:Duplicate name")
@FUZZ
@given(st.one_of(inputs.zip_files(), inputs.mutated(inputs.zip_files())))
def test_fuzz_zip(data: bytes) -> None:
    _read(data, ".zip")
