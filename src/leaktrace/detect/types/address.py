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

from functools import cache

import numpy as np
import polars as pl

from leaktrace.cells import formula_like_expr
from leaktrace.detect._bytes import (
    UNDECIDED,
    VALID,
    code_point_table,
    compiled,
    decode,
    inlined,
    run,
)
from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

_STRUCTURE_WORDS = (
    *("路", "街", "大道", "巷", "弄", "胡同", "号", "村", "镇", "乡", "街道", "社区", "小区"),
    *("花园", "苑", "公寓", "大厦", "家园", "新村", "广场", "幢", "栋", "单元", "室", "组"),
)
STRUCTURE = f"(?:{'|'.join(_STRUCTURE_WORDS)})"
_ROAD = r"[\x{4e00}-\x{9fff}]{1,10}(?:路|街|大道|巷|弄|胡同)\d{1,5}(?:-\d{1,4})?号"
# an estate name and its building (锦绣江南4幢1单元302室, 翠苑一区17栋): the building number
# after a Han name is what makes it an address rather than a bare room
_ESTATE = (
    r"[\x{4e00}-\x{9fff}]{2,10}\d{1,3}(?:幢|栋|号楼|座)"
    # or an estate's name and its building-unit-room in dashes (锦绣花园3-2-501)
    r"|[\x{4e00}-\x{9fff}]{1,10}(?:小区|花园|家园|新村|公寓|大厦|广场|苑|园|府|庭|城|湾|里|居|郡)"
    r"\d{1,3}[-－—]\d{1,4}(?:[-－—]\d{2,5})?$"
)


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"\s", "")


# a named division (省 市 区 县 镇 ...) before the street part; find_spans uses the gazetteer
_DIVISION_WORDS = ("省", "自治区", "市", "区", "县", "旗", "镇", "乡", "街道")
_HAN = (0x4E00, 0x9FFF)
_DIVISION = rf"[\x{{4e00}}-\x{{9fff}}]{{1,8}}(?:{'|'.join(_DIVISION_WORDS)})"


def _valid(c: pl.Expr) -> pl.Expr:
    place = c.str.contains(_DIVISION) & c.str.contains(STRUCTURE)
    local = c.str.contains(_ROAD) | c.str.contains(_ESTATE)
    sized = c.str.len_chars().is_between(6, 120) & ~c.str.contains(r"\*")
    formula = formula_like_expr(c)  # =HYPERLINK(…"浙江省…号") is a spreadsheet formula, not a place
    return ((place | local) & sized & ~formula).fill_null(False)


_PLAIN_RANGES = [(0x00, 0x08), (0x0E, 0x1F), (0x21, 0x29), (0x2B, 0x7F), (0x3400, 0x4DBF), _HAN]
"""ASCII other than whitespace and ``*``, or a unified ideograph: text made of these is plain
(NFKC leaves it as it is), so a fast-valid address needs no cleaning downstream."""


def fast_codes(s: pl.Series) -> np.ndarray:
    """Valid for a plain cell (only :data:`_PLAIN_RANGES`) of 6 to 120 characters holding a
    structure word and a division (:data:`_DIVISION`); every other cell undecided.

    A plain cell has no whitespace or asterisk: it is already compact and cannot be masked, so
    for it ``status_expr`` reduces to these tests; everything else goes through the full
    pipeline.
    """
    return run(_plain_address, s, *_tables())


_FORMULA_STARTS = (0x3D, 0x2B, 0x2D, 0x40)
"""``=`` ``+`` ``-`` ``@``: a cell opening with one goes to the full pipeline, which rejects it."""

_PLAIN, _IS_HAN = 1, 2
"""Bits of the character table: plain, and Han (what ``_DIVISION`` counts before its word)."""


@cache
def _tables() -> tuple[np.ndarray, ...]:
    """The character table over the Basic Multilingual Plane and the leads of plain blocks
    (:func:`_plain_leads`), then for the structure and the division words: the words
    (:func:`_backwards`) and which of them each character ends."""
    kind = np.zeros(0x10000, dtype=np.uint8)
    kind[code_point_table(_PLAIN_RANGES)] |= _PLAIN
    kind[code_point_table([_HAN])] |= _IS_HAN
    structure, division = _backwards(_STRUCTURE_WORDS), _backwards(_DIVISION_WORDS)
    return kind, _plain_leads(kind), structure, _ending(structure), division, _ending(division)


