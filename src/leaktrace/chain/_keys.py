"""Lists as sets of keys: the batch function and the per-list aggregation ``match`` compares.

A seized list and a candidate source rarely share columns: the developer's customer base has ID
numbers, the salesperson's copy only names, phones and rooms. So a list is not one key set but
one per **key field**: every identifier (``cn_id``, ``mobile``, ... as in
:data:`leaktrace.normalize.IDENTIFIERS`) and ``name_place`` (name with estate, building, unit and
room), each a sorted array of 64-bit keys. Two lists are compared on the field they share most.

Keys are ``<field>\\x1f<canonical value>`` hashed with Polars' ``Expr.hash(seed=KEY_SEED)``, the
same hash the person keys of ``count`` use: stable across processes within one Polars version,
which is all a comparison needs (keys are never stored as evidence). With ``key="content"`` a
list is one set of content keys (every canonical field), so only identical records match.

:func:`key_rows` is a pure batch function (batch + column profiles -> key rows), so another
engine can run it; :class:`KeyedList` is the per-list aggregation (distinct keys per field).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from leaktrace.detect import ColumnProfile, classify_columns
from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, walk
from leaktrace.normalize import IDENTIFIERS, KEY_SEED, SEP, records
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
    record's estate, from its address or an untyped column headed like 小区/项目, and its
    date, from the first untyped column headed like 日期/时间 (null when none parses).
    """
    recs = records(batch, profiles, offset=offset, parts=True)
    typed = {p.name for p in profiles if p.type is not None}
    estate = _first_column(batch, typed, _ESTATE_HEADER)
    dated = _first_column(batch, typed, _DATE_HEADER, avoid=_BIRTH_HEADER)
    recs = recs.with_columns(
        (
            pl.coalesce(pl.col("community"), batch.get_column(estate).str.replace_all(r"\s", ""))
            if estate is not None
            else pl.col("community")
        ).alias("_community"),
        (
            pl.lit(_day(batch.get_column(dated))) if dated is not None else pl.lit(None, pl.Int32)
        ).alias("_day"),
    ).filter(pl.col("status") == "valid")
    fields: list[tuple[int, pl.Expr]]
    if key == "content":
        fields = [(KEY_FIELDS.index("content"), pl.col("content_key"))]
    else:
        fields = [
            (
                KEY_FIELDS.index(f),
                pl.when(pl.col(f).is_not_null()).then(_hash(pl.lit(f + SEP) + pl.col(f))),
            )
            for f in IDENTIFIERS
        ]
        place = pl.concat_str(
            [pl.col(c).fill_null("") for c in ("_community", "building", "unit", "room")],
            separator=SEP,
        )
        has_place = pl.col("room").is_not_null() & pl.col("_community").is_not_null()
        name_place = pl.when(pl.col("name").is_not_null() & has_place).then(
            _hash(pl.lit(f"name_place{SEP}") + pl.col("name") + pl.lit(SEP) + place)
        )
        fields.append((KEY_FIELDS.index("name_place"), name_place))
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


def _hash(text: pl.Expr) -> pl.Expr:
    return text.hash(seed=KEY_SEED)


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
) -> Iterator[KeyedList]:
    """Every evidence file under ``roots`` as a :class:`KeyedList` (archives opened).

    A file that cannot be read raises InputError: a comparison must not be silently short.
    """
    for ev in walk(list(roots)):
        if isinstance(ev, Failure):
            raise InputError(ev.reason, ev.path)
        if not ev.tables:
            continue  # an archive: its members follow one by one
        yield _keyed(ev, role, estates, key, progress)


def _keyed(
    ev: Evidence,
    role: Literal["seized", "source"],
    estates: Estates,
    key: MatchKey,
    progress: Progress | None,
) -> KeyedList:
    out = KeyedList(ev.path, role, ev.sha256)
    frames = []
    for table in ev.tables:
        batches = (b for b in table.batches() if b.height)
        first = next(batches, None)
        if first is None:
            continue
        profiles = classify_columns(list(first.columns), first.head(SAMPLE_ROWS))
        offset = 0
        for batch in (first, *batches):
            frames.append(key_rows(batch, profiles, key=key, offset=offset))
            offset += batch.height
            out.records += batch.height
            if progress is not None:
                progress(f"{ev.path} · {table.name}", batch.height)
    if not frames:
        return out
    rows = pl.concat(frames).unique(["field", "key"], keep="first", maintain_order=True)
    for (number,), part in rows.sort("key").partition_by("field", as_dict=True).items():
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
