"""The values ingest hands to the rest of LeakTrace, and the limits that keep it safe.

They are plain dataclasses so that a caller can keep, print or compare them; the only behaviour is
`Table.batches()`, which re-reads its source every time it is called so that detection can take a
sample first and counting can stream the whole table afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from leaktrace.errors import InputError, LeakTraceError

MiB = 1 << 20
GiB = 1 << 30

FORMATS = (
    "csv",
    "tsv",
    "txt",
    "xlsx",
    "xls",
    "ods",
    "json",
    "jsonl",
    "parquet",
    "sql",
    "zip",
)
"""Every format `Evidence.format` can name."""

TEXT_FORMATS = frozenset({"csv", "tsv", "txt", "json", "jsonl", "sql"})
"""Formats that carry an encoding; the others are binary containers."""


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one hostile or broken file from exhausting memory, disk or patience.

    The defaults suit seized evidence on a workstation; tests pass smaller ones.
    """

    batch_rows: int = 200_000
    """Rows per batch: bounds the memory of every consumer of `Table.batches()`."""
    max_cell_bytes: int = 10 * MiB
    """A cell larger than this is not a list of people; the file is refused."""
    sniff_bytes: int = 64 * 1024
    """How much of a file is read to decide format, encoding, delimiter and header."""
    header_scan_rows: int = 20
    """How many leading rows may hold titles before the header."""
    max_member_bytes: int = 2 * GiB
    """An archive member larger than this (declared or actual) is refused."""
    max_ratio: float = 200.0
    """A member expanding more than this many times, when also over `ratio_min_bytes`, is a
    zip bomb: honest lists compress about 5-20 times, so 200 leaves room and still stops bombs."""
    ratio_min_bytes: int = 100 * MiB
    """Below this size a high ratio is harmless (a column of zeros), so it is allowed."""
    max_archive_bytes: int = 20 * GiB
    """Total bytes extracted from one top-level archive, nested archives included."""
    max_depth: int = 5
    """How deep archives may nest inside archives."""


def _no_batches() -> Iterator[pl.DataFrame]:
    return iter(())


@dataclass
class Table:
    """One rectangular table in an evidence file: a sheet, a SQL table, or the whole text file.

    `columns` are the header as found (stripped, duplicates suffixed `_2`, `_3`, missing ones
    `column_N`); `header_row` is the 0-based line or row of the header, None when there is none.
    """

    name: str
    columns: list[str]
    header_row: int | None
    _reader: Callable[[], Iterator[pl.DataFrame]] = field(
        default=_no_batches, repr=False, compare=False
    )
    _path: str = field(default="", repr=False, compare=False)
    _keep: Any = field(default=None, repr=False, compare=False)
    derived: int = field(default=0, compare=False)
    """How many of the last `columns` the reader added rather than read: a sheet named 3幢
    gives its rows the building its name says (see ``_excel``)."""

    def batches(self) -> Iterator[pl.DataFrame]:
        """Yield the rows as DataFrames of at most `Limits.batch_rows` rows, every column String.

        Each call reads the source again. A problem found while reading (a giant cell deep in the
        file, bytes that do not decode) raises `InputError` naming the file and the reason.
        """
        try:
            yield from self._reader()
        except LeakTraceError:
            raise
        except Exception as exc:
            raise InputError(describe_exception(exc), self._path) from exc


@dataclass
class Evidence:
    """One evidence file (or archive member) that could be read.

    `path` is the file path as given, or `outer.zip!/inner.csv` for an archive member, whose
    `parent` is the archive's path. `encoding` is set for text formats only. `notes` says what a
    reader would want to know but is not an error, e.g. a file named `.xlsx` that holds CSV.
    """

    path: str
    sha256: str
    size: int
    format: str
    encoding: str | None
    parent: str | None
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    _keep: Any = field(default=None, repr=False, compare=False)


@dataclass
class Failure:
    """An evidence file that could not be read, with one line saying why.

    `sha256` and `size` are filled when the bytes could be hashed, so the manifest still records
    exactly what was seized even when its content is unusable.
    """

    path: str
    reason: str
    sha256: str | None = None
    size: int | None = None


NOT_FAILURES = (KeyboardInterrupt, SystemExit, GeneratorExit)
"""BaseExceptions that are not a file's fault. A reader catches ``BaseException`` and re-raises
these: a panic in a Rust extension (calamine, Polars) reaches Python as pyo3's
``PanicException``, which derives from BaseException, so ``except Exception`` lets it through,
and no module exports its class."""


def describe_exception(exc: BaseException) -> str:
    """Turn a library's exception into one short line a user can act on."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 200:
        first = first[:200] + "…"
    name = type(exc).__name__
    return f"无法读取 unreadable: {name}: {first}" if first else f"无法读取 unreadable: {name}"
