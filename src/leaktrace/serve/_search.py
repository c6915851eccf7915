"""Search across a case: every file, sheet and row where a person appears.

The index is built from the evidence by the same code that counts it: each table's columns are
classified by ``leaktrace.detect`` and its rows normalised by ``leaktrace.normalize.records``, so
an ID number, a mobile or an e-mail is indexed in its canonical form, whatever way the evidence
wrote it (full-width digits, spaces, ``+86``, upper or lower case). Only 64-bit keys of the
canonical values are stored (each value hashed with ``normalize.field_seed`` of its field, as the
record key is), never the values: the index names where a person appears, not who. A query is
normalised the same way and looked up by its keys.

The index is one Parquet file in the case's ``work/`` folder (``search.parquet``) of
``(key, source, row)`` sorted by key, rebuilt whole by each ``index`` job and put in place by a
rename. It is built without a row-by-row step: each batch's keys are computed by Polars over
whole columns and spilled to one of :data:`_BUCKETS` Arrow files by the key's top bits; then each
bucket is sorted on its own and appended to the Parquet file in bucket order, so memory stays at
one batch plus one bucket (a 256th of the keys) whatever the case's size. A lookup reads only the
row groups whose key range holds a query key (a row group is :data:`ROW_GROUP` keys), so it costs
the same at a thousand records or at 13 million. The sources (file, sheet, rows) and the Polars
version that built the index are in the Parquet footer: Polars promises the same hash within one
version only, so a mismatch asks for a rebuild.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from leaktrace.detect import ColumnProfile, classify_columns
from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, walk
from leaktrace.mask import mask
from leaktrace.normalize import SEP, field_seed, records
from leaktrace.scan import SAMPLE_ROWS

INDEX_FILE = "search.parquet"
_OLD_INDEX_FILE = "search.db"
"""The SQLite index earlier versions wrote; removed when a new index is built."""
IDENTIFIER_FIELDS = (
    "cn_id",
    "mobile",
    "email",
    "passport",
    "bank_card",
    "qq",
    "wechat",
    "landline",
)
"""Fields indexed one by one: each singles out a person."""
NAME_ROOM = "name_room"
"""Name together with building, unit and room: how a home-owner list singles out a person."""
FIELDS = (*IDENTIFIER_FIELDS, NAME_ROOM)
FIELD_TEXT = {
    "cn_id": "身份证号",
    "mobile": "手机号",
    "email": "电子邮箱",
    "passport": "护照号",
    "bank_card": "银行卡号",
    "qq": "QQ号",
    "wechat": "微信号",
    "landline": "固定电话",
    NAME_ROOM: "姓名+房号",
}
_ROOM_PARTS = ("building", "unit", "room")
_WANTED = ["row", *IDENTIFIER_FIELDS, "name", *_ROOM_PARTS]
HIT_SCHEMA = pa.schema([("key", pa.uint64()), ("source", pa.uint32()), ("row", pa.uint64())])
"""One hit: the key of a canonical value, the table it is in (``sources``) and its data row."""
_BUCKETS = 256
"""Spill files, by the key's top 8 bits: each is sorted on its own, a 256th of the keys."""
_BUCKET_SPAN = 1 << (64 - 8)
"""Keys per bucket: a key's bucket is its top 8 bits."""
_SPILL_ROWS = 4_000_000
"""Keys held in memory (about 80 MB) before they are spilled to the bucket files."""
ROW_GROUP = 65_536
"""Keys per Parquet row group: what one lookup reads at least (about 1 MB)."""

Progress = Callable[[str, int], None]


class IndexMissing(Exception):
    """No index yet, or one built by another Polars version: run the index job."""


@dataclass(frozen=True)
class Key:
    field: str
    key: int
    shown: str
    """The canonical value masked, to show what was looked for."""


def _name_room_text() -> pl.Expr:
    """``name SEP building SEP unit SEP room`` where a name and some part of a room are known."""
    has_room = pl.any_horizontal(pl.col(p).is_not_null() for p in _ROOM_PARTS)
    return (
        pl.when(pl.col("name").is_not_null() & has_room)
        .then(
            pl.concat_str(
                [pl.col("name"), *(pl.col(p).fill_null("") for p in _ROOM_PARTS)], separator=SEP
            )
        )
        .otherwise(None)
    )


