"""Search across a case: every file, sheet and row where a person appears.

The index is built from the evidence by the same code that counts it: each table's columns are
classified by ``leaktrace.detect`` and its rows normalised by ``leaktrace.normalize.records``, so
an ID number, a mobile or an e-mail is indexed in its canonical form, whatever way the evidence
wrote it (full-width digits, spaces, ``+86``, upper or lower case). Only 64-bit keys of the
canonical values are stored (``<field>`` hashed with ``normalize.field_seed``, as the record key
is), never the values: the index names where a person appears, not who. A query is normalised
the same way and looked up by its keys.

The index is a SQLite file in the case's ``work/`` folder (``search.db``), rebuilt whole by each
``index`` job and put in place by a rename. Polars promises the same hash within one version
only, so the index records the version it was built with and a mismatch asks for a rebuild.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from leaktrace.detect import ColumnProfile, classify_columns
from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, walk
from leaktrace.mask import mask
from leaktrace.normalize import SEP, field_seed, records
from leaktrace.scan import SAMPLE_ROWS

INDEX_FILE = "search.db"
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
_INSERT_ROWS = 200_000

Progress = Callable[[str, int], None]


class IndexMissing(Exception):
    """No index yet, or one built by another Polars version: run the index job."""


@dataclass(frozen=True)
class Key:
    field: str
    key: int
    shown: str
    """The canonical value masked, to show what was looked for."""


def _signed(values: pl.Series) -> pl.Series:
    return values.reinterpret(signed=True)


def _name_room_text(frame: pl.DataFrame) -> pl.Series:
    """``name SEP building SEP unit SEP room`` where a name and some part of a room are known."""
    has_room = pl.any_horizontal(pl.col(p).is_not_null() for p in _ROOM_PARTS)
    return frame.select(
        pl.when(pl.col("name").is_not_null() & has_room)
        .then(
            pl.concat_str(
                [pl.col("name"), *(pl.col(p).fill_null("") for p in _ROOM_PARTS)], separator=SEP
            )
        )
        .otherwise(None)
    ).to_series()


def _batch_hits(recs: pl.DataFrame, source: int) -> pl.DataFrame:
    parts = []
    for code, field in enumerate(FIELDS):
        values = _name_room_text(recs) if field == NAME_ROOM else recs.get_column(field)
        take = values.is_not_null()
        if not take.any():
            continue
        kept = values.filter(take)
        parts.append(
            pl.DataFrame(
                {
                    "key": _signed(kept.hash(seed=field_seed(field))),
                    "field": pl.Series([code] * kept.len(), dtype=pl.Int32),
                    "source": pl.Series([source] * kept.len(), dtype=pl.Int32),
                    "row": recs.get_column("row").filter(take).cast(pl.Int64),
                }
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={"key": pl.Int64, "field": pl.Int32, "source": pl.Int32, "row": pl.Int64}
        )
    return pl.concat(parts)


def relative(path: str, case_dir: Path) -> str:
    """``path`` relative to the case folder (an archive member keeps its ``!/inner`` part)."""
    outer, bang, inner = path.partition("!")
    full, root = Path(outer).resolve(), case_dir.resolve()
    if full.is_relative_to(root):
        outer = full.relative_to(root).as_posix()
    return outer + bang + inner


def build_index(
    case_dir: Path, roots: Iterable[Path], *, progress: Progress | None = None
) -> dict[str, Any]:
    """Index every table under ``roots``; returns {"files", "tables", "rows", "keys", "errors"}."""
    work = case_dir / "work"
    work.mkdir(parents=True, exist_ok=True)
    tmp = work / f".{INDEX_FILE}.{secrets.token_hex(4)}"
    stats: dict[str, Any] = {"files": 0, "tables": 0, "rows": 0, "keys": 0, "errors": []}
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE sources (id INTEGER PRIMARY KEY, path TEXT NOT NULL,
                                  sheet TEXT NOT NULL, rows INTEGER NOT NULL);
            CREATE TABLE hits (key INTEGER NOT NULL, field INTEGER NOT NULL,
                               source INTEGER NOT NULL, row INTEGER NOT NULL);
            """
        )
        conn.execute("INSERT INTO meta VALUES ('polars', ?)", (pl.__version__,))
        source = 0
        for item in walk([str(r) for r in roots if r.exists()]):
            if isinstance(item, Failure):
                stats["errors"].append(
                    {"path": relative(item.path, case_dir), "reason": item.reason}
                )
                continue
            stats["files"] += 1
            try:
                for table in item.tables:
                    source += 1
                    n = _index_table(conn, item, table, source, case_dir, progress)
                    stats["tables"] += 1
                    stats["rows"] += n
            except InputError as exc:
                stats["errors"].append(
                    {"path": relative(exc.path or item.path, case_dir), "reason": exc.reason}
                )
        conn.execute("CREATE INDEX hits_key ON hits (key)")
        stats["keys"] = conn.execute("SELECT count(*) FROM hits").fetchone()[0]
        conn.commit()
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    os.replace(tmp, work / INDEX_FILE)
    return stats


