"""Honey records: residents who do not exist, in free rooms of the holder's own estates.

A honey record borrows from a real *donor* record only what says where a flat is and what it is
like (estate, building, unit, floor area, dates); its room number is one that nobody in the
master occupies, its name is drawn from its own small vocabulary (``data/honey_names.toml``:
surnames of the 百家姓, given-name characters of the 千字文; nothing of the demo generator), and it
has no ID number.
Its phone and email come only from the holder's trap pool (numbers and mailboxes the holder
controls); without a pool it has none, so no real person's number is ever invented.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections.abc import Sequence
from importlib.resources import files

import numpy as np
import polars as pl

from leaktrace.mark import records as rec

COPY_KINDS = ("building", "unit", "area", "date")
"""Variant kinds whose values a honey record may copy from its donor: they describe the flat."""

_ESTATE_HINTS = ("小区", "楼盘", "项目", "社区", "community", "estate")


def estate_column(columns: Sequence[str]) -> str | None:
    """The column naming the estate (小区), if the master has one."""
    for column in columns:
        if any(h in column.lower() for h in _ESTATE_HINTS):
            return column
    return None


def make_honey(
    frame: pl.DataFrame,
    *,
    types: dict[str, str],
    variants: list[tuple[str, str]],
    n: int,
    seed: bytes,
    pool: Sequence[str] = (),
) -> tuple[pl.DataFrame, np.ndarray]:
    """Up to ``n`` honey rows in ``frame``'s columns, and each one's donor row index."""
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed).digest()[:8], "little"))
    by_type = {t: c for c, t in types.items()}
    room_col = by_type.get("room")
    addr_col = by_type.get("address")
    if n <= 0 or frame.height == 0 or (room_col is None and addr_col is None):
        return frame.clear(), np.zeros(0, dtype=np.int64)
    loc_col = room_col or addr_col
    assert loc_col is not None
    estate = estate_column(frame.columns)
    kinds = dict(variants)
    copy_cols = [c for c, k in kinds.items() if k in COPY_KINDS]
    if estate:
        copy_cols.append(estate)
    place = _places(frame, estate, kinds, loc_col).to_list()
    occupied = set(place)
    room_no = rec._room_number(frame[loc_col]).cast(pl.Int64, strict=False).fill_null(0).to_numpy()
    # A honey flat must exist: its floor and flat number stay within what its estate has.
    estates = frame[estate].fill_null("").to_list() if estate else [""] * frame.height
    limits = (
        pl.DataFrame({"e": estates, "f": room_no // 100, "k": room_no % 100})
        .group_by("e")
        .agg(pl.col("f").max(), pl.col("k").max())
    )
    bounds = {e: (max(int(f), 1), max(int(k), 1)) for e, f, k in limits.iter_rows()}

    donors: list[int] = []
    rooms: list[int] = []
    for _ in range(n * 20):
        if len(donors) >= n:
            break
        d = int(rng.integers(0, frame.height))
        max_floor, max_flat = bounds[estates[d]]
        candidate = int(rng.integers(1, max_floor + 1)) * 100 + int(rng.integers(1, max_flat + 1))
        prefix = place[d].rsplit("|", 1)[0]
        where = f"{prefix}|{candidate}"
        if where in occupied:
            continue
        occupied.add(where)
        donors.append(d)
        rooms.append(candidate)
    if not donors:
        return frame.clear(), np.zeros(0, dtype=np.int64)

    idx = np.asarray(donors, dtype=np.int64)
    base = frame[idx.tolist()]
    honey = pl.DataFrame(
        {
            c: (base[c] if c in copy_cols else pl.Series(c, [None] * len(donors), dtype=pl.String))
            for c in frame.columns
        }
    )
    new_rooms = [str(r) for r in rooms]
    for column in {room_col, addr_col} - {None}:
        assert column is not None
        honey = honey.with_columns(_with_room(base[column], new_rooms).alias(column))
    if "name" in by_type:
        honey = honey.with_columns(pl.Series(by_type["name"], _names(len(donors), rng)))
    phones = [p for p in pool if "@" not in p]
    mails = [p for p in pool if "@" in p]
    for type_id, values in (("mobile", phones), ("email", mails)):
        column = by_type.get(type_id)
        if column is None or not values:
            continue
        picked = [values[i] if i < len(values) else None for i in rng.permutation(len(donors))]
        honey = honey.with_columns(pl.Series(column, picked, dtype=pl.String))
    return honey, idx


def _places(
    frame: pl.DataFrame, estate: str | None, kinds: dict[str, str], loc_col: str
) -> pl.Series:
    """``estate|building|unit|room`` digits of every row: what makes a flat distinct."""
    parts: list[pl.Expr] = [pl.col(estate).fill_null("") if estate else pl.lit("")]
    for kind in ("building", "unit"):
        column = next((c for c, k in kinds.items() if k == kind), None)
        parts.append(
            pl.col(column).str.extract(r"(\d+)", 1).fill_null("") if column else pl.lit("")
        )
    parts.append(pl.col(loc_col).str.extract(r"^(.*?)(\d+)\D*$", 1).fill_null(""))
    parts.append(
        pl.col(loc_col)
        .str.extract(r"(\d+)\D*$", 1)
        .cast(pl.Int64, strict=False)
        .cast(pl.String)
        .fill_null("")
    )
    return frame.select(pl.concat_str(parts, separator="|").alias("p"))["p"]


def _with_room(values: pl.Series, rooms: list[str]) -> pl.Series:
    out: list[str | None] = []
    for value, room in zip(values.to_list(), rooms, strict=True):
        if value is None:
            out.append(None)
            continue
        tail = re.search(r"\d+(\D*)$", value)
        out.append(value[: tail.start()] + room + tail.group(1) if tail else value)
    return pl.Series(values.name, out, dtype=pl.String)


@functools.cache
def name_vocabulary() -> tuple[str, str]:
    """(surnames, given-name characters) of honey names, from ``data/honey_names.toml``."""
    text = files("leaktrace.mark").joinpath("data/honey_names.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return "".join(data["surnames"].split()), "".join(data["given"].split())


def _names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` names: a surname, then one or (seven times in ten) two given-name characters.

    A drawn name that the detector does not read as a name (a rare surname such as 酆, or a
    last character place names end in, such as 业) is drawn again: a honey record must look like
    everyone else, and its name must key it as a real record's name does.
    """
    surnames, given = name_vocabulary()
    found: list[str] = []
    while len(found) < n:
        want = 2 * (n - len(found)) + 16
        family = rng.integers(0, len(surnames), size=want)
        first = rng.integers(0, len(given), size=want)
        second = np.where(rng.random(want) < 0.7, rng.integers(0, len(given), size=want), -1)
        drawn = pl.Series(
            [
                surnames[f] + given[a] + (given[b] if b >= 0 else "")
                for f, a, b in zip(family.tolist(), first.tolist(), second.tolist(), strict=True)
            ],
            dtype=pl.String,
        )
        found += rec.normalise("name", drawn).drop_nulls().to_list()
    return found[:n]
