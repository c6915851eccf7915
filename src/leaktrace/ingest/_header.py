"""Find the header row under titles and blank rows, and turn header cells into column names.

Real lists often open with a title ("金都花园业主名单（2019年）") merged across the sheet, a blank
row, a date line, and only then the header. A header is recognised by shape, not by vocabulary
(the vocabulary of personal-information headers belongs to `detect`): it fills about the width of
the table, and its cells look like labels - short, not numbers, not dates, mostly distinct.

One column is the exception: there a title line is as wide as the header, and a short line of
data (好的) is as label-like as either. So a one-column table's header is the line, among its
first few, that is a known header word (内容, 手机号码, 姓名: the words `detect` classifies
columns by, read from its data file), and the lines above it are its title; only when none is
does the shape decide as for wider tables.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

_NUMBERISH = re.compile(r"^[\s\d.,:/\-+*#()%Ee]*$")
_MAX_LABEL_CHARS = 30
_MAX_LABEL_DIGITS = 2
_MAX_TITLE_LINES = 5
"""Lines a one-column table may have above its header word (titles, an export date)."""
_NOT_IN_WORD = re.compile(r"[\s\W_]+")
_TRAILING_NUMBER = re.compile(r"\d+$")


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
    if width == 1 and (word := _header_word_line(rows)) is not None:
        return word
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


def _header_word_line(rows: Sequence[Sequence[str | None]]) -> int | None:
    """Index of a one-column table's header: a header word among its first lines, after at most
    `_MAX_TITLE_LINES` lines of title (of two header words in a row, as 聊天记录 over 内容, the
    lower one); None when there is none."""
    words = header_words()
    found = None
    seen = 0
    for index, row in enumerate(rows):
        cells = [c for c in row if c is not None and c.strip()]
        if not cells:
            continue
        if len(cells) == 1 and _header_key(cells[0]) in words:
            found = index
        elif found is not None or seen >= _MAX_TITLE_LINES:
            break
        seen += 1
    return found


def _header_key(cell: str) -> str:
    """A cell as a header word: lower case, without spaces, punctuation and a trailing number
    (联系电话1, 内容：)."""
    if len(cell) > _MAX_LABEL_CHARS:
        return ""
    return _TRAILING_NUMBER.sub("", _NOT_IN_WORD.sub("", cell.lower()))


def names_free_text(cell: str | None) -> bool:
    """Whether a cell is a header word of free text (内容, 备注, 聊天记录): the column it names
    holds sentences, whatever separators they contain."""
    return cell is not None and _header_key(cell) in _free_text_words()


@cache
def _free_text_words() -> frozenset[str]:
    return frozenset(_header_key(word) for word in _headers_toml()["free_text"]["words"])


@cache
def _headers_toml() -> dict[str, Any]:
    text = resources.files("leaktrace").joinpath("detect/data/headers.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def header_words() -> frozenset[str]:
    """Every header word `detect` knows (its personal-information types, the words that say a
    column is not personal information, and the free-text ones), as `_header_key` gives them.

    Read from detect's data file as data: importing `detect` would make ingest depend on it.
    """
    table = _headers_toml()
    lists = [*table["types"].values(), table["not_pi"]["words"], table["free_text"]["words"]]
    return frozenset(key for words in lists for word in words if (key := _header_key(word)))


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
