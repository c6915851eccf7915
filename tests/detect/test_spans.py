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


def test_an_address_ends_where_its_structure_ends() -> None:
    assert _spans("江苏省徐州市沛县龙固镇张庄村村民张建军反映情况") == [
        ("address", "valid", "江苏省徐州市沛县龙固镇张庄村"),
        ("name", "valid", "张建军"),
    ]
    assert _spans("浙江省杭州市西湖区文三路100号楼下有个小区") == [
        ("address", "valid", "浙江省杭州市西湖区文三路100号")
    ]


def test_an_estate_before_a_building_is_an_address_and_a_count_is_not() -> None:
    assert _spans("阳光花园12栋1802，送到门口就行") == [("address", "valid", "阳光花园12栋1802")]
    assert _spans("小区共有13栋楼，物业在东门") == []


def test_a_government_office_is_neither_an_address_nor_a_name() -> None:
    assert _spans("杭州市西湖区人民政府办公室发了通知") == []
    assert _spans("王建华在杭州市西湖区人民政府上班") == [("name", "valid", "王建华")]


def test_mentions_odds_and_versions_are_not_personal_information() -> None:
    for text in ("@老张 资料发你邮箱了", "hi@all 今晚开会", "今晚比分2.15.3.40，稳赚"):
        assert _spans(text) == [], text
    assert _spans("升级到10.0.2.15之后就连不上了") == []
    assert _spans("服务器IP 192.168.1.20 登录失败") == [("ip", "valid", "192.168.1.20")]


def test_names_in_lists_with_titles_and_hidden_given_names() -> None:
    assert _spans("麻烦通知一下刘建国、赵丽华、孙志强三位明天到会议室") == [
        ("name", "valid", "刘建国"),
        ("name", "valid", "赵丽华"),
        ("name", "valid", "孙志强"),
    ]
    assert _spans("王经理，明天上午十点的会改到下午了") == [("name", "masked", "王")]
    assert _spans("老王，那个单子你跟了没") == []
    assert _spans("嫌疑人张某供述其从网上购买数据") == [("name", "masked", "张某")]
    assert _spans("客户约翰·史密斯要一张发票") == [("name", "valid", "约翰·史密斯")]


def test_a_mail_provider_without_its_domain_is_a_broken_e_mail() -> None:
    assert _spans("邮箱cgxef24@163，别发错") == [("email", "invalid", "cgxef24@163")]


def test_a_wechat_id_in_its_own_form_is_whole_whatever_comes_before_it():
    # a WeChat export's sender line (its cue wx is the ID's own first letters) and a cued ID
    texts = [
        "2023-12-01 10:20:11 刘某(wxid_8s7d6f5g4h)",
        "微信号wxid_8s7d6f5g4h",
        "微信：zhangsan_88",
    ]
    got = find_spans(pl.Series(texts)).filter(pl.col("type") == "wechat")
    assert got.select("row", "text").rows() == [
        (0, "wxid_8s7d6f5g4h"),
        (1, "wxid_8s7d6f5g4h"),
        (2, "zhangsan_88"),
    ]


def test_a_surname_said_twice_is_a_word_not_a_name():
    # 谢谢 (thanks), 常常 (often), 刚刚 (just now) begin with a surname; 谢军 after 谢谢 is a name
    texts = ["好的，谢谢", "他常常来看房", "刚刚到", "谢谢谢军"]
    got = find_spans(pl.Series(texts)).filter(pl.col("type") == "name")
    assert got.select("row", "text").rows() == [(3, "谢军")]


def test_qq_and_wechat_cues_are_read_in_text_without_chinese():
    texts = ["QQ:12345678", "wx：zhangsan_88", "vx abc12345", "hello world"]
    got = find_spans(pl.Series(texts)).select("row", "type", "text").rows()
    assert got == [(0, "qq", "12345678"), (1, "wechat", "zhangsan_88"), (2, "wechat", "abc12345")]
