"""The address and room splitter of ``_address.py``, compiled: the same parts, one pass per cell.

``_address.py`` states the rules as regular expressions that Polars runs over whole columns. At
13 million records, splitting every address that way took most of a linked count (some 4 s per
400,000 addresses on this machine: an eight-group regex with lazy quantifiers, then five more
for building, unit and room). This module reads each cell's UTF-8 bytes once, in a compiled loop
that releases the GIL, and writes where each part lies in the cell; the parts are then copied
out as Arrow strings. Measured on 400,000 generated addresses: 4.1 s by the regexes, 0.15 s here.

**The guard.** The regexes' character classes (``\\p{Han}``, ``\\d``, ``\\D``) are Unicode's.
The loop decides only cells made of printable ASCII and the CJK Unified Ideographs U+4E00 to
U+9FEF (where ``\\p{Han}`` is exactly that block and ``\\d`` exactly ``0-9``), plus a few
punctuation marks classed as neither (``—·、。－``), no longer than :data:`MAX_CHARS` characters.
Any other cell (an extension-B ideograph, ``〇``, a space, an Arabic-Indic digit) is left to the
regexes by :func:`~leaktrace.normalize._address.with_address_parts` and
:func:`~leaktrace.normalize._address.split_room`, so the result is the regexes' on every input.
``tests/normalize/test_address_compiled.py`` holds the two to each other on generated, typed and
random text.

**Why the loop can follow the regexes exactly.** The address expression is a chain of optional
groups ending in ``(?P<rest>.*)$``, which always matches: a backtracking engine (and Rust's
leftmost-first one, which reports the same groups) therefore keeps the first way each group
matches where the one before it ended, and never comes back to it. Each group is tried the way
its quantifier says (lazy ``{1,8}?``: the shortest run that the suffix follows; greedy
``\\D{2,20}``: the longest). The room expressions are unanchored searches for a digit run
followed by a word: their leftmost match starts at the first such run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import cast

import numpy as np
import polars as pl
import pyarrow as pa

from leaktrace.detect._bytes import (
    LayoutChanged,
    cell_spans,
    compiled,
    inlined,
    offset_spans,
    views_usable,
)

MAX_CHARS = 200
"""Longer cells go to the regexes (the loop's scratch is this many characters)."""

ADDRESS_ORDER = ("province", "city", "district", "community", "building", "unit", "room")
ROOM_ORDER = ("building", "unit", "room")

DECIDED, UNDECIDED = 0, 1
"""Per cell: split here, or left to the regexes (outside the guard)."""

_OK, _HAN = 1, 2
_PUNCTUATION = "—·、。－"
"""Non-ASCII characters the loop accepts that are neither Han nor digits."""

_PROVINCE_NAMES = (
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
)
"""The province alternatives of ``_address._ADDRESS`` in their order; the first four are the
municipalities."""

# the words the regexes look for, as code points
_SHENG, _SHI, _QU, _XIAN, _QI = ord("省"), ord("市"), ord("区"), ord("县"), ord("旗")
_ZHEN, _XIANG, _JIE, _DAO, _LU, _HAO = (
    ord("镇"),
    ord("乡"),
    ord("街"),
    ord("道"),
    ord("路"),
    ord("号"),
)
_ZI, _ZHI, _ZHOU, _DI, _MENG = ord("自"), ord("治"), ord("州"), ord("地"), ord("盟")
_LANE, _NONG, _XIAO = ord("巷"), ord("弄"), ord("小")
_ZHUANG, _DONG, _LOU, _ZUO, _YUAN = ord("幢"), ord("栋"), ord("楼"), ord("座"), ord("院")
_DAN, _YUAN2, _SHI4, _FANG = ord("单"), ord("元"), ord("室"), ord("房")
_DASH, _WIDE_DASH, _EM_DASH = ord("-"), ord("－"), ord("—")


@cache
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The character classes over the Basic Multilingual Plane, and the province names."""
    classes = np.zeros(0x10000, dtype=np.uint8)
    classes[0x21:0x7F] = _OK
    classes[0x4E00:0x9FF0] = _OK | _HAN
    for c in _PUNCTUATION:
        classes[ord(c)] = _OK
    width = max(len(p) for p in _PROVINCE_NAMES)
    names = np.zeros((len(_PROVINCE_NAMES), width), dtype=np.int32)
    lengths = np.array([len(p) for p in _PROVINCE_NAMES], dtype=np.int64)
    for i, p in enumerate(_PROVINCE_NAMES):
        names[i, : len(p)] = [ord(c) for c in p]
    return classes, names, lengths


# --- the loop ------------------------------------------------------------------------------


@inlined
def _decode(text: np.ndarray, lo: int, hi: int, cp: np.ndarray, at: np.ndarray) -> int:
    """UTF-8 ``text[lo:hi]`` into code points ``cp`` and their byte offsets ``at`` (one more
    offset, the end); the number of characters, or -1 when over :data:`MAX_CHARS`."""
    m = 0
    i = lo
    while i < hi:
        if m >= MAX_CHARS:
            return -1
        b = np.int32(text[i])
        at[m] = i
        width = 1 if b < 0x80 else 2 if b < 0xE0 else 3 if b < 0xF0 else 4
        if (0x80 <= b < 0xC0) or i + width > hi:
            return -1  # not UTF-8 as Polars keeps it: left to the regexes
        if b < 0x80:
            cp[m] = b
            i += 1
        elif b < 0xE0:
            cp[m] = ((b & 0x1F) << 6) | (np.int32(text[i + 1]) & 0x3F)
            i += 2
        elif b < 0xF0:
            cp[m] = (
                ((b & 0x0F) << 12)
                | ((np.int32(text[i + 1]) & 0x3F) << 6)
                | (np.int32(text[i + 2]) & 0x3F)
            )
            i += 3
        else:
            cp[m] = 0x10000  # beyond the plane: outside the guard
            i += 4
        m += 1
    at[m] = hi
    return m


@inlined
def _is_digit(c: int) -> bool:
    return 48 <= c <= 57


@inlined
def _is_han(classes: np.ndarray, c: int) -> bool:
    return c < 0x10000 and (classes[c] & _HAN) != 0


@inlined
def _is_level(classes: np.ndarray, c: int) -> bool:
    """``_address._LEVEL``: a Han character that is not a level word."""
    return (
        _is_han(classes, c)
        and c != _SHENG
        and c != _SHI
        and c != _QU
        and c != _XIAN
        and c != _QI
        and c != _ZHEN
        and c != _XIANG
        and c != _JIE
        and c != _DAO
        and c != _LU
        and c != _HAO
    )


@inlined
def _at(cp: np.ndarray, m: int, i: int, c: int) -> bool:
    return i < m and cp[i] == c


@inlined
def _is_dash(c: int) -> bool:
    return c in (_DASH, _WIDE_DASH, _EM_DASH)


@inlined
def _room_parts(cp: np.ndarray, lo: int, m: int, out: np.ndarray, base: int) -> None:
    """``_address.room_parts`` over ``cp[lo:m]``: building, unit and room as character spans
    in ``out[base:base+6]`` (-1 where absent), leading zeros dropped."""
    building = unit = room = -1
    building_end = unit_end = room_end = -1
    d1 = d2 = d3 = -1
    e1 = e2 = e3 = -1
    trailing = trailing_end = -1
    p = lo
    while p < m:
        if not _is_digit(cp[p]) or (p > lo and _is_digit(cp[p - 1])):
            p += 1
            continue
        e = p
        while e < m and _is_digit(cp[e]):
            e += 1
        # (\d+)(幢|栋|号楼|座|号院), (\d+)单元, (\d+)(室|房|号房): the first run each follows
        if building < 0 and e < m:
            c = cp[e]
            if c in (_ZHUANG, _DONG, _ZUO) or (
                c == _HAO and (_at(cp, m, e + 1, _LOU) or _at(cp, m, e + 1, _YUAN))
            ):
                building, building_end = p, e
        if unit < 0 and _at(cp, m, e, _DAN) and _at(cp, m, e + 1, _YUAN2):
            unit, unit_end = p, e
        if room < 0 and e < m:
            c = cp[e]
            if c in (_SHI4, _FANG) or (c == _HAO and _at(cp, m, e + 1, _FANG)):
                room, room_end = p, e
        # (\d+)-(\d+)(?:-(\d+))?$ : the first run from which the dashed form reaches the end
        if d1 < 0 and e < m and _is_dash(cp[e]):
            s2 = e + 1
            f2 = s2
            while f2 < m and _is_digit(cp[f2]):
                f2 += 1
            if f2 > s2:
                if f2 == m:
                    d1, e1, d2, e2 = p, e, s2, f2
                elif _is_dash(cp[f2]):
                    s3 = f2 + 1
                    f3 = s3
                    while f3 < m and _is_digit(cp[f3]):
                        f3 += 1
                    if f3 > s3 and f3 == m:
                        d1, e1, d2, e2, d3, e3 = p, e, s2, f2, s3, f3
        # (单元|幢|栋|号楼|座)(\d{3,5})$
        if e == m and 3 <= e - p <= 5 and p > lo:
            c = cp[p - 1]
            if (
                (c == _YUAN2 and p - 2 >= lo and cp[p - 2] == _DAN)
                or c in (_ZHUANG, _DONG, _ZUO)
                or (c == _LOU and p - 2 >= lo and cp[p - 2] == _HAO)
            ):
                trailing, trailing_end = p, e
        p = e
    if building < 0 and d1 >= 0:
        building, building_end = d1, e1
    if unit < 0 and d3 >= 0:
        unit, unit_end = d2, e2
    if room < 0:
        if d3 >= 0:
            room, room_end = d3, e3
        elif d2 >= 0:
            room, room_end = d2, e2
        else:
            room, room_end = trailing, trailing_end
    out[base], out[base + 1] = _no_leading_zeros(cp, building, building_end), building_end
    out[base + 2], out[base + 3] = _no_leading_zeros(cp, unit, unit_end), unit_end
    out[base + 4], out[base + 5] = _no_leading_zeros(cp, room, room_end), room_end


@inlined
def _no_leading_zeros(cp: np.ndarray, start: int, end: int) -> int:
    """Where a digit run starts once its leading zeros are dropped (``^0+(\\d)`` -> ``$1``)."""
    if start < 0:
        return start
    while start < end - 1 and cp[start] == 48:
        start += 1
    return start


@inlined
def _address_parts(
    cp: np.ndarray,
    m: int,
    classes: np.ndarray,
    names: np.ndarray,
    lengths: np.ndarray,
    out: np.ndarray,
) -> None:
    """``_address.with_address_parts`` over ``cp[:m]``: the seven parts as character spans in
    ``out[0:14]`` (-1 where absent)."""
    pos = 0
    # province: a name of the list, else \p{Han}{2,3}省
    prov, prov_end, which = -1, -1, -1
    for j in range(names.shape[0]):
        n = lengths[j]
        if n <= m:
            same = True
            for k in range(n):
                if cp[k] != names[j, k]:
                    same = False
                    break
            if same:
                prov, prov_end, which = 0, n, j
                break
    two_han = m >= 3 and _is_han(classes, cp[0]) and _is_han(classes, cp[1])
    if prov < 0 and two_han and m >= 4 and _is_han(classes, cp[2]) and cp[3] == _SHENG:
        prov, prov_end = 0, 4
    if prov < 0 and two_han and cp[2] == _SHENG:
        prov, prov_end = 0, 3
    if prov >= 0:
        pos = prov_end
    # city: _LEVEL{1,8}?(自治州|地区|盟|市)
    city, city_end = -1, -1
    for k in range(1, 9):
        q = pos + k - 1
        if q >= m or not _is_level(classes, cp[q]):
            break
        a = pos + k
        if _at(cp, m, a, _ZI) and _at(cp, m, a + 1, _ZHI) and _at(cp, m, a + 2, _ZHOU):
            city, city_end = pos, a + 3
        elif _at(cp, m, a, _DI) and _at(cp, m, a + 1, _QU):
            city, city_end = pos, a + 2
        elif _at(cp, m, a, _MENG) or _at(cp, m, a, _SHI):
            city, city_end = pos, a + 1
        if city >= 0:
            break
    if city >= 0:
        pos = city_end
    # district: _LEVEL{1,8}?(区|县|旗|市)
    district, district_end = -1, -1
    for k in range(1, 9):
        q = pos + k - 1
        if q >= m or not _is_level(classes, cp[q]):
            break
        a = pos + k
        if a < m and (cp[a] == _QU or cp[a] == _XIAN or cp[a] == _QI or cp[a] == _SHI):
            district, district_end = pos, a + 1
            break
    if district >= 0:
        pos = district_end
    # subdistrict: \p{Han}{1,8}?(街道|镇|乡)
    sub = -1
    for k in range(1, 9):
        q = pos + k - 1
        if q >= m or not _is_han(classes, cp[q]):
            break
        a = pos + k
        if _at(cp, m, a, _JIE) and _at(cp, m, a + 1, _DAO):
            sub, pos = pos, a + 2
            break
        if _at(cp, m, a, _ZHEN) or _at(cp, m, a, _XIANG):
            sub, pos = pos, a + 1
            break
    # road and number: \p{Han}{1,12}?(路|街|道|巷|弄)\d+号
    for k in range(1, 13):
        q = pos + k - 1
        if q >= m or not _is_han(classes, cp[q]):
            break
        a = pos + k
        if a < m and (
            cp[a] == _LU or cp[a] == _JIE or cp[a] == _DAO or cp[a] == _LANE or cp[a] == _NONG
        ):
            e = a + 1
            while e < m and _is_digit(cp[e]):
                e += 1
            if e > a + 1 and _at(cp, m, e, _HAO):
                pos = e + 1
                break
    # community: \D{2,20}, greedy
    community, community_end = -1, -1
    c = 0
    while pos + c < m and c < 20 and not _is_digit(cp[pos + c]):
        c += 1
    if c >= 2:
        community, community_end = pos, pos + c
        pos += c
    # the fixes of with_address_parts
    municipality = 0 <= which < 4
    county_city = (
        district < 0 and sub >= 0 and city >= 0 and cp[city_end - 1] == _SHI and not municipality
    )
    estate = district >= 0 and district_end - district >= 2
    estate = estate and cp[district_end - 1] == _QU and cp[district_end - 2] == _XIAO
    out[0], out[1] = prov, prov_end
    if municipality and city < 0:
        out[2], out[3] = prov, prov_end
    elif county_city:
        out[2], out[3] = -1, -1
    else:
        out[2], out[3] = city, city_end
    if county_city:
        out[4], out[5] = city, city_end
    elif estate:
        out[4], out[5] = -1, -1
    else:
        out[4], out[5] = district, district_end
    if estate and community < 0:
        out[6], out[7] = district, district_end
    else:
        out[6], out[7] = community, community_end
    _room_parts(cp, pos, m, out, 8)


@compiled
def _split_kernel(
    spans: np.ndarray,
    text: np.ndarray,
    classes: np.ndarray,
    names: np.ndarray,
    lengths: np.ndarray,
    address: bool,
    parts: np.ndarray,
    status: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Split every cell: ``parts[i]`` gets each part's byte span in ``text`` (-1 absent) and
    ``status[i]`` whether the cell was decided here or is left to the regexes."""
    cp = np.empty(MAX_CHARS + 1, dtype=np.int32)
    at = np.empty(MAX_CHARS + 1, dtype=np.int64)
    out = np.empty(14, dtype=np.int64)
    width = parts.shape[1]
    for i in range(spans.shape[0]):
        parts[i, :] = -1
        m = _decode(text, spans[i, 0], spans[i, 1], cp, at)
        status[i] = DECIDED
        if m < 0:
            status[i] = UNDECIDED
            continue
        ok = True
        for k in range(m):
            if cp[k] >= 0x10000 or classes[cp[k]] == 0:
                ok = False
                break
        if not ok:
            status[i] = UNDECIDED
            continue
        if address:
            _address_parts(cp, m, classes, names, lengths, out)
        else:
            _room_parts(cp, 0, m, out, 0)
        for k in range(width // 2):
            if out[2 * k] >= 0:
                parts[i, 2 * k] = at[out[2 * k]]
                parts[i, 2 * k + 1] = at[out[2 * k + 1]]


@compiled
def _gather_kernel(
    starts: np.ndarray, ends: np.ndarray, text: np.ndarray, offsets: np.ndarray, data: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Copy ``text[starts[i]:ends[i]]`` one after another (nothing where ``starts[i] < 0``)."""
    at = 0
    offsets[0] = 0
    for i in range(starts.size):
        s = starts[i]
        if s >= 0:
            for j in range(s, ends[i]):
                data[at] = text[j]
                at += 1
        offsets[i + 1] = at


# --- Python side ---------------------------------------------------------------------------


def split(
    texts: pl.Series, *, address: bool, want: tuple[str, ...] | None = None
) -> tuple[dict[str, pl.Series], np.ndarray]:
    """The parts of every cleaned cell of ``texts`` (an address, or a room when not
    ``address``) and which cells were left to the regexes (a Boolean array; their parts are
    null here). ``want`` names the parts to build (all of them by default)."""
    order = ADDRESS_ORDER if address else ROOM_ORDER
    want = order if want is None else tuple(p for p in order if p in want)
    n = len(texts)
    try:
        spans, text, owner = cell_spans(texts) if views_usable() else offset_spans(texts)
    except LayoutChanged:
        spans, text, owner = offset_spans(texts)
    spans = spans.copy()  # the scratch of cell_spans is reused by the next column
    classes, names, lengths = _tables()
    parts = np.empty((n, 2 * len(order)), dtype=np.int64)
    status = np.empty(n, dtype=np.uint8)
    cast(Callable[..., None], _split_kernel)(
        spans, text, classes, names, lengths, address, parts, status
    )
    nulls = texts.is_null().to_numpy() if texts.null_count() else None
    if nulls is not None:
        parts[nulls] = -1
        status[nulls] = DECIDED
    out = {}
    for name in want:
        k = order.index(name)
        out[name] = _strings(parts[:, 2 * k], parts[:, 2 * k + 1], text).alias(name)
    del owner
    return out, status == UNDECIDED


def warm() -> None:
    """Load the compiled loops now (numba reads them from its cache), e.g. on a thread while
    the first file is hashed, instead of on the first batch."""
    split(pl.Series(["杭州市西湖区金都花园3幢2单元1201室", None], dtype=pl.String), address=True)


def _strings(starts: np.ndarray, ends: np.ndarray, text: np.ndarray) -> pl.Series:
    """A string column of the byte spans (null where ``starts`` is negative)."""
    present = starts >= 0
    size = int(np.where(present, ends - starts, 0).sum())
    offsets = np.empty(starts.size + 1, dtype=np.int64)
    data = np.empty(max(size, 1), dtype=np.uint8)
    cast(Callable[..., None], _gather_kernel)(starts, ends, text, offsets, data)
    validity = pa.array(present, type=pa.bool_()).buffers()[1]
    arr = pa.LargeStringArray.from_buffers(
        starts.size,
        pa.py_buffer(offsets),
        pa.py_buffer(data),
        validity if not present.all() else None,
        null_count=int(starts.size - present.sum()),
    )
    return cast(pl.Series, pl.from_arrow(arr))


__all__ = ["ADDRESS_ORDER", "MAX_CHARS", "ROOM_ORDER", "split", "warm"]
