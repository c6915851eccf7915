"""Person linkage on Spark: the local engine's :class:`~leaktrace.normalize.Linker`, run on the
executors over connected parts of the records, never on the driver.

Linkage only ever relates records that share a value of a link column (an identifier, or the
name + building/unit/room): a union, a shared value, a conflict and a record left apart are all
decided among the records of such values. So the records fall into *parts*, the connected
components of the graph joining each record to each of its values, and linking every part on its
own gives exactly the persons, merges, conflicts and shared values of linking all the records at
once: the ``Linker`` is run once per Spark partition on whole parts, its records in the local
engine's order. Nothing is rewritten, so the two engines cannot drift.

1. **Places** (as ``count`` defers them): a record with an ID number keeps its name + place only
   when a record without an ID number carries its name with a place (a join of those records).
2. **Parts**: each record's values as edges ``(record, value)``; values held by one record are
   dropped (a record with none left is a part alone). The rest are labelled by iterative
   min-label propagation over the bipartite graph (each value takes the lowest label of its
   records, each record the lowest of its values), every round cut from its lineage with a
   checkpoint, until no label moves: about half the longest chain of records in rounds, a
   handful on real lists.
3. **Link**: the records are shuffled by part, sorted by their place in the evidence (file,
   table, row) and handed to ``Linker`` one partition at a time; each partition gives its items
   keyed by person (its category the person's highest-tier one with ``--link person``) and its
   figures (records, persons, merges per rule, conflicts, shared values, records kept apart, the
   first shared values as masked examples).
4. **Items** go through the count's usual aggregation (``_spark._aggregate``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from functools import reduce
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import pyarrow as pa

from leaktrace.engine._tasks import ITEM, LinkJob, link_columns
from leaktrace.mask import mask
from leaktrace.normalize import Linkage, Linker, LinkRules
from leaktrace.normalize._link import EXAMPLES, Ambiguity
from leaktrace.normalize._link import ID as LINK_ID

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

PERSON, FIGURE, EXAMPLE, LIST = 0, 1, 2, 3
"""Row tags of the link step's output: an item keyed by person; a partition's figure (``name``:
records, persons, apart, conflicts, ``merged:<rule>``, ``shared:<identifier>``, ``open_places``,
``open_records``, ``if_merged``); a shared value's masked example with its place; a list's
estates as one partition's records show them (``source`` the list, ``bare`` whether any,
``key`` the estate's hash, ``n`` 1 when two or more: rule 5's first pass)."""

LINKED_DDL = (
    "tag byte, source int, cat short, key long, bare boolean, "
    "name string, n long, text string, tbl int, o1 long, o2 long"
)
LINKED_ARROW = pa.schema(
    [
        ("tag", pa.int8()),
        ("source", pa.int32()),
        ("cat", pa.int16()),
        ("key", pa.int64()),
        ("bare", pa.bool_()),
        ("name", pa.string()),
        ("n", pa.int64()),
        ("text", pa.string()),
        ("tbl", pa.int32()),
        ("o1", pa.int64()),
        ("o2", pa.int64()),
    ]
)

ORDER = ("source", "tbl", "o1", "o2")
"""A record's place in the evidence: the order in which the local engine links records."""

MAX_ROUNDS = 10_000
"""A bound on label propagation rounds (each moves labels two hops; never reached)."""


