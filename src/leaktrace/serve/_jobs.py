"""Background jobs: every verb the CLI has for a case, run by calling the library.

A job is a row in the database (its state, progress and error) and a result file in the case's
``work/`` folder, written under a temporary name and renamed, so a page never reads half a
result. Jobs run on a small pool of threads in the server process, as the CLI would run them:
the library's own progress callback reports rows read. A server that stops leaves its jobs
``running`` in the database; the next start marks them ``interrupted`` (they can be run again).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaktrace.errors import LeakTraceError
from leaktrace.serve._casefiles import case_lock
from leaktrace.serve._search import build_index, relative
from leaktrace.serve._store import User, Workspace

KINDS: dict[str, str] = {
    "scan": "扫描",
    "index": "建立检索索引",
    "count": "计数",
    "assess": "认定",
    "chain": "交易链",
    "match": "来源比对",
    "trace": "溯源",
    "report": "生成报告",
    "mask": "脱敏副本",
}
"""Job kinds and their Chinese names, in the order the case page offers them."""
STATUS_TEXT = {
    "queued": "排队中",
    "running": "运行中",
    "done": "已完成",
    "failed": "失败",
    "interrupted": "已中断",
}
_PROGRESS_EVERY = 0.5
MASKED = "masked"
"""The case folder's subfolder holding the masked copies of its evidence (``mask`` job)."""
MASK_KEY = "mask.key"
"""The workspace's pseudonym key file (mode 0600, created on first use), beside ``cases/``."""


def result_path(case_dir: Path, name: str) -> Path:
    return case_dir / "work" / f"{name}.json"


def write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class _State:
    rows: int = 0
    last: float = 0.0


class Runner:
    """Runs jobs on ``workers`` threads; state goes to the workspace database."""

    def __init__(self, ws: Workspace, workers: int = 2) -> None:
        self.ws = ws
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._lock = threading.Lock()

    def start(
        self, case_id: int, case_dir: Path, kind: str, params: dict[str, Any], user: User
    ) -> int:
        job_id = self.ws.add_job(case_id, kind, params, user)
        self.ws.audit(user.name, "job", {"job": job_id, "kind": kind, "params": params}, case_id)
        self.pool.submit(self._run, job_id, case_id, case_dir, kind, params, user)
        return job_id

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _run(
        self,
        job_id: int,
        case_id: int,
        case_dir: Path,
        kind: str,
        params: dict[str, Any],
        user: User,
    ) -> None:
        self.ws.update_job(job_id, status="running", started_at=_now())
        state = _State()

        def progress(label: str, rows: int) -> None:
            state.rows += rows
            now = time.monotonic()
            if now - state.last >= _PROGRESS_EVERY:
                state.last = now
                self.ws.update_job(
                    job_id, rows_done=state.rows, label=relative(str(label), case_dir)[:1000]
                )

        try:
            summary = JOBS[kind](case_dir, params, progress, job_id)
        except LeakTraceError as exc:
            self._finish(job_id, case_id, user, "failed", state, error=_reason(exc, case_dir))
            return
        except Exception as exc:  # a bug: logged in full on the server, one line in the page
            traceback.print_exc()
            self._finish(
                job_id, case_id, user, "failed", state, error=f"内部错误 internal error: {exc}"
            )
            return
        self._finish(job_id, case_id, user, "done", state, summary=summary)
        if kind == "scan":
            self.start(case_id, case_dir, "index", {}, user)

    def _finish(
        self,
        job_id: int,
        case_id: int,
        user: User,
        status: str,
        state: _State,
        *,
        error: str | None = None,
        summary: dict[str, Any] | None = None,
    ) -> None:
        self.ws.update_job(
            job_id,
            status=status,
            finished_at=_now(),
            rows_done=state.rows,
            label="",
            error=error,
        )
        self.ws.audit(
            user.name,
            "job_end",
            {"job": job_id, "status": status, "error": error, "summary": summary or {}},
            case_id,
        )


