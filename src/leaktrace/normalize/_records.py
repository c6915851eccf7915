"""Rows to records: canonical fields, a row status with its reason, the types carried, and keys.

:func:`records` is a pure function of one batch (all-String columns, as ingest yields them) and
the column profiles detect gave for its table. It knows nothing about files, policies or other
batches, so any engine can run it: the local engine over Polars batches, Spark over Arrow
batches with ``mapInArrow``. Its output schema (:data:`RECORD_SCHEMA`) never depends on the input.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from leaktrace.detect import CATALOGUE, RANK, TYPE_IDS, Checked, ColumnProfile, check_columns
from leaktrace.normalize._address import (
    ADDRESS_PARTS,
    ROOM_PARTS,
    address_parts,
    clean_text,
    room_parts_of,
)
from leaktrace.normalize._keys import (
    PLACE_PARTS,
    content_text,
    fallback_key,
    identifier_keys,
    key_hash,
)
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
_STATUS_BY_RANK = pl.Series(
    [{rank: status for status, rank in RANK.items()}.get(r, "empty") for r in range(4)],
    dtype=pl.String,
)
"""A row's status by its rank (0 empty, then masked, invalid, valid)."""
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
    columns: Collection[str] | None = None,
    places: bool = False,
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
    null ``content_key``. ``person_key`` is the same either way. ``places`` (with ``parts=False``)
    also splits them on valid named rows: person linkage links those by name and place (see
    ``_link.py``). ``columns`` keeps only those
    columns of the schema (in its order): a caller that needs a few does not pay for building
    the others, each a column of the batch's height.
    """
    typed = [
        _Column(p.name, p.type, i)
        for i, p in enumerate(profiles)
        if p.type in TYPE_BITS and not p.free_text and p.name in batch.columns
    ]
    batch, typed = _joined_rooms(batch, typed)
    batch, typed = _estate_address(batch, profiles, typed)
    # readers hand over many small chunks; every pass below is cheaper on one
    batch = batch.rechunk()
    checked = check_columns(batch, [(c.name, c.type) for c in typed])
    scratch = _scratch(batch, typed, checked)
    present = sorted({c.type for c in typed}, key=TYPE_IDS.index)
    ranks = [ch.rank.to_numpy() for ch in checked]
    rank = {
        t: _highest([r for c, r in zip(typed, ranks, strict=True) if c.type == t]) for t in present
    }
    row_rank = pl.Series("_rank", _row_rank(rank, batch.height))
    # Fields of no column stay out of the frame until the end: a column of nulls is held as one
    # value, and each eager step would spread it over every row again (about 0.2 ms a column).
    # The frame is built from whole columns, each in one chunk: a query's output comes in
    # several, and each later step on a frame whose columns are chunked unlike each other
    # first copied them into one again.
    frame = pl.DataFrame(
        [
            pl.int_range(offset, offset + batch.height, dtype=pl.UInt64, eager=True).alias("row"),
            *(
                _first(scratch, _value([c for c in typed if c.type == t])).alias(_text_name(t))
                for t in present
            ),
            *(
                _first(scratch, _plain([c for c in typed if c.type == t])).alias(_plain_name(t))
                for t in present
                if t in _PLAIN_WHEN_FAST
            ),
            pl.Series("types", _types(rank, batch.height)),
            row_rank,
            _STATUS_BY_RANK.gather(row_rank).alias("status"),
        ]
    )
    frame = frame.with_columns(
        identifier_keys(frame, [t for t in IDENTIFIERS if t in present]).alias("person_key")
    )
    frame = frame.with_columns(
        _clean(frame.get_column(_text_name(t)), frame, _plain_name(t))
        for t in ("name", "address", "room")
        if t in present
    )
    frame = _with_places(frame, parts, places, columns)
    frame = frame.with_columns(_reasons(scratch, typed, present, row_rank).alias("reason"))
    return frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in RECORD_SCHEMA.items()
        if columns is None or name in columns
    )


_ROOM_PART_HEADERS: tuple[tuple[str, str], ...] = (
    ("building", r"楼栋|楼号|栋号|幢号|楼幢|栋|幢|座|楼|building|bldg"),
    ("unit", r"单元|unit"),
    ("room", r"房号|房间|室号|户号|门牌|室|房|room"),
)
"""Which part of a home a room column's header names: 楼号, 单元 or 房号."""
_HAS_BUILDING = r"幢|栋|号楼|座|单元|[-－—]"
"""A room cell that already says more than the room number (``3-2-501``, ``3幢501``)."""


def _room_part(header: str) -> str | None:
    """The one part (building, unit, room) a header names, or None."""
    h = header.strip().lower()
    found = [part for part, words in _ROOM_PART_HEADERS if re.search(words, h)]
    return found[0] if len(found) == 1 else None


