"""``leaktrace synth``: writes what it says, prints no personal values, exits as documented."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from leaktrace.cli import app

runner = CliRunner()


def test_synth_writes_a_folder_and_reports_it_as_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", str(tmp_path), "--rows", "40", "--seed", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert summary["truth"] == str(tmp_path / "truth.json")
    assert [f["path"] for f in summary["files"]] == [f["path"] for f in truth["files"]]
    assert summary["rows"] == 40 and summary["seed"] == 2


def test_human_output_names_files_but_no_personal_values(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", str(tmp_path), "--rows", "30"])
    assert result.exit_code == 0, result.output
    assert "已生成 generated" in result.stdout
    people = pl.read_parquet(tmp_path / "truth" / "people.parquet")
    for value in people["mobile"].to_list() + people["cn_id"].to_list():
        assert value not in result.stdout


def test_large_csv_needs_rows_and_writes_them(tmp_path: Path) -> None:
    target = tmp_path / "big.csv"
    assert runner.invoke(app, ["synth", "--large-csv", str(target)]).exit_code == 2
    result = runner.invoke(app, ["synth", "--large-csv", str(target), "--rows", "250", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == 250
    assert len(target.read_text(encoding="utf-8").splitlines()) == 251


def test_out_dir_and_large_csv_together_is_a_usage_error(tmp_path: Path) -> None:
    args = ["synth", str(tmp_path), "--large-csv", str(tmp_path / "x.csv"), "--rows", "5"]
    assert runner.invoke(app, args).exit_code == 2
