"""Column classification from header words and value evidence."""

from __future__ import annotations

import polars as pl
import pytest

from leaktrace.detect import classify_columns
from leaktrace.detect._columns import header_labels
from leaktrace.synth import residents


@pytest.mark.parametrize(
    ("header", "labels"),
    [
        ("业主姓名", {"name"}),
        ("联系电话1", {"mobile", "landline"}),
        ("证件号码", {"cn_id"}),
        ("房号", {"room"}),
        ("开户行卡号", {"bank_card"}),
        ("房屋地址", {"address"}),
        ("手机号(必填)", {"mobile"}),
        ("出生日期", {"birth_date"}),
        ("签约日期", {"__not_pi__"}),
        ("tel_no", {"mobile", "landline"}),
        ("last_login_ip", {"ip"}),
        ("hotel", set()),
        # a database's column names for a home's room
        ("house_no", {"room"}),
        ("room_number", {"room"}),
        ("单元号", {"room"}),
    ],
)
def test_header_words_name_the_type_by_their_last_word(header: str, labels: set[str]) -> None:
    assert header_labels(header)[0] == labels


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    return residents(400, seed=5).with_columns(pl.all().cast(pl.String))


def test_columns_are_typed_from_headers_and_values(people: pl.DataFrame) -> None:
    sample = people.select(
        pl.col("name").alias("业主姓名"),
        pl.col("mobile").alias("联系电话1"),
        pl.col("landline").alias("联系电话2"),
        pl.col("cn_id").alias("证件号码"),
        pl.col("room").alias("房号"),
        pl.col("qq").alias("QQ"),
        pl.col("qq").alias("编号"),
        pl.col("birth_date").alias("签约日期"),
        pl.col("birth_date").alias("生日"),
        pl.col("area").alias("面积"),
        pl.col("community").alias("小区"),
        pl.col("bank_card").alias("开户行卡号"),
    )
    got = {p.name: p.type for p in classify_columns(sample.columns, sample)}
    assert got == {
        "业主姓名": "name",
        "联系电话1": "mobile",
        "联系电话2": "landline",
        "证件号码": "cn_id",
        "房号": "room",
        "QQ": "qq",
        "编号": None,
        "签约日期": None,
        "生日": "birth_date",
        "面积": None,
        "小区": None,
        "开户行卡号": "bank_card",
    }


def test_columns_without_headers_are_typed_by_checked_values(people: pl.DataFrame) -> None:
    sample = people.select("cn_id", "mobile", "email", "qq").rename(
        {"cn_id": "column_1", "mobile": "column_2", "email": "column_3", "qq": "column_4"}
    )
    got = [p.type for p in classify_columns(sample.columns, sample)]
    assert got == ["cn_id", "mobile", "email", None]  # a bare QQ number needs its header


def test_chat_column_is_free_text() -> None:
    sample = pl.DataFrame(
        {"消息": ["业主张伟电话13812345678住金都花园3幢2单元1201室", "好的，明天给你"] * 10}
    )
    [profile] = classify_columns(["消息"], sample)
    assert profile.free_text and profile.type is None
