"""Items per ``(cat, sources, bare)`` from item rows, compiled.

Every figure of a count is a sum over the distinct items that share a category, a set of sources
and whether all their records were bare phone numbers (see :func:`leaktrace.count._items.tally`).
As a Polars query that is a group-by over ``(cat, key)`` and another over its result; with 13
million item rows the first dominated the end of a count (1.4 s on two cores). :func:`combos`
gives the same table from two compiled loops: the rows are first copied out in buckets by the top
bits of their mixed key (a counting sort), some 65,000 rows to a bucket, so that each bucket's
distinct items fit a hash table in the cache; then each bucket is aggregated alone, half of them
on each of two threads. Sources are bits of a 64-bit word, so it takes fewer than 64 of them;
``tests/count/test_items.py`` checks it against the group-by.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import numpy as np
import polars as pl

from leaktrace.detect._bytes import compiled, inlined

MAX_SOURCES = 64
"""Sources a 64-bit word holds; the caller groups with Polars past that."""

_BUCKET_ROWS = 1 << 16
"""Rows per bucket aimed at: a bucket's table (25 bytes a slot, two to four slots a row) then
stays within the processor's cache (measured best among 2**10 to 2**18 at 13 million rows)."""

_MIX = np.uint64(0x9E3779B97F4A7C15)
"""Fibonacci hashing: a key times this spreads over its top bits however its low bits fall."""


@inlined
def _mixed(key: np.uint64, cat: np.uint8) -> np.uint64:  # pragma: no cover - compiled
    return (key ^ np.uint64(cat)) * _MIX


