"""Every unit's fast path decides exactly as its full pipeline would, on noisy synthetic columns."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from leaktrace.detect import CATALOGUE, RANK, check_columns
from leaktrace.detect._text import V, apply, fold_series
from leaktrace.synth import NoiseRates, noisy, residents

FAST = sorted(t for t, unit in CATALOGUE.items() if unit.fast_status_expr is not None)


@pytest.fixture(scope="module")
def messy() -> pl.DataFrame:
    people = residents(4_000, seed=23)
    columns = {t: t for t in FAST if t in people.columns}
    rates = NoiseRates(variant=0.3, invalid=0.1, masked=0.1, typo=0.1, empty=0.05, duplicate=0.0)
    return noisy(people, columns, seed=23, rates=rates).frame


@pytest.mark.parametrize("type_id", FAST)
def test_fast_path_agrees_with_full_pipeline(messy, type_id):
    if type_id not in messy.columns:
        pytest.skip(f"the generator has no {type_id} column")
    unit = CATALOGUE[type_id]
    column = messy.get_column(type_id)
    full = apply(fold_series(column), unit.status_expr(V))
    assert unit.status(column).to_list() == full.to_list()
    assert (full == "valid").sum() > 0.5 * column.len()


@pytest.mark.parametrize("type_id", FAST)
def test_fast_normalise_agrees_with_full_pipeline(messy, type_id):
    if type_id not in messy.columns:
        pytest.skip(f"the generator has no {type_id} column")
    unit = CATALOGUE[type_id]
    column = messy.get_column(type_id)
    full = apply(fold_series(column), unit.normalise_expr(V))
    assert unit.normalise(column).to_list() == full.to_list()


def _full_rank(column: pl.Series, type_id: str) -> list[int]:
    full = apply(fold_series(column), CATALOGUE[type_id].status_expr(V))
    return full.replace_strict(RANK, default=0, return_dtype=pl.UInt8).to_list()


def test_check_columns_agrees_with_the_full_pipeline_for_every_column(messy):
    columns = [(name, name) for name in messy.columns if name in CATALOGUE]
    checked = check_columns(messy, columns)
    for (name, type_id), (rank, value, fast) in zip(columns, checked, strict=True):
        unit = CATALOGUE[type_id]
        column = messy.get_column(name)
        assert rank.to_list() == _full_rank(column, type_id), type_id
        full = apply(fold_series(column), unit.normalise_expr(V))
        assert value.to_list() == full.to_list(), type_id
        assert value.filter(fast).equals(column.filter(fast)), type_id


def _edited(values: list[str], rng: np.random.Generator) -> list[str]:
    """Near misses of valid values: a character changed, a sign, a space, full-width digits, and
    separators and a country code the tidy tier removes."""
    out = []
    for v in values:
        i = int(rng.integers(0, len(v)))
        out += [
            v[:i] + str(rng.integers(0, 10)) + v[i + 1 :],
            "+" + v[1:],
            "-" + v[1:],
            v[:i] + " " + v[i + 1 :],
            v[:-1] + "x",
            v[:-1] + "X",
            chr(ord(v[0]) + 0xFEE0) + v[1:],
            f"{v[:3]}-{v[3:7]} {v[7:]}",
            f"+86 {v}",
        ]
    return out


@pytest.mark.parametrize(
    ("type_id", "widths"),
    [("cn_id", (15, 17, 18, 19)), ("bank_card", tuple(range(13, 21))), ("mobile", (10, 11, 12))],
)
def test_digit_fast_paths_agree_with_full_pipeline_on_near_misses(type_id, widths):
    rng = np.random.default_rng(11)
    valid = residents(1_000, seed=12).get_column(type_id).drop_nulls().to_list()
    noise = ["".join(map(str, rng.integers(0, 10, w))) for w in widths for _ in range(500)]
    dates = [v[:6] + d + v[14:] for v in valid[:100] for d in ("17991231", "21000101", "20990229")]
    dates += [v[:10] + md + v[14:] for v in valid[:100] for md in ("0229", "0230", "1301", "0000")]
    values = [
        *valid,
        *_edited(valid, rng),
        *noise,
        *dates,
        "张三李四王五",
        "",
        "3.30182E+17",
        "3.30182e+17",
        "3.30182E17",
        "1.2E+13",
        "3.3E+17 ",
    ]
    column = pl.Series(type_id, [*values, None], dtype=pl.String)
    unit = CATALOGUE[type_id]
    fast = pl.select(unit.fast_status_expr(pl.lit(column))).to_series()
    full = apply(fold_series(column), unit.status_expr(V))
    decided = fast.is_in(["valid", "invalid"])  # the fast path leaves "?" and null to the rest
    assert fast.filter(decided).to_list() == full.filter(decided).to_list()
    assert unit.status(column).to_list() == full.to_list()
    assert decided.sum() > 0.1 * column.len()
    full_values = apply(fold_series(column), unit.normalise_expr(V))
    assert unit.normalise(column).to_list() == full_values.to_list()