def _keyed(text: pl.Expr, field: str) -> pl.Expr:
    """The key of each non-null value of ``text`` (Polars hashes a null too: it must stay null)."""
    return pl.when(text.is_not_null()).then(text.hash(seed=field_seed(field))).alias(field)


def batch_hits(recs: pl.DataFrame, source: int) -> pl.DataFrame:
    """The hits of a batch of records (``row`` and the fields of ``_WANTED``): one per field
    with a value, as ``HIT_SCHEMA``, in one pass of Polars over the whole columns."""
    keys = recs.select(
        pl.col("row"),
        *(_keyed(pl.col(f), f) for f in IDENTIFIER_FIELDS),
        _keyed(_name_room_text(), NAME_ROOM),
    )
    return (
        keys.unpivot(index="row", value_name="key")
        .drop_nulls("key")
        .select(
            pl.col("key").cast(pl.UInt64),
            pl.lit(source, pl.UInt32).alias("source"),
            pl.col("row").cast(pl.UInt64),
        )
    )


def index_records(
    batch: pl.DataFrame, profiles: list[ColumnProfile], *, offset: int = 0
) -> pl.DataFrame:
    """``records(batch, profiles, columns=_WANTED)``, with rooms and addresses split once per
    distinct value, and addresses only where needed.

    Splitting rooms and addresses is most of what normalising a row costs (two thirds of the
    index build on ``write_large_csv``'s 2 million rows), and a row's building, unit and room
    depend only on its room and address cells: so ``records`` runs on the rows without those
    columns, and again on the distinct room values only (a list of millions of rows holds some
    thousands of them). The index wants of an address only building, unit and room, which a
    room column gives first (``records`` takes a room column's part before the address's), so
    addresses are split only for the named rows whose room column left a part unknown. The hits
    are those of ``records``' output (tested); parts may differ only on rows without a name,
    which name no one by their room.
    """
    typed = [p for p in profiles if p.type and not p.free_text and p.name in batch.columns]
    rooms = [p for p in typed if p.type == "room"]
    addresses = [p for p in typed if p.type == "address"]
    if not rooms and not addresses:
        return records(batch, profiles, offset=offset, columns=_WANTED)
    places = {p.name for p in (*rooms, *addresses)}
    recs = records(
        batch,
        [p for p in profiles if p.name not in places],
        offset=offset,
        columns=[c for c in _WANTED if c not in _ROOM_PARTS],
    )
    if rooms:
        parts = _parts_of_distinct(batch, rooms)
    else:
        parts = pl.DataFrame(
            [
                pl.repeat(None, batch.height, dtype=pl.String, eager=True).alias(p)
                for p in _ROOM_PARTS
            ]
        )
    if addresses:
        unknown = pl.any_horizontal(pl.col(p).is_null() for p in _ROOM_PARTS)
        need = (
            recs.get_column("name").is_not_null()
            & parts.select(unknown).to_series()
            & batch.select(
                pl.any_horizontal(pl.col(p.name).is_not_null() for p in addresses)
            ).to_series()
        )
        if need.any():
            rows = need.arg_true()
            split = _parts_of_distinct(batch.filter(need), [*rooms, *addresses])
            parts = parts.with_columns(
                parts.get_column(p).clone().scatter(rows, split.get_column(p)) for p in _ROOM_PARTS
            )
    return recs.hstack(parts).select(_WANTED)


def _parts_of_distinct(batch: pl.DataFrame, places: list[ColumnProfile]) -> pl.DataFrame:
    """Building, unit and room of each row of ``batch`` from its ``places`` columns, by
    ``records`` run once per distinct combination of their values."""
    own = [replace(p, name=f"_place{i}") for i, p in enumerate(places)]
    cells = batch.select(pl.col(p.name).alias(o.name) for p, o in zip(places, own, strict=True))
    distinct = cells.unique()
    parts = distinct.hstack(records(distinct, own, columns=list(_ROOM_PARTS)))
    return cells.join(
        parts, on=[o.name for o in own], how="left", nulls_equal=True, maintain_order="left"
    ).select(_ROOM_PARTS)


def relative(path: str, case_dir: Path) -> str:
    """``path`` relative to the case folder (an archive member keeps its ``!/inner`` part)."""
    outer, bang, inner = path.partition("!")
    full, root = Path(outer).resolve(), case_dir.resolve()
    if full.is_relative_to(root):
        outer = full.relative_to(root).as_posix()
    return outer + bang + inner


