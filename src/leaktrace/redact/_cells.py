"""What a masked copy puts in place of each cell: one batch of a table in, the same batch out.

A column the classifier gives a type has every value of that type (valid or invalid: a mistyped
ID still points at a person) replaced; its other cells, and every cell of a free-text column, have
the spans ``detect.find_spans`` finds replaced inside the text, the rest of the text untouched.
Values already masked in the evidence (``138****5678``) stay as they are. The replacement is
``leaktrace.mask.mask`` (stars) or, with a key, ``leaktrace.mask.pseudonym`` of the value's
canonical form, so every spelling of one number gets one pseudonym.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

import polars as pl

from leaktrace.cells import csv_cell
from leaktrace.detect import CATALOGUE, ColumnProfile, classify_columns, column_status, find_spans
from leaktrace.mask import mask_series, pseudonym
from leaktrace.scan import SAMPLE_ROWS

_REPLACE = ("valid", "invalid")


class Disagree(Exception):
    """A file's records and ingest's rows could not be paired (the writer then replaces by
    value, see ``_byvalue``)."""


def _out_cell(text: str, *, into: str) -> str:
    """Every text cell a masked copy writes goes through here, and only here.

    ``into`` is ``csv`` (a CSV or TSV field: a cell a spreadsheet would run as a formula gets
    ``leaktrace.cells``' quote in front), ``sheet`` (an XLSX cell, stored with ``write_string``,
    so never a formula and kept as it is) or ``text`` (a TXT line, kept as it is).
    """
    return csv_cell(text) if into == "csv" else text


def profile_columns(columns: list[str], sample: pl.DataFrame) -> list[ColumnProfile]:
    """The column classifier on the table's first batch, as ``scan`` runs it."""
    return classify_columns(columns, sample.head(SAMPLE_ROWS))


class Masker:
    """Replaces detected values in batches and counts what it replaced, per type."""

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key
        self.counts: Counter[str] = Counter()
        self._pseudonym = lru_cache(maxsize=1 << 18)(self._pseudonym_of)

    def frame(self, batch: pl.DataFrame, profiles: list[ColumnProfile]) -> pl.DataFrame:
        """``batch`` (every column String) with its personal values replaced; same shape."""
        out = []
        for profile in profiles:
            series = batch.get_column(profile.name)
            if profile.free_text:
                series = self.text(series)
            elif profile.type is not None:
                series = self._column(series, profile.type)
            out.append(series)
        return pl.DataFrame(out) if out else batch

    def stray(self, cells: list[str | None]) -> list[str | None]:
        """Cells outside the table (a ragged line's extra fields, cells right of the header's
        width): the detector never saw them, so they are searched here like free text."""
        if all(c is None or c == "" for c in cells):
            return cells
        return self.text(pl.Series(cells, dtype=pl.String)).to_list()

    def text(self, series: pl.Series) -> pl.Series:
        """Free text: every span found (not already masked) replaced inside its cell."""
        if series.null_count() == series.len():
            return series
        spans = find_spans(series).filter(pl.col("status").is_in(_REPLACE))
        if spans.height == 0:
            return series
        new = self._replacements(spans["text"], spans["type"])
        cells = series.to_list()
        for row, start, end, value in reversed(
            list(zip(spans["row"], spans["start"], spans["end"], new, strict=True))
        ):
            cells[row] = cells[row][:start] + value + cells[row][end:]
        return pl.Series(series.name, cells, pl.String)

    def _column(self, series: pl.Series, type_id: str) -> pl.Series:
        status = column_status(series, type_id)
        hit = status.is_in(_REPLACE).fill_null(False)
        if hit.any():
            index = hit.arg_true()
            values = series.gather(index)
            new = self._replacements(values, pl.Series([type_id] * len(index), dtype=pl.String))
            series = series.scatter(index, pl.Series(new, dtype=pl.String))
        other = (status.is_null() & series.is_not_null()).fill_null(False)
        if other.any():
            index = other.arg_true()
            series = series.scatter(index, self.text(series.gather(index)))
        return series

    def _replacements(self, values: pl.Series, types: pl.Series) -> list[str]:
        """The stand-in for each value, counted under its type.

        Both kinds are made from the canonical form where the value has one, so
        ``139-8765-4321`` and ``+86 13987654321`` become ``139****4321`` (or one pseudonym); an
        invalid value is masked as written, its pseudonym taken from its letters and digits.
        """
        self.counts.update(dict(types.value_counts().iter_rows()))
        frame = pl.DataFrame({"v": values, "t": types}).with_row_index("i")
        parts = []
        for (type_id,), part in frame.group_by("t"):
            type_id = str(type_id)
            canonical = CATALOGUE[type_id].normalise(part["v"])
            if self.key is None:
                base = canonical.zip_with(canonical.is_not_null(), part["v"])
                new = mask_series(base, type_id)
            else:
                new = pl.Series(
                    [
                        self._pseudonym(c if c is not None else _loose(v), type_id)
                        for v, c in zip(part["v"], canonical, strict=True)
                    ],
                    dtype=pl.String,
                )
            parts.append(pl.DataFrame({"i": part["i"], "new": new}))
        return pl.concat(parts).sort("i")["new"].to_list()

    def _pseudonym_of(self, value: str, type_id: str) -> str:
        assert self.key is not None
        return pseudonym(value, type_id, self.key)


def _loose(value: str) -> str:
    """An invalid value's key for its pseudonym: without spaces and separators, lower case, so
    ``330182 19900101 123X`` and ``33018219900101123x`` still get one pseudonym."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(c for c in folded if c.isalnum() or c in "@.").lower()
