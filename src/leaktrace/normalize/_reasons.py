"""Why a cell that detect called invalid is untrue, in the words a report uses.

Detect decides *whether* a value is valid; this module only says *why not*, from the value's
shape, so that exclusions under Art. 11 ("有证据证明信息不真实") can be listed by reason. It runs
on the few excluded rows only.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._excel import spreadsheet_cut, spreadsheet_digits
from leaktrace.detect.types.cn_id import check_char

EXCEL_ID = "数字被表格软件截断：身份证号只剩科学计数法的前几位 ID digits lost to a spreadsheet"
EXCEL_TRUNCATED_ID = "数字被表格软件截断：身份证号末三位变为 000 ID truncated by a spreadsheet"
EXCEL_MOBILE = "数字被表格软件截断：手机号只剩科学计数法的前几位 mobile digits lost to Excel"
ID_LENGTH = "身份证号位数不对 ID has the wrong number of characters"
ID_CHECK_DIGIT = "身份证校验位错误 ID check digit fails"
ID_DATE_OR_REGION = "身份证出生日期或地区码不存在 impossible ID birth date or region"
MOBILE_LENGTH = "手机号位数不对 mobile has the wrong number of digits"
MOBILE_SEGMENT = "手机号段不存在 unknown mobile segment"


def invalid_reason(raw: pl.Expr, type_id: str, label: str) -> pl.Expr:
    """The reason string for invalid values of ``type_id`` (``raw`` as found in the evidence)."""
    if type_id == "cn_id":
        return _id_reason(raw)
    if type_id == "mobile":
        text = raw.str.strip_chars()
        whole = pl.coalesce(spreadsheet_digits(text), text)
        digits = whole.str.replace_all(r"\D", "").str.replace(r"^(?:0086|86)(1\d{10})$", "$1")
        return (
            pl.when(spreadsheet_cut(text))
            .then(pl.lit(EXCEL_MOBILE))
            .when(digits.str.len_chars() != 11)
            .then(pl.lit(MOBILE_LENGTH))
            .otherwise(pl.lit(MOBILE_SEGMENT))
        )
    return pl.lit(f"{label}校验失败 {type_id} fails validation")


def masked_reason(type_id: str, label: str) -> str:
    """The reason string for a row whose identifying value is masked."""
    return f"{label}已遮蔽 {type_id} masked"


def _id_reason(raw: pl.Expr) -> pl.Expr:
    text = raw.str.strip_chars().str.to_uppercase()
    compact = text.str.replace_all(r"[\s\-]", "")
    excel = text.str.contains(r"^\d+(?:\.\d+)?E\+?\d+$") & spreadsheet_digits(text).is_null()
    compact = pl.coalesce(spreadsheet_digits(compact), compact)
    well_formed = compact.str.contains(r"^\d{17}[\dX]$")
    expected = check_char(compact.str.slice(0, 17))
    return (
        pl.when(excel)
        .then(pl.lit(EXCEL_ID))
        .when(~well_formed & ~compact.str.contains(r"^\d{15}$"))
        .then(pl.lit(ID_LENGTH))
        .when(well_formed & compact.str.ends_with("000") & (compact.str.slice(17, 1) != expected))
        .then(pl.lit(EXCEL_TRUNCATED_ID))
        .when(well_formed & (compact.str.slice(17, 1) != expected))
        .then(pl.lit(ID_CHECK_DIGIT))
        .otherwise(pl.lit(ID_DATE_OR_REGION))
    )
