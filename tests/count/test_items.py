"""The keyed aggregations give the same answer in memory and spilled to disk by key."""

from __future__ import annotations

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from leaktrace.count import ITEM_SCHEMA, ItemSet, Tally, tally
from leaktrace.count._combos import combos
from leaktrace.count._items import group_by_combos


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


def _sorted(combos: pl.DataFrame) -> pl.DataFrame:
    return combos.cast({"len": pl.UInt32}).sort("cat", "sources", "bare")


def test_the_compiled_combos_equal_the_polars_group_by() -> None:
    rng = np.random.default_rng(6)
    rows = 200_000
    # keys share hashes' high bits unevenly, and some keys are 0
    keys = np.concatenate([rng.integers(0, 2**63, rows // 2), rng.integers(0, 300, rows // 2)])
    items = pl.DataFrame(
        {
            "cat": rng.integers(0, 4, rows),
            "key": keys.astype(np.uint64),
            "source": rng.choice([0, 1, 2, 31, 63], rows),
            "bare": rng.random(rows) < 0.3,
        }
    ).cast(ITEM_SCHEMA)
    assert_frame_equal(_sorted(combos(items)), _sorted(group_by_combos(items)))
    # item k is seen in the sources of the bits of k % 3000: more combinations than the
    # compiled table first makes room for (1,024)
    key = np.repeat(np.arange(30_000), 12)
    source = np.tile(np.arange(12), 30_000)
    seen = (key % 3000) >> source & 1 == 1
    spread = (
        pl.DataFrame({"cat": key % 2, "key": key, "source": source, "bare": key % 7 == 0})
        .filter(pl.Series(seen))
        .cast(ITEM_SCHEMA)
    )
    assert combos(spread).height > 1024
    assert_frame_equal(_sorted(combos(spread)), _sorted(group_by_combos(spread)))


def test_past_64_sources_the_group_by_counts() -> None:
    batches = _batches(7)
    batches.append(batches[0].with_columns(pl.lit(70, pl.UInt32).alias("source")))
    result = _run(ItemSet(), batches)
    every = pl.concat(batches)
    assert sum(result.items.values()) == every.select("cat", "key").unique().height
    assert result.per_source[(70, 0)] == batches[0].filter(pl.col("cat") == 0)["key"].n_unique()


def _items(rows: list[tuple[int, int, int, bool]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=list(ITEM_SCHEMA), orient="row").cast(ITEM_SCHEMA)


def test_an_item_is_bare_only_when_every_record_of_it_is() -> None:
    # (cat, key, source, bare): key 1 is bare in source 0 but not in source 2
    rows = [(0, 1, 0, True), (0, 1, 2, False), (1, 2, 1, True), (1, 2, 1, True), (0, 3, 0, False)]
    result = tally(iter([_items(rows)]))
    assert result.items == {0: 2, 1: 1}
    assert result.bare == {1: 1}
    assert result.overlaps == {(0, 2): 1}
    assert tally(iter([_items(rows[:1] + rows[2:])])).bare == {0: 1, 1: 1}
