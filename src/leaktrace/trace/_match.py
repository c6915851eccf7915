"""Matching leaked rows to master records and reading the marks they carry."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from leaktrace.mark import Master, RegistryError, code, records, variants

UNIFORM_SHARE = 0.95
"""A mark column showing one symbol in at least this share of rows was normalised by the leaker
(every 室 stripped, say): it says nothing about the code and is erased. Erasing is a function of
the leak alone, so it cannot make an innocent recipient look guilty."""
UNIFORM_MIN = 30


@dataclass
class Observations:
    """What one leaked table shows about one master.

    ``row``/``index`` pair each matched leaked row with a master index (records first, then honey
    records at ``n_records + h``); ``positions`` holds one symbol per (index, slot) that survived.
    """

    rows: npt.NDArray[np.int64]
    index: npt.NDArray[np.int64]
    positions: pl.DataFrame  # index, slot, symbol, row (first leaked row showing it)
    erased_columns: list[str]
    types: dict[str, str]


def match_rows(
    frame: pl.DataFrame, types: dict[str, str], master: Master, key: bytes
) -> tuple[np.ndarray, np.ndarray]:
    """Leaked row numbers and the master index each one matches (by the first unique key).

    A master whose stored keys hash other key texts (registered before the product had one
    record key) is refused: its keys could match nothing, and "no match" would be a false
    finding.
    """
    if master.layout.get("keys") != records.KEYS_VERSION:
        raise RegistryError(
            f"母本 {master.name!r} 由记录键不同的旧版 LeakTrace 登记，请用登记它的版本比对 "
            f"master {master.name!r} was registered by an earlier LeakTrace whose record keys "
            "differ: trace against it with the version that registered it"
        )
    ids = records.identity_fields(frame, types)
    leaked = records.match_keys(key, ids)
    all_keys = np.concatenate([master.keys, master.honey_keys], axis=0)
    found = np.full(frame.height, -1, dtype=np.int64)
    # A row that gives a full place (building, unit, room) is matched on it, never on the room
    # number alone, so two people of the same name in room 301 of different buildings differ.
    has_place = leaked["name_place"] != 0
    for j, kind in enumerate(records.KEY_ORDER):
        table = pl.DataFrame(
            {"h": all_keys[:, j], "i": np.arange(all_keys.shape[0], dtype=np.int64)}
        )
        table = table.filter(pl.col("h") != 0)
        unique = (
            table.group_by("h")
            .agg(pl.col("i").first(), pl.len().alias("n"))
            .filter(pl.col("n") == 1)
        )
        probe = pl.DataFrame({"h": leaked[kind], "r": np.arange(frame.height, dtype=np.int64)})
        hit = probe.join(unique, on="h", how="inner")
        rows = hit["r"].to_numpy()
        take = found[rows] < 0
        if kind == "name_room":
            take &= ~has_place[rows]
        found[rows[take]] = hit["i"].to_numpy()[take]
    rows = np.flatnonzero(found >= 0)
    return rows, found[rows]


def observe(frame: pl.DataFrame, types: dict[str, str], master: Master, key: bytes) -> Observations:
    """Match ``frame``'s rows (columns typed by ``types``) to ``master``; read surviving marks."""
    rows, index = match_rows(frame, types, master, key)
    parts: list[pl.DataFrame] = []
    erased: list[str] = []
    if rows.size:
        matched = frame[rows.tolist()]
        for column, kind in _columns_for(frame, types, master):
            for slot, sym in variants.read(kind, matched[column]).items():
                kept = sym >= 0
                if (
                    kept.sum() >= UNIFORM_MIN
                    and max(sym[kept].mean(), 1 - sym[kept].mean()) >= UNIFORM_SHARE
                ):
                    erased.append(f"{column}:{slot}")
                    continue
                parts.append(
                    pl.DataFrame(
                        {
                            "index": index[kept],
                            "slot": np.full(int(kept.sum()), code.SLOT_INDEX[slot], dtype=np.int64),
                            "symbol": sym[kept].astype(np.int64),
                            "row": rows[kept],
                        }
                    )
                )
        honey = index >= master.n_records
        if honey.any():
            parts.append(
                pl.DataFrame(
                    {
                        "index": index[honey],
                        "slot": np.full(int(honey.sum()), code.HONEY_SLOT, dtype=np.int64),
                        "symbol": np.ones(int(honey.sum()), dtype=np.int64),
                        "row": rows[honey],
                    }
                )
            )
    schema = {"index": pl.Int64, "slot": pl.Int64, "symbol": pl.Int64, "row": pl.Int64}
    positions = pl.concat(parts, how="vertical") if parts else pl.DataFrame(schema=schema)
    return Observations(rows, index, positions, erased, types)


def merge_positions(positions: pl.DataFrame) -> pl.DataFrame:
    """One symbol per (index, slot). Copies that disagree (two colluders' rows for the same
    person) erase the position: which symbol to keep would otherwise depend on the leak's
    makers in a way no bound accounts for."""
    return (
        positions.group_by("index", "slot")
        .agg(pl.col("symbol").n_unique().alias("k"), pl.col("symbol").first(), pl.col("row").min())
        .filter(pl.col("k") == 1)
        .drop("k")
        .sort("index", "slot")
    )


def _columns_for(
    frame: pl.DataFrame, types: dict[str, str], master: Master
) -> list[tuple[str, str]]:
    """The leaked column that carries each of the master's variant columns, if any."""
    found: list[tuple[str, str]] = []
    used: set[str] = set()
    for column, kind in master.layout["variants"]:
        match = column if column in frame.columns else None
        if match is None:
            master_type = master.layout["types"].get(column)
            match = next((c for c, t in types.items() if master_type and t == master_type), None)
        if match is None:
            match = next((c for c in frame.columns if variants.propose_kind(c) == kind), None)
        if match is not None and match not in used:
            used.add(match)
            found.append((match, kind))
    return found
