"""The search index: what it finds is what the generator wrote, page by page, however the index
is cut into spill buckets and row groups; its fast normalisation equals ``records``; an index of
another Polars version (or the old SQLite one) asks for a rebuild."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from leaktrace.detect import classify_columns
from leaktrace.errors import InputError
from leaktrace.ingest import Failure, walk
from leaktrace.normalize import records
from leaktrace.scan import SAMPLE_ROWS
from leaktrace.serve import _search
from leaktrace.synth import write_large_csv
from leaktrace.synth.linked import write_linked_lists

CASE_ROWS = [
    # name, address, room column: the room column gives every part, some, or none
    ("韩梅", "浙江省杭州市西湖区文三路90号东部软件园3幢2单元1201室", "3幢2单元1201室"),
    ("韩梅", "浙江省杭州市西湖区文三路90号东部软件园3幢2单元1201室", "1201"),
    ("李雷", "浙江省杭州市西湖区文三路90号东部软件园5幢1单元302室", ""),
    ("李雷", "上海市浦东新区张杨路100号金桥花园5幢1单元302室", "5-1-302"),
    ("", "北京市朝阳区建国路8号华贸中心2号楼1单元101室", "2号楼101"),
    ("王芳", "", "7栋303"),
    ("王芳", "江苏省南京市玄武区中山路1号翠苑小区7栋3单元303室", "7栋303"),
]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("linked")
    write_linked_lists(out, 5, flats=150)
    return out


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spill every few hundred keys and write tiny row groups: every lookup crosses pieces."""
    monkeypatch.setattr(_search, "_SPILL_ROWS", 300)
    monkeypatch.setattr(_search, "ROW_GROUP", 64)


def _tables(root: Path) -> list[pl.DataFrame]:
    out = []
    for item in walk([str(root)]):
        assert not isinstance(item, Failure), item
        for table in item.tables:
            out.append(pl.concat(list(table.batches())))
    return out


