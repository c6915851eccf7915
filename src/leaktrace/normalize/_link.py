"""Person linkage: which records are about the same person (Art. 11 ¶3, "重复的除外").

Records come from :func:`leaktrace.normalize.records`, so every identifier is already in one
written form (``+86 138 1234 5678``, ``138-1234-5678`` and full-width digits are
``13812345678``; a lowercase ``x`` is ``X``; a 15-digit ID number is its 18-digit form) and
only valid, unmasked values are present at all. The rules, in the words of ``docs/count.md``:

1. Records with the same ID number (``cn_id``) are one person.
2. Records that share a value of a linking identifier (the policy's ``linkage.identifiers``:
   mobile, passport, bank card, e-mail, QQ, WeChat by default; never a landline unless the
   policy says so), or the same name at the same building, unit and room (``name_place``), are
   one person, and links are transitive (ID–e-mail in one list, e-mail–mobile in another,
   mobile alone in a third: one person). A name alone never links.
3. Two different ID numbers are never one person. An identifier value written beside two or
   more different ID numbers (a couple sharing a phone) is *shared*: it links nothing by itself.
   Where a chain of identifiers would still lead from one ID number to another, the chain is a
   *conflict*: the records holding an ID number stay with their ID number.
4. A record without an ID number that touches such a shared value or conflict joins the person
   it shares a value with when there is exactly one such person; when there are several, it
   joins the one whose records carry its name, if exactly one does; otherwise it stays apart.
   Records left apart are one person among themselves only through values that are not shared,
   or when they hold the very same values and name (the family phone alone, twice).
5. Name and place: the same normalised name and the same building, unit and room, where the
   estates (``community``) do not conflict: a record without an estate (an owner register
   often names its estate only in its title) links to one with an estate only when that name,
   building, unit and room occur in a single estate, and only when its list is about one
   estate: when the list's records lead, through their identifiers, to records naming two or
   more estates, the list covers several, and its name and room prove nothing by themselves;
   when they lead to one, the record stands for that estate and links to no record of another.
   Such matches are left open (not merged) and reported (:class:`Ambiguity`), with the number
   of persons there would be were they merged. :func:`link` takes its records as one list;
   :class:`Linker` is told each record's list.

How it is computed (vectorised; no per-record Python):

* Each identifier value is a 64-bit hash of its canonical text (as the person keys are, see
  ``_keys.py``), kept batch by batch as records are added. When linking, each column in turn
  is grouped by a compiled loop (the hashes copied into buckets, an open-addressing table per
  bucket) into each record's first record with the same value, a record number (four bytes
  while there are fewer than 2³¹ records), and its hashes are let go: everything after works
  on these numbers. For each identifier in turn, a compiled loop finds whether the records of
  a value carry two or more different ID numbers (then the value is shared); every record is
  then joined to its value's first record in a union-find (union by the lower record number,
  with path compression), unless the value is shared. Each union that joins two groups is
  credited to the identifier that made it: that is ``merged_by``.
* Name + place (rule 5) comes last, once the identifiers have made their groups: a compiled
  pass finds the estates each group leads to, the estates each list's records without one lead
  to, and per name + place its estates and its first placed record; each record is joined to
  that record, to the first of its estate, or to no one (an open match, kept as a pair for the
  lower figure).
* Groups holding two or more ID numbers (conflicts), and groups without an ID number that carry
  a shared value, are then resolved per rule 3 and 4 with Polars joins over their few records,
  repeated until no record moves.
* A person's number is its lowest record number, so any engine that finds the same groups
  (Spark's min-label propagation does) gives the same numbers.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import polars as pl

from leaktrace.detect._bytes import compiled, inlined
from leaktrace.mask import mask
from leaktrace.normalize._keys import KEY_SEED, SEP, field_seed

ID = "cn_id"
"""The identifier two different values of which are always two people."""

NAME_PLACE = "name_place"
"""The rule name of a name + building/unit/room link (``merged_by`` key)."""

DEFAULT_IDENTIFIERS: tuple[str, ...] = (
    "cn_id",
    "mobile",
    "passport",
    "bank_card",
    "email",
    "qq",
    "wechat",
)
"""What links by default: the policy's ``linkage.identifiers`` (landlines left out)."""

LINK_FIELDS: tuple[str, ...] = ("name", "community", "building", "unit", "room")
"""The canonical fields besides identifiers that linkage reads."""

EXAMPLES = 5
"""Masked examples of shared identifiers reported."""

_MIX = np.uint64(0x9E3779B97F4A7C15)
_BUCKET_ROWS = 1 << 15
"""Records per bucket aimed at when grouping by value (a bucket's table then fits the cache)."""
_NAME, _ESTATE = "_name", "_estate"
_BY_ESTATE = -2
"""Target of a record naming its estate where that name and place occur in two or more."""


@dataclass(frozen=True)
class LinkRules:
    """Which identifiers link and whether name + place links (the policy's ``[linkage]``)."""

    identifiers: tuple[str, ...] = DEFAULT_IDENTIFIERS
    name_place: bool = True

    @property
    def kinds(self) -> tuple[str, ...]:
        """The link columns in the order merges are credited: ID number first, name+place last."""
        ids = tuple(i for i in self.identifiers if i != ID)
        return (
            *((ID,) if ID in self.identifiers else ()),
            *ids,
            *((NAME_PLACE,) if self.name_place else ()),
        )


def rules_of(policy: Any) -> LinkRules:
    """The link rules of a ``law.Policy`` (None: the default policy's)."""
    if policy is None:
        from leaktrace.law import load_policy

        policy = load_policy()
    if isinstance(policy, LinkRules):
        return policy
    return LinkRules(tuple(policy.linkage.identifiers), bool(policy.linkage.name_place))


