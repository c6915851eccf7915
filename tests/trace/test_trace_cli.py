"""The ``mark`` and ``trace`` verbs: JSON shape, exit codes, one-line errors, guilt ranking."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

import leaktrace.cli.mark
import leaktrace.cli.trace  # noqa: F401  (registers the verbs)
from leaktrace.cli import app
from leaktrace.synth.leak import SCENARIOS, owners, read_export, simulate, write_table

runner = CliRunner()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_trace_json_names_the_leaker_with_its_bound(world: Any) -> None:
    leaked = simulate(
        [world.exports["销售09"]], SCENARIOS["all"], world.root / "cli-leak.csv", seed=4
    )
    reg = str(world.root / "registry.db")
    result = runner.invoke(app, ["trace", str(leaked), "--registry", reg, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [a["recipient"] for a in out["accused"]] == ["销售09"]
    assert out["accused"][0]["p_value"] <= 1e-6 / 20
    assert out["false_accusation_bound"] == 1e-6
    assert out["matched_rows"] > 600
    assert {"recipient", "score", "p_value"} <= set(out["candidates"][0])
    evidence = out["accused"][0]["evidence"]
    assert evidence and all("*" in v for e in evidence for v in e["values"].values())


def test_unreadable_leak_is_one_line_exit_1_and_registry_untouched(world: Any) -> None:
    bad = world.root / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    before = _digest(world.root / "registry.db")
    result = runner.invoke(app, ["trace", str(bad), "--registry", str(world.root / "registry.db")])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "broken.xlsx" in result.stderr
    assert _digest(world.root / "registry.db") == before


def test_missing_registry_is_one_line_exit_1(world: Any, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["trace", str(world.master), "--registry", str(tmp_path / "none.db")]
    )
    assert result.exit_code == 1
    assert "registry not found" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_wrong_key_is_one_line_exit_1(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKTRACE_MARK_KEY", "ab" * 32)
    result = runner.invoke(
        app, ["trace", str(world.master), "--registry", str(world.root / "registry.db")]
    )
    assert result.exit_code == 1
    assert "wrong key" in result.stderr


def test_without_marks_candidates_are_ranked_by_allocation_not_accused(tmp_path: Path) -> None:
    frame = owners(1_500, seed=21)
    master = write_table(frame, tmp_path / "owners.csv")
    estates = frame["小区"].value_counts(sort=True)["小区"].to_list()[:3]
    reg = str(tmp_path / "reg.db")
    for i, estate in enumerate(estates):
        args = ["mark", str(master), "--recipient", f"r{i}", "--out", str(tmp_path / f"r{i}.csv")]
        args += ["--registry", reg, "--where", f"小区={estate}", "--json"]
        if i == 0:
            args.append("--init")
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    # The leaker kept only names and phones: no spelling survives, honey records cannot match.
    leaked = read_export(tmp_path / "r1.csv").select("姓名", "手机号").head(60)
    path = write_table(leaked, tmp_path / "names-phones.csv")
    result = runner.invoke(app, ["trace", str(path), "--registry", reg, "--json"])
    out = json.loads(result.stdout)
    assert out["accused"] == []
    assert out["code_length"] == 0
    assert out["candidates"][0]["recipient"] == "r1"
    assert any("not an accusation" in n for n in out["notes"])


def test_mark_human_output_says_what_it_wrote(tmp_path: Path) -> None:
    master = write_table(owners(300, seed=2), tmp_path / "owners.csv")
    out = tmp_path / "a.csv"
    args = ["mark", str(master), "--recipient", "装修公司", "--out", str(out)]
    args += ["--registry", str(tmp_path / "reg.db"), "--init"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "装修公司" in result.stdout and "honey" in result.stdout
    assert pl.read_csv(out, infer_schema=False).height >= 300


def test_trace_human_output_is_bilingual_and_masked(world: Any) -> None:
    leaked = simulate(
        [world.exports["销售03"]], SCENARIOS["all"], world.root / "cli-human.csv", seed=6
    )
    reg = str(world.root / "registry.db")
    result = runner.invoke(app, ["trace", str(leaked), "--registry", reg], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "该名单与下列接收方的副本一致" in result.stdout and "销售03" in result.stdout
    assert "候选人 candidates" in result.stdout and "不是认定" in result.stdout
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", result.stdout)
