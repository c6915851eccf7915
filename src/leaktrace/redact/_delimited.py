"""Masked copies of CSV, TSV and TXT lists, byte for byte wherever nothing was masked.

The file is read twice side by side: ``ingest`` gives the data rows exactly as ``scan`` and
``count`` see them (detection runs on those), and a reader here walks the same text record by
record keeping every byte: title lines, the header, blank lines, quotes, separators, line ends.
Each data record is checked against its ingest row; only the fields whose value changes are
rewritten (quoted again if they were quoted, or if the new value needs it), everything else is
copied as it was. If the two readings ever disagree the file is refused rather than written with
masks in the wrong places.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import IO, NamedTuple

from leaktrace.ingest import Dialect, Evidence, Limits, Table, decoder_name, sniff_dialect
from leaktrace.redact._cells import Disagree, Masker, _out_cell, profile_columns

_LINE_SEPARATOR = "\x1f"
"""What ingest splits on to read whole lines as one field (see ``ingest._csv``)."""

Row = tuple[str | None, ...]

_MAX_RECORD_CHARS = Limits().max_cell_bytes
"""A record that grows past the largest cell ingest accepts holds an unclosed quote."""


class _Field(NamedTuple):
    """One field of a record: where it is in the record's text and the value it reads as."""

    start: int
    end: int
    value: str
    quoted: bool


def write_delimited(evidence: Evidence, source: Path, out: IO[bytes], masker: Masker) -> int:
    """Write the masked copy of one delimited file to ``out``; returns the data rows written."""
    assert evidence.encoding is not None
    codec = decoder_name(evidence.encoding)
    encoder = _encoder(source, codec)
    with source.open("rb") as head:
        sample = codecs.getincrementaldecoder(codec)().decode(head.read(Limits().sniff_bytes))
    dialect = sniff_dialect(sample)
    table = evidence.tables[0] if evidence.tables else None
    rows = _Rows(evidence.path, table, masker)
    rows.into = _into(dialect)
    header = None if table is None else table.header_row
    line = 0  # physical lines before the current record, counted as ingest counts them
    split = dialect.separator if dialect.separator not in (None, _LINE_SEPARATOR) else None
    buffer: list[str] = []
    with source.open("r", encoding=codec, newline="\n") as text:
        for record, lines in _records(text, dialect):
            body, end = _split_end(record)
            if header is not None:
                # title lines, then the header record itself: copied, never data
                is_data = False
                if line >= header:
                    header = None
            else:
                is_data = table is not None
            line += lines
            parts = body.split(split) if split is not None and '"' not in body else None
            if parts is not None and len(parts) <= rows.width:
                buffer.append(_simple_record(body, parts, split or "", is_data, rows) + end)
            else:
                fields = _fields(body, dialect, rows.width)
                buffer.append(_rebuild(body, fields, rows.masked(fields, is_data), dialect) + end)
            if len(buffer) >= 4096:
                out.write(encoder.encode("".join(buffer)))
                buffer.clear()
    out.write(encoder.encode("".join(buffer)))
    rows.finish()
    out.write(encoder.encode("", final=True))
    return rows.count


class _Rows:
    """Ingest's data rows with their masked versions, handed out one per data record read here;
    a record that reads differently from its ingest row stops the copy."""

    def __init__(self, path: str, table: Table | None, masker: Masker) -> None:
        self.path = path
        self.width = len(table.columns) if table is not None else 0
        self.count = 0
        self.masker = masker
        self.into = "text"
        self._pairs = _masked_rows(table, masker) if table is not None else iter(())

    def take(self, values: Row) -> Row:
        """The masked row for the data record that reads as ``values``."""
        pair = next(self._pairs, None)
        if pair is None or values != pair[0]:
            raise Disagree(_disagree(self.count))
        self.count += 1
        return pair[1]

    def masked(self, fields: list[_Field], is_data: bool) -> Row | None:
        """The masked values for a record's fields, None when it is not a data record; fields
        beyond the header's width are searched like free text."""
        values = tuple([f.value or None for f in fields[: self.width]])
        if not is_data or values.count(None) == len(values):
            return None
        masked = self.take(values + (None,) * (self.width - len(values)))
        extra: list[str | None] = [f.value for f in fields[self.width :]]
        return masked + tuple(self.masker.stray(extra)) if extra else masked

    def finish(self) -> None:
        if next(self._pairs, None) is not None:
            raise Disagree(_disagree(self.count))


def _simple_record(body: str, parts: list[str], sep: str, is_data: bool, rows: _Rows) -> str:
    """The common record: no quotes, no fields beyond the header; one split, one join."""
    values = tuple([p or None for p in parts])
    masked: Row = values
    if is_data and values.count(None) < len(values):
        masked = rows.take(values + (None,) * (rows.width - len(values)))
    into = rows.into
    new = [
        _out_cell(m if m is not None else p, into=into) for p, m in zip(parts, masked, strict=False)
    ]
    return body if new == parts else sep.join(new)


def _into(dialect: Dialect) -> str:
    """What ``_out_cell`` guards: CSV and TSV fields (spreadsheets open them), not TXT lines."""
    return "csv" if dialect.format in ("csv", "tsv") else "text"


def _disagree(row: int) -> str:
    return (
        f"无法保持版式：第 {row} 行数据与扫描所读不同 cannot keep the layout: data row {row} "
        "reads differently here than in scan (irregular quoting?)"
    )


