"""The workspace on PostgreSQL (the server CI starts): migrations, users, cases, jobs, audit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.serve.conftest import Client, make_workspace

from leaktrace.serve import Workspace, create_app

ADMIN_URL = os.environ.get("LEAKTRACE_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="LEAKTRACE_TEST_POSTGRES_URL is not set")


def test_workspace_on_postgres(tmp_path: Path, pg_url: str) -> None:
    ws = make_workspace(tmp_path / "ws", pg_url)
    try:
        assert not (tmp_path / "ws" / "workspace.db").exists()
        alice, bob = Client(create_app(ws), "alice"), Client(create_app(ws), "bob")
        case = alice.new_case("库中案件")
        r = alice.upload(case, "名单.csv", "姓名,手机号\n张三,13812345678\n".encode())
        assert r.status_code == 201
        assert alice.run(case, "scan")["status"] == "done"
        assert alice.run(case, "index")["status"] == "done"
        found = alice.get(f"/api/cases/{case}/search", params={"q": "138-1234-5678"}).json()
        assert [(h["path"], h["row"], h["value"]) for h in found["hits"]] == [
            ("evidence/名单.csv", 1, "138****5678")
        ]
        assert alice.run(case, "mask")["status"] == "done"
        download = alice.get(f"/api/cases/{case}/masked.zip")
        assert download.status_code == 200 and download.content[:2] == b"PK"
        assert bob.get(f"/api/cases/{case}").status_code == 404
        checked, problem = ws.verify_audit()
        assert problem is None and checked > 5
    finally:
        ws.close()
    again = Workspace.open(tmp_path / "ws", pg_url)  # reopened: the same revision, the same data
    try:
        assert [u.name for u in again.users()] == ["alice", "bob", "rita", "root"]
        with again.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE audit_log SET user_name = 'mallory' WHERE id = 2")
        assert again.verify_audit()[1] == "entry 2: its content was changed"
    finally:
        again.close()
