"""The SQLAlchemy engine the product's own databases share (the mark registry, the workspace).

SQLite is opened so that writers queue instead of failing: the driver's own transaction handling
is switched off and every transaction begins with ``BEGIN IMMEDIATE``, which takes the write lock
at once, with a 60 s busy timeout. Any other URL (PostgreSQL) gets a plain pooled engine that
checks a connection before it is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


def engine(url: str, *, threads: bool = False, pragmas: Sequence[str] = ()) -> Engine:
    """An engine for ``url``; for SQLite, ``threads`` lets connections cross threads (a server's
    pool) and each of ``pragmas`` (e.g. ``"journal_mode=WAL"``) runs on every new connection."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    connect_args: dict[str, Any] = {"timeout": 60}
    if threads:
        connect_args["check_same_thread"] = False
    created = sa.create_engine(url, connect_args=connect_args)

    @sa.event.listens_for(created, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let the "begin" hook below issue BEGIN
        if pragmas:
            cur = dbapi_conn.cursor()
            for pragma in pragmas:
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

    @sa.event.listens_for(created, "begin")
    def _begin(conn: Connection) -> None:
        # Take the write lock at once, so concurrent writers queue instead of failing.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return created
