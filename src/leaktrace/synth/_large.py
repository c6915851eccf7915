"""A very large CSV for the throughput benchmark, written in chunks with bounded memory.

Ten million rows (about 1.3 GB) must come out in about a minute, so only the columns the file
needs are generated, a chunk at a time from its own seed, and written by Polars' CSV writer.
Some phones are dashed and some cells empty, as in real lists, but there is no per-cell truth:
the benchmark measures speed, and correctness is tested on small files.
"""

from __future__ import annotations

import json
import random
from dataclasses import fields
from pathlib import Path

import numpy as np
import polars as pl

from leaktrace.synth import _people as people
from leaktrace.synth._noise import NoiseRates, apply_noise

LARGE_CSV_TYPES: dict[str, str | None] = {
    "姓名": "name",
    "手机号": "mobile",
    "身份证号": "cn_id",
    "地址": "address",
    "房号": "room",
    "银行卡号": "bank_card",
    "邮箱": "email",
    "金额": None,
}

_CHUNK = 250_000


def write_large_csv(
    path: Path,
    rows: int,
    seed: int,
    *,
    chunk: int = _CHUNK,
    remarks: bool = False,
    damaged: bool = False,
) -> Path:
    """Write ``rows`` rows of UTF-8 CSV (header ``LARGE_CSV_TYPES``) to ``path``; return it.

    With ``damaged``, the personal-information cells get the messy forms of ``noisy``
    (:func:`with_damage`); with ``remarks``, every row also gets a free-text 备注 column
    (:func:`with_remarks`), written from the row as it stands after the damage. Memory stays
    at one chunk whatever ``rows`` is. The same seed and chunk size give the same bytes.
    """
    if rows < 0 or chunk <= 0:
        raise ValueError("rows must not be negative and chunk must be positive")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        done = 0
        index = 0
        while done < rows or index == 0:
            n = min(chunk, rows - done)
            frame = _chunk(np.random.default_rng([seed, index]), n)
            if damaged:
                frame = with_damage(frame, random.Random(seed * 1_000_003 + index))
            if remarks:
                frame = with_remarks(frame, np.random.default_rng([seed, index, 1]))
            frame.write_csv(fh, include_header=index == 0)
            done += n
            index += 1
    return path


