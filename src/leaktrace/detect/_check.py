"""Status and canonical value of every cell of many typed columns, validated once.

``PIType.status`` and ``PIType.normalise`` each answer one question about one column. A batch
that needs both for several columns (``normalize.records``) would validate every cell twice and
one column at a time; :func:`check_columns` runs every unit's compiled fast path for all
columns at once, each on a worker thread (they release the GIL), retries the cells a fast path
leaves undecided once tidied (``tidy_expr``, the second tier of ``PIType.normalise``), then sends
only the cells still undecided through the full pipeline, normalising them first and asking for
a status only where no valid value came out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import polars as pl

from leaktrace.detect._bytes import INVALID as CODE_INVALID
from leaktrace.detect._bytes import UNDECIDED as CODE_UNDECIDED
from leaktrace.detect._bytes import VALID as CODE_VALID
from leaktrace.detect._catalogue import CATALOGUE
from leaktrace.detect._text import V, apply, fold_series
from leaktrace.detect._unit import PIType

RANK: dict[str, int] = {"valid": 3, "invalid": 2, "masked": 1}
"""A cell's status as a small integer (0 for null): the stronger status has the higher rank."""

VALID = 3
_UNDECIDED = 4
_CODE_RANK = np.array([0, _UNDECIDED, RANK["valid"], RANK["invalid"]], dtype=np.uint8)
"""A compiled fast path's codes (0 null, 1 undecided, 2 valid, 3 invalid) as ranks."""
_POOL = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1), thread_name_prefix="check")
"""The fast paths' threads, started once: a count checks every batch, some 65 to a 13-million-row
case, and starting seven threads for each cost more than a tenth of a second in all."""


class Checked(NamedTuple):
    """One column's cells, checked."""

    rank: pl.Series
    """UInt8: the status as :data:`RANK` (0 for null), equal to the unit's ``status``."""
    value: pl.Series
    """String: the canonical value, null unless valid, equal to the unit's ``normalise``."""
    fast: pl.Series
    """Boolean: the fast path found the cell valid, so its value is the cell as written."""


def check_columns(batch: pl.DataFrame, columns: Sequence[tuple[str, str]]) -> list[Checked]:
    """Each ``(column name, type id)`` of ``batch`` checked (see :class:`Checked`)."""
    if not columns:
        return []
    frame = batch.select(
        pl.col(name).cast(pl.String).alias(f"_r{i}") for i, (name, _) in enumerate(columns)
    )
    units = [CATALOGUE[type_id] for _, type_id in columns]
    # Each fast path (and its tidy tier) runs on its own thread of the pool. A type without one
    # leaves every cell to the full pipeline, whose ``normalise`` and ``status`` still use any
    # status-string fast path the unit has.
    checked = {
        i: _POOL.submit(_fast_checked, frame.get_column(f"_r{i}"), unit)
        for i, unit in enumerate(units)
        if unit.fast_codes is not None
    }
    out = []
    for i, (name, type_id) in enumerate(columns):
        raw = frame.get_column(f"_r{i}")
        rank, value, fast = checked[i].result() if i in checked else _undecided(raw)
        undecided = np.flatnonzero(rank.to_numpy() == _UNDECIDED)
        if undecided.size:
            sub_rank, sub_value = _full(raw.gather(undecided), type_id, i in checked)
            rank = rank.scatter(undecided, sub_rank)
            value = value.scatter(undecided, sub_value)
        out.append(Checked(rank.alias(name), value.alias(name), fast.alias(name)))
    return out


def _fast_checked(raw: pl.Series, unit: PIType) -> Checked:
    """A compiled fast path's ranks (:data:`_UNDECIDED` where it has no answer), and
    for a unit with a ``tidy_expr`` the second tier of ``PIType.status`` and
    ``PIType.normalise``: the undecided cells tidied and checked again, a cell now valid taking
    its tidied text as its value, one now invalid or neither taking that status (as
    ``PIType.status`` gives it; ``normalise`` has no value for it).

    A cell still undecided goes to the full pipeline, as both tiers send it there.
    """
    assert unit.fast_codes is not None
    codes = unit.fast_codes(raw)
    rank = _CODE_RANK.take(codes)
    fast = pl.Series(codes == CODE_VALID)
    value = pl.select(pl.when(fast).then(raw)).to_series()
    undecided = codes == CODE_UNDECIDED
    if unit.tidy_expr is not None and undecided.any():
        tidied = apply(raw.filter(pl.Series(undecided)), unit.tidy_expr(V))
        tidy_codes = unit.fast_codes(tidied)
        rank[undecided] = _CODE_RANK.take(tidy_codes)
        valid = tidy_codes == CODE_VALID
        value = value.scatter(np.flatnonzero(undecided)[valid], tidied.filter(pl.Series(valid)))
    return Checked(pl.Series(rank), value, fast)


