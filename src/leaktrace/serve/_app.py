"""The web application: server-rendered pages in Chinese and the same data as JSON under /api/.

Every route asks for a logged-in user; every case route asks that the user be a member of the
case and answers 404 otherwise, the same as for a case that does not exist. State-changing
requests need the session's CSRF token, and the reviewer role may only read.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from leaktrace import __version__
from leaktrace.count import read_transfers
from leaktrace.detect import CATALOGUE
from leaktrace.errors import LeakTraceError
from leaktrace.serve import _casefiles as cf
from leaktrace.serve._auth import (
    CSRF_HEADER,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    LoginLimiter,
    new_token,
    same,
)
from leaktrace.serve._jobs import KINDS, MASKED, STATUS_TEXT, Runner, read_json, result_path
from leaktrace.serve._search import FIELD_TEXT, IndexMissing, index_info, read_rows, search
from leaktrace.serve._store import ROLE_TEXT, ROLES, CaseRow, User, Workspace, WorkspaceError

TIER_TEXT = {
    "sensitive": "敏感信息（50条）",
    "important": "重要信息（500条）",
    "ordinary": "普通信息（5000条）",
}
TIERS = ("sensitive", "important", "ordinary")
LEVEL_TEXT = {
    "none": "未达情节严重标准",
    "serious": "情节严重",
    "especially_serious": "情节特别严重",
}
PARTY_ROLE_TEXT = {
    "outsider": "非法获取/出售者",
    "insider": "内部人员（履职或服务中获得）",
    "lawful_business_buyer": "为合法经营购买、收受者",
}
EXCLUDED_TEXT = {
    "duplicate": "重复",
    "invalid": "不真实",
    "masked": "已遮蔽",
    "unidentified": "不能识别特定自然人",
    "empty": "空行",
}
PAGE = 50
REPORTS = {
    "report.html": "text/html; charset=utf-8",
    "report.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "report.json": "application/json",
    "chain.html": "text/html; charset=utf-8",
}
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
FOREIGN_CSP = (
    "sandbox allow-scripts allow-popups; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'"
)
"""For HTML the library wrote (report, chain view): sandboxed, so it cannot read cookies."""

Off = Annotated[int, Query(ge=0, le=1_000_000_000)]
Lim = Annotated[int, Query(ge=1, le=500)]
CaseId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
JobId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


class Denied(Exception):
    """Not logged in (401 for the API; the login page for a browser)."""


class Refused(Exception):
    """A request the workspace refuses with a message for the person (400, 403, 404, 409...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- request models ------------------------------------------------------------------------------


class LoginIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class CaseIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class JobIn(BaseModel):
    kind: str = Field(min_length=1, max_length=20)
    evidence: str | None = Field(default=None, max_length=1000)
    registry: str | None = Field(default=None, max_length=1000)
    key_file: str | None = Field(default=None, max_length=1000)
    pseudonym: bool = False


class PartyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=40)
    obtained: list[str] = Field(default_factory=list, max_length=1000)
    facts: dict[str, Any] = Field(default_factory=dict)


class TransferIn(BaseModel):
    seller: str = Field(min_length=1, max_length=200)
    buyer: str = Field(min_length=1, max_length=200)
    evidence: list[str] = Field(min_length=1, max_length=1000)
    type: str = Field(default="sold", max_length=20)
    price_yuan: float | None = Field(default=None, ge=0, le=1e15)
    date: str | None = Field(default=None, max_length=20)
    channel: str | None = Field(default=None, max_length=200)


class CaseTextIn(BaseModel):
    text: str = Field(max_length=2_000_000)


class MemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: str = Field(min_length=1, max_length=20)
    password: str = Field(min_length=8, max_length=1000)


class UnmaskIn(BaseModel):
    q: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)
    offset: int = Field(default=0, ge=0, le=1_000_000_000)
    limit: int = Field(default=20, ge=1, le=50)


# --- the application -----------------------------------------------------------------------------