def _chunk(rng: np.random.Generator, n: int) -> pl.DataFrame:
    male = rng.random(n) < 0.5
    birth = people._birth_dates(rng, n)
    homes = people._homes(rng, n, None)
    mobile = people._mobiles(rng, n)
    qq = pl.Series(rng.integers(10_000_000, 3_500_000_000, size=n)).cast(pl.String)
    cents = pl.Series(rng.integers(100, 10_000_000, size=n))
    dashed = pl.Series(rng.random(n) < 0.15)
    frame = pl.DataFrame(
        {
            "姓名": people._names(rng, male),
            "手机号": mobile,
            "身份证号": people._cn_ids(rng, birth, male),
            "地址": homes["address"],
            "房号": homes["building"] + "幢" + homes["unit"] + "单元" + homes["room"] + "室",
            "银行卡号": people._bank_cards(rng, n),
            "邮箱": people._emails(rng, qq),
            "金额": (cents // 100).cast(pl.String)
            + "."
            + (cents % 100).cast(pl.String).str.zfill(2),
        }
    )
    dashed_mobile = pl.concat_str(
        pl.col("手机号").str.slice(0, 3),
        pl.lit("-"),
        pl.col("手机号").str.slice(3, 4),
        pl.lit("-"),
        pl.col("手机号").str.slice(7),
    )
    return frame.with_columns(
        pl.when(dashed).then(dashed_mobile).otherwise(pl.col("手机号")).alias("手机号")
    )


DAMAGE = NoiseRates(variant=0.3, invalid=0.03, masked=0.03, typo=0.02, spreadsheet=0.05)
"""The mess of ``with_damage``: ``noisy``'s default shares, and spreadsheet numbers as in the
evidence folder's lists."""


def with_damage(frame: pl.DataFrame, r: random.Random, rates: NoiseRates = DAMAGE) -> pl.DataFrame:
    """``frame`` with its personal-information cells made messy by ``apply_noise``, the
    generator's own forms (dashed and +86 phones, full-width digits, IDs with a small x or in
    15 digits, Excel's floats and cut numbers, bad check digits, masked values, typos...).

    Only the cells that get a mess are rewritten in Python: each is drawn with probability
    ``q`` (the sum of the shares), then rewritten with every share divided by ``q``, which gives
    each cell about the chances of ``apply_noise`` on every cell with ``rates`` (a spreadsheet
    number takes a little from the other kinds of mess of mobiles and IDs). Phones already
    written with dashes stay as they are.
    """
    q = min(1.0, sum(getattr(rates, f.name) for f in fields(rates) if f.name != "duplicate"))
    scaled = NoiseRates(
        **{f.name: getattr(rates, f.name) / q for f in fields(rates) if f.name != "duplicate"}
    )
    out = []
    for column, type_id in LARGE_CSV_TYPES.items():
        if type_id is None:
            continue
        values = frame[column].to_list()
        for i in range(len(values)):
            if values[i] is not None and r.random() < q and "-" not in values[i]:
                values[i] = apply_noise(values[i], type_id, scaled, r)[0]
        out.append(pl.Series(column, values, dtype=pl.String))
    return frame.with_columns(out)


# What clerks write in a remark column: mostly the same few notes, sometimes a person or a place
# from the row. The generator's own words, kept apart from the detector's lists.
_NOTES = (
    "已付款", "老客户", "周末再送", "电话没人接", "二次购买", "要发票", "已退货", "优先处理",
    "地址待确认", "晚上六点后联系", "不要打电话，发短信", "VIP", "已核实", "重复下单",
    "首单优惠已用", "嫌贵没买", "",
)  # fmt: skip
_WITH_PERSON = ("转交{name}", "{name}本人签收", "找{name}对账", "{name}说下周再要")
_WITH_PLACE = ("改送{home}", "{home}门口放着就行", "老地址{home}不住了")


def with_remarks(frame: pl.DataFrame, rng: np.random.Generator, share: float = 0.1) -> pl.DataFrame:
    """``frame`` with a 备注 column: a note from a short list, and in ``share`` of the rows one
    that names the row's person or home (``转交张伟``, ``改送金都花园3幢2单元1201室``).

    Full-width digits in a tenth of the homes, as a Chinese IME types them.
    """
    n = frame.height
    notes = pl.Series(_NOTES).gather(rng.integers(0, len(_NOTES), size=n))
    home = frame["地址"].str.extract(r"号(.+)$").fill_null(frame["房号"])
    wide = pl.Series(rng.random(n) < 0.1)
    home = pl.select(
        pl.when(wide)
        .then(pl.lit(home).str.replace_many(list("0123456789"), list("０１２３４５６７８９")))
        .otherwise(pl.lit(home))
    ).to_series()
    kind = rng.random(n)
    person = pl.Series(_WITH_PERSON).gather(rng.integers(0, len(_WITH_PERSON), size=n))
    place = pl.Series(_WITH_PLACE).gather(rng.integers(0, len(_WITH_PLACE), size=n))
    remark = pl.select(
        pl.when(pl.Series(kind < share / 2))
        .then(
            pl.lit(person).str.split("{name}").list.first()
            + pl.lit(frame["姓名"])
            + pl.lit(person).str.split("{name}").list.last()
        )
        .when(pl.Series(kind < share))
        .then(
            pl.lit(place).str.split("{home}").list.first()
            + home
            + pl.lit(place).str.split("{home}").list.last()
        )
        .otherwise(pl.lit(notes))
    ).to_series()
    return frame.with_columns(remark.alias("备注"))


# --- many files whose people overlap (issue 14) ------------------------------------------------

OVERLAP_SUBSETS: tuple[tuple[str, ...], ...] = (
    ("姓名", "身份证号", "手机号", "地址", "房号", "金额"),
    ("姓名", "手机号", "邮箱", "金额"),
    ("姓名", "邮箱", "银行卡号", "房号", "金额"),
    ("姓名", "银行卡号", "身份证号", "地址", "金额"),
)
"""The columns of file ``i`` are ``OVERLAP_SUBSETS[i % 4]``: each file holds another subset of
identifiers, and each shares one with the next (mobile, e-mail, bank card, ID number), so that a
person in two neighbouring files is one person only through an identifier both show."""

_IDENTIFIER_COLUMNS = ("身份证号", "手机号", "邮箱", "银行卡号")
_PLACE_COLUMNS = ("房号", "地址")

OVERLAP_SHARE = 1 / 3
"""Share of people written in a second file."""


def write_large_overlap(
    folder: Path, rows: int, files: int, seed: int, *, chunk: int = _CHUNK
) -> dict[str, object]:
    """Write about ``rows`` records in ``files`` CSVs (``part_{i}.csv``) whose people overlap.

    People come in blocks of at most ``chunk`` (at least four blocks a file), each from its own
    seed (the columns of :func:`write_large_csv`). Block ``b`` is written whole to file
    ``b % files`` (its home), in that file's columns (:data:`OVERLAP_SUBSETS`), and a third of
    its people again to the next file, in the next file's columns, with phones written another
    way (``+86 …``): a third of the people are in two files. Each block is generated once, so
    the cost is that of :func:`write_large_csv` plus the writing. Returns the truth, also
    written to ``folder / "overlap.json"``: ``persons``, ``records``, per-file rows and columns,
    ``in_two_files`` (second copies) and ``linkable_in_two_files`` (those that show an identifier
    their first copy shows too, or the name and a place where both files have one; the others
    have nothing to share, as 30% of people have no e-mail and 15% no bank card).
    """
    if rows < 0 or files <= 0 or chunk <= 0:
        raise ValueError("rows must not be negative; files and chunk must be positive")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    persons = round(rows / (1 + OVERLAP_SHARE))
    chunk = min(chunk, max(1, -(-persons // (4 * files))))  # at least four blocks a file
    paths = [folder / f"part_{i}.csv" for i in range(files)]
    columns = [list(OVERLAP_SUBSETS[i % len(OVERLAP_SUBSETS)]) for i in range(files)]
    written = [0] * files
    shared = linkable = 0
    handles = [p.open("wb") for p in paths]
    try:
        for i, fh in enumerate(handles):
            pl.DataFrame(schema=dict.fromkeys(columns[i], pl.String)).write_csv(fh)
        for block, start in enumerate(range(0, persons, chunk)):
            n = min(chunk, persons - start)
            people = _chunk(np.random.default_rng([seed, block]), n)
            home, other = block % files, (block + 1) % files
            people.select(columns[home]).write_csv(handles[home], include_header=False)
            written[home] += n
            if files > 1:
                again = _second_copy(people, np.random.default_rng([seed, block, 1]))
                again.select(columns[other]).write_csv(handles[other], include_header=False)
                written[other] += again.height
                shared += again.height
                linkable += _linkable(again, columns[home], columns[other])
    finally:
        for fh in handles:
            fh.close()
    truth: dict[str, object] = {
        "persons": persons,
        "records": sum(written),
        "in_two_files": shared,
        "linkable_in_two_files": linkable,
        "files": [
            {"path": p.name, "rows": r, "columns": c}
            for p, r, c in zip(paths, written, columns, strict=True)
        ],
    }
    (folder / "overlap.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    return truth


def _linkable(again: pl.DataFrame, first: list[str], second: list[str]) -> int:
    """How many second copies show something their first copy shows that links a person: an
    identifier both files hold, or the name and a place (room or address) in both files."""
    common = [c for c in _IDENTIFIER_COLUMNS if c in first and c in second]
    placed = any(c in first for c in _PLACE_COLUMNS) and any(c in second for c in _PLACE_COLUMNS)
    if placed:
        return again.height  # every person has a name, a room and an address
    if not common:
        return 0
    return int(again.select(pl.any_horizontal(pl.col(common).is_not_null())).sum().item())


def _second_copy(people: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """A third of a block's people, in their own order, as a second list writes them."""
    n = people.height
    pick = np.sort(rng.permutation(n)[: round(n * OVERLAP_SHARE)])
    plain = pl.col("手机号").str.replace_all("-", "")
    intl = pl.Series(rng.random(pick.size) < 0.3)
    return (
        people[pick]
        .with_columns(pl.when(intl).then("+86 " + plain).otherwise(plain).alias("手机号"))
        .sample(fraction=1.0, shuffle=True, seed=int(rng.integers(0, 2**31)))
    )