def link_keys(records: pl.DataFrame, rules: LinkRules) -> pl.DataFrame:
    """The compact columns linkage needs, one UInt64 hash per link column (null when absent).

    Identifier values are hashed as in person keys (the value, with the field's seed); the
    place is ``name, building, unit, room`` hashed together (a record needs at least a building
    and a room to have one); ``_estate`` is the estate's hash, ``_name`` the name's.
    """
    cols = records.columns
    out = [
        (
            _hash(records.get_column(k), field_seed(k))
            if k in cols
            else pl.repeat(None, records.height, dtype=pl.UInt64, eager=True)
        ).alias(k)
        for k in rules.kinds
        if k != NAME_PLACE
    ]
    name = (
        records.get_column("name")
        if "name" in cols
        else pl.repeat(None, records.height, dtype=pl.String, eager=True)
    )
    out.append(_hash(name, KEY_SEED).alias(_NAME))
    if rules.name_place:
        have = all(c in cols for c in LINK_FIELDS)
        frame = records.select(
            (
                pl.when(
                    pl.col("name").is_not_null()
                    & pl.col("building").is_not_null()
                    & pl.col("room").is_not_null()
                )
                .then(
                    pl.concat_str(
                        [pl.col(c).fill_null("") for c in ("name", "building", "unit", "room")],
                        separator=SEP,
                    ).hash(seed=KEY_SEED + 1)
                )
                .alias(NAME_PLACE)
                if have
                else pl.lit(None, pl.UInt64).alias(NAME_PLACE)
            ),
            (
                pl.when(pl.col("community").is_not_null())
                .then(pl.col("community").hash(seed=KEY_SEED + 2))
                .alias(_ESTATE)
                if have
                else pl.lit(None, pl.UInt64).alias(_ESTATE)
            ),
        )
        out += [frame.get_column(NAME_PLACE), frame.get_column(_ESTATE)]
    return pl.DataFrame(out)


def _hash(values: pl.Series, seed: int) -> pl.Series:
    """64-bit hash of each value, null where the value is (Polars hashes null to a number)."""
    hashed = values.hash(seed=seed)
    if not values.null_count():
        return hashed
    return hashed.zip_with(
        values.is_not_null(), pl.repeat(None, len(values), dtype=pl.UInt64, eager=True)
    )


@dataclass
class Ambiguity:
    """Same name at the same building, unit and room where the evidence does not show which
    person a record is (rule 5): such records are not merged."""

    places: int = 0
    """Names + places (one name at one building, unit and room) where a record naming no estate
    could be more than one person: two or more estates have that name and room, or its list
    covers several estates."""
    records: int = 0
    """Records naming no estate in them, left unmerged."""
    persons_if_merged: int | None = None
    """The persons there would be were those matches taken as one person (the lower figure)."""
    alternative: np.ndarray = field(
        default_factory=lambda: np.zeros((2, 0), dtype=np.int64), repr=False
    )
    """The open matches as pairs of records (row 0) and the record each would join (row 1)."""
    lists: np.ndarray = field(default_factory=lambda: np.zeros((3, 0), dtype=np.uint64), repr=False)
    """Per list (column: the list's number), the estates its records naming none lead to
    through the identifiers: row 0 whether any, row 1 the estate (its hash) when one, row 2
    whether two or more. A linker that sees only part of the records (a Spark partition) gives
    these so that the lists' estates can be summed over every part (:meth:`Linker.finish`'s
    ``several``)."""

    def to_json(self, persons: int) -> dict[str, int]:
        return {
            "places": self.places,
            "records": self.records,
            "persons_if_merged": (
                self.persons_if_merged if self.persons_if_merged is not None else persons
            ),
        }


@dataclass
class Linkage:
    """The persons found in a set of records, and how they were found."""

    person: pl.Series
    """Per record, in input order: the person's number (the lowest record number among its
    records). Records with no person (not countable) are null."""
    persons: int
    records: int
    merged_by: dict[str, int] = field(default_factory=dict)
    """Rule (identifier, or ``name_place``) -> records merged into a person by it."""
    conflicts: int = 0
    """Places where the identifiers would have joined two different ID numbers: each shared
    value, and each chain of identifiers from one ID number to another."""
    shared: Counter[str] = field(default_factory=Counter)
    """Shared identifier values (beside two or more ID numbers), per identifier."""
    examples: list[str] = field(default_factory=list)
    """Masked examples of shared values (``mobile 138****5678``)."""
    apart: int = 0
    """Records without an ID number that touch a shared value or conflict and joined no one."""
    ambiguous: Ambiguity = field(default_factory=Ambiguity)
    """Name + place matches the evidence leaves open (rule 5), not merged."""

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "persons": self.persons,
            "merged_by": dict(self.merged_by),
            "conflicts": self.conflicts,
            "shared_identifiers": {
                "count": sum(self.shared.values()),
                "by_identifier": dict(sorted(self.shared.items())),
                "examples": list(self.examples),
                "records_kept_apart": self.apart,
            },
            "ambiguous_name_place": self.ambiguous.to_json(self.persons),
        }


def link(records: pl.DataFrame, policy: Any = None) -> Linkage:
    """Link records (the output of :func:`~leaktrace.normalize.records`, one or several batches
    concatenated) into persons under the policy's ``[linkage]`` rules.

    Only valid records take part (``status`` valid, when the column is there); the others get a
    null person.
    """
    rules = rules_of(policy)
    valid = (
        records.get_column("status") == "valid"
        if "status" in records.columns
        else pl.repeat(True, records.height, eager=True)
    )
    rows = valid.arg_true()
    recs = records.filter(valid)
    keys = link_keys(recs, rules)
    linker = Linker(rules)
    linker.add(keys, {k: recs.get_column(k) for k in rules.identifiers if k in recs.columns})
    result = linker.finish()
    labels = result.person.to_numpy()
    person = np.full(records.height, -1, dtype=np.int64)
    person[rows.to_numpy()] = rows.to_numpy()[labels]
    result.person = pl.Series("person", person).replace(-1, None).cast(pl.Int64)
    return result


