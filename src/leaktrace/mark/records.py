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
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, walk

IDENTITY_TYPES = ("name", "mobile", "cn_id", "email", "room", "address")
"""The detected types used to name a record. They are never altered by marking."""

KEY_ORDER = ("cn_id", "name_mobile", "mobile_room", "mobile", "email", "name_room")
"""Match keys, strongest first."""

I64 = npt.NDArray[np.int64]


@dataclass
class ReadTable:
    """A whole table read as one all-String frame, with what writing it back needs."""

    frame: pl.DataFrame
    evidence: Evidence
    table_name: str


def read_tables(path: Path) -> list[ReadTable]:
    """Every table of the file at ``path``, each as one frame; an unreadable file raises."""
    found: list[ReadTable] = []
    for ev in walk([path]):
        if isinstance(ev, Failure):
            raise InputError(ev.reason, ev.path)
        for table in ev.tables:
            batches = list(table.batches())
            frame = (
                pl.concat(batches, how="vertical")
                if batches
                else pl.DataFrame(
                    {c: [] for c in table.columns}, schema=dict.fromkeys(table.columns, pl.String)
                )
            )
            found.append(ReadTable(frame, ev, table.name))
    if not found:
        raise InputError("no table found", str(path))
    return found


def column_types(frame: pl.DataFrame) -> dict[str, str]:
    """Column name -> detected identity type, for the columns that hold one of `IDENTITY_TYPES`."""
    sample = frame.head(2000)
    profiles = _classify(list(frame.columns), sample)
    out: dict[str, str] = {}
    for name, type_id in profiles.items():
        if type_id in IDENTITY_TYPES and type_id not in out.values():
            out[name] = type_id
    return out


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
    return pl.DataFrame(
        [norm("name"), norm("mobile"), norm("cn_id"), norm("email"), room_no.alias("room_no")]
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
        "name_room": [pl.col("name"), pl.col("room_no")],
    }
    texts = ids.select([pl.concat_str(cols, separator="|").alias(k) for k, cols in parts.items()])
    return {k: _hash64(key, k, texts[k].to_list()) for k in KEY_ORDER}


def normalise(type_id: str, series: pl.Series) -> pl.Series:
    """Canonical form of every cell (null where not a valid value of ``type_id``)."""
    unit = _catalogue().get(type_id)
    if type_id in ("mobile", "cn_id", "email") and unit is not None:
        normalised: pl.Series = unit.normalise(series.cast(pl.String))  # type: ignore[attr-defined]
        return normalised
    text = series.cast(pl.String).str.normalize("NFKC").str.replace_all(r"\s+", "")
    if type_id == "name":
        # A masked name (张*) names nobody.
        masked = text.str.contains(r"[*＊]") | (text.str.len_chars() == 0)
        return pl.select(pl.when(masked).then(None).otherwise(text)).to_series()
    if type_id == "email":
        return text.str.to_lowercase()
    return text


def _room_number(series: pl.Series) -> pl.Series:
    """The room number: the last run of digits (``7幢2单元1102室`` -> ``1102``)."""
    text = series.cast(pl.String).str.normalize("NFKC")
    return text.str.extract(r"(\d+)\D*$", 1)


def _hash64(key: bytes, kind: str, values: list[str | None]) -> I64:
    base = hashlib.blake2b(key=key, digest_size=8, person=b"lt-match")
    base.update(kind.encode())
    out = np.zeros(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        if value:
            h = base.copy()
            h.update(value.encode("utf-8"))
            out[i] = int.from_bytes(h.digest(), "little", signed=True) or 1
    return out


# --- the seam to leaktrace.detect ------------------------------------------------------------


def _catalogue() -> dict[str, object]:
    try:
        from leaktrace.detect import CATALOGUE  # type: ignore[attr-defined]
    except ImportError:
        return {}
    return dict(CATALOGUE)


def _classify(columns: list[str], sample: pl.DataFrame) -> dict[str, str]:
    try:
        from leaktrace.detect import classify_columns  # type: ignore[attr-defined]
    except ImportError:
        return _classify_by_header(columns, sample)
    return {p.name: p.type for p in classify_columns(columns, sample) if p.type}


_HEADER_WORDS = {
    "name": ("姓名", "业主", "户主", "name"),
    "mobile": ("手机", "电话", "联系方式", "mobile", "phone"),
    "cn_id": ("身份证", "证件号", "id_no", "idcard"),
    "email": ("邮箱", "email", "mail"),
    "room": ("房号", "房间", "室号", "门牌", "room"),
    "address": ("地址", "住址", "address"),
}


def _classify_by_header(columns: list[str], sample: pl.DataFrame) -> dict[str, str]:
    out: dict[str, str] = {}
    for column in columns:
        low = unicodedata.normalize("NFKC", column).lower()
        for type_id, words in _HEADER_WORDS.items():
            if any(w in low for w in words) and type_id not in out.values():
                out[column] = type_id
                break
    return out
