"""Less common layouts keep their bytes: BOMs, UTF-16 byte order, pipes, quoted line breaks,
ragged lines, and a workbook header with a merged group label over its sub-labels."""

from __future__ import annotations

import codecs

import xlsxwriter
from python_calamine import CalamineWorkbook

from leaktrace.redact import redact


def test_utf8_bom_pipe_quoted_line_break_and_ragged_line(tmp_path):
    source = tmp_path / "pipe.csv"
    text = (
        '姓名|手机|备注\n张伟|13812345678|"第一行\n第二行 电话13987654321"\n'
        "李娜|15012345678|ok|多余\n"
    )
    source.write_bytes(codecs.BOM_UTF8 + text.encode())
    redact([source], tmp_path / "out")
    copy = (tmp_path / "out" / "pipe.csv").read_bytes()
    assert copy.startswith(codecs.BOM_UTF8)
    assert copy[3:].decode() == (
        '姓名|手机|备注\n张*|138****5678|"第一行\n第二行 电话139****4321"\n'
        "李*|150****5678|ok|多余\n"
    )


def test_utf16_keeps_its_byte_order_mark(tmp_path):
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        source = tmp_path / f"{codec}.csv"
        source.write_bytes(bom + "姓名,手机\r\n张伟,13812345678\r\n".encode(codec))
        redact([source], tmp_path / "out")
        copy = (tmp_path / "out" / source.name).read_bytes()
        assert copy == bom + "姓名,手机\r\n张*,138****5678\r\n".encode(codec)


def test_workbook_header_with_a_merged_group_label(tmp_path):
    source = tmp_path / "group.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("S")
    sheet.write_string(0, 0, "姓名")
    sheet.merge_range(0, 1, 0, 2, "联系方式")
    sheet.write_row(1, 1, ["手机", "固话"])
    sheet.write_row(2, 0, ["张伟", "13812345678", "0571-88123456"])
    book.close()
    result = redact([source], tmp_path / "out")
    assert result.files[0].rows == 1
    copy = CalamineWorkbook.from_path(str(tmp_path / "out" / "group.xlsx")).get_sheet_by_name("S")
    assert copy.to_python() == [
        ["姓名", "联系方式", ""],
        ["", "手机", "固话"],
        ["张*", "138****5678", "057******3456"],
    ]
    assert copy.merged_cell_ranges == [((0, 1), (0, 2))]


def test_cells_outside_the_table_are_searched_too(tmp_path):
    source = tmp_path / "ragged.csv"
    source.write_text("姓名,金额\n张伟,12\n李娜,8,备用电话13987654321\n", encoding="utf-8")
    book_path = tmp_path / "wide.xlsx"
    book = xlsxwriter.Workbook(str(book_path))
    sheet = book.add_worksheet("S")
    sheet.write_row(0, 0, ["姓名", "金额"])
    sheet.write_row(1, 0, ["张伟", "12"])
    for row in range(2, 60):
        sheet.write_row(row, 0, ["李娜", "8"])
    sheet.write_row(
        60, 0, ["王芳", "9", "备用电话13987654321"]
    )  # below the rows that set the width
    book.close()
    redact([source, book_path], tmp_path / "out")
    copy = (tmp_path / "out" / "ragged.csv").read_text(encoding="utf-8")
    assert copy == "姓名,金额\n张*,12\n李*,8,备用电话139****4321\n"
    rows = CalamineWorkbook.from_path(str(tmp_path / "out" / "wide.xlsx")).get_sheet_by_name("S")
    assert rows.to_python()[60] == ["王*", "9", "备用电话139****4321"]


def test_a_list_far_down_its_sheet_is_masked_in_place(tmp_path):
    # scan once skipped a sheet whose first cell was below row 50 and mask refused it; the
    # copy then wrote each row as many rows too low as the table started below row 1
    path = tmp_path / "late.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write(2, 3, "内部资料")
    sheet.merge_range(79, 1, 79, 2, "名单")
    sheet.write_row(80, 1, ["姓名", "手机"])
    sheet.write_row(81, 1, ["张伟", "13812345678"])
    book.close()
    result = redact([path], tmp_path / "out")
    assert result.errors == [] and result.files[0].rows == 1
    copy = CalamineWorkbook.from_path(str(tmp_path / "out" / "late.xlsx")).get_sheet_by_name("S")
    filled = {
        (r, c): v for r, row in enumerate(copy.iter_rows()) for c, v in enumerate(row) if v != ""
    }
    start_col = copy.start[1]
    assert {(r, c + start_col): v for (r, c), v in filled.items()} == {
        (2, 3): "内部资料",
        (79, 1): "名单",
        (80, 1): "姓名",
        (80, 2): "手机",
        (81, 1): "张*",
        (81, 2): "138****5678",
    }
    assert copy.merged_cell_ranges == [((79, 1), (79, 2))]


