"""The registry: who got which export of which master, and the code's parameters.

SQLite by default (a path), PostgreSQL by URL. The schema is created and changed only by the
alembic migrations in ``migrations/``; opening a registry checks its revision and its key before
anything is read or written, so a wrong registry or a wrong key is refused untouched.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine

from leaktrace._db import engine as db_engine
from leaktrace.errors import LeakTraceError, UsageError
from leaktrace.mark import _keys
from leaktrace.mark._schema import (
    SCHEMA_REVISION,
    distributions,
    masters,
    recipients,
    registry_meta,
)
from leaktrace.mark.code import CodeParams

REGISTRY_ENV = "LEAKTRACE_REGISTRY"
DEFAULT_REGISTRY = "leaktrace-registry.db"


class RegistryError(LeakTraceError):
    """A registry that is missing, of another schema version, or not a LeakTrace registry."""


@dataclass(frozen=True)
class Master:
    """A registered master list: its records' tokens and match keys, its honey pool, its layout."""

    id: int
    sha256: str
    name: str
    format: str
    layout: dict[str, Any]
    tokens: npt.NDArray[np.uint8]
    keys: npt.NDArray[np.int64]
    honey_tokens: npt.NDArray[np.uint8]
    honey_keys: npt.NDArray[np.int64]
    honey: pl.DataFrame

    @property
    def n_records(self) -> int:
        return int(self.tokens.shape[0])


@dataclass(frozen=True)
class Distribution:
    """One export to one recipient, with what it received (record and honey membership)."""

    id: int
    uid: str
    recipient: str
    master_id: int
    status: str
    out_path: str
    created_at: dt.datetime
    records: npt.NDArray[np.bool_]
    honey: npt.NDArray[np.bool_]


def resolve_url(registry: str | None) -> str:
    """A SQLAlchemy URL from ``--registry`` (path or URL), ``$LEAKTRACE_REGISTRY``, or default."""
    value = registry or os.environ.get(REGISTRY_ENV) or DEFAULT_REGISTRY
    if "://" in value:
        return _supported(value)
    return f"sqlite:///{Path(value).expanduser().resolve()}"


_BACKENDS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}
"""The databases a registry may live in, and the driver each is reached through."""


