"""The audit log: every login, upload, job, export and unmasking is an entry chained to the one
before; `leaktrace audit-log verify` finds an entry edited or removed, and names it."""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.serve.conftest import PASSWORD, make_workspace

LEAKTRACE = str(Path(sys.executable).parent / "leaktrace")
CSV = "姓名,手机号\n张三,13812345678\n".encode()


def verify(ws_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LEAKTRACE, "audit-log", "verify", "--workspace", str(ws_dir)],
        capture_output=True,
        text=True,
        check=False,
    )


def _activity(login: Any) -> int:
    alice = login("alice")
    case = alice.new_case("审计案")
    alice.upload(case, "名单.csv", CSV)
    alice.run(case, "scan")
    alice.wait(max(j["id"] for j in alice.get(f"/api/cases/{case}/jobs").json()["jobs"]))
    alice.post(f"/api/cases/{case}/unmask", json={"q": "13812345678", "reason": "核对原始证据"})
    return case


def test_every_action_is_logged_in_a_chain(workspace: Any, login: Any) -> None:
    case = _activity(login)
    entries, total = workspace.audit_entries(limit=500)
    actions = [e["action"] for e in reversed(entries)]
    for action in ("user_add", "login", "case_create", "upload", "job", "job_end", "unmask"):
        assert action in actions, action
    upload = next(e for e in entries if e["action"] == "upload")
    assert upload["detail"]["sha256"] == __import__("hashlib").sha256(CSV).hexdigest()
    assert upload["case_id"] == case
    ordered = sorted(entries, key=lambda e: e["id"])
    for before, after in itertools.pairwise(ordered):
        assert after["prev_hash"] == before["hash"]
    assert workspace.verify_audit() == (total, None)


def test_verify_passes_then_finds_an_edit(workspace: Any, login: Any) -> None:
    _activity(login)
    ok = verify(workspace.root)
    assert ok.returncode == 0, ok.stderr
    assert "完整" in ok.stdout
    db = sqlite3.connect(workspace.root / "workspace.db")
    target = db.execute("SELECT id, detail FROM audit_log WHERE action = 'unmask'").fetchone()
    detail = json.loads(target[1])
    detail["reason"] = "别的理由"
    db.execute(
        "UPDATE audit_log SET detail = ? WHERE id = ?",
        (json.dumps(detail, ensure_ascii=False), target[0]),
    )
    db.commit()
    db.close()
    bad = verify(workspace.root)
    assert bad.returncode == 1
    assert f"entry {target[0]}" in bad.stderr and "changed" in bad.stderr
    assert bad.stderr.count("\n") == 1  # one line, no traceback


def test_verify_finds_a_removed_entry_in_the_middle_and_at_the_end(
    workspace: Any, login: Any
) -> None:
    _activity(login)
    db = sqlite3.connect(workspace.root / "workspace.db")
    last = db.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    db.execute("DELETE FROM audit_log WHERE id = ?", (last,))
    db.commit()
    bad = verify(workspace.root)
    assert bad.returncode == 1 and f"entry {last} is missing" in bad.stderr
    db.execute("DELETE FROM audit_log WHERE id = 3")
    db.commit()
    db.close()
    bad = verify(workspace.root)
    assert bad.returncode == 1 and "entry 3 is missing" in bad.stderr


def test_user_add_from_the_terminal(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    r = subprocess.run(
        [
            LEAKTRACE,
            "user",
            "add",
            "王警官",
            "--role",
            "admin",
            "--workspace",
            str(ws_dir),
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    again = subprocess.run(
        [
            LEAKTRACE,
            "user",
            "add",
            "王警官",
            "--role",
            "admin",
            "--workspace",
            str(ws_dir),
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    short = subprocess.run(
        [
            LEAKTRACE,
            "user",
            "add",
            "李",
            "--role",
            "boss",
            "--workspace",
            str(ws_dir),
            "--password-stdin",
        ],
        input="x\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert short.returncode == 2 and "--role" in short.stderr
    ws = make_workspace.__globals__["Workspace"].open(ws_dir)
    try:
        assert ws.check_password("王警官", PASSWORD) is not None
        assert ws.check_password("王警官", "wrong") is None
        stored = (
            sqlite3.connect(ws_dir / "workspace.db")
            .execute("SELECT password_hash FROM users")
            .fetchone()[0]
        )
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
    finally:
        ws.close()
    assert verify(ws_dir).returncode == 0
