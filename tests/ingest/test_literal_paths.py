"""A path is a name, never a pattern: `[ ] * ? { }` in file and folder names read that file.

Polars expands globs in the paths it is given; a file named `list[12].csv` beside `list1.csv` and
`list2.csv` was once read as those two files, under its own SHA-256. Every reader is checked here
with such names, and the hash reported is checked against the bytes of the file whose rows came out.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
import xlwt
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.ingest import Evidence

from .conftest import rows, walk_all

ODD_FOLDERS = ["d[1]", "d*", "d?", "d{a,b}", "[x]*?{y}"]
ODD_STEMS = ["list[12]", "l*", "l?", "l{1,2}", "[!a]-]"]


def _csv(name: str, mobile: str) -> bytes:
    return f"姓名,手机\n{name},{mobile}\n".encode()


def _xlsx(name: str, mobile: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("名单")
    sheet.write_row(0, 0, ["姓名", "手机"])
    sheet.write_row(1, 0, [name, mobile])
    book.close()
    return buffer.getvalue()


def _xls(name: str, mobile: str) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    for col, value in enumerate(["姓名", "手机"]):
        sheet.write(0, col, value)
    for col, value in enumerate([name, mobile]):
        sheet.write(1, col, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _json(name: str, mobile: str) -> bytes:
    return json.dumps([{"姓名": name, "手机": mobile}], ensure_ascii=False).encode()


def _jsonl(name: str, mobile: str) -> bytes:
    return (json.dumps({"姓名": name, "手机": mobile}, ensure_ascii=False) + "\n").encode()


def _sql(name: str, mobile: str) -> bytes:
    return (
        "CREATE TABLE `users` (`姓名` varchar(20), `手机` varchar(20));\n"
        f"INSERT INTO `users` VALUES ('{name}','{mobile}');\n"
    ).encode()


def _parquet(name: str, mobile: str) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"姓名": [name], "手机": [mobile]}), buffer)
    return buffer.getvalue()


def _gbk_csv(name: str, mobile: str) -> bytes:
    return f"姓名,手机\n{name},{mobile}\n".encode("gbk")


def _txt(name: str, mobile: str) -> bytes:
    return f"姓名 手机\n{name} {mobile}\n".encode()


def _tsv(name: str, mobile: str) -> bytes:
    return f"姓名\t手机\n{name}\t{mobile}\n".encode()


WRITERS = {
    ".csv": _csv,
    ".gbk.csv": _gbk_csv,
    ".tsv": _tsv,
    ".txt": _txt,
    ".xlsx": _xlsx,
    ".xls": _xls,
    ".json": _json,
    ".jsonl": _jsonl,
    ".sql": _sql,
    ".parquet": _parquet,
}


def _only_rows(path: Path) -> tuple[Evidence, list[dict[str, str | None]]]:
    results = walk_all(path)
    assert len(results) == 1, results
    evidence = results[0]
    assert isinstance(evidence, Evidence), evidence
    return evidence, [row for table in range(len(evidence.tables)) for row in rows(evidence, table)]


@pytest.mark.parametrize("suffix", list(WRITERS))
@pytest.mark.parametrize("folder", ODD_FOLDERS)
def test_a_file_with_pattern_characters_reads_its_own_rows(
    tmp_path: Path, suffix: str, folder: str
) -> None:
    write = WRITERS[suffix]
    root = tmp_path / folder
    root.mkdir()
    # Decoys every pattern below would match if it were expanded.
    for decoy in ["list1", "list2", "l1", "l2", "la", "lx", "a", "-"]:
        (root / f"{decoy}{suffix}").write_bytes(write("诱饵", "13900000000"))
    for index, stem in enumerate(ODD_STEMS):
        target = root / f"{stem}{suffix}"
        data = write("张三", f"1380000000{index}")
        target.write_bytes(data)
        evidence, found = _only_rows(target)
        assert evidence.path == str(target)
        assert evidence.sha256 == hashlib.sha256(data).hexdigest()
        assert found == [{"姓名": "张三", "手机": f"1380000000{index}"}], (stem, found)


def test_a_folder_with_pattern_characters_is_walked_literally(tmp_path: Path) -> None:
    odd = tmp_path / "case[1]"
    odd.mkdir()
    (odd / "own.csv").write_bytes(_csv("张三", "13800000001"))
    other = tmp_path / "case1"
    other.mkdir()
    (other / "own.csv").write_bytes(_csv("诱饵", "13900000000"))
    results = walk_all(odd)
    assert [r.path for r in results] == [str(odd / "own.csv")]
    evidence = results[0]
    assert isinstance(evidence, Evidence)
    assert rows(evidence) == [{"姓名": "张三", "手机": "13800000001"}]


def test_zip_members_with_pattern_characters_read_their_own_rows(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    members = {"名单[1].csv": _csv("张三", "13800000001"), "名单1.csv": _csv("李四", "13800000002")}
    members["x*?{a}.c[s]v"] = _csv("王五", "13800000003")
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path = tmp_path / "pack[1]*.zip"
    path.write_bytes(buffer.getvalue())
    found = {}
    for result in walk_all(path)[1:]:
        assert isinstance(result, Evidence), result
        member = result.path.rsplit("!/", 1)[-1]
        assert result.sha256 == hashlib.sha256(members[member]).hexdigest()
        found[member] = rows(result)
    assert found == {
        "名单[1].csv": [{"姓名": "张三", "手机": "13800000001"}],
        "名单1.csv": [{"姓名": "李四", "手机": "13800000002"}],
        "x*?{a}.c[s]v": [{"姓名": "王五", "手机": "13800000003"}],
    }


def test_count_of_a_bracketed_name_counts_that_file_under_its_own_hash(tmp_path: Path) -> None:
    (tmp_path / "list1.csv").write_bytes(_csv("李四", "13900000001"))
    (tmp_path / "list2.csv").write_bytes(_csv("王五", "13900000002"))
    own = "姓名,手机\n张三,13800000001\n赵六,13800000002\n钱七,13800000003\n".encode()
    target = tmp_path / "list[12].csv"
    target.write_bytes(own)
    result = CliRunner().invoke(app, ["count", str(target), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    files = payload["files"]
    assert [f["path"] for f in files] == [str(target)]
    assert files[0]["sha256"] == hashlib.sha256(own).hexdigest()
    assert payload["records_read"] == 3


def test_scan_of_a_bracketed_name_finds_its_personal_information(tmp_path: Path) -> None:
    (tmp_path / "u1.csv").write_bytes("备注\n无\n".encode())
    target = tmp_path / "u[1].csv"
    target.write_bytes(_csv("张三", "13800000001"))
    result = CliRunner().invoke(app, ["scan", str(target), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    types = {c["type"] for f in payload["files"] for t in f["tables"] for c in t["columns"]}
    assert "mobile" in types
