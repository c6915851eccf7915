"""``leaktrace audit-log verify``: check that no entry of the workspace's audit log was changed
or removed (each entry carries the hash of the one before)."""

from __future__ import annotations

from pathlib import Path

import typer

from leaktrace.cli import app
from leaktrace.cli._common import JSON_OPTION, console, emit_json, fail, user_errors
from leaktrace.cli.serve import DB_OPTION, WORKSPACE_OPTION

audit_app = typer.Typer(
    name="audit-log", help="审计日志 Check the workspace's audit log.", no_args_is_help=True
)
app.add_typer(audit_app)


@audit_app.command("verify")
@user_errors
def audit_verify(
    workspace: Path = WORKSPACE_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """校验审计日志 Verify the hash chain; exit 1 naming the first entry edited or removed."""
    from leaktrace.serve import Workspace

    ws = Workspace.open(workspace, db)
    try:
        checked, problem = ws.verify_audit()
    finally:
        ws.close()
    if as_json:
        emit_json({"entries": checked, "ok": problem is None, "problem": problem})
        if problem:
            raise typer.Exit(1)
        return
    if problem:
        raise fail(f"审计日志被改动 audit log tampered: {problem}")
    console.print(f"审计日志完整 audit log intact: {checked} 条 entries")
