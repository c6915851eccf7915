"""Every unit's fast path decides exactly as its full pipeline would, on noisy synthetic columns."""

from __future__ import annotations

import polars as pl
import pytest

from leaktrace.detect import CATALOGUE
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
