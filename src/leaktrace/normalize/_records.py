"""Rows to records: canonical fields, a row status with its reason, the types carried, and keys.

:func:`records` is a pure function of one batch (all-String columns, as ingest yields them) and
the column profiles detect gave for its table. It knows nothing about files, policies or other
batches, so any engine can run it: the local engine over Polars batches, Spark over Arrow
batches with ``mapInArrow``. Its output schema (:data:`RECORD_SCHEMA`) never depends on the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from leaktrace.detect import CATALOGUE, RANK, TYPE_IDS, ColumnProfile, check_columns
from leaktrace.normalize._address import (
    ADDRESS_PARTS,
    ROOM_PARTS,
    clean_text,
    room_parts,
    with_address_parts,
)
from leaktrace.normalize._keys import content_text, fallback_key, identifier_key, key_hash
from leaktrace.normalize._reasons import invalid_reason, masked_reason

TYPE_BITS: dict[str, int] = {t: 1 << i for i, t in enumerate(TYPE_IDS)}
"""Each type's bit in a record's ``types`` mask, in ``detect.TYPE_IDS`` order (bit 0 = name)."""

IDENTIFIERS: tuple[str, ...] = (
    "cn_id",
    "mobile",
    "passport",
    "bank_card",
    "email",
    "qq",
    "wechat",
    "landline",
)
"""Fields that single out one person, strongest first: the first valid one is the person key."""

VALUE_FIELDS: tuple[str, ...] = tuple(t for t in TYPE_IDS if t not in ("address", "room"))
"""Canonical one-value fields; the address and room types become :data:`ADDRESS_PARTS`."""

FIELDS: tuple[str, ...] = (*VALUE_FIELDS, "address", *ADDRESS_PARTS)
"""Every canonical field of a record, in output order (``address`` is the cleaned full text)."""

STATUSES = ("valid", "invalid", "masked", "empty")
"""``valid`` rows are counted; ``invalid`` ones are shown untrue (Art. 11); ``masked`` ones cannot
identify anyone; ``empty`` rows hold no personal information at all."""

RECORD_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.UInt64(),
    **{f: pl.String() for f in FIELDS},
    "types": pl.UInt32(),
    "status": pl.String(),
    "reason": pl.String(),
    "person_key": pl.UInt64(),
    "content_key": pl.UInt64(),
}
"""The columns :func:`records` returns, whatever the batch holds."""

_ROOM_TEXT = "_room_text"
_NEEDS_CLEANING = r"\s|[^\x00-\x7F\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}]"
"""Whitespace, or a character outside ASCII and the unified ideographs: NFKC is the identity on
those, so only cells with something else need cleaning."""
_PLAIN_WHEN_FAST = frozenset({"name", "address", "room"})
"""Types whose fast path calls a cell valid only when it has nothing :data:`_NEEDS_CLEANING`
matches (Han-only names; ASCII and ideographs without whitespace for addresses and rooms)."""
_STATUS_OF_RANK = {rank: status for status, rank in RANK.items()} | {0: "empty"}
VALID, INVALID, MASKED = RANK["valid"], RANK["invalid"], RANK["masked"]


@dataclass(frozen=True)
class _Column:
    """One typed evidence column, with the names of its scratch columns."""

    name: str
    type: str
    index: int

    @property
    def rank(self) -> str:
        return f"_k{self.index}"

    @property
    def value(self) -> str:
        return f"_v{self.index}"

    @property
    def fast(self) -> str:
        return f"_f{self.index}"

    @property
    def raw(self) -> str:
        return f"_r{self.index}"


def records(
    batch: pl.DataFrame,
    profiles: Sequence[ColumnProfile],
    *,
    offset: int = 0,
    parts: bool = True,
) -> pl.DataFrame:
    """Normalise one batch into records, one per row and in order (see :data:`RECORD_SCHEMA`).

    ``profiles`` are detect's column profiles for the batch's table; free-text columns and
    columns of no type are ignored. ``offset`` is the 0-based number of the batch's first row in
    its table, so ``row`` points back into the evidence.

    Several columns of one type (电话1, 电话2) merge: the first valid value wins. A row's status
    follows from its identifying fields (:data:`IDENTIFIERS`; the name when the row has none):
    valid if one is valid, else invalid if one is shown untrue, else masked; a row without any
    personal information is ``empty``. Excluded rows carry the reason of their strongest field.

    ``parts=False`` is the counting fast path: addresses and rooms are split only where they
    make the person key (valid rows without an identifier); other rows keep null parts and a
    null ``content_key``. ``person_key`` is the same either way.
    """
    columns = [
        _Column(p.name, p.type, i)
        for i, p in enumerate(profiles)
        if p.type in TYPE_BITS and not p.free_text and p.name in batch.columns
    ]
    # readers hand over many small chunks; every pass below is cheaper on one
    batch = batch.rechunk()
    scratch = _scratch(batch, columns)
    present = sorted({c.type for c in columns}, key=TYPE_IDS.index)
    rank = {t: _rank([c for c in columns if c.type == t]) for t in present}
    # Fields of no column stay out of the frame until the end: a column of nulls is held as one
    # value, and each eager step would spread it over every row again (about 0.2 ms a column).
    frame = (
        scratch.lazy()
        .select(
            pl.int_range(offset, offset + batch.height, dtype=pl.UInt64).alias("row"),
            *(_value([c for c in columns if c.type == t]).alias(_text_name(t)) for t in present),
            *(
                _plain([c for c in columns if c.type == t]).alias(_plain_name(t))
                for t in present
                if t in _PLAIN_WHEN_FAST
            ),
            _types(rank).alias("types"),
            _row_rank(rank).alias("_rank"),
        )
        .with_columns(
            pl.col("_rank").replace_strict(_STATUS_OF_RANK, return_dtype=pl.String).alias("status"),
            # only the identifiers the batch has columns for: the others are null throughout
            identifier_key([t for t in IDENTIFIERS if t in present]).alias("person_key"),
        )
        .collect()
    )
    frame = frame.with_columns(
        _clean(frame.get_column(_text_name(t)), frame, _plain_name(t))
        for t in ("name", "address", "room")
        if t in present
    )
    frame = _with_places(frame, parts)
    frame = frame.with_columns(
        _reasons(scratch, columns, present, frame.get_column("_rank")).alias("reason")
    )
    return frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in RECORD_SCHEMA.items()
    )


def _text_name(type_id: str) -> str:
    """The frame's column for a type's text: the room type's is not the ``room`` part."""
    return _ROOM_TEXT if type_id == "room" else type_id


