"""Find the header row under titles and blank rows, and turn header cells into column names.

Real lists often open with a title ("金都花园业主名单（2019年）") merged across the sheet, a blank
row, a date line, and only then the header. A header is recognised by shape, not by vocabulary
(the vocabulary of personal-information headers belongs to `detect`): it fills about the width of
the table, and its cells look like labels - short, not numbers, not dates, mostly distinct.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

_NUMBERISH = re.compile(r"^[\s\d.,:/\-+*#()%Ee]*$")
_MAX_LABEL_CHARS = 30
_MAX_LABEL_DIGITS = 2


def table_width(rows: Sequence[Sequence[str | None]]) -> int:
    """The most common count of filled cells (rightmost filled cell) among non-blank rows."""
    widths = [_extent(row) for row in rows]
    widths = [w for w in widths if w > 0]
    if not widths:
        return 0
    counts = Counter(widths)
    top = max(counts.values())
    return max(w for w, c in counts.items() if c == top)


def _extent(row: Sequence[str | None]) -> int:
    for index in range(len(row) - 1, -1, -1):
        if row[index] not in (None, ""):
            return index + 1
    return 0


def _span(row: Sequence[str | None]) -> int:
    """Columns from the first filled cell to the last: a table's width wherever it starts."""
    extent = _extent(row)
    first = next((i for i in range(extent) if row[i] not in (None, "")), extent)
    return extent - first


def is_label(cell: str) -> bool:
    """A cell that could be a column label: short text that is not a number, date or ID."""
    text = cell.strip()
    if not text or len(text) > _MAX_LABEL_CHARS:
        return False
    if _NUMBERISH.match(text):
        return False
    return sum(ch.isdigit() for ch in text) <= _MAX_LABEL_DIGITS


def find_header(rows: Sequence[Sequence[str | None]], scan_rows: int = 20) -> int | None:
    """Index into `rows` of the header row, or None when the table has no header.

    The first row among the first `scan_rows` whose filled cells cover most of the table width
    and are nearly all label-like and mostly distinct. Rows too sparse to be a header (titles,
    dates, blank rows) or made of one repeated value (a title merged across the sheet) are
    passed over; the first row that looks like data ends the search, since a header comes first.
    """
    # the table's own width: a sheet whose notes sit in column A and whose table starts in
    # column C has two empty columns on every row of the table, which are not the table's
    spans = Counter(w for w in map(_span, rows) if w > 0)
    if not spans:
        return None
    top = max(spans.values())
    width = max(w for w, c in spans.items() if c == top)
    needed = max(2, round(width * 0.7)) if width > 1 else 1
    for index, row in enumerate(rows[:scan_rows]):
        cells = [c.strip() for c in row if c is not None and c.strip()]
        distinct = len(set(cells))
        if len(cells) < needed or distinct < min(2, len(cells)):
            continue
        labels = sum(is_label(c) for c in cells)
        if labels >= 0.8 * len(cells) and distinct >= 0.6 * len(cells):
            if width == 1 and all(is_label(r[0] or "") for r in rows if r):
                return None  # a one-column list of words: no way to tell, assume no header
            return index
        if labels < 0.5 * len(cells):
            return None
    return None


def column_names(cells: Sequence[str | None], width: int) -> list[str]:
    """Stripped header cells as names; blanks become `column_N`, repeats get `_2`, `_3`."""
    names: list[str] = []
    seen: Counter[str] = Counter()
    for index in range(max(width, len(cells))):
        raw = cells[index] if index < len(cells) else None
        name = " ".join((raw or "").split()) or f"column_{index + 1}"
        seen[name] += 1
        if seen[name] > 1:
            candidate = f"{name}_{seen[name]}"
            while candidate in seen:
                seen[name] += 1
                candidate = f"{name}_{seen[name]}"
            seen[candidate] += 1
            name = candidate
        names.append(name)
    return names


def generic_names(width: int) -> list[str]:
    """Names for a table without a header: `column_1` … `column_N`."""
    return [f"column_{index + 1}" for index in range(width)]
