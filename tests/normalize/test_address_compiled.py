"""The compiled address and room splitter against the regular expressions that state the rules.

``_address_compiled.py`` must give, cell for cell, the parts ``regex_address_parts`` and
``room_parts`` give: on the generator's addresses written several ways, on addresses typed by
hand the way lists write them, and on random text made of the characters the rules turn on
(level words, digits, dashes, Han characters) mixed with characters outside the loop's guard,
which it must leave to the regexes.
"""

from __future__ import annotations

import random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.normalize._address import (
    ADDRESS_PARTS,
    ROOM_PARTS,
    address_parts,
    clean_text,
    regex_address_parts,
    room_parts,
    room_parts_of,
)
from leaktrace.normalize._address_compiled import MAX_CHARS, split
from leaktrace.synth import residents

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

TYPED = [
    "浙江省杭州市建德市新安江街道新安路88号金都花园3幢2单元1201室",
    "杭州市西湖区文三路477号华星科技大厦3号楼1201",
    "北京市朝阳区建国路1号阳光家园3-2-1201",
    "上海市浦东新区张江镇科苑路1号",
    "重庆市渝中区解放碑街道民族路88号大都会公寓12栋0304",
    "内蒙古自治区呼和浩特市新城区海拉尔东街3号锡林小区1-1-101",
    "广西壮族自治区南宁市青秀区民族大道100号5号院2单元301房",
    "新疆维吾尔自治区乌鲁木齐市天山区人民路2号",
    "吉林省延边朝鲜族自治州延吉市河南街道光明街5号东方小区3幢1单元502室",
    "黑龙江省哈尔滨市南岗区西大直街92号",
    "西藏自治区拉萨市城关区北京中路",
    "翠苑小区3幢2单元1201室",
    "严州新城5号楼1单元301室",
    "金都花园3幢2单元",
    "3-2-1201",
    "12-301",
    "3栋1201",
    "03幢02单元0101室",
    "1-23-4-5",
    "5座1203",
    "A座12层1203",
    "幢00012",
    "单元12345",
    "单元123456",
    "号楼0001",
    "7号房",
    "1—2—301",
    "1－2－301",
    "锡林郭勒盟锡林浩特市宝力根苏木街道",
    "某某地区某县某乡",
    "湖墅南路309号湖墅嘉园5幢1单元902室",
    "江南春城12幢1单元703室·东门",
    "a",
    "12",
    "省",
    "北京市",
    "浙江省",
    "",
]


def _regex_address(texts: pl.Series) -> pl.DataFrame:
    frame = pl.DataFrame({"_a": texts.cast(pl.String)})
    return regex_address_parts(frame, "_a").select(ADDRESS_PARTS)


def _regex_room(texts: pl.Series) -> pl.DataFrame:
    return pl.DataFrame({"_r": texts.cast(pl.String)}).select(room_parts(pl.col("_r")))


def _cleaned(texts: list[str | None]) -> pl.Series:
    return pl.select(clean_text(pl.lit(pl.Series(texts, dtype=pl.String)))).to_series()


def _assert_same(texts: pl.Series) -> None:
    fast, slow = address_parts(texts), _regex_address(texts)
    for i in range(len(texts)):
        assert fast.row(i) == slow.row(i), texts[i]
    fast, slow = room_parts_of(texts), _regex_room(texts)
    for i in range(len(texts)):
        assert fast.row(i) == slow.row(i), texts[i]


def test_typed_addresses_and_rooms_split_as_the_regexes_split_them() -> None:
    texts = _cleaned([*TYPED, None])
    _assert_same(texts)
    # these are inside the guard: the loop decided them itself
    _, undecided = split(texts, address=True)
    assert not undecided.any()


def test_generated_addresses_written_several_ways_split_as_the_regexes_split_them() -> None:
    people = residents(3_000, seed=21)
    address = people["address"]
    variants = pl.concat(
        [
            address,
            address.str.replace("^浙江省杭州市", ""),
            address.str.replace("^浙江省", ""),
            address.str.replace_all("幢", "栋").str.replace_all("室", ""),
            address.str.replace(r"(\d+)幢(\d+)单元(\d+)室$", "$1-$2-$3"),
            address.map_elements(lambda a: a.translate(FULL_WIDTH), return_dtype=pl.String),
        ]
    )
    texts = pl.select(clean_text(pl.lit(variants))).to_series()
    assert address_parts(texts).equals(_regex_address(texts))
    rooms = people["building"].cast(pl.String) + "幢" + people["unit"].cast(pl.String) + "单元"
    rooms = rooms + people["room"].cast(pl.String) + "室"
    assert room_parts_of(rooms).equals(_regex_room(rooms))


