"""Items and the keyed aggregations over them, with memory bounded whatever the volume.

An *item* row is ``(cat, key, source, bare)``: a category id, a 64-bit person (or content) key,
the evidence file it was seen in, and whether the record was a bare phone number. Everything the
count reports is an aggregation keyed by ``(cat, key)`` over these rows:

* distinct items per category: ``count(distinct (cat, key))``;
* items per file: ``count(distinct (cat, key))`` grouped by ``source``;
* overlaps: pairs of sources sharing a ``(cat, key)``, and per source how many of its items
  another source shares (past 64 sources through :mod:`._pairs`, from the incidence);
* per party and buyer (Art. 11): distinct ``(cat, key)`` over a set of sources.

:class:`ItemSet` collects item rows batch by batch (with values, only each item's fullest record
per source) and spills them to Parquet files partitioned by ``key``: every ``(cat, key)`` lands
in exactly one partition, so each partition is aggregated alone and memory is bounded by one
partition, not by the case. :func:`tally` aggregates a partition with one group-by per
``(cat, key)``, carrying the set of its sources as a bitmask.

A Spark engine runs the same aggregations as group-bys over the same rows.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from leaktrace.count._combos import MAX_SOURCES, combos
from leaktrace.count._pairs import Incidence, top_pairs

ITEM_SCHEMA: dict[str, pl.DataType] = {
    "cat": pl.UInt8(),
    "key": pl.UInt64(),
    "source": pl.UInt32(),
    "bare": pl.Boolean(),
}

PARTITIONS = 16
"""Spill partitions (by key): 50 million distinct items make about 3 million rows each."""

SPILL_ROWS = 16_000_000
"""Item rows held in memory before they are written out: some 220 MB of 14-byte rows, so a case
of up to 16 million item rows is aggregated without touching the disk (1.5 s less at 13 million);
past that, memory stays bounded by the spill partitions."""


class ItemSet:
    """Item rows from many batches, spilled to disk by key.

    Extra columns (the canonical values an export needs) ride along when ``values`` names them;
    then one representative record per ``(cat, key)`` is kept, the one with the most fields.
    Use as a context manager so the spill directory is removed.
    """

    def __init__(
        self,
        values: Sequence[str] = (),
        *,
        partitions: int = PARTITIONS,
        spill_rows: int = SPILL_ROWS,
        workdir: Path | None = None,
    ) -> None:
        self.values = tuple(values)
        self.partitions = partitions
        self._spill_rows = spill_rows
        # Rows that carry every canonical value are some ten times wider: hold fewer.
        self.spill_rows = spill_rows if not self.values else max(1, spill_rows // 8)
        self._parent = workdir
        self._dir: Path | None = None
        self._held: list[pl.DataFrame] = []
        self._held_rows = 0
        self._spills = 0

    def __enter__(self) -> ItemSet:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the spill files."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self._held = []

    def add(self, items: pl.DataFrame) -> None:
        """Add item rows (``ITEM_SCHEMA`` columns plus ``values``; a batch at a time)."""
        if not items.height:
            return
        if self.values:
            # Wide rows: keep only each item's fullest record per source at once.
            items = _distinct(items)
        self._held.append(items)
        self._held_rows += items.height
        if self._held_rows >= self.spill_rows:
            self._spill()

    def remap(self, change: Callable[[pl.DataFrame], pl.DataFrame]) -> ItemSet:
        """A new set holding ``change`` of every batch of rows, this one emptied: linkage
        replaces each record's key by its person's (and spills again by the new key)."""
        out = ItemSet(
            self.values,
            partitions=self.partitions,
            spill_rows=self._spill_rows,
            workdir=self._parent,
        )
        try:
            if self._dir is None:
                while self._held:
                    out.add(change(self._held.pop(0)))
            else:
                self._spill()
                assert self._dir is not None
                for part in range(self.partitions):
                    files = sorted(self._dir.glob(f"p{part:03d}-*.parquet"))
                    if files:
                        out.add(change(pl.read_parquet(files)))
        except BaseException:
            out.close()
            raise
        finally:
            self.close()
        return out

    def groups(self, skip: Sequence[int] = ()) -> Iterator[pl.DataFrame]:
        """Each partition's distinct ``(cat, key, source)`` rows, with ``bare`` per ``(cat, key)``.

        ``bare`` is true when every record of the item was a bare phone number. With ``values``,
        the representative record's values come along on every row of its item. Rows of the
        sources in ``skip`` (files that failed part-way) are left out.
        """
        if self._dir is None:
            held = pl.concat(self._held) if self._held else _empty(self.values)
            yield self._finish(_without(held, skip))
            return
        self._spill()
        assert self._dir is not None
        for part in range(self.partitions):
            files = sorted(self._dir.glob(f"p{part:03d}-*.parquet"))
            if files:
                yield self._finish(_without(pl.read_parquet(files), skip))

    def _finish(self, items: pl.DataFrame) -> pl.DataFrame:
        # Without values the rows go to ``tally`` as they are: it aggregates per (cat, key)
        # itself, so repeated rows and per-row ``bare`` give the same figures.
        return _finish(items) if self.values else items

    def _spill(self) -> None:
        if not self._held:
            return
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="leaktrace-items-", dir=self._parent))
        held = pl.concat(self._held)
        if self.values:
            held = _distinct(held)
        # without values repeats are left for tally, which aggregates per (cat, key) anyway
        self._held, self._held_rows = [], 0
        held = held.with_columns((pl.col("key") % self.partitions).cast(pl.UInt32).alias("_p"))
        for (part,), rows in held.partition_by("_p", as_dict=True, include_key=False).items():
            # 64-bit keys do not compress; lz4 costs next to nothing on the rest
            rows.write_parquet(
                self._dir / f"p{int(part):03d}-{self._spills:06d}.parquet", compression="lz4"
            )
        self._spills += 1


def _without(items: pl.DataFrame, skip: Sequence[int]) -> pl.DataFrame:
    return items.filter(~pl.col("source").is_in(list(skip))) if skip else items


def _empty(values: Sequence[str]) -> pl.DataFrame:
    schema = dict(ITEM_SCHEMA)
    if values:
        schema.update({v: pl.String() for v in values})
        schema.update({"fields": pl.UInt8(), "row": pl.UInt64()})
    return pl.DataFrame(schema=schema)


def _distinct(items: pl.DataFrame) -> pl.DataFrame:
    """The fullest record of each item in each source: it stands for the item in exports."""
    return items.sort(["fields", "source", "row"], descending=[True, False, False]).unique(
        ["cat", "key", "source", "bare"], keep="first", maintain_order=True
    )


def _finish(items: pl.DataFrame) -> pl.DataFrame:
    """Distinct ``(cat, key, source)`` rows, each with its item's representative values."""
    bare = items.group_by("cat", "key").agg(pl.col("bare").all())
    rows = items.drop("bare").sort(["fields", "source", "row"], descending=[True, False, False])
    best = rows.unique(["cat", "key"], keep="first", maintain_order=True).rename(
        {"source": "origin"}
    )
    rows = rows.select("cat", "key", "source").unique().join(best, on=["cat", "key"])
    return rows.join(bare, on=["cat", "key"])