def _encoder(source: Path, codec: str) -> codecs.IncrementalEncoder:
    """The input's encoding for the output, its byte-order mark included."""
    if codec == "utf-16":
        with source.open("rb") as fh:
            bom = fh.read(2)
        return _WithBom(bom, "utf-16-be" if bom == codecs.BOM_UTF16_BE else "utf-16-le")
    return codecs.getincrementalencoder(codec)()


class _WithBom(codecs.IncrementalEncoder):
    """A BOM-less codec that writes the original byte-order mark first (Python's ``utf-16``
    would write the machine's, which may not be the file's)."""

    def __init__(self, bom: bytes, codec: str) -> None:
        super().__init__()
        self.bom = bom
        self.inner = codecs.getincrementalencoder(codec)()

    def encode(self, text: str, final: bool = False) -> bytes:
        head, self.bom = self.bom, b""
        return head + self.inner.encode(text, final)


def _masked_rows(table: Table, masker: Masker) -> Iterator[tuple[Row, Row]]:
    """(row as read, row masked) for every data row, detection run batch by batch."""
    batches = (b for b in table.batches() if b.height)
    first = next(batches, None)
    if first is None:
        return
    profiles = profile_columns(table.columns, first)
    for batch in chain([first], batches):
        masked = masker.frame(batch, profiles)
        yield from zip(batch.iter_rows(), masked.iter_rows(), strict=True)


def _records(text: IO[str], dialect: Dialect) -> Iterator[tuple[str, int]]:
    """(record text with its line end, physical lines it spans); a quoted field may hold line
    breaks, so with quoting a record goes on while its quotes are unbalanced."""
    quoted = dialect.quoted and dialect.separator not in (None, _LINE_SEPARATOR)
    pending: list[str] = []
    quotes = size = 0
    for line in text:
        if not quoted:
            yield line, 1
            continue
        pending.append(line)
        quotes += line.count('"')
        size += len(line)
        if quotes % 2 == 0:
            yield "".join(pending), len(pending)
            pending, quotes, size = [], 0, 0
        elif size > _MAX_RECORD_CHARS:
            # a quote that is never closed: ingest reads such a file with quotes as text
            raise Disagree("引号未闭合 a quote is not closed within a cell's size")
    if pending:
        yield "".join(pending), len(pending)


def _split_end(record: str) -> tuple[str, str]:
    for end in ("\r\n", "\n"):
        if record.endswith(end):
            return record[: -len(end)], end
    return record, ""


def _fields(body: str, dialect: Dialect, width: int) -> list[_Field]:
    """The fields of one record with their places in ``body``, read as ingest reads them."""
    if dialect.separator is None:
        return _whitespace_fields(body, max(width, 1))
    if dialect.separator == _LINE_SEPARATOR:
        return [_Field(0, len(body), body, False)]
    if not dialect.quoted or '"' not in body:
        return _plain_fields(body, dialect.separator)
    return _quoted_fields(body, dialect.separator)


def _plain_fields(body: str, sep: str) -> list[_Field]:
    out, start, step = [], 0, len(sep)
    for part in body.split(sep):
        end = start + len(part)
        out.append(_Field(start, end, part, False))
        start = end + step
    return out


def _quoted_fields(body: str, sep: str) -> list[_Field]:
    out: list[_Field] = []
    i, n = 0, len(body)
    while True:
        start = i
        if i < n and body[i] == '"':
            j, parts = i + 1, []
            while j < n:
                if body[j] == '"':
                    if body.startswith('""', j):
                        parts.append('"')
                        j += 2
                        continue
                    break
                parts.append(body[j])
                j += 1
            end = body.find(sep, j)
            end = n if end < 0 else end
            out.append(_Field(start, end, "".join(parts) + body[j + 1 : end], True))
        else:
            end = body.find(sep, i)
            end = n if end < 0 else end
            out.append(_Field(start, end, body[i:end], False))
        if end >= n:
            return out
        i = end + len(sep)


def _whitespace_fields(body: str, width: int) -> list[_Field]:
    """Runs of non-space; the last column keeps the rest of the line (as ``ingest`` splits)."""
    match = _whitespace_pattern(width).match(body)
    if match is None:
        return []
    out = []
    for group in range(1, width + 1):
        start, end = match.span(group)
        if start < 0:
            start = end = len(body)
        out.append(_Field(start, end, body[start:end], False))
    return out


_PATTERNS: dict[int, re.Pattern[str]] = {}


def _whitespace_pattern(width: int) -> re.Pattern[str]:
    if width not in _PATTERNS:
        first, *rest = [r"(\S+)"] * (width - 1) + [r"(.+?)"]
        _PATTERNS[width] = re.compile(
            rf"^\s*(?:{first})?" + "".join(rf"(?:\s+{g})?" for g in rest) + r"\s*$", re.DOTALL
        )
    return _PATTERNS[width]


def _rebuild(body: str, fields: list[_Field], masked: Row | None, dialect: Dialect) -> str:
    """``body`` with every field whose value changed (after ``_out_cell``) written anew."""
    pieces, cursor = [], 0
    for index, field in enumerate(fields):
        value = masked[index] if masked is not None and index < len(masked) else None
        text = _out_cell(value if value is not None else field.value, into=_into(dialect))
        if text == field.value:
            continue
        pieces.append(body[cursor : field.start])
        pieces.append(_quote(text, field.quoted, dialect))
        cursor = field.end
    if not pieces:
        return body
    pieces.append(body[cursor:])
    return "".join(pieces)


def _quote(text: str, was_quoted: bool, dialect: Dialect) -> str:
    sep = dialect.separator
    if not dialect.quoted or sep is None or sep == _LINE_SEPARATOR:
        return text
    if was_quoted or sep in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text
