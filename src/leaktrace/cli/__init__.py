"""The ``leaktrace`` command: a thin Typer shell over the library, one module per verb.

Every verb prints for a person by default and for a machine with ``--json``. Exit codes: 0 on
success, 1 on an input or processing error, 2 on a usage error.
"""

from __future__ import annotations

import importlib

import typer

from leaktrace import __version__

app = typer.Typer(
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
_VERBS = ("scan", "count", "assess", "match", "chain", "mark", "trace", "report", "demo", "synth")
"""The verbs in the order `--help` lists them: find, count and assess, trace, report, demo."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leaktrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """LeakTrace command line."""


for _verb in _VERBS:
    importlib.import_module(f"leaktrace.cli.{_verb}")
importlib.import_module("leaktrace.cli.mask")  # 脱敏: masked copies (leaktrace.redact)


def main() -> None:
    """Entry point of the ``leaktrace`` console script."""
    app()
