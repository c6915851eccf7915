"""The keyed aggregations give the same answer in memory and spilled to disk by key."""

from __future__ import annotations

import numpy as np
import polars as pl

from leaktrace.count import ITEM_SCHEMA, ItemSet, Tally, tally


def _batches(seed: int, n: int = 6, rows: int = 5_000) -> list[pl.DataFrame]:
    rng = np.random.default_rng(seed)
    return [
        pl.DataFrame(
            {
                "cat": rng.integers(0, 3, rows),
                "key": rng.integers(0, 8_000, rows),
                "source": np.full(rows, i % 4),
                "bare": rng.random(rows) < 0.1,
            }
        ).cast(ITEM_SCHEMA)
        for i in range(n)
    ]


def _run(items: ItemSet, batches: list[pl.DataFrame]) -> Tally:
    with items:
        for batch in batches:
            items.add(batch)
        groups = {"first_two": ([0, 1], []), "only_three": ([3], [0, 1, 2])}
        return tally(items.groups(), groups)


def test_spilling_to_partitions_changes_no_figure() -> None:
    batches = _batches(1)
    in_memory = _run(ItemSet(), batches)
    spilled = _run(ItemSet(partitions=5, spill_rows=3_000), batches)
    assert spilled == in_memory


def test_distinct_items_and_overlaps_are_exact() -> None:
    batches = _batches(2)
    result = _run(ItemSet(partitions=3, spill_rows=4_000), batches)
    every = pl.concat(batches)
    distinct = every.select("cat", "key").unique()
    assert sum(result.items.values()) == distinct.height
    per_source = every.select("cat", "key", "source").unique()
    a = per_source.filter(pl.col("source") == 0).select("cat", "key")
    b = per_source.filter(pl.col("source") == 1).select("cat", "key")
    assert result.overlaps[(0, 1)] == a.join(b, on=["cat", "key"]).height
    bare = every.group_by("cat", "key").agg(pl.col("bare").all()).filter("bare").height
    assert sum(result.bare.values()) == bare