class Linker:
    """Link keys gathered batch by batch (:func:`link_keys`), linked once at the end.

    Memory while records are added: four bytes per record for its list, the texts of the first
    :data:`TEXT_ROWS` records for masked examples, and each link column's 64-bit hashes (0 where
    absent) in a :class:`HashStore`, which writes them to a temporary folder under ``workdir``
    past its bound. At :meth:`finish` each column is grouped in turn (its batches read back
    and let go one at a time) into each record's first record with the same value: four bytes
    per record and column while fewer than 2³¹ records, eight past that. The link then works on
    these record numbers, never on the hashes, with four-byte union-find arrays.
    """

    TEXT_ROWS = 2_000_000

    GROUP_BYTES = 512 << 20
    """Working memory allowed for grouping a second column at the same time (about 32 million
    records); past it the columns are grouped one after the other."""

    def __init__(self, rules: LinkRules, workdir: Path | None = None) -> None:
        self.rules = rules
        self.columns = [k for k in rules.kinds] + [_NAME] + ([_ESTATE] if rules.name_place else [])
        self._store = HashStore(self.columns, workdir=workdir)
        self._texts: list[dict[str, pl.Series]] = []
        self._heights: list[int] = []
        self._text_rows = 0
        self.height = 0
        self._lists: list[np.ndarray] = []

    def add(
        self,
        keys: pl.DataFrame,
        texts: dict[str, pl.Series] | None = None,
        lists: np.ndarray | int = 0,
    ) -> None:
        """Add a batch's link keys; ``texts`` (identifier -> canonical values, same rows) give
        masked examples of shared values; ``lists`` the list (evidence file) each record comes
        from, or one for the batch (rule 5 asks which estates a list's records lead to)."""
        self._lists.append(
            np.full(keys.height, lists, dtype=np.uint32)
            if isinstance(lists, int)
            else np.asarray(lists, dtype=np.uint32)
        )
        self._store.add(
            {c: present(keys.get_column(c)) for c in self.columns if c in keys.columns},
            keys.height,
        )
        if texts is not None and self._text_rows < self.TEXT_ROWS:
            self._texts.append(texts)
            self._text_rows += keys.height
        else:
            self._texts.append({})
        self._heights.append(keys.height)
        self.height += keys.height

    def finish(
        self,
        exclude: np.ndarray | None = None,
        several: np.ndarray | None = None,
        single: np.ndarray | None = None,
    ) -> Linkage:
        """Link every record added (but those ``exclude`` marks): ``person`` is each record's
        person, the lowest number among its records (-1 for an excluded record).

        ``several`` (per list number, whether the list covers several estates) and ``single``
        (per list number, the hash of the one estate it leads to; 0: none) replace what rule 5
        would work out from these records alone: a linker given only part of the records (a
        Spark partition) is told what all of them show.

        The linker is emptied: it can be finished once.
        """
        if self.height == 0:
            self._store.close()
            return Linkage(pl.Series("person", [], dtype=pl.Int64), 0, 0)
        lists = np.concatenate(self._lists)
        self._lists = []
        rows = np.arange(self.height, dtype=np.int64)
        keep = None
        if exclude is not None and exclude.any():
            keep = ~exclude
            rows = np.flatnonzero(keep)
            lists = lists[rows]
        # each batch's hashes are let go once they are in their buckets; two columns are
        # grouped at once (the kernels release the GIL) while their working arrays, some 16
        # bytes a record each, stay within GROUP_BYTES
        threads = 2 if 16 * rows.size <= self.GROUP_BYTES else 1
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="group") as pool:
            grouped = dict(
                zip(
                    self.columns,
                    pool.map(
                        lambda c: self._store.group(c, keep, values=c == _ESTATE), self.columns
                    ),
                    strict=True,
                )
            )
        firsts = {c: g[0] for c, g in grouped.items()}
        estates = grouped[_ESTATE][1] if _ESTATE in grouped else None
        del grouped
        self._store.close()
        self._store = HashStore(self.columns, workdir=self._store.workdir)
        out = _link_keys(
            firsts,
            self.rules,
            lambda kind, row: self._example(kind, int(rows[row])),
            lists,
            several,
            estates,
            single,
        )
        self._texts, self._heights = [], []
        if rows.size != self.height:
            person = np.full(self.height, -1, dtype=np.int64)
            person[rows] = rows[out.person.to_numpy()]
            out.person = pl.Series("person", person)
        self.height = 0
        return out

    def close(self) -> None:
        """Remove what was written to disk (finishing does; this is for a run cut short)."""
        self._store.close()

    def _example(self, kind: str, row: int) -> str | None:
        """The canonical text of identifier ``kind`` of record ``row`` (None if not kept)."""
        at = 0
        for texts, height in zip(self._texts, self._heights, strict=True):
            if row < at + height:
                series = texts.get(kind)
                return None if series is None else cast(str | None, series[row - at])
            at += height
        return None


def present(values: pl.Series) -> np.ndarray | int:
    """A batch's 64-bit hashes of one column as :class:`HashStore` keeps them: 0 where absent
    (a value whose hash is 0 takes 1: it then shares a hash with the values hashing to 1, one
    more 64-bit collision); a column with no value at all as its height."""
    if values.null_count() == values.len():
        return values.len()
    frame = pl.select(
        pl.when(values == 0).then(pl.lit(1, pl.UInt64)).otherwise(values).fill_null(0)
    )
    return frame.to_series().to_numpy()


@dataclass(frozen=True)
class _OnDisk:
    """A batch of one column written out: ``size`` hashes at byte ``offset`` of ``path``."""

    path: Path
    offset: int
    size: int


_Part = np.ndarray | int | _OnDisk


class HashStore:
    """Columns of 64-bit hashes (0: absent) added batch by batch, grouped once at the end.

    Memory is bounded: past :attr:`HOLD` values held (8 bytes each), every column's batches are
    appended to one file per column in a temporary folder (under ``workdir``), and read back one
    batch at a time when the column is grouped (:meth:`group`). A batch without any value costs
    only its height. :meth:`close` (or the store's end) removes the folder.
    """

    HOLD = 16_000_000

    def __init__(self, names: Sequence[str], workdir: Path | None = None) -> None:
        self.workdir = workdir
        self._parts: dict[str, list[_Part]] = {c: [] for c in names}
        self._held = 0
        self._dir: Path | None = None
        self._cleanup: weakref.finalize[Any, Any] | None = None

    def add(self, batch: dict[str, np.ndarray | int], height: int) -> None:
        """Add one batch (column -> its :func:`present` hashes; a column not named has none)."""
        for c, parts in self._parts.items():
            part = batch.get(c, height)
            parts.append(part)
            if not isinstance(part, int):
                self._held += part.size
        if self._held > self.HOLD:
            self._spill()

    def group(
        self, name: str, keep: np.ndarray | None = None, *, values: bool = False
    ) -> tuple[np.ndarray | None, tuple[np.ndarray, np.ndarray]]:
        """:func:`_group_parts` of column ``name`` over the records ``keep`` marks (None: all);
        the column is let go."""
        parts = self._parts.pop(name)
        n = sum(_size(p) for p in parts) if keep is None else int(keep.sum())
        return _group_parts(parts, n, values=values, keep=keep)

    def close(self) -> None:
        """Let every column go and remove the folder."""
        self._parts = {c: [] for c in self._parts}
        self._held = 0
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup, self._dir = None, None

    def _spill(self) -> None:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="leaktrace-link-", dir=self.workdir))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, True)
        for k, parts in enumerate(self._parts.values()):
            if not any(isinstance(p, np.ndarray) for p in parts):
                continue
            path = self._dir / f"{k}.u64"
            with path.open("ab") as fh:
                for i, p in enumerate(parts):
                    if isinstance(p, np.ndarray):
                        parts[i] = _OnDisk(path, fh.tell(), p.size)
                        np.ascontiguousarray(p, dtype=np.uint64).tofile(fh)
        self._held = 0


