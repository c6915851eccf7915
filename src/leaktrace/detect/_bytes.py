"""Fast paths over a column's UTF-8 bytes, compiled with numba.

A fast path decides the common, clean cells of a type (``valid``, sometimes ``invalid``) and leaves
the rest undecided for the regex pipeline. Written as Polars expressions, each test is another
pass over the text and the regex engine pays a per-cell cost for every one; the kernels here read
each cell's bytes once, in one compiled loop that releases the GIL, so several columns are
checked side by side on separate threads. Every kernel is cross-checked against its unit's full
pipeline in ``tests/detect/test_fast_paths.py``: a kernel may leave more cells undecided than the
regexes would, never decide one differently.

A kernel has the signature ``kernel(spans, text, *tables, out)``: cell ``i`` is the UTF-8 bytes
``text[spans[i, 0]:spans[i, 1]]`` (:func:`cell_spans`), and the kernel writes one code per cell
into ``out`` (uint8): 1 undecided, 2 valid, 3 invalid. Null cells are set to 0 afterwards, whatever
the kernel wrote for their span.

Reading Polars' string views in place relies on their layout (Arrow's ``string_view``: 16-byte
views, up to 12 bytes inline, else buffer index and offset). :func:`views_usable` checks that
layout once per process on a probe column whose bytes are known; when it differs (a Polars or
Arrow upgrade), or a column does not come out as string views, :func:`run` takes the safe path
(:func:`offset_spans`: Arrow's ``large_string`` copy, offsets and one data buffer), which gives
the same codes at the cost of copying the bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
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


def cell_spans(s: pl.Series) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Where each cell's UTF-8 bytes are, read in place from the column's string views.

    Polars keeps a string column as Arrow string views: 16 bytes a cell, holding a cell of up to
    12 bytes itself and pointing into one of many data buffers otherwise. Laying the cells out
    one after another (as ``to_arrow()`` does for a kernel that wants offsets) copied every byte
    and cost more than some kernels themselves. Instead ``text`` is one byte array over the
    memory from the lowest to the highest of those buffers, and ``spans`` (int64, ``(n, 2)``)
    gives each cell's start and stop in it, so a kernel reads the bytes where they are. A kernel
    reads only within its cells' spans; a view that points outside its buffer (Arrow leaves a
    null cell's view unspecified) gets an empty span. The returned Arrow array owns the memory
    ``text`` covers: keep it until the kernel has run. ``spans`` is this thread's scratch
    array, overwritten by its next call: a fresh one for each column and batch cost more in page
    faults than the pass that fills it.
    """
    arr = s.cast(pl.String).rechunk().to_arrow(compat_level=pl.CompatLevel.newest())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.string_view():
        raise LayoutChanged(f"Polars gave {arr.type}, not string views")
    views_buffer, *data = arr.buffers()[1:]
    if views_buffer is None or views_buffer.size < 16 * (arr.offset + len(arr)):
        raise LayoutChanged("the views buffer is shorter than 16 bytes a cell")
    # a missing data buffer holds nothing: a view into it gets an empty span
    at = [d.address if d is not None else views_buffer.address for d in data]
    size = [d.size if d is not None else 0 for d in data]
    low = min([views_buffer.address, *at])
    high = max(
        [views_buffer.address + views_buffer.size, *(a + n for a, n in zip(at, size, strict=True))]
    )
    views = np.frombuffer(views_buffer, dtype=np.uint32).reshape(-1, 4)[arr.offset :][: len(arr)]
    spans = _scratch(len(arr))
    _view_spans(
        views,
        views_buffer.address + 16 * arr.offset - low,
        np.array(at, dtype=np.int64) - low,
        np.array(size, dtype=np.int64),
        spans,
    )
    return spans, np.asarray(_Memory(low, high - low)), arr


class LayoutChanged(Exception):
    """Polars' strings are not laid out as :func:`cell_spans` reads them."""