def _joined_rooms(batch: pl.DataFrame, typed: list[_Column]) -> tuple[pl.DataFrame, list[_Column]]:
    """An owner register that puts building, unit and room in columns of their own (楼号 3幢 |
    单元 2 | 房号 501) gets one room column of the three (``3幢2单元501``), as a careful reader
    joins them; alone, no part locates a home, and the first valid one would be taken for the
    room.

    Bare numbers get their part's word (``3`` → ``3幢``, ``2`` → ``2单元``); a room cell that
    already names its building (``3-2-501``) is taken as it is. Only a table with one column
    of each part it has, a room column among them, is joined.
    """
    rooms = [c for c in typed if c.type == "room"]
    parts = [_room_part(c.name) for c in rooms]
    if len(rooms) < 2 or None in parts or len(set(parts)) != len(parts) or "room" not in parts:
        return batch, typed
    by_part = {p: c for p, c in zip(parts, rooms, strict=True) if p is not None}
    cells = {p: clean_text(pl.col(c.name)).str.to_uppercase() for p, c in by_part.items()}
    words = []
    if "building" in cells:
        b = cells["building"]
        words.append(
            pl.when(b.str.contains(r"^(?:[\d*]{1,3}|[A-Z])$"))
            .then(b + pl.lit("幢"))
            .when(b.str.contains(r"^[\d*]{1,3}号$"))
            .then(b + pl.lit("楼"))
            .when(b.str.contains(r"^(?:[\d*]{1,3}|[A-Z])(?:幢|栋|号楼|座|楼)$"))
            .then(b)
        )
    if "unit" in cells:
        u = cells["unit"]
        words.append(
            pl.when(u.str.contains(r"^[\d*]{1,2}$"))
            .then(u + pl.lit("单元"))
            .when(u.str.contains(r"^[\d*]{1,2}单元$"))
            .then(u)
        )
    r = cells["room"]
    joined = (
        pl.when(r.is_null() | r.str.contains(_HAS_BUILDING))
        .then(pl.col(by_part["room"].name))
        .otherwise(pl.concat_str([*words, r], ignore_nulls=True))
    )
    first = rooms[0]
    name = "+".join(c.name for c in rooms)
    batch = batch.with_columns(joined.alias(name))
    kept = [c for c in typed if c.type != "room" or c is first]
    return batch, [_Column(name, "room", first.index) if c is first else c for c in kept]


_ESTATE_HEADER = re.compile(r"^(?:所在)?(?:小区|楼盘|项目|楼宇|园区)(?:名称|名)?$|^estate$", re.I)
"""A column that names the estate (小区, 楼盘名称), which is no personal information alone."""


def _estate_address(
    batch: pl.DataFrame, profiles: Sequence[ColumnProfile], typed: list[_Column]
) -> tuple[pl.DataFrame, list[_Column]]:
    """A list that names each row's estate in a column of its own (小区 锦绣花园 | 房号 3-1-101)
    and has no address column gets one of the two (``锦绣花园3-1-101``): the estate is part of
    the place, and without it the same name and room in two estates would be one person."""
    rooms = [c for c in typed if c.type == "room"]
    if len(rooms) != 1 or any(c.type == "address" for c in typed):
        return batch, typed
    estates = [
        p.name
        for p in profiles
        if p.type is None
        and not p.free_text
        and p.name in batch.columns
        and _ESTATE_HEADER.match(p.name.strip())
    ]
    if len(estates) != 1:
        return batch, typed
    (estate,), room = estates, rooms[0]
    name = f"{estate}+{room.name}"
    batch = batch.with_columns(
        pl.concat_str([clean_text(pl.col(estate)), clean_text(pl.col(room.name))]).alias(name)
    )
    index = 1 + max(c.index for c in typed)
    return batch, [*typed, _Column(name, "address", index)]


def _text_name(type_id: str) -> str:
    """The frame's column for a type's text: the room type's is not the ``room`` part."""
    return _ROOM_TEXT if type_id == "room" else type_id