def create_app(ws: Workspace, *, workers: int = 2, max_upload: int = cf.UPLOAD_LIMIT) -> FastAPI:
    """The workspace application over an open workspace (jobs left running become interrupted)."""
    interrupted = ws.interrupt_unfinished()
    runner = Runner(ws, workers=workers)
    limiter = LoginLimiter()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        runner.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="LeakTrace 案件工作台",
        version=__version__,
        description="LeakTrace case workspace: every page's data as JSON. Log in with "
        "POST /api/login; send the returned csrf token as X-CSRF-Token on every POST/PUT.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.ws = ws
    app.state.runner = runner
    app.state.interrupted = interrupted
    templates = Jinja2Templates(directory=str(files("leaktrace.serve") / "templates"))
    templates.env.globals.update(
        KINDS=KINDS,
        STATUS_TEXT=STATUS_TEXT,
        TIER_TEXT=TIER_TEXT,
        TIERS=TIERS,
        LEVEL_TEXT=LEVEL_TEXT,
        PARTY_ROLE_TEXT=PARTY_ROLE_TEXT,
        ROLE_TEXT=ROLE_TEXT,
        EXCLUDED_TEXT=EXCLUDED_TEXT,
        FIELD_TEXT=FIELD_TEXT,
        version=__version__,
    )
    templates.env.filters["num"] = lambda v: (
        f"{v:,}" if isinstance(v, int | float) else (v if v is not None else "—")
    )
    templates.env.filters["url"] = lambda v: quote(str(v), safe="")
    app.mount(
        "/static", StaticFiles(directory=str(files("leaktrace.serve") / "static")), name="static"
    )

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    # --- who is asking -------------------------------------------------------------------------

    def session_of(request: Request) -> tuple[User, str] | None:
        token = request.cookies.get(SESSION_COOKIE)
        return ws.session(token) if token else None

    def user_of(request: Request) -> User:
        found = session_of(request)
        if found is None:
            raise Denied()
        request.state.csrf = found[1]
        return found[0]

    def writer(request: Request) -> User:
        user = user_of(request)
        check_csrf(request)
        if not user.can_write:
            raise Refused(403, "审阅人只能查看，不能修改 (reviewers may only read)")
        return user

    def check_csrf(request: Request, form_token: str | None = None) -> None:
        token = form_token if form_token is not None else request.headers.get(CSRF_HEADER)
        if not same(token, getattr(request.state, "csrf", None)):
            raise Refused(403, "CSRF 校验失败，请刷新页面后重试 (missing or wrong CSRF token)")

    def case_of(case_id: CaseId, user: User) -> tuple[CaseRow, Path]:
        case = ws.case_for(case_id, user)
        if case is None:
            raise Refused(404, "没有这个案件 (no such case)")
        return case, ws.case_dir(case)

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith("/api/")

    # --- errors --------------------------------------------------------------------------------

    def error_page(request: Request, status: int, message: str) -> Response:
        if not wants_html(request):
            return JSONResponse({"error": message}, status_code=status)
        user = session_of(request)
        return templates.TemplateResponse(
            request,
            "error.html",
            {
                "message": message,
                "status": status,
                "user": user[0] if user else None,
                "csrf": user[1] if user else "",
            },
            status_code=status,
        )

    @app.exception_handler(Denied)
    async def _denied(request: Request, exc: Denied) -> Response:
        if wants_html(request):
            return RedirectResponse("/", status_code=303)
        return JSONResponse({"error": "请先登录 (log in first)"}, status_code=401)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        return error_page(request, exc.status, exc.message)

    @app.exception_handler(LeakTraceError)
    async def _user_error(request: Request, exc: LeakTraceError) -> Response:
        return error_page(request, 400, _shown(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        text = {404: "页面不存在 (not found)", 405: "不允许的请求方法 (method not allowed)"}
        return error_page(request, exc.status_code, text.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_html(request):
            return error_page(request, 400, "表单内容不完整或有误 (invalid form)")
        return JSONResponse(
            {"error": "请求参数有误 (invalid request)", "detail": jsonable(exc.errors())},
            status_code=422,
        )

    # --- shared actions (pages and API call these) ---------------------------------------------

    def do_login(request: Request, name: str, password: str) -> tuple[User, str, str]:
        client = request.client.host if request.client else "?"
        wait = limiter.blocked_for(name, client)
        if wait > 0:
            raise Refused(
                429,
                f"登录失败次数过多，请 {math.ceil(wait / 60)} 分钟后再试 (too many failed logins)",
            )
        user = ws.check_password(name, password)
        if user is None:
            limiter.failed(name, client)
            ws.audit(name[:100], "login_failed", {"client": client})
            raise Refused(401, "用户名或密码错误 (wrong name or password)")
        limiter.succeeded(name)
        token, csrf = ws.new_session(user)
        ws.audit(user.name, "login", {"client": client})
        return user, token, csrf

    def set_session(response: Response, request: Request, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=12 * 3600,
            path="/",
        )

    def case_summary(case: CaseRow, case_dir: Path) -> dict[str, Any]:
        raw, problem = _case_raw(case_dir)
        return {
            "id": case.id,
            "name": case.name,
            "folder": case.folder,
            "created_at": case.created_at.isoformat(timespec="seconds"),
            "members": [{"name": u.name, "role": u.role} for u in ws.members(case.id)],
            "parties": raw.get("parties", []),
            "transfers": raw.get("transfers", []),
            "traces": raw.get("traces", []),
            "case_file_problem": problem,
            "results": {
                k: result_path(case_dir, k).exists()
                for k in ("scan", "count", "assess", "chain", "match", "trace")
            },
            "index": index_info(case_dir),
            "reports": [n for n in REPORTS if (case_dir / "reports" / n).exists()],
        }

    def files_in(case_dir: Path) -> list[str]:
        out: list[str] = []
        for top in cf.TARGETS:
            base = case_dir / top
            if base.exists():
                out += sorted(
                    p.relative_to(case_dir).as_posix()
                    for p in base.rglob("*")
                    if p.is_file() and not p.name.startswith(".")
                )
        return out[:5000]

    async def do_upload(
        request: Request,
        user: User,
        case: CaseRow,
        case_dir: Path,
        name: str,
        target: str,
        unpack: bool,
    ) -> dict[str, Any]:
        if target not in cf.TARGETS:
            raise Refused(
                400, f"上传位置只能是 {'、'.join(cf.TARGETS)} (target must be evidence or sources)"
            )
        name = cf.safe_name(name)
        length = request.headers.get("content-length")
        expected = int(length) if length and length.isdigit() else None
        if expected is not None and expected > max_upload:
            raise Refused(413, f"文件超过上传上限 {max_upload:,} 字节 (upload over the limit)")
        staging = case_dir / "work" / f".upload-{secrets.token_hex(6)}"
        staging.mkdir(parents=True)
        try:
            received = staging / name
            try:
                size, sha = await cf.receive(
                    request.stream(), received, limit=max_upload, expected=expected
                )
            except ClientDisconnect:
                raise Refused(
                    400, "上传中断，未保存任何内容 (upload interrupted; nothing kept)"
                ) from None
            entries: list[tuple[str, int, str]] = []
            imported = False
            if unpack and name.lower().endswith(".zip"):
                out = staging / "unpacked"
                members = await asyncio.to_thread(cf.unpack_zip, received, out)
                root = cf.case_root_in(out, members)
                with cf.case_lock(case_dir):
                    if root is not None:
                        moved = await asyncio.to_thread(
                            cf.import_case, out, members, root, case_dir
                        )
                        imported = True
                    else:
                        folder = PurePosixPath(Path(name).stem)
                        cf.safe_name(folder.name)
                        moved = cf.place(out, members, case_dir / target / folder)
                for path in moved:
                    size_m, sha_m = await asyncio.to_thread(cf.hash_file, path)
                    entries.append((path.relative_to(case_dir).as_posix(), size_m, sha_m))
            else:
                with cf.case_lock(case_dir):
                    moved = cf.place(staging, [PurePosixPath(name)], case_dir / target)
                entries.append((moved[0].relative_to(case_dir).as_posix(), size, sha))
        finally:
            cf.remove_tree(staging)
        ws.record_evidence(case.id, entries, user)
        ws.audit(
            user.name,
            "upload",
            {
                "name": name,
                "size": size,
                "sha256": sha,
                "files": [{"path": p, "sha256": s} for p, _, s in entries],
                "case_import": imported,
            },
            case.id,
        )
        return {
            "name": name,
            "size": size,
            "sha256": sha,
            "files": [{"path": p, "size": n, "sha256": s} for p, n, s in entries],
            "case_import": imported,
        }

    def edit_case(
        user: User,
        case: CaseRow,
        case_dir: Path,
        change: Callable[[dict[str, Any]], None],
        what: str,
    ) -> None:
        with cf.case_lock(case_dir):
            raw = cf.case_raw(case_dir)
            raw.setdefault("name", case.name)
            change(raw)
            cf.write_case_raw(case_dir, raw)
        ws.audit(user.name, "case_edit", {"what": what}, case.id)

    def add_party(user: User, case: CaseRow, case_dir: Path, party: PartyIn) -> None:
        def change(raw: dict[str, Any]) -> None:
            raw.setdefault("parties", []).append(
                {
                    "name": party.name.strip(),
                    "role": party.role,
                    "obtained": party.obtained,
                    "facts": party.facts,
                }
            )

        edit_case(user, case, case_dir, change, f"party {party.name}")

    def add_transfer(user: User, case: CaseRow, case_dir: Path, t: TransferIn) -> None:
        entry: dict[str, Any] = {
            "seller": t.seller.strip(),
            "buyer": t.buyer.strip(),
            "evidence": t.evidence,
            "type": t.type,
        }
        if t.price_yuan is not None:
            entry["price_yuan"] = (
                int(t.price_yuan) if float(t.price_yuan).is_integer() else t.price_yuan
            )
        if t.date:
            try:
                entry["date"] = tomllib.loads(f"d = {t.date}")["d"]
            except tomllib.TOMLDecodeError:
                raise Refused(
                    400, f"日期格式应为 2026-03-01 (date must be YYYY-MM-DD): {t.date}"
                ) from None
        if t.channel:
            entry["channel"] = t.channel

        def change(raw: dict[str, Any]) -> None:
            if not raw.get("parties"):
                raise Refused(400, "请先添加当事人 (add the parties first)")
            raw.setdefault("transfers", []).append(entry)

        edit_case(user, case, case_dir, change, f"transfer {t.seller} -> {t.buyer}")

    async def import_transfers(
        request: Request, user: User, case: CaseRow, case_dir: Path, name: str
    ) -> int:
        name = cf.safe_name(name)
        if not name.lower().endswith((".csv", ".xlsx", ".xls", ".tsv", ".txt")):
            raise Refused(400, "交易表应为 CSV 或 XLSX 文件 (a transfers table is CSV or XLSX)")
        staging = case_dir / "work" / f".upload-{secrets.token_hex(6)}"
        staging.mkdir(parents=True)
        try:
            table = staging / name
            await cf.receive(request.stream(), table, limit=50 * (1 << 20))
            rows = await asyncio.to_thread(read_transfers, table)
        finally:
            cf.remove_tree(staging)

        def change(raw: dict[str, Any]) -> None:
            if not raw.get("parties"):
                raise Refused(400, "请先添加当事人 (add the parties first)")
            for t, _ in rows:
                raw.setdefault("transfers", []).append(
                    t.model_dump(mode="python", exclude_none=True)
                )

        edit_case(user, case, case_dir, change, f"transfers table {name} ({len(rows)} rows)")
        return len(rows)

    def start_job(user: User, case: CaseRow, case_dir: Path, job: JobIn) -> int:
        if job.kind not in KINDS:
            raise Refused(400, f"没有这种任务 (unknown job kind): {job.kind}")
        params: dict[str, Any] = {}
        if job.kind == "trace":
            params = {
                "evidence": job.evidence or "",
                "registry": job.registry or "",
                "key_file": job.key_file or None,
            }
        elif job.kind == "mask":
            params = {"pseudonym": job.pseudonym}
        return runner.start(case.id, case_dir, job.kind, params, user)

    def page_of(total: int, offset: int, limit: int) -> dict[str, Any]:
        return {
            "total": total,
            "offset": offset,
            "limit": limit,
            "prev": max(offset - limit, 0) if offset else None,
            "next": offset + limit if offset + limit < total else None,
        }

    def scan_view(case_dir: Path, offset: int, limit: int) -> dict[str, Any] | None:
        data = read_json(result_path(case_dir, "scan"))
        if data is None:
            return None
        files_ = data["files"]
        return {
            "job": data.get("job"),
            "files": files_[offset : offset + limit],
            "errors": data["errors"],
            "page": page_of(len(files_), offset, limit),
        }

    def counts_view(case_dir: Path, offset: int, limit: int) -> dict[str, Any] | None:
        data = read_json(result_path(case_dir, "count"))
        if data is None:
            return None
        files_ = data.get("files", [])
        return {
            **data,
            "files": files_[offset : offset + limit],
            "page": page_of(len(files_), offset, limit),
        }

    def findings_view(case_dir: Path) -> dict[str, Any] | None:
        return read_json(result_path(case_dir, "assess"))

    def search_view(case_dir: Path, q: str, offset: int, limit: int) -> dict[str, Any]:
        try:
            result = search(case_dir, q, offset=offset, limit=limit)
            result["indexed"] = True
        except IndexMissing:
            result = {
                "query": [],
                "hits": [],
                "total": 0,
                "offset": offset,
                "limit": limit,
                "indexed": False,
            }
        result["page"] = page_of(result["total"], offset, limit)
        return result

    def unmask(user: User, case: CaseRow, case_dir: Path, body: UnmaskIn) -> dict[str, Any]:
        reason = body.reason.strip()
        if len(reason) < 4:
            raise Refused(
                400, "请填写查看原值的理由（至少 4 个字）(give a reason of at least 4 characters)"
            )
        result = search_view(case_dir, body.q, body.offset, body.limit)
        ws.audit(
            user.name,
            "unmask",
            {
                "reason": reason,
                "query": [q["label"] for q in result["query"]],
                "rows": [[h["path"], h["sheet"], h["row"]] for h in result["hits"]],
            },
            case.id,
        )
        result["hits"] = read_rows(case_dir, result["hits"])
        result["reason"] = reason
        return result

    def report_file(
        user: User, case: CaseRow, case_dir: Path, name: str, download: bool
    ) -> Response:
        if name not in REPORTS:
            raise Refused(404, "没有这个报告文件 (no such report file)")
        path = case_dir / "reports" / name
        if not path.exists():
            raise Refused(404, "报告尚未生成，请先运行“生成报告” (no report yet)")
        ws.audit(user.name, "export", {"file": name, "download": download}, case.id)
        response = FileResponse(path, media_type=REPORTS[name])
        disposition = "attachment" if download or name.endswith(".xlsx") else "inline"
        response.headers["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{quote(case.name + '-' + name)}"
        )
        if name.endswith(".html"):
            response.headers["Content-Security-Policy"] = FOREIGN_CSP
        return response

    def mask_view(case_dir: Path) -> dict[str, Any] | None:
        data = read_json(result_path(case_dir, "mask"))
        if data is None:
            return None
        for f in [*data["files"], data]:
            f["types"] = [
                {"type": t, "label": type_label(t), "count": n}
                for t, n in sorted(f["masked"].items(), key=lambda kv: -kv[1])
            ]
        return data

    def type_label(type_id: str) -> str:
        unit = CATALOGUE.get(type_id)
        return FIELD_TEXT.get(type_id) or (unit.label if unit else type_id)

    def masked_file(user: User, case: CaseRow, case_dir: Path, name: str) -> Response:
        data = read_json(result_path(case_dir, "mask"))
        outs = {f["out"] for f in data["files"]} if data else set()
        path = (case_dir / name).resolve()
        if (
            name not in outs
            or not path.is_relative_to((case_dir / MASKED).resolve())
            or not path.is_file()
        ):
            raise Refused(404, "没有这个脱敏副本，请先运行“脱敏副本” (no such masked copy)")
        ws.audit(user.name, "export", {"file": name, "download": True}, case.id)
        response = FileResponse(path, media_type="application/octet-stream")
        response.headers["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(case.name + '-' + path.name)}"
        )
        return response

    def masked_zip(user: User, case: CaseRow, case_dir: Path) -> Response:
        """Every masked copy of the last mask job in one zip, streamed while it is made."""
        with cf.case_lock(case_dir):  # the mask job swaps masked/ under this lock
            data = read_json(result_path(case_dir, "mask"))
            outs = sorted(f["out"] for f in data["files"]) if data else []
            present = [o for o in outs if (case_dir / o).is_file()]
            if not present:
                raise Refused(404, "还没有脱敏副本，请先运行“脱敏副本” (no masked copies yet)")
            snap = cf.snapshot(case_dir, present)
        ws.audit(
            user.name,
            "export",
            {
                "file": "masked.zip",
                "download": True,
                "job": data.get("job") if data else None,
                "files": present,
            },
            case.id,
        )
        names = [PurePosixPath(o).relative_to(MASKED).as_posix() for o in present]
        response = StreamingResponse(
            cf.zip_stream(snap / MASKED, names, remove_also=snap), media_type="application/zip"
        )
        response.headers["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(case.name + '-脱敏副本.zip')}"
        )
        return response

    # --- pages ---------------------------------------------------------------------------------

    def render(request: Request, name: str, user: User | None, **ctx: Any) -> Response:
        return templates.TemplateResponse(
            request, name, {"user": user, "csrf": getattr(request.state, "csrf", ""), **ctx}
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> Response:
        if session_of(request) is not None:
            return RedirectResponse("/cases", status_code=303)
        token = new_token()
        response = templates.TemplateResponse(
            request, "login.html", {"user": None, "login_token": token}
        )
        response.set_cookie(
            LOGIN_COOKIE, token, httponly=True, samesite="strict", max_age=3600, path="/"
        )
        return response

    @app.post("/login", include_in_schema=False)
    def login_form(
        request: Request,
        name: Annotated[str, Form(max_length=100)],
        password: Annotated[str, Form(max_length=1000)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        if not same(csrf, request.cookies.get(LOGIN_COOKIE)):
            raise Refused(403, "登录页面已过期，请刷新后重试 (login form expired; reload)")
        _user, token, _csrf = do_login(request, name, password)
        response = RedirectResponse("/cases", status_code=303)
        set_session(response, request, token)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    @app.post("/logout", include_in_schema=False)
    def logout_form(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        user = user_of(request)
        check_csrf(request, csrf)
        ws.end_session(request.cookies.get(SESSION_COOKIE, ""))
        ws.audit(user.name, "logout", {})
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/cases", response_class=HTMLResponse, include_in_schema=False)
    def cases_page(request: Request, offset: Off = 0) -> Response:
        user = user_of(request)
        rows, total = ws.cases_of(user, offset=offset, limit=PAGE)
        return render(request, "cases.html", user, cases=rows, page=page_of(total, offset, PAGE))

    @app.post("/cases", include_in_schema=False)
    def create_case_form(
        request: Request,
        name: Annotated[str, Form(max_length=200)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        user = user_of(request)
        check_csrf(request, csrf)
        if not user.can_write:
            raise Refused(403, "审阅人只能查看，不能新建案件 (reviewers may only read)")
        case = ws.create_case(name, user)
        ws.audit(user.name, "case_create", {"name": case.name, "folder": case.folder}, case.id)
        return RedirectResponse(f"/cases/{case.id}", status_code=303)

    @app.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    def case_page(request: Request, case_id: CaseId, offset: Off = 0) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        ev, total = ws.evidence(case.id, offset=offset, limit=PAGE)
        job_rows, _ = ws.jobs(case.id, limit=20)
        return render(
            request,
            "case.html",
            user,
            case=case,
            summary=case_summary(case, case_dir),
            evidence=ev,
            page=page_of(total, offset, PAGE),
            jobs=job_rows,
            files=files_in(case_dir),
            case_text=cf.case_text(case_dir),
            users=[u for u in ws.users() if u.name not in {m.name for m in ws.members(case.id)}]
            if user.can_write
            else [],
        )

    def form_user(request: Request, csrf: str) -> User:
        user = user_of(request)
        check_csrf(request, csrf)
        if not user.can_write:
            raise Refused(403, "审阅人只能查看，不能修改 (reviewers may only read)")
        return user

    @app.post("/cases/{case_id}/jobs", include_in_schema=False)
    def job_form(
        request: Request,
        case_id: CaseId,
        kind: Annotated[str, Form(max_length=20)],
        csrf: Annotated[str, Form(max_length=200)] = "",
        evidence: Annotated[str, Form(max_length=1000)] = "",
        registry: Annotated[str, Form(max_length=1000)] = "",
        key_file: Annotated[str, Form(max_length=1000)] = "",
        pseudonym: Annotated[bool, Form()] = False,
    ) -> Response:
        user = form_user(request, csrf)
        case, case_dir = case_of(case_id, user)
        start_job(
            user,
            case,
            case_dir,
            JobIn(
                kind=kind,
                evidence=evidence,
                registry=registry,
                key_file=key_file or None,
                pseudonym=pseudonym,
            ),
        )
        back = f"/cases/{case.id}/trace" if kind == "trace" else f"/cases/{case.id}#jobs"
        return RedirectResponse(back, status_code=303)

    @app.post("/cases/{case_id}/parties", include_in_schema=False)
    def party_form(
        request: Request,
        case_id: CaseId,
        name: Annotated[str, Form(max_length=200)],
        role: Annotated[str, Form(max_length=40)],
        csrf: Annotated[str, Form(max_length=200)] = "",
        obtained: Annotated[list[str] | None, Form()] = None,
        facts: Annotated[str, Form(max_length=20000)] = "",
    ) -> Response:
        user = form_user(request, csrf)
        case, case_dir = case_of(case_id, user)
        try:
            parsed = tomllib.loads(facts) if facts.strip() else {}
        except tomllib.TOMLDecodeError as exc:
            raise Refused(
                400, f"事实一栏应为 TOML 键值，如 illegal_gains_yuan = 18000 (facts: {exc})"
            ) from None
        add_party(
            user,
            case,
            case_dir,
            PartyIn(name=name, role=role, obtained=obtained or [], facts=parsed),
        )
        return RedirectResponse(f"/cases/{case.id}#parties", status_code=303)

    @app.post("/cases/{case_id}/transfers", include_in_schema=False)
    def transfer_form(
        request: Request,
        case_id: CaseId,
        seller: Annotated[str, Form(max_length=200)],
        buyer: Annotated[str, Form(max_length=200)],
        csrf: Annotated[str, Form(max_length=200)] = "",
        evidence: Annotated[list[str] | None, Form()] = None,
        type: Annotated[str, Form(max_length=20)] = "sold",
        price_yuan: Annotated[str, Form(max_length=30)] = "",
        date: Annotated[str, Form(max_length=20)] = "",
        channel: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        user = form_user(request, csrf)
        case, case_dir = case_of(case_id, user)
        try:
            price = float(price_yuan) if price_yuan.strip() else None
        except ValueError:
            raise Refused(400, f"价格应为数字 (price must be a number): {price_yuan}") from None
        if not evidence:
            raise Refused(400, "请选择交易涉及的证据文件 (choose the evidence files)")
        add_transfer(
            user,
            case,
            case_dir,
            TransferIn(
                seller=seller,
                buyer=buyer,
                evidence=evidence,
                type=type,
                price_yuan=price,
                date=date or None,
                channel=channel or None,
            ),
        )
        return RedirectResponse(f"/cases/{case.id}#parties", status_code=303)

    @app.post("/cases/{case_id}/casefile", include_in_schema=False)
    def casefile_form(
        request: Request,
        case_id: CaseId,
        text: Annotated[str, Form(max_length=2_000_000)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        user = form_user(request, csrf)
        case, case_dir = case_of(case_id, user)
        with cf.case_lock(case_dir):
            cf.replace_case_text(case_dir, text)
        ws.audit(user.name, "case_edit", {"what": "case.toml text"}, case.id)
        return RedirectResponse(f"/cases/{case.id}#parties", status_code=303)

    @app.post("/cases/{case_id}/members", include_in_schema=False)
    def member_form(
        request: Request,
        case_id: CaseId,
        name: Annotated[str, Form(max_length=100)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        user = form_user(request, csrf)
        case, _ = case_of(case_id, user)
        add_member(user, case, name)
        return RedirectResponse(f"/cases/{case.id}#members", status_code=303)

    def add_member(user: User, case: CaseRow, name: str) -> None:
        other = ws.user_by_name(name)
        if other is None:
            raise Refused(400, f"没有这个用户 (no such user): {name}")
        ws.add_member(case.id, other)
        ws.audit(user.name, "member_add", {"member": other.name}, case.id)

    @app.get("/cases/{case_id}/scan", response_class=HTMLResponse, include_in_schema=False)
    def scan_page(request: Request, case_id: CaseId, offset: Off = 0) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return render(request, "scan.html", user, case=case, data=scan_view(case_dir, offset, 20))

    @app.get("/cases/{case_id}/counts", response_class=HTMLResponse, include_in_schema=False)
    def counts_page(request: Request, case_id: CaseId, offset: Off = 0) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return render(
            request, "counts.html", user, case=case, data=counts_view(case_dir, offset, PAGE)
        )

    @app.get("/cases/{case_id}/findings", response_class=HTMLResponse, include_in_schema=False)
    def findings_page(request: Request, case_id: CaseId) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return render(request, "findings.html", user, case=case, data=findings_view(case_dir))

    @app.get(
        "/cases/{case_id}/findings/{index}", response_class=HTMLResponse, include_in_schema=False
    )
    def party_page(
        request: Request, case_id: CaseId, index: Annotated[int, PathParam(ge=0, le=100_000)]
    ) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        data = findings_view(case_dir)
        if data is None or not 0 <= index < len(data["parties"]):
            raise Refused(404, "没有这个当事人的认定 (no finding for this party)")
        return render(
            request, "party.html", user, case=case, party=data["parties"][index], data=data
        )

    @app.get("/cases/{case_id}/chain", response_class=HTMLResponse, include_in_schema=False)
    def chain_page(request: Request, case_id: CaseId) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return render(
            request,
            "chain.html",
            user,
            case=case,
            data=read_json(result_path(case_dir, "chain")),
            match=read_json(result_path(case_dir, "match")),
        )

    @app.get("/cases/{case_id}/chain/view", include_in_schema=False)
    def chain_view(request: Request, case_id: CaseId) -> Response:
        user = user_of(request)
        _case, case_dir = case_of(case_id, user)
        path = case_dir / "work" / "chain" / "chain.html"
        if not path.exists():
            raise Refused(404, "尚未运行交易链任务 (run the chain job first)")
        response = FileResponse(path, media_type="text/html; charset=utf-8")
        response.headers["Content-Security-Policy"] = FOREIGN_CSP
        return response

    @app.get("/cases/{case_id}/trace", response_class=HTMLResponse, include_in_schema=False)
    def trace_page(request: Request, case_id: CaseId) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        raw, _ = _case_raw(case_dir)
        registries = sorted(
            {
                (t.get("registry"), t.get("key_file"))
                for t in raw.get("traces", [])
                if isinstance(t, dict) and t.get("registry")
            },
            key=str,
        )
        job_rows, _ = ws.jobs(case.id, limit=20)
        return render(
            request,
            "trace.html",
            user,
            case=case,
            data=read_json(result_path(case_dir, "trace")),
            files=files_in(case_dir),
            registries=registries,
            jobs=[j for j in job_rows if j["kind"] == "trace"],
        )

    @app.get("/cases/{case_id}/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        request: Request,
        case_id: CaseId,
        q: Annotated[str, Query(max_length=200)] = "",
        offset: Off = 0,
    ) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        data = search_view(case_dir, q, offset, PAGE) if q.strip() else None
        return render(
            request, "search.html", user, case=case, q=q, data=data, index=index_info(case_dir)
        )

    @app.post("/cases/{case_id}/unmask", response_class=HTMLResponse, include_in_schema=False)
    def unmask_form(
        request: Request,
        case_id: CaseId,
        q: Annotated[str, Form(max_length=200)],
        reason: Annotated[str, Form(max_length=2000)] = "",
        offset: Annotated[int, Form(ge=0, le=1_000_000_000)] = 0,
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        user = form_user(request, csrf)
        case, case_dir = case_of(case_id, user)
        data = unmask(
            user,
            case,
            case_dir,
            UnmaskIn(q=q, reason=reason or "-", offset=offset, limit=20)
            if reason
            else _no_reason(),
        )
        return render(request, "unmask.html", user, case=case, q=q, data=data)

    @app.get("/cases/{case_id}/reports", response_class=HTMLResponse, include_in_schema=False)
    def reports_page(request: Request, case_id: CaseId) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        present = [
            (n, (case_dir / "reports" / n).stat().st_size)
            for n in REPORTS
            if (case_dir / "reports" / n).exists()
        ]
        return render(request, "reports.html", user, case=case, reports=present)

    @app.get("/cases/{case_id}/reports/{name}", include_in_schema=False)
    def report_page(
        request: Request, case_id: CaseId, name: str, download: bool = False
    ) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return report_file(user, case, case_dir, name, download)

    @app.get("/cases/{case_id}/masked", response_class=HTMLResponse, include_in_schema=False)
    def masked_page(request: Request, case_id: CaseId) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return render(request, "masked.html", user, case=case, data=mask_view(case_dir))

    @app.get("/cases/{case_id}/masked.zip", include_in_schema=False)
    def masked_zip_download(request: Request, case_id: CaseId) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return masked_zip(user, case, case_dir)

    @app.get("/cases/{case_id}/masked/{name:path}", include_in_schema=False)
    def masked_download(request: Request, case_id: CaseId, name: str) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return masked_file(user, case, case_dir, MASKED + "/" + name)

    @app.get("/cases/{case_id}/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit_page(request: Request, case_id: CaseId, offset: Off = 0) -> Response:
        user = user_of(request)
        case, _ = case_of(case_id, user)
        entries, total = ws.audit_entries(case_id=case.id, offset=offset, limit=PAGE)
        return render(
            request,
            "audit.html",
            user,
            case=case,
            entries=entries,
            page=page_of(total, offset, PAGE),
        )

    @app.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
    def users_page(request: Request) -> Response:
        user = user_of(request)
        if user.role != "admin":
            raise Refused(403, "只有管理员可以管理用户 (admins only)")
        return render(request, "users.html", user, users=ws.users(), roles=ROLES)

    @app.post("/admin/users", include_in_schema=False)
    def users_form(
        request: Request,
        name: Annotated[str, Form(max_length=100)],
        role: Annotated[str, Form(max_length=20)],
        password: Annotated[str, Form(max_length=1000)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        user = user_of(request)
        check_csrf(request, csrf)
        if user.role != "admin":
            raise Refused(403, "只有管理员可以管理用户 (admins only)")
        ws.add_user(name, role, password, by=user.name)
        return RedirectResponse("/admin/users", status_code=303)

    # --- the API -------------------------------------------------------------------------------

    api = APIRouter(prefix="/api")

    @api.post("/login")
    def api_login(request: Request, body: LoginIn) -> JSONResponse:
        """Log in: sets the session cookie; returns the CSRF token for X-CSRF-Token."""
        user, token, csrf = do_login(request, body.name, body.password)
        response = JSONResponse({"user": {"name": user.name, "role": user.role}, "csrf": csrf})
        set_session(response, request, token)
        return response

    @api.post("/logout")
    def api_logout(request: Request) -> dict[str, Any]:
        user = user_of(request)
        check_csrf(request)
        ws.end_session(request.cookies.get(SESSION_COOKIE, ""))
        ws.audit(user.name, "logout", {})
        return {"ok": True}

    @api.get("/me")
    def api_me(request: Request) -> dict[str, Any]:
        user = user_of(request)
        return {"name": user.name, "role": user.role, "csrf": request.state.csrf}

    @api.get("/cases")
    def api_cases(request: Request, offset: Off = 0, limit: Lim = PAGE) -> dict[str, Any]:
        user = user_of(request)
        rows, total = ws.cases_of(user, offset=offset, limit=limit)
        return {
            "cases": [
                {
                    "id": c.id,
                    "name": c.name,
                    "created_at": c.created_at.isoformat(timespec="seconds"),
                }
                for c in rows
            ],
            "page": page_of(total, offset, limit),
        }

    @api.post("/cases", status_code=201)
    def api_create_case(request: Request, body: CaseIn) -> dict[str, Any]:
        user = writer(request)
        case = ws.create_case(body.name, user)
        ws.audit(user.name, "case_create", {"name": case.name, "folder": case.folder}, case.id)
        return {"id": case.id, "name": case.name}

    @api.get("/cases/{case_id}")
    def api_case(request: Request, case_id: CaseId) -> dict[str, Any]:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return case_summary(case, case_dir)

    @api.get("/cases/{case_id}/evidence")
    def api_evidence(
        request: Request, case_id: CaseId, offset: Off = 0, limit: Lim = PAGE
    ) -> dict[str, Any]:
        user = user_of(request)
        case, _ = case_of(case_id, user)
        rows, total = ws.evidence(case.id, offset=offset, limit=limit)
        return {"evidence": rows, "page": page_of(total, offset, limit)}

    @api.post(
        "/cases/{case_id}/evidence",
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        },
    )
    async def api_upload(
        request: Request,
        case_id: CaseId,
        name: Annotated[str, Query(min_length=1, max_length=255)],
        target: Annotated[str, Query(max_length=20)] = "evidence",
        unpack: bool = False,
    ) -> dict[str, Any]:
        """Upload one file as the raw request body, streamed to disk (SHA-256 on arrival).
        ``unpack=true`` unpacks a zip (a zipped case folder with case.toml is imported)."""
        user = writer(request)
        case, case_dir = case_of(case_id, user)
        return await do_upload(request, user, case, case_dir, name, target, unpack)

    @api.get("/cases/{case_id}/case")
    def api_case_file(request: Request, case_id: CaseId) -> dict[str, Any]:
        user = user_of(request)
        _case, case_dir = case_of(case_id, user)
        raw, problem = _case_raw(case_dir)
        return {"text": cf.case_text(case_dir), "case": jsonable(raw), "problem": problem}

    @api.put("/cases/{case_id}/case")
    def api_put_case_file(request: Request, case_id: CaseId, body: CaseTextIn) -> dict[str, Any]:
        user = writer(request)
        case, case_dir = case_of(case_id, user)
        with cf.case_lock(case_dir):
            cf.replace_case_text(case_dir, body.text)
        ws.audit(user.name, "case_edit", {"what": "case.toml text"}, case.id)
        return {"ok": True}

    @api.post("/cases/{case_id}/parties", status_code=201)
    def api_party(request: Request, case_id: CaseId, body: PartyIn) -> dict[str, Any]:
        user = writer(request)
        case, case_dir = case_of(case_id, user)
        add_party(user, case, case_dir, body)
        return {"ok": True}

    @api.post("/cases/{case_id}/transfers", status_code=201)
    def api_transfer(request: Request, case_id: CaseId, body: TransferIn) -> dict[str, Any]:
        user = writer(request)
        case, case_dir = case_of(case_id, user)
        add_transfer(user, case, case_dir, body)
        return {"ok": True}

    @api.post(
        "/cases/{case_id}/transfers/import",
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        },
    )
    async def api_import_transfers(
        request: Request, case_id: CaseId, name: Annotated[str, Query(min_length=1, max_length=255)]
    ) -> dict[str, Any]:
        """Append the transfers of a CSV/XLSX table (raw request body) to case.toml."""
        user = writer(request)
        case, case_dir = case_of(case_id, user)
        return {"imported": await import_transfers(request, user, case, case_dir, name)}

    @api.post("/cases/{case_id}/members", status_code=201)
    def api_member(request: Request, case_id: CaseId, body: MemberIn) -> dict[str, Any]:
        user = writer(request)
        case, _ = case_of(case_id, user)
        add_member(user, case, body.name)
        return {"ok": True}

    @api.get("/cases/{case_id}/jobs")
    def api_jobs(
        request: Request, case_id: CaseId, offset: Off = 0, limit: Lim = PAGE
    ) -> dict[str, Any]:
        user = user_of(request)
        case, _ = case_of(case_id, user)
        rows, total = ws.jobs(case.id, offset=offset, limit=limit)
        for r in rows:
            r["kind_text"] = KINDS.get(r["kind"], r["kind"])
            r["status_text"] = STATUS_TEXT.get(r["status"], r["status"])
        return {"jobs": rows, "page": page_of(total, offset, limit)}

    @api.post("/cases/{case_id}/jobs", status_code=202)
    def api_start_job(request: Request, case_id: CaseId, body: JobIn) -> dict[str, Any]:
        user = writer(request)
        case, case_dir = case_of(case_id, user)
        return {"job": start_job(user, case, case_dir, body)}

    @api.get("/jobs/{job_id}")
    def api_job(request: Request, job_id: JobId) -> dict[str, Any]:
        user = user_of(request)
        job = ws.job(job_id)
        if job is None or ws.case_for(job["case_id"], user) is None:
            raise Refused(404, "没有这个任务 (no such job)")
        return job

    @api.get("/cases/{case_id}/scan")
    def api_scan(
        request: Request, case_id: CaseId, offset: Off = 0, limit: Lim = 20
    ) -> dict[str, Any]:
        user = user_of(request)
        _, case_dir = case_of(case_id, user)
        return {"scan": scan_view(case_dir, offset, limit)}

    @api.get("/cases/{case_id}/counts")
    def api_counts(
        request: Request, case_id: CaseId, offset: Off = 0, limit: Lim = PAGE
    ) -> dict[str, Any]:
        user = user_of(request)
        _, case_dir = case_of(case_id, user)
        return {"count": counts_view(case_dir, offset, limit)}

    @api.get("/cases/{case_id}/findings")
    def api_findings(request: Request, case_id: CaseId) -> dict[str, Any]:
        user = user_of(request)
        _, case_dir = case_of(case_id, user)
        return {"assess": findings_view(case_dir)}

    @api.get("/cases/{case_id}/chain")
    def api_chain(request: Request, case_id: CaseId) -> dict[str, Any]:
        user = user_of(request)
        _, case_dir = case_of(case_id, user)
        return {
            "chain": read_json(result_path(case_dir, "chain")),
            "match": read_json(result_path(case_dir, "match")),
        }

    @api.get("/cases/{case_id}/trace")
    def api_trace(request: Request, case_id: CaseId) -> dict[str, Any]:
        user = user_of(request)
        _, case_dir = case_of(case_id, user)
        return {"trace": read_json(result_path(case_dir, "trace"))}

    @api.get("/cases/{case_id}/search")
    def api_search(
        request: Request,
        case_id: CaseId,
        q: Annotated[str, Query(min_length=1, max_length=200)],
        offset: Off = 0,
        limit: Lim = PAGE,
    ) -> dict[str, Any]:
        user = user_of(request)
        _, case_dir = case_of(case_id, user)
        return search_view(case_dir, q, offset, limit)

    @api.post("/cases/{case_id}/unmask")
    def api_unmask(request: Request, case_id: CaseId, body: UnmaskIn) -> dict[str, Any]:
        user = writer(request)
        case, case_dir = case_of(case_id, user)
        return unmask(user, case, case_dir, body)

    @api.get("/cases/{case_id}/reports")
    def api_reports(request: Request, case_id: CaseId) -> dict[str, Any]:
        user = user_of(request)
        _, case_dir = case_of(case_id, user)
        return {
            "reports": [
                {
                    "name": n,
                    "size": (case_dir / "reports" / n).stat().st_size,
                    "url": f"/api/cases/{case_id}/reports/{n}",
                }
                for n in REPORTS
                if (case_dir / "reports" / n).exists()
            ]
        }

    @api.get("/cases/{case_id}/reports/{name}", response_class=Response)
    def api_report_file(request: Request, case_id: CaseId, name: str) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return report_file(user, case, case_dir, name, True)

    @api.get("/cases/{case_id}/masked")
    def api_masked(request: Request, case_id: CaseId) -> dict[str, Any]:
        user = user_of(request)
        _, case_dir = case_of(case_id, user)
        return {"mask": mask_view(case_dir)}

    @api.get(
        "/cases/{case_id}/masked.zip",
        response_class=StreamingResponse,
        responses={200: {"content": {"application/zip": {}}}},
    )
    def api_masked_zip(request: Request, case_id: CaseId) -> Response:
        """Every masked copy in one zip, streamed (an export in the audit log)."""
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return masked_zip(user, case, case_dir)

    @api.get("/cases/{case_id}/masked/{name:path}", response_class=Response)
    def api_masked_file(request: Request, case_id: CaseId, name: str) -> Response:
        user = user_of(request)
        case, case_dir = case_of(case_id, user)
        return masked_file(user, case, case_dir, MASKED + "/" + name)

    @api.get("/cases/{case_id}/audit")
    def api_audit(
        request: Request, case_id: CaseId, offset: Off = 0, limit: Lim = PAGE
    ) -> dict[str, Any]:
        user = user_of(request)
        case, _ = case_of(case_id, user)
        entries, total = ws.audit_entries(case_id=case.id, offset=offset, limit=limit)
        return {"entries": entries, "page": page_of(total, offset, limit)}

    @api.get("/users")
    def api_users(request: Request) -> dict[str, Any]:
        user = user_of(request)
        if user.role != "admin":
            raise Refused(403, "只有管理员可以管理用户 (admins only)")
        return {"users": [{"name": u.name, "role": u.role} for u in ws.users()]}

    @api.post("/users", status_code=201)
    def api_add_user(request: Request, body: UserIn) -> dict[str, Any]:
        user = user_of(request)
        check_csrf(request)
        if user.role != "admin":
            raise Refused(403, "只有管理员可以管理用户 (admins only)")
        added = ws.add_user(body.name, body.role, body.password, by=user.name)
        return {"name": added.name, "role": added.role}

    app.include_router(api)
    return app


def _no_reason() -> UnmaskIn:
    raise Refused(400, "请填写查看原值的理由 (a reason is required to show values)")


def _shown(exc: LeakTraceError) -> str:
    if exc.path:
        path = exc.path
        marker = "/cases/"
        if marker in path:
            path = path.split(marker, 1)[1].split("/", 1)[-1]
        return f"{path}: {exc.reason}"
    return exc.reason


def _case_raw(case_dir: Path) -> tuple[dict[str, Any], str | None]:
    try:
        return cf.case_raw(case_dir), None
    except LeakTraceError as exc:
        return {}, _shown(exc)


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


__all__ = ["WorkspaceError", "create_app"]
