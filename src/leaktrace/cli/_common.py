"""What every verb shares: the consoles, JSON output and turning user errors into one line."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from leaktrace.errors import LeakTraceError, UsageError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")

PATHS_ARGUMENT = typer.Argument(
    ...,
    help=(
        "证据文件或文件夹（递归遍历文件夹，打开压缩包） Evidence files or folders (folders are "
        "walked recursively, archives opened)."
    ),
)
JSON_OPTION = typer.Option(
    False, "--json", help="在标准输出打印机器可读的 JSON Print machine-readable JSON on stdout."
)
SHOW_VALUES_OPTION = typer.Option(
    False,
    "--show-values",
    help="完整显示个人信息，不脱敏 Print personal values in full instead of masked.",
)
ENGINE_OPTION = typer.Option(
    "local",
    "--engine",
    help=(
        "运行位置：local（本机）或 spark（集群） Where to run: 'local' (this machine) or 'spark' "
        "(a cluster)."
    ),
)
SPARK_MASTER_OPTION = typer.Option(
    None,
    "--spark-master",
    help=(
        "Spark 主节点地址，默认 local[2] Spark master URL (local[2], yarn, spark://host:7077, "
        "k8s://…); local[2] by default."
    ),
)


def emit_json(payload: Any) -> None:
    """Write ``payload`` as pretty UTF-8 JSON (Chinese kept readable) to stdout."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as the one error line and return the Exit to raise."""
    # Escaped: a message may hold brackets (leaktrace[spark], a path) that are not markup.
    err_console.print(f"[bold red]错误 error:[/] {escape(message)}", soft_wrap=True)
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
            raise fail("已中断 interrupted", code=130) from None

    return wrapper


RowsDone = Callable[[str, int], None]
"""Told (what is being read, rows just done) by the library as it streams batches."""


@contextmanager
def row_progress(verb: str, quiet: bool) -> Iterator[RowsDone | None]:
    """A transient progress line on stderr (``verb``, rows so far, what is being read).

    Yields the callback to hand to the library, or None when quiet or stderr is not a terminal,
    so machine output and pipes stay clean.
    """
    if quiet or not err_console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn(f"[bold]{verb}[/]"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[rows]:,} 行 rows"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None, rows=0)

        def advance(label: str, rows: int) -> None:
            # a file name, shown as it is: brackets in it are not markup
            bar.update(task, description=escape(label), rows=bar.tasks[0].fields["rows"] + rows)

        yield advance