def _reason(exc: LeakTraceError, case_dir: Path) -> str:
    path = relative(exc.path, case_dir) if exc.path else None
    return f"{path}: {exc.reason}" if path else exc.reason


Progress = Callable[[str, int], None]


def _roots(case_dir: Path, *names: str) -> list[Path]:
    return [case_dir / n for n in names if (case_dir / n).exists()]


def _need(paths: list[Path], what: str) -> list[Path]:
    if not paths:
        raise LeakTraceError(f"案件中还没有{what} (nothing to process yet)")
    return paths


def _scan(
    case_dir: Path, params: dict[str, Any], progress: Progress, job_id: int
) -> dict[str, Any]:
    from leaktrace.scan import scan

    result = scan(_need(_roots(case_dir, "evidence"), "证据文件"), progress=progress).to_json()
    for f in result["files"]:
        f["path"] = relative(f["path"], case_dir)
        f["parent"] = relative(f["parent"], case_dir) if f["parent"] else None
    for e in result["errors"]:
        e["path"] = relative(e["path"], case_dir)
    write_json(result_path(case_dir, "scan"), {"job": job_id, **result})
    return {"files": len(result["files"]), "errors": len(result["errors"])}


def _index(
    case_dir: Path, params: dict[str, Any], progress: Progress, job_id: int
) -> dict[str, Any]:
    stats = build_index(case_dir, _roots(case_dir, "evidence", "sources"), progress=progress)
    write_json(result_path(case_dir, "index"), {"job": job_id, **stats})
    return {k: v for k, v in stats.items() if k != "errors"}


def _count(
    case_dir: Path, params: dict[str, Any], progress: Progress, job_id: int
) -> dict[str, Any]:
    from leaktrace.count import count

    result = count(_need(_roots(case_dir, "evidence"), "证据文件"), progress=progress).to_json()
    write_json(result_path(case_dir, "count"), {"job": job_id, **_relative_count(result, case_dir)})
    return {"items": result["items"]}


def _relative_count(result: dict[str, Any], case_dir: Path) -> dict[str, Any]:
    for f in result.get("files", []):
        f["path"] = relative(f["path"], case_dir)
        if f.get("parent"):
            f["parent"] = relative(f["parent"], case_dir)
    for o in result.get("overlaps", []):
        o["a"], o["b"] = relative(o["a"], case_dir), relative(o["b"], case_dir)
    for e in result.get("errors", []):
        e["path"] = relative(e["path"], case_dir)
    return result


def _assess(
    case_dir: Path, params: dict[str, Any], progress: Progress, job_id: int
) -> dict[str, Any]:
    from leaktrace.count import assess_case

    result = assess_case(case_dir, progress=progress).to_json()
    write_json(result_path(case_dir, "assess"), {"job": job_id, **result})
    return {p["party"]: p["finding"]["level"] for p in result["parties"]}


def _chain(
    case_dir: Path, params: dict[str, Any], progress: Progress, job_id: int
) -> dict[str, Any]:
    from leaktrace.chain import chain

    result = chain(case_dir, progress=progress)
    result.write(case_dir / "work" / "chain")
    payload = result.to_json()
    write_json(result_path(case_dir, "chain"), {"job": job_id, **payload})
    return {"parties": len(payload["parties"]), "transfers": len(payload["transfers"])}


def _match(
    case_dir: Path, params: dict[str, Any], progress: Progress, job_id: int
) -> dict[str, Any]:
    from leaktrace.chain import match

    result = match(
        _need(_roots(case_dir, "evidence"), "证据文件"),
        _roots(case_dir, "sources"),
        progress=progress,
    ).to_json()
    text = json.dumps(result, ensure_ascii=False, default=str)
    root = str(case_dir.resolve()) + os.sep
    result = json.loads(text.replace(json.dumps(root)[1:-1], ""))
    write_json(result_path(case_dir, "match"), {"job": job_id, **result})
    return {"lists": len(result.get("matches", []))}