def _size(part: _Part) -> int:
    return part if isinstance(part, int) else part.size


def _load(part: _Part, keep: np.ndarray | None, at: int) -> np.ndarray | int:
    """A batch in memory (of the records ``keep[at:]`` marks, when given)."""
    if isinstance(part, _OnDisk):
        loaded: np.ndarray | int = np.fromfile(
            part.path, dtype=np.uint64, count=part.size, offset=part.offset
        )
    else:
        loaded = part
    if keep is None:
        return loaded
    mask = keep[at : at + _size(part)]
    return int(mask.sum()) if isinstance(loaded, int) else loaded[mask]


def _index_type(n: int) -> type[np.signedinteger[Any]]:
    """Record numbers in four bytes while they fit (and -1, -2 besides), else eight."""
    return np.int32 if n < (1 << 31) - 2 else np.int64


def _group_parts(
    parts: list[_Part], n: int, *, values: bool = False, keep: np.ndarray | None = None
) -> tuple[np.ndarray | None, tuple[np.ndarray, np.ndarray]]:
    """Each record's first record with the same value (-1 where it has none), over a column
    given as batches of hashes (0: absent; a batch without values as its height; a batch on
    disk is read twice, one at a time), of the records ``keep`` marks (None: all); None when no
    record has a value. ``values``: also the distinct values, as their first records (in
    order) and their hashes. The batches in ``parts`` are let go as they are copied.

    The values are copied out in buckets by the top bits of their mixed hash (a counting sort,
    records in order within a bucket), each batch let go once copied, so that each bucket's
    hash table fits the cache; a single table over all the records missed it on nearly every
    probe (some 3x slower).
    """
    itype = _index_type(n)
    none = (np.zeros(0, np.int64), np.zeros(0, np.uint64))
    if all(isinstance(p, int) for p in parts):
        return None, none
    # first pass: values per bucket of the finest split (the buckets used are unions of these)
    fine = 16
    counts = np.zeros((1 << fine) + 1, dtype=np.int64)
    at = 0
    for p in parts:
        loaded = _load(p, keep, at)
        at += _size(p)
        if not isinstance(loaded, int):
            _bucket_count_kernel(loaded, np.uint64(64 - fine), counts)
        del loaded
    present = int(counts.sum())
    if not present:
        return None, none
    bits = 1
    while present >> bits > _BUCKET_ROWS and bits < fine:
        bits += 1
    top = np.uint64(64 - bits)
    start = np.zeros((1 << bits) + 1, dtype=np.int64)
    start[1:] = counts[1:].reshape(1 << bits, -1).sum(axis=1)
    del counts
    np.cumsum(start, out=start)
    b_row = np.empty(present, dtype=itype)
    b_val = np.empty(present, dtype=np.uint64)
    fill = start[:-1].copy()
    at = offset = 0
    while parts:
        p = parts.pop(0)  # the caller's list is let go too: this batch is freed once copied
        loaded = _load(p, keep, at)
        at += _size(p)
        if not isinstance(loaded, int):
            _bucket_fill_kernel(loaded, offset, top, fill, b_row, b_val)
        offset += loaded if isinstance(loaded, int) else loaded.size
        del p, loaded
    del fill
    out = np.full(n, -1, dtype=itype)
    size = present if values else 0
    u_row = np.empty(size, dtype=itype)
    u_val = np.empty(size, dtype=np.uint64)
    found = _tables_kernel(start, b_row, b_val, bits, out, u_row, u_val, values)
    if not values:
        return out, none
    order = np.argsort(u_row[:found], kind="stable")
    return out, (u_row[:found][order].astype(np.int64), u_val[:found][order])


def group_hashes(values: np.ndarray) -> np.ndarray:
    """Each value's first position with the same value, over one array of nonzero hashes."""
    first, _ = _group_parts([values], values.size)
    assert first is not None
    return first


def _link_keys(
    all_columns: dict[str, np.ndarray | None],
    rules: LinkRules,
    example: Callable[[str, int], str | None],
    lists: np.ndarray,
    several: np.ndarray | None = None,
    estates: tuple[np.ndarray, np.ndarray] | None = None,
    single: np.ndarray | None = None,
) -> Linkage:
    """Link records given, per link column, each record's first record with the same value
    (-1: none; a column no record has is None). ``estates`` maps the estates' first records to
    their hashes (what :attr:`Ambiguity.lists` reports)."""
    n = lists.size
    itype = _index_type(n)
    kinds = [k for k in rules.kinds if all_columns.get(k) is not None]
    # each column is let go as soon as no step needs it (name and estate stay in all_columns)
    columns = {k: cast(np.ndarray, all_columns.pop(k)) for k in kinds}
    idv = columns.get(ID, np.full(n, -1, dtype=itype))
    has_id = idv >= 0
    parent = np.arange(n, dtype=itype)
    credit = np.full(n, -1, dtype=np.int8)
    carries = np.zeros(n, dtype=np.bool_)
    merged: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    shared_rows: dict[str, np.ndarray] = {}
    first_id = None
    ambiguity = Ambiguity()
    for code, kind in enumerate(kinds):
        first = columns[kind]
        if kind == NAME_PLACE:
            # rule 5, once the identifiers have made their groups: see _places
            estate = all_columns.get(_ESTATE)
            columns[kind], ambiguity = _places(
                first,
                estate if estate is not None else np.full(n, -1, dtype=itype),
                estates,
                lists,
                parent,
                several,
                single,
            )
            first = columns[kind]
        if kind == ID:
            first_id = first
            flags = np.zeros(n, dtype=np.bool_)
        else:
            flags = _shared_firsts(first, idv, has_id)
        if kind == ID:  # every record joins the first with its ID number
            merged[kind] += int(
                _union(first, flags, parent, credit, np.int8(code), carries, idv, ~has_id)
            )
        else:
            merged[kind] += int(
                _union(first, flags, parent, credit, np.int8(code), carries, idv, has_id)
            )
        if kind != ID and flags.any():
            shared[kind] = int(flags.sum())
            shared_rows[kind] = np.flatnonzero(flags)
        del first, flags
    all_columns.pop(_ESTATE, None)
    root = _roots(parent)
    del parent
    multi = _multi_id(root, idv, has_id)
    touched = np.zeros(n, dtype=np.bool_)
    touched[root[carries]] = True
    del carries
    with_id = np.zeros(n, dtype=np.bool_)
    with_id[root[has_id]] = True
    unsettled_comp = (multi | (touched & ~with_id))[root]
    del touched, with_id
    label = root
    del root
    if first_id is not None:
        in_multi = multi[label] & has_id
        label[in_multi] = first_id[in_multi]
        del in_multi
    todo = unsettled_comp & ~has_id
    conflicts = sum(shared.values()) + int(multi.sum())
    del multi
    apart = 0
    if unsettled_comp.any():
        affected = np.flatnonzero(unsettled_comp)
        del unsettled_comp
        # merges credited inside the affected groups are redone on their final persons
        lost = credit[affected]
        for code, kind in enumerate(kinds):
            merged[kind] -= int((lost == code).sum())
        # a shared value's rows are the first records of its value: its number in the columns
        shared_values = {k: r.astype(np.int64) for k, r in shared_rows.items()}
        name = all_columns.get(_NAME)
        label, moved, apart = _resolve(
            name if name is not None else np.full(n, -1, dtype=itype),
            kinds,
            columns,
            label,
            todo,
            shared_values,
        )
        mark = np.zeros(n, dtype=np.bool_)
        mark[label[affected]] = True  # the persons the affected records are in now
        persons_rows = np.flatnonzero(mark[label])
        mark[:] = False
        mark[affected] = True
        receiving = persons_rows[~mark[persons_rows]]
        del mark
        again = _credit(kinds, columns, label, persons_rows)
        for code, kind in enumerate(kinds):
            merged[kind] -= int((credit[receiving] == code).sum())
        merged.update(again)
        del moved
    del credit, todo
    all_columns.pop(_NAME, None)
    label = _lowest(label)
    persons = _count_own(label)
    merged_by = {k: merged[k] for k in kinds if merged[k] > 0}
    rest = (n - persons) - sum(merged_by.values())
    if rest > 0:  # a record in its person only through a chain of others (credited nowhere)
        merged_by["other"] = rest
    if ambiguity.places:
        ambiguity.persons_if_merged = _persons_if_merged(label, ambiguity.alternative, idv, has_id)
    ambiguity.alternative = np.zeros((2, 0), dtype=np.int64)
    columns.clear()
    del idv, has_id, first_id
    return Linkage(
        person=pl.Series("person", label.astype(np.int64)),
        persons=persons,
        records=n,
        merged_by=merged_by,
        conflicts=conflicts,
        shared=shared,
        examples=_examples(shared_rows, example),
        apart=apart,
        ambiguous=ambiguity,
    )


