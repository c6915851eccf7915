"""Archives: nested members, bombs, encryption, depth, GBK member names."""

from __future__ import annotations

import gc
import io
import tempfile
import zipfile
from pathlib import Path

import pytest

from leaktrace.ingest import Evidence, Failure, Limits

from .conftest import rows, walk_all

CSV = "姓名,手机\n张三,13800000000\n".encode()


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_nested_zip_members_are_evidence_with_bang_paths(tmp_path: Path) -> None:
    inner = _zip_bytes({"b/inner.csv": CSV})
    path = tmp_path / "outer.zip"
    path.write_bytes(_zip_bytes({"a.csv": CSV, "nested.zip": inner}))
    results = walk_all(path)
    assert all(isinstance(r, Evidence) for r in results)
    found = {r.path: (r.format, r.parent) for r in results if isinstance(r, Evidence)}
    outer, nested = str(path), f"{path}!/nested.zip"
    assert found == {
        outer: ("zip", None),
        f"{outer}!/a.csv": ("csv", outer),
        nested: ("zip", outer),
        f"{nested}!/b/inner.csv": ("csv", nested),
    }
    member = next(r for r in results if r.path.endswith("inner.csv"))
    assert isinstance(member, Evidence)
    assert member.tables[0].name == "inner.csv"
    assert rows(member) == [{"姓名": "张三", "手机": "13800000000"}]


def test_member_tables_stay_readable_after_the_walk(tmp_path: Path) -> None:
    path = tmp_path / "outer.zip"
    path.write_bytes(_zip_bytes({"a.csv": CSV}))
    member = walk_all(path)[1]
    assert isinstance(member, Evidence)
    table = member.tables[0]
    del member
    assert sum(b.height for b in table.batches()) == 1


def test_zip_bomb_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip_bytes({"zeros.csv": b"0" * 5_000_000, "ok.csv": CSV}))
    limits = Limits(ratio_min_bytes=1_000_000, max_ratio=200)
    results = walk_all(path, limits=limits)
    failures = [r for r in results if isinstance(r, Failure)]
    assert [f.path for f in failures] == [f"{path}!/zeros.csv"]
    assert "zip bomb" in failures[0].reason
    assert any(r.path.endswith("ok.csv") and isinstance(r, Evidence) for r in results)


def test_member_over_size_limit_and_total_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    path.write_bytes(_zip_bytes({"a.csv": CSV * 100, "b.csv": CSV * 100}))
    one = len(CSV) * 100
    over = walk_all(path, limits=Limits(max_member_bytes=one - 1))
    assert next(r.reason for r in over if isinstance(r, Failure)).startswith("zip 内文件")
    capped = walk_all(path, limits=Limits(max_archive_bytes=one + 10))
    reasons = [r.reason for r in capped if isinstance(r, Failure)]
    assert len(reasons) == 1
    assert "total limit" in reasons[0]


def test_encrypted_member_is_password_protected(tmp_path: Path) -> None:
    data = bytearray(_zip_bytes({"secret.csv": CSV}))
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    path = tmp_path / "locked.zip"
    path.write_bytes(bytes(data))
    archive, member = walk_all(path)
    assert isinstance(archive, Evidence)
    assert isinstance(member, Failure)
    assert member.path == f"{path}!/secret.csv"
    assert member.reason.startswith("有密码保护")


def test_nesting_deeper_than_the_limit_is_refused(tmp_path: Path) -> None:
    data = _zip_bytes({"deep.csv": CSV})
    for level in range(4):
        data = _zip_bytes({f"level{level}.zip": data})
    path = tmp_path / "deep.zip"
    path.write_bytes(data)
    results = walk_all(path, limits=Limits(max_depth=3))
    failures = [r for r in results if isinstance(r, Failure)]
    assert len(failures) == 1
    assert "nested deeper than 3" in failures[0].reason


def test_gbk_member_names_are_repaired(tmp_path: Path) -> None:
    gbk_name = "业主名单.csv".encode("gbk")
    placeholder = b"X" * (len(gbk_name) - 4) + b".csv"
    data = _zip_bytes({placeholder.decode(): CSV}).replace(placeholder, gbk_name)
    path = tmp_path / "gbk.zip"
    path.write_bytes(data)
    assert walk_all(path)[1].path == f"{path}!/业主名单.csv"


def test_corrupt_member_does_not_stop_the_others(tmp_path: Path) -> None:
    path = tmp_path / "mixed.zip"
    path.write_bytes(_zip_bytes({"a.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "b.csv": CSV}))
    results = walk_all(path)
    assert [type(r).__name__ for r in results] == ["Evidence", "Failure", "Evidence"]
    assert isinstance(results[1], Failure)
    assert results[1].reason == (
        "不支持的证据格式（二进制文件）not a supported evidence format (binary: PNG image)"
    )


def test_extracted_members_are_removed_once_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    path = tmp_path / "outer.zip"
    path.write_bytes(_zip_bytes({"a.csv": CSV, "n.zip": _zip_bytes({"b.csv": CSV})}))
    kept = [r for r in walk_all(path) if isinstance(r, Evidence) and r.tables]
    assert len(list(scratch.iterdir())) == 2
    assert [sum(b.height for b in r.tables[0].batches()) for r in kept] == [1, 1]
    del kept
    gc.collect()
    assert list(scratch.iterdir()) == []
