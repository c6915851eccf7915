"""Numbers a spreadsheet rewrote: read back when every digit is written, untrue when some are lost.

The cases are typed by hand the way such cells look in seized exports; the expected digits are
read off the cells by eye, and ID check characters come from python-stdnum, not from our code.
"""

from __future__ import annotations

import polars as pl
import pytest
from stdnum.cn import ric

from leaktrace.detect import CATALOGUE, RANK, check_columns
from leaktrace.detect._excel import recovered
from leaktrace.detect._text import V, apply, fold_series
from leaktrace.normalize._reasons import EXCEL_ID, EXCEL_MOBILE, invalid_reason

BODY = "33018219900101123"
ID = BODY + ric.calc_check_digit(BODY + "?")  # stdnum's check character: the oracle
"""A made-up ID (stdnum's ``is_valid`` refuses it: it checks the region code against the birth
year, which we do not, see DESIGN.md)."""

MOBILES = [
    ("13606661234.0", "valid", "13606661234"),
    ("13606661234.00", "valid", "13606661234"),
    ("1.8667778888E+10", "valid", "18667778888"),
    ("1.8667778888e10", "valid", "18667778888"),
    ("1.3800000000E+10", "valid", "13800000000"),  # the zeros are written: nothing lost
    ("1.38123E+10", "invalid", None),  # six of eleven digits
    ("1.38E+10", "invalid", None),  # 13800000000 or 13812345678? no one can tell
    ("13606661234.5", None, None),  # not a whole number: not a phone number
    ("1.8667778888E+11", None, None),  # twelve digits
]

IDS = [
    (ID + ".0", "valid", ID),
    (f"{ID[0]}.{ID[1:]}E+17", "valid", ID),
    ("3.30182199001011E+17", "invalid", None),  # fifteen of eighteen digits
    ("3.30182E+17", "invalid", None),
    ("3.30182900101123E+14", "valid", "330182199001011236"),  # a 15-digit number, all there
]


@pytest.mark.parametrize(("cell", "status", "value"), MOBILES)
def test_spreadsheet_mobile_is_read_back_only_with_every_digit(cell, status, value):
    s = pl.Series("v", [cell])
    unit = CATALOGUE["mobile"]
    assert unit.status(s).to_list() == [status]
    assert unit.normalise(s).to_list() == [value]


@pytest.mark.parametrize(("cell", "status", "value"), IDS)
def test_spreadsheet_id_is_read_back_only_with_every_digit(cell, status, value):
    s = pl.Series("v", [cell])
    unit = CATALOGUE["cn_id"]
    assert unit.status(s).to_list() == [status]
    assert unit.normalise(s).to_list() == [value]
    if value is not None:
        assert value[-1] == ric.calc_check_digit(value)


def test_scalar_validate_reads_back_a_whole_id():
    assert CATALOGUE["cn_id"].validate(ID + ".0") == ID
    assert not CATALOGUE["cn_id"].is_valid("3.30182199001011E+17")


@pytest.mark.parametrize(("type_id", "cases"), [("mobile", MOBILES), ("cn_id", IDS)])
def test_column_path_and_full_pipeline_agree_on_spreadsheet_numbers(type_id, cases):
    cells = [c for c, _, _ in cases]
    frame = pl.DataFrame({"v": [*cells, None, "13812345678", ID]})
    (rank, value, _fast) = check_columns(frame, [("v", type_id)])[0]
    column = frame.get_column("v")
    full = apply(fold_series(column), CATALOGUE[type_id].status_expr(V))
    assert rank.to_list() == full.replace_strict(RANK, default=0, return_dtype=pl.UInt8).to_list()
    full_values = apply(fold_series(column), CATALOGUE[type_id].normalise_expr(V))
    assert value.to_list() == full_values.to_list()


def test_lost_digits_are_excluded_as_cut_by_the_spreadsheet():
    frame = pl.DataFrame({"raw": ["1.38123E+10", "3.30182199001011E+17", "15412345678"]})
    reasons = frame.select(
        m=invalid_reason(pl.col("raw"), "mobile", "手机号"),
        i=invalid_reason(pl.col("raw"), "cn_id", "身份证号"),
    )
    assert reasons.get_column("m").to_list()[0] == EXCEL_MOBILE
    assert reasons.get_column("i").to_list()[1] == EXCEL_ID
    assert "数字被表格软件截断" in EXCEL_MOBILE and "数字被表格软件截断" in EXCEL_ID
    assert "截断" not in reasons.get_column("m").to_list()[2]


def test_recovered_counts_the_read_back_cells():
    mobiles = pl.Series([c for c, _, _ in MOBILES] + ["13812345678", None])
    assert recovered(mobiles, "mobile") == 5
    ids = pl.Series([c for c, _, _ in IDS])
    assert recovered(ids, "cn_id") == 3
