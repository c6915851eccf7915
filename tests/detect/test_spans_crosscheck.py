"""The fast free-text path gives exactly the spans of the straightforward one it replaced.

``spans_reference.py`` beside this file is ``detect/_spans.py`` as it was before the span work
was vectorised and spread over both cores (a Python loop per distinct text, one tagger call per
batch). It is kept here, and only here, as the oracle: for hand-typed texts, the hand-written
chat lines, the generator's chat messages and remark column, and the MSRA test sample, every
span (row, type, start, end, text, status) must come out the same from both paths.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from leaktrace.detect import SpanFinder, find_spans
from leaktrace.detect._spans import CACHE_BYTES
from leaktrace.detect.train import read_split
from leaktrace.synth import residents, write_large_csv
from leaktrace.synth._chat import chat_messages

from . import spans_reference as reference
from .handwritten import load

# Typed by hand: every shape the span passes treat apart (identifiers in groups, full-width
# digits, masked names, cued QQ/WeChat, estates before buildings, organisations, places from
# the gazetteer, nulls and empty cells, repeats, texts with no Han characters at all).
HAND_TYPED = [
    "业主张伟电话138-1234-5678住金都花园3幢2单元1201室",
    "王芳的身份证号１１０１０５１９４９１２３１００２Ｘ，手机+8613912345678",
    "车牌浙A·12345的车主是张*伟，电话138****5678",
    "这个人住3-2-1201，身份证3.30182E+17",
    "邮箱zhang@qq.com，QQ2174354685，都是赵敏的",
    "订单201812240001234567已发货，金额2174354685",
    "流水号10270710365已处理",
    "帮我查下12012345678这个号码的机主",
    "好的，明天给你",
    None,
    "",
    "价格好商量，一条五毛",
    "江苏省徐州市沛县龙固镇张庄村村民张建军反映情况",
    "浙江省杭州市西湖区文三路100号楼下有个小区",
    "阳光花园12栋1802，送到门口就行",
    "小区共有13栋楼，物业在东门",
    "杭州市西湖区人民政府办公室发了通知",
    "王建华在杭州市西湖区人民政府上班",
    "加我微信 wxid_abc123 或者vx:Li_Ming88，扣扣 12345678",
    "@all 今晚8点开会，hi@群主 收到回复",
    "赔率2.15.3.40，版本10.0.2.15，登录IP 192.168.1.20",
    "卡号6222 0212 3456 7890 123，户名李四",
    "张某某昨天来过，某人说找王经理，李老师也在",
    "老王和小李住在一起，阿张不在",
    "收件人：欧阳娜娜 13800138000 上海市浦东新区张江路88弄6号1502室",
    "tel13912345678 QQ号:88888888",
    "转交张伟",
    "转交张伟",
    "改送金色家园８幢２单元１６０２室",
    "老地址江滨花园3幢1单元703室不住了",
    "VIP",
    "1.8667778888E+10",
    "13606661234.0",
    "联系人：司马光，地址：北京市海淀区中关村大街27号",
    "完颜洪烈和上官婉儿",
    "坐标30.2741,120.1551附近",
    "(0571)87654321 或 0571-8765432*",
    "统一社会信用代码91330100MA2CFXXXXX 车架号LSVAU2180N2123456",
]


def _same(series: pl.Series) -> None:
    new = find_spans(series)
    old = reference.find_spans(series)
    assert new.height == old.height
    assert_frame_equal(new, old)


def test_hand_typed_texts() -> None:
    _same(pl.Series("内容", HAND_TYPED))


def test_each_hand_typed_text_alone() -> None:
    # one text a batch: no other text shares its tagger call or its regex passes
    for text in HAND_TYPED:
        _same(pl.Series("内容", [text]))


def test_hand_written_chat_lines() -> None:
    texts, _ = load()
    _same(pl.Series("text", texts))


def test_generated_chat_messages() -> None:
    chat = chat_messages(residents(600, seed=17), seed=17, rows=3_000)
    _same(chat.frame["消息"])


@pytest.fixture(scope="module")
def remarks(tmp_path_factory: pytest.TempPathFactory) -> pl.Series:
    path = tmp_path_factory.mktemp("remarks") / "large.csv"
    write_large_csv(path, 60_000, seed=23, remarks=True, damaged=True)
    return pl.read_csv(path, infer_schema=False)["备注"]


def test_the_benchmarks_remark_column(remarks: pl.Series) -> None:
    spans = find_spans(remarks)
    assert spans.height > 5_000  # the remarks naming a person or a home were found
    assert_frame_equal(spans, reference.find_spans(remarks))


def test_msra_test_sample(msra_corpus: Path) -> None:
    texts = read_split(msra_corpus, "msra_test.txt").texts[::8]
    _same(pl.Series("text", texts))


@pytest.mark.parametrize("limit", [CACHE_BYTES, 60_000, 0])
def test_one_finder_over_many_batches(remarks: pl.Series, limit: int) -> None:
    # a finder remembers the texts of earlier batches (with a small limit, only the first few
    # batches' texts; with none, no text): each batch's spans are the reference's spans of it
    finder = SpanFinder(limit)
    batches = [remarks.slice(start, 7_000) for start in range(0, remarks.len(), 7_000)]
    batches.append(pl.Series("备注", HAND_TYPED))  # new texts after many known ones
    batches.append(pl.Series("备注", [None, ""], pl.String))
    for batch in batches:
        assert_frame_equal(finder.find(batch), reference.find_spans(batch))
