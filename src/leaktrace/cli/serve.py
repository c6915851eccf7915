"""``leaktrace serve``: the case workspace in the browser (FastAPI, served by uvicorn)."""

from __future__ import annotations

from pathlib import Path

import typer

from leaktrace.cli import app
from leaktrace.cli._common import console, user_errors
from leaktrace.errors import UsageError

WORKSPACE_OPTION = typer.Option(
    Path("leaktrace-workspace"),
    "--workspace",
    help="工作区文件夹（案件、workspace.db） Workspace folder (cases, workspace.db).",
)
DB_OPTION = typer.Option(
    None,
    "--db",
    help=(
        "数据库 URL；默认为工作区内的 SQLite Database URL (postgresql+psycopg://user:pw@host/db); "
        "default: SQLite in the workspace."
    ),
)


@app.command("serve")
@user_errors
def serve_command(
    workspace: Path = WORKSPACE_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 Address to listen on."),
    port: int = typer.Option(8000, "--port", help="监听端口 Port to listen on."),
    db: str | None = DB_OPTION,
    workers: int = typer.Option(
        2, "--workers", help="可同时运行的任务数 Jobs that may run at the same time."
    ),
    max_upload_mb: int = typer.Option(
        20480,
        "--max-upload-mb",
        help="可接受的最大上传大小（MiB） Largest upload accepted, in MiB.",
    ),
) -> None:
    """案件工作台 Serve the case workspace in the browser.

    案件、证据上传、后台任务（scan、count、assess、chain、match、trace、report）、案件内检索、
    分角色的用户及哈希链式审计日志。用 `leaktrace user add NAME --role admin --workspace DIR`
    创建第一个用户。
    Cases, evidence uploads, background jobs (scan, count, assess, chain, match, trace, report),
    search across a case, users with roles and a hash-chained audit log. Create the first user
    with `leaktrace user add NAME --role admin --workspace DIR`.
    """
    import uvicorn

    from leaktrace.serve import Workspace, create_app

    if not 0 < port < 65536:
        raise UsageError(
            f"端口应在 1 到 65535 之间 (--port must be between 1 and 65535, not {port})"
        )
    if workers < 1 or max_upload_mb < 1:
        raise UsageError(
            "任务数与上传上限至少为 1 (--workers and --max-upload-mb must be at least 1)"
        )
    ws = Workspace.open(workspace, db)
    application = create_app(ws, workers=workers, max_upload=max_upload_mb << 20)
    interrupted = application.state.interrupted
    if interrupted:
        console.print(
            f"上次停止时未完成的任务已标为中断 jobs interrupted by the last stop: "
            f"{', '.join(map(str, interrupted))}"
        )
    if not ws.users():
        console.print(
            "[yellow]尚无用户 no users yet:[/] leaktrace user add NAME --role admin "
            f"--workspace {workspace}"
        )
    console.print(f"LeakTrace 案件工作台 http://{host}:{port}/  (workspace {ws.root})")
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        ws.close()
