"""Equivalent spellings that carry one code bit each, and how to read them back.

A holder marks columns as free to vary; each column has a *kind* that says which spellings are
equivalent and which slot(s) of the code it carries:

============  ===============================  ==========================  =================
kind          bit 0                            bit 1                       slots
============  ===============================  ==========================  =================
building      ``7幢``                          ``7栋``                     building
unit          ``2``                            ``2单元``                   unit
room          ``1102`` (``7幢2单元1102``)      ``1102室``                  room (+ building)
area          last decimal even (2,4,6,8)      last decimal odd            area
date          even day number                  odd day number (±1 day)     date
address       ``…7幢…`` / no ``室``            ``…7栋…`` / ends ``室``     address_building,
                                                                           address_room
============  ===============================  ==========================  =================

Readers see only the leaked text (after NFKC, so full-width digits read as digits, and with
whitespace removed) and return 0, 1, or -1 for an erasure: a spelling that is neither symbol
(``7号楼``, an area ending in 0, a cell that is empty or masked). Names, phones, ID numbers and
emails are never a kind: they are never altered.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import polars as pl

from leaktrace.mark.code import SLOT_INDEX

KINDS: dict[str, tuple[str, ...]] = {
    "building": ("building",),
    "unit": ("unit",),
    "room": ("room", "building"),
    "area": ("area",),
    "date": ("date",),
    "address": ("address_building", "address_room"),
}
"""Each kind and the slots it carries."""

HEADER_HINTS: dict[str, tuple[str, ...]] = {
    "building": ("楼栋", "楼号", "栋号", "幢号", "栋", "幢", "building"),
    "unit": ("单元", "unit"),
    "room": ("房号", "房间号", "室号", "门牌", "房屋", "room"),
    "area": ("面积", "area"),
    "date": ("日期", "时间", "date"),
    "address": ("地址", "住址", "address"),
}
"""Header words that propose a kind when the holder names none (checked in this order)."""

I8 = npt.NDArray[np.int8]
B = npt.NDArray[np.bool_]

_BUILDING = r"(\d+)(?:幢|栋)"
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def propose_kind(header: str) -> str | None:
    """The kind a column header suggests, or None."""
    low = header.strip().lower()
    for kind, words in HEADER_HINTS.items():
        if any(word in low for word in words):
            return kind
    return None


def clean(series: pl.Series) -> pl.Series:
    """What readers look at: NFKC (full-width digits become ASCII) without any whitespace."""
    return series.cast(pl.String).str.normalize("NFKC").str.replace_all(r"\s+", "")


# --- encoders: (values, bits per slot, a per-record coin) -> values ----------------------------


def encode(kind: str, values: pl.Series, bits: B, coin: B) -> pl.Series:
    """Spell every value of a ``kind`` column with the symbols in ``bits`` (rows x all slots).

    ``coin`` is a per-record keyed coin used where two spellings carry the same symbol (the
    direction of a ±1 change). Values that do not have the expected shape are left as they are.
    """
    frame = pl.DataFrame({"v": values.cast(pl.String)})
    col = pl.col("v")
    if kind == "building":
        zero, one = _building_expr(col, "幢", bare=True), _building_expr(col, "栋", bare=True)
        out = _choose(col, zero, one, bits, "building")
        return frame.select(out).to_series().alias(values.name)
    if kind == "unit":
        zero = col.str.replace(r"^(\d+)\s*单元$", "${1}")
        one = col.str.replace(r"^(\d+)$", "${1}单元")
        return frame.select(_choose(col, zero, one, bits, "unit")).to_series().alias(values.name)
    if kind in ("room", "address"):
        b_slot, r_slot = (
            ("building", "room") if kind == "room" else ("address_building", "address_room")
        )
        zero, one = _building_expr(col, "幢"), _building_expr(col, "栋")
        step = frame.select(_choose(col, zero, one, bits, b_slot))
        col2 = pl.col("v")
        step = step.select(
            _choose(
                col2,
                col2.str.replace(r"(\d+)\s*室$", "${1}"),
                col2.str.replace(r"(\d+)$", "${1}室"),
                bits,
                r_slot,
            )
        )
        return step.to_series().alias(values.name)
    if kind == "area":
        return _encode_area(values, bits[:, SLOT_INDEX["area"]], coin)
    if kind == "date":
        return _encode_date(values, bits[:, SLOT_INDEX["date"]], coin)
    raise ValueError(f"unknown variant kind {kind!r}")


def _building_expr(col: pl.Expr, word: str, *, bare: bool = False) -> pl.Expr:
    """Swap the word after a building number; ``bare`` also spells a lone number (``7``)."""
    out = col.str.replace(_BUILDING, "${1}" + word)
    return out.str.replace(r"^(\d+)$", "${1}" + word) if bare else out


def _choose(original: pl.Expr, zero: pl.Expr, one: pl.Expr, bits: B, slot: str) -> pl.Expr:
    bit = pl.lit(pl.Series(bits[:, SLOT_INDEX[slot]]))
    return pl.when(original.is_null()).then(None).when(bit).then(one).otherwise(zero).alias("v")


_EVEN = np.array([2, 2, 2, 4, 4, 6, 6, 8, 8, 8])  # nearest even non-zero digit, by digit
_EVEN_UP = np.array([2, 2, 4, 4, 6, 6, 8, 8, 8, 8])
_ODD = np.array([1, 1, 1, 3, 3, 5, 5, 7, 7, 9])
_ODD_UP = np.array([1, 1, 3, 3, 5, 5, 7, 7, 9, 9])


def _encode_area(values: pl.Series, bit: B, coin: B) -> pl.Series:
    text = values.cast(pl.String)
    parts = pl.DataFrame({"v": text}).select(
        m=pl.col("v").str.extract(r"^(.*\.\d*)\d$", 1),
        d=pl.col("v").str.extract(r"^.*\.\d*(\d)$", 1).cast(pl.Int64),
    )
    digit = parts["d"].fill_null(0).to_numpy()
    down_even, up_even = _EVEN[digit], _EVEN_UP[digit]
    down_odd, up_odd = _ODD[digit], _ODD_UP[digit]
    keep_even = (digit % 2 == 0) & (digit != 0)
    keep_odd = digit % 2 == 1
    even = np.where(keep_even, digit, np.where(coin, up_even, down_even))
    odd = np.where(keep_odd, digit, np.where(coin, up_odd, down_odd))
    new_digit = np.where(bit, odd, even)
    out = pl.DataFrame({"m": parts["m"], "d": pl.Series(new_digit).cast(pl.String), "v": text})
    return out.select(
        pl.when(pl.col("m").is_null())
        .then(pl.col("v"))
        .otherwise(pl.concat_str("m", "d"))
        .alias(values.name)
    ).to_series()


def _encode_date(values: pl.Series, bit: B, coin: B) -> pl.Series:
    parsed = _dates(values.cast(pl.String))
    parity = (pl.col("d").cast(pl.Int64) + _EPOCH_ORDINAL) % 2
    step = (
        pl.when(parity == pl.lit(pl.Series(bit.astype(np.int64))))
        .then(0)
        .when(pl.lit(pl.Series(coin)))
        .then(1)
        .otherwise(-1)
    )
    moved = pl.col("d") + pl.duration(days=step)
    spelled = pl.coalesce(
        [pl.when(pl.col("f") == i).then(moved.dt.strftime(f)) for i, f in enumerate(_DATE_FORMATS)]
    ) + pl.col("t").fill_null("")
    out = parsed.with_columns(v=values.cast(pl.String)).select(
        pl.when(pl.col("d").is_null()).then(pl.col("v")).otherwise(spelled).alias(values.name)
    )
    return out.to_series()


def _dates(text: pl.Series) -> pl.DataFrame:
    """Each value's date (``d``), the index of its format (``f``) and any time after it (``t``)."""
    stripped = text.str.strip_chars()
    head = stripped.str.split(" ").list.first().str.split("T").list.first()
    frame = pl.DataFrame({"h": head, "s": stripped})
    parsed = [pl.col("h").str.strptime(pl.Date, f, strict=False) for f in _DATE_FORMATS]
    which = pl.coalesce([pl.when(p.is_not_null()).then(pl.lit(i)) for i, p in enumerate(parsed)])
    rest = pl.col("s").str.slice(pl.col("h").str.len_chars())
    return frame.select(pl.coalesce(parsed).alias("d"), which.alias("f"), rest.alias("t"))