def offset_spans(s: pl.Series) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """The safe path: the same ``(spans, text, owner)`` as :func:`cell_spans`, from Arrow's
    ``large_string`` (int64 offsets into one data buffer), which every version documents; it
    copies every byte."""
    arr = s.cast(pl.String).rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    offsets_buffer, data_buffer = arr.buffers()[1:3]
    assert offsets_buffer is not None
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[arr.offset :][: len(arr) + 1]
    spans = _scratch(len(arr))
    spans[:, 0] = offsets[:-1]
    spans[:, 1] = offsets[1:]
    text = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else _EMPTY
    return spans, text, arr


_EMPTY = np.zeros(1, dtype=np.uint8)

_PROBE = ["", "短", "exactly12byt", "thirteen byte", "长单元格，超过十二字节", None, "x" * 40]
"""Cells inline and out of line, at the 12-byte edge, multi-byte, null: the layout's cases."""


@cache
def views_usable() -> bool:
    """Whether :func:`cell_spans` reads this Polars' string views right: checked once, on a
    sliced probe column whose bytes are known."""
    try:
        probe = pl.Series(["pad", *_PROBE, *_PROBE], dtype=pl.String).slice(1, 2 * len(_PROBE))
        spans, text, owner = cell_spans(probe)
        got = [bytes(text[a:b]) for a, b in spans]
        del owner
    except (LayoutChanged, ValueError, IndexError, TypeError):
        return False
    want = [(v or "").encode() for v in [*_PROBE, *_PROBE]]
    return all(g == w for g, w, v in zip(got, want, [*_PROBE, *_PROBE], strict=True) if v)


_SCRATCH = threading.local()


def _scratch(rows: int) -> np.ndarray:
    spans: np.ndarray | None = getattr(_SCRATCH, "spans", None)
    if spans is None or spans.shape[0] < rows:
        spans = _SCRATCH.spans = np.empty((rows, 2), dtype=np.int64)
    return spans[:rows]


class _Memory:
    """Bytes at an address, as numpy sees them (read-only)."""

    def __init__(self, address: int, size: int) -> None:
        self.__array_interface__ = {
            "data": (address, True),
            "shape": (size,),
            "typestr": "|u1",
            "version": 3,
        }


