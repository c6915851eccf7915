"""Postal or residential address (地址/住址), mainland China.

Recognised by a named division (…省, …市, …区, …县, …镇, …街道) followed by address structure
(路 街 巷 弄 号 村 镇 小区 花园 苑 幢 栋 单元 室 ...), by a road and house number on its own
(``文三路100号``), or by an estate name and building (``锦绣江南4幢``). In free text,
``find_spans`` anchors addresses on the GB/T 2260 place names of python-stdnum's ``cn/loc.dat``.
An address has no check: "valid" means address-shaped. Normalised by dropping spaces.

>>> validate('浙江省杭州市西湖区文三路 100 号')
'浙江省杭州市西湖区文三路100号'

Status: ``浙江省杭州市****`` is masked.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._text import valid_invalid, valid_or_undecided
from leaktrace.detect._unit import validate_with

STRUCTURE = (
    r"(?:路|街|大道|巷|弄|胡同|号|村|镇|乡|街道|社区|小区|花园|苑|公寓|大厦"
    r"|家园|新村|广场|幢|栋|单元|室|组)"
)
_ROAD = r"[\x{4e00}-\x{9fff}]{1,10}(?:路|街|大道|巷|弄|胡同)\d{1,5}(?:-\d{1,4})?号"
# an estate name and its building (锦绣江南4幢1单元302室, 翠苑一区17栋): the building number
# after a Han name is what makes it an address rather than a bare room
_ESTATE = r"[\x{4e00}-\x{9fff}]{2,10}\d{1,3}(?:幢|栋|号楼|座)"


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"\s", "")


# a named division (省 市 区 县 镇 ...) before the street part; find_spans uses the gazetteer
_DIVISION = r"[\x{4e00}-\x{9fff}]{1,8}(?:省|自治区|市|区|县|旗|镇|乡|街道)"


def _valid(c: pl.Expr) -> pl.Expr:
    place = c.str.contains(_DIVISION) & c.str.contains(STRUCTURE)
    local = c.str.contains(_ROAD) | c.str.contains(_ESTATE)
    sized = c.str.len_chars().is_between(6, 120) & ~c.str.contains(r"\*")
    return ((place | local) & sized).fill_null(False)


_PLAIN_CHAR = r"[\x00-\x08\x0E-\x1F\x21-\x29\x2B-\x7F\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}]"
"""ASCII other than whitespace and ``*``, or a unified ideograph: text made of these is plain
(NFKC leaves it as it is), so a fast-valid address needs no cleaning downstream."""


def fast_status_expr(v: pl.Expr) -> pl.Expr:
    """ "valid" for the common case, a clean address with a division and structure; "?" else.

    A plain cell (only ``_PLAIN_CHAR``: no whitespace, no asterisk) is already compact
    and cannot be masked, so for it ``status_expr`` reduces to these three tests; everything
    else goes through the full pipeline.
    """
    # plain throughout and holding a structure word, in one pass over the text
    plain_with_structure = rf"^{_PLAIN_CHAR}*{STRUCTURE}{_PLAIN_CHAR}*$"
    sure = (
        v.str.contains(plain_with_structure)
        & v.str.len_chars().is_between(6, 120)
        & v.str.contains(_DIVISION)
    )
    return valid_or_undecided(v, sure)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / masked / null; an address has no check, so nothing is invalid."""
    c = _compact(v)
    masked = (
        c.str.contains(r"\*{2,}")
        & c.str.contains(r"[\x{4e00}-\x{9fff}]{2}")
        & (c.str.contains(_DIVISION) | c.str.contains(STRUCTURE))
        & (c.str.len_chars() >= 5)
    )
    return valid_invalid(_valid(c), pl.lit(False), masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """The address without spaces; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the address or raise why it is not address-shaped."""
    return validate_with(value, status_expr, normalise_expr, "address")
