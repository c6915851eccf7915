"""``match`` on Spark: key rows under ``mapInArrow``, the comparison as joins and group-bys.

Executors run :func:`leaktrace.chain._keys.key_rows` on every batch (the work units and splits
of scan and count) and return key rows ``(list, field, key, estate, day)`` with where each row
is in its list, so the distinct keys keep the attributes of their first row, as locally. Spark
then groups: distinct keys per list and field, their self-join on ``(field, key)`` grouped by
``(field, a, b)`` (shared keys and the date spans of matched keys), the estates of matched keys
per pair, and the number of a seized list's keys per set of lists holding them (few distinct
sets), from which the greedy cover is exact on the driver. Only those aggregates are collected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from leaktrace.chain._keys import KEY_FIELDS, FieldKeys, KeyedList, MatchKey, key_rows
from leaktrace.chain._match import (
    MAX_COVER,
    TOP_ESTATES,
    Candidate,
    cover_field,
    ranked_candidates,
)
from leaktrace.engine._tasks import TablePlan, Work, _batch, _frame_batch

KEY, ROWS, ERROR = 0, 1, 4

MATCH_DDL = (
    "kind byte, source int, field byte, key long, community string, day int, "
    "o1 int, o2 long, o3 long, n long, path string"
)
MATCH_ARROW = pa.schema(
    [
        ("kind", pa.int8()),
        ("source", pa.int32()),
        ("field", pa.int8()),
        ("key", pa.int64()),
        ("community", pa.string()),
        ("day", pa.int32()),
        ("o1", pa.int32()),
        ("o2", pa.int64()),
        ("o3", pa.int64()),
        ("n", pa.int64()),
        ("path", pa.string()),
    ]
)


def match_work(key: MatchKey) -> Work:
    """Key rows of a batch, distinct per (field, key), each with its place in the list."""

    def work(
        batch: pl.DataFrame, plan: TablePlan, offset: int, ordinal: int
    ) -> list[pa.RecordBatch]:
        rows = key_rows(batch, plan.profiles, key=key, offset=offset)
        rows = (
            rows.with_columns(pl.int_range(pl.len()).over("field").alias("rank"))
            .unique(["field", "key"], keep="first", maintain_order=True)
            .select(
                pl.lit(KEY, pl.Int8).alias("kind"),
                pl.lit(plan.source, pl.Int32).alias("source"),
                pl.col("field").cast(pl.Int8),
                pl.col("key").reinterpret(signed=True).alias("key"),
                "community",
                "day",
                pl.lit(plan.table, pl.Int32).alias("o1"),
                pl.lit(ordinal, pl.Int64).alias("o2"),
                (pl.col("rank").cast(pl.Int64) + offset).alias("o3"),
            )
        )
        small: list[tuple[object, ...]] = [
            (ROWS, plan.source, None, None, None, None, None, None, None, batch.height)
        ]
        return [_frame_batch(rows, MATCH_ARROW), _batch(small, MATCH_ARROW)]

    return work


def match_error(source: int, path: str, reason: str) -> pa.RecordBatch:
    row = (ERROR, source, None, None, reason, None, None, None, None, 0, path)
    return _batch([row], MATCH_ARROW)


@dataclass
class SizedList(KeyedList):
    """A list as Spark describes it: the number of keys per field and its date span, no keys."""

    sizes: dict[int, int] = field(default_factory=dict)
    days: tuple[int, int] | None = None

    def size(self, field_id: int) -> int:
        return self.sizes.get(field_id, 0)

    @property
    def span(self) -> tuple[int, int] | None:
        return self.days


_NO_KEYS = FieldKeys(np.empty(0, np.uint64), np.empty(0, np.int32), np.empty(0, np.int32))


def sized(lst: SizedList) -> SizedList:
    lst.fields = {f: _NO_KEYS for f in sorted(lst.sizes)}
    return lst


@dataclass
class Aggregates:
    """What Spark hands the driver for the descriptions (seized lists as ``a`` only)."""

    shared: dict[int, np.ndarray]
    spans: dict[tuple[int, int, int], tuple[int | None, int | None, int | None, int | None]]
    estates_a: dict[tuple[int, int, int], dict[str, int]]
    estates_b: dict[tuple[int, int, int], dict[str, int]]
    sets: dict[tuple[int, int], list[tuple[tuple[int, ...], int]]]


def candidates(
    i: int,
    lists: Sequence[SizedList],
    agg: Aggregates,
    min_containment: float,
    top: int,
) -> list[Candidate]:
    out = []
    for containment, reverse, j, f, n in ranked_candidates(
        i, lists, agg.shared, min_containment, top
    ):
        b = lists[j]
        counts = agg.estates_a.get((f, i, j)) or agg.estates_b.get((f, i, j)) or {}
        named = sorted(counts.items(), key=lambda e: (-e[1], e[0]))[:TOP_ESTATES]
        lo_a, hi_a, lo_b, hi_b = agg.spans.get((f, i, j), (None, None, None, None))
        out.append(
            Candidate(
                source=b.path,
                role=b.role,
                field=KEY_FIELDS[f],
                matched=n,
                containment=containment,
                reverse=reverse,
                estates=named,
                span_seized=_span(lo_a, hi_a),
                span_source=_span(lo_b, hi_b),
            )
        )
    return out


def _span(lo: int | None, hi: int | None) -> tuple[str, str] | None:
    from leaktrace.chain._keys import day_text

    if lo is None or hi is None:
        return None
    return day_text(lo), day_text(hi)


def cover(
    i: int, lists: Sequence[SizedList], agg: Aggregates, min_share: float
) -> list[tuple[str, float, float]]:
    """As the local cover, on counts of keys per set of lists holding them."""
    shared = agg.shared
    found = cover_field(i, lists, shared)
    if found is None:
        return []
    pool, f = found
    total = lists[i].size(f)
    held = {
        j for j in pool if shared[f][i, j] >= max(1.0, min_share * total) and f in lists[j].fields
    }
    sets = [(frozenset(s) & held, n) for s, n in agg.sets.get((f, i), [])]
    sets = [(s, n) for s, n in sets if s]
    covered = 0
    out: list[tuple[str, float, float]] = []
    while held and len(out) < MAX_COVER:
        gains = {j: sum(n for s, n in sets if j in s) for j in held}
        j = max(gains, key=lambda j: (gains[j], -j))
        if gains[j] / total < min_share:
            break
        held.discard(j)
        sets = [(s, n) for s, n in sets if j not in s]
        covered += gains[j]
        out.append((lists[j].path, gains[j] / total, covered / total))
    return out


def aggregate(out: Any, seized: int, n: int) -> tuple[list[Any], list[Any], Aggregates]:
    """Spark group-bys of the task output: (small rows, sizes per list and field, aggregates)."""
    from pyspark.sql import functions as F

    small = (
        out.where(F.col("kind") != KEY)
        .groupBy("kind", "source", "path", "community")
        .agg(F.sum("n").alias("n"))
        .collect()
    )
    first = F.min(F.struct("o1", "o2", "o3", "community", "day")).alias("m")
    keys = (
        out.where(F.col("kind") == KEY)
        .groupBy("source", "field", "key")
        .agg(first)
        .select(
            "source",
            "field",
            "key",
            F.col("m.community").alias("community"),
            F.when(F.col("m.day") >= 0, F.col("m.day")).alias("day"),
        )
        .persist()
    )
    try:
        sizes = (
            keys.groupBy("source", "field")
            .agg(F.count("*").alias("n"), F.min("day").alias("lo"), F.max("day").alias("hi"))
            .collect()
        )
        left = keys.where(F.col("source") < seized).select(
            F.col("source").alias("a"),
            "field",
            "key",
            F.col("community").alias("ca"),
            F.col("day").alias("da"),
        )
        right = keys.select(
            F.col("source").alias("b"),
            "field",
            "key",
            F.col("community").alias("cb"),
            F.col("day").alias("db"),
        )
        pairs = left.join(right, ["field", "key"]).where(F.col("a") != F.col("b")).persist()
        try:
            shared_rows = (
                pairs.groupBy("field", "a", "b")
                .agg(
                    F.count("*").alias("n"),
                    F.min("da").alias("lo_a"),
                    F.max("da").alias("hi_a"),
                    F.min("db").alias("lo_b"),
                    F.max("db").alias("hi_b"),
                )
                .collect()
            )
            est_a = (
                pairs.where(F.col("ca").isNotNull()).groupBy("field", "a", "b", "ca").count()
            ).collect()
            est_b = (
                pairs.where(F.col("cb").isNotNull()).groupBy("field", "a", "b", "cb").count()
            ).collect()
            set_rows = (
                pairs.groupBy("field", "a", "key")
                .agg(F.array_sort(F.collect_list("b")).alias("s"))
                .groupBy("field", "a", "s")
                .count()
                .collect()
            )
        finally:
            pairs.unpersist()
    finally:
        keys.unpersist()
    fields = sorted({int(r["field"]) for r in sizes})
    shared = {f: np.zeros((n, n), dtype=np.int64) for f in fields}
    spans = {}
    for r in shared_rows:
        f, a, b = int(r["field"]), int(r["a"]), int(r["b"])
        shared[f][a, b] = int(r["n"])
        spans[(f, a, b)] = (r["lo_a"], r["hi_a"], r["lo_b"], r["hi_b"])
    estates_a: dict[tuple[int, int, int], dict[str, int]] = {}
    for r in est_a:
        estates_a.setdefault((int(r["field"]), int(r["a"]), int(r["b"])), {})[r["ca"]] = int(
            r["count"]
        )
    estates_b: dict[tuple[int, int, int], dict[str, int]] = {}
    for r in est_b:
        estates_b.setdefault((int(r["field"]), int(r["a"]), int(r["b"])), {})[r["cb"]] = int(
            r["count"]
        )
    sets: dict[tuple[int, int], list[tuple[tuple[int, ...], int]]] = {}
    for r in set_rows:
        sets.setdefault((int(r["field"]), int(r["a"])), []).append(
            (tuple(int(x) for x in r["s"]), int(r["count"]))
        )
    return small, sizes, Aggregates(shared, spans, estates_a, estates_b, sets)
