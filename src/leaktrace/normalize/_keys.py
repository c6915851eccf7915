"""The two keys of a record, defined as text so that any engine can reproduce them.

``person_key`` says who a record is about: the text ``<field>\\x1f<value>`` of its strongest valid
identifier (``cn_id\\x1f330182199001011234``, else ``mobile\\x1f13812345678``, … see
:data:`~leaktrace.normalize.IDENTIFIERS`); without one, ``name\\x1f<name>\\x1f<place>`` where the
place is district, community, building, unit and room (or the whole canonical address when no
community was found); without a name either, the content text.

``content_key`` says what a record holds: every canonical field (:data:`CONTENT_FIELDS`), nulls
as empty text, joined with ``\\x1f``.

Both texts are hashed to 64 bits with Polars' ``Expr.hash``: an identifier's text as its value
hashed with a seed that stands for its field (:func:`field_seed`), which tells texts apart as
hashing ``<field>\\x1f<value>`` would but needs no concatenation per row; every other text whole,
with ``seed=KEY_SEED``. Polars promises the same hash for the same text within one Polars version
(across processes and machines), not across versions, so hashes are never stored as evidence:
counts are the number of distinct key *texts*, and anyone (another engine, a later version) can
recompute them from the canonical fields.
Two different texts sharing a hash would merge two items; for n keys the chance is about
n² / 2⁶⁵ (5 × 10⁻⁶ at 13 million), and the error could only lower a count.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import polars as pl

KEY_SEED = 0
"""Seed of the 64-bit key hash; fixed so keys agree across batches, processes and engines."""

SEP = "\x1f"
"""Unit separator between fields of a key text (it cannot occur in a canonical value)."""

PLACE_PARTS = ("district", "community", "building", "unit", "room")


def place_text() -> pl.Expr:
    """Where a record's person lives, canonical: parts when the estate is known, else address."""
    parts = pl.concat_str([pl.col(p).fill_null("") for p in PLACE_PARTS], separator=SEP)
    room_only = pl.concat_str(
        [pl.col(p).fill_null("") for p in ("building", "unit", "room")], separator=SEP
    )
    has_room = pl.any_horizontal(pl.col(p).is_not_null() for p in ("building", "unit", "room"))
    return (
        pl.when(pl.col("community").is_not_null())
        .then(parts)
        .when(pl.col("address").is_not_null())
        .then(pl.col("address"))
        .when(has_room)
        .then(room_only)
        .otherwise(None)
    )


def content_text(value_fields: Sequence[str]) -> pl.Expr:
    """Every canonical value of the record joined with SEP (null as empty)."""
    return pl.concat_str(
        [*(pl.col(f).fill_null("") for f in value_fields), place_text().fill_null("")],
        separator=SEP,
    )


def identifier_keys(frame: pl.DataFrame, identifiers: Sequence[str]) -> pl.Series:
    """Key of ``<field>\x1f<value>`` of each row's first identifier present; null when none is.

    The value is hashed with the field's seed rather than concatenated with its name: distinct
    texts still get distinct keys (but for a 64-bit collision), at a fifth of the cost. Each
    identifier is hashed only on the rows that have no earlier one, so a batch whose rows all
    carry an ID number hashes one column, not every identifier column.
    """
    keys = pl.repeat(None, frame.height, dtype=pl.UInt64, eager=True)
    todo = pl.repeat(True, frame.height, eager=True)
    for field in identifiers:
        values = frame.get_column(field)
        take = todo & values.is_not_null()
        taken = take.sum()
        if taken == frame.height:
            return values.hash(seed=field_seed(field))
        if taken > frame.height // 8:  # hashing every row costs less than picking these out
            keys = values.hash(seed=field_seed(field)).zip_with(take, keys)
        elif taken:
            rows = take.arg_true()
            keys = keys.scatter(rows, values.gather(rows).hash(seed=field_seed(field)))
        todo &= values.is_null()
    return keys


def field_seed(field: str) -> int:
    """The hash seed that stands for ``<field>\x1f`` in identifier keys (CRC-32 of the name,
    past ``KEY_SEED`` so no field shares the seed of the other keys)."""
    return KEY_SEED + 1 + zlib.crc32(field.encode())


def fallback_key(value_fields: Sequence[str]) -> pl.Expr:
    """Hash of the person-key text of a record without identifier: name and place, or content."""
    by_name = pl.concat_str([pl.lit(f"name{SEP}"), pl.col("name"), pl.lit(SEP), place_text()])
    by_content = pl.concat_str([pl.lit(f"content{SEP}"), content_text(value_fields)])
    return key_hash(pl.coalesce(by_name, by_content))


def key_hash(text: pl.Expr) -> pl.Expr:
    """64-bit hash of a key text (stable within one Polars version)."""
    return text.hash(seed=KEY_SEED)


__all__ = [
    "KEY_SEED",
    "SEP",
    "content_text",
    "fallback_key",
    "field_seed",
    "identifier_keys",
    "key_hash",
]
