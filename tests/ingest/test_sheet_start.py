"""A sheet's table is found wherever it starts: row 1, under notes, or hundreds of rows down.

Workbooks are written with openpyxl (not the xlsxwriter the product writes masked copies with),
at coordinates typed here; the expected header row and rows are those coordinates and values.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from leaktrace.ingest import sheet_rows

from .conftest import only_evidence, rows

PEOPLE = [["张伟", "13812345678", "浙江省杭州市西湖区文三路1号"], ["李娜", "15012345678", None]]


def _book(path: Path, first_row: int, *, first_col: int = 1, notes: bool = False) -> None:
    """A list whose header is on Excel row `first_row` (1-based), column `first_col`."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "业主"
    if notes:
        sheet.cell(row=1, column=1, value="说明：本表由物业导出，仅供内部使用")
        sheet.cell(row=2, column=1, value="导出时间：2019-05-01")
    for offset, values in enumerate([["姓名", "手机", "地址"], *PEOPLE]):
        for col, value in enumerate(values):
            sheet.cell(row=first_row + offset, column=first_col + col, value=value)
    book.create_sheet("空表")
    book.save(path)


@pytest.mark.parametrize("first_row", [1, 2, 21, 50, 51, 60, 500])
def test_the_table_is_found_wherever_it_starts(tmp_path: Path, first_row: int) -> None:
    path = tmp_path / f"from_{first_row}.xlsx"
    _book(path, first_row)
    evidence = only_evidence(path)
    assert [t.name for t in evidence.tables] == ["业主"]  # the empty sheet is no table
    table = evidence.tables[0]
    assert table.columns == ["姓名", "手机", "地址"]
    assert table.header_row == first_row - 1  # 0-based row of the sheet
    assert rows(evidence) == [dict(zip(table.columns, person, strict=True)) for person in PEOPLE]


@pytest.mark.parametrize("first_row", [60, 500])
def test_notes_above_an_empty_gap_are_not_the_header(tmp_path: Path, first_row: int) -> None:
    path = tmp_path / "notes.xlsx"
    _book(path, first_row, first_col=3, notes=True)
    evidence = only_evidence(path)
    table = evidence.tables[0]
    # the sheet's columns A and B hold only the notes: they stay, unnamed and empty below
    assert table.columns == ["column_1", "column_2", "姓名", "手机", "地址"]
    assert table.header_row == first_row - 1
    blank = {"column_1": None, "column_2": None}
    assert rows(evidence) == [
        blank | dict(zip(["姓名", "手机", "地址"], person, strict=True)) for person in PEOPLE
    ]


def test_a_merged_title_and_two_row_header_far_down(tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B70"] = "金都花园业主名单"
    sheet.merge_cells("B70:E70")
    sheet["B72"] = "姓名"
    sheet.merge_cells("B72:B73")
    sheet["C72"] = "联系方式"
    sheet.merge_cells("C72:D72")
    sheet["C73"], sheet["D73"] = "手机", "固话"
    sheet["E72"] = "房号"
    sheet.merge_cells("E72:E73")
    for row, values in ((74, ["张伟", "13812345678", "0571-88888888", "3-1-502"]),):
        for col, value in enumerate(values, 2):
            sheet.cell(row=row, column=col, value=value)
    book.save(path)
    evidence = only_evidence(path)
    table = evidence.tables[0]
    assert (table.columns, table.header_row) == (["姓名", "手机", "固话", "房号"], 71)
    assert rows(evidence) == [
        {"姓名": "张伟", "手机": "13812345678", "固话": "0571-88888888", "房号": "3-1-502"}
    ]


def test_an_empty_workbook_has_no_table(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    book = openpyxl.Workbook()
    book.create_sheet("也空")
    book.save(path)
    assert only_evidence(path).tables == []


def test_sheet_rows_number_rows_as_the_sheet_does(tmp_path: Path) -> None:
    path = tmp_path / "at.xlsx"
    book = openpyxl.Workbook()
    book.active["D5"], book.active["E7"] = "甲", "乙"
    book.save(path)
    numbered = list(sheet_rows(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sheet")))
    filled = [(index, [v for v in row if v != ""]) for index, row in numbered if any(row)]
    assert filled == [(4, ["甲"]), (6, ["乙"])]