def _with_texts(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every field's text, nulls for the types it has no column of."""
    texts = [*VALUE_FIELDS, "address", _ROOM_TEXT]
    return frame.with_columns(pl.lit(None, pl.String).alias(t) for t in texts if t not in frame)


def _scratch(batch: pl.DataFrame, columns: list[_Column]) -> pl.DataFrame:
    """Per typed column: its cell status rank (:data:`~leaktrace.detect.RANK`), its canonical
    value and the raw text, every column validated once (``detect.check_columns``)."""
    checked = check_columns(batch, [(c.name, c.type) for c in columns])
    out = [
        s
        for c, (rank, value, fast) in zip(columns, checked, strict=True)
        for s in (rank.alias(c.rank), value.alias(c.value), fast.alias(c.fast))
    ]
    raws = [batch.get_column(c.name).alias(c.raw) for c in columns]
    pad = pl.repeat(None, batch.height, dtype=pl.Null, eager=True).alias("_pad")  # the height
    return pl.DataFrame([pad, *out, *raws])


def _rank(columns: list[_Column]) -> pl.Expr:
    """Best cell status of a type in the row, as a rank (3 valid … 0 absent)."""
    ranks = [pl.col(c.rank) for c in columns]
    return pl.max_horizontal(ranks) if len(ranks) > 1 else ranks[0]


def _value(columns: list[_Column]) -> pl.Expr:
    """The first valid value of a type in the row (values are null unless valid)."""
    values = [pl.col(c.value) for c in columns]
    return pl.coalesce(values) if len(values) > 1 else values[0]


def _types(rank: dict[str, pl.Expr]) -> pl.Expr:
    """Bitmask of the types with a valid value in the row (see :data:`TYPE_BITS`)."""
    bits = [pl.when(r == VALID).then(pl.lit(TYPE_BITS[t], pl.UInt32)) for t, r in rank.items()]
    if not bits:
        return pl.lit(0, pl.UInt32)
    return pl.sum_horizontal(bits).fill_null(0).cast(pl.UInt32)


def _row_rank(rank: dict[str, pl.Expr]) -> pl.Expr:
    """The row's status as a rank: identifiers decide, else the name, else any field."""
    ids = [r for t, r in rank.items() if t in IDENTIFIERS]
    name = rank.get("name")
    if not rank:
        return pl.lit(0, pl.UInt8)
    best_any = pl.max_horizontal(list(rank.values()))
    best_id = pl.max_horizontal(ids) if ids else pl.lit(0, pl.UInt8)
    best_name = name if name is not None else pl.lit(0, pl.UInt8)
    return (
        pl.when(best_id > 0)
        .then(best_id)
        .when(best_name > 0)
        .then(best_name)
        .otherwise(best_any)
        .cast(pl.UInt8)
    )


def _clean(series: pl.Series, frame: pl.DataFrame, plain: str) -> pl.Series:
    """NFKC and no whitespace (:func:`clean_text`), computed only on the cells that need it.

    Values a fast path took as written are plain already (see :data:`_PLAIN_WHEN_FAST`), so
    only the others are looked at.
    """
    look = series.is_not_null()
    if plain in frame.columns:
        look &= ~frame.get_column(plain).fill_null(False)
    idx = look.arg_true()
    if not idx.len():
        return series
    subset = series.gather(idx)
    needs = subset.str.contains(_NEEDS_CLEANING)
    if not needs.any():
        return series
    cleaned = pl.select(clean_text(pl.lit(subset.filter(needs)))).to_series()
    return series.scatter(idx.filter(needs), cleaned)


def _plain_name(type_id: str) -> str:
    return f"_plain_{type_id}"


def _plain(columns: list[_Column]) -> pl.Expr:
    """Whether the row's value of a type came from a cell its fast path took as written."""
    flags = [pl.when(pl.col(c.value).is_not_null()).then(pl.col(c.fast)) for c in columns]
    return pl.coalesce(flags) if len(flags) > 1 else pl.col(columns[0].fast)


def _with_places(frame: pl.DataFrame, parts: bool) -> pl.DataFrame:
    """Address and room parts, the person key of rows without identifier, the content key."""
    fallback = (pl.col("status") == "valid") & pl.col("person_key").is_null()
    if parts:
        return _split(_with_texts(frame)).with_columns(
            pl.when(fallback)
            .then(fallback_key(VALUE_FIELDS))
            .otherwise(pl.col("person_key"))
            .alias("person_key"),
            key_hash(content_text(VALUE_FIELDS)).alias("content_key"),
        )
    need = frame.select(fallback).to_series()
    if not need.any():
        return frame  # parts and content keys are left null
    frame = _with_texts(frame)
    nulls = [pl.lit(None, pl.String).alias(p) for p in ADDRESS_PARTS]
    nulls.append(pl.lit(None, pl.UInt64).alias("content_key"))
    rest = frame.filter(~need).with_columns(nulls)
    sub = _split(frame.filter(need)).with_columns(
        fallback_key(VALUE_FIELDS).alias("person_key"), pl.lit(None, pl.UInt64).alias("content_key")
    )
    return pl.concat([sub, rest.select(sub.columns)]).sort("row")


def _split(frame: pl.DataFrame) -> pl.DataFrame:
    """Add :data:`ADDRESS_PARTS` from the address; a room column's parts take precedence."""
    if frame.get_column("address").null_count() < frame.height:
        frame = with_address_parts(frame, "address")
    else:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(p) for p in ADDRESS_PARTS)
    if frame.get_column(_ROOM_TEXT).null_count() == frame.height:
        return frame
    own = room_parts(pl.col(_ROOM_TEXT))
    return frame.with_columns(
        pl.coalesce(expr, pl.col(name)).alias(name)
        for expr, name in zip(own, ROOM_PARTS, strict=True)
    )