def _trace(
    case_dir: Path, params: dict[str, Any], progress: Progress, job_id: int
) -> dict[str, Any]:
    from leaktrace.mark import Registry
    from leaktrace.trace import trace

    leaked = _inside(case_dir, str(params.get("evidence", "")), "溯源文件")
    registry = str(params.get("registry", ""))
    if not registry:
        raise LeakTraceError("请选择标记登记库 (choose a mark registry)")
    url = registry if "://" in registry else str(_inside(case_dir, registry, "登记库"))
    key_file = params.get("key_file")
    key = _inside(case_dir, str(key_file), "密钥文件") if key_file else None
    progress(relative(str(leaked), case_dir), 0)
    reg = Registry.open(url, key)
    try:
        result = trace(leaked, reg).to_json()
    finally:
        reg.close()
    result["leaked"] = relative(result["leaked"], case_dir)
    result["registry"] = registry
    write_json(result_path(case_dir, f"trace-{job_id}"), {"job": job_id, **result})
    write_json(result_path(case_dir, "trace"), {"job": job_id, **result})
    return {"accused": [a["recipient"] for a in result["accused"]]}


def _inside(case_dir: Path, rel: str, what: str) -> Path:
    target = (case_dir / rel).resolve()
    if not rel or not target.is_relative_to(case_dir.resolve()) or not target.exists():
        raise LeakTraceError(f"案件目录中没有这个{what} (no such file in the case)", rel)
    return target


def _report(
    case_dir: Path, params: dict[str, Any], progress: Progress, job_id: int
) -> dict[str, Any]:
    from leaktrace.report import build_report, write_report

    report = build_report(
        case_dir,
        command=["leaktrace", "serve", f"(job {job_id})"],
        stage=lambda name: progress(name, 0),
        rows=progress,
    )
    reports = case_dir / "reports"
    write_report(report, reports / "report.html", "html")
    write_report(report, reports / "report.xlsx", "xlsx")
    write_report(report, reports / "report.json", "json")
    return {"files": ["report.html", "report.xlsx", "report.json"]}


def _mask(
    case_dir: Path, params: dict[str, Any], progress: Progress, job_id: int
) -> dict[str, Any]:
    """Masked copies of ``evidence/`` into ``masked/``: written into a fresh folder beside it
    and swapped in whole, so the folder never mixes two runs (or a mask run and a pseudonym
    run). Formats mask refuses are listed in the result's ``errors``, not a failed job."""
    from leaktrace.redact import load_key, redact

    roots = _need(_roots(case_dir, "evidence"), "证据文件")
    # the workspace root is two levels above a case folder (``<root>/cases/<folder>``)
    key = load_key(case_dir.parent.parent / MASK_KEY) if params.get("pseudonym") else None
    staging = case_dir / "work" / f".masked-{secrets.token_hex(6)}"
    try:
        result = redact(roots, staging, key=key, progress=progress).to_json()
        for f in result["files"]:
            f["path"] = relative(f["path"], case_dir)
            f["out"] = MASKED + "/" + Path(f["out"]).relative_to(staging).as_posix()
        for e in result["errors"]:
            e["path"] = relative(e["path"], case_dir)
        target = case_dir / MASKED
        old = case_dir / "work" / f".masked-old-{secrets.token_hex(6)}"
        with case_lock(case_dir):  # two mask jobs of one case swap one after the other
            if target.exists():
                os.replace(target, old)
            os.replace(staging, target)
            write_json(result_path(case_dir, "mask"), {"job": job_id, **result})
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {
        "mode": result["mode"],
        "files": len(result["files"]),
        "refused": len(result["errors"]),
        "masked": result["masked"],
    }


JOBS: dict[str, Callable[[Path, dict[str, Any], Progress, int], dict[str, Any]]] = {
    "scan": _scan,
    "index": _index,
    "count": _count,
    "assess": _assess,
    "chain": _chain,
    "match": _match,
    "trace": _trace,
    "report": _report,
    "mask": _mask,
}
