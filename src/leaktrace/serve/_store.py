"""The workspace: its folder (cases, audit head) and its database (users, cases, jobs, log).

SQLite ``workspace.db`` in the workspace folder by default, PostgreSQL by URL. The schema is
created and changed only by the alembic migrations in ``migrations/``; opening a workspace
upgrades a new database to the head and refuses one of another revision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from leaktrace._db import engine as db_engine
from leaktrace.errors import LeakTraceError
from leaktrace.serve._schema import (
    SCHEMA_REVISION,
    audit_log,
    cases,
    evidence,
    jobs,
    members,
    sessions,
    users,
)

ROLES = ("admin", "investigator", "reviewer")
"""admin: manages users and may do what an investigator does; investigator: creates cases,
uploads, runs jobs, unmasks with a reason; reviewer: reads the cases it is a member of."""

ROLE_TEXT = {"admin": "管理员", "investigator": "侦查员", "reviewer": "审阅人（只读）"}

SESSION_HOURS = 12
GENESIS = "0" * 64
"""The ``prev_hash`` of the first audit entry."""
AUDIT_HEAD = "audit-head.json"
"""In the workspace folder: the id and hash of the last entry, so a removed tail shows too."""
_NAME = re.compile(r"^[^\s/\\<>\"'&]{1,100}$")


class WorkspaceError(LeakTraceError):
    """A workspace that cannot be opened or written, or a request it refuses."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def resolve_url(workspace: Path, db: str | None) -> str:
    """``--db`` as given, else ``sqlite:///<workspace>/workspace.db``."""
    if db:
        return db
    return f"sqlite:///{(workspace / 'workspace.db').resolve()}"


def _engine(url: str) -> Engine:
    return db_engine(
        url,
        threads=True,
        pragmas=("foreign_keys=ON", "busy_timeout=60000", "journal_mode=WAL"),
    )


def _alembic_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("leaktrace.serve") / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "investigator")

    @property
    def role_text(self) -> str:
        return ROLE_TEXT.get(self.role, self.role)


@dataclass(frozen=True)
class CaseRow:
    id: int
    name: str
    folder: str
    created_at: dt.datetime
    created_by: int