@dataclass
class Tally:
    """What the keyed aggregations found, summed over partitions."""

    items: Counter[int] = field(default_factory=Counter)
    """Distinct items per category id."""
    bare: Counter[int] = field(default_factory=Counter)
    """Distinct items per category id that rest only on a bare phone number."""
    per_source: Counter[tuple[int, int]] = field(default_factory=Counter)
    """Distinct items per (source, category id)."""
    overlaps: Counter[tuple[int, int]] = field(default_factory=Counter)
    """Distinct items seen in both sources of the pair (a < b), all categories together: every
    pair below 64 sources, else the :data:`~._pairs.TOP_PAIRS` sharing most (all are in
    ``incidence``)."""
    overlap_pairs: int = 0
    """How many pairs of sources share any item."""
    shared: Counter[int] = field(default_factory=Counter)
    """Per source, its distinct items that some other source holds too."""
    incidence: Incidence | None = None
    """Past 64 sources: which sources each item was seen in, for every pair on request."""
    groups: dict[str, Counter[int]] = field(default_factory=dict)
    """Distinct items per category id over each named set of sources."""
    group_bare: dict[str, Counter[int]] = field(default_factory=dict)


def tally(
    partitions: Iterator[pl.DataFrame],
    groups: Mapping[str, tuple[Sequence[int], Sequence[int]]] | None = None,
    each: Callable[[pl.DataFrame], None] | None = None,
    *,
    sources: int | None = None,
) -> Tally:
    """Run the keyed aggregations over every partition.

    ``sources`` is how many sources there are (ids below it). Past 64, the overlaps are
    counted from the incidence (:mod:`._pairs`) and only the pairs sharing most are kept, with
    memory bounded by the items, not by the pairs of sources; without it every pair is kept,
    as a caller with few sources wants.

    ``groups`` maps a name to ``(include, exclude)`` source ids: the group's items are the
    distinct ``(cat, key)`` seen in an ``include`` source and in no ``exclude`` source. That is
    enough for Art. 11: items one buyer received, items obtained and never sold, and so on.
    ``each`` is called with every partition too (the export writes items as they come).
    """
    out = _empty_tally(groups or {})
    many = Incidence() if sources is not None and sources > MAX_SOURCES else None
    for part in partitions:
        if many is not None:
            _tally_many(part, groups or {}, out, many)
        else:
            _tally_part(part, groups or {}, out)
        if each is not None:
            each(part)
    if many is None:
        out.overlap_pairs = sum(1 for n in out.overlaps.values() if n)
        return out
    assert sources is not None
    top, out.overlap_pairs = top_pairs(many.pairs(sources))
    out.overlaps.update(top)
    out.incidence = many
    return out


