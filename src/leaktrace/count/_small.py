"""Many small files counted as a few large batches.

A seized phone holds thousands of exports of a few dozen rows each. Counted one by one, each
paid what a file costs whatever its size: classifying its columns (some 70 small Polars queries
on its sample), normalising a batch (some 30 ms of planning and thread hand-offs per batch) and
adding its items, some 20 ms a file, so 20,000 files took minutes. Here consecutive small files
with the same columns are gathered into one group and normalised together, then split back into
their files: every figure stays per file.

The columns of a group are classified once, on the group's first rows, and a file whose values
do not bear that out is classified and normalised on its own, as it would have been without
grouping: for each typed column, at least half of the file's filled cells must be valid or
masked under the group's type (:data:`AGREE`). A column the group left untyped stays untyped in
its files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from leaktrace.detect import (
    RANK,
    ColumnProfile,
    check_columns,
    classify_columns,
    spreadsheet_recovered,
)
from leaktrace.normalize import records

SMALL_BYTES = 256 * 1024
"""Files up to this size are candidates for a group (their one table is read at once)."""

SMALL_ROWS = 5_000
"""A table up to this many rows joins a group."""

GROUP_ROWS = 200_000
"""Rows a group gathers before it is normalised."""

AGREE = 0.5
"""Share of a file's filled cells of a typed column that must be valid or masked under the
group's type for the file to keep the group's classification."""

SAMPLE_ROWS = 2_000
"""Rows the group's classifier reads (as ``scan`` reads of one table)."""


@dataclass(frozen=True)
class GroupRecords:
    """Records of a group's files in file order, ``_file`` giving each record's file (0 to
    ``len(heights) - 1``), and the cells per file and type read back from spreadsheet
    numbers."""

    records: pl.DataFrame
    recovered: list[Counter[str]]


def group_records(
    frames: Sequence[pl.DataFrame],
    parts: bool,
    columns: Collection[str],
    places: bool = False,
) -> GroupRecords:
    """Normalise the frames (same columns) as one batch where their values agree
    (``places`` as for :func:`~leaktrace.normalize.records`)."""
    heights = [f.height for f in frames]
    frame = pl.concat(frames, how="vertical", rechunk=True)
    profiles = classify_columns(list(frame.columns), frame.head(SAMPLE_ROWS))
    agree = _agreeing(frame, profiles, heights)
    out: list[pl.DataFrame] = []
    recovered: list[Counter[str]] = []
    together = [i for i in range(len(frames)) if agree[i]]
    shared = None
    if together:
        picked = pl.concat([frames[i] for i in together], how="vertical", rechunk=True)
        shared = records(picked, profiles, parts=parts, columns=columns, places=places)
    at = 0
    for i, f in enumerate(frames):
        if agree[i]:
            assert shared is not None
            recs = shared.slice(at, f.height)
            if "row" in recs.columns:
                recs = recs.with_columns(pl.col("row") - at)
            at += f.height
            own = profiles
        else:
            own = classify_columns(list(f.columns), f.head(SAMPLE_ROWS))
            recs = records(f, own, parts=parts, columns=columns, places=places)
        out.append(recs.with_columns(pl.lit(i, pl.UInt32).alias("_file")))
        recovered.append(recovered_cells(f, own) if _has_point(f) else Counter())
    return GroupRecords(pl.concat(out, how="vertical"), recovered)


_RECOVERABLE = ("mobile", "cn_id")
"""Types whose numbers a spreadsheet may rewrite and detect reads back (``detect._excel``)."""


def recovered_cells(batch: pl.DataFrame, profiles: Sequence[ColumnProfile]) -> Counter[str]:
    """Cells per type of a batch read back from spreadsheet numbers (``13606661234.0``)."""
    recovered: Counter[str] = Counter()
    for p in profiles:
        if p.type in _RECOVERABLE and not p.free_text and p.name in batch.columns:
            recovered[p.type] += spreadsheet_recovered(batch.get_column(p.name), p.type)
    return +recovered


def _has_point(frame: pl.DataFrame) -> bool:
    """Whether any cell holds a point (a spreadsheet number would)."""
    return bool(
        frame.select(pl.any_horizontal(pl.all().str.contains(".", literal=True)).any()).item()
    )


def _agreeing(
    frame: pl.DataFrame, profiles: Sequence[ColumnProfile], heights: list[int]
) -> np.ndarray:
    """Per file, whether every typed column's filled cells are mostly valid or masked."""
    typed = [(p.name, p.type) for p in profiles if p.type is not None and not p.free_text]
    agree = np.ones(len(heights), dtype=bool)
    if not typed:
        return agree
    file = np.repeat(np.arange(len(heights)), heights)
    for (name, _), checked in zip(typed, check_columns(frame, typed), strict=True):
        rank = checked.rank.to_numpy()
        filled = np.bincount(file, frame.get_column(name).is_not_null().to_numpy(), len(heights))
        good = (rank == RANK["valid"]) | (rank == RANK["masked"])
        positive = np.bincount(file, good, len(heights))
        agree &= (filled == 0) | (positive >= AGREE * filled)
    return agree
