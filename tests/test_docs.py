"""The docs say what ``--help`` says: every option of every verb is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from leaktrace.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

DOCS = {
    "scan": "docs/scan.md",
    "mask": "docs/mask.md",
    "count": "docs/count.md",
    "assess": "docs/assess.md",
    "synth": "docs/synth.md",
    "demo": "docs/report.md",
    "mark": "docs/mark-trace.md",
    "trace": "docs/mark-trace.md",
    "report": "docs/report.md",
    "verify": "docs/report.md",
    "key": "docs/report.md",
    "chain": "docs/chain.md",
    "match": "docs/chain.md",
    "serve": "docs/serve.md",
    "user": "docs/serve.md",
    "audit-log": "docs/serve.md",
}


def _commands() -> dict:
    """Every top-level command and command group, as the parser sees them."""
    return typer.main.get_command(app).commands  # type: ignore[attr-defined]


def _verbs() -> list[str]:
    return sorted(_commands())


def _help_calls(verb: str) -> list[list[str]]:
    """The ``--help`` calls that show every option of ``verb`` (each sub-command of a group)."""
    command = _commands()[verb]
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [[verb, "--help"]]
    return [[verb, name, "--help"] for name in sorted(subcommands)]


def test_every_verb_has_a_doc_page():
    assert set(_verbs()) <= set(DOCS), set(_verbs()) - set(DOCS)


@pytest.mark.parametrize("verb", sorted(DOCS))
def test_every_option_in_help_is_documented(verb):
    assert verb in _verbs(), f"{verb} is not registered"
    options: set[str] = set()
    for call in _help_calls(verb):
        result = runner.invoke(app, call, env={"COLUMNS": "200"})
        assert result.exit_code == 0, call
        options |= set(re.findall(r"(--[a-z][a-z-]+)", result.stdout)) - {"--help"}
    text = (ROOT / DOCS[verb]).read_text(encoding="utf-8")
    missing = sorted(o for o in options if o not in text)
    assert not missing, f"{DOCS[verb]} does not mention {missing}"


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
