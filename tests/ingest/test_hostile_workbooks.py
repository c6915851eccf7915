"""Workbooks found by fuzzing that crashed the reader: each is now one line, and a real
workbook beside them is still read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leaktrace.ingest import Evidence, Failure

from .conftest import rows, walk_all

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        # a 5 KB .xls whose broken directory made calamine panic (PanicException is a
        # BaseException: it went through `except Exception` and ended the scan)
        ("calamine_panic.xls", "corrupt or truncated workbook"),
        # a 5 KB .xls that made calamine ask for 8 GB: the process aborted, or the machine ran
        # out of memory
        ("calamine_oom.xls", "needs more memory than any real list"),
        # a 5 KB .xlsx with cells at A1 and XFD1048576: a dense grid of 17 billion cells
        ("far_cell.xlsx", "needs more memory than any real list"),
    ],
)
def test_a_hostile_workbook_is_one_line_and_the_next_file_is_read(
    tmp_path: Path, name: str, reason: str
) -> None:
    shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "zz.csv").write_bytes("姓名,手机\n张三,13800000001\n".encode())
    results = walk_all(tmp_path)
    failure, good = results
    assert isinstance(failure, Failure), failure
    assert reason in failure.reason and "\n" not in failure.reason
    assert isinstance(good, Evidence)
    assert rows(good) == [{"姓名": "张三", "手机": "13800000001"}]