def _with_texts(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every field's text, nulls for the types it has no column of."""
    texts = [*VALUE_FIELDS, "address", _ROOM_TEXT]
    return frame.with_columns(pl.lit(None, pl.String).alias(t) for t in texts if t not in frame)


def _scratch(batch: pl.DataFrame, columns: list[_Column], checked: list[Checked]) -> pl.DataFrame:
    """Per typed column: its cell status rank (:data:`~leaktrace.detect.RANK`), its canonical
    value and the raw text, as ``detect.check_columns`` found them."""
    out = [
        s
        for c, (rank, value, fast) in zip(columns, checked, strict=True)
        for s in (rank.alias(c.rank), value.alias(c.value), fast.alias(c.fast))
    ]
    raws = [batch.get_column(c.name).alias(c.raw) for c in columns]
    pad = pl.repeat(None, batch.height, dtype=pl.Null, eager=True).alias("_pad")  # the height
    return pl.DataFrame([pad, *out, *raws])


def _first(scratch: pl.DataFrame, expr: pl.Expr) -> pl.Series:
    """``expr`` over the scratch columns, in one chunk (a column as it is, uncopied)."""
    out = scratch.select(expr).to_series()
    return out if out.n_chunks() == 1 else out.rechunk()


def _value(columns: list[_Column]) -> pl.Expr:
    """The first valid value of a type in the row (values are null unless valid)."""
    values = [pl.col(c.value) for c in columns]
    return pl.coalesce(values) if len(values) > 1 else values[0]


def _types(rank: dict[str, np.ndarray], height: int) -> np.ndarray:
    """Bitmask of the types with a valid value in the row (see :data:`TYPE_BITS`)."""
    types = np.zeros(height, dtype=np.uint32)
    for t, r in rank.items():
        types |= (r == VALID).astype(np.uint32) * np.uint32(TYPE_BITS[t])
    return types


def _row_rank(rank: dict[str, np.ndarray], height: int) -> np.ndarray:
    """The row's status as a rank: identifiers decide, else the name, else any field."""
    none = np.zeros(height, dtype=np.uint8)
    best_id = _highest([r for t, r in rank.items() if t in IDENTIFIERS] or [none])
    best_name = rank.get("name", none)
    best_any = _highest(list(rank.values()) or [none])
    return np.where(best_id > 0, best_id, np.where(best_name > 0, best_name, best_any))


def _highest(ranks: list[np.ndarray]) -> np.ndarray:
    """The highest rank of each row over several columns' ranks."""
    return functools.reduce(np.maximum, ranks)


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


def _with_places(
    frame: pl.DataFrame, parts: bool, places: bool = False, want: Collection[str] | None = None
) -> pl.DataFrame:
    """Address and room parts, the person key of rows without identifier, the content key.

    ``want`` names the parts the caller keeps (None: all); the parts the keys need are built
    whatever it says.
    """
    fallback = (pl.col("status") == "valid") & pl.col("person_key").is_null()
    split = fallback
    if places and "name" in frame.columns:
        texts = [pl.col(t).is_not_null() for t in ("address", _ROOM_TEXT) if t in frame.columns]
        if texts:
            split = fallback | (
                (pl.col("status") == "valid")
                & pl.col("name").is_not_null()
                & pl.any_horizontal(texts)
            )
    if parts:
        return _split(_with_texts(frame)).with_columns(
            pl.when(fallback)
            .then(fallback_key(VALUE_FIELDS))
            .otherwise(pl.col("person_key"))
            .alias("person_key"),
            key_hash(content_text(VALUE_FIELDS)).alias("content_key"),
        )
    mask, keyless = frame.select(split.alias("split"), fallback.alias("keyless")).get_columns()
    if not mask.any():
        return frame  # parts and content keys are left null
    wanted = set(ADDRESS_PARTS if want is None else want) & set(ADDRESS_PARTS)
    keys = bool(keyless.any())
    if keys:
        wanted |= set(PLACE_PARTS)  # the person key of a row without identifier
    frame = _with_texts(frame)
    sub = _split(frame.filter(mask), wanted)
    if keys:
        # the fallback key (a concatenation of every field, hashed) only where it is the key:
        # with places the split rows are most of the batch, and nearly all have an identifier
        rows = sub.select(fallback.alias("keyless")).to_series().arg_true()
        keyed = sub.get_column("person_key").scatter(
            rows, sub[rows].select(fallback_key(VALUE_FIELDS)).to_series()
        )
        sub = sub.with_columns(keyed.alias("person_key"))
    if mask.all():
        return sub.with_columns(
            pl.lit(None, pl.UInt64).alias("content_key"),
            *(pl.lit(None, pl.String).alias(p) for p in ADDRESS_PARTS if p not in sub.columns),
        )
    rows = mask.arg_true()
    return frame.with_columns(
        pl.lit(None, pl.UInt64).alias("content_key"),
        frame.get_column("person_key").scatter(rows, sub.get_column("person_key")),
        *(
            pl.repeat(None, frame.height, dtype=pl.String, eager=True)
            .scatter(rows, sub.get_column(p))
            .alias(p)
            if p in sub.columns
            else pl.lit(None, pl.String).alias(p)
            for p in ADDRESS_PARTS
        ),
    )


def _split(frame: pl.DataFrame, want: Collection[str] | None = None) -> pl.DataFrame:
    """Add the parts ``want`` of :data:`ADDRESS_PARTS` (None: all of them) from the address; a
    room column's parts take precedence."""
    want = ADDRESS_PARTS if want is None else tuple(p for p in ADDRESS_PARTS if p in want)
    address, room_text = frame.get_column("address"), frame.get_column(_ROOM_TEXT)
    if address.null_count() < frame.height:
        frame = frame.with_columns(address_parts(address, want).get_columns())
    frame = frame.with_columns(
        pl.lit(None, pl.String).alias(p) for p in want if p not in frame.columns
    )
    if room_text.null_count() == frame.height:
        return frame
    own = room_parts_of(room_text, [p for p in ROOM_PARTS if p in want])
    return frame.with_columns(
        pl.coalesce(own.get_column(name), pl.col(name)).alias(name) for name in own.columns
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
