"""Workbooks: every sheet, title rows, merged headers, numbers shown as Excel shows them."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
import xlwt

from leaktrace.ingest._excel import render_cell, render_number

from .conftest import only_evidence, only_failure, rows


def _owners_workbook(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("业主")
    sheet.merge_range("A1:E1", "金都花园业主名单（2019年）")
    sheet.merge_range("A3:A4", "序号")
    sheet.merge_range("B3:B4", "姓名")
    sheet.merge_range("C3:D3", "联系方式")
    sheet.write_row(3, 2, ["手机", "固话"])
    sheet.merge_range("E3:E4", "身份证号")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(4, 0, [1, "张三", 13800000000, "0571-88888888", 330182199001011234])
    sheet.write_row(5, 0, [2, "李四", 13900000000, None, "330182199001011234"])
    sheet.write_datetime(5, 5, dt.datetime(2019, 5, 1), date)
    book.add_worksheet("空表")
    other = book.add_worksheet("车辆")
    other.write_row(0, 0, ["车牌", "车主"])
    other.write_row(1, 0, ["浙A12345", "王五"])
    book.close()


def test_every_non_empty_sheet_is_a_table(tmp_path: Path) -> None:
    path = tmp_path / "owners.xlsx"
    _owners_workbook(path)
    ev = only_evidence(path)
    assert (ev.format, ev.encoding) == ("xlsx", None)
    assert [t.name for t in ev.tables] == ["业主", "车辆"]
    assert rows(ev, 1) == [{"车牌": "浙A12345", "车主": "王五"}]


def test_title_row_and_merged_two_level_header(tmp_path: Path) -> None:
    path = tmp_path / "owners.xlsx"
    _owners_workbook(path)
    table = only_evidence(path).tables[0]
    assert table.header_row == 2
    assert table.columns == ["序号", "姓名", "手机", "固话", "身份证号", "column_6"]


def test_numbers_render_as_excel_general_format(tmp_path: Path) -> None:
    path = tmp_path / "owners.xlsx"
    _owners_workbook(path)
    first, second = rows(only_evidence(path))
    assert first["手机"] == "13800000000"
    assert first["序号"] == "1"
    assert first["身份证号"] == "3.30182E+17"
    assert second["身份证号"] == "330182199001011234"
    assert second["固话"] is None
    assert second["column_6"] == "2019-05-01"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (13812345678.0, "13812345678"),
        (99999999999.0, "99999999999"),
        (330182199001011234.0, "3.30182E+17"),
        (6222021234567890123.0, "6.22202E+18"),
        (120000000000.0, "1.2E+11"),
        (0.1, "0.1"),
        (-5.0, "-5"),
    ],
)
def test_render_number(value: float, shown: str) -> None:
    assert render_number(value) == shown


def test_render_cell_handles_dates_bools_and_blanks() -> None:
    assert render_cell(dt.datetime(2019, 5, 1, 8, 30)) == "2019-05-01 08:30:00"
    assert render_cell(dt.date(2019, 5, 1)) == "2019-05-01"
    assert render_cell(True) == "TRUE"
    assert render_cell("") is None
    assert render_cell(None) is None


def test_legacy_xls(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    book = xlwt.Workbook()
    sheet = book.add_sheet("名单")
    for col, label in enumerate(["姓名", "手机"]):
        sheet.write(0, col, label)
    sheet.write(1, 0, "张三")
    sheet.write(1, 1, 13800000000)
    book.save(str(path))
    ev = only_evidence(path)
    assert ev.format == "xls"
    assert rows(ev) == [{"姓名": "张三", "手机": "13800000000"}]


def _ods(path: Path) -> None:
    """A minimal hand-made OpenDocument spreadsheet (no ODS writer is installed)."""
    cells = [["姓名", "手机"], ["张三", "13800000000"]]
    body = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in row
        )
        + "</table:table-row>"
        for row in cells
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="名单">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)


def test_ods(tmp_path: Path) -> None:
    path = tmp_path / "list.ods"
    _ods(path)
    ev = only_evidence(path)
    assert ev.format == "ods"
    assert ev.tables[0].name == "名单"
    assert rows(ev) == [{"姓名": "张三", "手机": "13800000000"}]


def test_encrypted_xlsx_is_password_protected(tmp_path: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    _owners_workbook(plain)
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, locked.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    assert msoffcrypto is not None
    failure = only_failure(locked)
    assert failure.reason.startswith("有密码保护")
    assert failure.sha256 is not None


def test_truncated_xlsx_is_a_failure(tmp_path: Path) -> None:
    whole = tmp_path / "whole.xlsx"
    _owners_workbook(whole)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    failure = only_failure(cut)
    assert failure.path == str(cut)
    assert "corrupt or truncated" in failure.reason


def test_place_cells_merged_down_are_read_in_every_row_they_cover(tmp_path: Path) -> None:
    # an owner register typed by hand: 楼栋 and 单元 merged over their homes' rows, and one
    # family's phone merged over its two members (which stays the first row's: filled in, it
    # would make the family one person)
    path = tmp_path / "业主.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("业主")
    sheet.merge_range(0, 0, 0, 4, "锦绣花园业主名册")
    sheet.write_row(1, 0, ["楼栋", "单元", "房号", "姓名", "电话"])
    sheet.merge_range(2, 0, 4, 0, "3幢")
    sheet.merge_range(2, 1, 3, 1, "1单元")
    sheet.write(4, 1, "2单元")
    sheet.merge_range(3, 4, 4, 4, "15858123456")
    for r, (room, name) in enumerate([("101", "王建国"), ("102", "李秀英"), ("201", "陈美华")]):
        sheet.write(2 + r, 2, room)
        sheet.write(2 + r, 3, name)
    sheet.write(2, 4, "13905761234")
    sheet.write_row(5, 0, ["5幢", "1单元", "101", "刘洋", "17757112233"])
    book.close()
    got = [tuple(r.values()) for r in rows(only_evidence(path))]
    assert got == [
        ("3幢", "1单元", "101", "王建国", "13905761234"),
        ("3幢", "1单元", "102", "李秀英", "15858123456"),
        ("3幢", "2单元", "201", "陈美华", None),
        ("5幢", "1单元", "101", "刘洋", "17757112233"),
    ]


@pytest.mark.parametrize(
    ("sheet", "building"),
    [("3幢", "3幢"), ("2号楼", "2幢"), ("十二栋", "12幢"), ("A座", "A座"), ("业主", None)],
)
def test_a_sheet_named_after_its_building_gives_its_rows_that_building(
    tmp_path: Path, sheet: str, building: str | None
) -> None:
    path = tmp_path / "业主.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    ws.write_row(0, 0, ["单元", "房号", "姓名"])
    ws.write_row(1, 0, ["1单元", "101", "王建国"])
    book.close()
    (table,) = only_evidence(path).tables
    got = [tuple(r.values()) for r in rows(only_evidence(path))]
    if building is None:
        assert table.columns == ["单元", "房号", "姓名"] and table.derived == 0
        assert got == [("1单元", "101", "王建国")]
    else:
        assert table.columns == ["单元", "房号", "姓名", "楼栋（工作表名）"] and table.derived == 1
        assert got == [("1单元", "101", "王建国", building)]