class _Spill:
    """Hits gathered batch by batch and spilled, by the key's top bits, to Arrow stream files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0
        self.writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}
        self.total = 0
        self.closed = False

    def add(self, hits: pl.DataFrame) -> None:
        if not hits.height:
            return
        self.pending.append(hits)
        self.pending_rows += hits.height
        self.total += hits.height
        if self.pending_rows >= _SPILL_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        hits = pl.concat(self.pending).sort("key")  # each bucket is then one slice
        self.pending, self.pending_rows = [], 0
        keys = hits.get_column("key").to_numpy()
        starts = np.arange(_BUCKETS, dtype=np.uint64) * np.uint64(_BUCKET_SPAN)
        bounds = [*np.searchsorted(keys, starts).tolist(), hits.height]
        table = hits.to_arrow().cast(HIT_SCHEMA)
        for bucket in range(_BUCKETS):
            first, last = bounds[bucket], bounds[bucket + 1]
            if first == last:
                continue
            writer = self.writers.get(bucket)
            if writer is None:
                path = self.folder / f"{bucket:03d}.arrow"
                writer = pa.ipc.new_stream(str(path), HIT_SCHEMA)
                self.writers[bucket] = writer
            writer.write_table(table.slice(first, last - first))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for writer in self.writers.values():
                writer.close()

    def sorted_buckets(self) -> Iterable[pa.Table]:
        """Each bucket's hits sorted by key (then source and row), lowest keys first."""
        self.flush()
        self.close()
        for bucket in sorted(self.writers):
            path = self.folder / f"{bucket:03d}.arrow"
            with pa.memory_map(str(path)) as source:
                table = pa.ipc.open_stream(source).read_all()
            hits = pl.from_arrow(table)
            assert isinstance(hits, pl.DataFrame)
            yield hits.sort("key", "source", "row").to_arrow().cast(HIT_SCHEMA)
            del table, hits
            path.unlink()


def build_index(
    case_dir: Path, roots: Iterable[Path], *, progress: Progress | None = None
) -> dict[str, Any]:
    """Index every table under ``roots``; returns {"files", "tables", "rows", "keys", "errors"}.

    One build of a case at a time (a scan queues one, a person may start another); each starts
    by removing what a build cut off by a stopped server left behind.
    """
    key = str(case_dir.resolve())
    with _BUILDS_GUARD:
        lock = _BUILDS.setdefault(key, threading.Lock())
    with lock:
        return _build(case_dir, roots, progress)


_BUILDS: dict[str, threading.Lock] = {}
_BUILDS_GUARD = threading.Lock()


def _build(case_dir: Path, roots: Iterable[Path], progress: Progress | None) -> dict[str, Any]:
    work = case_dir / "work"
    work.mkdir(parents=True, exist_ok=True)
    for stale in [*work.glob(f".{INDEX_FILE}.*"), *work.glob(".index-spill-*")]:
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    token = secrets.token_hex(4)
    tmp = work / f".{INDEX_FILE}.{token}"
    spill_dir = work / f".index-spill-{token}"
    spill_dir.mkdir()
    stats: dict[str, Any] = {"files": 0, "tables": 0, "rows": 0, "keys": 0, "errors": []}
    sources: list[list[Any]] = []
    spill = _Spill(spill_dir)
    try:
        for item in walk([str(r) for r in roots if r.exists()]):
            if isinstance(item, Failure):
                stats["errors"].append(
                    {"path": relative(item.path, case_dir), "reason": item.reason}
                )
                continue
            stats["files"] += 1
            try:
                for table in item.tables:
                    # registered first: a table that fails half-way keeps the rows it gave
                    sources.append([relative(item.path, case_dir), table.name, 0])
                    _index_table(spill, item, table, sources, case_dir, progress)
                    stats["tables"] += 1
            except InputError as exc:
                stats["errors"].append(
                    {"path": relative(exc.path or item.path, case_dir), "reason": exc.reason}
                )
        stats["keys"] = spill.total
        stats["rows"] = sum(s[2] for s in sources)
        meta = {"polars": pl.__version__, "sources": sources}
        schema = HIT_SCHEMA.with_metadata({"leaktrace": json.dumps(meta, ensure_ascii=False)})
        with pq.ParquetWriter(str(tmp), schema, compression="snappy") as writer:
            for part in spill.sorted_buckets():
                writer.write_table(part.replace_schema_metadata(schema.metadata), ROW_GROUP)
            if not spill.total:
                writer.write_table(schema.empty_table())
        os.replace(tmp, work / INDEX_FILE)
    finally:
        spill.close()
        shutil.rmtree(spill_dir, ignore_errors=True)
        tmp.unlink(missing_ok=True)
    (work / _OLD_INDEX_FILE).unlink(missing_ok=True)
    return stats


