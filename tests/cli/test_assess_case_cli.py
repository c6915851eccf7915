"""``leaktrace assess --case DIR``: one finding per party, counted per Art. 11."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.synth import NoiseRates, noisy, residents

runner = CliRunner()

CASE = """
name = "业主信息案"

[[parties]]
name = "王某"
role = "insider"
obtained = ["evidence/owners.csv"]
[parties.facts]
illegal_gains_yuan = 18000

[[transfers]]
seller = "王某"
buyer = "李某"
evidence = ["evidence/owners.csv"]
price_yuan = 6000

[[transfers]]
seller = "王某"
buyer = "赵某"
evidence = ["evidence/owners.csv"]
price_yuan = 6000
"""


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An insider who sold the same 1,500 home-owner records to two buyers."""
    root = tmp_path_factory.mktemp("cli_case")
    (root / "evidence").mkdir()
    clean = NoiseRates(variant=0.3, invalid=0.0, masked=0.0, typo=0.0, duplicate=0.0)
    owners = noisy(
        residents(1_500, seed=31),
        {"业主": "name", "手机": "mobile", "房号": "room"},
        31,
        rates=clean,
    )
    owners.frame.write_csv(root / "evidence" / "owners.csv")
    (root / "case.toml").write_text(CASE, encoding="utf-8")
    return root


def test_case_gives_one_finding_per_party_counted_per_buyer(case_dir: Path) -> None:
    result = runner.invoke(app, ["assess", "--case", str(case_dir), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    [seller] = [p for p in payload["parties"] if p["party"] == "王某"]
    assert seller["counts"]["items"]["important"] == 3_000  # 1,500 to each of two buyers
    assert seller["finding"]["level"] == "especially_serious"  # 3,000 ≥ 2,500 (insider, ×10)


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
