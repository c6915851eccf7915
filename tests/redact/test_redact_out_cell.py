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
    def out_cell(text: str, *, sheet: bool = False) -> str:
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