def _places(
    first: np.ndarray,
    estate: np.ndarray,
    estates: tuple[np.ndarray, np.ndarray] | None,
    lists: np.ndarray,
    parent: np.ndarray,
    several: np.ndarray | None = None,
    single: np.ndarray | None = None,
) -> tuple[np.ndarray, Ambiguity]:
    """Rule 5: which records the same name at the same building, unit and room links.

    ``first`` is each record's first record with its name + place, ``estate`` with its estate
    (-1: none), ``estates`` the estates' first records and hashes; ``parent`` the union-find the
    identifiers have made. A record naming no estate stands for one estate only when its list
    does: when the list's records lead, through the identifiers, to records naming two or more
    different estates, the list covers several estates, and such a record's name and room prove
    nothing by themselves (it is *unplaced*). Of the other records of a name and place, all are
    one person unless they name two or more estates; then each estate's are one person and
    those naming none link to no one.

    Returns the name + place column as the group each record links into (that group's first
    record; -1: none), and what was left open.
    """
    root = _roots(parent)  # compressing the paths changes no group
    kernel = cast(
        Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
        _places_kernel,
    )
    n_lists = int(lists.max(initial=0)) + 1
    forced = np.zeros(n_lists, dtype=np.bool_)
    if several is not None:
        n_lists = max(n_lists, several.size)
        forced = np.zeros(n_lists, dtype=np.bool_)
        forced[: several.size] = several
    # A record naming no estate stands for its list's estate: where the list's records lead
    # to one estate, such a record is taken as naming it, and a name + place naming another
    # estate is not the same home (the register of 锦绣花园 and 张伟 at 3-1-101 of 金都花园).
    # Alone, the kernel works out which estate that is; a Spark partition is told.
    given = np.full(n_lists, -1, dtype=np.int64)
    if several is not None and single is not None:
        given = _list_estates(single, forced, estates, estate.size)
    target, alternative, stats, by_list, stand = kernel(
        first,
        estate,
        estate >= 0,
        root,
        lists,
        n_lists,
        forced,
        several is not None,
        given,
        several is not None,
    )
    del root
    # the estate each list leads to, as its hash (Spark sums these over its partitions)
    seen = np.flatnonzero(by_list[0] == 1)
    if seen.size:
        assert estates is not None
        rows, hashes = estates
        by_list[1, seen] = hashes[np.searchsorted(rows, by_list[1, seen].astype(np.int64))]
    split = np.flatnonzero(target == _BY_ESTATE)  # names + places of two or more estates
    if split.size:
        # grouped again by name + place and estate, a record naming none by its list's (each
        # record number + 1: never 0)
        own = estate[split].astype(np.int64)
        own = np.where(own >= 0, own, stand[lists[split]])
        pair = ((first[split].astype(np.uint64) + np.uint64(1)) << np.uint64(32)) | (
            own.astype(np.uint64) + np.uint64(1)
        )
        if first.dtype != np.int32 or own.max() >= 2**31:  # past 32 bits: mix the two
            pair = (first[split].astype(np.uint64) + np.uint64(1)) * _MIX ^ (
                own.astype(np.uint64) + np.uint64(1)
            )
            pair[pair == 0] = 1
        target[split] = split[group_hashes(pair)]
    rows = np.flatnonzero(alternative >= 0)
    pairs = np.stack([rows, alternative[rows].astype(np.int64)])
    del alternative
    ambiguity = Ambiguity(
        places=int(stats[0]), records=int(stats[1]), alternative=pairs, lists=by_list
    )
    return target, ambiguity


def _list_estates(
    single: np.ndarray,
    forced: np.ndarray,
    estates: tuple[np.ndarray, np.ndarray] | None,
    n: int,
) -> np.ndarray:
    """The estate each list stands for (-1: none), numbered as this linker numbers estates (by
    their first record), from ``single`` (per list, that estate's hash; 0 none) as all the
    records show it: a list covering several (``forced``) stands for none, and an estate no
    record here names (a Spark partition sees part of the records) gets a number past the
    records'."""
    number: dict[int, int] = {}
    if estates is not None:
        rows, hashes = estates
        number = {int(h): int(r) for r, h in zip(rows.tolist(), hashes.tolist(), strict=True)}
    out = np.full(forced.size, -1, dtype=np.int64)
    for k, h in enumerate(single[: forced.size].tolist()):
        if h and not forced[k]:
            out[k] = number.setdefault(int(h), n + len(number))
    return out


