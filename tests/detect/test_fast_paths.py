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
    rates = NoiseRates(
        variant=0.3, invalid=0.1, masked=0.1, typo=0.1, empty=0.05, duplicate=0.0, spreadsheet=0.1
    )
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
        # spreadsheet numbers: every digit written (read back), or some lost (invalid)
        "13606661234.0",
        "1.3606661234E+10",
        "1.38123E+10",
        "330182199001011236.0",
        "3.30182199001011236E+17",
        "3.30182199001011E+17",
        *(v + ".0" for v in valid[:50]),
        *(f"{v[0]}.{v[1:]}E+{len(v) - 1}" for v in valid[:50] if v.isdigit()),
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


def _adversarial(valid: list[str], rng: np.random.Generator) -> list[str]:
    """Cells one step from plain digits of the unit's widths: each character replaced by a
    digit, a letter, a separator or a multi-byte character, widths 14 to 20, random bytes."""
    out = []
    for v in valid:
        for i in range(len(v)):
            for c in (str(rng.integers(0, 10)), "X", "x", " ", "*", ".", "\u00e9", "中", "０"):
                out.append(v[:i] + c + v[i + 1 :])
        out += [v[:-1], v + str(rng.integers(0, 10)), "0" + v[1:], v[1:] + v[0]]
    printable = np.frombuffer(bytes(range(0x20, 0x7F)), dtype=np.uint8)
    for width in range(14, 21):
        for digits in rng.integers(0, 10, (300, width)):
            out.append("".join(map(str, digits)))
        for chars in rng.choice(printable, (100, width)):
            out.append(chars.tobytes().decode())
    return out


def _id_dates(valid: list[str]) -> list[str]:
    """IDs with their check character recomputed around the date rules: leap days of 1900,
    2000 and 2024, impossible days and months, the 1800-2099 range, today and tomorrow, and
    unknown region codes."""
    import datetime

    from leaktrace.detect.types.cn_id import calc_check_digit

    today = datetime.date.today()
    days = [(today + datetime.timedelta(days=d)).strftime("%Y%m%d") for d in (-1, 0, 1, 400)]
    days += [
        f"{y}{md}"
        for y in (1799, 1800, 1900, 2000, 2023, 2024, 2099, 2100)
        for md in ("0229", "0228", "0230", "0000", "0100", "0132", "0431", "1231", "1301", "1939")
    ]
    regions = ["000000", "100000", "110000", "110105", "990000", "999999"]
    bodies = [v[:6] + d + v[14:17] for v in valid[:20] for d in days]
    bodies += [r + v[6:17] for v in valid[:20] for r in regions]
    return [b + calc_check_digit(b) for b in bodies] + [b + "0" for b in bodies]


@pytest.mark.parametrize("type_id", ["cn_id", "bank_card"])
def test_digit_fast_codes_agree_with_full_pipeline_on_adversarial_cells(type_id):
    from leaktrace.detect.types import bank_card, cn_id

    module = {"cn_id": cn_id, "bank_card": bank_card}[type_id]
    rng = np.random.default_rng(29)
    valid = residents(300, seed=31).get_column(type_id).drop_nulls().to_list()
    values = [*valid, *_adversarial(valid[:40], rng), "", "3.30182E+17", "3.30182e+17"]
    if type_id == "cn_id":
        values += _id_dates(valid)
    column = pl.Series(type_id, [None, *values, None], dtype=pl.String)
    # several chunks, and null cells that keep their text, as Polars may hand them over
    column = pl.concat([column.slice(0, 500), column.slice(500)], rechunk=False)
    column = column.set(pl.Series([i % 97 == 5 for i in range(column.len())]), None)
    codes = module.fast_codes(column).tolist()
    full = apply(fold_series(column), CATALOGUE[type_id].status_expr(V)).to_list()
    expected = {0: None, 2: "valid", 3: "invalid"}  # 1 is undecided: the full pipeline decides
    assert all(
        status == expected[code] for code, status in zip(codes, full, strict=True) if code != 1
    )
    assert set(codes) == {0, 1, 2, 3}


def _name_cells(names: list[str], rng: np.random.Generator) -> list[str]:
    """Names and near misses: one to five characters, 某 and every place-name ending in each
    place, surnames alone, compound surnames with given names, a Han first character that is no
    surname, extension-A and compatibility ideographs, spaces, masks, Latin, full-width, emoji."""
    from leaktrace.detect._data import surnames
    from leaktrace.detect.types.name import _NOT_A_NAME_END

    single, compound = surnames()
    no_surname = next(chr(c) for c in range(0x4E00, 0xA000) if chr(c) not in single)
    odd = [no_surname, "某", "\u3400", "\u4dbf", "\uf900", "\U00020000", " ", "\u3000", "*", "x"]
    odd += ["X", "a", "Ａ", "·", "😀", *_NOT_A_NAME_END]
    out = [*names, *single, *compound, *(c + v[1:] for v in names[:30] for c in compound)]
    out += [(v * 3)[:n] for v in names[:30] for n in range(1, 6)]
    for v in names[:40]:
        for c in odd:
            out += [c + v, v + c, *(v[:i] + c + v[i + 1 :] for i in range(len(v)))]
    alphabet = [*"".join(compound), *odd, *(v[1] for v in names[:10])]
    out += ["".join(rng.choice(alphabet, int(rng.integers(0, 6)))) for _ in range(3000)]
    return out