def test_cells_outside_the_guard_are_left_to_the_regexes_with_the_same_parts() -> None:
    outside = [
        "北京市朝阳区建国路1号阳光家园〇-2-1201",  # 〇 is Han, but outside the block
        "杭州市西湖区𠀀𠀁花园3幢2单元1201室",  # extension B
        "杭州市西湖区金都花园٣幢2单元1201室",  # an Arabic-Indic digit is \d
        "金都花园 3幢",  # whitespace
        "金" * (MAX_CHARS + 5) + "3幢2单元1201室",  # longer than the scratch
        "Ⅲ幢2单元1201室",
    ]
    texts = pl.Series(outside, dtype=pl.String)
    _, undecided = split(texts, address=True)
    assert undecided.all()
    _assert_same(texts)


ALPHABET = (
    "省市区县旗镇乡街道路号自治州地盟巷弄小幢栋楼座院单元室房"  # the words the rules turn on
    "北京天津上海重庆内蒙古广西壮族西藏宁夏回新疆维吾尔香港澳门特别行政"
    "金都花园新村公寓大厦广场苑府庭城湾里居郡杭州西湖"
    "0123456789" * 3 + "-—－·、。aZ"
)
OUTSIDE = "〇𠀀٣Ⅲ 　\t"


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=ALPHABET, max_size=40),
            st.text(alphabet=ALPHABET + OUTSIDE, max_size=30),
            st.builds(
                lambda a, b, c, d: f"{a}{b}幢{c}单元{d}室",
                st.text(alphabet=ALPHABET, max_size=20),
                st.integers(0, 120),
                st.integers(0, 12),
                st.integers(0, 4000),
            ),
            st.builds(
                lambda a, b, c, d, sep: f"{a}{b}{sep}{c}{sep}{d}",
                st.text(alphabet=ALPHABET, max_size=20),
                st.integers(0, 120),
                st.integers(0, 12),
                st.integers(0, 99999),
                st.sampled_from(["-", "—", "－"]),
            ),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_random_text_splits_as_the_regexes_split_it(texts: list[str]) -> None:
    _assert_same(pl.Series(texts, dtype=pl.String))


def test_only_the_parts_asked_for_are_built() -> None:
    texts = _cleaned(["杭州市西湖区金都花园3幢2单元1201室"])
    parts, _ = split(texts, address=True, want=("community", "room"))
    assert {k: s.to_list() for k, s in parts.items()} == {
        "community": ["金都花园"],
        "room": ["1201"],
    }
    assert address_parts(texts, ("building",)).columns == ["building"]
    assert room_parts_of(_cleaned(["3-2-1201"]), ROOM_PARTS).row(0) == ("3", "2", "1201")


def test_repeated_texts_are_split_once_each_with_the_parts_of_every_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a list's addresses and rooms repeat (households, cleaned copies): 40 typed texts, nulls
    # and full-width forms, each many times over in shuffled order
    import leaktrace.normalize._address as address_module

    base = [*TYPED, *(t.translate(FULL_WIDTH) for t in TYPED), None]
    rng = random.Random(14)
    cells = [rng.choice(base) for _ in range(5000)]
    texts = pl.DataFrame({"t": cells}, schema={"t": pl.String}).select(clean_text(pl.col("t")))
    texts = texts.to_series()
    split_sizes: list[int] = []
    real = address_module._each

    def each(t: pl.Series, want: object, *, address: bool) -> pl.DataFrame:
        split_sizes.append(len(t))
        return real(t, want, address=address)  # type: ignore[arg-type]

    monkeypatch.setattr(address_module, "_each", each)
    got = address_parts(texts)
    assert split_sizes == [texts.n_unique()]  # one split, of the distinct texts only
    assert got.equals(_regex_address(texts))
    assert room_parts_of(texts).equals(_regex_room(texts))
