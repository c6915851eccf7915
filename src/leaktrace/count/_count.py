"""Count items (一条公民个人信息) per Art. 11: the local engine's run over evidence files.

The flow per table is the same as ``scan``: the first batch is the classifier's sample, then
every batch goes through two pure batch functions, :func:`leaktrace.normalize.records` and
:func:`item_rows`, and the item rows feed the keyed aggregations of :mod:`._items`.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from queue import Full, Queue
from typing import Any, Literal, cast

import numpy as np
import polars as pl

from leaktrace.count._items import ITEM_SCHEMA, ItemSet, Tally, tally
from leaktrace.count._pairs import TOP_PAIRS, write_pairs
from leaktrace.count._small import (
    GROUP_ROWS,
    SMALL_BYTES,
    SMALL_ROWS,
    GroupRecords,
    group_records,
    recovered_cells,
)
from leaktrace.detect import ColumnProfile, classify_columns, warm_fast_paths
from leaktrace.detect._bytes import compiled
from leaktrace.errors import InputError, UsageError
from leaktrace.ingest import Evidence, Failure, Limits, Table, one_ahead, walk
from leaktrace.law import Policy, load_policy
from leaktrace.normalize import (
    FIELDS,
    LINK_FIELDS,
    HashStore,
    Linkage,
    Linker,
    link_keys,
    records,
    rules_of,
    types_of,
    warm_splitter,
)
from leaktrace.scan import SAMPLE_ROWS

KeyRule = Literal["person", "content"]
KEY_RULES: tuple[KeyRule, ...] = ("person", "content")
"""How duplicates are decided: ``person`` (default) collapses records about the same person
within a category, as forensic examiners deduplicate on ID or phone number; ``content``
collapses only records whose canonical content is identical."""

LinkRule = Literal["person", "category", "none"]
LINK_RULES: tuple[LinkRule, ...] = ("person", "category", "none")
"""How records of one person count (docs/count.md, "Linkage"): ``person`` (the default policy's)
links records into persons and counts each person once, at the highest tier any of their
records reaches; ``category`` counts each person once per category; ``none`` links nothing
(each record is keyed by its strongest identifier alone, as before linkage)."""

UNIDENTIFIED = "不能识别特定自然人 no policy rule makes this identify a person"
"""Reason of valid rows whose fields match no mapping of the policy (a name alone, a date)."""

NO_CATEGORY = 255
"""Category id of records that match no mapping (not personal information per the policy)."""

_CAT_MIX = np.uint64(0x9E3779B97F4A7C15)
"""Spreads a category id over 64 bits before it is folded into a person key (unlinked count)."""

TIERS = ("sensitive", "important", "ordinary")

BATCH_ROWS = 400_000
"""Rows a count reads at a time, twice ingest's default: normalising a batch has a fixed cost
(some 30 ms of planning queries and starting work on threads, however few its rows), and 65
batches of 200,000 rows at 13 million rows paid it twice as often. The price is memory: a few
batches are in flight at once (see :data:`AHEAD`), some 600 MB more at the peak."""

AHEAD = 1
"""Batches read and handed to normalising beyond the ones being normalised and counted: memory
holds at most some four batches at once."""

Progress = Callable[[str, int], None]
"""Called with (what is being read, rows just done) so a shell can show progress."""


class Categoriser:
    """The policy's category for each ``types`` bitmask, asked once per distinct mask and kind."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.ids = list(policy.categories)
        self._cache: dict[tuple[int, str | None], tuple[int, bool, str | None]] = {}

    def table(self, masks: pl.Series, kind: str | None) -> pl.DataFrame:
        """``types`` -> ``cat`` (id, or NO_CATEGORY), ``bare`` and ``rule`` for these masks."""
        rows = []
        for mask in masks.unique().to_list():
            key = (int(mask), kind)
            if key not in self._cache:
                match = self.policy.category_of(set(types_of(int(mask))), kind)
                self._cache[key] = (
                    (self.ids.index(match.category), match.bare_phone, match.rule_id)
                    if match is not None
                    else (NO_CATEGORY, False, None)
                )
            rows.append((int(mask), *self._cache[key]))
        return pl.DataFrame(
            rows,
            schema={"types": pl.UInt32, "cat": pl.UInt8, "bare": pl.Boolean, "rule": pl.String},
            orient="row",
        )


def item_rows(
    recs: pl.DataFrame,
    categories: pl.DataFrame,
    source: int,
    *,
    key: KeyRule = "person",
    values: Sequence[str] = (),
) -> pl.DataFrame:
    """The item rows of a batch of valid records (a pure batch function).

    ``categories`` is :meth:`Categoriser.table` for the batch's masks. Records of no category
    are dropped (they are counted as unidentified by the caller). The rows come in no particular
    order: every use of them is a set operation.
    """
    cat, bare = _categories_of(recs, categories)
    valid = recs.get_column("status") == "valid"
    return _items(recs, cat, bare, valid & (cat != NO_CATEGORY), source, key, values)


def _categories_of(recs: pl.DataFrame, categories: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """Each record's category id (``NO_CATEGORY`` for none) and whether it is a bare phone
    number, looked up by its ``types`` in ``categories`` (:meth:`Categoriser.table`).

    The lookup is a table indexed by the mask itself: masks are below 2**17 (one bit a type), so
    it is small, and reading it costs less than a join or a search per record.
    """
    types = recs.get_column("types").to_numpy()
    known = categories.get_column("types").to_numpy()
    size = int(max(known.max(initial=0), types.max(initial=0))) + 1
    cat = np.full(size, NO_CATEGORY, dtype=np.uint8)
    cat[known] = categories.get_column("cat").to_numpy()
    bare = np.zeros(size, dtype=np.bool_)
    bare[known] = categories.get_column("bare").to_numpy()
    return pl.Series("cat", cat[types]), pl.Series("bare", bare[types])


def _key_column(key: KeyRule) -> str:
    """The records' column that holds the key of the duplicate rule."""
    return "person_key" if key == "person" else "content_key"


def _items(
    recs: pl.DataFrame,
    cat: pl.Series,
    bare: pl.Series,
    keep: pl.Series,
    source: int,
    key: KeyRule,
    values: Sequence[str],
    keys: pl.Series | None = None,
) -> pl.DataFrame:
    """The rows of ``keep`` as item rows (see :func:`item_rows`); ``keys``, when given,
    replaces the key column (linkage keys items by record number until persons are known)."""
    columns = [
        cat,
        (keys if keys is not None else recs.get_column(_key_column(key))).alias("key"),
        pl.repeat(source, recs.height, dtype=pl.UInt32, eager=True).alias("source"),
        bare,
    ]
    if values:
        columns += [recs.get_column(v) for v in values]
        columns += [
            recs.get_column("types").bitwise_count_ones().cast(pl.UInt8).alias("fields"),
            recs.get_column("row"),
        ]
    return pl.DataFrame(columns).filter(keep).cast(ITEM_SCHEMA)  # type: ignore[arg-type]


@dataclass
class FileCount:
    """One evidence file: what was read, excluded, and how many distinct items it holds."""

    path: str
    sha256: str
    size: int
    format: str
    parent: str | None
    root: str
    kind: str | None
    tables: list[str] = field(default_factory=list)
    records_read: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    countable: Counter[int] = field(default_factory=Counter)
    items: Counter[int] = field(default_factory=Counter)
    types_seen: int = 0
    shared: int = 0
    """Its distinct items that another file holds too."""
    recovered: Counter[str] = field(default_factory=Counter)
    """Cells per type read back from a number a spreadsheet rewrote (``13606661234.0``)."""
    failed: bool = False
    """Reading failed part-way: the file is listed under errors and nothing of it is counted."""

    def to_json(self, categories: list[str], tier_of: Callable[[str], str]) -> dict[str, Any]:
        by_cat = {categories[c]: n for c, n in sorted(self.items.items())}
        tiers = Counter({t: 0 for t in TIERS})
        for cat, n in by_cat.items():
            tiers[tier_of(cat)] += n
        countable = sum(self.countable.values())
        return {
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "format": self.format,
            "parent": self.parent,
            "kind": self.kind,
            "tables": self.tables,
            "records_read": self.records_read,
            "records": {s: self.statuses.get(s, 0) for s in _RECORD_STATUSES},
            "items": dict(tiers),
            "by_category": by_cat,
            "duplicate_within_file": countable - sum(self.items.values()),
            "shared": self.shared,
            "reasons": _reasons_json(self.reasons),
            "recovered": dict(sorted(self.recovered.items())),
        }


_RECORD_STATUSES = ("valid", "invalid", "masked", "unidentified", "empty")

STATUS_TEXT = {
    "valid": "有效 valid",
    "invalid": "不真实 invalid",
    "masked": "遮蔽 masked",
    "unidentified": "不能识别特定自然人 unidentified",
    "empty": "无个人信息 empty",
    "duplicate": "重复 duplicate",
}
"""What a person reads for each record status (the JSON keeps the English codes)."""


def _reasons_json(reasons: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {"status": status, "reason": reason, "records": n}
        for (status, reason), n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@dataclass
class CountResult:
    """Items per category and tier, per file, overlaps and exclusions, under one policy."""

    policy: Policy
    key: KeyRule
    files: list[FileCount]
    errors: list[Failure]
    tally: Tally
    categories: list[str]
    exported: str | None = None
    linkage: Linkage | None = None
    """The persons found (None when the count did not link records, ``--link none``)."""
    unlinked: Counter[int] | None = None
    """Distinct items per category id without linkage (each record keyed by its strongest
    identifier), the figure before persons were merged."""
    link: LinkRule = "none"

    @property
    def read(self) -> list[FileCount]:
        """The files that were read in full (indexes into ``files`` stay source ids)."""
        return [f for f in self.files if not f.failed]

    @property
    def records_read(self) -> int:
        return sum(f.records_read for f in self.read)

    def statuses(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for f in self.read:
            total.update(f.statuses)
        return total

    def by_category(self) -> dict[str, int]:
        """Distinct items per category id (categories with none left out)."""
        return {self.categories[c]: n for c, n in sorted(self.tally.items.items()) if n}

    def items(self) -> dict[str, int]:
        """Distinct items per tier (every tier present, 0 when none)."""
        out = {t: 0 for t in TIERS}
        for cat, n in self.by_category().items():
            out[self.policy.tier_of(cat)] += n
        return out

    def items_unlinked(self) -> dict[str, int]:
        """Distinct items per tier before records were linked into persons (as ``items``
        when the count did not link)."""
        if self.unlinked is None:
            return self.items()
        out = {t: 0 for t in TIERS}
        for c, n in self.unlinked.items():
            out[self.policy.tier_of(self.categories[c])] += n
        return out

    def linkage_json(self) -> dict[str, Any] | None:
        """``linkage`` of the JSON: records, persons, how records were merged, conflicts."""
        if self.linkage is None:
            return None
        return {
            "rule": self.link,
            **self.linkage.to_json(),
            "items_unlinked": self.items_unlinked(),
        }

    @property
    def bare_phone(self) -> int:
        return sum(self.tally.bare.values())

    @property
    def duplicate(self) -> int:
        countable = sum(sum(f.countable.values()) for f in self.read)
        return countable - sum(self.tally.items.values())

    def recovered(self) -> dict[str, int]:
        """Cells per type read back from numbers a spreadsheet rewrote, every digit intact."""
        total: Counter[str] = Counter()
        for f in self.read:
            total.update(f.recovered)
        return dict(sorted(total.items()))

    def overlaps(self, top: int = TOP_PAIRS) -> list[dict[str, Any]]:
        """The ``top`` pairs of files sharing the most items (ties: in file order)."""
        pairs = sorted(
            ((n, a, b) for (a, b), n in self.tally.overlaps.items() if n),
            key=lambda t: (-t[0], t[1], t[2]),
        )
        return [
            {"a": self.files[a].path, "b": self.files[b].path, "items": n}
            for n, a, b in pairs[:top]
        ]

    def write_overlaps(self, path: Path) -> int:
        """Every pair of files sharing items to a CSV file, atomically; how many pairs."""
        names = [f.path for f in self.files]
        if self.tally.incidence is not None:
            return write_pairs(path, self.tally.incidence.pairs(len(self.files)), names)
        ordered = sorted((a, b, n) for (a, b), n in self.tally.overlaps.items() if n)
        chunk = tuple(np.array([p[i] for p in ordered], dtype=np.int64) for i in range(3))
        return write_pairs(path, iter([chunk] if ordered else []), names)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape documented in ``docs/count.md``."""
        statuses = self.statuses()
        reasons: Counter[tuple[str, str]] = Counter()
        for f in self.read:
            reasons.update(f.reasons)
        return {
            "policy": {"name": self.policy.name, "sha256": self.policy.sha256},
            "key": self.key,
            "items": self.items(),
            "persons": self.linkage.persons if self.linkage is not None else None,
            "linkage": self.linkage_json(),
            "by_category": {
                cat: {
                    "label": self.policy.categories[cat].label,
                    "tier": self.policy.tier_of(cat),
                    "items": n,
                }
                for cat, n in self.by_category().items()
            },
            "bare_phone": self.bare_phone,
            "records_read": self.records_read,
            "records": {s: statuses.get(s, 0) for s in _RECORD_STATUSES},
            "excluded": {
                "duplicate": self.duplicate,
                "invalid": statuses.get("invalid", 0),
                "masked": statuses.get("masked", 0),
                "unidentified": statuses.get("unidentified", 0),
                "empty": statuses.get("empty", 0),
            },
            "reasons": _reasons_json(reasons),
            "recovered": self.recovered(),
            "files": [f.to_json(self.categories, self.policy.tier_of) for f in self.read],
            "overlaps": self.overlaps(),
            "overlap_pairs": self.tally.overlap_pairs,
            "errors": [{"path": e.path, "reason": e.reason} for e in self.errors],
            "export": self.exported,
        }


class Run:
    """One counting run of the local engine: read, normalise, collect items, aggregate.

    ``count`` and ``count_case`` both drive it; a caller adds paths with :meth:`read`, then asks
    for the :class:`Tally` with :meth:`finish`.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        key: KeyRule = "person",
        values: Sequence[str] = (),
        progress: Progress | None = None,
        workdir: Path | None = None,
        link: LinkRule | None = None,
        group: bool = True,
    ) -> None:
        check_key(key)
        if link is not None:
            check_link(link)
        self.policy = policy
        self.key = key
        self.link: LinkRule = (
            "none" if key == "content" else link if link is not None else policy.linkage.count
        )
        self.rules = rules_of(policy)
        self.linker = Linker(self.rules, workdir) if self.link != "none" else None
        # each counted record's (category, person key) for the unlinked figure, as one hash
        self._unlinked_keys = HashStore(["key"], workdir=workdir)
        self.linkage: Linkage | None = None
        self.unlinked: Counter[int] | None = None
        self._cats: list[np.ndarray] = []
        self._sources: list[tuple[int, int]] = []
        self.group = group
        self.values = tuple(values)
        self.progress = progress
        self.categoriser = Categoriser(policy)
        self.files: list[FileCount] = []
        self.errors: list[Failure] = []
        self.items = ItemSet(self.values, workdir=workdir)
        # the fast paths load while the first file is hashed, not after
        threading.Thread(target=_warm, name="warm", daemon=True).start()

    def read(self, root: Path, kind: str | None = None) -> list[int]:
        """Count every evidence file under ``root``; returns their source ids."""
        return self.read_all([(root, kind)])[0]

    def read_all(self, roots: Sequence[tuple[Path, str | None]]) -> list[list[int]]:
        """Count every evidence file under each ``(root, kind)``; the source ids per root.

        The files of all roots form one stream read on a worker thread (:func:`_stream`): the
        next file is opened, hashed and classified while this one is counted, across roots too.
        """
        ids: list[list[int]] = [[] for _ in roots]
        parts = bool(self.values) or self.key == "content"
        needed = {"types", "status", "reason", _key_column(self.key), *self.values}
        if self.linker is not None:
            needed.update({*self.rules.identifiers, *LINK_FIELDS, "row"})
        if self.values:
            needed.add("row")
        file, source, label = None, -1, ""
        places = self.linker is not None and self.rules.name_place
        # small files are grouped unless their records keep their values (exports)
        group = self.group and not self.values
        for event in _on_thread(_stream(roots, parts, needed, places, group=group)):
            if isinstance(event, Failure):
                self.errors.append(event)
            elif isinstance(event, _Start):
                root, kind = roots[event.root]
                source = len(self.files)
                file = _file_count(event.evidence, root, kind)
                self.files.append(file)
            elif isinstance(event, _Group):
                root, kind = roots[event.root]
                first = len(self.files)
                for ev, name in zip(event.evidence, event.names, strict=True):
                    self.files.append(_file_count(ev, root, kind))
                    self.files[-1].tables.append(name)
                self._add_group(event.future.result(), first, kind)
                ids[event.root] += range(first, len(self.files))
            elif isinstance(event, str):
                assert file is not None
                file.tables.append(event)
                label = f"{file.path} · {event}"
            elif isinstance(event, Future):
                assert file is not None
                done = event.result()
                file.recovered.update(done.recovered)
                self._add(done.records, file, source, label)
            elif isinstance(event, InputError):
                # Nothing of a file that fails part-way is kept; its id stays taken.
                assert file is not None
                file.failed = True
                self.errors.append(Failure(path=event.path or file.path, reason=event.reason))
            else:
                ids[event.root].append(source)
        return ids

    def _add(self, recs: pl.DataFrame, file: FileCount, source: int, label: str) -> None:
        file.records_read += recs.height
        cat, bare = _categories_of(
            recs, self.categoriser.table(recs.get_column("types"), file.kind)
        )
        valid = recs.get_column("status") == "valid"
        countable = valid & (cat != NO_CATEGORY)
        per_cat = np.bincount(cat.filter(countable).to_numpy(), minlength=NO_CATEGORY)
        for c in np.flatnonzero(per_cat):
            file.countable[int(c)] += int(per_cat[c])  # the item rows below are exactly these
        file.statuses["valid"] += int(per_cat.sum())
        file.types_seen |= int(
            np.bitwise_or.reduce(recs.get_column("types").filter(countable).to_numpy(), initial=0)
        )
        unidentified = int(valid.sum()) - int(per_cat.sum())
        if unidentified:
            file.statuses["unidentified"] += unidentified
            file.reasons[("unidentified", UNIDENTIFIED)] += unidentified
        excluded = recs.select("status", "reason").filter(~valid)
        for st, reason, n in excluded.group_by("status", "reason").len().iter_rows():
            file.statuses[st] += n
            if reason is not None:
                file.reasons[(st, reason)] += n
        keys = self._link_keys(recs, cat, countable, source) if self.linker is not None else None
        self.items.add(_items(recs, cat, bare, countable, source, self.key, self.values, keys))
        if self.progress is not None:
            self.progress(label, recs.height)

    def _add_group(self, done: GroupRecords, first: int, kind: str | None) -> None:
        """:meth:`_add` for the records of a group of small files (``_file`` says whose), with
        one pass over the group for every figure instead of one per file."""
        recs = done.records
        n = len(done.recovered)
        files = self.files[first : first + n]
        whose = recs.get_column("_file").to_numpy().astype(np.int64)
        cat, bare = _categories_of(recs, self.categoriser.table(recs.get_column("types"), kind))
        valid = recs.get_column("status") == "valid"
        countable = valid & (cat != NO_CATEGORY)
        is_valid, counted = valid.to_numpy(), countable.to_numpy()
        cats = cat.to_numpy().astype(np.int64)
        per_cat = np.bincount(whose[counted] * 256 + cats[counted], minlength=256 * n)
        for at in np.flatnonzero(per_cat):
            files[at // 256].countable[int(at % 256)] += int(per_cat[at])
        heights = np.bincount(whose, minlength=n)
        n_valid = np.bincount(whose[counted], minlength=n)
        lost = np.bincount(whose[is_valid & ~counted], minlength=n)
        types = np.where(counted, recs.get_column("types").to_numpy(), 0).astype(np.int64)
        seen = np.bitwise_or.reduceat(types, np.concatenate([[0], np.cumsum(heights)[:-1]]))
        for k, file in enumerate(files):
            file.records_read += int(heights[k])
            file.statuses["valid"] += int(n_valid[k])
            file.types_seen |= int(seen[k]) if heights[k] else 0
            file.recovered.update(done.recovered[k])
            if lost[k]:
                file.statuses["unidentified"] += int(lost[k])
                file.reasons[("unidentified", UNIDENTIFIED)] += int(lost[k])
        excluded = recs.select("_file", "status", "reason").filter(~valid)
        for k, st, reason, m in excluded.group_by("_file", "status", "reason").len().iter_rows():
            files[k].statuses[st] += m
            if reason is not None:
                files[k].reasons[(st, reason)] += m
        if self.linker is not None:
            key = self._link_keys(recs, cat, countable, first, whose=whose)
        else:
            key = recs.get_column(_key_column(self.key)).alias("key")
        source = pl.Series("source", whose + first, dtype=pl.UInt32)
        items = pl.DataFrame([cat, key, source, bare])
        self.items.add(items.filter(countable).cast(ITEM_SCHEMA))  # type: ignore[arg-type]
        if self.progress is not None:
            self.progress(f"{files[-1].path} · {files[-1].tables[0]}", recs.height)

    def _link_keys(
        self,
        recs: pl.DataFrame,
        cat: pl.Series,
        countable: pl.Series,
        source: int,
        *,
        whose: np.ndarray | None = None,
    ) -> pl.Series:
        """Hand the countable records' link keys to the linker; their item keys are their
        record numbers until :meth:`link_persons` replaces them by persons.

        ``whose``, for a group of small files (:meth:`_add_group`), gives each record's file
        as an offset from ``source`` (files in order, each one table): every figure the linker
        keeps per file is then kept per file, as if the files had come one by one.
        """
        assert self.linker is not None
        rows = countable.arg_true()
        sub = recs.filter(countable)
        start = self.linker.height
        texts = {k: sub.get_column(k) for k in self.rules.identifiers if k in sub.columns}
        lists = source if whose is None else (whose[rows.to_numpy()] + source).astype(np.uint32)
        self.linker.add(link_keys(sub, self.rules), texts, lists)
        cats = cat.filter(countable).to_numpy()
        self._cats.append(cats)
        pair = sub.get_column("person_key").to_numpy() ^ (
            (cats.astype(np.uint64) + np.uint64(1)) * _CAT_MIX
        )
        pair[pair == 0] = 1  # 0 stands for no value
        self._unlinked_keys.add({"key": pair}, pair.size)
        if whose is None:
            self._sources.append((source, sub.height))
        else:
            per_file = np.bincount(whose[rows.to_numpy()], minlength=int(whose.max()) + 1)
            self._sources += [(source + k, int(n)) for k, n in enumerate(per_file)]
        keys = np.zeros(recs.height, dtype=np.uint64)
        keys[rows.to_numpy()] = np.arange(start, start + sub.height, dtype=np.uint64)
        return pl.Series("key", keys)

    def link_persons(self) -> None:
        """Link the records read into persons and key the items by person (once; a no-op
        without linkage). Records of files that failed part-way take no part."""
        if self.linker is None or self.linkage is not None:
            return
        failed = {i for i, f in enumerate(self.files) if f.failed}
        drop = np.concatenate(
            [np.full(n, s in failed, dtype=np.bool_) for s, n in self._sources]
            or [np.zeros(0, dtype=np.bool_)]
        )
        cats = np.concatenate(self._cats or [np.zeros(0, dtype=np.uint8)])
        self._cats = []
        # the unlinked figure first, so that its keys are let go before the link runs
        self.unlinked = self._distinct_unlinked(cats, ~drop if drop.any() else None)
        self.linkage = self.linker.finish(exclude=drop)
        label = self.linkage.person.to_numpy()
        if drop.any():
            label = np.where(label < 0, np.arange(label.size), label)
        label = label.astype(np.uint64, copy=False)
        if self.link == "person":
            cats = _top_category(cats, label, self._tier_ranks())
        new_cat, new_key = pl.Series(cats), pl.Series(label)

        def by_person(part: pl.DataFrame) -> pl.DataFrame:
            record = part.get_column("key")
            return part.with_columns(cat=new_cat.gather(record), key=new_key.gather(record))

        self.items = self.items.remap(by_person)

    def _distinct_unlinked(self, cats: np.ndarray, keep: np.ndarray | None) -> Counter[int]:
        """Distinct ``(cat, person key)`` per category id among the records ``keep`` marks: the
        count without linkage (each pair is one hash; its first record counts it once)."""
        first, _ = self._unlinked_keys.group("key", keep)
        self._unlinked_keys.close()
        if first is None:
            return Counter()
        if keep is not None:
            cats = cats[keep]
        per_cat = np.bincount(cats[_own(first)], minlength=NO_CATEGORY + 1)
        return Counter({int(c): int(per_cat[c]) for c in np.flatnonzero(per_cat)})

    def _tier_ranks(self) -> np.ndarray:
        """Per category id: its tier's rank (0 sensitive, 1 important, 2 ordinary)."""
        ranks = np.full(NO_CATEGORY + 1, len(TIERS), dtype=np.uint16)
        for i, name in enumerate(self.categoriser.ids):
            ranks[i] = TIERS.index(self.policy.tier_of(name))
        return ranks

    def finish(
        self,
        groups: Mapping[str, tuple[Sequence[int], Sequence[int]]] | None = None,
        each: Callable[[pl.DataFrame], None] | None = None,
    ) -> Tally:
        """Aggregate the items (per category, file, overlap and group) and drop the spill."""
        try:
            self.link_persons()
            failed = [i for i, f in enumerate(self.files) if f.failed]
            result = tally(self.items.groups(skip=failed), groups, each, sources=len(self.files))
        finally:
            self.items.close()
            self._unlinked_keys.close()
            if self.linker is not None:
                self.linker.close()
        for (source, cat), n in result.per_source.items():
            self.files[source].items[cat] += n
        for source, n in result.shared.items():
            self.files[source].shared = n
        return result


@dataclass(frozen=True)
class _Start:
    """A file begins (``root``: the index of the root it was found under)."""

    root: int
    evidence: Evidence


@dataclass(frozen=True)
class _Done:
    """The file begun last was read in full."""

    root: int


@dataclass(frozen=True)
class _Group:
    """Small files of one root, read and normalised together (:mod:`._small`): each begins,
    has the one table named, and is done, in this order."""

    root: int
    evidence: list[Evidence]
    names: list[str]
    future: Future[GroupRecords]


def _file_count(ev: Evidence, root: Path, kind: str | None) -> FileCount:
    return FileCount(
        path=ev.path,
        sha256=ev.sha256,
        size=ev.size,
        format=ev.format,
        parent=ev.parent,
        root=str(root),
        kind=kind,
    )


@dataclass(frozen=True)
class _Normalised:
    """A batch's records, and its cells read back from spreadsheet numbers per type."""

    records: pl.DataFrame
    recovered: Counter[str]


_Event = Failure | _Start | str | Future[_Normalised] | InputError | _Done | _Group
"""What :func:`_stream` yields: a file that could not be opened; a file begins; a table of it
begins (its name); a batch's records (being normalised); the file failed part-way; it is done."""


def _stream(
    roots: Sequence[tuple[Path, str | None]],
    parts: bool,
    columns: Collection[str],
    places: bool = False,
    *,
    group: bool = False,
) -> Iterator[_Event]:
    """Every file under the roots, in order, as events; the records (only ``columns`` of them)
    are normalised on a worker thread, one batch after another. With ``group``, consecutive
    small files of one root with the same columns come as one :class:`_Group`."""
    limits = Limits(batch_rows=BATCH_ROWS)
    files = ((i, ev) for i, (root, _) in enumerate(roots) for ev in walk([root], limits=limits))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="records") as pool:
        held = _Held(pool, parts, columns, places)
        for i, ev in one_ahead(files):
            if isinstance(ev, Failure):
                yield from held.flush()
                yield ev
                continue
            small = _small_table(ev) if group else None
            if small is not None:
                try:
                    batches = [b for b in small.batches() if b.height]
                except InputError as exc:
                    yield from held.flush()
                    yield from (_Start(i, ev), small.name, exc)
                    continue
                if len(batches) == 1 and batches[0].height <= SMALL_ROWS:
                    yield from held.add(i, ev, small.name, batches[0])
                    continue
            yield from held.flush()
            yield _Start(i, ev)
            try:
                for table in ev.tables:
                    yield table.name
                    yield from _table_records(
                        table, pool, parts=parts, columns=columns, places=places
                    )
            except InputError as exc:
                yield exc
            else:
                yield _Done(i)
        yield from held.flush()


def _small_table(ev: Evidence) -> Table | None:
    """The one table of a small file, which may join a group."""
    return ev.tables[0] if len(ev.tables) == 1 and ev.size <= SMALL_BYTES else None


class _Held:
    """The small files gathered for the next group."""

    def __init__(
        self,
        pool: ThreadPoolExecutor,
        parts: bool,
        columns: Collection[str],
        places: bool = False,
    ) -> None:
        self.pool, self.parts, self.columns, self.places = pool, parts, columns, places
        self.root = -1
        self.evidence: list[Evidence] = []
        self.names: list[str] = []
        self.frames: list[pl.DataFrame] = []
        self.rows = 0

    def add(self, root: int, ev: Evidence, name: str, frame: pl.DataFrame) -> Iterator[_Event]:
        if self.frames and (
            root != self.root
            or frame.columns != self.frames[0].columns
            or self.rows + frame.height > GROUP_ROWS
        ):
            yield from self.flush()
        self.root = root
        self.evidence.append(ev)
        self.names.append(name)
        self.frames.append(frame)
        self.rows += frame.height

    def flush(self) -> Iterator[_Event]:
        if not self.frames:
            return
        future = self.pool.submit(group_records, self.frames, self.parts, self.columns, self.places)
        yield _Group(self.root, self.evidence, self.names, future)
        self.evidence, self.names, self.frames, self.rows = [], [], [], 0


def _on_thread(events: Iterator[_Event], depth: int = AHEAD) -> Iterator[_Event]:
    """The same events, produced on a worker thread at most ``depth`` ahead of the caller.

    Reading, classifying and normalising thus go on while the caller counts, across files
    and tables too. An exception in the producer reaches the caller; a caller that stops
    early stops the producer.
    """
    queue: Queue[tuple[_Event | None, BaseException | None]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[_Event | None, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for event in events:
                if not put((event, None)):
                    return
            put((None, None))
        except BaseException as exc:  # handed to the caller, who raises it
            put((None, exc))
        finally:
            events.close()  # type: ignore[attr-defined]

    worker = threading.Thread(target=produce, name="stream", daemon=True)
    worker.start()
    try:
        while True:
            event, error = queue.get()
            if error is not None:
                raise error
            if event is None:
                return
            yield event
    finally:
        stop.set()
        worker.join()


def _table_records(
    table: Table,
    pool: ThreadPoolExecutor,
    *,
    parts: bool,
    columns: Collection[str],
    places: bool = False,
) -> Iterator[Future[_Normalised]]:
    """Records of every row of a table, normalised on ``pool``, the columns classified on its
    first rows.

    Address parts are split for every row only when they are needed (content keys, exports).
    """
    batches = (b for b in table.batches() if b.height)
    first = next(batches, None)
    if first is None:
        return
    profiles = classify_columns(list(first.columns), first.head(SAMPLE_ROWS))
    offset = 0
    for batch in _chain(first, batches):
        yield pool.submit(_normalised, batch, profiles, offset, parts, columns, places)
        offset += batch.height


def _normalised(
    batch: pl.DataFrame,
    profiles: Sequence[ColumnProfile],
    offset: int,
    parts: bool,
    columns: Collection[str],
    places: bool = False,
) -> _Normalised:
    recs = records(batch, profiles, offset=offset, parts=parts, columns=columns, places=places)
    return _Normalised(recs, recovered_cells(batch, profiles))


def _chain(first: pl.DataFrame, rest: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    yield first
    yield from rest


def count(
    paths: Iterable[Path],
    *,
    policy: Policy | None = None,
    key: KeyRule = "person",
    kind: str | None = None,
    export: Path | None = None,
    show_values: bool = False,
    progress: Progress | None = None,
    link: LinkRule | None = None,
    group: bool = True,
) -> CountResult:
    """Count distinct items in evidence files and folders per Art. 11 of the interpretation.

    Rows shown untrue (invalid identifiers) and masked rows are excluded with their reasons;
    duplicates collapse across every file given (see ``docs/count.md`` for the rule). ``kind``
    declares the dataset kind for every file (``policy.kinds``). With ``export``, the
    deduplicated items are written to that CSV or XLSX file (masked unless ``show_values``),
    atomically: the file appears complete or not at all. ``group=False`` counts small files one
    by one instead of in groups (:mod:`._small`; the figures are the same, only slower).
    """
    from leaktrace.count._export import Exporter

    policy = policy_for(policy, kind)
    roots = list(paths)
    for root in roots:
        if not root.exists():
            raise UsageError("文件或文件夹不存在 no such file or folder", str(root))
    exporter = Exporter(export, policy, show_values=show_values) if export else None
    run = Run(
        policy,
        key=key,
        values=FIELDS if exporter else (),
        progress=progress,
        link=link,
        group=group,
    )
    run.read_all([(root, kind) for root in roots])
    result = CountResult(
        policy=policy,
        key=key,
        files=run.files,
        errors=run.errors,
        tally=Tally(),
        categories=run.categoriser.ids,
        link=run.link,
    )
    if exporter is None:
        result.tally = run.finish()
    else:
        with exporter:
            exporter.start(result, _fields_seen(run.files))
            result.tally = run.finish(each=exporter.write)
            exporter.commit()
        result.exported = str(export)
    result.linkage, result.unlinked = run.linkage, run.unlinked
    return result


MERGED_BY = {
    "cn_id": "身份证号",
    "mobile": "手机号",
    "passport": "护照/通行证号",
    "bank_card": "银行卡号",
    "email": "电子邮箱",
    "qq": "QQ号",
    "wechat": "微信号",
    "landline": "固定电话",
    "name_place": "姓名+楼栋单元房号",
    "other": "经其他记录间接关联",
}
"""How each linkage rule reads in Chinese (``linkage.merged_by`` keys)."""


def _example_zh(example: str) -> str:
    """``mobile 138****5678`` → ``手机号 138****5678``: the kind in Chinese."""
    kind, _, value = example.partition(" ")
    return f"{MERGED_BY.get(kind, kind)} {value}" if value else example


def linkage_lines(data: Mapping[str, Any]) -> list[str]:
    """Both figures and how records were merged, in Chinese, from a count's JSON: the first
    line ``按人合并后 N 条；未合并 M 条（…）``, then one on conflicts when there are any, and one
    on name + place matches left open (``存疑未合并``) when there are any."""
    linkage = data["linkage"]
    linked = sum(data["items"].values())
    unlinked = sum(linkage["items_unlinked"].values())
    merged = "，".join(
        f"按{MERGED_BY.get(rule, rule)} {n:,} 条" for rule, n in linkage["merged_by"].items()
    )
    rule = "每人计一条（取其最高档）" if linkage["rule"] == "person" else "每人每类计一条"
    lines = [
        f"按人合并后 {linked:,} 条；未合并 {unlinked:,} 条（{rule}；"
        f"{linkage['records']:,} 条有效记录归为 {linkage['persons']:,} 人"
        + (f"，合并：{merged}" if merged else "")
        + "）"
    ]
    shared = linkage["shared_identifiers"]
    if linkage["conflicts"]:
        examples = "、".join(_example_zh(e) for e in shared["examples"])
        kinds = "、".join(
            f"{MERGED_BY.get(kind, kind)} {n:,} 个"
            for kind, n in shared.get("by_identifier", {}).items()
        )
        lines.append(
            f"冲突 {linkage['conflicts']:,} 处：{shared['count']:,} 个标识"
            "出现在两个以上不同身份证号旁"
            f"（{kinds or '标识'}；如家庭共用电话、同名同房号的不同人"
            f"{('；例：' + examples) if examples else ''}），不据以合并；"
            f"{shared['records_kept_apart']:,} 条无身份证号的记录无法归属，单独计数"
        )
    open_ = linkage.get("ambiguous_name_place") or {}
    if open_.get("records"):
        lines.append(
            f"存疑未合并 {open_['records']:,} 条：姓名与楼栋单元房号相同，但记录未写小区，"
            f"且同名同房号见于两个以上小区或其名单涉及多个小区（{open_['places']:,} 处），"
            "证据不足以认定为同一人，单独计数；"
            f"若一律合并则为 {open_['persons_if_merged']:,} 人"
        )
    return lines


def _own(first: np.ndarray) -> np.ndarray:
    """Where a record is the first of its value (its value counted once)."""
    return first == np.arange(first.size, dtype=first.dtype)


def _top_category(cats: np.ndarray, label: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Each record's category replaced by its person's highest-tier category (the lowest
    category id within that tier): a person is one item, at the highest tier they reach."""
    code = (ranks[cats].astype(np.uint16) << np.uint16(8)) | cats
    return cast(Callable[..., np.ndarray], _best_per_person)(code, label)


@compiled
def _best_per_person(code: np.ndarray, label: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Per record, the lowest ``code`` among the records of its person (its low byte)."""
    best = np.full(code.size, 0xFFFF, dtype=np.uint16)
    for i in range(code.size):
        if code[i] < best[label[i]]:
            best[label[i]] = code[i]
    out = np.empty(code.size, dtype=np.uint8)
    for i in range(code.size):
        out[i] = best[label[i]] & 0xFF
    return out


def check_link(link: str) -> None:
    """Refuse a linkage rule that is not one of :data:`LINK_RULES`."""
    if link not in LINK_RULES:
        raise UsageError(
            f"--link 须为 {'、'.join(LINK_RULES)} 之一 "
            f"--link must be one of {', '.join(LINK_RULES)}, not {link!r}"
        )


def check_key(key: str) -> None:
    """Refuse a duplicate rule that is not one of :data:`KEY_RULES`."""
    if key not in KEY_RULES:
        raise UsageError(
            f"去重口径须为 {' 或 '.join(KEY_RULES)} key must be one of {', '.join(KEY_RULES)}, "
            f"not {key!r}"
        )


def policy_for(policy: Policy | None, kind: str | None) -> Policy:
    """The policy a count runs under (the default one unless given), refusing an unknown
    dataset ``kind``; every engine checks its arguments with this and :func:`check_key`."""
    policy = policy if policy is not None else load_policy()
    if kind is not None and kind not in policy.kinds:
        raise UsageError(
            f"未知数据集种类 unknown dataset kind {kind!r} (已知 known: {', '.join(policy.kinds)})"
        )
    return policy


def _warm() -> None:
    """Load detect's fast paths and normalize's compiled splitter (see :class:`Run`)."""
    warm_fast_paths()
    warm_splitter()


def _fields_seen(files: list[FileCount]) -> list[str]:
    seen = 0
    for f in files:
        seen |= f.types_seen
    types = types_of(seen)
    fields = [f for f in FIELDS if f in types]
    if "address" in types:
        fields += ["province", "city", "district", "community"]
    if types & {"address", "room"}:
        fields += ["building", "unit", "room"]
    return [f for f in FIELDS if f in fields]


__all__ = [
    "KEY_RULES",
    "LINK_RULES",
    "MERGED_BY",
    "Categoriser",
    "CountResult",
    "FileCount",
    "KeyRule",
    "LinkRule",
    "Run",
    "check_key",
    "check_link",
    "count",
    "item_rows",
    "linkage_lines",
    "policy_for",
]
