"""``leaktrace assess --case DIR``: one finding per party, counted per Art. 11.

The case (``case_dir``, in ``tests/conftest.py``) is an insider who sold the same 2,000 home-owner
records to three buyers, one of whom resold them.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from leaktrace.cli import app

runner = CliRunner()


def test_case_gives_one_finding_per_party_counted_per_buyer(case_dir: Path) -> None:
    result = runner.invoke(app, ["assess", "--case", str(case_dir), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    [seller] = [p for p in payload["parties"] if p["party"] == "王某"]
    assert seller["counts"]["items"]["important"] == 6_000  # 2,000 to each of three buyers
    assert seller["finding"]["level"] == "especially_serious"  # 6,000 ≥ 2,500 (insider, ×10)


def test_case_human_output_names_each_party(case_dir: Path) -> None:
    result = runner.invoke(app, ["assess", "--case", str(case_dir)])
    assert result.exit_code == 0, result.output
    assert "王某" in result.stdout and "情节特别严重" in result.stdout


def test_facts_and_case_together_is_a_usage_error(case_dir: Path, tmp_path: Path) -> None:
    facts = tmp_path / "f.json"
    facts.write_text('{"role": "outsider"}', encoding="utf-8")
    result = runner.invoke(app, ["assess", "--facts", str(facts), "--case", str(case_dir)])
    assert result.exit_code == 2


def test_a_bad_case_file_is_one_line_and_exit_one(tmp_path: Path) -> None:
    (tmp_path / "case.toml").write_text('[[parties]]\nname = "甲"\nrole = "thief"\n', "utf-8")
    result = runner.invoke(app, ["assess", "--case", str(tmp_path)])
    assert result.exit_code == 1
    assert "case.toml" in result.output and "Traceback" not in result.output