def link_records(
    spark: SparkSession,
    recs: DataFrame,
    job: LinkJob,
    *,
    rule: str,
    ranks: Sequence[int],
    failed: Sequence[int],
    partitions: int,
) -> tuple[DataFrame, Linkage, Counter[int], dict[str, Any]]:
    """Link the record rows of a linked count task (``kind`` RECORD; ``recs`` should be
    persisted: it is read several times).

    Returns the item rows ``(kind, source, cat, key, bare)`` keyed by person (persisted: the
    caller unpersists them), the :class:`Linkage` figures, the distinct items per category id
    before linkage and some figures of the run (rounds of label propagation, records in parts).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from leaktrace.engine._spark import map_in_arrow

    rules = job.rules
    kinds = list(rules.kinds)
    # files that failed part-way take no part, as in the local engine
    kept = recs.where(~F.col("source").isin(list(failed))) if failed else recs
    stats: dict[str, Any] = {}
    unlinked: Counter[int] = Counter(
        {
            int(r["cat"]): int(r["n"])
            for r in kept.select("cat", "key")
            .distinct()
            .groupBy("cat")
            .agg(F.count(F.lit(1)).alias("n"))
            .collect()
        }
    )
    # a record's number: a hash of its place in the evidence (deterministic, so the frame need
    # not be held; two records with one number would only put their parts in one partition)
    kept = kept.withColumn("rid", F.xxhash64(*ORDER))
    by_value = Window.partitionBy("v")
    by_record = Window.partitionBy("rid")
    edges = reduce(
        lambda a, b: a.unionByName(b),
        [
            kept.where(F.col(f"k_{k}").isNotNull()).select(
                "rid", F.xxhash64(F.lit(i), F.col(f"k_{k}")).alias("v")
            )
            for i, k in enumerate(kinds)
        ],
    )
    edges = (
        edges.select(
            "rid",
            "v",
            F.count(F.lit(1)).over(by_value).alias("c"),
            F.min("rid").over(by_value).alias("l"),
        )
        .where(F.col("c") > 1)
        .select("rid", "v", F.min("l").over(by_record).alias("l"))
    ).localCheckpoint(eager=True)
    rounds = 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        moved = (
            edges.withColumn("m", F.min("l").over(by_value))
            .withColumn("m", F.min("m").over(by_record))
            .localCheckpoint(eager=True)
        )
        still = moved.where(F.col("m") != F.col("l")).limit(1).count()
        edges = moved.select("rid", "v", F.col("m").alias("l"))
        if not still:
            break
    stats["rounds"] = rounds
    part = edges.groupBy("rid").agg(F.min("l").alias("part"))
    keys = [f"k_{c}" for c in link_columns(rules)]
    texts = [f"t_{k}" for k in job.texts]
    inputs = (
        kept.join(part, "rid", "left")
        .select(
            *ORDER,
            "cat",
            "key",
            "bare",
            *keys,
            *texts,
            F.coalesce(F.col("part"), F.col("rid")).alias("part"),
        )
        .repartition(partitions, "part")
        .sortWithinPartitions(*ORDER)
        .drop("part")
    )
    top = list(ranks) if rule == "person" else None
    inputs = inputs.persist()
    several, single = _several(inputs, rules) if rules.name_place else (None, None)
    stats["lists_of_several_estates"] = int(several.sum()) if several is not None else 0

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return link_partition(batches, rules, job.texts, top, several, single)

    linked = map_in_arrow(inputs, run, LINKED_DDL).persist()
    try:
        figures = linked.where(F.col("tag") != PERSON).collect()
        items = linked.where(F.col("tag") == PERSON).select(
            F.lit(ITEM).cast("byte").alias("kind"), "source", "cat", "key", "bare"
        )
        items = _materialise(items.persist())
    finally:
        linked.unpersist()
        inputs.unpersist()
    return items, _linkage(figures, kinds), unlinked, stats


def _several(inputs: DataFrame, rules: LinkRules) -> tuple[np.ndarray, np.ndarray]:
    """Rule 5's first pass: which lists cover several estates, summed over every partition
    (each partition's linker sees the estates its records lead to; a list covers several when
    one partition sees two or more, or two partitions see different ones), and the hash of
    the one estate each other list leads to (0: none). One row per list reaches the driver."""
    from pyspark.sql import functions as F

    from leaktrace.engine._spark import map_in_arrow

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return list_estates_partition(batches, rules)

    rows = (
        map_in_arrow(inputs, run, LINKED_DDL)
        .groupBy("source")
        .agg(
            F.max("n").alias("multi"),
            F.countDistinct("key").alias("estates"),
            F.min("key").alias("key"),
        )
        .collect()
    )
    top = max((int(r["source"]) for r in rows), default=-1)
    several = np.zeros(top + 1, dtype=np.bool_)
    single = np.zeros(top + 1, dtype=np.int64)
    for r in rows:
        several[int(r["source"])] = bool(r["multi"]) or int(r["estates"]) > 1
        if not several[int(r["source"])]:
            single[int(r["source"])] = int(r["key"])
    return several, single.view(np.uint64)


def _partition_linker(
    batches: Iterator[pa.RecordBatch], rules: LinkRules
) -> tuple[pl.DataFrame, Linker] | None:
    """A partition's records and a linker holding their link keys and lists (None if empty)."""
    frames = [pl.DataFrame(pl.from_arrow(b)) for b in batches]
    frames = [f for f in frames if f.height]
    if not frames:
        return None
    frame = pl.concat(frames)
    columns = link_columns(rules)
    keys = pl.DataFrame(
        [frame.get_column(f"k_{c}").reinterpret(signed=False).alias(c) for c in columns]
    )
    linker = Linker(rules)
    linker.add(keys, lists=frame.get_column("source").to_numpy().astype(np.uint32))
    return frame, linker