def _resolve(
    name: np.ndarray,
    kinds: Sequence[str],
    columns: dict[str, np.ndarray],
    label: np.ndarray,
    todo: np.ndarray,
    shared_values: dict[str, np.ndarray],
) -> tuple[np.ndarray, int, int]:
    """Rule 4: records without an ID number in conflicts, or touching a shared value, join the
    one person they share a value with (the one carrying their name, among several), round by
    round; those left join each other through shared values only. Returns the labels, records
    moved and records left apart."""

    def names(rows: np.ndarray) -> pl.Series:
        """The names (their first records; null: none) of ``rows``."""
        return (
            pl.DataFrame({"v": name[rows].astype(np.int64)})
            .select(pl.when(pl.col("v") >= 0).then(pl.col("v")).alias("name"))
            .to_series()
        )

    weak = [k for k in kinds if k != ID]
    parts = []
    for i, k in enumerate(weak):
        values = columns[k]
        has = values >= 0
        mine = np.zeros(values.size, dtype=np.bool_)
        mine[values[todo & has]] = True  # the values (their first records) these records hold
        if not mine.any():
            continue
        rows = np.flatnonzero(has & mine[values])
        del mine, has
        parts.append(
            pl.DataFrame(
                {
                    "row": rows.astype(np.int64),
                    "kind": np.full(rows.size, i, dtype=np.int8),
                    "v": values[rows].astype(np.int64),
                }
            )
        )
    schema = {"row": pl.Int64, "kind": pl.Int8, "v": pl.Int64}
    pairs = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    pair_rows = pairs.get_column("row").to_numpy()
    pairs = pairs.with_columns(name=names(pair_rows))
    moved = 0
    while True:
        pending = pl.Series(todo[pair_rows])
        done = pairs.with_columns(label=pl.Series(label[pair_rows])).filter(~pending)
        ask = pairs.filter(pending)
        if not ask.height:
            break
        cand = ask.join(done.select("kind", "v", "label"), on=["kind", "v"]).select(
            "row", "name", "label"
        )
        mark = np.zeros(label.size, dtype=np.bool_)
        mark[cand.get_column("label").to_numpy()] = True
        of = np.flatnonzero(mark[label] & ~todo)
        del mark
        named = pl.DataFrame({"label": label[of], "name": names(of)}).drop_nulls().unique()
        one = (
            cand.unique(["row", "label"])
            .group_by("row")
            .agg(pl.col("label").first(), pl.len().alias("n"), pl.col("name").first())
        )
        single = one.filter(pl.col("n") == 1).select("row", "label")
        by_name = (
            cand.unique(["row", "label"])
            .join(one.filter(pl.col("n") > 1).select("row"), on="row", how="semi")
            .join(named, on=["label", "name"], how="semi")
            .group_by("row")
            .agg(pl.col("label").first(), pl.len().alias("n"))
            .filter(pl.col("n") == 1)
            .select("row", "label")
        )
        take = pl.concat([single, by_name])
        if not take.height:
            break
        rows = take.get_column("row").to_numpy()
        label[rows] = take.get_column("label").to_numpy()
        todo[rows] = False
        moved += rows.size
    left = np.flatnonzero(todo)
    if left.size:
        # Those left link among themselves through values that are not shared, and when they
        # hold the very same values and name (the family phone alone, twice): a shared value
        # does not show that two records with different other values are one person.
        shared = pl.concat(
            [
                pl.DataFrame(
                    {"kind": np.full(v.size, weak.index(k), dtype=np.int8), "v": v},
                    schema={"kind": pl.Int8, "v": pl.Int64},
                )
                for k, v in shared_values.items()
                if k in weak
            ]
            or [pl.DataFrame(schema={"kind": pl.Int8, "v": pl.Int64})]
        )
        local = pairs.filter(pl.Series(todo[pair_rows]))
        same = local.group_by("row").agg(
            # values are record numbers: each (kind, value) is hashed before the sum
            (pl.col("v") * 8 + pl.col("kind")).hash(seed=KEY_SEED + 3).sum().alias("sig"),
            pl.col("name").first(),
        )
        same = same.with_columns(
            first=pl.col("row").min().over("sig", pl.col("name").fill_null(-1))
        )
        edges = local.join(shared, on=["kind", "v"], how="anti").with_columns(
            first=pl.col("row").min().over("kind", "v")
        )
        index = np.full(label.size, -1, dtype=label.dtype)
        index[left] = np.arange(left.size)
        parent = np.arange(left.size, dtype=np.int64)
        for frame in (edges, same):
            _union_pairs(
                index[frame.get_column("row").to_numpy()],
                index[frame.get_column("first").to_numpy()],
                parent,
            )
        label[left] = left[_roots(parent)]
    return label, moved, int(left.size)


def _credit(
    kinds: Sequence[str],
    columns: dict[str, np.ndarray],
    label: np.ndarray,
    rows: np.ndarray,
) -> Counter[str]:
    """Merges per rule within the final persons of ``rows`` (union-find in rule order, each
    record joined to the first record of its person with the same value)."""
    out: Counter[str] = Counter()
    index = np.full(label.size, -1, dtype=label.dtype)
    index[rows] = np.arange(rows.size)
    parent = np.arange(rows.size, dtype=np.int64)
    for kind in kinds:
        values = columns[kind]
        keep = values[rows] >= 0
        frame = pl.DataFrame(
            {"row": rows[keep], "label": label[rows[keep]], "v": values[rows[keep]]}
        ).with_columns(first=pl.col("row").min().over("label", "v"))
        out[kind] += _union_pairs(
            index[frame.get_column("row").to_numpy()],
            index[frame.get_column("first").to_numpy()],
            parent,
        )
    return out


def _examples(
    shared_rows: dict[str, np.ndarray], example: Callable[[str, int], str | None]
) -> list[str]:
    out: list[str] = []
    for kind, rows in shared_rows.items():
        for row in rows[:EXAMPLES]:
            text = example(kind, int(row))
            if text is not None and len(out) < EXAMPLES:
                out.append(f"{kind} {mask(text, kind)}")
    return out


# --- compiled kernels ----------------------------------------------------------------------


