"""What every verb shares: the consoles, JSON output and turning user errors into one line."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from leaktrace.errors import LeakTraceError, UsageError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON on stdout.")
SHOW_VALUES_OPTION = typer.Option(
    False, "--show-values", help="Print personal values in full instead of masked."
)


def emit_json(payload: Any) -> None:
    """Write ``payload`` as pretty UTF-8 JSON (Chinese kept readable) to stdout."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as the one error line and return the Exit to raise."""
    err_console.print(f"[bold red]错误 error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn LeakTraceError into one line on stderr and exit 1 (2 for usage errors)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except UsageError as exc:
            raise fail(str(exc), code=2) from None
        except LeakTraceError as exc:
            raise fail(str(exc), code=1) from None
        except KeyboardInterrupt:
            raise fail("interrupted", code=130) from None

    return wrapper