def _supported(url: str) -> str:
    """``url`` if it names SQLite or PostgreSQL (``postgresql://`` goes through psycopg 3);
    anything else is refused in one line, naming the scheme and not the password."""
    scheme = url.split("://", 1)[0]
    wanted = (
        "SQLite 文件路径、sqlite:///PATH 或 postgresql://USER@HOST/DB "
        "a SQLite path, sqlite:///PATH or postgresql://USER@HOST/DB"
    )
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise UsageError(
            f"不是标记登记库地址 not a registry URL (scheme {scheme!r}); 请用 use {wanted}"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in _BACKENDS:
        raise UsageError(
            f"不支持的登记库数据库 unsupported registry database {scheme!r}; 请用 use {wanted}"
        )
    if parsed.drivername not in {backend, _BACKENDS[backend]}:
        raise UsageError(
            f"不支持的数据库驱动 unsupported database driver {parsed.drivername!r}; "
            f"请用 use {wanted}"
        )
    parsed = parsed.set(drivername=_BACKENDS[backend])
    if backend == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise UsageError(
                "PostgreSQL 登记库需要 psycopg a PostgreSQL registry needs psycopg: "
                "pip install 'leaktrace[postgres]'"
            ) from None
    return parsed.render_as_string(hide_password=False)


def default_key_file(url: str) -> Path | None:
    """``$LEAKTRACE_MARK_KEY_FILE``, else ``<registry>.key`` beside a SQLite registry."""
    env = os.environ.get(_keys.KEY_FILE_ENV)
    if env:
        return Path(env)
    path = _sqlite_path(url)
    return Path(str(path) + ".key") if path is not None else None


def _sqlite_path(url: str) -> Path | None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def _engine(url: str) -> Engine:
    return db_engine(url)


def _alembic_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("leaktrace.mark") / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


class Registry:
    """An open registry with its verified key. Use `Registry.open` or `Registry.create`."""

    def __init__(self, url: str, engine: Engine, key: bytes, params: CodeParams) -> None:
        self.url = url
        self.engine = engine
        self.key = key
        self.params = params

    # --- opening -------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        registry: str | None = None,
        key_file: Path | None = None,
        params: CodeParams | None = None,
    ) -> Registry:
        """Create a new registry and, unless the key comes from the environment, its key file."""
        url = resolve_url(registry)
        params = params or CodeParams()
        path = _sqlite_path(url)
        if path is not None and path.exists():
            raise RegistryError("标记登记库已存在 registry already exists", str(path))
        key_path = key_file or default_key_file(url)
        if os.environ.get(_keys.KEY_ENV):
            key, _ = _keys.load_key(None)
        elif key_path is None:
            raise _keys.MarkKeyError(
                f"没有密钥：请用 --key-file 或设置 {_keys.KEY_ENV} "
                f"no key: give --key-file or set {_keys.KEY_ENV}"
            )
        elif key_path.exists():
            key, _ = _keys.load_key(key_path)
        else:
            key = _keys.create_key_file(key_path)
        engine = _engine(url)
        try:
            with engine.begin() as conn:
                if MigrationContext.configure(conn).get_current_revision() is not None:
                    raise RegistryError("标记登记库已存在 registry already exists", _shown(url))
                command.upgrade(_alembic_config(conn), "head")
                conn.execute(
                    registry_meta.insert().values(
                        id=1,
                        key_check=_keys.check_value(key),
                        code_version=params.version,
                        code_cutoff=params.cutoff,
                        design_colluders=params.design_colluders,
                        created_at=_now(),
                    )
                )
                if path is not None:
                    conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        except sa.exc.SQLAlchemyError as exc:
            raise RegistryError(
                f"无法创建标记登记库 cannot create registry: {_first_line(exc)}", _shown(url)
            ) from None
        return cls(url, engine, key, params)

    @classmethod
    def open(cls, registry: str | None = None, key_file: Path | None = None) -> Registry:
        """Open an existing registry; refuse a missing one, another version, or a wrong key."""
        url = resolve_url(registry)
        path = _sqlite_path(url)
        if path is not None and not path.exists():
            raise RegistryError(
                "标记登记库不存在（可用 `leaktrace mark --init` 创建）"
                "registry not found (create it with `leaktrace mark --init`)",
                str(path),
            )
        engine = _engine(url)
        try:
            with engine.connect() as conn:
                revision = MigrationContext.configure(conn).get_current_revision()
                if revision is None:
                    raise RegistryError(
                        "不是 LeakTrace 标记登记库 not a LeakTrace registry", _shown(url)
                    )
                if revision != SCHEMA_REVISION:
                    raise RegistryError(
                        f"标记登记库结构版本为 {revision}，本 LeakTrace 读取版本 {SCHEMA_REVISION} "
                        f"registry schema version {revision}; this LeakTrace reads version "
                        f"{SCHEMA_REVISION}",
                        _shown(url),
                    )
                meta = conn.execute(sa.select(registry_meta)).mappings().first()
                conn.rollback()
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise RegistryError(
                f"无法读取标记登记库 cannot read registry: {_first_line(exc)}", _shown(url)
            ) from None
        if meta is None:
            raise RegistryError(
                "标记登记库缺少参数（创建时被中断？）"
                "registry has no parameters (interrupted creation?)",
                _shown(url),
            )
        key, where = _keys.load_key(key_file or default_key_file(url))
        if not _keys.matches(key, meta["key_check"]):
            engine.dispose()
            raise _keys.MarkKeyError("密钥与此标记登记库不符 wrong key for this registry", where)
        params = CodeParams(
            cutoff=float(meta["code_cutoff"]),
            design_colluders=int(meta["design_colluders"]),
            version=int(meta["code_version"]),
        )
        return cls(url, engine, key, params)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            raise RegistryError(
                f"写入标记登记库失败 registry write failed: {_first_line(exc)}", _shown(self.url)
            ) from None

    # --- masters ---------------------------------------------------------------------------------

    def find_master(self, sha256: str) -> Master | None:
        """The master registered with this content hash, if any."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(masters).where(masters.c.sha256 == sha256))
                .mappings()
                .first()
            )
        return _master(row) if row is not None else None

    def add_master(
        self,
        *,
        sha256: str,
        name: str,
        fmt: str,
        layout: dict[str, Any],
        tokens: npt.NDArray[np.uint8],
        keys: npt.NDArray[np.int64],
        honey_tokens: npt.NDArray[np.uint8],
        honey_keys: npt.NDArray[np.int64],
        honey: pl.DataFrame,
    ) -> Master:
        """Register a master; if another run registered the same content first, return that one."""
        records_blob = _pack_arrays(tokens=tokens, keys=keys)
        honey_blob = _pack_arrays(tokens=honey_tokens, keys=honey_keys, frame=_frame_bytes(honey))
        try:
            with self._write() as conn:
                existing = conn.execute(
                    sa.select(masters.c.id).where(masters.c.sha256 == sha256)
                ).first()
                if existing is None:
                    conn.execute(
                        masters.insert().values(
                            sha256=sha256,
                            name=name,
                            format=fmt,
                            n_records=int(tokens.shape[0]),
                            n_honey=int(honey_tokens.shape[0]),
                            layout=layout,
                            records=records_blob,
                            honey=honey_blob,
                            created_at=_now(),
                        )
                    )
        except RegistryError:
            if self.find_master(sha256) is None:
                raise
        found = self.find_master(sha256)
        assert found is not None
        return found

    def masters(self) -> list[Master]:
        """Every registered master."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(masters).order_by(masters.c.id)).mappings().all()
        return [_master(row) for row in rows]

    # --- distributions ---------------------------------------------------------------------------

    def begin_distribution(
        self,
        *,
        recipient: str,
        master_id: int,
        out_path: str,
        params: dict[str, Any],
        records: npt.NDArray[np.bool_],
        honey: npt.NDArray[np.bool_],
        uid: str | None = None,
    ) -> Distribution:
        """Commit a distribution as ``incomplete`` before any file exists; return it."""
        uid = uid or secrets.token_hex(16)
        now = _now()
        self._ensure_recipient(recipient)
        with self._write() as conn:
            rid = conn.execute(
                sa.select(recipients.c.id).where(recipients.c.name == recipient)
            ).scalar_one()
            did = conn.execute(
                distributions.insert().values(
                    uid=uid,
                    recipient_id=rid,
                    master_id=master_id,
                    status="incomplete",
                    out_path=out_path,
                    params=params,
                    record_bitmap=_pack_bits(records),
                    honey_bitmap=_pack_bits(honey),
                    created_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return Distribution(
            int(did), uid, recipient, master_id, "incomplete", out_path, now, records, honey
        )

    def _ensure_recipient(self, name: str) -> None:
        """Add the recipient unless it exists; a concurrent run adding it first is fine."""
        try:
            with self._write() as conn:
                exists = conn.execute(
                    sa.select(recipients.c.id).where(recipients.c.name == name)
                ).first()
                if exists is None:
                    conn.execute(recipients.insert().values(name=name, created_at=_now()))
        except RegistryError:
            with self.engine.connect() as conn:
                found = conn.execute(
                    sa.select(recipients.c.id).where(recipients.c.name == name)
                ).first()
            if found is None:
                raise

    def release(self, distribution_id: int, *, sha256: str, n_rows: int, n_honey: int) -> None:
        """Mark a distribution ``released`` once its file is in place."""
        with self._write() as conn:
            conn.execute(
                distributions.update()
                .where(distributions.c.id == distribution_id)
                .values(
                    status="released",
                    out_sha256=sha256,
                    n_rows=n_rows,
                    n_honey=n_honey,
                    released_at=_now(),
                )
            )

    def distributions(self, master_id: int | None = None) -> list[Distribution]:
        """Every distribution (of one master), incomplete ones included: their codes may be out."""
        query = (
            sa.select(distributions, recipients.c.name.label("recipient"))
            .join(recipients, recipients.c.id == distributions.c.recipient_id)
            .order_by(distributions.c.id)
        )
        if master_id is not None:
            query = query.where(distributions.c.master_id == master_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Distribution(
                id=int(r["id"]),
                uid=str(r["uid"]),
                recipient=str(r["recipient"]),
                master_id=int(r["master_id"]),
                status=str(r["status"]),
                out_path=str(r["out_path"]),
                created_at=r["created_at"],
                records=_unpack_bits(r["record_bitmap"]),
                honey=_unpack_bits(r["honey_bitmap"]),
            )
            for r in rows
        ]


def _master(row: Any) -> Master:
    records = _unpack_arrays(row["records"])
    honey = _unpack_arrays(row["honey"])
    frame = pl.read_parquet(io.BytesIO(honey["frame"].tobytes()))
    return Master(
        id=int(row["id"]),
        sha256=str(row["sha256"]),
        name=str(row["name"]),
        format=str(row["format"]),
        layout=dict(row["layout"]),
        tokens=records["tokens"],
        keys=records["keys"],
        honey_tokens=honey["tokens"],
        honey_keys=honey["keys"],
        honey=frame,
    )


def _pack_arrays(**arrays: Any) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _unpack_arrays(blob: bytes) -> dict[str, Any]:
    with np.load(io.BytesIO(blob)) as data:
        return {k: data[k] for k in data.files}


def _frame_bytes(frame: pl.DataFrame) -> npt.NDArray[np.uint8]:
    buf = io.BytesIO()
    frame.write_parquet(buf)
    return np.frombuffer(buf.getvalue(), dtype=np.uint8)


def _pack_bits(mask: npt.NDArray[np.bool_]) -> bytes:
    n = int(mask.shape[0]).to_bytes(8, "little")
    return n + zlib.compress(np.packbits(mask).tobytes())


def _unpack_bits(blob: bytes) -> npt.NDArray[np.bool_]:
    n = int.from_bytes(blob[:8], "little")
    bits = np.unpackbits(np.frombuffer(zlib.decompress(blob[8:]), dtype=np.uint8))
    return bits[:n].astype(np.bool_)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _shown(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
