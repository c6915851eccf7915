"""Lists typed by hand: loose separators, ``key:value`` pairs, one person per line or per block.

People who copy a list into a text file do not write CSV. They separate fields with full-width
commas (``张三，13812345678，杭州市…``), 、, ``|``, tabs or runs of spaces, mixing them; they write
``姓名:张三 电话:138… 地址:…`` with the keys in any order and some missing; they put one person
on a line, or one field on a line with a blank line between people; and they type phone numbers
as ``+86 138 1234 5678``. A CSV reader makes one column of such a line, or splits the phone
number into three.

:func:`loose_layout` recognises these layouts from the decoded sample; :func:`read_loose` reads
the file as one table in Python, line by line (such files are small: typed or pasted by people),
a batch of records at a time. Columns are named by the keys when there are keys, so the column
classifier reads them as it reads any header; otherwise by a header line when there is one.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Literal

import polars as pl

from ._header import column_names, find_header, generic_names, is_label, names_free_text
from ._model import Limits, Table
from ._sniff import decoder_name

Mode = Literal["pairs", "fields"]

_SEPARATORS = "，,、|｜\t;；"
_HARD = re.compile(r"\s*[" + re.escape(_SEPARATORS) + r"]+\s*")
"""Separators people type between fields; spaces around them belong to no field."""
_SPACES = re.compile(r"\s+")
_PIPE = r"\s*[|｜]\s*"
_KEY = re.compile(
    r"(?:^|(?<=[\s" + re.escape(_SEPARATORS) + r"]))"
    r"([^\s\d:：" + re.escape(_SEPARATORS) + r"][^\s:：" + re.escape(_SEPARATORS) + r"]{0,9})"
    r"\s*[:：]\s*"
)
"""A key (a short label, not starting with a digit) and its colon, at a line start or after a
separator: ``姓名:`` ``联系电话：``. Times (``12:30``) and URLs (``http://``) are not keys."""
_PHONE = re.compile(r"(?<![\d+])((?:\+|00)?86[\s-]*)?(1\d{2})[\s-]*(\d{4})[\s-]*(\d{4})(?!\d)")
"""A mobile number, perhaps with a country code, spaces and hyphens inside."""
_ID = re.compile(r"(?<!\d)(\d{6})[\s-]+(\d{8})[\s-]+(\d{3}[\dXx])(?![\dXx])")
"""An ID number typed in its three groups (region, birth date, order and check)."""

_SAMPLE_LINES = 400
_MAX_KEYS = 64
"""Columns a pairs file may have; later new keys go to the last column, :data:`OTHER`."""
OTHER = "其他 other"


@dataclass(frozen=True)
class LooseLayout:
    """How a loose text file splits into records and fields.

    ``pairs``: fields are ``key:value`` pairs and ``columns`` are the keys; ``fields``: fields
    are separated by ``separator`` (a regex) and ``columns`` come from a header line
    (``header`` True: the file's first record) or are ``column_N``. ``blocks``: a record is a
    block of lines (blank-line separated, or in pairs mode also closed when a key repeats);
    otherwise one line is one record.
    """

    mode: Mode
    columns: list[str]
    blocks: bool
    separator: str = ""
    header: bool = False


def keep_numbers(line: str) -> str:
    """The line with the spaces and hyphens inside mobile and ID numbers removed, so that a
    separator between fields is never one inside a number (``+86 138 1234 5678``)."""
    line = _PHONE.sub(lambda m: ("+86" if m[1] else "") + m[2] + m[3] + m[4], line)
    return _ID.sub(lambda m: m[1] + m[2] + m[3], line)


def pairs(line: str) -> list[tuple[str, str]]:
    """The ``key:value`` pairs of a line, each value running to the next key."""
    found = list(_KEY.finditer(line))
    if not found:
        return []
    out = []
    for m, after in zip(found, [*found[1:], None], strict=True):
        end = after.start() if after is not None else len(line)
        value = line[m.end() : end].strip().strip(_SEPARATORS).strip()
        out.append((m[1].strip(), value))
    return out


def split_fields(line: str, separator: str) -> list[str]:
    """The line's fields (numbers kept whole), stripped."""
    return [f.strip() for f in re.split(separator, keep_numbers(line).strip())]


def loose_layout(text: str, separator: str | None) -> LooseLayout | None:
    """The loose layout of a decoded sample, or None when the CSV reader reads it well.

    ``separator`` is what the delimited-text sniffer chose (None: runs of whitespace, the ASCII
    unit separator: one column). A file of ``key:value`` lines is always read as pairs; a file
    the sniffer split on a comma, tab, ``|`` or ``;`` consistently is left to it unless most of
    its lines also hold full-width separators it did not split on.
    """
    if separator not in (None, "\x1f", "|") and not any(c in text for c in ":：，、｜；"):
        return None  # a CSV or TSV file with nothing loose about it: the usual case
    lines = text.split("\n")[:_SAMPLE_LINES]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # the sample may cut the last line short
    lines = [ln.strip("\ufeff\r") for ln in lines]
    filled = [ln for ln in lines if ln.strip()]
    if not filled:
        return None
    if separator == "\x1f" and _free_text_column([[ln] for ln in filled]):
        return None  # one column of sentences under 内容: their commas are not separators
    blocks = _has_blocks(lines)
    found = [pairs(ln) for ln in filled]
    with_pairs = [p for p in found if p and all(is_label(k) for k, _ in p)]
    keys = {k for p in with_pairs for k, _ in p}
    if len(with_pairs) >= 0.6 * len(filled) and len(keys) >= 2:
        per_line = sum(len(p) >= 2 for p in with_pairs) >= 0.5 * len(with_pairs)
        return LooseLayout("pairs", [], blocks=not per_line)
    return _fields_layout(filled, separator, blocks)


def _free_text_column(rows: list[list[str]]) -> bool:
    """Whether a one-column text's header (under its title lines) names free text."""
    header = find_header(rows)
    return header is not None and names_free_text(rows[header][0])


def _has_blocks(lines: list[str]) -> bool:
    """Whether blank lines split the sample into several blocks of two or more lines."""
    sizes, size = [], 0
    for line in [*lines, ""]:
        if line.strip():
            size += 1
        elif size:
            sizes.append(size)
            size = 0
    return len(sizes) >= 2 and Counter(s >= 2 for s in sizes)[True] >= 0.8 * len(sizes)


def _fields_layout(filled: list[str], separator: str | None, blocks: bool) -> LooseLayout | None:
    if separator == "|" and any(" |" in ln or "| " in ln for ln in filled):
        return _with_header(filled, _PIPE)  # typed with spaces around the bars
    if separator not in (None, "\x1f"):
        # a CSV, TSV or pipe file the CSV reader splits well, unless full-width separators it
        # does not know split nearly every line into more fields (张三,138…，杭州…)
        full_width = sum(any(c in ln for c in "，、｜；") for ln in filled) >= 0.8 * len(filled)
        theirs = _modal_width(filled, re.escape(separator or ","), 0.8)
        if not full_width or _modal_width(filled, _HARD.pattern, 0.8) <= max(theirs, 1):
            return None
    if blocks and _modal_width(filled, _HARD.pattern) == 1:
        return LooseLayout("fields", [], blocks=True, separator=_HARD.pattern)
    hard = _modal_width(filled, _HARD.pattern)
    if hard >= 2:
        return _with_header(filled, _HARD.pattern)
    if separator is None and any(keep_numbers(ln) != ln for ln in filled):
        return _with_header(filled, _SPACES.pattern)
    return None


def _modal_width(lines: list[str], separator: str, share: float = 0.5) -> int:
    """The most common number of fields, when at least ``share`` of the lines have it."""
    widths = Counter(len(split_fields(ln, separator)) for ln in lines)
    width, freq = widths.most_common(1)[0]
    return width if freq >= share * len(lines) else 0


def _with_header(filled: list[str], separator: str) -> LooseLayout:
    rows = [split_fields(ln, separator) for ln in filled]
    width = _modal_width(filled, separator)
    header = find_header(rows[:1], 1) == 0 and len(rows[0]) == width and len(rows) > 1
    columns = column_names(rows[0], width) if header else generic_names(width)
    return LooseLayout("fields", columns, blocks=False, separator=separator, header=header)


Lines = Callable[[], Iterator[str]]
"""A source of the text's lines, read afresh at each call."""


def read_loose(
    path: Path, shown: str, encoding: str, layout: LooseLayout, limits: Limits
) -> list[Table]:
    """The file as one table in ``layout`` (every column String, ``limits.batch_rows`` rows a
    batch)."""
    name = shown.rsplit("!/", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1]
    return [_table(name, lambda: _lines(path, encoding), layout, limits, shown)]


def loose_table(table: Table, limits: Limits, shown: str) -> Table:
    """A one-column table (a sheet) whose cells hold whole lines of a typed list, read as that
    list; any other table as it is."""
    if len(table.columns) != 1 or (
        table.header_row is not None and names_free_text(table.columns[0])
    ):
        return table
    first = next(iter(table.batches()), None)
    if first is None or not first.height:
        return table
    cells = first.get_column(first.columns[0]).head(_SAMPLE_LINES).to_list()
    layout = loose_layout("\n".join(c or "" for c in cells) + "\n", "\x1f")
    if layout is None:
        return table

    def lines() -> Iterator[str]:
        for batch in table.batches():
            for cell in batch.get_column(batch.columns[0]):
                yield cell or ""

    return _table(table.name, lines, layout, limits, shown)


def _table(name: str, lines: Lines, layout: LooseLayout, limits: Limits, shown: str) -> Table:
    if layout.mode == "pairs":
        layout = LooseLayout("pairs", _keys(lines()), layout.blocks)
    elif layout.blocks:
        width = max((len(r) for r in _records(lines(), layout)), default=1)
        layout = LooseLayout("fields", generic_names(width), True, layout.separator)
    columns = layout.columns

    def batches() -> Iterator[pl.DataFrame]:
        from ._csv import check_cells  # local: _csv imports this module

        rows: list[list[str | None]] = []
        seen = 0
        for record in _records(lines(), layout):
            rows.append(_aligned(record, len(columns)))
            if len(rows) == limits.batch_rows:
                batch = _frame(rows, columns)
                check_cells(batch, limits, shown, seen)
                yield batch
                seen, rows = seen + len(rows), []
        if rows:
            batch = _frame(rows, columns)
            check_cells(batch, limits, shown, seen)
            yield batch

    header_row = 0 if layout.header else None
    return Table(name, columns, header_row, batches, shown)


def _lines(path: Path, encoding: str) -> Iterator[str]:
    with codecs.open(str(path), "r", encoding=decoder_name(encoding), errors="strict") as fh:
        for line in fh:
            yield line.strip("\ufeff\r\n")


def _keys(lines: Iterator[str]) -> list[str]:
    """Every key of a pairs file, in the order they first appear; past :data:`_MAX_KEYS`, the
    values of further keys share one last column, :data:`OTHER`."""
    keys: dict[str, None] = {}
    overflow = False
    for line in lines:
        for key, _ in pairs(line):
            if key in keys:
                continue
            if len(keys) < _MAX_KEYS - 1:
                keys[key] = None
            else:
                overflow = True
    return [*keys, OTHER] if overflow else list(keys)


def _records(lines: Iterator[str], layout: LooseLayout) -> Iterator[list[str | None]]:
    """Each record's cells in column order."""
    if layout.mode == "pairs":
        yield from _pair_records(lines, layout)
        return
    if layout.header:
        next((ln for ln in lines if ln.strip()), None)
    if not layout.blocks:
        for line in lines:
            if line.strip():
                yield [f or None for f in split_fields(line, layout.separator)]
        return
    block: list[str | None] = []
    for line in chain(lines, [""]):
        if line.strip():
            block += [f or None for f in split_fields(line, layout.separator)]
        elif block:
            yield block
            block = []


def _pair_records(lines: Iterator[str], layout: LooseLayout) -> Iterator[list[str | None]]:
    """Records of a pairs file: per line, or per block (closed by a blank line or by a key
    the record already has). Text outside any pair is dropped: it is no field of a person."""
    index = {key: i for i, key in enumerate(layout.columns)}
    other = index.get(OTHER)
    record: dict[int, str] = {}
    for line in chain(lines, [""]):
        if layout.blocks and not line.strip() and record:
            yield _from_pairs(record)
            record = {}
        for key, value in pairs(line):
            column = index.get(key, other)
            if column is None:
                continue
            if column in record and layout.blocks:
                yield _from_pairs(record)
                record = {}
            if value:
                record[column] = f"{record[column]} {value}" if column in record else value
        if not layout.blocks and record:
            yield _from_pairs(record)
            record = {}


def _from_pairs(record: dict[int, str]) -> list[str | None]:
    width = max(record) + 1
    return [record.get(i) for i in range(width)]


def _aligned(record: list[str | None], width: int) -> list[str | None]:
    """The record cut or padded to ``width`` cells; extra fields join the last cell."""
    if len(record) > width:
        extra = [f for f in record[width - 1 :] if f]
        record = [*record[: width - 1], " ".join(extra) or None]
    return record + [None] * (width - len(record))


def _frame(rows: list[list[str | None]], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")
