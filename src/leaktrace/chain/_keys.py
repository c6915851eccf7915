"""Lists as sets of keys: the batch function and the per-list aggregation ``match`` compares.

A seized list and a candidate source rarely share columns: the developer's customer base has ID
numbers, the salesperson's copy only names, phones and rooms. So a list is not one key set but
one per **key field**: every identifier (``cn_id``, ``mobile``, ... as in
:data:`leaktrace.normalize.IDENTIFIERS`) and ``name_place`` (name with estate and the room's
numbers), each a sorted array of 64-bit keys. Two lists are compared on the field they share most.

An identifier's key is the one :mod:`leaktrace.normalize` defines and ``count`` uses as a person
key (:func:`~leaktrace.normalize.identifier_keys`: the canonical value hashed with the field's
seed, so ``mobile\\x1f13812345678`` here is the same 64-bit key as in ``count``). ``name_place``
is the text ``name_place\\x1f<name>\\x1f<estate>\\x1f<building>\\x1f<unit>\\x1f<room>``, with
the room split by normalize's :func:`~leaktrace.normalize.split_room` and hashed with its
:func:`~leaktrace.normalize.key_hash`; it leaves out the district that count's name key holds,
because one list names the district and the other does not. Keys are stable across processes
within one Polars version, which is all a comparison needs (they are never stored as evidence).
With ``key="content"`` a list is one set of content keys (every canonical field), so only
identical records match.

:func:`key_rows` is a pure batch function (batch + column profiles -> key rows), so another
engine can run it; :class:`KeyedList` is the per-list aggregation (distinct keys per field).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from leaktrace.detect import ColumnProfile, classify_columns
from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, walk
from leaktrace.normalize import (
    IDENTIFIERS,
    ROOM_PARTS,
    SEP,
    identifier_keys,
    key_hash,
    records,
    split_address,
    split_room,
)
from leaktrace.scan import SAMPLE_ROWS

MatchKey = Literal["person", "content"]
MATCH_KEYS: tuple[MatchKey, ...] = ("person", "content")

KEY_FIELDS: tuple[str, ...] = (*IDENTIFIERS, "name_place", "content")
"""Every key field, by number (the ``field`` column of key rows is an index into this)."""

KEY_ROW_SCHEMA: dict[str, pl.DataType] = {
    "field": pl.UInt8(),
    "key": pl.UInt64(),
    "community": pl.String(),
    "day": pl.Int32(),
}
"""What :func:`key_rows` returns: one row per valid record and key field it carries."""

_ESTATE_HEADER = r"(?i)小区|项目|楼盘|社区|community|estate"
_DATE_HEADER = r"(?i)日期|时间|date|time"
_BIRTH_HEADER = r"(?i)出生|生日|birth"
_EPOCH = dt.date(1970, 1, 1)
_NEEDS_CLEANING = r"\s|[^\x00-\x7F\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}]"
"""Whitespace, or a character outside ASCII and the unified ideographs (NFKC leaves the rest)."""

Progress = Callable[[str, int], None]


def key_rows(
    batch: pl.DataFrame,
    profiles: Sequence[ColumnProfile],
    *,
    key: MatchKey = "person",
    offset: int = 0,
) -> pl.DataFrame:
    """The key rows of one batch (a pure batch function; schema :data:`KEY_ROW_SCHEMA`).

    Only valid records count (untrue and masked rows identify no one). Each row carries the
    record's estate, from an untyped column headed like 小区/项目 or else its address, and its
    date, from the first untyped column headed like 日期/时间 (null when none parses).

    ``name_place`` is the name with the estate and the room's building, unit and number as
    normalize splits them (``3幢2单元1201室``, ``03-2-1201`` and ``3栋2单元1201`` are all
    building 3, unit 2, room 1201), so that it needs no full address split of every row:
    identifiers come from ``records(..., parts=False)``, the fast path.
    """
    content = key == "content"
    recs = records(batch, profiles, offset=offset, parts=content)
    typed = {p.name for p in profiles if p.type is not None}
    dated = _first_column(batch, typed, _DATE_HEADER, avoid=_BIRTH_HEADER)
    community, where = _places(batch, profiles, typed, recs)
    recs = recs.with_columns(
        pl.lit(community).alias("_community"),
        pl.lit(where).alias("_where"),
        pl.lit(
            _day(batch.get_column(dated)) if dated is not None else _nulls(batch, pl.Int32)
        ).alias("_day"),
    ).filter(pl.col("status") == "valid")
    fields: list[tuple[int, pl.Expr]]
    if content:
        fields = [(KEY_FIELDS.index("content"), pl.col("content_key"))]
    else:
        fields = [
            (KEY_FIELDS.index(f), pl.lit(identifier_keys(recs, [f])))
            for f in IDENTIFIERS
            if recs.get_column(f).null_count() < recs.height
        ]
        known = pl.all_horizontal(pl.col(c).is_not_null() for c in ("name", "_community", "_where"))
        text = pl.concat_str(
            [pl.lit("name_place"), pl.col("name"), pl.col("_community"), pl.col("_where")],
            separator=SEP,
        )
        fields.append((KEY_FIELDS.index("name_place"), pl.when(known).then(key_hash(text))))
    parts = [
        recs.select(
            pl.lit(number, pl.UInt8).alias("field"),
            expr.alias("key"),
            pl.col("_community").alias("community"),
            pl.col("_day").alias("day"),
        ).drop_nulls("key")
        for number, expr in fields
    ]
    return pl.concat(parts).cast(KEY_ROW_SCHEMA)  # type: ignore[arg-type]


def _nulls(batch: pl.DataFrame, dtype: pl.DataType | type[pl.DataType]) -> pl.Series:
    return pl.Series([None] * batch.height, dtype=dtype)


def _places(
    batch: pl.DataFrame,
    profiles: Sequence[ColumnProfile],
    typed: set[str],
    recs: pl.DataFrame,
) -> tuple[pl.Series, pl.Series]:
    """Each row's estate and room (``3\\x1f2\\x1f1201``), from the columns that hold them.

    The estate comes from an untyped column headed like 小区 or 项目, else from the address; the
    building, unit and room from the first room column, else from the address, as normalize
    splits them. The address is split only when one of them is missing.
    """
    estate = _first_column(batch, typed, _ESTATE_HEADER)
    community = _clean(batch.get_column(estate)) if estate is not None else _nulls(batch, pl.String)
    room = next((p.name for p in profiles if p.type == "room" and p.name in batch.columns), None)
    where = _rooms(batch.get_column(room)) if room is not None else None
    address = recs.get_column("address")
    if (estate is None or where is None) and address.null_count() < address.len():
        parts = split_address(address)
        if estate is None:
            community = parts.get_column("community")
        if where is None:
            where = _room_text(parts)
    return community, where if where is not None else _nulls(batch, pl.String)


def _rooms(values: pl.Series) -> pl.Series:
    """:func:`_room_text` of a room column, split once per distinct text (rooms repeat: a list
    of a million rows of a few estates holds some ten thousand distinct room texts)."""
    distinct = values.unique()
    texts = pl.DataFrame({"v": distinct, "t": _room_text(split_room(distinct))})
    return (
        values.to_frame("v")
        .join(texts, on="v", how="left", maintain_order="left", nulls_equal=True)
        .get_column("t")
    )


def _room_text(parts: pl.DataFrame) -> pl.Series:
    """Building, unit and room joined with SEP (a missing part empty); null when all are."""
    some = pl.any_horizontal(pl.col(c).is_not_null() for c in ROOM_PARTS)
    text = pl.concat_str([pl.col(c).fill_null("") for c in ROOM_PARTS], separator=SEP)
    return parts.select(pl.when(some).then(text)).to_series()


def _clean(values: pl.Series) -> pl.Series:
    """NFKC and no whitespace, computed only on the cells that need it (as ``records`` does)."""
    needs = values.str.contains(_NEEDS_CLEANING).fill_null(False)
    if needs.any():
        idx = needs.arg_true()
        cleaned = values.gather(idx).str.normalize("NFKC").str.replace_all(r"\s+", "")
        values = values.scatter(idx, cleaned)
    return values.replace("", None)


def _first_column(
    batch: pl.DataFrame, typed: set[str], pattern: str, *, avoid: str | None = None
) -> str | None:
    for column in batch.columns:
        if column in typed or not pl.select(pl.lit(column).str.contains(pattern)).item():
            continue
        if avoid is not None and pl.select(pl.lit(column).str.contains(avoid)).item():
            continue
        return column
    return None


def _day(values: pl.Series) -> pl.Series:
    """Days since 1970-01-01 of dates written 2018-03-10, 2018/3/10, 2018年3月10日 or 20180310."""
    parts = values.str.extract_groups(
        r"^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})"
    ).struct.unnest()
    text = pl.concat_str(
        [pl.col("1"), pl.col("2").str.zfill(2), pl.col("3").str.zfill(2)], separator="-"
    )
    return parts.select(
        text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Int32).alias("day")
    ).to_series()


@dataclass
class FieldKeys:
    """One key field of one list: distinct keys, sorted, with each key's estate and date."""

    keys: np.ndarray
    """uint64, sorted, distinct."""
    community: np.ndarray
    """int32 code per key into the run's estate names; -1 when unknown."""
    day: np.ndarray
    """int32 days since 1970-01-01 per key; -1 when unknown."""


