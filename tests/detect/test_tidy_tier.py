"""The tidy tier (``tidy_expr``: full-width digits folded, separators dropped, spreadsheet numbers
read back, 15-digit IDs lengthened) decides exactly as the full pipeline would, on the benchmark's
damaged cells and on damaged forms typed by hand.

The oracle is each unit's full pipeline (``status_expr`` / ``normalise_expr`` on the folded
cells), which the tiers before it were built to skip, not the tidy tier itself.
"""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from leaktrace.detect import CATALOGUE, RANK, check_columns
from leaktrace.detect._check import status_counts
from leaktrace.detect._text import V, apply, fold, fold_series
from leaktrace.synth._large import LARGE_CSV_TYPES, _chunk, with_damage

TYPES = ("cn_id", "mobile", "bank_card", "email", "name")
NUMBERS = ("cn_id", "mobile", "bank_card")

HAND = {
    # valid 18-digit ID 11010519491231002X, a valid 15-digit one 330182900101123 and damage
    "cn_id": [
        "11010519491231002X",
        "11010519491231002x",
        "110105 19491231 002x",
        "110105-19491231-002X",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "\u3000110105 19491231 002X ",
        "330182900101123",
        "３３０１８２９００１０１１２３",
        "330182 900101 123",
        "330182900101123.0",
        "3.30182900101123E+14",
        "330182199001011236",
        "330182199001011236.0",
        "330182199001011236.00",
        "3.30182199001011236E+17",
        "3.30182199001011236e+17",
        "3.30182199001011236E17",
        "3.30182E+17",
        "3.30182199001011E+17",
        "33018219900101123X.0",
        "330182199001011235",
        "330182199001011235.0",
        "330182990101123",
        "330182901301123",
        "000182900101123",
        "33018290010112a",
        "33018290010112X",
        "+30182900101123",
        "330182********1236",
        "330182900101***",
        "３３０１８２＊＊＊＊＊＊＊＊１２３６",
        "330182199001011236\t",
        "٣٣٠١٨٢١٩٩٠٠١٠١١٢٣٦.0",
        "",
        " ",
        ".",
        ".0",
        None,
    ],
    "mobile": [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "008613812345678",
        "86 13812345678",
        "(138)12345678",
        "１３８１２３４５６７８",
        "１３８－１２３４－５６７８",
        "＋８６１３８１２３４５６７８",
        "13812345678.0",
        "13812345678.000",
        "138-1234-5678.0",
        "+8613812345678.0",
        "8613812345678.0",
        "1.3812345678E+10",
        "1.3812345678e10",
        "+861.3812345678E+10",
        "1.38123E+10",
        "2E+10",
        "15412345678",
        "15412345678.0",
        "12012345678",
        "138****5678",
        "１３８＊＊＊＊５６７８",
        "1381234567",
        "138123456789",
        "+86",
        "١٣٨١٢٣٤٥٦٧٨.0",  # Arabic-Indic digits: no fast path reads them
        "1.٣٨١٢٣٤٥٦٧٨E+10",
        ".0",
        "",
        None,
    ],
    "bank_card": [
        "6222021234567890128",
        "6222 0212 3456 7890 128",
        "6222-0212-3456-7890-128",
        "６２２２０２１２３４５６７８９０１２８",
        "６２２２　０２１２　３４５６　７８９０　１２８",
        "6222021234567890129",
        "6222 0212 3456 7890 129",
        "622202123456789012",
        "2222021234567890128",
        "6222****0128",
        "622202*********0128",
        "6222021234567890128.0",
        "6222\t0212 3456 7890 128",
        "",
        " ",
        None,
    ],
    "email": [
        "zhangsan@qq.com",
        "ZhangSan@QQ.com",
        " ZhangSan@QQ.COM\u3000",
        "\u00a0zs@163.com",
        "ＺＳ@qq.com",
        "zs＠qq.com",
        "zs@qq．com",
        "z s@qq.com",
        "zs@qq..com",
        "ZS@@QQ.COM",
        "ZS@QQ",
        "Z***@QQ.COM",
        "\u212a@qq.com",  # the Kelvin sign, lower-cased to "k"
        "\u0130@qq.com",
        "",
        None,
    ],
    "name": [
        "张三",
        "张 三",
        " 欧阳 娜娜 ",
        "张\u3000三",
        "张\t三",
        "张 某",
        "张 *",
        "金都 花园",
        "张 三 丰 李 四",
        "阿卜杜拉 · 艾买提",
        "仝 三",
        " ",
        "",
        None,
    ],
}


@pytest.fixture(scope="module")
def damaged() -> pl.DataFrame:
    clean = _chunk(np.random.default_rng([3, 0]), 40_000)
    return with_damage(clean, random.Random(3))


def _columns(damaged: pl.DataFrame, type_id: str) -> list[pl.Series]:
    """The benchmark's damaged column of the type and the hand-typed forms."""
    name = next(c for c, t in LARGE_CSV_TYPES.items() if t == type_id)
    hand = pl.Series(name, HAND[type_id], dtype=pl.String)
    return [damaged.get_column(name), hand]