@compiled
def _scatter(
    cat: np.ndarray, key: np.ndarray, source: np.ndarray, bare: np.ndarray, bucket_bits: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """The rows copied out in bucket order (a counting sort), so each bucket is read in
    sequence: each bucket's first row (and the end), keys, categories, and per row the source
    plus 64 when the record was not a bare phone number."""
    n = key.size
    buckets = 1 << bucket_bits
    top = np.uint64(64 - bucket_bits)
    start = np.zeros(buckets + 1, dtype=np.int64)
    for i in range(n):
        start[np.int64(_mixed(key[i], cat[i]) >> top) + 1] += 1
    for b in range(buckets):
        start[b + 1] += start[b]
    b_key = np.empty(n, dtype=np.uint64)
    b_cat = np.empty(n, dtype=np.uint8)
    b_bit = np.empty(n, dtype=np.uint8)
    fill = start[:-1].copy()
    for i in range(n):
        bucket = np.int64(_mixed(key[i], cat[i]) >> top)
        at = fill[bucket]
        b_key[at], b_cat[at] = key[i], cat[i]
        b_bit[at] = source[i] if bare[i] else source[i] + 64
        fill[bucket] += 1
    return start, b_key, b_cat, b_bit


@compiled
def _aggregate(
    start: np.ndarray,
    b_key: np.ndarray,
    b_cat: np.ndarray,
    b_bit: np.ndarray,
    bucket_bits: int,
    first: int,
    last_bucket: int,
    out_cat: np.ndarray,
    out_seen: np.ndarray,
    out_bare: np.ndarray,
    out_n: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Aggregate buckets ``first`` to ``last_bucket`` (exclusive) of :func:`_scatter`'s rows:
    one row per ``(cat, sources, bare)`` into the ``out_`` arrays; returns how many, or -1 when
    they are too short (the caller retries with longer ones)."""
    largest = 0
    for b in range(first, last_bucket):
        largest = max(largest, start[b + 1] - start[b])
    slots = 16
    while slots < 2 * largest:
        slots *= 2
    t_key = np.empty(slots, dtype=np.uint64)
    t_cat = np.empty(slots, dtype=np.uint8)
    t_seen = np.zeros(slots, dtype=np.uint64)  # 0: empty slot
    t_full = np.zeros(slots, dtype=np.uint64)  # sources with a record that is not bare
    # the combinations found so far, in a table of their own
    c_last = out_n.size - 1
    c_index = np.full(2 * out_n.size, -1, dtype=np.int64)
    c_mask = 2 * out_n.size - 1
    found = 0
    for b in range(first, last_bucket):
        lo, hi = start[b], start[b + 1]
        if lo == hi:
            continue
        size, bits = 16, 4
        while size < 2 * (hi - lo):
            size, bits = 2 * size, bits + 1
        last = size - 1
        t_seen[:size] = 0
        for i in range(lo, hi):
            k, c = b_key[i], b_cat[i]
            bit = np.uint64(1) << np.uint64(b_bit[i] & 63)
            # the bits below the bucket's pick the slot
            s = np.int64((_mixed(k, c) << np.uint64(bucket_bits)) >> np.uint64(64 - bits))
            while t_seen[s] != 0 and not (t_key[s] == k and t_cat[s] == c):
                s = s + 1 if s < last else np.int64(0)
            if t_seen[s] == 0:
                t_key[s], t_cat[s], t_full[s] = k, c, 0
            t_seen[s] |= bit
            if b_bit[i] >= 64:
                t_full[s] |= bit
        for slot in range(size):
            seen = t_seen[slot]
            if seen == 0:
                continue
            is_bare = t_full[slot] == 0
            tag = np.uint64(t_cat[slot]) * np.uint64(2) + np.uint64(is_bare)
            h = np.int64(((seen ^ (tag << np.uint64(55))) * _MIX) >> np.uint64(33)) & c_mask
            while c_index[h] >= 0:
                r = c_index[h]
                if out_seen[r] == seen and out_cat[r] == t_cat[slot] and out_bare[r] == is_bare:
                    break
                h = h + 1 if h < c_mask else np.int64(0)
            if c_index[h] >= 0:
                out_n[c_index[h]] += 1
                continue
            if found > c_last:
                return -1
            c_index[h] = found
            out_cat[found], out_seen[found], out_bare[found] = t_cat[slot], seen, is_bare
            out_n[found] = 1
            found += 1
    return found


_run = cast(Callable[..., int], _aggregate)
_scatter_rows = cast(Callable[..., tuple[np.ndarray, ...]], _scatter)


def _bucket_bits(rows: int) -> int:
    """Bits of the mixed key that pick a row's bucket (1 to 16: a shift by 64 is undefined)."""
    bits = 1
    while rows >> bits > _BUCKET_ROWS and bits < 16:
        bits += 1
    return bits


def combos(items: pl.DataFrame) -> pl.DataFrame:
    """Distinct items per ``(cat, sources, bare)`` of item rows (``cat``, ``key``, ``source``
    below :data:`MAX_SOURCES`, ``bare``): ``sources`` is the bitmask of the sources an item was
    seen in, ``bare`` whether all its records were bare phone numbers, ``len`` the items."""
    columns = [
        items.get_column(name).cast(dtype).to_numpy()
        for name, dtype in (
            ("cat", pl.UInt8),
            ("key", pl.UInt64),
            ("source", pl.UInt32),
            ("bare", pl.Boolean),
        )
    ]
    bits = _bucket_bits(items.height)
    rows = _scatter_rows(*columns, bits)
    # the buckets are independent: half of them on each of two threads
    half = (1 << bits) // 2
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="combos") as pool:
        parts = list(
            pool.map(lambda span: _combos_of(rows, bits, *span), [(0, half), (half, 1 << bits)])
        )
    return (
        pl.concat(parts)
        .group_by("cat", "sources", "bare")
        .agg(pl.col("len").sum())
        .cast({"len": pl.UInt32})
    )


def _combos_of(rows: tuple[np.ndarray, ...], bits: int, first: int, last: int) -> pl.DataFrame:
    """:func:`_aggregate` of buckets ``first`` to ``last``, with room made for its rows."""
    size = 1 << 10
    while True:
        out = (
            np.empty(size, dtype=np.uint8),
            np.empty(size, dtype=np.uint64),
            np.empty(size, dtype=np.bool_),
            np.empty(size, dtype=np.int64),
        )
        found = _run(*rows, bits, first, last, *out)
        if found >= 0:
            break
        size *= 8
    return pl.DataFrame(
        {
            "cat": out[0][:found],
            "sources": out[1][:found],
            "bare": out[2][:found],
            "len": out[3][:found],
        },
        schema={"cat": pl.UInt8, "sources": pl.UInt64, "bare": pl.Boolean, "len": pl.Int64},
    )
