"""Scan evidence: which personal information is in which file, table and column, and how much of
it is valid, invalid or masked.

This is the library behind ``leaktrace scan``. It streams every table batch by batch: the first
batch gives the sample the column classifier looks at, then every batch is checked in full with
the type's vectorised validator, so counts are exact, not estimated, and memory stays bounded.

With ``spans=OUT.jsonl`` every piece of personal information found inside free text is also
written out, one JSON object a line, with the data row and character offsets that locate it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import polars as pl

from leaktrace.detect import (
    CATALOGUE,
    ColumnProfile,
    SpanFinder,
    classify_columns,
    column_status,
    load_tagger_early,
    status_counts,
)
from leaktrace.errors import InputError, UsageError
from leaktrace.ingest import Evidence, Failure, Table, walk
from leaktrace.mask import mask, mask_series

SAMPLE_ROWS = 5_000
"""Rows the column classifier sees; validation itself always covers every row."""

SAMPLES = 2
"""Examples kept per column (canonical form, then masked) so a person can see what it holds."""


@dataclass
class ColumnResult:
    """One column: its detected type and how its cells validated."""

    name: str
    type: str | None
    confidence: float
    free_text: bool = False
    valid: int = 0
    invalid: int = 0
    masked: int = 0
    samples: list[str] = field(default_factory=list)
    spans: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "confidence": round(self.confidence, 4),
            "free_text": self.free_text,
            "valid": self.valid,
            "invalid": self.invalid,
            "masked": self.masked,
            "samples": self.samples,
            "spans": dict(sorted(self.spans.items())),
        }


@dataclass
class TableResult:
    """One table (a sheet, an SQL table, or the whole of a CSV/TXT/JSON file)."""

    name: str
    rows: int
    header_row: int | None
    columns: list[ColumnResult]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rows": self.rows,
            "header_row": self.header_row,
            "columns": [c.to_json() for c in self.columns],
        }


@dataclass
class FileResult:
    """One evidence file with its hash and what its tables hold."""

    path: str
    sha256: str
    size: int
    format: str
    encoding: str | None
    parent: str | None
    tables: list[TableResult]

    @property
    def spans(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for table in self.tables:
            for column in table.columns:
                total.update(column.spans)
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "format": self.format,
            "encoding": self.encoding,
            "parent": self.parent,
            "tables": [t.to_json() for t in self.tables],
            "spans": dict(sorted(self.spans.items())),
        }


@dataclass
class ScanResult:
    """Everything one scan found, in the order the files were walked."""

    files: list[FileResult]
    errors: list[Failure]

    def to_json(self) -> dict[str, Any]:
        return {
            "files": [f.to_json() for f in self.files],
            "errors": [{"path": e.path, "reason": e.reason} for e in self.errors],
        }


Progress = Callable[[str, int], None]
"""Called with (what is being read, rows just done) so a shell can show progress."""


def scan(
    paths: Iterable[Path],
    *,
    encoding: str | None = None,
    format: str | None = None,
    show_values: bool = False,
    progress: Progress | None = None,
    spans: Path | None = None,
) -> ScanResult:
    """Scan files and folders (recursively, archives opened) for personal information.

    A file that cannot be read is listed in ``errors`` with one line of reason and the scan goes
    on; no partial result is kept for it. With ``spans``, the free-text spans of every file read
    are written to that JSON Lines file (see :class:`SpanWriter`); it appears only when the scan
    finishes, and an unwritable path fails before anything is read.
    """
    paths = list(paths)
    if spans is None:
        return _scan(paths, encoding, format, show_values, progress, None)
    spans = Path(spans)
    _refuse_input_as_output(spans, paths)
    with SpanWriter(spans, show_values=show_values) as writer:
        return _scan(paths, encoding, format, show_values, progress, writer)


def _scan(
    paths: list[Path],
    encoding: str | None,
    format: str | None,
    show_values: bool,
    progress: Progress | None,
    spans: SpanWriter | None,
) -> ScanResult:
    files: list[FileResult] = []
    errors: list[Failure] = []
    # free-text columns need the tagger: it loads while the first file is sniffed and hashed
    load_tagger_early()
    for item in walk(paths, encoding=encoding, format=format, ahead=True):
        if spans is not None and spans.owns(item.path):
            continue  # the spans file itself (or an earlier one) inside a folder being scanned
        if isinstance(item, Failure):
            errors.append(item)
            continue
        try:
            files.append(
                scan_evidence(item, show_values=show_values, progress=progress, spans=spans)
            )
        except InputError as exc:
            errors.append(Failure(path=exc.path or item.path, reason=exc.reason))
    return ScanResult(files=files, errors=errors)


def scan_evidence(
    evidence: Evidence,
    *,
    show_values: bool = False,
    progress: Progress | None = None,
    spans: SpanWriter | None = None,
) -> FileResult:
    """Scan every table of one evidence file."""
    tables = [
        scan_table(
            table, show_values=show_values, progress=progress, label=evidence.path, spans=spans
        )
        for table in evidence.tables
    ]
    return FileResult(
        path=evidence.path,
        sha256=evidence.sha256,
        size=evidence.size,
        format=evidence.format,
        encoding=evidence.encoding,
        parent=evidence.parent,
        tables=tables,
    )


def scan_table(
    table: Table,
    *,
    show_values: bool = False,
    progress: Progress | None = None,
    label: str = "",
    spans: SpanWriter | None = None,
) -> TableResult:
    """Classify the columns on a sample, then validate every row batch by batch.

    Spans go to ``spans`` with ``row`` counted over the whole table: the 0-based index of the
    data row among the rows ``Table.batches()`` yields, i.e. after the header and without the
    title and blank lines ingest skips. ``label`` is the evidence path the spans are filed under.
    """
    batches = _with_sample(table.batches())
    sample = next(batches, None)
    if sample is None:
        return TableResult(table.name, 0, table.header_row, [])
    profiles = classify_columns(list(sample.columns), sample.head(SAMPLE_ROWS))
    results = [_result_for(p) for p in profiles]
    checked = [c for c in results if c.type or c.free_text]
    texts = [c for c in checked if c.free_text]
    # Each free-text column has its own finder (a text read in one batch is not read again)
    # on its own worker thread, which takes the column's batches in order. Reading and the
    # other columns' checks run up to SPANS_AHEAD batches ahead of it, so both cores stay busy
    # whichever of the two is slower on a stretch of the table; spans are written in order.
    finders = [(c, SpanFinder(), _span_thread()) for c in texts]
    pending: deque[tuple[int, list[Future[pl.DataFrame]]]] = deque()
    rows = 0
    try:
        for batch in _chain_first(sample, batches):
            # Columns are independent and Polars releases the GIL, so they validate side by
            # side; each column's totals are touched by its own job only.
            jobs = [
                _pool().submit(_accumulate, c, batch.get_column(c.name), show_values)
                for c in checked
                if not c.free_text
            ]
            if finders:
                pending.append(
                    (
                        rows,
                        [
                            thread.submit(_find, c, finder, batch.get_column(c.name))
                            for c, finder, thread in finders
                        ],
                    )
                )
            for job in jobs:
                job.result()
            while len(pending) > SPANS_AHEAD:
                _write_spans(spans, label, table.name, texts, *pending.popleft())
            rows += batch.height
            if progress is not None:
                progress(f"{label} · {table.name}", batch.height)
        while pending:
            _write_spans(spans, label, table.name, texts, *pending.popleft())
    finally:
        for _, _, thread in finders:
            thread.shutdown(wait=True, cancel_futures=True)
    return TableResult(table.name, rows, table.header_row, results)


SPANS_AHEAD = 4
"""Batches the reading and column checks may run ahead of a free-text column's spans."""


