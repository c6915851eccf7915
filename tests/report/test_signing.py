"""Signed reports: `key init`, the manifest `report` writes, and `verify` on every tamper case."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.report import KEY_ENV, init_key

runner = CliRunner()


def _invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": "300", **(env or {})})


@pytest.fixture
def case(demo: Any, tmp_path: Path) -> Path:
    """A private copy of the demo case and its signed reports, free to tamper with."""
    assert demo.exit_code == 0, demo.stdout
    copy = tmp_path / "case"
    shutil.copytree(demo.out, copy)
    return copy


def _manifest(case: Path) -> dict[str, Any]:
    return json.loads((case / "reports" / "report.html.manifest.json").read_text("utf-8"))


def test_key_init_writes_a_private_key_only_its_owner_reads(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "me.key"
    result = _invoke("key", "init", "--key", str(key))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (tmp_path / "keys" / "me.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert str(tmp_path / "keys" / "me.pub") in result.stdout.replace("\n", "")
    assert re.search(r"SHA256:[A-Za-z0-9+/]{43}", result.stdout)


def test_key_init_never_overwrites_a_key(tmp_path: Path) -> None:
    key = tmp_path / "me.key"
    init_key(key)
    before = key.read_bytes()
    result = _invoke("key", "init", "--key", str(key))
    assert result.exit_code == 2
    assert "never overwritten" in result.stderr
    assert key.read_bytes() == before


def test_a_key_others_can_read_is_refused(case: Path, tmp_path: Path) -> None:
    key = tmp_path / "loose.key"
    init_key(key)
    key.chmod(0o644)
    result = _invoke("report", str(case), "--out", str(tmp_path / "r.html"), "--key", str(key))
    assert result.exit_code == 1
    assert "chmod 600" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_report_without_a_key_says_how_to_make_one(case: Path, tmp_path: Path) -> None:
    missing = tmp_path / "none.key"
    result = _invoke("report", str(case), "--out", str(tmp_path / "r.html"),
                     env={KEY_ENV: str(missing)})  # fmt: skip
    assert result.exit_code == 1
    assert "leaktrace key init" in result.stderr


def test_the_manifest_lists_every_output_and_evidence_file(case: Path) -> None:
    body = _manifest(case)["manifest"]
    assert sorted(o["path"] for o in body["outputs"]) == ["report.chain.html", "report.html"]
    on_disk = sorted(
        str(p.relative_to(case)) for p in (case / "evidence").rglob("*") if p.is_file()
    )
    listed = sorted(e["path"] for e in body["evidence"] if not e["member_of"])
    assert listed == on_disk
    assert body["signed_at"].endswith("+08:00")
    assert body["examiner"]["examiner"] == "演示检验员 demo examiner"


def test_verify_an_untouched_report(case: Path) -> None:
    result = _invoke("verify", str(case / "reports"))
    assert result.exit_code == 0, result.stdout
    fingerprint = _manifest(case)["manifest"]["key"]["fingerprint"]
    out = result.stdout
    assert out.count("验证通过 verified") == 3
    assert fingerprint in out and "演示检验员" in out and "北京时间 (UTC+8)" in out


def test_verify_names_a_changed_byte_of_the_report(case: Path) -> None:
    page = case / "reports" / "report.html"
    data = bytearray(page.read_bytes())
    data[len(data) // 2] ^= 0x01
    page.write_bytes(bytes(data))
    result = _invoke("verify", str(page))
    assert result.exit_code == 1
    assert "report file report.html: altered" in result.stdout


def test_verify_names_an_altered_evidence_file(case: Path) -> None:
    entry = next(e for e in _manifest(case)["manifest"]["evidence"] if not e["member_of"])
    with (case / entry["path"]).open("ab") as fh:
        fh.write(b"\n")
    result = _invoke("verify", str(case / "reports" / "report.json.manifest.json"))
    assert result.exit_code == 1
    assert f"检材 evidence {entry['item']} ({entry['path']}): altered" in result.stdout


def test_verify_names_a_missing_evidence_file(case: Path) -> None:
    entry = _manifest(case)["manifest"]["evidence"][-1]
    entry = next(e for e in _manifest(case)["manifest"]["evidence"] if not e["member_of"])
    (case / entry["path"]).unlink()
    result = _invoke("verify", str(case / "reports" / "report.xlsx"))
    assert result.exit_code == 1
    assert f"({entry['path']}): missing" in result.stdout


def test_verify_refuses_an_edited_manifest(case: Path) -> None:
    path = case / "reports" / "report.html.manifest.json"
    document = json.loads(path.read_text("utf-8"))
    document["manifest"]["examiner"]["examiner"] = "别人"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = _invoke("verify", str(path))
    assert result.exit_code == 1
    assert "signature does not match" in result.stdout


def test_verify_refuses_a_signature_by_another_key(case: Path, tmp_path: Path) -> None:
    path = case / "reports" / "report.html.manifest.json"
    document = json.loads(path.read_text("utf-8"))
    document["signature"] = base64.b64encode(bytes(64)).decode()
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = _invoke("verify", str(path))
    assert result.exit_code == 1
    assert "signature does not match" in result.stdout


def test_verify_insists_on_the_examiners_public_key(case: Path, tmp_path: Path) -> None:
    _, other_public, _ = init_key(tmp_path / "other.key")
    result = _invoke("verify", str(case / "reports"), "--key", str(other_public))
    assert result.exit_code == 1
    assert "not by the given key" in result.stdout
    own = case / "examiner" / "demo.pub"
    assert _invoke("verify", str(case / "reports"), "--key", str(own)).exit_code == 0


def test_an_unsigned_manifest_does_not_verify(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "r.json"
    result = _invoke("report", str(case), "--format", "json", "--out", str(out), "--unsigned")
    assert result.exit_code == 0, result.output
    verified = _invoke("verify", str(out))
    assert verified.exit_code == 1
    assert "not signed" in verified.stdout


def test_report_never_overwrites_a_file_it_did_not_write(case: Path, tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    unrelated = {"chain.html": b"<p>mine</p>", "my.chain.html": b"<p>also mine</p>"}
    for name, data in unrelated.items():
        (folder / name).write_bytes(data)
    result = _invoke("report", str(case), "--out", str(folder / "my.html"))
    assert result.exit_code == 2
    assert "my.chain.html" in result.stderr and "no earlier report wrote" in result.stderr
    assert not (folder / "my.html").exists()
    (folder / "my.chain.html").unlink()
    del unrelated["my.chain.html"]
    for _ in range(2):  # a second run replaces what the first wrote, and only that
        result = _invoke("report", str(case), "--out", str(folder / "my.html"))
        assert result.exit_code == 0, result.output
    assert (folder / "chain.html").read_bytes() == b"<p>mine</p>"
    assert 'href="my.chain.html"' in (folder / "my.html").read_text("utf-8")
    assert _invoke("verify", str(folder / "my.html")).exit_code == 0


def test_report_refuses_to_replace_a_report_no_manifest_claims(case: Path, tmp_path: Path):
    out = tmp_path / "old.json"
    out.write_text("{}")
    result = _invoke("report", str(case), "--format", "json", "--out", str(out))
    assert result.exit_code == 2
    assert out.read_text() == "{}"
    assert not os.path.exists(str(out) + ".manifest.json")
