"""Overlaps between many files: the pairs sharing items, from which item was seen where.

With a few sources every pair is a figure worth showing (:mod:`._combos` counts them in a
64-bit word). A seized phone holds thousands of small exports, and 20,000 files make 200
million pairs: a table of every pair, or a loop over them in Python, is what made such a count
run out of time and memory. Here the count keeps only the *incidence*, one row per distinct item
and source it was seen in (bounded by the data), and the pairs are counted from it by a
compiled loop, one first source at a time: for each of its items, every later source of that
item gains one. Memory is one counter per source; time is the sum over items of the square of
the number of files each is in. The loop hands its pairs over in chunks, so the few largest
can be kept for the report and every pair streamed to a file on request, neither ever held.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np

from leaktrace.cells import csv_cell
from leaktrace.detect._bytes import compiled

TOP_PAIRS = 50
"""Pairs of files a count reports (the most items shared first); the rest go to a file on
request (``count --overlaps-out``)."""

_CHUNK_PAIRS = 1 << 22
"""Pairs the loop hands over at a time (about 64 MB of arrays)."""


@compiled
def _pairs_from(
    first: int,
    item_ptr: np.ndarray,
    item_src: np.ndarray,
    src_ptr: np.ndarray,
    src_item: np.ndarray,
    counts: np.ndarray,
    touched: np.ndarray,
    out_a: np.ndarray,
    out_b: np.ndarray,
    out_n: np.ndarray,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Pairs ``(a, b, items)``, ``a < b``, for first sources from ``first`` on, until the
    ``out_`` arrays would overflow: returns the next first source and how many pairs."""
    sources = src_ptr.size - 1
    found = 0
    a = first
    while a < sources:
        n_touched = 0
        for j in range(src_ptr[a], src_ptr[a + 1]):
            item = src_item[j]
            for k in range(item_ptr[item], item_ptr[item + 1]):
                b = item_src[k]
                if b > a:
                    if counts[b] == 0:
                        touched[n_touched] = b
                        n_touched += 1
                    counts[b] += 1
        if found + n_touched > out_a.size and found > 0:
            for t in range(n_touched):
                counts[touched[t]] = 0
            return a, found
        for t in range(n_touched):
            b = touched[t]
            out_a[found], out_b[found], out_n[found] = a, b, counts[b]
            counts[b] = 0
            found += 1
        a += 1
    return a, found


_pairs_kernel = cast(Callable[..., tuple[int, int]], _pairs_from)


@dataclass
class Incidence:
    """Which source each distinct item was seen in: ``(item, source)`` rows, added a partition
    at a time (item ids are numbered on as partitions come)."""

    items: int = 0
    _item: list[np.ndarray] = field(default_factory=list)
    _source: list[np.ndarray] = field(default_factory=list)

    def add(self, item: np.ndarray, source: np.ndarray, n_items: int) -> None:
        """Rows of ``n_items`` new items (``item`` numbered from 0 within them)."""
        self._item.append(item.astype(np.int64) + self.items)
        self._source.append(source.astype(np.int64))
        self.items += n_items

    def pairs(self, sources: int, chunk: int = _CHUNK_PAIRS) -> Iterator[tuple[np.ndarray, ...]]:
        """Every pair of sources sharing items, as chunks of ``(a, b, items)`` arrays."""
        if not self._item or sources < 2:
            return
        item = np.concatenate(self._item)
        source = np.concatenate(self._source)
        item_ptr, item_src = _csr(item, source, self.items)
        src_ptr, src_item = _csr(source, item, sources)
        del item, source
        counts = np.zeros(sources, dtype=np.int64)
        touched = np.empty(sources, dtype=np.int64)
        size = max(chunk, sources)
        out = (np.empty(size, np.int64), np.empty(size, np.int64), np.empty(size, np.int64))
        first = 0
        while first < sources:
            first, found = _pairs_kernel(
                first, item_ptr, item_src, src_ptr, src_item, counts, touched, *out
            )
            if found:
                yield out[0][:found].copy(), out[1][:found].copy(), out[2][:found].copy()


def _csr(rows: np.ndarray, cols: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``cols`` grouped by ``rows`` (0 to ``n`` - 1): group ``r`` is ``cols[ptr[r]:ptr[r+1]]``."""
    order = np.argsort(rows, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    return ptr, cols[order]


def top_pairs(
    chunks: Iterator[tuple[np.ndarray, ...]], top: int = TOP_PAIRS
) -> tuple[dict[tuple[int, int], int], int]:
    """The ``top`` pairs sharing the most items (ties: the lower file ids first) and how many
    pairs share any."""
    best = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64))
    total = 0
    for a, b, n in chunks:
        total += a.size
        merged = tuple(np.concatenate([x, y]) for x, y in zip(best, (a, b, n), strict=True))
        order = np.lexsort((merged[1], merged[0], -merged[2]))[:top]
        best = (merged[0][order], merged[1][order], merged[2][order])
    return {(int(a), int(b)): int(n) for a, b, n in zip(*best, strict=True)}, total


def write_pairs(path: Path, chunks: Iterator[tuple[np.ndarray, ...]], names: list[str]) -> int:
    """Every pair to a CSV file (``文件A,文件B,共有条数``), written atomically: the file
    appears complete or not at all; a path that starts like a formula is written as text
    (:mod:`leaktrace.cells`). Returns the number of pairs."""
    path = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    rows = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["文件A file a", "文件B file b", "共有条数 shared items"])
            for a, b, n in chunks:
                pairs = zip(a.tolist(), b.tolist(), n.tolist(), strict=True)
                out.writerows((csv_cell(names[x]), csv_cell(names[y]), z) for x, y, z in pairs)
                rows += a.size
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return rows