def _span_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="spans")


def _write_spans(
    spans: SpanWriter | None,
    label: str,
    table: str,
    columns: list[ColumnResult],
    first_row: int,
    jobs: list[Future[pl.DataFrame]],
) -> None:
    """Wait for one batch's free-text columns and write their spans (when asked to)."""
    found = [(c.name, job.result()) for c, job in zip(columns, jobs, strict=True)]
    if spans is not None:
        spans.write(label, table, first_row, found)


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="scan")


def _result_for(profile: ColumnProfile) -> ColumnResult:
    return ColumnResult(
        name=profile.name,
        type=profile.type,
        confidence=profile.confidence,
        free_text=profile.free_text,
    )


def _find(column: ColumnResult, finder: SpanFinder, series: pl.Series) -> pl.DataFrame:
    """Add one batch of a free-text column to its span totals; its spans are returned."""
    spans = finder.find(series)
    if spans.height:
        column.spans.update(dict(spans.get_column("type").value_counts().iter_rows()))
    return spans


def _accumulate(column: ColumnResult, series: pl.Series, show_values: bool) -> None:
    """Add one batch of a typed column to its totals."""
    if column.type is None:
        return
    if len(column.samples) >= SAMPLES:
        counts = status_counts(series, column.type)  # the same counts, without status strings
    else:
        status = column_status(series, column.type)
        counts = dict(status.value_counts().iter_rows())
        picked = series.filter(status == "valid").head(SAMPLES - len(column.samples))
        canonical = CATALOGUE[column.type].normalise(picked)
        column.samples.extend(mask(v, column.type, show=show_values) for v in canonical)
    column.valid += counts.get("valid", 0)
    column.invalid += counts.get("invalid", 0)
    column.masked += counts.get("masked", 0)