def _index_table(
    spill: _Spill,
    item: Evidence,
    table: Any,
    sources: list[list[Any]],
    case_dir: Path,
    progress: Progress | None,
) -> None:
    """Spill the hits of ``table``, the last of ``sources``, counting its rows there."""
    source = len(sources) - 1
    profiles: list[ColumnProfile] | None = None
    indexable = True
    for batch in table.batches():
        if not batch.height:
            continue
        if profiles is None:
            profiles = classify_columns(list(batch.columns), batch.head(SAMPLE_ROWS))
            indexable = any(p.type and not p.free_text for p in profiles)
        if indexable:
            offset = sources[source][2]
            spill.add(batch_hits(index_records(batch, profiles, offset=offset), source))
        sources[source][2] += batch.height
        if progress is not None:
            progress(f"{relative(item.path, case_dir)} · {table.name}", batch.height)


# --- queries -----------------------------------------------------------------------------------


def _canonical(frame: pl.DataFrame, types: dict[str, str]) -> pl.DataFrame:
    profiles = [ColumnProfile(c, t, 1.0, False, "query") for c, t in types.items()]
    return records(frame, profiles, columns=[*_WANTED, "status"])


def _key_of(value: str, field: str) -> int:
    return int(pl.Series([value]).hash(seed=field_seed(field))[0])


def query_keys(text: str) -> list[Key]:
    """The index keys a query stands for: each identifier it is a valid value of, and
    name + room when it reads as a name followed by a room (``张三 3-2-201``)."""
    text = " ".join(text.split())
    if not text or len(text) > 200:
        return []
    keys: list[Key] = []
    compact = text.replace(" ", "")
    for field in IDENTIFIER_FIELDS:
        recs = _canonical(pl.DataFrame({"q": [compact]}), {"q": field})
        value = recs.get_column(field)[0]
        if value is not None and recs.get_column("status")[0] == "valid":
            keys.append(Key(field, _key_of(value, field), mask(value, field)))
    name, _, room = text.partition(" ")
    if room:
        recs = _canonical(pl.DataFrame({"n": [name], "r": [room]}), {"n": "name", "r": "room"})
        key_text = recs.select(_name_room_text()).item()
        if key_text is not None:
            shown = f"{mask(recs.get_column('name')[0], 'name')} {room}"
            keys.append(Key(NAME_ROOM, _key_of(key_text, NAME_ROOM), shown))
    return keys


@dataclass(frozen=True)
class _Footer:
    """What a lookup needs of an index file besides its hits, read once per file."""

    stamp: tuple[int, int, int]
    metadata: pq.FileMetaData
    low: np.ndarray
    """Each row group's lowest key (row groups are in key order)."""
    high: np.ndarray
    sources: list[list[Any]]
    """``[path, sheet, rows]`` per source number."""


_FOOTERS: dict[str, _Footer] = {}
_FOOTERS_GUARD = threading.Lock()
_FOOTERS_KEPT = 64


def _footer(path: Path, fh: Any) -> _Footer:
    """The footer of the open index file ``fh``, from the cache while the file is the same."""
    st = os.fstat(fh.fileno())
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    with _FOOTERS_GUARD:
        cached = _FOOTERS.get(str(path))
    if cached is not None and cached.stamp == stamp:
        return cached
    try:
        metadata = pq.read_metadata(fh)
        info = json.loads((metadata.metadata or {})[b"leaktrace"])
    except (pa.ArrowException, KeyError, ValueError):
        raise IndexMissing("unreadable index") from None
    if info.get("polars") != pl.__version__:
        raise IndexMissing("index built by another version")
    low, high = [], []
    for i in range(metadata.num_row_groups):
        stats = metadata.row_group(i).column(0).statistics
        if stats is None or not stats.has_min_max:  # unknown range: always read
            low.append(0)
            high.append(2**64 - 1)
        else:
            low.append(stats.min)
            high.append(stats.max)
    footer = _Footer(
        stamp,
        metadata,
        np.array(low, dtype=np.uint64),
        np.array(high, dtype=np.uint64),
        info["sources"],
    )
    with _FOOTERS_GUARD:
        if len(_FOOTERS) >= _FOOTERS_KEPT:
            _FOOTERS.pop(next(iter(_FOOTERS)))
        _FOOTERS[str(path)] = footer
    return footer