def list_estates_partition(
    batches: Iterator[pa.RecordBatch], rules: LinkRules
) -> Iterator[pa.RecordBatch]:
    """The estates each list's records lead to, as one partition's records show them (rows
    tagged :data:`LIST`)."""
    got = _partition_linker(batches, rules)
    if got is None:
        return
    by_list = got[1].finish().ambiguous.lists
    seen = np.flatnonzero(by_list[0] > 0)
    if not seen.size:
        return
    yield _frame_batch(
        pl.DataFrame(
            {
                "tag": np.full(seen.size, LIST, dtype=np.int8),
                "source": seen.astype(np.int32),
                "key": by_list[1, seen].view(np.int64),
                "bare": np.ones(seen.size, dtype=np.bool_),
                "n": by_list[2, seen].astype(np.int64),
            }
        )
    )


def _materialise(frame: DataFrame) -> DataFrame:
    frame.count()
    return frame


def link_partition(
    batches: Iterator[pa.RecordBatch],
    rules: LinkRules,
    texts: Sequence[str],
    ranks: Sequence[int] | None,
    several: np.ndarray | None = None,
    single: np.ndarray | None = None,
) -> Iterator[pa.RecordBatch]:
    """Link one partition's records (whole parts, in evidence order) with ``Linker``: the items
    keyed by person (numbered by partition and first record), and the partition's figures.

    ``ranks`` (per category id, its tier's rank) make each person one item at their highest
    tier (``--link person``); without them a person is one item per category. ``several`` (per
    list, whether it covers several estates) and ``single`` (the one estate each other list
    leads to: :func:`_several`) are what every partition shows.
    """
    from pyspark import TaskContext

    got = _partition_linker(batches, rules)
    if got is None:
        return
    frame, linker = got
    found = linker.finish(several=several, single=single)
    context = TaskContext.get()
    number = (context.partitionId() if context is not None else 0) << 40
    person = pl.Series("person", found.person.to_numpy() + number, dtype=pl.Int64)
    items = frame.select("source", "cat", "bare").with_columns(person)
    if ranks is not None:
        cat = items.get_column("cat").cast(pl.Int32)
        code = pl.Series("code", list(ranks), dtype=pl.Int32).gather(cat) * 256 + cat
        items = items.with_columns(code).with_columns(
            (pl.col("code").min().over("person") % 256).cast(pl.Int16).alias("cat")
        )
    items = items.group_by("person", "cat", "source").agg(pl.col("bare").all())
    yield _frame_batch(
        items.select(
            pl.lit(PERSON, pl.Int8).alias("tag"),
            "source",
            "cat",
            pl.col("person").alias("key"),
            "bare",
        )
    )
    rows: list[tuple[object, ...]] = [
        (FIGURE, "records", found.records),
        (FIGURE, "persons", found.persons),
        (FIGURE, "apart", found.apart),
        (FIGURE, "conflicts", found.conflicts),
        *((FIGURE, f"merged:{k}", n) for k, n in found.merged_by.items()),
        *((FIGURE, f"shared:{k}", n) for k, n in found.shared.items()),
        (FIGURE, "open_places", found.ambiguous.places),
        (FIGURE, "open_records", found.ambiguous.records),
        (FIGURE, "if_merged", found.ambiguous.to_json(found.persons)["persons_if_merged"]),
    ]
    names = ("tag", "name", "n")
    figures = pl.DataFrame(rows, schema=dict.fromkeys(names), orient="row")
    yield _frame_batch(figures)
    examples = _examples(frame, rules, texts, found.shared)
    if examples.height:
        yield _frame_batch(examples)


