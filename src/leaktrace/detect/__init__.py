"""The catalogue of personal-information types, their vectorised validators, the column
classifier and free-text spans.

>>> from leaktrace.detect import CATALOGUE, classify_columns, column_status, find_spans
>>> CATALOGUE["mobile"].normalise(pl.Series(["+86 138-1234-5678"])).to_list()
['13812345678']

Every type is one unit under ``detect/types/`` registered by one line of ``data/catalogue.toml``;
see ``PIType`` for the verbs each unit offers.
"""

from __future__ import annotations

import polars as pl

from leaktrace.detect._catalogue import CATALOGUE, TYPE_IDS
from leaktrace.detect._check import RANK, Checked, check_columns, status_counts, warm_fast_paths
from leaktrace.detect._columns import ColumnProfile, classify_columns
from leaktrace.detect._excel import recovered as spreadsheet_recovered
from leaktrace.detect._spans import SpanFinder, find_spans, load_tagger_early
from leaktrace.detect._unit import MaskedValue, PIType, ValidationError
from leaktrace.detect.types.cn_id import decode as decode_cn_id
from leaktrace.detect.types.cn_id import decode_frame as decode_cn_ids

__all__ = [
    "CATALOGUE",
    "RANK",
    "TYPE_IDS",
    "Checked",
    "ColumnProfile",
    "MaskedValue",
    "PIType",
    "SpanFinder",
    "ValidationError",
    "check_columns",
    "classify_columns",
    "column_status",
    "decode_cn_id",
    "decode_cn_ids",
    "find_spans",
    "load_tagger_early",
    "normalise",
    "spreadsheet_recovered",
    "status_counts",
    "warm_fast_paths",
]


def _unit(type_id: str) -> PIType:
    try:
        return CATALOGUE[type_id]
    except KeyError:
        raise KeyError(f"unknown type id {type_id!r}; known: {', '.join(CATALOGUE)}") from None


def column_status(series: pl.Series, type_id: str) -> pl.Series:
    """'valid' | 'invalid' | 'masked' | null for every cell of a column of ``type_id``."""
    return _unit(type_id).status(series)


def normalise(series: pl.Series, type_id: str) -> pl.Series:
    """The canonical form of every valid cell of a column of ``type_id``, null elsewhere."""
    return _unit(type_id).normalise(series)
