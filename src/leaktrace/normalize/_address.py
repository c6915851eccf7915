"""Split Chinese addresses and room numbers into parts, vectorised.

An address such as ``浙江省杭州市建德市新安江街道新安路88号金都花园3幢2单元1201室`` becomes
province 浙江省, city 杭州市, district 建德市, community 金都花园, building 3, unit 2, room 1201.
A room column such as ``3-2-1201``, ``3幢2单元1201室`` or ``3栋1201`` gives building, unit and room.

The splitter is a handful of regular expressions run by Polars over whole columns: it is meant to
make the same home written two ways compare equal, not to geocode. A part that is not found is
null; numbers lose leading zeros (``03幢`` and ``3栋`` are the same building).
"""

from __future__ import annotations

import polars as pl

ADDRESS_PARTS = ("province", "city", "district", "community", "building", "unit", "room")
"""The parts an address is split into, coarsest first."""

ROOM_PARTS = ("building", "unit", "room")

_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_PROVINCE = (
    r"^(北京市|天津市|上海市|重庆市|内蒙古自治区|广西壮族自治区|西藏自治区|宁夏回族自治区"
    r"|新疆维吾尔自治区|香港特别行政区|澳门特别行政区|\p{Han}{2,3}省)"
)
_CITY = r"^(\p{Han}{1,8}?(?:自治州|地区|盟|市))"
_DISTRICT = r"^(\p{Han}{1,8}?(?:区|县|旗|市))"
_COMMUNITY = (
    r"([^\d\s\-路街道号镇乡巷弄幢栋座单元室楼]{1,14}"
    r"(?:小区|花园|家园|新村|公寓|大厦|广场|苑|园|府|庭|城|湾|里|居))"
    r"(?:$|[^路街道巷弄])"  # 科苑路 is a road, not the estate 科苑
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


def address_parts(text: pl.Expr) -> list[pl.Expr]:
    """Province, city, district, community, building, unit and room of a cleaned address.

    Each level is matched at the start of what the coarser levels left, so a missing province
    (``杭州市西湖区…``) or city (``北京市朝阳区…``) does not shift the others. For the four
    municipalities the city is the province.
    """
    province = text.str.extract(_PROVINCE, 1)
    rest = _strip_prefix(text, province)
    municipality = province.is_in(list(_MUNICIPALITIES))
    city_found = rest.str.extract(_CITY, 1)
    city = pl.when(municipality).then(province).otherwise(city_found)
    rest = _strip_prefix(rest, pl.when(municipality).then(None).otherwise(city_found))
    district = rest.str.extract(_DISTRICT, 1)
    # A lazy match can swallow a housing estate (翠苑小区) when there is no district at all.
    district = pl.when(district.str.ends_with("小区")).then(None).otherwise(district)
    rest = _strip_prefix(rest, district)
    community = rest.str.extract(_COMMUNITY, 1)
    after = pl.coalesce(rest.str.split_exact(community, 1).struct[1], rest)
    parts = room_parts(after)
    return [
        province.alias("province"),
        city.alias("city"),
        district.alias("district"),
        community.alias("community"),
        *parts,
    ]


def _strip_prefix(text: pl.Expr, prefix: pl.Expr) -> pl.Expr:
    return (
        pl.when(prefix.is_not_null()).then(text.str.slice(prefix.str.len_chars())).otherwise(text)
    )


def split_address(addresses: pl.Series) -> pl.DataFrame:
    """Split a column of raw addresses into :data:`ADDRESS_PARTS` (one row per input row)."""
    frame = pl.DataFrame({"_a": addresses.cast(pl.String)})
    return frame.select(address_parts(clean_text(pl.col("_a"))))


def split_room(rooms: pl.Series) -> pl.DataFrame:
    """Split a column of raw room numbers into building, unit and room."""
    frame = pl.DataFrame({"_r": rooms.cast(pl.String)})
    return frame.select(room_parts(clean_text(pl.col("_r"))))
