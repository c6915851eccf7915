"""A user's mistake or a hostile name gets one clear line, never a traceback or a styled name."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.cli._common import console
from leaktrace.errors import FactsError
from leaktrace.law import load_facts
from leaktrace.mark import resolve_url

runner = CliRunner()

LIST = "姓名,手机\n张三,13800000001\n李四,13800000002\n".encode()


def _one_error_line(result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "url", ["mysql://u:secret@db/leaks", "oracle://u@db", "foo://bar", "postgresql+asyncpg://h/d"]
)
def test_trace_with_an_unsupported_registry_url_is_one_line(tmp_path: Path, url: str) -> None:
    leaked = tmp_path / "leaked.csv"
    leaked.write_bytes(LIST)
    result = runner.invoke(app, ["trace", str(leaked), "--registry", url])
    line = _one_error_line(result, 2)
    assert "unsupported" in line
    assert "secret" not in line


def test_mark_with_an_unsupported_registry_url_is_one_line(tmp_path: Path) -> None:
    master = tmp_path / "m.csv"
    master.write_bytes(LIST)
    result = runner.invoke(
        app,
        ["mark", str(master), "--recipient", "甲", "--out", str(tmp_path / "a.csv"),
         "--registry", "mysql://u@h/d", "--init"],
    )  # fmt: skip
    _one_error_line(result, 2)
    assert not (tmp_path / "a.csv").exists()


def test_plain_postgresql_urls_go_through_psycopg() -> None:
    assert resolve_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert resolve_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"


@pytest.mark.parametrize("verb", ["scan", "count"])
def test_markup_in_file_names_is_printed_literally(tmp_path: Path, monkeypatch, verb: str) -> None:
    monkeypatch.setattr(console, "width", 200)  # the name on one line of the table
    name = "a[red]X[blink].csv"
    (tmp_path / name).write_bytes(LIST)
    (tmp_path / "[bold]坏.xlsx").write_bytes(b"PK\x03\x04 truncated")
    result = runner.invoke(app, [verb, str(tmp_path)], color=True)
    assert name in result.stdout
    assert "[bold]坏.xlsx" in result.stderr
    assert "\x1b[5m" not in result.output  # blink


@pytest.mark.parametrize("verb", ["scan", "count"])
def test_error_lines_go_to_stderr_not_stdout(tmp_path: Path, verb: str) -> None:
    (tmp_path / "good.csv").write_bytes(LIST)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    result = runner.invoke(app, [verb, str(tmp_path)])
    assert result.exit_code == 1
    assert "broken.xlsx" in result.stderr
    assert "broken.xlsx" not in result.stdout


def test_a_future_offence_date_is_refused(tmp_path: Path) -> None:
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"role": "outsider", "offence_date": tomorrow.date().isoformat()}))
    with pytest.raises(FactsError, match="in the future"):
        load_facts(facts)
    result = runner.invoke(app, ["assess", "--facts", str(facts)])
    assert "in the future" in _one_error_line(result, 1)


def test_todays_offence_date_is_accepted(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"role": "outsider", "offence_date": "2024-05-01"}))
    assert load_facts(facts).offence_date == dt.date(2024, 5, 1)


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", '{"role": "outsider", "items": {"sensitive": 60}, "items": {"sensitive": 1}}'),
        (".json", '{"role": "outsider", "items": {"sensitive": 60, "sensitive": 1}}'),
        (".toml", 'role = "outsider"\nillegal_gains_yuan = 9000\nillegal_gains_yuan = 1\n'),
    ],
)
def test_a_key_given_twice_is_refused(tmp_path: Path, suffix: str, text: str) -> None:
    facts = tmp_path / f"facts{suffix}"
    facts.write_text(text)
    with pytest.raises(FactsError):
        load_facts(facts)
    _one_error_line(runner.invoke(app, ["assess", "--facts", str(facts)]), 1)