# --- readers: leaked values -> symbols per slot ------------------------------------------------


def read(kind: str, values: pl.Series) -> dict[str, I8]:
    """Symbols a ``kind`` column shows, per slot: arrays of 0, 1 or -1 (erased)."""
    text = clean(values)
    frame = pl.DataFrame({"v": text})
    col = pl.col("v")
    if kind == "building":
        return {"building": _sym(frame, col.str.contains(r"\d幢"), col.str.contains(r"\d栋"))}
    if kind == "unit":
        return {"unit": _sym(frame, col.str.contains(r"^\d+$"), col.str.contains(r"^\d+单元$"))}
    if kind in ("room", "address"):
        b_slot, r_slot = (
            ("building", "room") if kind == "room" else ("address_building", "address_room")
        )
        return {
            b_slot: _sym(frame, col.str.contains(r"\d幢"), col.str.contains(r"\d栋")),
            r_slot: _sym(frame, col.str.contains(r"\d$"), col.str.contains(r"\d室$")),
        }
    if kind == "area":
        digit = frame.select(col.str.extract(r"^\d+\.\d*(\d)$", 1).cast(pl.Int8)).to_series()
        d = digit.fill_null(0).to_numpy()
        return {"area": np.where(d == 0, -1, d % 2).astype(np.int8)}
    if kind == "date":
        parity = _dates(text).select(
            ((pl.col("d").cast(pl.Int64) + _EPOCH_ORDINAL) % 2).fill_null(-1).cast(pl.Int8)
        )
        return {"date": np.asarray(parity.to_series().to_numpy(), dtype=np.int8)}
    raise ValueError(f"unknown variant kind {kind!r}")


def _sym(frame: pl.DataFrame, zero: pl.Expr, one: pl.Expr) -> I8:
    out = frame.select(
        pl.when(one.fill_null(False))
        .then(1)
        .when(zero.fill_null(False))
        .then(0)
        .otherwise(-1)
        .cast(pl.Int8)
    ).to_series()
    return np.asarray(out.to_numpy(), dtype=np.int8)