def test_index_records_give_the_hits_of_records_with_addresses_split_only_where_needed(
    tmp_path: Path, linked: Path
) -> None:
    folder = tmp_path / "evidence"
    write_large_csv(folder / "large.csv", rows=3000, seed=3)
    lines = ["姓名,地址,房号"] + [",".join(r) for r in CASE_ROWS]
    (folder / "typed.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    only_addresses = ["姓名,住址"] + [f"{r[0]},{r[1]}" for r in CASE_ROWS]
    (folder / "addresses.csv").write_text("\n".join(only_addresses) + "\n", encoding="utf-8")
    tables = _tables(folder) + _tables(linked / "evidence")
    split_rows = 0
    for batch in tables:
        profiles = classify_columns(list(batch.columns), batch.head(SAMPLE_ROWS))
        fast = _search.batch_hits(_search.index_records(batch, profiles, offset=7), 3)
        full = _search.batch_hits(records(batch, profiles, offset=7, columns=_search._WANTED), 3)
        assert fast.sort(pl.all()).equals(full.sort(pl.all())), batch.columns
        split_rows += fast.height
    assert split_rows > 3000 * 4  # an ID, a mobile, name + room and most cards and e-mails


def _client_hits(case: Path, query: str, limit: int) -> list[tuple[str, int]]:
    """Every hit of ``query``, gathered page by page."""
    out: list[tuple[str, int]] = []
    offset = 0
    while True:
        page = _search.search(case, query, offset=offset, limit=limit)
        out += [(h["path"], h["row"]) for h in page["hits"]]
        offset += limit
        if offset >= page["total"]:
            assert len(out) == page["total"]
            return out


def test_search_finds_the_rows_the_generator_wrote_for_a_person(
    tmp_path: Path, linked: Path, small_pieces: None
) -> None:
    case = tmp_path / "case"
    shutil.copytree(linked / "evidence", case / "evidence")
    stats = _search.build_index(case, [case / "evidence"])
    assert stats["errors"] == [] and stats["tables"] == 5
    assert _search.index_info(case) == {"tables": 5, "rows": stats["rows"]}
    rows = pl.read_csv(linked / "truth" / "rows.csv")
    people = pl.read_csv(linked / "truth" / "people.csv", infer_schema=False)
    assert stats["rows"] == rows.height
    with_id = ("业主名册.xlsx", "实名认证.csv")
    with_room = ("业主名册.xlsx", "装修客户.csv")
    checked = 0
    for person in people.sample(40, seed=1).iter_rows(named=True):
        pid = int(person["person_id"])
        # by ID number: the rows of this person in the lists that show ID numbers
        want = sorted(
            (f"evidence/{f}", r + 1)
            for f, r in rows.filter((pl.col("person_id") == pid) & pl.col("file").is_in(with_id))
            .select("file", "row")
            .iter_rows()
        )
        found = _client_hits(case, person["cn_id"], limit=3)
        assert found == want, person["person_id"]
        # by name and room: the rows of everyone of this name in this flat, in lists of rooms
        same = (
            people.filter(
                (pl.col("name") == person["name"])
                & (pl.col("building") == person["building"])
                & (pl.col("unit") == person["unit"])
                & (pl.col("room") == person["room"])
            )
            .get_column("person_id")
            .cast(pl.Int64)
        )
        want_room = sorted(
            (f"evidence/{f}", r + 1)
            for f, r in rows.filter(
                pl.col("person_id").is_in(same.implode()) & pl.col("file").is_in(with_room)
            )
            .select("file", "row")
            .iter_rows()
        )
        query = f"{person['name']} {person['building']}-{person['unit']}-{person['room']}"
        assert _client_hits(case, query, limit=5) == want_room, query
        checked += len(want) + len(want_room)
    assert checked > 60
    # the index holds keys, never the values
    raw = (case / "work" / _search.INDEX_FILE).read_bytes()
    assert people.get_column("cn_id")[0].encode() not in raw
    assert people.get_column("mobile")[0].encode() not in raw


def test_every_page_of_a_large_list_in_order(tmp_path: Path, small_pieces: None) -> None:
    """A mobile repeated across two files: every row that holds it, in file and row order."""
    evidence = tmp_path / "case" / "evidence"
    write_large_csv(evidence / "a.csv", rows=2000, seed=8)
    first = pl.read_csv(evidence / "a.csv", infer_schema=False)
    mobile = first.get_column("手机号")[5].replace("-", "")
    # b.csv: the same person's row at rows 3, 400 and 1999 (1-based) of a list of 2000
    other = pl.read_csv(write_large_csv(tmp_path / "b.csv", rows=2000, seed=9), infer_schema=False)
    other = other.filter(pl.col("手机号").str.replace_all("-", "") != mobile)
    for at in (2, 399, 1998):
        other = pl.concat([other.head(at), first.slice(5, 1), other.slice(at)])
    other.head(2000).write_csv(evidence / "b.csv")
    stats = _search.build_index(tmp_path / "case", [evidence])
    assert stats["keys"] > 10_000
    want = sorted(
        (f"evidence/{name}", i + 1)
        for name, frame in (("a.csv", first), ("b.csv", other.head(2000)))
        for i, value in enumerate(frame.get_column("手机号").to_list())
        if value.replace("-", "") == mobile
    )
    assert len(want) >= 4
    assert _client_hits(tmp_path / "case", mobile, limit=1) == want
    page = _search.search(tmp_path / "case", mobile, offset=1, limit=2)
    assert [(h["path"], h["row"]) for h in page["hits"]] == want[1:3]
    assert {h["field"] for h in page["hits"]} == {"mobile"}
    assert all(mobile not in str(h) for h in page["hits"])  # masked


def test_an_index_of_another_polars_or_the_old_sqlite_file_asks_for_a_rebuild_and_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "case"
    write_large_csv(case / "evidence" / "a.csv", rows=50, seed=1)
    (case / "work").mkdir()
    (case / "work" / "search.db").write_bytes(b"SQLite format 3\x00")
    assert _search.index_info(case) is None
    with pytest.raises(_search.IndexMissing):
        _search.search(case, "13812345678")
    with monkeypatch.context() as m:
        m.setattr(pl, "__version__", "0.0.1")
        _search.build_index(case, [case / "evidence"])
    assert not (case / "work" / "search.db").exists()  # the old index is gone
    assert _search.index_info(case) is None
    # what a build cut off by a stopped server left behind goes at the next build
    (case / "work" / ".index-spill-dead").mkdir()
    (case / "work" / ".index-spill-dead" / "000.arrow").write_bytes(b"x")
    (case / "work" / f".{_search.INDEX_FILE}.dead").write_bytes(b"x")
    _search.build_index(case, [case / "evidence"])
    assert _search.index_info(case) == {"tables": 1, "rows": 50}
    assert [p.name for p in (case / "work").iterdir()] == [_search.INDEX_FILE]


class _Table:
    def __init__(self, name: str, frames: list[pl.DataFrame], fail: bool) -> None:
        self.name, self.frames, self.fail = name, frames, fail

    def batches(self) -> Iterator[pl.DataFrame]:
        yield from self.frames
        if self.fail:
            raise InputError("文件在第二批处损坏 (corrupt after the first batch)", "broken.csv")


class _Item:
    def __init__(self, path: str, tables: list[_Table]) -> None:
        self.path, self.tables = path, tables


def test_a_table_that_breaks_half_way_keeps_its_own_rows_and_the_next_table_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "case"
    (case / "evidence").mkdir(parents=True)
    people = pl.DataFrame({"姓名": ["张伟", "王芳"], "手机号": ["13812345678", "13987654321"]})
    items = [
        _Item(str(case / "evidence" / "broken.csv"), [_Table("-", [people.head(1)], True)]),
        _Item(str(case / "evidence" / "good.csv"), [_Table("-", [people.tail(1)], False)]),
    ]
    monkeypatch.setattr(_search, "walk", lambda roots: iter(items))
    stats = _search.build_index(case, [case / "evidence"])
    assert [e["path"] for e in stats["errors"]] == ["broken.csv"]
    assert stats["rows"] == 2 and stats["files"] == 2 and stats["tables"] == 1
    first = _search.search(case, "13812345678")["hits"]
    second = _search.search(case, "13987654321")["hits"]
    assert [(h["path"], h["row"]) for h in first] == [("evidence/broken.csv", 1)]
    assert [(h["path"], h["row"]) for h in second] == [("evidence/good.csv", 1)]
    assert _search.index_info(case) == {"tables": 2, "rows": 2}