def _email_cells(emails: list[str], rng: np.random.Generator) -> list[str]:
    """Addresses and near misses: capitals, spaces, ``..``, a leading dot or dash, labels
    starting or ending with ``-``, a one-letter or digit top-level domain, ``+`` and ``%``,
    two ``@``, non-ASCII, a trailing dot, an empty local part or domain."""
    out = [*emails, "", "@", "a@", "@qq.com", "a@b.c", "a@b.cn", "a@-b.cn", "a@b-.cn", "a@b..cn"]
    for v in emails[:40]:
        local, domain = v.split("@")
        host, top = domain.rsplit(".", 1)
        out += [v.upper(), v.capitalize(), f" {v}", f"{v} ", f"{v}.", f".{v}", f"-{v}", f"_{v}"]
        out += [f"{local}..x@{domain}", f"{local}.@{domain}", f"{local}+tag@{domain}"]
        out += [f"{local}%x@{domain}", f"{local}@{v}", f"{local}@@{domain}", f"{local}中@{domain}"]
        out += [f"{local}@-{domain}", f"{local}@{host}-.{top}", f"{local}@{host}.{top[0]}"]
        out += [f"{local}@{host}.{top}1", f"{local}@{host}.{top}-x", f"@{domain}", f"{local}@"]
        out += [f"{local}@ａ.{top}", f"{local}@{host}..{top}", f"{local}@{host}.x-y.{top}"]
        out += [v.replace("@", c) for c in (" ", ".", "..", "#", "中")] + [f"{local}@a_{domain}"]
    alphabet = [*"az09.-_%+@ *A", "é", "中", "ａ"]
    out += ["".join(rng.choice(alphabet, int(rng.integers(0, 12)))) for _ in range(3000)]
    return out


@pytest.mark.parametrize(
    ("type_id", "cells", "valid", "undecided"),
    [
        (
            "name",
            _name_cells,
            ["张三", "欧阳", "欧阳娜娜", "李小龙"],
            ["张某", "金都花园", "张 三"],
        ),
        ("email", _email_cells, ["a@b.cn", "z.s+x@m.qq.com"], ["A@b.cn", "a..b@c.cn", "a@b.c"]),
    ],
)
def test_compiled_fast_codes_call_valid_only_canonical_cells_the_full_pipeline_calls_valid(
    type_id, cells, valid, undecided
):
    from leaktrace.detect._bytes import UNDECIDED, VALID

    rng = np.random.default_rng(41)
    people = residents(300, seed=43).get_column(type_id).drop_nulls().to_list()
    column = pl.Series(type_id, [None, *valid, *undecided, *cells(people, rng), None])
    unit = CATALOGUE[type_id]
    codes = unit.fast_codes(column)
    fast = pl.Series(codes == VALID)
    full = apply(fold_series(column), unit.status_expr(V))
    canonical = apply(fold_series(column), unit.normalise_expr(V))
    assert full.filter(fast).eq("valid").all()
    assert canonical.filter(fast).equals(column.filter(fast))  # a fast-valid cell is its value
    examples = codes[1 : 1 + len(valid) + len(undecided)].tolist()
    assert examples == [VALID] * len(valid) + [UNDECIDED] * len(undecided)
    assert set(codes.tolist()) == {0, UNDECIDED, VALID}


_ODD_CHARS = (
    *(" ", "\u3000", "\u00a0", "\t", "*", "\uff11", "\uff21", "a", "\uff0c", "\u3001"),
    *("\u4dc0", "\u3400", "\u4dbf", "\uf900", "\U0001f600", "\U00020000", "\u00b7", "\u00e9"),
    *("-", "\u4e00", "\u9fff", "\ua000"),
)
"""Characters a clean address or room lacks, or holds only in some places: spaces (ASCII,
ideographic, no-break, tab), an asterisk, full-width forms, CJK punctuation, a hexagram
symbol, extension-A and compatibility ideographs, four-byte characters, two-byte letters."""

