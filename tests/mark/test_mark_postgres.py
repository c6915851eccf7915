"""The registry on PostgreSQL: the same guarantees as on SQLite, through a real server.

Runs when ``LEAKTRACE_TEST_POSTGRES_URL`` names a server where the user may create databases
(``.ci/run`` starts one with ``.ci/postgres.sh``); each test gets a database of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from leaktrace.mark import MarkKeyError, Registry, RegistryError, mark_export
from leaktrace.synth.leak import owners, write_table
from leaktrace.trace import trace

ADMIN_URL = os.environ.get("LEAKTRACE_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="LEAKTRACE_TEST_POSTGRES_URL is not set")


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return write_table(owners(400, seed=5), tmp_path / "owners.csv")


def test_mark_and_trace_through_postgres(tmp_path: Path, pg_url: str, master: Path) -> None:
    key = tmp_path / "pg.key"
    reg = Registry.create(pg_url, key_file=key)
    for name in ("甲", "乙", "丙"):
        mark_export(master, recipient=name, registry=reg, out=tmp_path / f"{name}.csv")
    reg.close()
    reopened = Registry.open(pg_url, key_file=key)
    result = trace(tmp_path / "乙.csv", reopened)
    assert [a.recipient for a in result.accused] == ["乙"]
    assert {d.status for d in reopened.distributions()} == {"released"}


def test_wrong_key_on_postgres_is_refused(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Registry.create(pg_url, key_file=tmp_path / "pg.key").close()
    monkeypatch.setenv("LEAKTRACE_MARK_KEY", "22" * 32)
    with pytest.raises(MarkKeyError, match="wrong key"):
        Registry.open(pg_url)


def test_empty_postgres_database_is_not_a_registry(pg_url: str) -> None:
    with pytest.raises(RegistryError):
        Registry.open(pg_url)


_WORKER = """
import sys
from pathlib import Path
from leaktrace.mark import Registry, mark_export
reg = Registry.open(sys.argv[1], key_file=Path(sys.argv[2]))
for i in range(2):
    mark_export(Path(sys.argv[3]), recipient=sys.argv[4], registry=reg,
                out=Path(sys.argv[5] + f"-{i}.csv"))
"""


def test_concurrent_marks_on_postgres_all_commit(tmp_path: Path, pg_url: str, master: Path) -> None:
    key = tmp_path / "pg.key"
    reg = Registry.create(pg_url, key_file=key)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-W",
                "ignore",
                "-c",
                _WORKER,
                pg_url,
                str(key),
                str(master),
                name,
                str(tmp_path / name),
            ],
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()[-2000:]
    dists = reg.distributions()
    assert sorted(d.recipient for d in dists) == ["a", "a", "b", "b"]
    assert {d.status for d in dists} == {"released"}
    assert len(reg.masters()) == 1
    reg.close()
