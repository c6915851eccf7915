"""``check_columns`` gives every cell the status and value the unit's own verbs give."""

from __future__ import annotations

import polars as pl
import pytest

from leaktrace.detect import CATALOGUE, RANK, check_columns
from leaktrace.synth import residents

DIGIT_TYPES = ("mobile", "cn_id", "bank_card")

_FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789Xx+-"})


def _written_forms(value: str) -> list[str]:
    """How people and spreadsheets write an identifier: hyphens and spaces in several places,
    a country code, full-width characters, masks, a changed segment or date, a cut-off first
    generation ID, a lower-case x, odd whitespace, and Excel's number forms."""
    head, mid, tail = value[:3], value[3:7], value[7:]
    forms = [
        value,
        f"{head}-{mid}-{tail}",
        f"{head} {mid} {tail}",
        f"{head}-{mid} {tail}",
        f"{head}--{mid}{tail}",
        f"-{value}",
        f"{value}-",
        f" {value} ",
        f"{head}\t{mid}{tail}",
        f"{head}\u3000{mid}{tail}",
        f"{head}({mid}){tail}",
        f"+86 {value}",
        f"+86{value}",
        f"+86-{head}-{mid}-{tail}",
        f"0086{value}",
        f"86{value}",
        f"+86+86{value}",
        value.translate(_FULL_WIDTH),
        f"{head}-{mid}-{tail}".translate(_FULL_WIDTH),
        f"{head}****{tail}",
        f"{head}-****-{tail}",
        f"+86 {head}****{tail}",
        f"{value[:6]}********{value[14:]}",
        f"154{value[3:]}",
        f"120-{value[3:7]}-{value[7:]}",
        f"{value[:6]}-{value[6:14]}-{value[14:]}",
        f"{value[:6]} {value[6:14]} {value[14:]}",
        value[:6] + value[8:17],  # an 18-digit ID as its 15-digit first generation
        f"{value[:6]}-{value[8:17]}",
        value[:10] + "1301" + value[14:],
        value[:-1] + "x",
        value[:-1] + "X",
        f"{value[:-1]}-x",
        value + value[-1],
        value[:-1],
        f"{value[0]}.{value[1:6]}E+{len(value) - 1}",
        f"{value[0]}.{value[1:6]}e+{len(value) - 1}",
        f"{value[0]}.{value[1:6]}E{len(value) - 1}",
    ]
    return forms


@pytest.fixture(scope="module")
def written() -> pl.DataFrame:
    """Every written form of mobiles, IDs and bank cards, the same cells in a column of each
    of those types, so each type also meets the others' forms."""
    people = residents(120, seed=53)
    values = [v for t in DIGIT_TYPES for v in people.get_column(t).drop_nulls().to_list()]
    odd = ["", " ", "-", "--", "+86", "x", "3.30182E+17", "1.2E+13", " 3.3E+17", "张三"]
    cells = [None, *odd, *(form for v in values for form in _written_forms(v)), None]
    return pl.DataFrame({t: pl.Series(cells, dtype=pl.String) for t in DIGIT_TYPES})


def test_check_columns_equals_status_and_normalise_on_written_forms(written):
    columns = [(t, t) for t in DIGIT_TYPES]
    for (name, type_id), (rank, value, fast) in zip(
        columns, check_columns(written, columns), strict=True
    ):
        unit = CATALOGUE[type_id]
        column = written.get_column(name)
        status = unit.status(column).replace_strict(RANK, default=0, return_dtype=pl.UInt8)
        assert rank.to_list() == status.to_list(), type_id
        assert value.to_list() == unit.normalise(column).to_list(), type_id
        assert value.filter(fast).equals(column.filter(fast)), type_id
        assert set(rank.to_list()) == {0, *RANK.values()}, type_id


