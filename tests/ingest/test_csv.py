"""Delimited text: delimiters, headers under titles, whitespace lists, encodings, limits."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from leaktrace.ingest import Limits

from .conftest import only_evidence, only_failure, rows

OWNERS = (
    "序号,姓名,联系电话,住址\n"
    "1,张三,13800000000,浙江省杭州市西湖区文三路1号\n"
    "2,李四,13900000000,浙江省杭州市西湖区文三路2号\n"
)


def test_plain_csv_reads_header_and_all_values_as_text(tmp_path: Path) -> None:
    path = tmp_path / "owners.csv"
    path.write_text(OWNERS, encoding="utf-8")
    ev = only_evidence(path)
    assert (ev.format, ev.encoding, ev.size) == ("csv", "utf-8", path.stat().st_size)
    table = ev.tables[0]
    assert table.name == "owners.csv"
    assert table.columns == ["序号", "姓名", "联系电话", "住址"]
    assert table.header_row == 0
    assert rows(ev)[0] == {
        "序号": "1",
        "姓名": "张三",
        "联系电话": "13800000000",
        "住址": "浙江省杭州市西湖区文三路1号",
    }


def test_sha256_matches_hashlib(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "owners.csv"
    path.write_text(OWNERS, encoding="utf-8")
    assert only_evidence(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_title_and_blank_row_above_header_on_line_3(tmp_path: Path) -> None:
    path = tmp_path / "jindu.csv"
    path.write_text("金都花园业主名单（2019年）,,,\n,,,\n" + OWNERS, encoding="utf-8")
    ev = only_evidence(path)
    assert ev.tables[0].header_row == 2
    assert ev.tables[0].columns == ["序号", "姓名", "联系电话", "住址"]
    assert [r["姓名"] for r in rows(ev)] == ["张三", "李四"]


def test_empty_cells_and_blank_lines_become_null_not_rows(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text('姓名,电话,备注\n张三,,""\n\n李四,13900000000,"a,b"\n', encoding="utf-8")
    assert rows(only_evidence(path)) == [
        {"姓名": "张三", "电话": None, "备注": None},
        {"姓名": "李四", "电话": "13900000000", "备注": "a,b"},
    ]


def test_duplicate_and_blank_header_cells_get_unique_names(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("姓名,电话,电话,,备注\n张三,1,2,3,4\n", encoding="utf-8")
    assert only_evidence(path).tables[0].columns == ["姓名", "电话", "电话_2", "column_4", "备注"]


@pytest.mark.parametrize(("separator", "fmt"), [("\t", "tsv"), ("|", "csv"), (";", "csv")])
def test_other_delimiters_are_sniffed(tmp_path: Path, separator: str, fmt: str) -> None:
    path = tmp_path / "list.txt"
    path.write_text(OWNERS.replace(",", separator), encoding="utf-8")
    ev = only_evidence(path)
    assert ev.format == fmt
    assert ev.tables[0].columns == ["序号", "姓名", "联系电话", "住址"]
    assert rows(ev)[1]["联系电话"] == "13900000000"


def test_headerless_whitespace_list_gets_generic_columns(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(
        "张伟 13812345678 浙江省杭州市西湖区文三路1号\n"
        "王芳  13912345678\t浙江省宁波市海曙区中山路2号\n",
        encoding="utf-8",
    )
    ev = only_evidence(path)
    assert ev.format == "txt"
    assert ev.tables[0].header_row is None
    assert ev.tables[0].columns == ["column_1", "column_2", "column_3"]
    assert rows(ev)[1] == {
        "column_1": "王芳",
        "column_2": "13912345678",
        "column_3": "浙江省宁波市海曙区中山路2号",
    }


def test_whitespace_list_keeps_extra_fields_in_the_last_column(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(
        "姓名 手机 备注\n张伟 13812345678 老客户 已回访\n王芳 13912345678\n", encoding="utf-8"
    )
    ev = only_evidence(path)
    assert ev.tables[0].columns == ["姓名", "手机", "备注"]
    assert rows(ev) == [
        {"姓名": "张伟", "手机": "13812345678", "备注": "老客户 已回访"},
        {"姓名": "王芳", "手机": "13912345678", "备注": None},
    ]


def test_single_column_list(tmp_path: Path) -> None:
    path = tmp_path / "phones.txt"
    path.write_text("手机号\n13800000000\n13900000000\n", encoding="utf-8")
    ev = only_evidence(path)
    assert ev.tables[0].columns == ["手机号"]
    assert [r["手机号"] for r in rows(ev)] == ["13800000000", "13900000000"]


@pytest.mark.parametrize(
    ("codec", "reported"),
    [
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gbk"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("big5", "big5"),
    ],
)
def test_encodings_are_detected_and_transcoded(tmp_path: Path, codec: str, reported: str) -> None:
    text = OWNERS.replace("张三", "張三") if codec == "big5" else OWNERS
    if codec == "big5":
        text = text.replace("号", "號").replace("联系电话", "聯絡電話").replace("浙江省", "臺灣省")
        text = text.replace("杭州市西湖区", "臺北市大安區").replace("文三路", "忠孝東路")
    text += "".join(text.splitlines(keepends=True)[1:] * 20)
    if codec == "gb18030":
        text += "3,𠀀𠀁,13700000000,浙江省杭州市西湖区文三路3号\n"  # outside GBK
    path = tmp_path / "owners.csv"
    path.write_bytes(text.encode(codec))
    ev = only_evidence(path)
    assert ev.encoding == reported
    expected = "張三" if codec == "big5" else "张三"
    assert rows(ev)[0]["姓名"] == expected
    assert len(rows(ev)) == text.count("\n") - 1


def test_gbk_beyond_the_sniffed_head_is_still_detected(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    ascii_rows = "".join(f"{i},zhang,13800000000,hangzhou\n" for i in range(20_000))
    path.write_bytes(("id,name,phone,addr\n" + ascii_rows + "1,张三,1,杭州\n").encode("gbk"))
    ev = only_evidence(path)
    assert ev.encoding == "gbk"
    assert rows(ev)[-1]["name"] == "张三"


def test_forced_encoding_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "owners.csv"
    path.write_bytes(OWNERS.encode("gbk"))
    ev = only_evidence(path, encoding="GB2312")
    assert ev.encoding == "gbk"
    assert rows(ev)[0]["姓名"] == "张三"


def test_undecodable_text_is_a_failure_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(OWNERS.encode("utf-8") + b"\xff\xfe\xfd\x81\x30" * 3)
    failure = only_failure(path, encoding="utf-8")
    assert failure.path == str(path)
    assert "decode" in failure.reason
    assert failure.sha256 is not None


def test_batches_are_bounded_and_re_readable(tmp_path: Path) -> None:
    path = tmp_path / "million.csv"
    n = 1_000_000
    pl.DataFrame({"序号": range(n), "手机": [f"138{i:08d}" for i in range(n)]}).write_csv(path)
    table = only_evidence(path, limits=Limits(batch_rows=300_000)).tables[0]
    sizes = [b.height for b in table.batches()]
    assert sum(sizes) == n
    assert len(sizes) >= 4
    assert max(sizes) <= 300_000
    assert sum(b.height for b in table.batches()) == n


def test_a_100_mb_cell_is_refused_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.write("姓名,备注\n张三,短\n李四,".encode())
        block = b"x" * (1 << 20)
        for _ in range(100):
            fh.write(block)
        fh.write(b"\n")
    failure = only_failure(path)
    assert failure.reason == "第 3 行有单元格超过 10 MB cell larger than 10 MB at row 3"
    assert failure.path == str(path)


def test_a_huge_cell_after_megabytes_of_rows_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    rows = 400_000  # about 4 MB of short lines, so the long one starts chunks into the file
    with path.open("wb") as fh:
        fh.write("姓名,备注\n".encode())
        fh.write("张三,短\n".encode() * rows)
        fh.write("李四,".encode() + b"x" * (11 << 20) + b"\n")
    assert only_failure(path).reason == (
        f"第 {rows + 2} 行有单元格超过 10 MB cell larger than 10 MB at row {rows + 2}"
    )


def test_a_large_cell_found_while_reading_raises_input_error(tmp_path: Path) -> None:
    from leaktrace.errors import InputError

    path = tmp_path / "big_cell.csv"
    path.write_text("姓名,备注\n张三," + "x" * 5000 + "\n", encoding="utf-8")
    table = only_evidence(path, limits=Limits(max_cell_bytes=1000)).tables[0]
    with pytest.raises(InputError, match="cell larger than 1000 bytes at row 2"):
        list(table.batches())


def test_a_stray_quote_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    path.write_text('姓名,手机\n张三,"13800000000\n李四,13900000000\n', encoding="utf-8")
    assert rows(only_evidence(path)) == [
        {"姓名": "张三", "手机": '"13800000000'},
        {"姓名": "李四", "手机": "13900000000"},
    ]


def test_blank_text_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("\n \n\n", encoding="utf-8")
    assert only_failure(path).reason == "空文件（只有空行）empty file (only blank lines)"


def test_bad_bytes_beyond_the_samples_raise_a_clear_input_error(tmp_path: Path) -> None:
    from leaktrace.errors import InputError

    path = tmp_path / "late.csv"
    path.write_bytes(b"a,b\n" + b"1,x\n" * 100_000 + "2,张三\n".encode("gbk") + b"1,x\n" * 100_000)
    ev = only_evidence(path, encoding="utf-8")
    with pytest.raises(InputError, match="not UTF-8 after the sampled part"):
        list(ev.tables[0].batches())


def test_a_one_column_file_holding_the_unit_separator_stays_one_column(tmp_path: Path) -> None:
    """Found by fuzzing: ``\\x1f`` (what one-column files are read with) in a line made the
    table declare two columns and its batches hold one."""
    path = tmp_path / "one.txt"
    path.write_bytes("姓名\n;\x1f\n张三\n".encode())
    evidence = only_evidence(path)
    table = evidence.tables[0]
    assert len(table.columns) == 1
    assert [b.width for b in table.batches()] == [1]


def test_a_first_line_with_more_fields_than_the_header_is_read(tmp_path: Path) -> None:
    # an address typed with a comma in the first data line: its extra field is cut, as in any
    # later line, rather than the whole list refused
    path = tmp_path / "名单.csv"
    path.write_text(
        "姓名,电话,地址\n"
        "张三,13812345678,杭州市,西湖区文三路100号\n"
        "李四,13912345678,杭州市上城区解放路8号\n",
        encoding="utf-8",
    )
    got = [tuple(r.values()) for r in rows(only_evidence(path))]
    assert got == [
        ("张三", "13812345678", "杭州市"),
        ("李四", "13912345678", "杭州市上城区解放路8号"),
    ]
