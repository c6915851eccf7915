"""``leaktrace assess``: exit codes, JSON values, the human panel, and one-line errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.law import Facts, Items, assess, load_facts

EXAMPLES = Path(__file__).parent / "examples"
runner = CliRunner()


def test_assess_json_gives_level_grounds_and_the_policy_hash() -> None:
    result = runner.invoke(app, ["assess", "--facts", str(EXAMPLES / "salesperson.json"), "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["level"] == "serious"
    assert [g["provision"] for g in out["grounds"]] == [
        "《解释》第五条第一款第（四）项",
        "《解释》第五条第一款第（七）项",
        "《解释》第五条第一款第（八）项",
    ]
    assert set(out["grounds"][0]) >= {"provision", "text", "why"}
    assert out["sentence"]["heavier_for_insider"] is True
    assert (out["fine"]["min_yuan"], out["fine"]["max_yuan"]) == (20000, 100000)
    assert out["policy"]["name"] == "leaktrace-default-2017"
    assert len(out["policy"]["sha256"]) == 64
    assert out["facts"]["items"]["important"] == 2000


def test_assess_reads_toml_facts() -> None:
    facts = EXAMPLES / "decoration-employee-owners-as-ordinary.toml"
    result = runner.invoke(app, ["assess", "--facts", str(facts), "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["route"], out["level"]) == ("art6", "serious")
    assert out["grounds"][0]["provision"] == "《解释》第六条第一款第（一）项"


def test_assess_prints_a_panel_for_people() -> None:
    result = runner.invoke(
        app, ["assess", "--facts", str(EXAMPLES / "salesperson.json")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.stderr
    assert "认定 finding: 情节严重" in result.stdout
    assert "《解释》第五条第一款第（四）项" in result.stdout
    assert "重要信息 2,000 条 ÷ 500 条 = 4 ≥ 1" in result.stdout
    assert "leaktrace-default-2017" in result.stdout


def test_assess_uses_the_policy_given(tmp_path: Path, policy_text: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(policy_text.replace("leaktrace-default-2017", "office-2026"), "utf-8")
    facts = str(EXAMPLES / "agency-owner.json")
    result = runner.invoke(app, ["assess", "--facts", facts, "--policy", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["policy"]["name"] == "office-2026"
    assert out["policy"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_assess_bad_facts_is_one_line_naming_file_and_field_with_exit_1(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text('{"role": "insider", "gains": 5000}', encoding="utf-8")
    result = runner.invoke(app, ["assess", "--facts", str(facts), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(facts) in lines[0]
    assert "字段 field gains: 未知字段 unknown field" in lines[0]


def test_assess_bad_policy_is_one_line_naming_file_and_field_with_exit_1(
    tmp_path: Path, policy_text: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(policy_text.replace("threshold = 500 #", 'threshold = "abc" #'), "utf-8")
    facts = str(EXAMPLES / "salesperson.json")
    result = runner.invoke(app, ["assess", "--facts", facts, "--policy", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    line = " ".join(result.stderr.split())
    assert str(path) in line
    assert "字段 field tiers.important.threshold: 须为正数 must be a positive number" in line


def test_assess_without_facts_is_a_usage_error() -> None:
    assert runner.invoke(app, ["assess"]).exit_code == 2


def test_assess_with_a_missing_facts_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "--facts", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_docs_describe_every_facts_field_and_show_the_worked_examples() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "assess.md").read_text(encoding="utf-8")
    for name in Facts.model_fields:
        assert f"`{name}`" in docs or f"`items.{name}`" in docs, name
    for name in Items.model_fields:
        assert f"`items.{name}`" in docs, name
    for example in sorted(EXAMPLES.iterdir()):
        assert example.read_text(encoding="utf-8").strip() in docs, example.name
        command = f"$ leaktrace assess --facts tests/law/examples/{example.name}\n"
        panel_title = docs.split(command, 1)[1].splitlines()[0]
        assert f"认定 finding: {assess(load_facts(example)).level_text} " in panel_title
