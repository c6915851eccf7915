"""Reading a list of people and naming its records: column roles, identities and match keys.

Shared by ``mark`` (which registers a master's records) and ``trace`` (which matches leaked rows
back to them). Files are read with `leaktrace.ingest`, column types come from
`leaktrace.detect`, values are normalised with the catalogue's normalisers; nothing here reads a
file format or validates a phone number on its own.

A record's *match keys* are keyed 64-bit hashes of its key texts, tried in order (`KEY_ORDER`): a
leaked row is matched by the first key that names exactly one master record, so a list that kept
only name and phone, or only name and room, still matches, and a person who owns two flats is
told apart by the room number. Values and key texts are :mod:`leaktrace.normalize`'s, the ones
``count`` and ``match`` key records by (an ID number is ``cn_id\\x1f<18 characters>`` in all of
them); only the hash differs, keyed with the registry's secret and stable across versions
because the registry keeps it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from leaktrace.detect import CATALOGUE, ColumnProfile, classify_columns
from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, walk
from leaktrace.normalize import SEP, place_text, records

IDENTITY_TYPES = ("name", "mobile", "cn_id", "email", "room", "address")
"""The detected types used to name a record. They are never altered by marking."""

KEY_ORDER = ("cn_id", "name_mobile", "mobile_room", "mobile", "email", "name_place", "name_room")
"""Match keys, strongest first."""

KEYS_VERSION = "normalize/1"
"""Which key texts a master's stored keys hash (:func:`key_texts`); kept in its layout, so that a
master registered with other keys is refused rather than silently matched on nothing."""

_VALUES = ("name", "mobile", "cn_id", "email")
_PLACE = ("address", "district", "community", "building", "unit", "room")

I64 = npt.NDArray[np.int64]


@dataclass
class ReadTable:
    """A whole table read as one all-String frame, with what writing it back needs."""

    frame: pl.DataFrame
    evidence: Evidence
    table_name: str


RowsDone = Callable[[str, int], None]
"""Told (what is being done, rows just read) as a file is read: a progress display's callback."""


def read_tables(path: Path, progress: RowsDone | None = None) -> list[ReadTable]:
    """Every table of the file at ``path``, each as one frame; an unreadable file raises."""
    found: list[ReadTable] = []
    for ev in walk([path]):
        if isinstance(ev, Failure):
            raise InputError(ev.reason, ev.path)
        for table in ev.tables:
            batches = []
            for batch in table.batches():
                batches.append(batch)
                if progress is not None:
                    progress(f"读取 reading {ev.path}", batch.height)
            frame = (
                pl.concat(batches, how="vertical")
                if batches
                else pl.DataFrame(
                    {c: [] for c in table.columns}, schema=dict.fromkeys(table.columns, pl.String)
                )
            )
            found.append(ReadTable(frame, ev, table.name))
    if not found:
        raise InputError("未找到表格 no table found", str(path))
    return found


def column_types(frame: pl.DataFrame) -> dict[str, str]:
    """Column name -> detected identity type, for the columns that hold one of `IDENTITY_TYPES`."""
    sample = frame.head(2000)
    columns = list(frame.columns)
    # Headers first (cheap); values decide only when the headers name fewer than two identity
    # types (a list without a header row, or with headers nobody uses).
    by_header = classify_columns(columns, sample.head(0))
    profiles = {p.name: p.type for p in by_header if p.type}
    if len({t for t in profiles.values() if t in IDENTITY_TYPES}) < 2:
        unknown = [c for c in columns if c not in profiles]
        found = classify_columns(unknown, sample.select(unknown))
        profiles.update({p.name: p.type for p in found if p.type})
    rooms = [c for c, t in profiles.items() if t == "room"]
    if len(rooms) > 1:
        # 楼栋, 单元 and 房号 may all read as "room"; the room number is the longest number.
        best = max(rooms, key=lambda c: _number_length(sample[c]))
        for column in rooms:
            if column != best:
                del profiles[column]
    out: dict[str, str] = {}
    for name, type_id in profiles.items():
        if type_id in IDENTITY_TYPES and type_id not in out.values():
            out[name] = type_id
    return out


def _number_length(series: pl.Series) -> float:
    lengths = _room_number(series).str.len_chars()
    mean = lengths.mean()
    return float(mean) if isinstance(mean, (int, float)) else 0.0


