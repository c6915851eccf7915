"""Formats by content, not by name; bad files become one-line failures, never tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, detect_encoding, sha256_file, walk

from .conftest import only_evidence, only_failure, rows, walk_all


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    failure = only_failure(path)
    assert (failure.reason, failure.size) == ("空文件 empty file", 0)
    assert failure.sha256 == sha256_file(path)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"\x7fELF\x02\x01\x01" + bytes(100), "ELF executable"),
    ],
)
def test_binary_files(tmp_path: Path, data: bytes, kind: str) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(data)
    assert only_failure(path).reason == (
        f"不支持的证据格式（二进制文件）not a supported evidence format (binary: {kind})"
    )


def test_unknown_binary(tmp_path: Path) -> None:
    path = tmp_path / "blob.dat"
    path.write_bytes(bytes(range(256)) * 10)
    assert only_failure(path).reason == (
        "不支持的证据格式（二进制文件）not a supported evidence format (binary)"
    )


def test_wrongly_named_file_is_read_by_content_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    path.write_text("姓名,手机\n张三,13800000000\n", encoding="utf-8")
    ev = only_evidence(path)
    assert ev.format == "csv"
    assert ev.notes == ["named .xlsx but the content is csv; read as csv"]
    assert rows(ev) == [{"姓名": "张三", "手机": "13800000000"}]


def test_folders_are_walked_in_sorted_order_and_failures_do_not_stop_the_run(
    tmp_path: Path,
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.csv").write_text("姓名\n张三\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("姓名\n李四\n", encoding="utf-8")
    (tmp_path / "c.csv").write_bytes(b"")
    results = walk_all(tmp_path)
    assert [(Path(r.path).name, type(r).__name__) for r in results] == [
        ("a.csv", "Evidence"),
        ("2.csv", "Evidence"),
        ("c.csv", "Failure"),
    ]


def test_missing_path(tmp_path: Path) -> None:
    assert only_failure(tmp_path / "nope.csv").reason == "文件或文件夹不存在 no such file or folder"


def test_forced_format(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    ev = only_evidence(path, format="tsv")
    assert ev.format == "tsv"
    assert rows(ev) == [{"a": "1", "b": "2"}]


def test_unknown_forced_names_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown format"):
        list(walk([tmp_path], format="docx"))
    with pytest.raises(InputError, match="unknown encoding"):
        list(walk([tmp_path], encoding="klingon"))


def test_detect_encoding_prefers_bom_then_utf8() -> None:
    assert detect_encoding(["张三".encode("utf-8-sig")]) == "utf-8-sig"
    assert detect_encoding(["张三".encode()]) == "utf-8"
    assert detect_encoding(["张三,李四,王五\n".encode("gbk")]) == "gbk"


def test_a_reader_crash_is_a_failure_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1" + bytes(50))
    results = walk_all(path)
    assert len(results) == 1
    assert isinstance(results[0], Failure)
    assert not isinstance(results[0], Evidence)
    assert "parquet" in results[0].reason


def test_one_ahead_produces_the_next_item_while_the_caller_holds_this_one() -> None:
    import threading

    from leaktrace.ingest import one_ahead

    produced: list[int] = []
    ready = threading.Event()

    def items():
        for i in range(3):
            produced.append(i)
            if i == 1:
                ready.set()
            yield i

    seen = []
    for item in one_ahead(items()):
        if item == 0:
            # item 1 is made on the worker thread while the caller still holds item 0
            assert ready.wait(timeout=5)
            assert produced[:2] == [0, 1]
        seen.append(item)
    assert seen == [0, 1, 2]


def test_walk_ahead_yields_what_walk_yields(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"part_{i}.csv").write_text(
            f"姓名,手机\n张三,1380000000{i}\n", encoding="utf-8"
        )
    (tmp_path / "empty.csv").write_bytes(b"")
    plain = [(r.path, r.sha256) for r in walk([tmp_path])]
    ahead = [(r.path, r.sha256) for r in walk([tmp_path], ahead=True)]
    assert ahead == plain and len(plain) == 4
