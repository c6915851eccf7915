"""Reading a list of people and naming its records: column roles, identities and match keys.

Shared by ``mark`` (which registers a master's records) and ``trace`` (which matches leaked rows
back to them). Files are read with `leaktrace.ingest`, column types come from
`leaktrace.detect`, values are normalised with the catalogue's normalisers; nothing here reads a
file format or validates a phone number on its own.

A record's *match keys* are keyed 64-bit hashes of normalised identity values, tried in order
(`KEY_ORDER`): a leaked row is matched by the first key that names exactly one master record, so a
list that kept only name and phone, or only name and room, still matches, and a person who owns
two flats is told apart by the room number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from leaktrace.detect import CATALOGUE, classify_columns
from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, walk

IDENTITY_TYPES = ("name", "mobile", "cn_id", "email", "room", "address")
"""The detected types used to name a record. They are never altered by marking."""

KEY_ORDER = ("cn_id", "name_mobile", "mobile_room", "mobile", "email", "name_place", "name_room")
"""Match keys, strongest first."""

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
    """Normalised identity values of every row: name, mobile, cn_id, email, room_no (nullable)."""
    by_type = {t: c for c, t in types.items()}
    n = frame.height

    def norm(type_id: str) -> pl.Series:
        column = by_type.get(type_id)
        if column is None:
            return pl.Series(type_id, [None] * n, dtype=pl.String)
        return normalise(type_id, frame[column]).alias(type_id)

    room_source = by_type.get("room") or by_type.get("address")
    room_no = (
        _room_number(frame[room_source])
        if room_source is not None
        else pl.Series("room_no", [None] * n, dtype=pl.String)
    )
    addr = by_type.get("address")
    place = (
        _place(frame[addr]) if addr is not None else pl.Series("place", [None] * n, dtype=pl.String)
    )
    return pl.DataFrame(
        [
            norm("name"),
            norm("mobile"),
            norm("cn_id"),
            norm("email"),
            room_no.alias("room_no"),
            place.alias("place"),
        ]
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


def match_keys(key: bytes, ids: pl.DataFrame) -> dict[str, I64]:
    """Keyed 64-bit hashes of each `KEY_ORDER` key per row; 0 where the row lacks the key."""
    parts = {
        "cn_id": [pl.col("cn_id")],
        "name_mobile": [pl.col("name"), pl.col("mobile")],
        "mobile_room": [pl.col("mobile"), pl.col("room_no")],
        "mobile": [pl.col("mobile")],
        "email": [pl.col("email")],
        "name_place": [pl.col("name"), pl.col("place")],
        "name_room": [pl.col("name"), pl.col("room_no")],
    }
    texts = ids.select([pl.concat_str(cols, separator="|").alias(k) for k, cols in parts.items()])
    return {k: _hash64(key, k, texts[k]) for k in KEY_ORDER}


def normalise(type_id: str, series: pl.Series) -> pl.Series:
    """Canonical form of every cell by the detect catalogue (null where not a valid value)."""
    return CATALOGUE[type_id].normalise(series.cast(pl.String))


def _place(series: pl.Series) -> pl.Series:
    """Building, unit and room of an address (``…16幢2单元802室`` -> ``16-2-802``)."""
    text = series.cast(pl.String).str.normalize("NFKC").str.replace_all(r"\s+", "")
    groups = text.str.extract_groups(r"(\d+)\D+(\d+)\D+(\d+)\D*$")
    return (
        pl.DataFrame({"g": groups})
        .select(pl.concat_str(pl.col("g").struct.unnest(), separator="-").alias("place"))
        .to_series()
    )


def _room_number(series: pl.Series) -> pl.Series:
    """The room number: the last run of digits (``7幢2单元1102室`` -> ``1102``)."""
    text = series.cast(pl.String).str.normalize("NFKC")
    return text.str.extract(r"(\d+)\D*$", 1)


def _hash64(key: bytes, kind: str, values: pl.Series) -> I64:
    base = hashlib.blake2b(key=key, digest_size=8, person=b"lt-match")
    base.update(kind.encode())
    copy = base.copy

    def digest(value: str) -> bytes:
        h = copy()
        h.update(value.encode("utf-8"))
        return h.digest()

    present = (values.is_not_null() & (values.str.len_bytes() > 0)).to_numpy()
    raw = np.frombuffer(b"".join(map(digest, values.filter(present).to_list())), dtype="<i8")
    out = np.zeros(values.len(), dtype=np.int64)
    out[present] = np.where(raw == 0, 1, raw)
    return out