@pytest.mark.parametrize("type_id", TYPES)
def test_status_and_value_equal_the_full_pipeline_on_damaged_cells(damaged, type_id):
    unit = CATALOGUE[type_id]
    for column in _columns(damaged, type_id):
        folded = fold_series(column)
        status = apply(folded, unit.status_expr(V)).to_list()
        value = apply(folded, unit.normalise_expr(V)).to_list()
        assert unit.status(column).to_list() == status
        assert unit.normalise(column).to_list() == value
        (rank, checked, _), *_ = check_columns(column.to_frame(), [(column.name, type_id)])
        assert rank.to_list() == [RANK.get(s, 0) if s else 0 for s in status]
        assert checked.to_list() == value


def test_damaged_cells_reach_the_tidy_tier_and_hand_typed_forms_come_out_as_a_person_reads_them():
    """The cases are there: the tidy tier decides most damaged cells, and the hand-typed forms
    have the statuses a careful reader gives them."""
    status = {t: CATALOGUE[t].status(pl.Series(HAND[t], dtype=pl.String)).to_list() for t in TYPES}
    email = dict(zip(HAND["email"], status["email"], strict=True))
    assert email[" ZhangSan@QQ.COM\u3000"] == "valid"
    assert email["ZS@QQ"] == "invalid"
    assert email["Z***@QQ.COM"] == "masked"
    cn = dict(zip(HAND["cn_id"], status["cn_id"], strict=True))
    assert cn["１１０１０５１９４９１２３１００２ｘ"] == "valid"
    assert cn["３３０１８２９００１０１１２３"] == "valid"
    assert cn["330182199001011236.0"] == "valid"
    assert cn["3.30182199001011236E+17"] == "valid"
    assert cn["3.30182E+17"] == "invalid"
    assert cn["330182199001011235.0"] == "invalid"
    assert cn["33018219900101123X.0"] is None
    assert cn["330182********1236"] == "masked"
    mobile = dict(zip(HAND["mobile"], status["mobile"], strict=True))
    assert mobile["＋８６１３８１２３４５６７８"] == "valid"
    assert mobile["1.3812345678E+10"] == "valid"
    assert mobile["+8613812345678.0"] is None
    assert mobile["15412345678.0"] == "invalid"
    assert mobile["1.38123E+10"] == "invalid"
    card = dict(zip(HAND["bank_card"], status["bank_card"], strict=True))
    assert card["６２２２　０２１２　３４５６　７８９０　１２８"] == "valid"
    assert card["6222 0212 3456 7890 129"] == "invalid"
    assert card["622202*********0128"] == "masked"


def _other_digits(v: str) -> bool:
    return any(c.isdigit() and not c.isascii() and not "０" <= c <= "９" for c in v)


def _polars_tidy(s: pl.Series, upper_x: bool, read_back: bool) -> pl.Series:
    """The Polars steps ``_bytes.tidy_numbers`` does in one compiled pass."""
    from leaktrace.detect._excel import spreadsheet_digits

    c = apply(
        s, fold(V).str.replace_all(" ", "", literal=True).str.replace_all("-", "", literal=True)
    )
    if upper_x:
        c = c.str.replace_all("x", "X", literal=True)
    if read_back:
        c = apply(c, pl.coalesce(spreadsheet_digits(V), V))
    return c


@pytest.mark.parametrize(("upper_x", "read_back"), [(False, False), (True, True), (False, True)])
def test_compiled_tidy_gives_the_text_of_the_polars_steps(damaged, upper_x, read_back):
    from leaktrace.detect._bytes import tidy_numbers

    rng = random.Random(5)
    alphabet = [
        *"0123456789.eE+-x X*",
        "０",
        "９",
        "．",
        "－",
        "＋",
        "ｘ",
        "\u3000",
        "\u00a0",
        "中",
    ]
    fuzz = ["".join(rng.choices(alphabet, k=rng.randint(0, 24))) for _ in range(20_000)]
    fuzz += [
        "1.5E+1",
        "1.5E+01",
        "1.50E+2",
        "1.5E+001",
        "1.E+1",
        "0.5E+1",
        "15.0",
        ".0",
        "1.",
        "1.5e1",
    ]
    # other Unicode digits are left as written (the regexes read them; no fast path does)
    hand = (v for t in NUMBERS for v in HAND[t] if v is None or not _other_digits(v))
    cells = [*fuzz, *hand]
    for column in [
        pl.Series("v", cells, dtype=pl.String),
        *(damaged.get_column(c) for c in damaged.columns),
    ]:
        column = pl.concat([column.slice(0, 700), column.slice(700)], rechunk=False)
        got = tidy_numbers(column, upper_x=upper_x, read_back=read_back)
        assert got.to_list() == _polars_tidy(column, upper_x, read_back).to_list()


@pytest.mark.parametrize("type_id", sorted({t for t in LARGE_CSV_TYPES.values() if t}))
def test_status_counts_count_the_full_pipelines_statuses(damaged, type_id):
    # scan counts a column's statuses from the fast path's codes; the counts must be those of
    # the regex pipeline's status strings (every type of the benchmark file, and hand forms)
    unit = CATALOGUE[type_id]
    columns = (
        _columns(damaged, type_id)
        if type_id in HAND
        else [damaged.get_column(next(c for c, t in LARGE_CSV_TYPES.items() if t == type_id))]
    )
    for column in columns:
        status = apply(fold_series(column), unit.status_expr(V)).to_list()
        expected = {s: status.count(s) for s in RANK}
        assert status_counts(column, type_id) == expected
