"""The leak simulator: what people do to a list between a holder's export and a seized file.

Start from one or more exports (the holder's owner list, `owners`, marked or not) and apply, in
the order a leaker would: merge colluders' lists (`merge`), take a subset, mix in rows from
elsewhere, drop duplicates, keep a few columns, shuffle, reformat phones, type digits full-width,
add stray whitespace, mask some values, and save through Excel and a GBK CSV. Every step is a
plain function of a frame and a seeded generator, so a test can apply one alone; `simulate` runs
the steps a `LeakSpec` asks for, and `SCENARIOS` names the ones tests and benchmarks use.

>>> master = owners(2_000, seed=1)
>>> leaked = simulate([export_a, export_b], SCENARIOS["majority"], out=Path("leak.csv"), seed=3)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from leaktrace.errors import InputError
from leaktrace.ingest import Failure, walk
from leaktrace.mask import mask
from leaktrace.synth._people import residents

OWNER_COLUMNS = (
    "姓名",
    "手机号",
    "身份证号",
    "电子邮箱",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "建筑面积",
    "交付日期",
    "地址",
)
"""The columns of the synthetic holder's owner list, in order."""

_HINTS = {
    "name": ("姓名", "业主", "name"),
    "mobile": ("手机", "电话", "mobile", "phone"),
    "cn_id": ("身份证", "证件"),
    "room": ("房号", "room"),
}
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def owners(n: int, seed: int, *, per_flat: int | None = 2) -> pl.DataFrame:
    """A property holder's owner list, all text, as an office would keep it.

    A flat has at most ``per_flat`` owners (co-owners are common); the synthetic estates hold
    about 63,000 flats, so ``per_flat=2`` gives up to about 100,000 owners. ``per_flat=None``
    puts no limit (for timing runs that need millions of rows).
    """
    if per_flat is None:
        people = residents(n, seed=seed)
    else:
        people = residents(int(n * 2.5) + 50, seed=seed)
        flat = ["community", "building", "unit", "room"]
        people = people.filter(pl.int_range(pl.len()).over(flat) < per_flat)
        if people.height < n:
            raise ValueError(f"the synthetic estates hold only {people.height} owners")
        people = people.head(n)
    rng = np.random.default_rng(seed + 10_007)
    start = dt.date(2006, 1, 1).toordinal()
    handed = [
        dt.date.fromordinal(int(d)).isoformat()
        for d in rng.integers(start, start + 6000, people.height)
    ]
    return people.select(
        pl.col("name").alias("姓名"),
        pl.col("mobile").alias("手机号"),
        pl.col("cn_id").alias("身份证号"),
        pl.col("email").alias("电子邮箱"),
        pl.col("community").alias("小区"),
        pl.concat_str("building", pl.lit("幢")).alias("楼栋"),
        pl.concat_str("unit", pl.lit("单元")).alias("单元"),
        pl.concat_str("room", pl.lit("室")).alias("房号"),
        pl.col("area").map_elements(lambda a: f"{a:.1f}", return_dtype=pl.String).alias("建筑面积"),
        pl.Series("交付日期", handed),
        pl.col("address").alias("地址"),
    )


# --- reading and writing ----------------------------------------------------------------------


def read_export(path: Path) -> pl.DataFrame:
    """The first table of an export, all text (read with `leaktrace.ingest`)."""
    for ev in walk([path]):
        if isinstance(ev, Failure):
            raise InputError(ev.reason, ev.path)
        for table in ev.tables:
            return pl.concat(list(table.batches()), how="vertical")
    raise InputError("no table found", str(path))


def write_table(frame: pl.DataFrame, path: Path, *, encoding: str = "utf-8") -> Path:
    """Write ``frame`` as CSV (in ``encoding``) or, for ``.xlsx``, as an Excel sheet of text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        book.set_properties({"created": dt.datetime(2019, 5, 1)})  # same bytes on every run
        sheet = book.add_worksheet("Sheet1")
        sheet.write_row(0, 0, frame.columns)
        for r, row in enumerate(frame.iter_rows(), start=1):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write_string(r, c, value)
        book.close()
    else:
        path.write_bytes(frame.write_csv().encode(encoding, errors="replace"))
    return path


# --- single-list steps -------------------------------------------------------------------------


def take(frame: pl.DataFrame, k: int, rng: np.random.Generator) -> pl.DataFrame:
    """A random subset of ``k`` rows (all of them when the list is shorter)."""
    if k >= frame.height:
        return frame
    return frame[np.sort(rng.choice(frame.height, size=k, replace=False)).tolist()]


def keep_only(
    frame: pl.DataFrame, types: Sequence[str] = ("name", "mobile", "room")
) -> pl.DataFrame:
    """Keep only the columns whose header names one of ``types`` (e.g. name, phone and room)."""
    keep = [c for c in frame.columns if any(_is(c, t) for t in types)]
    return frame.select(keep)


def shuffle(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The rows in a random order."""
    return frame[rng.permutation(frame.height).tolist()]