@inlined
def _find(parent: np.ndarray, x: int) -> int:  # pragma: no cover - compiled
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@compiled
def _bucket_count_kernel(
    values: np.ndarray, top: np.uint64, start: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Count one batch's values (0: absent) per bucket (``start[b + 1]``)."""
    for i in range(values.size):
        v = values[i]
        if v != 0:
            start[np.int64((v * _MIX) >> top) + 1] += 1


@compiled
def _bucket_fill_kernel(
    values: np.ndarray,
    offset: int,
    top: np.uint64,
    fill: np.ndarray,
    b_row: np.ndarray,
    b_val: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Copy one batch's values (0: absent) and record numbers into their buckets."""
    for i in range(values.size):
        v = values[i]
        if v != 0:
            at = np.int64((v * _MIX) >> top)
            b_row[fill[at]] = offset + i
            b_val[fill[at]] = v
            fill[at] += 1


@compiled
def _tables_kernel(
    start: np.ndarray,
    b_row: np.ndarray,
    b_val: np.ndarray,
    bucket_bits: int,
    out: np.ndarray,
    u_row: np.ndarray,
    u_val: np.ndarray,
    keep: bool,
) -> int:  # pragma: no cover - compiled
    """Per bucket, an open-addressing table from value to its first record: ``out`` gets each
    record's first record; with ``keep`` each distinct value (its first record, its hash) goes
    to ``u_row``, ``u_val``. Returns the distinct values seen when kept."""
    buckets = start.size - 1
    largest = 0
    for b in range(buckets):
        largest = max(largest, start[b + 1] - start[b])
    size = 16
    while size < 2 * largest:
        size *= 2
    t_key = np.empty(size, dtype=np.uint64)
    t_row = np.empty(size, dtype=b_row.dtype)
    found = 0
    for b in range(buckets):
        lo, hi = start[b], start[b + 1]
        if lo == hi:
            continue
        width, bits = 16, 4
        while width < 2 * (hi - lo):
            width, bits = 2 * width, bits + 1
        last = width - 1
        t_row[:width] = -1
        for j in range(lo, hi):
            v = b_val[j]
            s = np.int64(((v * _MIX) << np.uint64(bucket_bits)) >> np.uint64(64 - bits))
            while t_row[s] >= 0 and t_key[s] != v:
                s = s + 1 if s < last else np.int64(0)
            if t_row[s] < 0:
                t_key[s] = v
                t_row[s] = b_row[j]
                if keep:
                    u_row[found] = b_row[j]
                    u_val[found] = v
                    found += 1
            out[b_row[j]] = t_row[s]
    return found


@compiled
def _shared_kernel(
    first: np.ndarray, other: np.ndarray, has_other: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """At each value's first record: whether its records carry two or more different
    ``other`` values (ID numbers; estates)."""
    n = first.size
    seen = np.zeros(n, dtype=np.bool_)
    value = np.zeros(n, dtype=other.dtype)
    shared = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        f = first[i]
        if f < 0 or not has_other[i]:
            continue
        if not seen[f]:
            seen[f] = True
            value[f] = other[i]
        elif value[f] != other[i]:
            shared[f] = True
    return shared


@compiled
def _union_kernel(
    first: np.ndarray,
    shared: np.ndarray,
    parent: np.ndarray,
    credit: np.ndarray,
    code: np.int8,
    carries: np.ndarray,
    idv: np.ndarray,
    has_id: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Join each record to its value's first record unless the value is shared; returns the
    joins made (each credited, at the group that stopped being a root, to ``code``)."""
    merged = 0
    for i in range(first.size):
        f = first[i]
        if f < 0 or f == i:
            continue
        if shared[f]:
            carries[i] = True
            continue
        if has_id[i] and has_id[f] and idv[i] == idv[f]:
            continue  # one ID number: joined already by it
        a = _find(parent, i)
        b = _find(parent, f)
        if a != b:
            if a < b:
                a, b = b, a
            parent[a] = b
            credit[a] = code
            merged += 1
    return merged


@compiled
def _union_pairs_kernel(
    a: np.ndarray, b: np.ndarray, parent: np.ndarray
) -> int:  # pragma: no cover - compiled
    merged = 0
    for i in range(a.size):
        x = _find(parent, a[i])
        y = _find(parent, b[i])
        if x != y:
            if x < y:
                x, y = y, x
            parent[x] = y
            merged += 1
    return merged


@compiled
def _roots_kernel(parent: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(parent.size, dtype=parent.dtype)
    for i in range(parent.size):
        out[i] = _find(parent, i)
    return out


@compiled
def _lowest_kernel(label: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """Each record's person numbered by its lowest record."""
    n = label.size
    low = np.empty(n, dtype=label.dtype)
    low[:] = n - 1
    for i in range(n):
        if i < low[label[i]]:
            low[label[i]] = i
    out = np.empty(n, dtype=label.dtype)
    for i in range(n):
        out[i] = low[label[i]]
    return out


@compiled
def _own_kernel(label: np.ndarray) -> int:  # pragma: no cover - compiled
    """Records that are their own person's number (the persons)."""
    persons = 0
    for i in range(label.size):
        if label[i] == i:
            persons += 1
    return persons


@compiled
def _multi_kernel(
    root: np.ndarray, idv: np.ndarray, has_id: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """Per group root: whether the group holds two or more different ID numbers."""
    n = root.size
    seen = np.zeros(n, dtype=np.bool_)
    value = np.zeros(n, dtype=idv.dtype)
    multi = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if not has_id[i]:
            continue
        r = root[i]
        if not seen[r]:
            seen[r] = True
            value[r] = idv[i]
        elif value[r] != idv[i]:
            multi[r] = True
    return multi


@compiled
def _places_kernel(
    first: np.ndarray,
    estate: np.ndarray,
    has_estate: np.ndarray,
    root: np.ndarray,
    lists: np.ndarray,
    n_lists: int,
    forced: np.ndarray,
    use_forced: bool,
    given: np.ndarray,
    use_given: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """Rule 5 (see :func:`_places`): each record's target (the first record of the group it
    links into; -1: none; ``_BY_ESTATE``: the first with its estate), its target were the open
    matches taken as one person, (names + places left open, records naming no estate left
    unmerged in them), the estates each list leads to (:attr:`Ambiguity.lists`, as these
    records show them), and the one estate each list stands for (-1: none), which its records
    naming none are taken to name. ``forced`` (when ``use_forced``) says instead which lists
    cover several estates, and ``given`` (when ``use_given``) which one each other stands for."""
    n = first.size
    # the estate of each group the identifiers made (estates are record numbers: -1 none yet,
    # -2 two or more)
    comp = np.empty(n, dtype=estate.dtype)
    comp[:] = -1
    for i in range(n):
        if has_estate[i]:
            r = root[i]
            if comp[r] == -1:
                comp[r] = estate[i]
            elif comp[r] >= 0 and comp[r] != estate[i]:
                comp[r] = -2
    # the estates a list's records without one lead to
    list_seen = np.zeros(n_lists, dtype=np.bool_)
    list_value = np.zeros(n_lists, dtype=estate.dtype)
    list_multi = np.zeros(n_lists, dtype=np.bool_)
    for i in range(n):
        r = root[i]
        if has_estate[i] or comp[r] == -1:
            continue
        k = lists[i]
        if comp[r] == -2:
            list_multi[k] = True
        elif not list_seen[k]:
            list_seen[k] = True
            list_value[k] = comp[r]
        elif list_value[k] != comp[r]:
            list_multi[k] = True
    by_list = np.zeros((3, n_lists), dtype=np.uint64)
    for k in range(n_lists):
        by_list[0, k] = 1 if list_seen[k] else 0
        by_list[1, k] = list_value[k]
        by_list[2, k] = 1 if list_multi[k] else 0
    if use_forced:
        list_multi = forced.copy()
    # the estate a list stands for: the one its records lead to, when they lead to one
    stand = np.full(n_lists, -1, dtype=np.int64)
    for k in range(n_lists):
        if use_given:
            stand[k] = given[k]
        elif list_seen[k] and not list_multi[k]:
            stand[k] = list_value[k]
    # per name + place: records in other groups than its first's, its estates (0, 1, 2: two
    # or more), its first placed record; a record naming no estate names its list's
    size = np.zeros(n, dtype=np.bool_)
    value = comp  # reused: per name + place, its first estate (-1: none yet)
    value[:] = -1
    estates = np.zeros(n, dtype=np.int8)
    placed = np.empty(n, dtype=first.dtype)
    placed[:] = -1
    for i in range(n):
        f = first[i]
        if f < 0:
            continue
        if root[i] != root[f]:
            size[f] = True  # another group the identifiers made: a match that would join two
        e = estate[i] if has_estate[i] else stand[lists[i]]
        if e >= 0:
            if value[f] == -1:
                value[f] = e
                estates[f] = 1
            elif value[f] != e:
                estates[f] = 2
        if placed[f] < 0 and (e >= 0 or not list_multi[lists[i]]):
            placed[f] = i
    target = np.empty(n, dtype=first.dtype)
    target[:] = -1
    alternative = np.empty(n, dtype=first.dtype)
    alternative[:] = -1
    open_place = np.zeros(n, dtype=np.bool_)
    records = 0
    for i in range(n):
        f = first[i]
        if f < 0:
            continue
        if has_estate[i] or stand[lists[i]] >= 0:
            target[i] = _BY_ESTATE if estates[f] == 2 else placed[f]
        elif estates[f] == 2:
            if size[f]:
                records += 1
                open_place[f] = True
        elif list_multi[lists[i]]:
            if size[f]:
                records += 1
                open_place[f] = True
                alternative[i] = placed[f] if placed[f] >= 0 else f
        else:
            target[i] = placed[f]
    places = 0
    for i in range(n):
        if open_place[i]:
            places += 1
    stats = np.zeros(2, dtype=np.int64)
    stats[0] = places
    stats[1] = records
    return target, alternative, stats, by_list, stand


@compiled
def _merged_if_kernel(
    label: np.ndarray, alternative: np.ndarray, idv: np.ndarray, has_id: np.ndarray
) -> int:  # pragma: no cover - compiled
    """Persons were each record ``alternative[0, k]`` joined to record ``alternative[1, k]``,
    unless the two hold different ID numbers."""
    n = label.size
    parent = np.empty(n, dtype=label.dtype)
    for i in range(n):
        parent[i] = i
    ident = np.zeros(n, dtype=idv.dtype)
    has = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if has_id[i]:
            ident[label[i]] = idv[i]
            has[label[i]] = True
    for k in range(alternative.shape[1]):
        i, j = alternative[0, k], alternative[1, k]
        a = _find(parent, label[i])
        b = _find(parent, label[j])
        if a == b or (has[a] and has[b] and ident[a] != ident[b]):
            continue
        if a < b:
            a, b = b, a
        parent[a] = b
        if has[a] and not has[b]:
            has[b] = True
            ident[b] = ident[a]
    persons = 0
    for i in range(n):
        if label[i] == i and _find(parent, i) == i:
            persons += 1
    return persons


def _persons_if_merged(
    label: np.ndarray, alternative: np.ndarray, idv: np.ndarray, has_id: np.ndarray
) -> int:
    return cast(Callable[..., int], _merged_if_kernel)(label, alternative, idv, has_id)


def _shared_firsts(first: np.ndarray, other: np.ndarray, has_other: np.ndarray) -> np.ndarray:
    return cast(Callable[..., np.ndarray], _shared_kernel)(first, other, has_other)


def _union(
    first: np.ndarray,
    shared: np.ndarray,
    parent: np.ndarray,
    credit: np.ndarray,
    code: np.int8,
    carries: np.ndarray,
    idv: np.ndarray,
    has_id: np.ndarray,
) -> int:
    return cast(Callable[..., int], _union_kernel)(
        first, shared, parent, credit, code, carries, idv, has_id
    )


def _union_pairs(a: np.ndarray, b: np.ndarray, parent: np.ndarray) -> int:
    return cast(Callable[..., int], _union_pairs_kernel)(a, b, parent)


def _roots(parent: np.ndarray) -> np.ndarray:
    return cast(Callable[..., np.ndarray], _roots_kernel)(parent)


def _lowest(label: np.ndarray) -> np.ndarray:
    return cast(Callable[..., np.ndarray], _lowest_kernel)(label)


def _count_own(label: np.ndarray) -> int:
    return cast(Callable[..., int], _own_kernel)(label)


def _multi_id(root: np.ndarray, idv: np.ndarray, has_id: np.ndarray) -> np.ndarray:
    return cast(Callable[..., np.ndarray], _multi_kernel)(root, idv, has_id)


__all__ = [
    "DEFAULT_IDENTIFIERS",
    "LINK_FIELDS",
    "NAME_PLACE",
    "HashStore",
    "LinkRules",
    "Linkage",
    "Linker",
    "group_hashes",
    "link",
    "link_keys",
    "present",
    "rules_of",
]
