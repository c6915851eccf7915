"""write_evidence_folder(): every file written is described by truth.json, and the truth holds."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from leaktrace.synth import TRUTH_SCHEMA, TYPE_IDS, write_evidence_folder

ROWS = 200


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("case")
    assert write_evidence_folder(out, seed=13, rows=ROWS) == out / "truth.json"
    return out


@pytest.fixture(scope="module")
def truth(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return data


def _members(name: str, data: bytes) -> list[str]:
    """Every file path inside a zip, nested zips opened, as ``a.zip!/b.csv``."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            path = f"{name}!/{member}"
            found.append(path)
            if member.endswith(".zip"):
                found += _members(path, archive.read(member))
    return found


def _read_member(folder: Path, path: str) -> bytes:
    outer, *inner = path.split("!/")
    data = (folder / "evidence" / outer).read_bytes()
    for part in inner:
        data = zipfile.ZipFile(io.BytesIO(data)).read(part)
    return data


def test_truth_covers_every_file_written_and_nothing_else(
    folder: Path, truth: dict[str, Any]
) -> None:
    written = []
    for path in sorted((folder / "evidence").rglob("*")):
        if path.is_file():
            rel = path.relative_to(folder / "evidence").as_posix()
            written.append(rel)
            if rel.endswith(".zip"):
                written += _members(rel, path.read_bytes())
    assert truth["schema"] == TRUTH_SCHEMA
    assert sorted(f["path"] for f in truth["files"]) == sorted(written)
    formats = {f["format"] for f in truth["files"]}
    assert formats == {"csv", "xlsx", "xls", "txt", "json", "jsonl", "sql", "zip"}
    assert any(f["path"].count("!/") == 2 for f in truth["files"])  # a zip inside a zip


def test_cells_and_persons_match_every_table(folder: Path, truth: dict[str, Any]) -> None:
    for f in truth["files"]:
        for table in f["tables"]:
            cells = pl.read_parquet(folder / table["cells"])
            assert cells.columns == list(table["columns"]), table["name"]
            assert cells.height == table["rows"]
            values = set(cells.unpivot()["value"].drop_nulls().unique())
            assert values <= {"valid", "invalid", "masked"}
            for column, type_id in table["columns"].items():
                assert type_id is None or type_id in TYPE_IDS
                if type_id is None:
                    assert cells[column].null_count() == cells.height
            persons = pl.read_parquet(folder / table["persons"])
            assert persons["row"].to_list() == list(range(table["rows"]))


def test_non_pi_columns_are_present_with_null_type(truth: dict[str, Any]) -> None:
    owners = _table(truth, "业主名单.csv", "业主名单.csv")
    assert owners["columns"]["序号"] is None
    assert owners["columns"]["签约日期"] is None
    assert owners["columns"]["业主姓名"] == "name"
    assert owners["columns"]["房号"] == "room"


def _table(truth: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    entry = next(f for f in truth["files"] if f["path"] == path)
    table: dict[str, Any] = next(t for t in entry["tables"] if t["name"] == name)
    return table


def test_gbk_and_bom_csvs_hold_exactly_the_truth_rows(folder: Path, truth: dict[str, Any]) -> None:
    for path, encoding in (("业主名单.csv", "gbk"), ("客户资料.csv", "utf-8-sig")):
        raw = (folder / "evidence" / path).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
        rows = list(csv.reader(io.StringIO(raw.decode(encoding))))
        table = _table(truth, path, path)
        assert rows[0] == list(table["columns"])
        assert len(rows) - 1 == table["rows"]


def test_phones_are_written_several_ways(folder: Path) -> None:
    text = (folder / "evidence" / "客户资料.csv").read_bytes().decode("utf-8-sig")
    assert "+86 1" in text
    assert any(f"{a}-" in text for a in range(130, 200))


def test_workbook_sheets_have_a_merged_title_above_the_header(
    folder: Path, truth: dict[str, Any]
) -> None:
    book = CalamineWorkbook.from_path(str(folder / "evidence" / "金都花园业主名单.xlsx"))
    entry = next(f for f in truth["files"] if f["path"] == "金都花园业主名单.xlsx")
    assert book.sheet_names == [t["name"] for t in entry["tables"]]
    for table in entry["tables"]:
        rows = book.get_sheet_by_name(table["name"]).to_python()
        assert rows[0][0] == "金都花园业主名单（2019年）"
        assert rows[table["header_row"]] == list(table["columns"])
        assert len(rows) - table["header_row"] - 1 == table["rows"]
    legacy = CalamineWorkbook.from_path(str(folder / "evidence" / "老客户.xls"))
    rows = legacy.get_sheet_by_name("客户").to_python()
    assert rows[0][0] == "2016年老客户回访表"
    assert rows[2] == list(_table(truth, "老客户.xls", "客户")["columns"])


def test_txt_list_has_no_header_and_three_space_separated_fields(
    folder: Path, truth: dict[str, Any]
) -> None:
    lines = (folder / "evidence" / "名单.txt").read_text(encoding="utf-8").splitlines()
    table = _table(truth, "名单.txt", "名单.txt")
    assert table["header_row"] is None
    assert list(table["columns"].values()) == ["name", "mobile", "address"]
    assert len(lines) == table["rows"]
    assert all(len(line.split(" ")) == 3 for line in lines)


def test_sql_dumps_name_their_tables(folder: Path) -> None:
    mysql = (folder / "evidence" / "dump_mysql.sql").read_text(encoding="utf-8")
    assert "INSERT INTO `owners` VALUES (" in mysql
    pg = (folder / "evidence" / "backup_pg.sql").read_text(encoding="utf-8")
    assert "INSERT INTO employees (full_name, cn_id, birthday" in pg


def test_chat_spans_point_at_the_values_in_the_messages(
    folder: Path, truth: dict[str, Any]
) -> None:
    table = _table(truth, "聊天记录.csv", "聊天记录.csv")
    assert table["free_text"] == ["消息"]
    spans = pl.read_parquet(folder / table["spans"])
    assert spans.columns == ["row", "column", "type", "start", "end", "status", "text"]
    rows = list(csv.reader(io.StringIO((folder / "evidence" / "聊天记录.csv").read_text("utf-8"))))
    messages = [r[2] for r in rows[1:]]
    assert {"name", "mobile", "cn_id", "address"} <= set(spans["type"])
    assert set(spans["status"]) <= {"valid", "invalid", "masked"}
    for span in spans.iter_rows(named=True):
        assert messages[span["row"]][span["start"] : span["end"]] == span["text"]


def test_the_same_people_appear_in_several_files(folder: Path, truth: dict[str, Any]) -> None:
    owners = pl.read_parquet(folder / _table(truth, "业主名单.csv", "业主名单.csv")["persons"])
    customers = pl.read_parquet(folder / _table(truth, "客户资料.csv", "客户资料.csv")["persons"])
    shared = set(owners["person_id"]) & set(customers["person_id"])
    assert len(shared) > ROWS * 0.2


def test_zip_members_are_the_files_truth_describes(folder: Path, truth: dict[str, Any]) -> None:
    table = _table(truth, "打包.zip!/inner.zip!/车主.csv", "车主.csv")
    text = _read_member(folder, "打包.zip!/inner.zip!/车主.csv").decode("gbk")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(table["columns"])
    assert len(rows) - 1 == table["rows"]


def test_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    write_evidence_folder(tmp_path / "a", seed=3, rows=30)
    write_evidence_folder(tmp_path / "b", seed=3, rows=30)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    assert files_a == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*"))
    for rel in files_a:
        if (tmp_path / "a" / rel).is_file():
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
