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
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Literal

import polars as pl

from ._header import column_names, find_header, generic_names, is_label, names_free_text
from ._model import Limits, Table
from ._sniff import decoder_name

Mode = Literal["pairs", "fields", "chat"]

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

_SPACED_NAME = re.compile(
    r"(?<![\u3400-\u9fff])([\u3400-\u9fff])[ \u3000]{1,2}([\u3400-\u9fff])(?![\u3400-\u9fff])"
)
"""Two lone Han characters a space or two apart: ``赵 磊``, a name spaced to line up."""
_GLUED_LABEL = re.compile(
    r"^(?:电话|手机|手机号|手机号码|联系电话|联系方式|电话号码|tel|身份证|身份证号|身份证号码"
    r"|证件号|证件号码|房号|邮箱)(?=\+?\d|[A-Za-z0-9._-]+@)",
    re.IGNORECASE,
)
"""A label typed straight before its number, with no colon (``电话18967012345``)."""
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mobile", re.compile(r"^(?:\+86)?1[\d*]{10}$")),
    ("cn_id", re.compile(r"^\d[\d*]{16}[\dXx*]$|^\d{15}$")),
    ("email", re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.ASCII)),
    (
        "room",
        re.compile(
            r"^(?:\d{1,3}|[A-Z])(?:幢|栋|号楼|座)(?:\d{1,2}单元)?\d{2,5}[室号房]?$"
            r"|^\d{1,2}单元\d{2,5}[室号房]?$|^\d{1,3}-\d{1,2}-\d{2,5}$"
        ),
    ),
)
"""Fields a line may type in any order that their shape alone tells apart: a mobile, an ID
number, an e-mail address, a building-unit-room."""

_DIGIT = re.compile(r"\d")

_CHAT_HEAD = re.compile(
    r"^\s*(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s+)?\d{1,2}:\d{2}(?::\d{2})?\s+\S.{0,60}$"
    r"|^\s*\S.{0,40}?\s+(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*$"
)
"""A chat export's line of time and sender: ``2023-12-01 10:23:11 刘某(wxid_…)`` as WeChat
exports write it, ``刘某 2023-12-01 10:23:11`` as QQ does."""
_NUMBER = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)\d{17}[\dXx](?!\d)")
"""A mobile or ID number, which no line of time and sender holds."""
CHAT_COLUMN = "内容"
"""The one column a chat export is read into: its lines, free text."""

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
    kinds: tuple[tuple[str, int], ...] = ()
    """Kinds of field told by their shape (see :data:`_KINDS`) and the column each goes to,
    wherever the line typed it: the column most lines put it in."""


def _phone(m: re.Match[str]) -> str:
    return ("+86" if m[1] else "") + m[2] + m[3] + m[4]


def _id(m: re.Match[str]) -> str:
    return m[1] + m[2] + m[3]


def keep_numbers(line: str) -> str:
    """The line with the spaces and hyphens inside mobile and ID numbers removed, so that a
    separator between fields is never one inside a number (``+86 138 1234 5678``)."""
    return _ID.sub(_id, _PHONE.sub(_phone, line))


