"""Split Chinese addresses and room numbers into parts, vectorised.

An address such as ``浙江省杭州市建德市新安江街道新安路88号金都花园3幢2单元1201室`` becomes
province 浙江省, city 杭州市, district 建德市, community 金都花园, building 3, unit 2, room 1201.
A room column such as ``3-2-1201``, ``3幢2单元1201室`` or ``3栋1201`` gives building, unit and room.

The rules are a handful of regular expressions (:func:`regex_address_parts`, :func:`room_parts`):
they are meant to make the same home written two ways compare equal, not to geocode. A part that
is not found is null; numbers lose leading zeros (``03幢`` and ``3栋`` are the same building).
A compiled loop applies the same rules some 25 times faster (``_address_compiled.py``); the cells
it cannot decide, and ``tests/normalize/test_address_compiled.py``, go to the expressions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from leaktrace.normalize._address_compiled import split as compiled_split
from leaktrace.normalize._keys import KEY_SEED

ADDRESS_PARTS = ("province", "city", "district", "community", "building", "unit", "room")
"""The parts an address is split into, coarsest first."""

ROOM_PARTS = ("building", "unit", "room")

_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_LEVEL = r"[^\P{Han}省市区县旗镇乡街道路号]"
"""A Han character that is not a level word: names of places never run past one."""
_ADDRESS = (
    r"^(?P<province>北京市|天津市|上海市|重庆市|内蒙古自治区|广西壮族自治区|西藏自治区"
    r"|宁夏回族自治区|新疆维吾尔自治区|香港特别行政区|澳门特别行政区|\p{Han}{2,3}省)?"
    rf"(?P<city>{_LEVEL}{{1,8}}?(?:自治州|地区|盟|市))?"
    rf"(?P<district>{_LEVEL}{{1,8}}?(?:区|县|旗|市))?"
    r"(?P<subdistrict>\p{Han}{1,8}?(?:街道|镇|乡))?"
    r"(?P<road>\p{Han}{1,12}?(?:路|街|道|巷|弄)\d+号)?"
    r"(?P<community>\D{2,20})?"
    r"(?P<rest>.*)$"
)
"""Every level is optional and tried in turn, coarsest first: one pass over each address."""
_BUILDING = r"^(\D{2,20}?)\d+\s*(?:幢|栋|号楼|座|号院|[-－—]\d)"
_COMMUNITY_ALONE = (
    r"^(\p{Han}{1,18}(?:小区|花园|家园|新村|公寓|大厦|广场|苑|园|府|庭|城|湾|里|居|郡|区))$"
)
_BUILDING = r"(\d+)\s*(?:幢|栋|号楼|座|号院)"
_UNIT = r"(\d+)\s*单元"
_ROOM = r"(\d+)\s*(?:室|房|号房)"
_DASHED = r"(\d+)\s*[-－—]\s*(\d+)(?:\s*[-－—]\s*(\d+))?\s*$"
_TRAILING_NUMBER = r"(?:单元|幢|栋|号楼|座)\s*(\d{3,5})\s*$"


def _number(expr: pl.Expr) -> pl.Expr:
    """A digit string without leading zeros (``0`` stays ``0``)."""
    return expr.str.replace(r"^0+(\d)", "$1")


def clean_text(expr: pl.Expr) -> pl.Expr:
    """NFKC (full-width digits and letters become ASCII) and all whitespace removed."""
    return expr.str.normalize("NFKC").str.replace_all(r"\s+", "").replace("", None)


def room_parts(text: pl.Expr) -> list[pl.Expr]:
    """Building, unit and room of a room description, as expressions named by part.

    ``text`` should already be cleaned (:func:`clean_text`). ``3-2-1201`` is building-unit-room,
    ``3-1201`` building-room; the words 幢/栋/号楼, 单元 and 室 are recognised anywhere.
    """
    dashed = text.str.extract_groups(_DASHED)
    three = dashed.struct[2].is_not_null()
    building = pl.coalesce(text.str.extract(_BUILDING, 1), dashed.struct[0])
    unit = pl.coalesce(
        text.str.extract(_UNIT, 1), pl.when(three).then(dashed.struct[1]).otherwise(None)
    )
    room = pl.coalesce(
        text.str.extract(_ROOM, 1),
        pl.when(three).then(dashed.struct[2]).otherwise(dashed.struct[1]),
        text.str.extract(_TRAILING_NUMBER, 1),
    )
    return [
        _number(building).alias("building"),
        _number(unit).alias("unit"),
        _number(room).alias("room"),
    ]


def with_address_parts(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with :data:`ADDRESS_PARTS` columns split from the cleaned address ``column``.

    One pass takes each level in turn (province, city, district, subdistrict, road and number,
    estate), so a missing province (``杭州市西湖区…``) or city (``北京市朝阳区…``) does not
    shift the others; building, unit and room come from what is left. For the four
    municipalities the city is the province. The rules are :func:`regex_address_parts`'s
    regular expressions; a compiled loop applies them (``_address_compiled.py``) and leaves the
    cells it cannot decide to them.
    """
    return frame.with_columns(address_parts(frame.get_column(column)).get_columns())


def address_parts(texts: pl.Series, want: Sequence[str] = ADDRESS_PARTS) -> pl.DataFrame:
    """The parts ``want`` (of :data:`ADDRESS_PARTS`) of each cleaned address of ``texts``.

    A cell's parts depend on its text alone, so where the same texts repeat (a list's
    addresses, one per household) each distinct text is split once (:func:`_distinct_cells`).
    """
    return _parts(texts, want, address=True)