def _plain_leads(kind: np.ndarray) -> np.ndarray:
    """``table[b]``: whether ``b`` leads three-byte characters that are all plain (the unified
    ideographs U+5000 to U+9FFF), so the kernel can step over them without decoding."""
    table = np.zeros(256, dtype=np.bool_)
    for lead in range(0xE0, 0xF0):
        table[lead] = (kind[(lead & 0x0F) << 12 :][:0x1000] & _PLAIN).all()
    return table


def _backwards(words: tuple[str, ...]) -> np.ndarray:
    """The words as code points from the last backwards, ``-1`` after a word's first."""
    table = np.full((len(words), 3), -1, dtype=np.int32)
    for row, word in enumerate(words):
        table[row, : len(word)] = [ord(c) for c in reversed(word)]
    return table


def _ending(words: np.ndarray) -> np.ndarray:
    """``table[c]``: the rows of ``words`` that end with character ``c``, as bits."""
    assert len(words) <= 32
    table = np.zeros(0x10000, dtype=np.uint32)
    for row, last in enumerate(words[:, 0]):
        table[last] |= np.uint32(1 << row)
    return table


@compiled
def _plain_address(
    spans: np.ndarray,
    text: np.ndarray,
    kind: np.ndarray,
    plain_leads: np.ndarray,
    structure: np.ndarray,
    ends_structure: np.ndarray,
    division: np.ndarray,
    ends_division: np.ndarray,
    out: np.ndarray,
) -> None:
    for row in range(out.size):
        i, end = spans[row, 0], spans[row, 1]
        chars = 0
        structured = divided = False
        c0 = c1 = c2 = c3 = -1  # the last four characters read, the latest first
        # characters one by one until both words are found, then only whether the rest is plain
        while i < end and not (structured and divided):
            c3, c2, c1 = c2, c1, c0
            c0, width = decode(text, i)
            if c0 > 0xFFFF or not kind[c0] & _PLAIN or (chars == 0 and c0 in _FORMULA_STARTS):
                break
            i += width
            chars += 1
            if not structured and ends_structure[c0]:
                structured = _ends_word(structure, ends_structure[c0], kind, 0, c1, c2, c3)
            if not divided and ends_division[c0]:
                divided = _ends_word(division, ends_division[c0], kind, _IS_HAN, c1, c2, c3)
        rest = _plain_chars(text, i, end, kind, plain_leads) if structured and divided else -1
        out[row] = VALID if rest >= 0 and 6 <= chars + rest <= 120 else UNDECIDED


@inlined
def _plain_chars(
    text: np.ndarray, i: int, end: int, kind: np.ndarray, plain_leads: np.ndarray
) -> int:
    """How many characters bytes ``i`` to ``end`` hold, or -1 when one is not plain."""
    chars = 0
    while i < end:
        # a branch for each width, so the next position does not wait for a table read
        lead = text[i]
        if lead < 0x80:
            if not kind[lead] & _PLAIN:
                return -1
            i += 1
        elif plain_leads[lead]:
            i += 3
        else:
            c, width = decode(text, i)
            if c > 0xFFFF or not kind[c] & _PLAIN:
                return -1
            i += width
        chars += 1
    return chars


@inlined
def _ends_word(
    words: np.ndarray, rows: int, kind: np.ndarray, before: int, c1: int, c2: int, c3: int
) -> bool:
    """Whether one of the ``rows`` (bits) of ``words``, all ending with the character just read,
    ends with the characters ``c1 c2`` before it, and then has a character of kind ``before``
    in front (when ``before`` is not 0)."""
    row = 0
    while rows:
        if rows & 1:
            second, third = words[row, 1], words[row, 2]
            front = c1 if second < 0 else c2 if third < 0 else c3
            spelt = second < 0 or (second == c1 and (third < 0 or third == c2))
            if spelt and (before == 0 or (front >= 0 and kind[front] & before)):
                return True
        rows >>= 1
        row += 1
    return False


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
