"""``leaktrace user add``: create a workspace user (the first admin, or anyone, from a terminal)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from leaktrace.cli import app
from leaktrace.cli._common import console, user_errors
from leaktrace.cli.serve import DB_OPTION, WORKSPACE_OPTION
from leaktrace.errors import UsageError

user_app = typer.Typer(
    name="user", help="用户 Manage the users of a case workspace.", no_args_is_help=True
)
app.add_typer(user_app)


@user_app.command("add")
@user_errors
def user_add(
    name: str = typer.Argument(..., help="用户名（登录时输入） User name (as typed at login)."),
    role: str = typer.Option(
        ...,
        "--role",
        help=(
            "角色：admin（管理员）、investigator（调查员）或 reviewer（审阅者，只读） admin, "
            "investigator or reviewer (reviewers may only read)."
        ),
    ),
    workspace: Path = WORKSPACE_OPTION,
    db: str | None = DB_OPTION,
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="从标准输入读取密码（一行） Read the password from standard input (one line).",
    ),
) -> None:
    """添加用户 Add a user to the workspace; the password is asked for (or read from stdin)."""
    from leaktrace.serve import ROLES, Workspace

    if role not in ROLES:
        raise UsageError(
            f"角色只能是 {'、'.join(ROLES)} "
            f"(--role must be one of {', '.join(ROLES)}, not {role!r})"
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码 password", hide_input=True, confirmation_prompt=True)
    ws = Workspace.open(workspace, db)
    try:
        user = ws.add_user(name, role, password)
    finally:
        ws.close()
    console.print(f"已添加用户 added user {user.name} ({user.role_text})")
