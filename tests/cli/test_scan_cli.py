"""The ``scan`` verb: exit codes, JSON on stdout, one-line errors, masking."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from leaktrace.cli import app

runner = CliRunner()


def _evidence(evidence_case: tuple[Path, dict[str, Any]]) -> Path:
    root, truth = evidence_case
    return root / truth["evidence_dir"]


def test_scan_json_exit_zero_and_parses(evidence_case):
    result = runner.invoke(app, ["scan", str(_evidence(evidence_case)), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["errors"] == []
    types = {c["type"] for f in payload["files"] for t in f["tables"] for c in t["columns"]}
    assert {"name", "cn_id", "mobile", "bank_card", "email", "room"} <= types


def test_scan_human_output_never_shows_a_full_mobile(evidence_case):
    result = runner.invoke(app, ["scan", str(_evidence(evidence_case))])
    assert result.exit_code == 0
    assert "手机号码" in result.stdout
    shown = re.sub(r"SHA-256 [0-9a-f]+", "", result.stdout)  # a digest may hold such digits
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", shown)


def test_scan_show_values_prints_full_values(evidence_case):
    result = runner.invoke(app, ["scan", str(_evidence(evidence_case)), "--show-values"])
    assert re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", result.stdout)


def test_scan_bad_file_is_one_line_and_exit_one(tmp_path):
    bad = tmp_path / "名单.xlsx"
    bad.write_bytes(b"PK\x03\x04truncated")
    result = runner.invoke(app, ["scan", str(bad), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["files"] == []
    [error] = payload["errors"]
    assert error["path"] == str(bad) and error["reason"]
    assert "Traceback" not in result.output


def test_scan_missing_path_is_usage_error(tmp_path):
    result = runner.invoke(app, ["scan", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv" in result.output
    assert "Traceback" not in result.output


def test_scan_unknown_format_is_usage_error(tmp_path):
    result = runner.invoke(app, ["scan", str(tmp_path), "--format", "docx"])
    assert result.exit_code == 2
