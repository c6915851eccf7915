"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters over 0-9 and A-Z without I, O, Z, S, V: registration authority (1), organisation
kind (1), region code (6), organisation code (9, GB 11714) and a check character: weights
3^i mod 31 (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28), check = 31 - sum mod 31.
A company's code is personal information when it identifies a sole trader (个体工商户, kind 92).

Only the authority and kind pairs that exist are valid (`KINDS`): GB 32100-2015 table 1 (1 机构编制,
5 民政, 9 工商, Y 其他) and the authorities its registry has added since (2 外交, 3 司法行政,
4 文化, 6 旅游, 7 宗教, 8 工会, A 中央军委改革和编制办公室, N 农业). `99…` or `94…` with a right
check character is no code anyone issued: it is invalid.

>>> validate('91110108551385082Q')
'91110108551385082Q'

Status: ``9111**********082Q`` is masked; a wrong check character is invalid.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with
from leaktrace.detect.types.cn_id import _province_codes

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
KINDS = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游: 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他: one kind
}
"""Registration authority (first character) -> its organisation kinds (second character)."""
PREFIXES = sorted(authority + kind for authority, kinds in KINDS.items() for kind in kinds)
# an authority (a digit, or A, N or Y), a kind digit, the region's six digits, then ten more
_SHAPE = r"^[0-9ANY]\d{7}[0-9A-HJ-NPQRTUWXY]{10}$"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"[\s\-]", "").str.to_uppercase()


def _value(ch: pl.Expr) -> pl.Expr:
    return ch.replace_strict(_VALUES, default=None, return_dtype=pl.Int64)


def check_char(c: pl.Expr) -> pl.Expr:
    """The GB 32100 check character of compacted 18-character codes (vectorised)."""
    total = pl.sum_horizontal([_value(c.str.slice(i, 1)) * w for i, w in enumerate(WEIGHTS)])
    idx = (31 - total % 31) % 31
    return idx.replace_strict(dict(enumerate(ALPHABET)), default=None, return_dtype=pl.String)


def _valid(c: pl.Expr) -> pl.Expr:
    shaped = c.str.contains(_SHAPE) & c.str.slice(0, 2).is_in(PREFIXES)
    return (shaped & (check_char(c) == c.str.slice(17, 1))).fill_null(False)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (code-shaped; check character wrong, or an authority and kind no code
    has) / masked / null."""
    c = _compact(v)
    masked = c.str.contains(r"^[0-9A-Y]{2,8}\*+[0-9A-Y]{2,6}$") & (c.str.len_chars() == 18)
    # code-shaped with a province code in characters 3-4 (an 18-digit ID has 01-99 of a city)
    shaped = c.str.contains(_SHAPE) & c.str.slice(2, 2).is_in(_province_codes())
    return valid_invalid(_valid(c), shaped, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """Upper-case 18 characters; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the code or raise why it is not a valid unified social credit code."""
    return validate_with(value, status_expr, normalise_expr, "unified social credit code")
