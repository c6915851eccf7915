"""Helpers for ingest tests: read everything a walk yields into plain Python values."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from leaktrace.ingest import Evidence, Failure, Limits, walk


def walk_all(path: Path, **kwargs: object) -> list[Evidence | Failure]:
    return list(walk([path], **kwargs))  # type: ignore[arg-type]


def only_evidence(path: Path, **kwargs: object) -> Evidence:
    results = walk_all(path, **kwargs)
    assert len(results) == 1, results
    result = results[0]
    assert isinstance(result, Evidence), result
    return result


def only_failure(path: Path, **kwargs: object) -> Failure:
    results = walk_all(path, **kwargs)
    assert len(results) == 1, results
    result = results[0]
    assert isinstance(result, Failure), result
    return result


def rows(evidence: Evidence, table: int = 0) -> list[dict[str, str | None]]:
    frames = list(evidence.tables[table].batches())
    for frame in frames:
        assert all(dtype == pl.String for dtype in frame.dtypes)
    return pl.concat(frames).to_dicts() if frames else []


SMALL = Limits(batch_rows=1000)
