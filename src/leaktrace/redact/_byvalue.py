"""The fallback when a file's layout and ingest's rows cannot be paired record by record.

Ingest may read a file in a shape that is not its physical records (a list typed by hand with one
person per block, key:value pairs in any order, a stray quote read as text). Then every value
the detector replaced in ingest's rows is replaced wherever it occurs in the file's text or
cells, longest value first (Aho-Corasick, in Polars): the layout is kept exactly, and a detected
value can no more survive than in the paired copy. The price is over-masking: a replaced value
that also occurs inside another cell (张伟 inside 张伟华) is masked there too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import polars as pl

from leaktrace.ingest import Evidence, Table, decoder_name, respell
from leaktrace.redact._cells import Masker, _out_cell
from leaktrace.redact._delimited import _encoder, _masked_rows

BLOCK_LINES = 4096


class ValueMap:
    """Every (value as read → replacement) of a file's tables, and the rows they came from."""

    def __init__(self, tables: Iterable[Table], masker: Masker, *, into: str) -> None:
        self.rows = 0
        mapping: dict[str, str] = {}
        for table in tables:
            for seen, masked in _masked_rows(table, masker):
                self.rows += 1
                for before, after in zip(seen, masked, strict=True):
                    if before is not None and after is not None and before != after:
                        mapping[before] = _out_cell(after, into=into)
                        if '"' in before:  # as a quoted CSV field spells it
                            mapping[before.replace('"', '""')] = after.replace('"', '""')
        self.patterns = sorted(mapping, key=len, reverse=True)
        self.replacements = [mapping[p] for p in self.patterns]
        self.whole = mapping

    def apply(self, texts: pl.Series) -> pl.Series:
        """Every pattern replaced in every text (leftmost, longest first), and first every value
        a loose list reads from a number typed in groups or a spaced name, where it stands
        (:func:`~leaktrace.ingest.respell`)."""
        if not self.patterns:
            return texts
        texts = texts.map_elements(
            lambda t: respell(t, self.whole.get), return_dtype=pl.String, skip_nulls=True
        )
        return texts.str.replace_many(self.patterns, self.replacements, leftmost=True)


def write_text_by_value(evidence: Evidence, source: Path, out: IO[bytes], masker: Masker) -> int:
    """A text file (delimited or JSON) with every replaced value replaced where it stands."""
    assert evidence.encoding is not None
    into = "csv" if evidence.format in ("csv", "tsv") else "text"
    values = ValueMap(evidence.tables, masker, into=into)
    codec = decoder_name(evidence.encoding)
    encoder = _encoder(source, codec)
    with source.open("r", encoding=codec, newline="\n") as text:
        for block in _blocks(text):
            replaced = values.apply(pl.Series([block], dtype=pl.String))
            out.write(encoder.encode(replaced[0]))
    out.write(encoder.encode("", final=True))
    return values.rows


def _blocks(text: IO[str]) -> Iterator[str]:
    lines: list[str] = []
    for line in text:
        lines.append(line)
        if len(lines) >= BLOCK_LINES:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