def test_records_ingest_reads_differently_are_replaced_by_value(tmp_path):
    # a stray quote: ingest reads it as text, a CSV reader would run the field to the end
    source = tmp_path / "stray.csv"
    source.write_text(
        '姓名,备注\n张伟,"VIP客户\n李娜,13812345678\n王芳,在张伟路口等\n', encoding="utf-8"
    )
    result = redact([source], tmp_path / "out")
    assert result.errors == [] and "replaced by value" in result.files[0].notes[0]
    assert (tmp_path / "out" / "stray.csv").read_text(encoding="utf-8") == (
        # the price of replacing by value: 张伟 is masked inside the road name 张伟路 too
        '姓名,备注\n张*,"VIP客户\n李*,138****5678\n王*,在张*路口等\n'
    )


def test_a_workbook_whose_rows_cannot_be_paired_is_replaced_by_value(
    evidence, tmp_path, monkeypatch
):
    from leaktrace.redact import _redact
    from leaktrace.redact._cells import Disagree

    def disagree(*args: object) -> int:
        raise Disagree("rows read differently")

    monkeypatch.setitem(_redact.WRITERS, "xlsx", disagree)
    result = redact([evidence / "book.xlsx"], tmp_path / "out")
    assert result.files[0].notes and result.files[0].rows == 4
    sheets = CalamineWorkbook.from_path(str(tmp_path / "out" / "book.xlsx"))
    owners = sheets.get_sheet_by_name("业主").to_python()
    assert owners[2][:2] == ["张*", "138****5678"]
    assert owners[3][1] == "139****4321"  # a number cell whose text was replaced
    assert owners[3][3] == 8.0
    notes = sheets.get_sheet_by_name("备注").to_python()
    assert notes[1] == ["A-1", "客户说他的手机是150****5678，明天再联系"]
    assert sheets.get_sheet_by_name("业主").merged_cell_ranges == [((0, 0), (0, 3))]


def test_numbers_typed_in_groups_and_spaced_names_are_masked_where_typed(tmp_path):
    # the reader reads 138 5712 3456 as 13857123456 and 赵 磊 as 赵磊: replacing by value
    # must find them as typed, or the copy would keep them
    source = tmp_path / "客户.txt"
    source.write_text(
        "王建国 3幢2单元501 13905761234 已量房\n"
        "1-1-302 李秀英 15858123456 下周联系\n"
        "赵 磊  6幢1单元1102  138 5712 3456  要报价\n"
        "孙志强 10-1-201 +86 137-5812-3456 身份证330182 19881103 0311\n",
        encoding="utf-8",
    )
    result = redact([source], tmp_path / "out")
    assert result.errors == []
    copy = (tmp_path / "out" / "客户.txt").read_text(encoding="utf-8")
    for typed in ("赵 磊", "5712", "5812", "19881103", "建国", "秀英", "志强", "13905761234"):
        assert typed not in copy
    assert copy.splitlines()[0] == "王** *幢*单元*** 139****1234 已量房"


def test_place_cells_merged_down_keep_their_merges_in_the_copy(tmp_path):
    # ingest reads 3幢 into every row it is merged over; the copy pairs its rows all the same
    # and writes the merge as it was, with nothing in the cells the merge hides
    source = tmp_path / "业主.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("业主")
    sheet.write_row(0, 0, ["楼栋", "房号", "姓名", "电话"])
    sheet.merge_range(1, 0, 2, 0, "3幢")
    sheet.write_row(1, 1, ["101", "王建国", "13905761234"])
    sheet.write_row(2, 1, ["102", "李秀英", "15858123456"])
    book.close()
    result = redact([source], tmp_path / "out")
    assert result.errors == [] and result.files[0].notes == []
    copy = CalamineWorkbook.from_path(str(tmp_path / "out" / "业主.xlsx")).get_sheet_by_name("业主")
    assert copy.to_python() == [
        ["楼栋", "房号", "姓名", "电话"],
        ["3幢", "***", "王**", "139****1234"],
        ["", "***", "李**", "158****3456"],
    ]
    assert copy.merged_cell_ranges == [((1, 0), (2, 0))]


def test_a_sheet_named_after_its_building_is_copied_without_the_building_column(tmp_path):
    # ingest gives the rows of sheet 3幢 the building its name says; the copy is the sheet's own
    source = tmp_path / "业主.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("3幢")
    sheet.write_row(0, 0, ["单元", "房号", "姓名", "电话"])
    sheet.write_row(1, 0, ["1单元", "101", "王建国", "13905761234"])
    book.close()
    result = redact([source], tmp_path / "out")
    assert result.errors == [] and result.files[0].notes == []
    copy = CalamineWorkbook.from_path(str(tmp_path / "out" / "业主.xlsx")).get_sheet_by_name("3幢")
    assert copy.to_python() == [
        ["单元", "房号", "姓名", "电话"],
        ["1单元", "***", "王**", "139****1234"],
    ]