def _index_table(
    conn: sqlite3.Connection,
    item: Evidence,
    table: Any,
    source: int,
    case_dir: Path,
    progress: Progress | None,
) -> int:
    profiles: list[ColumnProfile] | None = None
    rows = 0
    pending: list[pl.DataFrame] = []
    pending_rows = 0
    indexable = True
    for batch in table.batches():
        if not batch.height:
            continue
        if profiles is None:
            profiles = classify_columns(list(batch.columns), batch.head(SAMPLE_ROWS))
            indexable = any(p.type and not p.free_text for p in profiles)
        if not indexable:
            rows += batch.height
            continue
        recs = records(batch, profiles, offset=rows, columns=_WANTED)
        hits = _batch_hits(recs, source)
        pending.append(hits)
        pending_rows += hits.height
        rows += batch.height
        if pending_rows >= _INSERT_ROWS:
            _insert(conn, pending)
            pending, pending_rows = [], 0
        if progress is not None:
            progress(f"{relative(item.path, case_dir)} · {table.name}", batch.height)
    _insert(conn, pending)
    conn.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?)",
        (source, relative(item.path, case_dir), table.name, rows),
    )
    return rows


def _insert(conn: sqlite3.Connection, frames: list[pl.DataFrame]) -> None:
    if frames:
        hits = pl.concat(frames)
        columns = [hits.get_column(c).to_list() for c in ("key", "field", "source", "row")]
        conn.executemany("INSERT INTO hits VALUES (?, ?, ?, ?)", zip(*columns, strict=True))


# --- queries -----------------------------------------------------------------------------------


def _canonical(frame: pl.DataFrame, types: dict[str, str]) -> pl.DataFrame:
    profiles = [ColumnProfile(c, t, 1.0, False, "query") for c, t in types.items()]
    return records(frame, profiles, columns=[*_WANTED, "status"])


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
            key = pl.Series([value]).hash(seed=field_seed(field))
            keys.append(Key(field, int(_signed(key)[0]), mask(value, field)))
    name, _, room = text.partition(" ")
    if room:
        recs = _canonical(pl.DataFrame({"n": [name], "r": [room]}), {"n": "name", "r": "room"})
        key_text = _name_room_text(recs)[0]
        if key_text is not None:
            key = pl.Series([key_text]).hash(seed=field_seed(NAME_ROOM))
            shown = f"{mask(recs.get_column('name')[0], 'name')} {room}"
            keys.append(Key(NAME_ROOM, int(_signed(key)[0]), shown))
    return keys


def _open(case_dir: Path) -> sqlite3.Connection:
    path = case_dir / "work" / INDEX_FILE
    if not path.exists():
        raise IndexMissing("no index")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    built = conn.execute("SELECT value FROM meta WHERE name = 'polars'").fetchone()
    if built is None or built[0] != pl.__version__:
        conn.close()
        raise IndexMissing("index built by another version")
    return conn


def index_info(case_dir: Path) -> dict[str, Any] | None:
    try:
        conn = _open(case_dir)
    except (IndexMissing, sqlite3.Error):
        return None
    with conn:
        sources = conn.execute("SELECT count(*), coalesce(sum(rows), 0) FROM sources").fetchone()
    conn.close()
    return {"tables": sources[0], "rows": sources[1]}


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
    conn = _open(case_dir)
    try:
        where = " OR ".join("(h.key = ? AND h.field = ?)" for _ in keys)
        args: list[Any] = []
        for k in keys:
            args += [k.key, FIELDS.index(k.field)]
        out["total"] = conn.execute(f"SELECT count(*) FROM hits h WHERE {where}", args).fetchone()[
            0
        ]
        rows = conn.execute(
            "SELECT s.path, s.sheet, h.row, h.field FROM hits h JOIN sources s ON s.id = h.source "
            f"WHERE {where} ORDER BY s.path, s.sheet, h.row LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
    finally:
        conn.close()
    shown = {k.field: k.shown for k in keys}
    out["hits"] = [
        {
            "path": path,
            "sheet": sheet,
            "row": row + 1,
            "field": FIELDS[field],
            "label": FIELD_TEXT[FIELDS[field]],
            "value": shown[FIELDS[field]],
        }
        for path, sheet, row, field in rows
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