def test_separated_digits_are_valid_as_their_tidied_text_not_as_written():
    batch = pl.DataFrame(
        {
            "手机": ["138-1234-5678", "+86 138 1234 5678", "13812345678"],
            "身份证": ["110105 19491231 002x", "110105-19491231-002X", "11010519491231002X"],
        }
    )
    mobile, cn_id = check_columns(batch, [("手机", "mobile"), ("身份证", "cn_id")])
    assert mobile.value.to_list() == ["13812345678"] * 3
    assert cn_id.value.to_list() == ["11010519491231002X"] * 3
    for checked in (mobile, cn_id):
        assert checked.rank.to_list() == [RANK["valid"]] * 3
        assert checked.fast.to_list() == [False, False, True]


def test_types_without_a_compiled_fast_path_are_checked_by_the_full_pipeline(written):
    slow = [t for t in ("landline", "passport", "qq", "plate") if CATALOGUE[t].fast_codes is None]
    assert slow
    people = residents(120, seed=59)
    values = [v for t in slow for v in people.get_column(t).drop_nulls().to_list()]
    cells = pl.Series([None, "", "x", *values, *written.get_column("mobile")], dtype=pl.String)
    batch = pl.DataFrame({t: cells for t in slow})
    columns = [(t, t) for t in slow]
    for type_id, (rank, value, fast) in zip(slow, check_columns(batch, columns), strict=True):
        unit = CATALOGUE[type_id]
        status = unit.status(cells).replace_strict(RANK, default=0, return_dtype=pl.UInt8)
        assert rank.to_list() == status.to_list(), type_id
        assert value.to_list() == unit.normalise(cells).to_list(), type_id
        assert RANK["valid"] in rank.to_list(), type_id
        assert not fast.any(), type_id


def test_a_cell_with_several_phones_or_a_note_is_read_by_its_first_value():
    # typed by hand into one 联系电话 cell, as owner registers hold them
    cells = pl.Series(
        [
            "13905761234/13606581122",
            "15858123456、13812340000",
            "18967012345 18967012346",
            "13905761234（本人）",
            "138 1234 5678",  # one number typed in groups, not two
            "0571-88886666",
            "王建国/李秀英",
        ]
    )
    (checked,) = check_columns(pl.DataFrame({"电话": cells}), [("电话", "mobile")])
    assert checked.value.to_list() == [
        "13905761234",
        "15858123456",
        "18967012345",
        "13905761234",
        "13812345678",
        None,
        None,
    ]
    assert checked.rank.to_list() == [3, 3, 3, 3, 3, 0, 0]
    # the unit's own verbs agree with check_columns
    assert CATALOGUE["mobile"].normalise(cells).to_list() == checked.value.to_list()
    emails = pl.Series(["wjg@example.cn；lxy@example.cn", "wjg@example.cn (工作)"])
    assert CATALOGUE["email"].normalise(emails).to_list() == ["wjg@example.cn"] * 2


@pytest.mark.parametrize(
    ("type_id", "cell", "value"),
    [
        ("mobile", "电话：13905761234", "13905761234"),
        ("mobile", "tel:13905761234", "13905761234"),
        ("mobile", '="13905761234"', "13905761234"),
        ("cn_id", '="330182196503120412"', "330182196503120412"),
        ("cn_id", "'330182196503120412", "330182196503120412"),
        ("cn_id", "身份证号:330182196503120412", "330182196503120412"),
        ("name", "王建国(业主)", "王建国"),
        ("name", "业主：王建国", "王建国"),
        ("name", "王建国、李秀英", "王建国"),
        ("name", "已量房", None),
    ],
)
def test_the_value_inside_a_cell_with_a_label_guard_or_note(type_id, cell, value):
    # a label before the value, a spreadsheet's ="…" guard or a typed apostrophe around it, a
    # note after it: what a careful reader reads is the value
    cells = pl.Series([cell])
    (checked,) = check_columns(pl.DataFrame({"c": cells}), [("c", type_id)])
    assert checked.value.to_list() == [value]
    assert CATALOGUE[type_id].normalise(cells).to_list() == [value]