def respell(text: str, replace: Callable[[str], str | None]) -> str:
    """``text`` with each number typed in groups (``138 5712 3456``) and each spaced name
    (``赵 磊``) replaced by ``replace`` of the value a loose list reads there (``13857123456``,
    ``赵磊``), where ``replace`` gives one: masking finds, in the text as typed, the values read
    from it."""

    def sub(read: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        def one(m: re.Match[str]) -> str:
            value = read(m)
            return m[0] if value == m[0] else (replace(value) or m[0])

        return one

    text = _ID.sub(sub(_id), _PHONE.sub(sub(_phone), text))
    return _SPACED_NAME.sub(sub(lambda m: m[1] + m[2]), text)


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
    """The line's fields (numbers kept whole, labels glued to a number dropped), stripped.

    Split on spaces, a two-character name typed with a space inside to line up with
    three-character ones (``赵 磊``) stays one field.
    """
    line = keep_numbers(line).strip()
    if separator == _SPACES.pattern:
        line = _SPACED_NAME.sub(r"\1\2", line)
    return [_GLUED_LABEL.sub("", f.strip()) for f in re.split(separator, line)]


def field_kind(field: str | None) -> str | None:
    """The kind of a field told by its shape alone (:data:`_KINDS`), or None."""
    if not field:
        return None
    field = unicodedata.normalize("NFKC", field)
    return next((kind for kind, shape in _KINDS if shape.match(field)), None)


def _misplaced(fields: Sequence[str | None], kinds: dict[str, int]) -> bool:
    """Whether the line types a field of a known kind outside its kind's column, or words
    without a digit (a note) where a kind's column is."""
    columns = set(kinds.values())
    for i, f in enumerate(fields):
        col = kinds.get(field_kind(f) or "")
        if col is not None and col != i:
            return True
        if col is None and i in columns and f and not _DIGIT.search(f):
            return True
    return False


def _kind_columns(rows: list[list[str]]) -> tuple[tuple[str, int], ...]:
    """Each kind of field and the column most of the sample's lines put it in; kinds that
    would share a column keep none."""
    where: dict[str, Counter[int]] = {}
    for row in rows:
        for i, f in enumerate(row):
            if (kind := field_kind(f)) is not None:
                where.setdefault(kind, Counter())[i] += 1
    modal = {kind: c.most_common(1)[0][0] for kind, c in where.items()}
    taken = Counter(modal.values())
    return tuple((kind, col) for kind, col in modal.items() if taken[col] == 1)


def _width_by_kind(fields: list[str], kinds: dict[str, int]) -> int:
    """The columns a line's fields need when they go by kind (:func:`_by_kind` given room for
    all of them): its last filled column, or the last kind's."""
    room = max(kinds.values()) + 1 + len(fields)
    placed = _by_kind(list(fields), kinds, room)
    last = max((i for i, f in enumerate(placed) if f is not None), default=-1)
    return max(last, *kinds.values()) + 1


def _by_kind(fields: list[str | None], kinds: dict[str, int], width: int) -> list[str | None]:
    """The line's fields in ``width`` columns: a field of a known kind in its kind's column, the
    others in the remaining columns in the order typed (extra ones joined into the last)."""
    out: list[str | None] = [None] * width
    rest: list[str] = []
    for f in fields:
        if not f:
            continue
        col = kinds.get(field_kind(f) or "")
        if col is not None and col < width and out[col] is None:
            out[col] = f
        else:
            rest.append(f)
    free = [i for i in range(width) if i not in kinds.values()] or [width - 1]
    for i, f in zip(free, rest, strict=False):
        out[i] = f if out[i] is None else f"{out[i]} {f}"
    if len(rest) > len(free):
        last = free[-1]
        extra = " ".join(rest[len(free) :])
        out[last] = extra if out[last] is None else f"{out[last]} {extra}"
    return out


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
    if _is_chat(filled):
        return LooseLayout("chat", [CHAT_COLUMN], blocks=False)
    blocks = _has_blocks(lines)
    found = [pairs(ln) for ln in filled]
    with_pairs = [p for p in found if p and all(is_label(k) for k, _ in p)]
    keys = {k for p in with_pairs for k, _ in p}
    if len(with_pairs) >= 0.6 * len(filled) and len(keys) >= 2:
        per_line = sum(len(p) >= 2 for p in with_pairs) >= 0.5 * len(with_pairs)
        return LooseLayout("pairs", [], blocks=not per_line)
    return _fields_layout(filled, separator, blocks)


def _is_chat(filled: list[str]) -> bool:
    """Whether the sample is a chat export: messages under lines of time and sender."""
    heads = sum(bool(_CHAT_HEAD.match(ln)) and not _NUMBER.search(ln) for ln in filled)
    # a list of timestamped lines (2023-12-01 10:23 张三 138…) is all heads and no messages
    return heads >= 3 and 0.2 * len(filled) <= heads <= 0.7 * len(filled)


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
    kinds = _kind_columns(rows[1:] if header else rows)
    if kinds and not header:
        # a note typed after a phone gets a column of its own rather than joining the phone's,
        # and so does one a line typed in another order adds (its fields go by kind)
        at = dict(kinds)
        if width - 1 in at.values():
            width = max(width, *(len(r) for r in rows))
        moved = [r for r in rows if _misplaced(r, at)]
        width = max(width, *(_width_by_kind(r, at) for r in moved)) if moved else width
    columns = column_names(rows[0], width) if header else generic_names(width)
    return LooseLayout("fields", columns, False, separator, header, kinds)


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
    if layout.mode == "chat":
        for line in lines:
            if line.strip():
                yield [line]
        return
    if layout.mode == "pairs":
        yield from _pair_records(lines, layout)
        return
    if layout.header:
        next((ln for ln in lines if ln.strip()), None)
    if not layout.blocks:
        kinds, width = dict(layout.kinds), len(layout.columns)
        for line in lines:
            if line.strip():
                fields: list[str | None] = [f or None for f in split_fields(line, layout.separator)]
                yield _by_kind(fields, kinds, width) if _misplaced(fields, kinds) else fields
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
