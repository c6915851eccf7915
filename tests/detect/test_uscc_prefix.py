"""USCC: only the registration authority and organisation kind pairs that exist are valid.

The pairs are typed here from GB 32100-2015 table 1 (1 机构编制, 5 民政, 9 工商, Y 其他) and the
authorities its registry (全国组织机构统一社会信用代码数据服务中心) added since; the check
characters come from python-stdnum, not from the code under test.
"""

from __future__ import annotations

import polars as pl
import pytest
from stdnum.cn import uscc

from leaktrace.detect import CATALOGUE

ISSUED_PREFIXES = frozenset(
    [
        *["11", "12", "13", "19"],  # 机构编制: 机关, 事业单位, 编办管理的群众团体, 其他
        *["21", "29"],  # 外交
        *["31", "32", "33", "34", "35", "39"],  # 司法行政: 律所, 公证处, 基层法律服务所…
        *["41", "49"],  # 文化
        *["51", "52", "53", "59"],  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
        *["61", "62", "69"],  # 旅游
        *["71", "72", "79"],  # 宗教
        *["81", "89"],  # 工会
        *["91", "92", "93"],  # 工商: 企业, 个体工商户, 农民专业合作社
        *["A1", "A9"],  # 中央军委改革和编制办公室
        *["N1", "N2", "N3", "N9"],  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
        "Y1",  # 其他
    ]
)
"""Authority and kind pairs a code can start with."""

BODY = "330106MA2B12345"  # 杭州市西湖区 (6), then a nine-character organisation code (9)


def _code(prefix: str) -> str:
    body = prefix + BODY
    return body + uscc.calc_check_digit(body)


def _status(codes: list[str]) -> list[str | None]:
    return CATALOGUE["uscc"].status(pl.Series(codes, dtype=pl.String)).to_list()


def test_every_issued_prefix_with_its_check_character_is_valid() -> None:
    codes = [_code(p) for p in sorted(ISSUED_PREFIXES)]
    assert _status(codes) == ["valid"] * len(codes)
    assert CATALOGUE["uscc"].normalise(pl.Series(codes)).to_list() == codes


@pytest.mark.parametrize(
    "prefix",
    [
        "99",
        "94",
        "90",
        "10",
        "14",
        "22",
        "36",
        "42",
        "54",
        "63",
        "73",
        "82",
        "Y2",
        "N4",
        "A2",
        "01",
    ],
)
def test_a_prefix_no_code_has_is_invalid_even_with_a_right_check_character(prefix: str) -> None:
    code = _code(prefix)
    assert code[17] == uscc.calc_check_digit(code[:17])
    assert _status([code, code.lower()]) == ["invalid", "invalid"]
    assert CATALOGUE["uscc"].normalise(pl.Series([code])).to_list() == [None]


def test_free_text_spans_agree_with_the_column_validator() -> None:
    from leaktrace.detect import find_spans

    good, bad = _code("92"), _code("99")
    spans = find_spans(pl.Series([f"个体户代码 {good} 已核实", f"代码 {bad} 有误"]))
    found = {
        (row, text, status) for row, text, status in spans.select("row", "text", "status").rows()
    }
    assert (0, good, "valid") in found
    assert all(not (text == bad and status == "valid") for _, text, status in found)
