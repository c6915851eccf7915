"""The ``mask`` verb: Chinese-first output, JSON, and one clear line for every mistake."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from leaktrace.cli import app

runner = CliRunner()


def _invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["mask", *args], env={"COLUMNS": "200", **(env or {})})


def test_mask_prints_what_it_replaced_per_type_chinese_first(evidence, tmp_path):
    result = _invoke(str(evidence / "owners.csv"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "手机号码 mobile 4" in result.stdout
    assert "居民身份证号码 cn_id 3" in result.stdout
    assert "13812345678" not in result.stdout


def test_mask_json_names_every_copy_and_its_counts(evidence, tmp_path):
    result = _invoke(str(evidence), "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["mode"] == "mask" and payload["errors"] == []
    by_name = {f["out"].rsplit("/", 1)[-1]: f for f in payload["files"]}
    assert by_name["owners.csv"]["masked"]["mobile"] == 4
    assert by_name["owners.csv"]["rows"] == 3 and by_name["owners.csv"]["encoding"] == "gbk"
    assert payload["masked"]["mobile"] == sum(
        f["masked"].get("mobile", 0) for f in payload["files"]
    )


def test_pseudonym_with_a_key_file_creates_the_key(evidence, tmp_path):
    key = tmp_path / "mask.key"
    result = _invoke(
        str(evidence / "contacts.tsv"), "--out", str(tmp_path / "out"), "--pseudonym",
        "--key-file", str(key),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert key.exists() and "假名 pseudonyms" in result.stdout


def test_pseudonym_without_a_key_is_a_usage_error(evidence, tmp_path):
    result = _invoke(str(evidence), "--out", str(tmp_path / "out"), "--pseudonym")
    assert result.exit_code == 2
    assert "LEAKTRACE_MASK_KEY" in result.output and "Traceback" not in result.output


def test_masking_onto_its_own_input_is_refused_and_the_input_kept(evidence):
    before = (evidence / "owners.csv").read_bytes()
    result = _invoke(str(evidence / "owners.csv"), "--out", str(evidence), "--force")
    assert result.exit_code == 1
    assert "owners.csv" in result.output and "its own input" in result.output
    assert (evidence / "owners.csv").read_bytes() == before


def test_an_output_folder_inside_the_input_folder_is_refused(evidence):
    result = _invoke(str(evidence), "--out", str(evidence / "masked"))
    assert result.exit_code == 1
    assert "inside the folder being masked" in result.output
    assert not (evidence / "masked").exists()


def test_an_existing_copy_is_kept_unless_force(evidence, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "contacts.tsv").write_text("earlier work", encoding="utf-8")
    result = _invoke(str(evidence / "contacts.tsv"), "--out", str(out))
    assert result.exit_code == 1 and "--force" in result.output
    assert (out / "contacts.tsv").read_text(encoding="utf-8") == "earlier work"
    assert _invoke(str(evidence / "contacts.tsv"), "--out", str(out), "--force").exit_code == 0
    assert "138****5678" in (out / "contacts.tsv").read_text(encoding="utf-8")


def test_an_unreadable_file_is_one_line_and_the_others_are_still_copied(evidence, tmp_path):
    (evidence / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    result = _invoke(str(evidence), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "broken.xlsx" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "broken.xlsx").exists()
    assert (tmp_path / "out" / "owners.csv").exists()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".part")]


def test_a_format_mask_cannot_write_is_refused_by_name(tmp_path):
    dump = tmp_path / "dump.sql"
    dump.write_text(
        "INSERT INTO users (name, phone) VALUES ('张伟', '13812345678');\n", encoding="utf-8"
    )
    result = _invoke(str(dump), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "cannot write a masked copy of a sql file" in result.output


def test_an_output_that_is_a_file_is_refused(evidence, tmp_path):
    (tmp_path / "out").write_text("x", encoding="utf-8")
    result = _invoke(str(evidence), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "not a folder" in result.output