def reformat_phones(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Phones written as ``138-1234-5678``, ``+86 138 1234 5678`` or ``138 1234 5678``."""
    styles = ("{a}-{b}-{c}", "+86 {a} {b} {c}", "{a} {b} {c}", "{a}{b}{c}")
    out = frame
    for column in [c for c in frame.columns if _is(c, "mobile")]:
        values = []
        for v in frame[column].to_list():
            if v is None or not re.fullmatch(r"\d{11}", v):
                values.append(v)
                continue
            style = styles[int(rng.integers(0, len(styles)))]
            values.append(style.format(a=v[:3], b=v[3:7], c=v[7:]))
        out = out.with_columns(pl.Series(column, values, dtype=pl.String))
    return out


def fullwidth(frame: pl.DataFrame, rng: np.random.Generator, share: float = 0.3) -> pl.DataFrame:
    """Digits typed full-width (``１３８…``) in a share of cells."""
    return _per_cell(frame, rng, share, lambda v: v.translate(_FULLWIDTH))


def whitespace(frame: pl.DataFrame, rng: np.random.Generator, share: float = 0.3) -> pl.DataFrame:
    """Stray spaces and tabs around and inside a share of cells."""
    pads = (" {v}", "{v} ", "\t{v}", " {v} ")
    return _per_cell(frame, rng, share, lambda v: pads[len(v) % len(pads)].format(v=v))


def mask_some(frame: pl.DataFrame, rng: np.random.Generator, share: float = 0.1) -> pl.DataFrame:
    """Mask a share of names, phones and ID numbers the way sellers do (``138****5678``)."""
    out = frame
    for column in frame.columns:
        type_id = next((t for t in ("name", "mobile", "cn_id") if _is(column, t)), None)
        if type_id is None:
            continue
        hit = rng.random(frame.height) < share
        values = [
            mask(v, type_id) if h and v is not None else v
            for v, h in zip(frame[column].to_list(), hit, strict=True)
        ]
        out = out.with_columns(pl.Series(column, values, dtype=pl.String))
    return out


def mix_foreign(frame: pl.DataFrame, rng: np.random.Generator, share: float = 0.1) -> pl.DataFrame:
    """Add ``share`` more rows about other people, from another source, in the same columns."""
    k = max(1, round(frame.height * share))
    others = owners(k, seed=int(rng.integers(1_000_000, 2_000_000)))
    others = others.select([c for c in frame.columns if c in others.columns])
    others = others.with_columns(
        [pl.lit(None, pl.String).alias(c) for c in frame.columns if c not in others.columns]
    )
    return shuffle(pl.concat([frame, others.select(frame.columns)], how="vertical"), rng)


def dedupe(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop rows that repeat exactly."""
    return frame.unique(keep="first", maintain_order=True)


# --- colluders ----------------------------------------------------------------------------------


def merge(frames: Sequence[pl.DataFrame], how: str, rng: np.random.Generator) -> pl.DataFrame:
    """Merge colluders' lists: ``interleave`` (each person once, from alternating lists),
    ``majority`` (each field the value most lists agree on) or ``intersection`` (only people
    every list has, with the first list's values)."""
    keyed = [f.with_columns(_person_key(f).alias("_k")) for f in frames]
    if how == "interleave":
        tagged = [
            f.with_columns(pl.lit(i).alias("_src"), pl.Series("_pos", rng.permutation(f.height)))
            for i, f in enumerate(keyed)
        ]
        both = pl.concat(tagged, how="vertical").sort("_pos", "_src")
        return both.unique(subset="_k", keep="first", maintain_order=True).drop(
            "_k", "_src", "_pos"
        )
    common = set(keyed[0]["_k"].to_list())
    for f in keyed[1:]:
        common &= set(f["_k"].to_list())
    if how == "intersection":
        first = keyed[0].filter(pl.col("_k").is_in(list(common)))
        return first.unique(subset="_k", keep="first", maintain_order=True).drop("_k")
    if how == "majority":
        aligned = [
            f.filter(pl.col("_k").is_in(list(common))).unique(subset="_k", keep="first").sort("_k")
            for f in keyed
        ]
        out = {}
        for column in frames[0].columns:
            stacked = list(zip(*(a[column].to_list() for a in aligned), strict=True))
            out[column] = [_majority(values) for values in stacked]
        return pl.DataFrame(out, schema=dict.fromkeys(frames[0].columns, pl.String))
    raise ValueError(f"unknown merge {how!r}")


def _majority(values: tuple[str | None, ...]) -> str | None:
    best = values[0]
    best_count = 0
    for v in values:
        count = values.count(v)
        if count > best_count:
            best, best_count = v, count
    return best


def _person_key(frame: pl.DataFrame) -> pl.Expr:
    """Who a row is about, whatever spelling marks it: name, phone and the room number."""
    parts: list[pl.Expr] = []
    for column in frame.columns:
        if _is(column, "name") or _is(column, "mobile"):
            parts.append(pl.col(column).fill_null(""))
        elif _is(column, "room"):
            parts.append(pl.col(column).str.extract(r"(\d+)\D*$", 1).fill_null(""))
    return pl.concat_str(parts, separator="|")


# --- the whole pipeline -------------------------------------------------------------------------


@dataclass(frozen=True)
class LeakSpec:
    """Which steps a leak goes through. ``rows`` None keeps every row."""

    rows: int | None = None
    merge: str | None = None
    foreign: float = 0.0
    dedupe: bool = False
    keep: tuple[str, ...] | None = None
    shuffle: bool = False
    phones: bool = False
    fullwidth: float = 0.0
    whitespace: float = 0.0
    mask: float = 0.0
    excel_round_trip: bool = False
    encoding: str = "utf-8"
    suffix: str = ".csv"


_ALL = LeakSpec(
    rows=800,
    foreign=0.1,
    dedupe=True,
    keep=("name", "mobile", "room"),
    shuffle=True,
    phones=True,
    fullwidth=0.3,
    whitespace=0.3,
    mask=0.1,
    excel_round_trip=True,
    encoding="gbk",
)

SCENARIOS: dict[str, LeakSpec] = {
    "subset": LeakSpec(rows=800),
    "columns": LeakSpec(rows=800, keep=("name", "mobile", "room")),
    "reformat": LeakSpec(rows=800, shuffle=True, phones=True, fullwidth=0.5, whitespace=0.5),
    "gbk": LeakSpec(rows=800, encoding="gbk"),
    "excel": LeakSpec(rows=800, excel_round_trip=True),
    "mask": LeakSpec(rows=800, mask=0.3),
    "foreign": LeakSpec(rows=800, foreign=0.1, dedupe=True),
    "all": _ALL,
    "interleave": replace(_ALL, rows=2000, merge="interleave"),
    "majority": replace(_ALL, rows=2000, merge="majority"),
    "intersection": replace(_ALL, rows=2000, merge="intersection"),
}
"""Named leaks: one step at a time, everything at once, and three ways colluders merge."""


def apply(frames: Sequence[pl.DataFrame], spec: LeakSpec, seed: int) -> pl.DataFrame:
    """Apply ``spec``'s frame-level steps to one list (or merge several first)."""
    rng = np.random.default_rng(seed)
    frame = merge(frames, spec.merge or "interleave", rng) if len(frames) > 1 else frames[0]
    if spec.rows is not None:
        frame = take(frame, spec.rows, rng)
    if spec.foreign:
        frame = mix_foreign(frame, rng, spec.foreign)
    if spec.dedupe:
        frame = dedupe(frame)
    if spec.keep is not None:
        frame = keep_only(frame, spec.keep)
    if spec.shuffle:
        frame = shuffle(frame, rng)
    if spec.phones:
        frame = reformat_phones(frame, rng)
    if spec.fullwidth:
        frame = fullwidth(frame, rng, spec.fullwidth)
    if spec.whitespace:
        frame = whitespace(frame, rng, spec.whitespace)
    if spec.mask:
        frame = mask_some(frame, rng, spec.mask)
    return frame


def simulate(exports: Sequence[Path], spec: LeakSpec, out: Path, seed: int) -> Path:
    """Read the exports, apply ``spec``, and write the leaked file to ``out`` (suffix decides)."""
    frames = [read_export(p) for p in exports]
    frame = apply(frames, spec, seed)
    if spec.excel_round_trip:
        tmp = out.with_name(out.stem + ".roundtrip.xlsx")
        write_table(frame, tmp)
        frame = read_export(tmp)
        tmp.unlink()
    return write_table(frame, out, encoding=spec.encoding)


def _is(column: str, type_id: str) -> bool:
    low = column.lower()
    return any(h in low for h in _HINTS[type_id])


def _per_cell(
    frame: pl.DataFrame, rng: np.random.Generator, share: float, fn: object
) -> pl.DataFrame:
    assert callable(fn)
    out = frame
    for column in frame.columns:
        hit = rng.random(frame.height) < share
        values = [
            fn(v) if h and v is not None else v
            for v, h in zip(frame[column].to_list(), hit, strict=True)
        ]
        out = out.with_columns(pl.Series(column, values, dtype=pl.String))
    return out
