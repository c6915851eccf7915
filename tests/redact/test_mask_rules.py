"""``mask_series`` (vectorised, for masked copies) gives exactly what ``mask`` gives, per type."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.mask import _RULES, mask, mask_series

TYPES = [*sorted(_RULES), None, "unknown"]
TEXT = st.text(
    alphabet=st.sampled_from("0123456789-@. abXx张伟浙江省杭州市幢单元室０１２３😀"), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(TEXT, max_size=20))
def test_mask_series_equals_mask_for_every_type(values):
    series = pl.Series(values, dtype=pl.String)
    for type_id in TYPES:
        assert mask_series(series, type_id).to_list() == [mask(v, type_id) for v in values]


def test_mask_series_keeps_nulls():
    assert mask_series(pl.Series([None, "13812345678"]), "mobile").to_list() == [
        None,
        "138****5678",
    ]
