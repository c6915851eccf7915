"""Walk folders and archives, open each file with the reader its content calls for.

This is the one place that turns any problem with one file into a `Failure` and carries on, so a
seized drive with a thousand files and three broken ones yields 997 Evidence and 3 one-line reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from leaktrace.errors import InputError

from ._csv import Dialect, cell_too_large, read_delimited, sniff_dialect
from ._excel import read_workbook
from ._json import read_json
from ._model import (
    FORMATS,
    NOT_FAILURES,
    TEXT_FORMATS,
    Evidence,
    Failure,
    Limits,
    Table,
    describe_exception,
)
from ._parquet import read_parquet
from ._sniff import (
    canonical_encoding,
    decode_sample,
    detect_encoding,
    format_mismatch,
    read_sample,
    read_samples,
    sha256_file,
    sniff_format,
)
from ._sql import read_sql
from ._zip import Budget, TempFile, walk_zip

_DELIMITED = frozenset({"csv", "tsv", "txt"})

T = TypeVar("T")


class _Walker:
    def __init__(self, encoding: str | None, format: str | None, limits: Limits) -> None:
        if format is not None and format not in FORMATS:
            raise InputError(
                f"未知格式 unknown format {format!r}; expected one of {', '.join(FORMATS)}"
            )
        self.encoding = canonical_encoding(encoding) if encoding else None
        self.format = format
        self.limits = limits

    def paths(self, paths: Iterable[str | Path]) -> Iterator[Evidence | Failure]:
        for given in paths:
            path = Path(given)
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file())
                for file in files:
                    yield from self.top(file)
            elif path.is_file():
                yield from self.top(path)
            else:
                yield Failure(str(path), "文件或文件夹不存在 no such file or folder")

    def top(self, path: Path) -> Iterator[Evidence | Failure]:
        budget = Budget(self.limits.max_archive_bytes)
        yield from self.open(path, str(path), None, 0, None, budget)

    def open(
        self,
        real: Path,
        shown: str,
        parent: str | None,
        depth: int,
        keep: TempFile | None,
        budget: Budget,
    ) -> Iterator[Evidence | Failure]:
        """One file: sniff, hash, read its tables; any problem becomes a Failure."""
        sha: str | None = None
        size: int | None = None
        try:
            sample = read_sample(real, self.limits.sniff_bytes)
            try:
                fmt: str | None = self.format or sniff_format(real, sample, self.encoding)
                error = None
            except InputError as exc:
                fmt, error = None, exc.reason
            line_limit = self.limits.max_cell_bytes if fmt in _DELIMITED else None
            hashed = sha256_file(real, long_line_limit=line_limit)
            sha, size = hashed.sha256, hashed.size
            if error is not None or fmt is None:
                yield Failure(shown, error or "未知格式 unknown format", sha, size)
                return
            if hashed.long_line is not None:
                reason = cell_too_large(self.limits, hashed.long_line)
                yield Failure(shown, reason, sha, size)
                return
            encoding = None
            if fmt in TEXT_FORMATS:
                encoding = self.encoding or detect_encoding(
                    read_samples(real, self.limits.sniff_bytes), shown
                )
            notes = [note] if (note := format_mismatch(shown, fmt)) else []
            if fmt == "zip":
                yield Evidence(shown, sha, size, fmt, None, parent, [], notes, keep)
                yield from walk_zip(real, shown, depth, self.limits, budget, self.open)
                return
            tables = self.tables(real, shown, fmt, encoding)
            for table in tables:
                table._keep = keep
            if not tables:
                notes.append("未找到含数据的表格 no tables with data found")
            yield Evidence(shown, sha, size, fmt, encoding, parent, tables, notes, keep)
        except InputError as exc:
            yield Failure(shown, exc.reason, sha, size)
        except NOT_FAILURES:
            raise
        except BaseException as exc:  # a library's error, or a panic in its Rust code
            yield Failure(shown, describe_exception(exc), sha, size)

    def tables(self, real: Path, shown: str, fmt: str, encoding: str | None) -> list[Table]:
        limits = self.limits
        if fmt in _DELIMITED:
            assert encoding is not None
            text = decode_sample(read_sample(real, limits.sniff_bytes), encoding)
            return read_delimited(real, shown, encoding, self._dialect(text), limits)
        if fmt in {"xlsx", "xls", "ods"}:
            return read_workbook(real, shown, limits)
        if fmt in {"json", "jsonl"}:
            assert encoding is not None
            return read_json(real, shown, encoding, fmt == "jsonl", limits)
        if fmt == "parquet":
            return read_parquet(real, shown, limits)
        if fmt == "sql":
            assert encoding is not None
            return read_sql(real, shown, encoding, limits)
        raise InputError(f"没有读取此格式的程序 no reader for format {fmt}", shown)

    def _dialect(self, text: str) -> Dialect:
        """The sniffed dialect, unless a forced format says otherwise."""
        sniffed = sniff_dialect(text)
        if self.format == "csv" and sniffed.separator not in {",", ";", "|"}:
            return Dialect("csv", ",")
        if self.format == "tsv":
            return Dialect("tsv", "\t")
        return sniffed


def walk(
    paths: Iterable[str | Path] | str | Path,
    *,
    encoding: str | None = None,
    format: str | None = None,
    limits: Limits | None = None,
    ahead: bool = False,
) -> Iterator[Evidence | Failure]:
    """Every evidence file under `paths` (files, folders, archives), in a stable order.

    Yields `Evidence` for what can be read and `Failure` (path and one-line reason) for what
    cannot; it never raises for a bad file. `encoding` and `format` force what is otherwise
    detected from content; an unknown name raises `InputError` at once, since that is a usage
    mistake rather than a problem with one file.

    With `ahead`, the next file is opened (sniffed and hashed) on a worker thread while the
    caller reads the tables of the one just yielded: hashing a large file costs about as much
    as parsing it, and this way it overlaps the parse instead of preceding it.
    """
    walker = _Walker(encoding, format, limits or Limits())
    if isinstance(paths, str | Path):
        paths = [paths]
    items = walker.paths(paths)
    yield from one_ahead(items) if ahead else items


def one_ahead(items: Iterator[T]) -> Iterator[T]:
    """The same items, each produced on a worker thread while the caller uses the previous one.

    Over ``walk`` results, the next file is opened and hashed while this one is read; items
    must not be None.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="walk") as pool:
        pending = pool.submit(next, items, None)
        try:
            while (item := pending.result()) is not None:
                pending = pool.submit(next, items, None)
                yield item
        finally:
            pending.cancel()
