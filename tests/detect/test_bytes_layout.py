"""The raw-buffer fast paths check the string-view layout and, when it differs, take the safe
path; both paths give the same codes for every kernel."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from leaktrace.detect import _bytes
from leaktrace.detect.types import address, bank_card, cn_id, email, mobile, name, room
from leaktrace.synth import NoiseRates, noisy, residents

KERNELS = [address, bank_card, cn_id, email, mobile, name, room]
FIELDS = {
    "姓名": "name",
    "身份证": "cn_id",
    "手机": "mobile",
    "银行卡": "bank_card",
    "邮箱": "email",
    "地址": "address",
    "房号": "room",
}


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    rates = NoiseRates(variant=0.3, invalid=0.1, masked=0.05, typo=0.05, duplicate=0.0)
    people = noisy(residents(3_000, seed=41), FIELDS, 41, rates=rates).frame
    odd = ["", "短", "x" * 13, "长单元格，超过十二个字节", None, "13800000000"]
    return people.with_columns(
        pl.Series("odd", [odd[i % len(odd)] for i in range(people.height)], dtype=pl.String)
    )


def test_this_polars_lays_strings_out_as_the_fast_paths_read_them() -> None:
    _bytes.views_usable.cache_clear()
    assert _bytes.views_usable()


def test_safe_path_gives_the_same_spans_bytes(frame: pl.DataFrame) -> None:
    for column in frame.columns:
        s = frame[column].slice(7)  # an offset into the buffers, as batches have
        fast, text, owner = _bytes.cell_spans(s)
        fast_bytes = [bytes(text[a:b]) for a, b in fast]
        safe, safe_text, safe_owner = _bytes.offset_spans(s)
        safe_bytes = [bytes(safe_text[a:b]) for a, b in safe]
        want = [(v or "").encode() for v in s.to_list()]
        for f, w, g, v in zip(fast_bytes, want, safe_bytes, s.to_list(), strict=True):
            if v is not None:  # a null cell's span is unspecified
                assert f == w == g
        del owner, safe_owner


@pytest.mark.parametrize("unit", KERNELS, ids=lambda u: u.__name__.rsplit(".", 1)[-1])
def test_forcing_the_safe_path_gives_identical_codes(frame, monkeypatch, unit) -> None:
    for column in frame.columns:
        s = frame[column].slice(3)
        fast = unit.fast_codes(s)
        monkeypatch.setattr(_bytes, "views_usable", lambda: False)
        safe = unit.fast_codes(s)
        monkeypatch.undo()
        np.testing.assert_array_equal(fast, safe)
        if FIELDS.get(column) == unit.__name__.rsplit(".", 1)[-1]:
            assert (fast == _bytes.VALID).mean() > 0.2  # the kernel decided much of its column


def test_a_layout_that_differs_makes_the_probe_fail(monkeypatch) -> None:
    """A layout read wrongly (here: views taken as 8 bytes longer) fails the probe."""
    real = _bytes._view_spans

    def shifted(views, views_at, data_at, data_size, spans):  # type: ignore[no-untyped-def]
        real(views, views_at, data_at, data_size, spans)
        spans[:, 0] += 1

    monkeypatch.setattr(_bytes, "_view_spans", shifted)
    _bytes.views_usable.cache_clear()
    try:
        assert not _bytes.views_usable()
        s = pl.Series(["13800000000", "1380000000x", None])
        assert list(mobile.fast_codes(s)) == [_bytes.VALID, _bytes.UNDECIDED, 0]
    finally:
        monkeypatch.undo()
        _bytes.views_usable.cache_clear()