def _reasons(
    scratch: pl.DataFrame, columns: list[_Column], types: list[str], row_rank: pl.Series
) -> pl.Series:
    """Why each excluded row is excluded (null for valid and empty rows).

    The reason is that of the strongest field with the row's status: an invalid ID before an
    invalid mobile, and so on. Computed on the excluded rows only, which are few.
    """
    excluded = (row_rank == MASKED) | (row_rank == INVALID)
    out = pl.repeat(None, scratch.height, dtype=pl.String, eager=True).alias("reason")
    if not excluded.any():
        return out
    order = [t for t in (*IDENTIFIERS, "name") if t in types]
    order += [t for t in types if t not in order]
    needed = [name for c in columns for name in (c.raw, c.rank)]
    part = scratch.select(*needed, _rank=row_rank).filter(excluded)
    # (column, status) pairs in the order they decide; only those some row has are asked
    # about, since every reason is an expression Polars plans anew for each batch
    pairs = [
        (column, status)
        for type_id in order
        for column in columns
        if column.type == type_id
        for status in (INVALID, MASKED)
    ]
    decides = [
        (pl.col("_rank") == status) & (pl.col(column.rank) == status) for column, status in pairs
    ]
    found = part.select(d.any().alias(str(i)) for i, d in enumerate(decides)).row(0)
    chain = [
        pl.when(d).then(
            invalid_reason(pl.col(column.raw), column.type, CATALOGUE[column.type].label)
            if status == INVALID
            else pl.lit(masked_reason(column.type, CATALOGUE[column.type].label))
        )
        for (column, status), d, some in zip(pairs, decides, found, strict=True)
        if some
    ]
    reasons = part.select(pl.coalesce(chain).alias("reason")).get_column("reason")
    return out.scatter(excluded.arg_true(), reasons)
