"""The registry: keys, versions, atomic distributions and concurrent marks."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from leaktrace.mark import Exporter, MarkKeyError, Registry, RegistryError, mark_export
from leaktrace.mark import _mark as mark_impl
from leaktrace.synth.leak import owners, write_table


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return write_table(owners(300, seed=3), tmp_path / "owners.csv")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_registry_writes_a_key_file_only_its_owner_can_read(tmp_path: Path) -> None:
    Registry.create(str(tmp_path / "reg.db")).close()
    key_file = tmp_path / "reg.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_hex = key_file.read_text().strip()
    assert key_hex.encode() not in (tmp_path / "reg.db").read_bytes()


def test_missing_registry_is_refused_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not found"):
        Registry.open(str(tmp_path / "nope.db"))
    assert not (tmp_path / "nope.db").exists()


def test_wrong_key_is_refused_and_registry_untouched(
    tmp_path: Path, master: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = Registry.create(str(tmp_path / "reg.db"))
    mark_export(master, recipient="a", registry=reg, out=tmp_path / "a.csv")
    reg.close()
    before = _digest(tmp_path / "reg.db")
    monkeypatch.setenv("LEAKTRACE_MARK_KEY", "11" * 32)
    with pytest.raises(MarkKeyError, match="wrong key"):
        Registry.open(str(tmp_path / "reg.db"))
    assert _digest(tmp_path / "reg.db") == before


def test_group_readable_key_file_is_refused(tmp_path: Path) -> None:
    Registry.create(str(tmp_path / "reg.db")).close()
    os.chmod(tmp_path / "reg.db.key", 0o644)
    with pytest.raises(MarkKeyError, match="readable by others"):
        Registry.open(str(tmp_path / "reg.db"))


def test_registry_of_another_schema_version_is_refused_untouched(tmp_path: Path) -> None:
    Registry.create(str(tmp_path / "reg.db")).close()
    with sqlite3.connect(tmp_path / "reg.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")
    before = _digest(tmp_path / "reg.db")
    with pytest.raises(RegistryError, match="schema version 0099"):
        Registry.open(str(tmp_path / "reg.db"))
    assert _digest(tmp_path / "reg.db") == before


def test_a_database_that_is_not_a_registry_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "other.db") as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(RegistryError, match="not a LeakTrace registry"):
        Registry.open(str(tmp_path / "other.db"))


def test_interrupted_mark_leaves_an_incomplete_record_and_no_file(
    tmp_path: Path, master: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = Registry.create(str(tmp_path / "reg.db"))

    def interrupted(*_args: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(mark_impl, "_csv_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        mark_export(master, recipient="a", registry=reg, out=tmp_path / "a.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["owners.csv", "reg.db", "reg.db.key"]
    [dist] = reg.distributions()
    assert (dist.recipient, dist.status) == ("a", "incomplete")


def test_distribution_is_committed_before_the_file_is_released(
    tmp_path: Path, master: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = Registry.create(str(tmp_path / "reg.db"))
    seen: list[str] = []
    real_replace = os.replace

    def watching_replace(src: str, dst: str) -> None:
        other = Registry.open(str(tmp_path / "reg.db"))
        seen.extend(d.status for d in other.distributions())
        other.close()
        real_replace(src, dst)

    monkeypatch.setattr(mark_impl.os, "replace", watching_replace)
    mark_export(master, recipient="a", registry=reg, out=tmp_path / "a.csv")
    assert seen == ["incomplete"]
    assert [d.status for d in reg.distributions()] == ["released"]


_WORKER = """
import sys
from pathlib import Path
from leaktrace.mark import Registry, mark_export
reg = Registry.open(sys.argv[1])
for i in range(2):
    mark_export(Path(sys.argv[2]), recipient=sys.argv[3], registry=reg,
                out=Path(sys.argv[4] + f"-{i}.csv"))
"""


def test_concurrent_marks_from_two_processes_all_commit(tmp_path: Path, master: Path) -> None:
    reg = Registry.create(str(tmp_path / "reg.db"))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-W",
                "ignore",
                "-c",
                _WORKER,
                str(tmp_path / "reg.db"),
                str(master),
                name,
                str(tmp_path / name),
            ],
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
    dists = reg.distributions()
    assert sorted(d.recipient for d in dists) == ["a"] * 2 + ["b"] * 2
    assert {d.status for d in dists} == {"released"}
    assert len({d.uid for d in dists}) == 4
    assert len(reg.masters()) == 1
    assert all((tmp_path / f"{n}-{i}.csv").exists() for n in "ab" for i in range(2))


def test_exporter_reuses_a_registered_master(tmp_path: Path, master: Path) -> None:
    reg = Registry.create(str(tmp_path / "reg.db"))
    first = Exporter.open(master, reg)
    second = Exporter.open(master, reg)
    assert first.master.id == second.master.id
    assert second.notes == [
        "未给 --trap-pool：蜜罐记录不含电话或邮箱 "
        "no --trap-pool: honey records carry no phone or email"
    ]
