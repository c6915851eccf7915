"""Fast paths over a column's UTF-8 bytes, compiled with numba.

A fast path decides the common, clean cells of a type (``valid``, sometimes ``invalid``) and leaves
the rest undecided for the regex pipeline. Written as Polars expressions, each test is another
pass over the text and the regex engine pays a per-cell cost for every one; the kernels here read
each cell's bytes once, in one compiled loop that releases the GIL, so several columns are
checked side by side on separate threads. Every kernel is cross-checked against its unit's full
pipeline in ``tests/detect/test_fast_paths.py``: a kernel may leave more cells undecided than the
regexes would, never decide one differently.

A kernel has the signature ``kernel(offsets, data, *tables, out)``: ``offsets`` (int64, n + 1)
and ``data`` (uint8) are the Arrow buffers of the column, and it writes one code per cell into
``out`` (uint8): 1 undecided, 2 valid, 3 invalid. Null cells are set to 0 afterwards, whatever the
kernel wrote for their empty span.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np
import polars as pl
import pyarrow as pa

Kernel = Callable[..., None]

UNDECIDED, VALID, INVALID = 1, 2, 3
"""The codes a kernel writes (0, null, is set by :func:`run`)."""

compiled = numba.njit(nogil=True, cache=True)
"""How every kernel is compiled: no Python objects, the GIL released, the machine code cached
next to the source so only the first run pays for compiling."""

inlined = numba.njit(nogil=True, cache=True, inline="always")
"""How a kernel's small helpers are compiled: into the kernel, as a call to a compiled function
that takes an array costs more than such a helper does."""


def utf8_buffers(s: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The cells' end offsets (int64, ``len(s) + 1``) and their UTF-8 bytes, without copies
    beyond the one Arrow makes to lay the strings out contiguously."""
    arr = s.cast(pl.String).rechunk().to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    _, offsets, data = arr.buffers()
    assert offsets is not None
    ends = np.frombuffer(offsets, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    text = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return ends, text


def run(kernel: Kernel, s: pl.Series, *tables: Any) -> np.ndarray:
    """Codes of every cell of ``s`` (0 null, 1 undecided, 2 valid, 3 invalid)."""
    ends, text = utf8_buffers(s)
    out = np.empty(len(s), dtype=np.uint8)
    kernel(ends, text, *tables, out)
    if s.null_count():
        out[s.is_null().to_numpy()] = 0
    return out


def code_point_table(ranges: list[tuple[int, int]], chars: str = "") -> np.ndarray:
    """A Boolean table over the Basic Multilingual Plane: True for the given inclusive
    ``ranges`` of code points and the ``chars``."""
    table = np.zeros(0x10000, dtype=np.bool_)
    for low, high in ranges:
        table[low : high + 1] = True
    for c in chars:
        table[ord(c)] = True
    return table


@compiled
def decode(data: np.ndarray, i: int) -> tuple[int, int]:  # pragma: no cover - compiled
    """The code point starting at byte ``i`` of valid UTF-8, and its length in bytes."""
    b0 = data[i]
    if b0 < 0x80:
        return b0, 1
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 6) | (data[i + 1] & 0x3F), 2
    if b0 < 0xF0:
        return ((b0 & 0x0F) << 12) | ((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F), 3
    cp = (b0 & 0x07) << 18 | (data[i + 1] & 0x3F) << 12
    return cp | ((data[i + 2] & 0x3F) << 6) | (data[i + 3] & 0x3F), 4