def room_parts_of(texts: pl.Series, want: Sequence[str] = ROOM_PARTS) -> pl.DataFrame:
    """The parts ``want`` (of :data:`ROOM_PARTS`) of each cleaned room text of ``texts``: the
    rules of :func:`room_parts`, compiled (each distinct text once, as :func:`address_parts`)."""
    return _parts(texts, want, address=False)


def _parts(texts: pl.Series, want: Sequence[str], *, address: bool) -> pl.DataFrame:
    """The compiled splitter on each distinct text (or each text, when most differ), the
    regular expressions on the cells it leaves undecided."""
    distinct = _distinct_cells(texts)
    if distinct is not None:
        return _each(distinct[0], want, address=address)[distinct[1]]
    return _each(texts, want, address=address)


def _each(texts: pl.Series, want: Sequence[str], *, address: bool) -> pl.DataFrame:
    parts, undecided = compiled_split(texts, address=address, want=tuple(want))
    if undecided.any():
        rows = pl.Series(np.flatnonzero(undecided))
        frame = pl.DataFrame({"_t": texts.gather(rows)})
        slow = (
            regex_address_parts(frame, "_t") if address else frame.select(room_parts(pl.col("_t")))
        )
        parts = {p: s.scatter(rows, slow.get_column(p)) for p, s in parts.items()}
    order = ADDRESS_PARTS if address else ROOM_PARTS
    return pl.DataFrame([parts[p] for p in order if p in parts])


DISTINCT_SHARE = 0.7
"""Texts are split one distinct text at a time when at most this share of them differ."""


def _distinct_cells(texts: pl.Series) -> tuple[pl.Series, np.ndarray] | None:
    """The distinct texts of ``texts`` (in order of first appearance) and, per cell, the number
    of its text among them; None when most texts differ (or there are few). Texts are grouped
    by a 64-bit hash and the grouping is checked text for text, so a collision only means no
    grouping."""
    from leaktrace.normalize._link import group_hashes  # the linker's compiled grouping

    n = len(texts)
    if n < 1024:
        return None
    hashes = texts.hash(seed=KEY_SEED).to_numpy().copy()
    hashes[hashes == 0] = 1  # 0 would mean no value
    first = group_hashes(hashes)
    own = np.flatnonzero(first == np.arange(n, dtype=first.dtype))
    if own.size > DISTINCT_SHARE * n:
        return None
    number = np.empty(n, dtype=np.int64)
    number[own] = np.arange(own.size)
    inverse = number[first]
    distinct = texts.gather(own)
    if not distinct.gather(inverse).eq_missing(texts).all():
        return None
    return distinct, inverse


def regex_address_parts(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with :data:`ADDRESS_PARTS` columns split from the cleaned address ``column``, by
    the regular expressions that state the rules (:func:`with_address_parts` gives the same
    parts, compiled).

    One regular expression takes each level in turn (province, city, district, subdistrict,
    road and number, estate), so a missing province (``杭州市西湖区…``) or city
    (``北京市朝阳区…``) does not shift the others; building, unit and room come from what is left.
    For the four municipalities the city is the province.
    """
    levels = frame.select(
        pl.col(column).str.extract_groups(_ADDRESS).struct.unnest().name.prefix("_a_")
    )
    province, city, district = pl.col("_a_province"), pl.col("_a_city"), pl.col("_a_district")
    subdistrict, community = pl.col("_a_subdistrict"), pl.col("_a_community")
    municipality = province.is_in(list(_MUNICIPALITIES)).fill_null(False)
    # 建德市新安江街道…: a county-level city right before its subdistrict is the district.
    county_city = (
        district.is_null() & subdistrict.is_not_null() & city.str.ends_with("市") & ~municipality
    )
    # 翠苑小区3幢… with no district: the lazy district match took the estate.
    estate = district.str.ends_with("小区").fill_null(False)
    levels = levels.with_columns(
        pl.when(municipality & city.is_null())
        .then(province)
        .when(county_city)
        .then(None)
        .otherwise(city)
        .alias("province_city"),
        pl.when(county_city)
        .then(city)
        .when(estate)
        .then(None)
        .otherwise(district)
        .alias("_a_district"),
        pl.when(estate & community.is_null())
        .then(district)
        .otherwise(community)
        .alias("_a_community"),
    )
    rest = pl.col("_a_rest")
    return frame.with_columns(
        levels.get_column("_a_province").alias("province"),
        levels.get_column("province_city").alias("city"),
        levels.get_column("_a_district").alias("district"),
        levels.get_column("_a_community").alias("community"),
        *(levels.select(room_parts(rest)).get_columns()),
    )


def split_address(addresses: pl.Series) -> pl.DataFrame:
    """Split a column of raw addresses into :data:`ADDRESS_PARTS` (one row per input row)."""
    frame = pl.DataFrame({"_a": addresses.cast(pl.String)}).select(clean_text(pl.col("_a")))
    return address_parts(frame.to_series())


def split_room(rooms: pl.Series) -> pl.DataFrame:
    """Split a column of raw room numbers into building, unit and room."""
    frame = pl.DataFrame({"_r": rooms.cast(pl.String)}).select(clean_text(pl.col("_r")))
    return room_parts_of(frame.to_series())