def _index_path(case_dir: Path) -> Path:
    return case_dir / "work" / INDEX_FILE


def _lookup(case_dir: Path, keys: list[int]) -> tuple[pl.DataFrame, list[list[Any]]]:
    """Every hit of ``keys`` (``key``, ``source``, ``row``) and the index's sources."""
    path = _index_path(case_dir)
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise IndexMissing("no index") from None
    with fh:
        footer = _footer(path, fh)
        wanted = np.array(sorted(set(keys)), dtype=np.uint64)
        first = np.searchsorted(footer.high, wanted, side="left")
        last = np.searchsorted(footer.low, wanted, side="right")
        groups = sorted({g for a, b in zip(first, last, strict=True) for g in range(a, b)})
        if not groups:
            return pl.DataFrame(schema=pl.Schema(HIT_SCHEMA)), footer.sources
        table = pq.ParquetFile(fh, metadata=footer.metadata).read_row_groups(groups)
    hits = pl.from_arrow(table)
    assert isinstance(hits, pl.DataFrame)
    return hits.filter(pl.col("key").is_in(pl.Series(wanted).implode())), footer.sources


def index_info(case_dir: Path) -> dict[str, Any] | None:
    """Tables and rows in the case's index; None when there is none (or it must be rebuilt)."""
    path = _index_path(case_dir)
    try:
        with path.open("rb") as fh:
            footer = _footer(path, fh)
    except (OSError, IndexMissing):
        return None
    return {"tables": len(footer.sources), "rows": sum(s[2] for s in footer.sources)}


def search(case_dir: Path, text: str, *, offset: int = 0, limit: int = 50) -> dict[str, Any]:
    """Hits of ``text`` in the case's index, a page at a time, each with file, sheet and row."""
    keys = query_keys(text)
    out: dict[str, Any] = {
        "query": [{"field": k.field, "label": FIELD_TEXT[k.field], "value": k.shown} for k in keys],
        "total": 0,
        "offset": offset,
        "limit": limit,
        "hits": [],
    }
    if not keys:
        return out
    hits, sources = _lookup(case_dir, [k.key for k in keys])
    out["total"] = hits.height
    if not hits.height:
        return out
    field_of = {k.key: k.field for k in keys}
    shown = {k.field: k.shown for k in keys}
    place = pl.DataFrame(
        {
            "source": pl.Series(range(len(sources)), dtype=pl.UInt32),
            "path": [s[0] for s in sources],
            "sheet": [s[1] for s in sources],
        }
    )
    page = (
        hits.join(place, on="source", how="left")
        .sort("path", "sheet", "row", "key")
        .slice(offset, limit)
    )
    out["hits"] = [
        {
            "path": h["path"],
            "sheet": h["sheet"],
            "row": h["row"] + 1,
            "field": field_of[h["key"]],
            "label": FIELD_TEXT[field_of[h["key"]]],
            "value": shown[field_of[h["key"]]],
        }
        for h in page.iter_rows(named=True)
    ]
    return out


def read_rows(case_dir: Path, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The evidence rows of ``hits`` in full (for an unmasking the caller has logged)."""
    wanted: dict[tuple[str, str], set[int]] = {}
    for h in hits:
        wanted.setdefault((h["path"], h["sheet"]), set()).add(int(h["row"]) - 1)
    found: dict[tuple[str, str, int], dict[str, str | None]] = {}
    for (path, sheet), rows in wanted.items():
        outer = path.split("!", 1)[0]
        target = (case_dir / outer).resolve()
        if not target.is_relative_to(case_dir.resolve()) or not target.exists():
            continue
        for item in walk([str(target)]):
            if isinstance(item, Failure) or relative(item.path, case_dir) != path:
                continue
            for table in item.tables:
                if table.name != sheet:
                    continue
                seen = 0
                for batch in table.batches():
                    inside = [r - seen for r in rows if seen <= r < seen + batch.height]
                    for r in inside:
                        found[(path, sheet, r + seen)] = batch.row(r, named=True)
                    seen += batch.height
                    if seen > max(rows):
                        break
    return [{**h, "cells": found.get((h["path"], h["sheet"], int(h["row"]) - 1), {})} for h in hits]