def _undecided(raw: pl.Series) -> Checked:
    """A column of a type without a compiled fast path: every cell that is not null is
    left to the full pipeline."""
    rank = np.where(raw.is_null().to_numpy(), 0, _UNDECIDED).astype(np.uint8)
    return Checked(
        pl.Series(rank),
        pl.repeat(None, raw.len(), dtype=pl.String, eager=True),
        pl.repeat(False, raw.len(), eager=True),
    )


def _full(cells: pl.Series, type_id: str, tiers_done: bool) -> tuple[pl.Series, pl.Series]:
    """The full pipeline on non-empty cells: normalise, then status where nothing valid came out.

    With ``tiers_done`` the fast path and the tidy tier have left these cells undecided, so
    ``PIType.normalise`` and ``status`` would end in the regex pipeline: it is called directly.
    """
    unit = CATALOGUE[type_id]
    if tiers_done:
        folded = fold_series(cells)
        value = apply(folded, unit.normalise_expr(V)).cast(pl.String)
    else:
        value = unit.normalise(cells).cast(pl.String)
    rank = pl.select(
        pl.when(pl.lit(value).is_not_null())
        .then(pl.lit(VALID, pl.UInt8))
        .otherwise(pl.lit(0, pl.UInt8))
    ).to_series()
    rest = value.is_null().arg_true()
    if rest.len():
        if tiers_done:
            status = apply(folded.gather(rest), unit.status_expr(V))
        else:
            status = unit.status(cells.gather(rest))
        rank = rank.scatter(rest, status.replace_strict(RANK, default=0, return_dtype=pl.UInt8))
    return rank, value


def warm_fast_paths() -> None:
    """Load every compiled fast path now (about half a second, mostly numba starting up), so a
    caller can do it on a thread while it does something else, such as hashing its first file."""
    cells = pl.Series(["x", "13812345678", None], dtype=pl.String)
    for unit in CATALOGUE.values():
        if unit.fast_codes is not None:
            unit.fast_codes(cells)


def status_counts(series: pl.Series, type_id: str) -> dict[str, int]:
    """How many cells of a column of ``type_id`` are valid, invalid and masked: the counts of
    ``PIType.status``, without making a status string for every cell.

    For a unit with a compiled fast path its codes are counted as they are, the tidy tier
    retried on the undecided cells and only the cells still undecided get status strings from
    the regex pipeline, as ``PIType.status`` gives them; other units count ``status``.
    """
    unit = CATALOGUE[type_id]
    s = series.cast(pl.String)
    if unit.fast_codes is None:
        counts = dict(unit.status(s).value_counts().iter_rows())
        return {k: int(counts.get(k, 0)) for k in RANK}
    codes = unit.tier_codes(s)
    undecided = np.flatnonzero(codes == CODE_UNDECIDED)
    tally = np.bincount(codes, minlength=4)
    out = {"valid": int(tally[CODE_VALID]), "invalid": int(tally[CODE_INVALID]), "masked": 0}
    if undecided.size:
        # the cells the regexes decide repeat (张*, 浙江省杭州市****, **幢*单元***室): each
        # distinct one is decided once and counted as often as it occurs
        rest = s.gather(undecided).alias("v").value_counts(name="n")
        statuses = apply(fold_series(rest.get_column("v")), unit.status_expr(V))
        decided = pl.DataFrame({"status": statuses, "n": rest.get_column("n")})
        for status, n in decided.group_by("status").agg(pl.col("n").sum()).iter_rows():
            if status is not None:
                out[status] += int(n)
    return out