@dataclass
class KeyedList:
    """One list (one evidence file) as key sets, ready to compare."""

    path: str
    role: Literal["seized", "source"]
    sha256: str
    records: int = 0
    fields: dict[int, FieldKeys] = field(default_factory=dict)

    def size(self, field_id: int) -> int:
        keys = self.fields.get(field_id)
        return 0 if keys is None else len(keys.keys)

    @property
    def span(self) -> tuple[int, int] | None:
        days = [f.day[f.day >= 0] for f in self.fields.values()]
        found = np.concatenate(days) if days else np.empty(0, np.int32)
        return (int(found.min()), int(found.max())) if len(found) else None


class Estates:
    """The estate names seen in a run, each with a small integer code."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._codes: dict[str, int] = {}

    def encode(self, values: pl.Series) -> np.ndarray:
        for name in values.drop_nulls().unique().to_list():
            if name not in self._codes:
                self._codes[name] = len(self.names)
                self.names.append(name)
        return np.asarray(
            values.replace_strict(self._codes, default=-1, return_dtype=pl.Int32).to_numpy(),
            dtype=np.int32,
        )


def keyed_lists(
    roots: Sequence[Path],
    role: Literal["seized", "source"],
    estates: Estates,
    *,
    key: MatchKey = "person",
    progress: Progress | None = None,
    workers: int | None = None,
) -> Iterator[KeyedList]:
    """Every evidence file under ``roots`` as a :class:`KeyedList` (archives opened), in order.

    ``workers`` files are read at a time on threads (Polars releases the GIL; default: one per
    core). A file that cannot be read raises InputError: a comparison must not be silently short.
    """
    workers = workers or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[tuple[Evidence, pl.DataFrame | None, int]]] = deque()
        for ev in walk(list(roots), ahead=True):
            if isinstance(ev, Failure):
                for future in pending:
                    future.cancel()
                raise InputError(ev.reason, ev.path)
            if not ev.tables:
                continue  # an archive: its members follow one by one
            pending.append(pool.submit(_rows, ev, key, progress))
            if len(pending) >= workers:
                yield _keyed(*pending.popleft().result(), role, estates)
        while pending:
            yield _keyed(*pending.popleft().result(), role, estates)


def _rows(
    ev: Evidence, key: MatchKey, progress: Progress | None
) -> tuple[Evidence, pl.DataFrame | None, int]:
    """The distinct key rows of one evidence file, sorted by key, and its number of records."""
    frames = []
    records_read = 0
    for table in ev.tables:
        batches = (b for b in table.batches() if b.height)
        first = next(batches, None)
        if first is None:
            continue
        profiles = classify_columns(list(first.columns), first.head(SAMPLE_ROWS))
        offset = 0
        for batch in itertools.chain((first,), batches):
            frames.append(key_rows(batch, profiles, key=key, offset=offset))
            offset += batch.height
            records_read += batch.height
            if progress is not None:
                progress(f"{ev.path} · {table.name}", batch.height)
    if not frames:
        return ev, None, records_read
    rows = pl.concat(frames).unique(["field", "key"], keep="first", maintain_order=True)
    return ev, rows.sort("key"), records_read


def _keyed(
    ev: Evidence,
    rows: pl.DataFrame | None,
    records_read: int,
    role: Literal["seized", "source"],
    estates: Estates,
) -> KeyedList:
    out = KeyedList(ev.path, role, ev.sha256, records_read)
    if rows is None:
        return out
    for (number,), part in rows.partition_by("field", as_dict=True).items():
        out.fields[int(number)] = FieldKeys(
            keys=part.get_column("key").to_numpy().astype(np.uint64, copy=False),
            community=estates.encode(part.get_column("community")),
            day=part.get_column("day").fill_null(-1).to_numpy().astype(np.int32, copy=False),
        )
    return out


def day_text(day: int) -> str:
    return (_EPOCH + dt.timedelta(days=day)).isoformat()


__all__ = [
    "KEY_FIELDS",
    "KEY_ROW_SCHEMA",
    "MATCH_KEYS",
    "Estates",
    "FieldKeys",
    "KeyedList",
    "MatchKey",
    "day_text",
    "key_rows",
    "keyed_lists",
]
