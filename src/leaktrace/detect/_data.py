"""Reference tables for detection, read once from ``detect/data/`` and from python-stdnum.

Facts (segments, BINs, surnames, header words, region codes) are data, not code, so that adding
a carrier segment or a header synonym never touches a validator.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


def _text(name: str) -> str:
    return resources.files("leaktrace.detect").joinpath("data").joinpath(name).read_text("utf-8")


def _lines(name: str) -> list[str]:
    return [
        line.strip()
        for line in _text(name).splitlines()
        if line.strip() and not line.startswith("#")
    ]


@cache
def catalogue_table() -> dict[str, dict[str, Any]]:
    """The ``[types]`` table of ``catalogue.toml``: type id -> unit, label, span, needs_header."""
    types: dict[str, dict[str, Any]] = tomllib.loads(_text("catalogue.toml"))["types"]
    return types


@cache
def header_words() -> dict[str, Any]:
    """``headers.toml``: per-type header words, plus ``not_pi`` and ``free_text`` word lists."""
    return tomllib.loads(_text("headers.toml"))


@cache
def mobile_segments() -> dict[str, str]:
    """Mobile number prefixes (3 to 5 digits) in service -> carrier."""
    rows = csv.DictReader(_text("mobile_segments.csv").splitlines())
    return {row["prefix"]: row["carrier"] for row in rows}


@cache
def bank_bins() -> dict[str, tuple[str, str]]:
    """Six-digit bank identification numbers -> (bank, card product)."""
    rows = csv.DictReader(_text("bank_bins.csv").splitlines())
    return {row["bin"]: (row["bank"], row["card"]) for row in rows}


@cache
def plate_provinces() -> frozenset[str]:
    """One-character province abbreviations that open a Chinese number plate."""
    return frozenset(_lines("plate_provinces.txt"))


@cache
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(single-character surnames, compound surnames)."""
    names = _lines("surnames.txt")
    return (
        frozenset(n for n in names if len(n) == 1),
        frozenset(n for n in names if len(n) == 2),
    )


@dataclass(frozen=True)
class County:
    """One administrative-division code of GB/T 2260 as python-stdnum records it."""

    code: str
    province: str
    name: str
    periods: tuple[tuple[int | None, int | None], ...]
    """(first year, last year) for each name the code had; None means open-ended."""


_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@cache
def counties() -> dict[str, County]:
    """Every six-digit region code python-stdnum's ``cn/loc.dat`` knows, in any period.

    stdnum only accepts a code in force in the holder's birth year; IDs keep the code of the
    place that first issued them, so we accept any code that ever existed and keep the periods
    as information (see DESIGN.md, "Known on these machines").
    """
    text = resources.files("stdnum").joinpath("cn").joinpath("loc.dat").read_text("utf-8")
    out: dict[str, County] = {}
    province_code, province = "", ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, props = line.strip().partition(" ")
        value = props.partition('="')[2].rstrip('"')
        if not line.startswith(" "):
            province_code, province = code, value
            continue
        names: list[str] = []
        periods: list[tuple[int | None, int | None]] = []
        for part in value.split(",") if value else []:
            match = _PERIOD.match(part)
            if match:
                start, end, label = match.groups()
                periods.append((int(start) if start else None, int(end) if end else None))
                names.append(label)
            else:
                periods.append((None, None))
                names.append(part)
        full = province_code + code
        out[full] = County(full, province, "/".join(dict.fromkeys(names)), tuple(periods))
    for row in csv.DictReader(_text("extra_counties.csv").splitlines()):
        out.setdefault(row["code"], County(row["code"], row["province"], row["name"], ()))
    return out


@cache
def place_names() -> tuple[str, ...]:
    """Province, prefecture and county names (longest first) for recognising addresses."""
    skip = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "郊区", "矿区"}
    names: set[str] = set()
    for county in counties().values():
        names.add(county.province)
        for name in county.name.split("/"):
            if len(name) >= 2 and name not in skip:
                names.add(name)
    return tuple(sorted(names, key=lambda n: (-len(n), n)))