def _empty_tally(groups: Mapping[str, object]) -> Tally:
    """A tally with every group present, so a group with no items reports zero."""
    out = Tally()
    for name in groups:
        out.groups[name] = Counter()
        out.group_bare[name] = Counter()
    return out


def _tally_part(
    part: pl.DataFrame, groups: Mapping[str, tuple[Sequence[int], Sequence[int]]], out: Tally
) -> None:
    """One partition's figures from its items per ``(cat, sources, bare)``.

    Every ``(cat, key)`` is counted once under the set of sources it was seen in (a bitmask,
    or a sorted list past 64 sources) and whether all its records were bare phone numbers
    (:func:`~leaktrace.count._combos.combos`; past 64 sources :func:`group_by_combos`). Items
    that share those count alike in every figure, and there are few such combinations, so the
    figures are sums over them.
    """
    if not part.height:
        return
    many = bool(part.get_column("source").max() >= MAX_SOURCES)  # type: ignore[operator]
    sigs = group_by_combos(part, many=many) if many else combos(part)
    chosen = {name: (set(include), set(exclude)) for name, (include, exclude) in groups.items()}
    for cat, sig, bare, n in sigs.iter_rows():
        seen = sorted(sig) if many else [s for s in range(MAX_SOURCES) if sig >> s & 1]
        out.items[cat] += n
        if bare:
            out.bare[cat] += n
        for i, a in enumerate(seen):
            out.per_source[(a, cat)] += n
            if len(seen) > 1:
                out.shared[a] += n
            for b in seen[i + 1 :]:
                out.overlaps[(a, b)] += n
        for name, (include, exclude) in chosen.items():
            if include.intersection(seen) and not exclude.intersection(seen):
                out.groups[name][cat] += n
                if bare:
                    out.group_bare[name][cat] += n


def _tally_many(
    part: pl.DataFrame,
    groups: Mapping[str, tuple[Sequence[int], Sequence[int]]],
    out: Tally,
    incidence: Incidence,
) -> None:
    """:func:`_tally_part` for any number of sources, with numpy over each item's sources.

    No figure loops over pairs of sources: the pairs are counted once at the end, from the
    incidence this adds to (:mod:`._pairs`).
    """
    if not part.height:
        return
    per_item = (
        part.lazy()
        .group_by("cat", "key")
        .agg(pl.col("source").unique(), pl.col("bare").all())
        .collect()
    )
    cat = per_item.get_column("cat").to_numpy().astype(np.int64)
    bare = per_item.get_column("bare").to_numpy()
    width = per_item.get_column("source").list.len().to_numpy()
    source = per_item.get_column("source").explode().to_numpy().astype(np.int64)
    item = np.repeat(np.arange(per_item.height), width)
    _add_counts(out.items, np.bincount(cat))
    _add_counts(out.bare, np.bincount(cat[bare]))
    cats = int(cat.max()) + 1
    by_source = np.bincount(source * cats + cat[item])
    for at in np.flatnonzero(by_source):
        out.per_source[(int(at) // cats, int(at) % cats)] += int(by_source[at])
    _add_counts(out.shared, np.bincount(source[width[item] > 1]))
    for name, (include, exclude) in groups.items():
        hit = np.bincount(item, np.isin(source, list(include)), minlength=item.size) > 0
        miss = np.bincount(item, np.isin(source, list(exclude)), minlength=item.size) > 0
        chosen = (hit & ~miss)[: per_item.height]
        _add_counts(out.groups[name], np.bincount(cat[chosen]))
        _add_counts(out.group_bare[name], np.bincount(cat[chosen & bare]))
    incidence.add(item, source, per_item.height)


def _add_counts(counter: Counter[int], counts: np.ndarray) -> None:
    for at in np.flatnonzero(counts):
        counter[int(at)] += int(counts[at])


def group_by_combos(part: pl.DataFrame, *, many: bool = False) -> pl.DataFrame:
    """:func:`~leaktrace.count._combos.combos` as two Polars group-bys, for any number of
    sources: ``sources`` is a bitmask, or with ``many`` the sorted list of source ids."""
    sources = (
        pl.col("source").unique().sort()
        if many
        else pl.lit(2, pl.UInt64).pow(pl.col("source")).cast(pl.UInt64).bitwise_or()
    )
    return (
        part.lazy()
        .group_by("cat", "key")
        .agg(sources.alias("sources"), pl.col("bare").all())
        .group_by("cat", "sources", "bare")
        .len()
        .collect()
    )
