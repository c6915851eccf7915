"""A very large CSV for the throughput benchmark, written in chunks with bounded memory.

Ten million rows (about 1.3 GB) must come out in about a minute, so only the columns the file
needs are generated, a chunk at a time from its own seed, and written by Polars' CSV writer.
Some phones are dashed and some cells empty, as in real lists, but there is no per-cell truth:
the benchmark measures speed, and correctness is tested on small files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from leaktrace.synth import _people as people

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


def write_large_csv(path: Path, rows: int, seed: int, *, chunk: int = _CHUNK) -> Path:
    """Write ``rows`` rows of UTF-8 CSV (header ``LARGE_CSV_TYPES``) to ``path``; return it.

    Memory stays at one chunk whatever ``rows`` is. The same seed and chunk size give the same
    bytes.
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
            _chunk(np.random.default_rng([seed, index]), n).write_csv(fh, include_header=index == 0)
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