def identity_fields(frame: pl.DataFrame, types: dict[str, str]) -> pl.DataFrame:
    """Canonical identity values of every row, as :func:`leaktrace.normalize.records` gives them.

    Columns: name, mobile, cn_id, email (null where not a valid value), room_no (the room's
    number) and the place parts of normalize (district, community, building, unit, room,
    address), from which the name keys are built exactly as count builds its name key.
    """
    profiles = [ColumnProfile(c, t, 1.0, False, "mark") for c, t in types.items()]
    recs = records(frame, profiles, columns=(*_VALUES, *_PLACE))
    # A bare room number (``1201``, as left by a leaker who strips 室) names no room part in
    # normalize; the room's number is then its last run of digits, without leading zeros, as
    # normalize writes room numbers.
    room_source = next((c for c, t in types.items() if t == "room"), None) or next(
        (c for c, t in types.items() if t == "address"), None
    )
    bare = (
        _room_number(frame[room_source]).str.replace(r"^0+(\d)", "$1")
        if room_source is not None
        else pl.Series([None] * frame.height, dtype=pl.String)
    )
    return recs.select(*_VALUES, *_PLACE).with_columns(
        pl.coalesce(pl.col("room"), pl.lit(bare)).alias("room_no")
    )


def identity_strings(ids: pl.DataFrame) -> list[str]:
    """One stable identity per record, the input of its code token."""
    room = pl.col("room_no").fill_null("")
    expr = (
        pl.when(pl.col("cn_id").is_not_null())
        .then(pl.concat_str(pl.lit("id:"), "cn_id", pl.lit("|"), room))
        .when(pl.col("mobile").is_not_null())
        .then(pl.concat_str(pl.lit("m:"), "mobile", pl.lit("|"), room))
        .when(pl.col("email").is_not_null())
        .then(pl.concat_str(pl.lit("e:"), "email", pl.lit("|"), room))
        .otherwise(pl.concat_str(pl.lit("n:"), pl.col("name").fill_null(""), pl.lit("|"), room))
    )
    return ids.select(expr.alias("i"))["i"].to_list()


def key_texts(ids: pl.DataFrame) -> pl.DataFrame:
    """The text of each `KEY_ORDER` key per row (null where the row lacks it).

    ``cn_id``, ``mobile`` and ``email`` are normalize's person-key texts (``<field>\\x1f<value>``)
    and ``name_place`` is its name key text (``name\\x1f<name>\\x1f<place>``), given when the
    place names the estate or a whole address: the keys ``count`` and ``match`` use. The other
    three join the same canonical values, for rows no single key names alone.
    """

    def joined(*parts: str) -> pl.Expr:
        return pl.concat_str([pl.lit(parts[0]), *(pl.col(p) for p in parts[1:])], separator=SEP)

    placed = pl.col("community").is_not_null() | pl.col("address").is_not_null()
    texts = {
        "cn_id": joined("cn_id", "cn_id"),
        "name_mobile": joined("name_mobile", "name", "mobile"),
        "mobile_room": joined("mobile_room", "mobile", "room_no"),
        "mobile": joined("mobile", "mobile"),
        "email": joined("email", "email"),
        "name_place": pl.when(placed).then(
            pl.concat_str([pl.lit("name"), pl.col("name"), place_text()], separator=SEP)
        ),
        "name_room": joined("name_room", "name", "room_no"),
    }
    return ids.select(texts[k].alias(k) for k in KEY_ORDER)


def match_keys(key: bytes, ids: pl.DataFrame) -> dict[str, I64]:
    """Keyed 64-bit hashes of each `KEY_ORDER` key text per row; 0 where the row lacks the key.

    The texts are normalize's (:func:`key_texts`); the hash is keyed with the registry's secret
    and does not change with the Polars version, because the registry stores these keys.
    """
    texts = key_texts(ids)
    return {k: _hash64(key, texts[k]) for k in KEY_ORDER}


def normalise(type_id: str, series: pl.Series) -> pl.Series:
    """Canonical form of every cell by the detect catalogue (null where not a valid value)."""
    return CATALOGUE[type_id].normalise(series.cast(pl.String))


def _room_number(series: pl.Series) -> pl.Series:
    """The room number: the last run of digits (``7幢2单元1102室`` -> ``1102``)."""
    text = series.cast(pl.String).str.normalize("NFKC")
    return text.str.extract(r"(\d+)\D*$", 1)


def _hash64(key: bytes, values: pl.Series) -> I64:
    copy = hashlib.blake2b(key=key, digest_size=8, person=b"lt-match").copy

    def digest(value: str) -> bytes:
        h = copy()
        h.update(value.encode("utf-8"))
        return h.digest()

    present = (values.is_not_null() & (values.str.len_bytes() > 0)).to_numpy()
    raw = np.frombuffer(b"".join(map(digest, values.filter(present).to_list())), dtype="<i8")
    out = np.zeros(values.len(), dtype=np.int64)
    out[present] = np.where(raw == 0, 1, raw)
    return out