_EDGES = {
    "address": {
        "杭州市文三路": True,  # six characters
        "杭州市文路": False,
        "杭州市" + "路" * 117: True,  # 120 characters
        "杭州市" + "路" * 118: False,
        "市文三路100号": False,  # a division word needs a Han character before it
        "a市文三路100号": False,
        "\u3400市文三路100号": False,  # extension A is plain, but not what _DIVISION counts
        "杭市文三路100号": True,
        "街道文三路100号": False,
        "西湖街道文三路100号": True,
        "a街道文三路": False,  # nor 街道 after a letter
        "自治区文三路": True,  # 区 after 治
        "杭州市大a道1": False,  # 大道 split
        "杭州市大道1": True,
        "浙江省杭州市西湖区文三路 100 号": False,  # valid, but not as written
        "浙江省杭州市西湖区文三路１００号": False,
        "浙江省杭州市\U00020000文三路100号": False,
        "杭州市文三路\uf900": False,  # a compatibility ideograph: NFKC would change it
        "杭州市文三路\u4dc0": False,  # a hexagram, no ideograph
    },
    "room": {
        "3幢2单元1203室": True,
        "A座1203": True,
        "a座1203": False,
        "AB座1203": False,
        "123幢1203": True,
        "1234幢1203": False,
        "3号楼2单元502": True,
        "3楼1203": False,  # 楼 alone makes no structure
        "1203号": False,
        "3号楼1203号": True,
        "12单元1203": True,
        "123单元1203": False,
        "1203": True,
        "12": False,
        "12345": False,
        "12-2-1203": True,
        "12-1203": True,
        "12-12": False,
        "1234-2-1203": False,
        "1203室": True,
        "1室": False,
        "123456室": False,
        "\uff11\uff12\uff10\uff13": False,
        "1203 ": False,
        "*幢*单元****室": False,
        "三幢2单元1203室": False,
    },
}
"""Cells on the edges of the regexes, and whether the compiled fast path calls them valid."""


def _text_near_misses(valid: list[str], rng: np.random.Generator) -> list[str]:
    """Each clean value with odd characters put in and swapped in, cut short at both ends, and
    random strings of odd characters and the value's own characters."""
    out = []
    for v in valid:
        for c in _ODD_CHARS:
            for i in rng.integers(0, len(v) + 1, 2):
                out += [v[:i] + c + v[i:], v[:i] + c + v[i + 1 :]]
        out += [v[:i] for i in range(len(v))] + [v[i:] for i in range(1, len(v))]
    alphabet = sorted(set("".join(valid)) | set(_ODD_CHARS))
    for length in rng.integers(0, 40, 2_000):
        out.append("".join(rng.choice(alphabet, length)))
    return out


@pytest.mark.parametrize("type_id", ["address", "room"])
def test_compiled_text_fast_paths_call_valid_only_canonical_valid_cells(type_id):
    import unicodedata

    from leaktrace.detect._bytes import UNDECIDED, VALID

    unit = CATALOGUE[type_id]
    assert unit.fast_codes is not None
    people = residents(2_000, seed=31).get_column(type_id).drop_nulls()
    valid = people.unique(maintain_order=True).to_list()[:40]
    rng = np.random.default_rng(31)
    values = [*valid, *_text_near_misses(valid, rng), *_EDGES[type_id]]
    column = pl.Series(type_id, [*values, None], dtype=pl.String)
    codes = unit.fast_codes(column)
    fast = pl.Series(codes == VALID)
    full = apply(fold_series(column), unit.status_expr(V))
    canonical = apply(fold_series(column), unit.normalise_expr(V))
    assert codes[-1] == 0 and set(codes[:-1].tolist()) <= {UNDECIDED, VALID}
    assert codes[: len(valid)].tolist() == [VALID] * len(valid)
    assert (full.filter(fast) == "valid").all()
    assert canonical.filter(fast).to_list() == column.filter(fast).to_list()
    # downstream skips cleaning for fast-valid cells (normalize._records._PLAIN_WHEN_FAST)
    assert all(unicodedata.normalize("NFKC", c) == c for c in column.filter(fast))
    assert unit.status(column).to_list() == full.to_list()
    assert unit.normalise(column).to_list() == canonical.to_list()
    edges = codes[len(values) - len(_EDGES[type_id]) : -1]
    assert dict(zip(_EDGES[type_id], (edges == VALID).tolist(), strict=True)) == _EDGES[type_id]


def test_room_fast_path_calls_valid_exactly_the_short_cells_the_regexes_call_valid():
    """Every cell of up to five characters from a digit, a capital, ``-``, the words'
    characters, another ideograph and a full-width digit: the fast path's automaton calls valid
    what the full pipeline does, but for the full-width digits it leaves to the pipeline."""
    import itertools

    from leaktrace.detect._bytes import VALID

    alphabet = ["1", "A", "-", "幢", "号", "楼", "单", "元", "室", "甲", "１"]
    cells = ["".join(p) for n in range(6) for p in itertools.product(alphabet, repeat=n)]
    column = pl.Series("room", cells, dtype=pl.String)
    fast = CATALOGUE["room"].fast_codes(column) == VALID
    status = apply(fold_series(column), CATALOGUE["room"].status_expr(V))
    full = status.eq("valid").fill_null(False)
    ascii_digits = ~column.str.contains("１")
    assert (fast == (full & ascii_digits).to_numpy()).all()
    assert fast.sum() > 10