class Workspace:
    """An open workspace. ``Workspace.open(dir, db)`` creates and migrates as needed."""

    def __init__(self, root: Path, url: str, engine: Engine) -> None:
        self.root = root
        self.url = url
        self.engine = engine
        self.hasher = PasswordHasher()
        self._audit_lock = threading.Lock()

    @classmethod
    def open(cls, root: Path, db: str | None = None) -> Workspace:
        root = Path(root).expanduser().resolve()
        try:
            (root / "cases").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(
                f"无法建立工作台目录 (cannot create the workspace folder: {exc.strerror})",
                str(root),
            ) from None
        url = resolve_url(root, db)
        engine = _engine(url)
        shown = sa.engine.make_url(url).render_as_string(hide_password=True)
        try:
            with engine.begin() as conn:
                revision = MigrationContext.configure(conn).get_current_revision()
                if revision is None:
                    tables = sa.inspect(conn).get_table_names()
                    if tables:
                        raise WorkspaceError(
                            "不是 LeakTrace 工作台数据库 (not a LeakTrace workspace database)",
                            shown,
                        )
                    command.upgrade(_alembic_config(conn), "head")
                elif revision != SCHEMA_REVISION:
                    raise WorkspaceError(
                        f"工作台数据库版本 {revision}，本程序读取版本 {SCHEMA_REVISION} "
                        f"(workspace schema version {revision}; "
                        f"this LeakTrace reads {SCHEMA_REVISION})",
                        shown,
                    )
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise WorkspaceError(
                f"无法打开数据库 (cannot open the database: {_first_line(exc)})", shown
            ) from None
        return cls(root, url, engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # --- users ---------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str, *, by: str = "(terminal)") -> User:
        """Add a user (argon2id hash of the password) and log who added it."""
        if role not in ROLES:
            raise WorkspaceError(
                f"角色只能是 {'、'.join(ROLES)} "
                f"(role must be one of {', '.join(ROLES)}, not {role!r})"
            )
        if not _NAME.match(name):
            raise WorkspaceError(
                "用户名为 1-100 个字符，不含空格、斜杠、引号或 <>& (invalid user name)"
            )
        if len(password) < 8:
            raise WorkspaceError("密码至少 8 个字符 (the password must have at least 8 characters)")
        with self.write() as conn:
            if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise WorkspaceError(f"用户 {name} 已存在 (user {name!r} already exists)")
            uid = conn.execute(
                users.insert().values(
                    name=name,
                    role=role,
                    password_hash=self.hasher.hash(password),
                    created_at=_now(),
                )
            ).inserted_primary_key
            assert uid is not None
        self.audit(by, "user_add", {"user": name, "role": role})
        return User(int(uid[0]), name, role)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.id)).mappings().all()
        return [User(r["id"], r["name"], r["role"]) for r in rows]

    def user_by_name(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(users).where(users.c.name == name)).mappings().first()
        return User(r["id"], r["name"], r["role"]) if r else None

    def check_password(self, name: str, password: str) -> User | None:
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(users).where(users.c.name == name)).mappings().first()
        if r is None:
            # spend the same time as a real check, so names cannot be probed by timing
            with suppress(VerificationError, InvalidHashError):
                self.hasher.verify(_DUMMY_HASH, password)
            return None
        try:
            self.hasher.verify(r["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        return User(r["id"], r["name"], r["role"])

    # --- sessions ------------------------------------------------------------------------------

    def new_session(self, user: User) -> tuple[str, str]:
        """A new session for ``user``: (cookie token, CSRF token). Only the token's hash is kept."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = _now()
        with self.write() as conn:
            conn.execute(sessions.delete().where(sessions.c.expires_at < now))
            conn.execute(
                sessions.insert().values(
                    token_hash=_digest(token),
                    user_id=user.id,
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + dt.timedelta(hours=SESSION_HOURS),
                )
            )
        return token, csrf

    def session(self, token: str) -> tuple[User, str] | None:
        """The user and CSRF token of a live session, or None."""
        query = (
            sa.select(
                users.c.id, users.c.name, users.c.role, sessions.c.csrf, sessions.c.expires_at
            )
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.token_hash == _digest(token))
        )
        with self.engine.connect() as conn:
            r = conn.execute(query).mappings().first()
        if r is None or _utc(r["expires_at"]) < _now():
            return None
        return User(r["id"], r["name"], r["role"]), r["csrf"]

    def end_session(self, token: str) -> None:
        with self.write() as conn:
            conn.execute(sessions.delete().where(sessions.c.token_hash == _digest(token)))

    # --- cases ---------------------------------------------------------------------------------

    def case_dir(self, case: CaseRow) -> Path:
        return self.root / "cases" / case.folder

    def create_case(self, name: str, user: User) -> CaseRow:
        name = name.strip()
        if not name or len(name) > 200:
            raise WorkspaceError("案件名称应为 1-200 个字符 (a case name has 1-200 characters)")
        folder = f"{_now():%Y%m%d}-{secrets.token_hex(4)}"
        path = self.root / "cases" / folder
        for sub in ("evidence", "work", "reports"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        now = _now()
        with self.write() as conn:
            cid = conn.execute(
                cases.insert().values(name=name, folder=folder, created_by=user.id, created_at=now)
            ).inserted_primary_key
            assert cid is not None
            conn.execute(members.insert().values(case_id=cid[0], user_id=user.id, added_at=now))
        return CaseRow(int(cid[0]), name, folder, now, user.id)

    def cases_of(
        self, user: User, *, offset: int = 0, limit: int = 50
    ) -> tuple[list[CaseRow], int]:
        mine = sa.select(members.c.case_id).where(members.c.user_id == user.id)
        query = sa.select(cases).where(cases.c.id.in_(mine))
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar()
            rows = conn.execute(
                query.order_by(cases.c.id.desc()).offset(offset).limit(limit)
            ).mappings()
            out = [_case(r) for r in rows]
        return out, int(total or 0)

    def case_for(self, case_id: int, user: User) -> CaseRow | None:
        """The case if ``user`` is a member of it, else None (the caller answers 404)."""
        query = (
            sa.select(cases)
            .join(members, members.c.case_id == cases.c.id)
            .where(cases.c.id == case_id, members.c.user_id == user.id)
        )
        with self.engine.connect() as conn:
            r = conn.execute(query).mappings().first()
        return _case(r) if r else None

    def case_by_id(self, case_id: int) -> CaseRow | None:
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(cases).where(cases.c.id == case_id)).mappings().first()
        return _case(r) if r else None

    def members(self, case_id: int) -> list[User]:
        query = (
            sa.select(users.c.id, users.c.name, users.c.role)
            .join(members, members.c.user_id == users.c.id)
            .where(members.c.case_id == case_id)
            .order_by(users.c.name)
        )
        with self.engine.connect() as conn:
            return [User(r.id, r.name, r.role) for r in conn.execute(query)]

    def add_member(self, case_id: int, user: User) -> None:
        with self.write() as conn:
            exists = conn.execute(
                sa.select(members.c.user_id).where(
                    members.c.case_id == case_id, members.c.user_id == user.id
                )
            ).first()
            if not exists:
                conn.execute(
                    members.insert().values(case_id=case_id, user_id=user.id, added_at=_now())
                )

    # --- evidence ------------------------------------------------------------------------------

    def record_evidence(
        self, case_id: int, entries: list[tuple[str, int, str]], user: User
    ) -> None:
        """Record (path, size, sha256) of files that arrived; a path uploaded again is replaced."""
        now = _now()
        with self.write() as conn:
            for path, size, sha in entries:
                conn.execute(
                    evidence.delete().where(evidence.c.case_id == case_id, evidence.c.path == path)
                )
                conn.execute(
                    evidence.insert().values(
                        case_id=case_id,
                        path=path,
                        size=size,
                        sha256=sha,
                        uploaded_by=user.id,
                        uploaded_at=now,
                    )
                )

    def evidence(
        self, case_id: int, *, offset: int = 0, limit: int = 50
    ) -> tuple[list[dict[str, Any]], int]:
        query = (
            sa.select(
                evidence.c.id,
                evidence.c.path,
                evidence.c.size,
                evidence.c.sha256,
                evidence.c.uploaded_at,
                users.c.name.label("uploaded_by"),
            )
            .join(users, users.c.id == evidence.c.uploaded_by)
            .where(evidence.c.case_id == case_id)
        )
        with self.engine.connect() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).where(evidence.c.case_id == case_id)
            ).scalar()
            rows = conn.execute(query.order_by(evidence.c.path).offset(offset).limit(limit))
            out = [
                {
                    "id": r.id,
                    "path": r.path,
                    "size": r.size,
                    "sha256": r.sha256,
                    "uploaded_at": _utc(r.uploaded_at).isoformat(timespec="seconds"),
                    "uploaded_by": r.uploaded_by,
                }
                for r in rows
            ]
        return out, int(total or 0)

    # --- jobs ----------------------------------------------------------------------------------

    def add_job(self, case_id: int, kind: str, params: dict[str, Any], user: User) -> int:
        with self.write() as conn:
            jid = conn.execute(
                jobs.insert().values(
                    case_id=case_id,
                    kind=kind,
                    status="queued",
                    params=params,
                    rows_done=0,
                    label="",
                    created_by=user.id,
                    created_at=_now(),
                )
            ).inserted_primary_key
        assert jid is not None
        return int(jid[0])

    def update_job(self, job_id: int, **values: Any) -> None:
        with self.write() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(**values))

    def job(self, job_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            r = conn.execute(_job_query().where(jobs.c.id == job_id)).mappings().first()
        return _job(r) if r else None

    def jobs(
        self, case_id: int, *, offset: int = 0, limit: int = 50
    ) -> tuple[list[dict[str, Any]], int]:
        with self.engine.connect() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).where(jobs.c.case_id == case_id)
            ).scalar()
            rows = conn.execute(
                _job_query()
                .where(jobs.c.case_id == case_id)
                .order_by(jobs.c.id.desc())
                .offset(offset)
                .limit(limit)
            ).mappings()
            return [_job(r) for r in rows], int(total or 0)

    def interrupt_unfinished(self) -> list[int]:
        """Mark jobs a stopped server left queued or running as interrupted; their ids."""
        with self.write() as conn:
            ids = [
                r.id
                for r in conn.execute(
                    sa.select(jobs.c.id).where(jobs.c.status.in_(("queued", "running")))
                )
            ]
            if ids:
                conn.execute(
                    jobs.update()
                    .where(jobs.c.id.in_(ids))
                    .values(status="interrupted", finished_at=_now(), error="服务器重启，任务中断")
                )
        return ids

    # --- audit log -----------------------------------------------------------------------------

    def audit(
        self, user_name: str, action: str, detail: dict[str, Any], case_id: int | None = None
    ) -> int:
        """Append one entry to the hash-chained log; its id."""
        at = _now().isoformat(timespec="microseconds")
        text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
        with self._audit_lock, self.write() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")
            last = conn.execute(
                sa.select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
            ).first()
            entry_id = (last.id + 1) if last else 1
            prev = last.hash if last else GENESIS
            digest = entry_hash(entry_id, at, user_name, action, case_id, text, prev)
            conn.execute(
                audit_log.insert().values(
                    id=entry_id,
                    at=at,
                    user_name=user_name,
                    action=action,
                    case_id=case_id,
                    detail=text,
                    prev_hash=prev,
                    hash=digest,
                )
            )
        # after the commit, so the head never names an entry the database does not hold yet
        with self._audit_lock:
            head = _read_head(self.root / AUDIT_HEAD)
            if head is None or head[0] < entry_id:
                _write_head(self.root / AUDIT_HEAD, entry_id, digest)
        return entry_id

    def audit_entries(
        self, *, case_id: int | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[list[dict[str, Any]], int]:
        query = sa.select(audit_log)
        count = sa.select(sa.func.count()).select_from(audit_log)
        if case_id is not None:
            query = query.where(audit_log.c.case_id == case_id)
            count = count.where(audit_log.c.case_id == case_id)
        with self.engine.connect() as conn:
            total = conn.execute(count).scalar()
            rows = conn.execute(
                query.order_by(audit_log.c.id.desc()).offset(offset).limit(limit)
            ).mappings()
            out = [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]
        return out, int(total or 0)

    def verify_audit(self) -> tuple[int, str | None]:
        """(entries checked, None) when the chain holds, else (entries checked, what is wrong).

        The head file is read first: entries appended while this runs are not taken for removed.
        """
        head = _read_head(self.root / AUDIT_HEAD)
        head_seen: str | None = None
        prev = GENESIS
        expected_id = 1
        n = 0
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).mappings()
            for r in rows:
                if r["id"] != expected_id:
                    return n, f"entry {expected_id} is missing (next entry is {r['id']})"
                if r["prev_hash"] != prev:
                    return n, f"entry {r['id']}: does not follow entry {r['id'] - 1}"
                digest = entry_hash(
                    r["id"],
                    r["at"],
                    r["user_name"],
                    r["action"],
                    r["case_id"],
                    r["detail"],
                    r["prev_hash"],
                )
                if digest != r["hash"]:
                    return n, f"entry {r['id']}: its content was changed"
                if head is not None and r["id"] == head[0]:
                    head_seen = r["hash"]
                prev = r["hash"]
                expected_id += 1
                n += 1
        if head is not None:
            head_id, head_hash = head
            if head_id >= expected_id:
                return n, f"entry {expected_id} is missing (the log ended at entry {head_id})"
            if head_seen != head_hash:
                return n, f"entry {head_id}: its content was changed"
        return n, None


def entry_hash(
    entry_id: int,
    at: str,
    user_name: str,
    action: str,
    case_id: int | None,
    detail: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the entry's fields and the previous entry's hash, as canonical JSON."""
    body = json.dumps(
        [entry_id, at, user_name, action, case_id, detail, prev_hash], ensure_ascii=False
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _write_head(path: Path, entry_id: int, digest: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps({"id": entry_id, "hash": digest}), encoding="utf-8")
    os.replace(tmp, path)


def _read_head(path: Path) -> tuple[int, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["id"]), str(data["hash"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _case(r: Any) -> CaseRow:
    return CaseRow(r["id"], r["name"], r["folder"], _utc(r["created_at"]), r["created_by"])


def _job_query() -> sa.Select[Any]:
    return sa.select(jobs, users.c.name.label("user_name")).join(
        users, users.c.id == jobs.c.created_by
    )


def _job(r: Any) -> dict[str, Any]:
    def iso(v: dt.datetime | None) -> str | None:
        return _utc(v).isoformat(timespec="seconds") if v is not None else None

    return {
        "id": r["id"],
        "case_id": r["case_id"],
        "kind": r["kind"],
        "status": r["status"],
        "params": r["params"],
        "rows_done": r["rows_done"],
        "label": r["label"],
        "error": r["error"],
        "created_by": r["user_name"],
        "created_at": iso(r["created_at"]),
        "started_at": iso(r["started_at"]),
        "finished_at": iso(r["finished_at"]),
    }


_DUMMY_HASH = PasswordHasher().hash("leaktrace-dummy-password")