@compiled
def _view_spans(
    views: np.ndarray, views_at: int, data_at: np.ndarray, data_size: np.ndarray, spans: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Each view's span: in the view itself up to 12 bytes, else in the data buffer it names."""
    for i in range(views.shape[0]):
        length = int(views[i, 0])
        start = views_at + 16 * i + 4
        if length > 12:
            buffer, offset = views[i, 2], int(views[i, 3])
            if buffer < data_at.size and offset + length <= data_size[buffer]:
                start = data_at[buffer] + offset
            else:
                length = 0  # not a cell's bytes: an unspecified null view
        spans[i, 0] = start
        spans[i, 1] = start + length


def run(kernel: Kernel, s: pl.Series, *tables: Any) -> np.ndarray:
    """Codes of every cell of ``s`` (0 null, 1 undecided, 2 valid, 3 invalid).

    Reads the string views in place when :func:`views_usable`, else through :func:`offset_spans`.
    """
    try:
        spans, text, owner = cell_spans(s) if views_usable() else offset_spans(s)
    except LayoutChanged:
        spans, text, owner = offset_spans(s)
    out = np.empty(len(s), dtype=np.uint8)
    kernel(spans, text, *tables, out)
    del owner  # the memory ``text`` covers may go now
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


def tidy_numbers(s: pl.Series, *, upper_x: bool = False, read_back: bool = False) -> pl.Series:
    """A number column tidied in one compiled pass: full-width forms folded to ASCII as
    ``_text.fold`` folds them (U+FF01..U+FF5E, the ideographic and the no-break space), then
    spaces and hyphens dropped, ``x`` upper-cased with ``upper_x``, and with ``read_back`` a
    spreadsheet number whose every digit is written (``13606661234.0``,
    ``1.3606661234E+10``) read back to its digits as ``_excel.spreadsheet_digits`` reads it.

    The same text as those Polars steps, except that a cell with other Unicode digits (which no
    fast path calls a number) is left as it is; null stays null.
    """
    try:
        spans, text, owner = cell_spans(s) if views_usable() else offset_spans(s)
    except LayoutChanged:
        spans, text, owner = offset_spans(s)
    nulls = s.is_null().to_numpy() if s.null_count() else None
    if nulls is not None:
        spans[nulls, 1] = spans[nulls, 0]  # a null cell's view may hold anything
    out = np.empty(max(int((spans[:, 1] - spans[:, 0]).sum()), 1), dtype=np.uint8)
    offsets = np.empty(len(s) + 1, dtype=np.int64)
    _tidy_numbers(spans, text, upper_x, read_back, out, offsets)
    del owner
    arr = pa.LargeStringArray.from_buffers(
        len(s), pa.py_buffer(offsets), pa.py_buffer(out[: offsets[-1]].copy())
    )
    tidied = pl.Series(s.name, arr, dtype=pl.String)
    if nulls is not None:
        tidied = tidied.scatter(np.flatnonzero(nulls), None)
    return tidied


@compiled
def _tidy_numbers(
    spans: np.ndarray,
    text: np.ndarray,
    upper_x: bool,
    read_back: bool,
    out: np.ndarray,
    offsets: np.ndarray,
) -> None:  # pragma: no cover - compiled
    at = 0
    offsets[0] = 0
    for row in range(spans.shape[0]):
        i, end = spans[row, 0], spans[row, 1]
        start = at
        while i < end:
            b = int(text[i])
            step = 1
            if b == 0xEF and i + 2 < end and text[i + 1] == 0xBC and 0x81 <= text[i + 2] <= 0xBF:
                b, step = int(text[i + 2]) - 0x60, 3  # U+FF01..U+FF3F
            elif b == 0xEF and i + 2 < end and text[i + 1] == 0xBD and 0x80 <= text[i + 2] <= 0x9E:
                b, step = int(text[i + 2]) - 0x20, 3  # U+FF40..U+FF5E
            elif b == 0xE3 and i + 2 < end and text[i + 1] == 0x80 and text[i + 2] == 0x80:
                b, step = 32, 3  # the ideographic space
            elif b == 0xC2 and i + 1 < end and text[i + 1] == 0xA0:
                b, step = 32, 2  # the no-break space
            i += step
            if b == 32 or b == 45:  # " ", "-"
                continue
            if upper_x and b == 120:  # "x"
                b = 88
            out[at] = b
            at += 1
        if read_back:
            at = start + _spreadsheet_digits(out, start, at)
        offsets[row + 1] = at


@inlined
def _spreadsheet_digits(out: np.ndarray, start: int, stop: int) -> int:  # pragma: no cover
    """The length of ``out[start:stop]`` after reading back a spreadsheet number in place
    (``_excel.FLOAT``, or ``_excel.SCIENTIFIC`` with every digit written); else unchanged."""
    n = stop - start
    point = -1
    for k in range(n):
        if out[start + k] == 46:  # "."
            point = k
            break
    if point < 1:
        return n
    # FLOAT: digits, a point, zeros
    float_form = point + 1 < n
    for k in range(n):
        c = out[start + k]
        if k < point:
            float_form &= 48 <= c <= 57
        elif k > point:
            float_form &= c == 48
    if float_form:
        return point
    # SCIENTIFIC: [1-9] "." digits [eE] "+"? one or two digits, all digits written
    if point != 1 or not 49 <= out[start] <= 57:
        return n
    k = 2
    while k < n and 48 <= out[start + k] <= 57:
        k += 1
    written = k - 2
    if written == 0 or k == n or (out[start + k] != 69 and out[start + k] != 101):
        return n
    k += 1
    if k < n and out[start + k] == 43:  # "+"
        k += 1
    exponent_digits = n - k
    if not 1 <= exponent_digits <= 2:
        return n
    exponent = 0
    for j in range(k, n):
        c = out[start + j]
        if not 48 <= c <= 57:
            return n
        exponent = exponent * 10 + c - 48
    if written + 1 != exponent + 1:
        return n
    # drop the point and the exponent: the first digit stays, the others move one left
    for j in range(written):
        out[start + 1 + j] = out[start + 2 + j]
    return written + 1