def _with_sample(batches: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """Skip empty batches so the first one seen can serve as the classifier's sample."""
    return (b for b in batches if b.height)


def _chain_first(first: pl.DataFrame, rest: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    yield first
    yield from rest


class SpanWriter:
    """Free-text spans as JSON Lines, one object a span, in file, table, row, column order::

        {"path": "chat.csv", "table": "chat.csv", "column": "内容", "row": 3, "type": "mobile",
         "start": 5, "end": 16, "status": "valid", "value": "138****5678"}

    ``row`` is the 0-based data row of the table, ``start``/``end`` are character offsets into
    the cell's text (end exclusive, so ``cell[start:end]`` is the value), ``value`` is masked
    unless ``show_values``. Lines go to a temporary file beside the target, which replaces the
    target only when the writer closes without an error: a failed scan leaves nothing behind and
    an earlier file of that name intact.
    """

    def __init__(self, path: Path, *, show_values: bool = False) -> None:
        self.path = Path(path)
        self.show_values = show_values
        self._temp: Path | None = None
        self._out: IO[bytes] | None = None

    def __enter__(self) -> SpanWriter:
        if self.path.is_dir():
            raise InputError(
                "无法写入片段文件：这是文件夹 cannot write the spans: it is a folder",
                str(self.path),
            )
        try:
            handle, name = tempfile.mkstemp(
                dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".part"
            )
        except OSError as exc:
            raise InputError(
                f"无法写入片段文件 cannot write the spans: {exc.strerror}", str(self.path)
            ) from None
        self._temp = Path(name)
        self._out = os.fdopen(handle, "wb")
        return self

    def owns(self, path: str) -> bool:
        """Whether ``path`` is this writer's target or its temporary file."""
        try:
            resolved = Path(path).resolve()
        except OSError:
            return False
        return resolved in {self.path.resolve(), self._temp.resolve() if self._temp else None}

    def write(
        self, path: str, table: str, first_row: int, columns: list[tuple[str, pl.DataFrame]]
    ) -> None:
        """Write one batch's spans; ``first_row`` is the table row of the batch's row 0."""
        assert self._out is not None, "SpanWriter used outside its with-block"
        frames = [
            f.select(
                pl.lit(path).alias("path"),
                pl.lit(table).alias("table"),
                pl.lit(name).alias("column"),
                (pl.col("row") + first_row).alias("row"),
                "type",
                "start",
                "end",
                "status",
                pl.lit(order, pl.Int64).alias("order"),
                pl.col("text").alias("value"),
            )
            for order, (name, f) in enumerate(columns)
            if f.height
        ]
        if not frames:
            return
        batch = pl.concat(frames).sort("row", "order", "start").drop("order")
        if not self.show_values:
            batch = pl.concat(
                part.with_columns(mask_series(part["value"], str(type_id)).alias("value"))
                for (type_id,), part in batch.with_row_index("i").group_by("type")
            )
            batch = batch.sort("i").drop("i")
        try:
            batch.write_ndjson(self._out)
        except OSError as exc:
            raise InputError(
                f"无法写入片段文件 cannot write the spans: {exc.strerror}", str(self.path)
            ) from None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._out is not None and self._temp is not None
        try:
            self._out.close()
            if kind is None:
                os.replace(self._temp, self.path)
        except OSError as exc:
            raise InputError(
                f"无法写入片段文件 cannot write the spans: {exc.strerror}", str(self.path)
            ) from None
        finally:
            with contextlib.suppress(OSError):
                self._temp.unlink()


def _refuse_input_as_output(out: Path, inputs: list[Path]) -> None:
    """An output path that is one of the evidence files would destroy evidence: refuse it."""
    if not out.exists():
        return
    for given in inputs:
        with contextlib.suppress(OSError):
            if given.exists() and os.path.samefile(given, out):
                raise UsageError(
                    "片段文件会覆盖输入文件 the spans file would overwrite an input file", str(out)
                )