def _examples(
    frame: pl.DataFrame, rules: LinkRules, texts: Sequence[str], shared: Counter[str]
) -> pl.DataFrame:
    """The first :data:`~leaktrace.normalize._link.EXAMPLES` shared values of each identifier
    (a value beside two or more ID numbers), each at its first record, masked."""
    parts = []
    order = pl.int_range(0, frame.height, dtype=pl.Int64, eager=True).alias("_at")
    for code, kind in enumerate(rules.kinds):
        if kind not in texts or not shared.get(kind):
            continue
        values = pl.DataFrame(
            [
                order,
                frame.get_column(f"k_{kind}").alias("v"),
                frame.get_column(f"k_{LINK_ID}").alias("id")
                if f"k_{LINK_ID}" in frame.columns
                else pl.repeat(None, frame.height, dtype=pl.Int64, eager=True).alias("id"),
                frame.get_column(f"t_{kind}").alias("t"),
            ]
        ).drop_nulls("v")
        found = (
            values.group_by("v")
            .agg(
                pl.col("_at").min(),
                pl.col("id").drop_nulls().n_unique().alias("ids"),
                pl.col("t").drop_nulls().first(),
            )
            .filter((pl.col("ids") > 1) & pl.col("t").is_not_null())
            .sort("_at")
            .head(EXAMPLES)
        )
        at = found.get_column("_at")
        parts.append(
            pl.DataFrame(
                {
                    "tag": pl.repeat(EXAMPLE, found.height, dtype=pl.Int8, eager=True),
                    "name": pl.repeat(kind, found.height, dtype=pl.String, eager=True),
                    "n": pl.repeat(code, found.height, dtype=pl.Int64, eager=True),
                    "text": [f"{kind} {mask(t, kind)}" for t in found.get_column("t").to_list()],
                }
            ).with_columns(frame.select(pl.col(c).gather(at) for c in ORDER))
        )
    return pl.concat(parts) if parts else pl.DataFrame()


def _frame_batch(frame: pl.DataFrame) -> pa.RecordBatch:
    table = frame.to_arrow()
    arrays = [
        table.column(f.name).cast(f.type).combine_chunks()
        if f.name in frame.columns
        else pa.nulls(frame.height, f.type)
        for f in LINKED_ARROW
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=LINKED_ARROW)


def _linkage(figures: Sequence[Any], kinds: Sequence[str]) -> Linkage:
    """The run's :class:`Linkage` from the partitions' figures."""
    merged: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    examples = []
    for r in figures:
        name, n = r["name"], int(r["n"])
        if r["tag"] == EXAMPLE:
            key = (n, *(int(r[c]) for c in ORDER))
            examples.append((key, r["text"]))
        elif name.startswith("merged:"):
            merged[name.split(":", 1)[1]] += n
        elif r["tag"] == LIST:
            continue
        elif name.startswith("shared:"):
            shared[name.split(":", 1)[1]] += n
        else:
            totals[name] += n
    order = [*kinds, "other"]
    merged_by = {k: merged[k] for k in sorted(merged, key=order.index) if merged[k] > 0}
    return Linkage(
        person=pl.Series("person", np.zeros(0, dtype=np.int64)),
        persons=totals["persons"],
        records=totals["records"],
        merged_by=merged_by,
        conflicts=totals["conflicts"],
        shared=shared,
        examples=[text for _, text in sorted(examples)[:EXAMPLES]],
        apart=totals["apart"],
        ambiguous=Ambiguity(
            places=totals["open_places"],
            records=totals["open_records"],
            persons_if_merged=totals["if_merged"] if totals["open_places"] else None,
        ),
    )


__all__ = ["LINKED_DDL", "link_partition", "link_records"]
