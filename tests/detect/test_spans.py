"""Spans of personal information in free text."""

from __future__ import annotations

import polars as pl

from leaktrace.detect import find_spans


def _spans(text: str) -> list[tuple[str, str, str]]:
    found = find_spans(pl.Series([text]))
    return [(t, s, x) for t, s, x in found.select("type", "status", "text").iter_rows()]


def test_owner_phone_and_home_in_one_message() -> None:
    assert _spans("业主张伟电话138-1234-5678住金都花园3幢2单元1201室") == [
        ("name", "valid", "张伟"),
        ("mobile", "valid", "138-1234-5678"),
        ("address", "valid", "金都花园3幢2单元1201室"),
    ]


def test_offsets_are_character_offsets_of_the_original_text() -> None:
    text = "王芳的身份证号１１０１０５１９４９１２３１００２Ｘ，手机+8613912345678"
    found = find_spans(pl.Series([text]))
    for start, end, value in found.select("start", "end", "text").iter_rows():
        assert text[start:end] == value
    assert found["type"].to_list() == ["name", "cn_id", "mobile"]
    assert found["status"].to_list() == ["valid", "valid", "valid"]


def test_masked_and_invalid_values_in_text() -> None:
    assert _spans("车牌浙A·12345的车主是张*伟，电话138****5678") == [
        ("plate", "valid", "浙A·12345"),
        ("name", "masked", "张*伟"),
        ("mobile", "masked", "138****5678"),
    ]
    assert _spans("这个人住3-2-1201，身份证3.30182E+17") == [
        ("room", "valid", "3-2-1201"),
        ("cn_id", "invalid", "3.30182E+17"),
    ]


def test_qq_needs_a_cue_and_order_numbers_are_not_ids() -> None:
    assert _spans("邮箱zhang@qq.com，QQ2174354685，都是赵敏的") == [
        ("email", "valid", "zhang@qq.com"),
        ("qq", "valid", "2174354685"),
        ("name", "valid", "赵敏"),
    ]
    assert _spans("订单201812240001234567已发货，金额2174354685") == []


def test_eleven_digits_not_shaped_like_a_mobile_are_not_flagged() -> None:
    assert _spans("流水号10270710365已处理") == []
    assert _spans("帮我查下12012345678这个号码的机主") == [("mobile", "invalid", "12012345678")]


def test_text_without_personal_information_yields_no_spans() -> None:
    assert find_spans(pl.Series(["好的，明天给你", None, "价格好商量，一条五毛"])).height == 0
