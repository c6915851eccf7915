"""The ``leaktrace`` command: a thin Typer shell over the library, one module per verb.

Every verb prints for a person by default and for a machine with ``--json``. Exit codes: 0 on
success, 1 on an input or processing error, 2 on a usage error.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer import rich_utils
from typer.core import TyperGroup

from leaktrace import __version__

# The help screen's own words, Chinese first like every other text a person reads (Typer ships
# them in English only; its rich_utils reads these names each time it draws a help screen).
rich_utils.ARGUMENTS_PANEL_TITLE = "参数 Arguments"
rich_utils.OPTIONS_PANEL_TITLE = "选项 Options"
rich_utils.COMMANDS_PANEL_TITLE = "命令 Commands"
rich_utils.REQUIRED_LONG_STRING = "[必填 required]"
rich_utils.DEFAULT_STRING = "[默认 default: {}]"

_USAGE_ERRORS = {
    "NoSuchOption": "没有这个选项",
    "BadOptionUsage": "选项用法不对",
    "MissingParameter": "缺少参数",
    "BadParameter": "参数值无效",
    "BadArgumentUsage": "参数用法不对",
    "UsageError": "用法不对",
}
"""The Chinese for each kind of usage error the command-line parser raises (by class name)."""


class _Group(TyperGroup):
    """Typer's group, but a usage error (unknown option, bad value, missing argument) is told
    as our one ``错误 error:`` line, Chinese first, instead of the parser's English box."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.Abort:
            _usage_error("已中断 aborted", None)
            sys.exit(1)
        except typer.TyperException as exc:
            if type(exc).__name__ != "NoArgsIsHelpError":  # the help was printed
                _usage_error(_chinese(exc) + exc.format_message(), getattr(exc, "ctx", None))
            sys.exit(getattr(exc, "exit_code", 1))
        sys.exit(code if isinstance(code, int) else 0)


def _chinese(exc: Exception) -> str:
    if "No such command" in str(exc):
        return "没有这个命令 "
    for cls in type(exc).__mro__:
        if cls.__name__ in _USAGE_ERRORS:
            return _USAGE_ERRORS[cls.__name__] + " "
    return ""


def _usage_error(message: str, ctx: Any) -> None:
    from leaktrace.cli._common import err_console, fail

    if ctx is not None:
        err_console.print(f"用法 {ctx.get_usage()}", markup=False, highlight=False)
    fail(message)
    if ctx is not None:
        help_command = f"{ctx.command_path} --help"
        err_console.print(f"用 {help_command} 查看帮助 (try {help_command})", markup=False)


app = typer.Typer(
    cls=_Group,
    name="leaktrace",
    help=(
        "LeakTrace：发现、计数与溯源泄露的公民个人信息 "
        "(find, count and trace leaked personal information)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)

# Each verb lives in its own module and registers itself on ``app`` when imported.
_VERBS = (
    *("scan", "count", "assess", "match", "chain", "mark", "trace", "report", "verify", "key"),
    *("demo", "synth"),
)
"""The verbs in the order `--help` lists them: find, count and assess, trace, report, demo."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leaktrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="显示版本号并退出 Print the version and exit.",
    ),
) -> None:
    """命令行 LeakTrace command line."""


for _verb in _VERBS:
    importlib.import_module(f"leaktrace.cli.{_verb}")
importlib.import_module("leaktrace.cli.mask")  # 脱敏: masked copies (leaktrace.redact)
for _verb in ("serve", "user", "audit_log"):  # the case workspace (leaktrace.serve)
    importlib.import_module(f"leaktrace.cli.{_verb}")


def main() -> None:
    """Entry point of the ``leaktrace`` console script."""
    app()
