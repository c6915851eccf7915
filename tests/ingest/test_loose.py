"""Text lists typed by hand in the layouts people use, read into the columns a person sees.

Every list here is typed by hand (obviously fake people); the expected columns and cells are
what a person reads off the text, not what the reader produced.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.ingest import walk

from .conftest import only_evidence
from .conftest import rows as table_rows

ZHANG = ("张三", "13812345678", "浙江省杭州市西湖区文三路100号")
LI = ("李四", "13912345678", "浙江省杭州市上城区解放路8号")
WANG = ("王五", "13712345678", "浙江省宁波市海曙区中山西路1号")


def _read(tmp_path: Path, text: str, encoding: str = "utf-8") -> tuple[list[str], list[tuple]]:
    path = tmp_path / "名单.txt"
    path.write_bytes(text.encode(encoding))
    (evidence,) = list(walk([path]))
    (table,) = evidence.tables
    rows = [row for batch in table.batches() for row in batch.rows()]
    return table.columns, rows


@pytest.mark.parametrize(
    "text",
    [
        "张三，13812345678，浙江省杭州市西湖区文三路100号\n"
        "李四，13912345678，浙江省杭州市上城区解放路8号\n"
        "王五，13712345678，浙江省宁波市海曙区中山西路1号\n",
        # full- and half-width commas and 、 mixed, spaces around them
        "张三, 13812345678，浙江省杭州市西湖区文三路100号\n"
        "李四、13912345678、浙江省杭州市上城区解放路8号\n"
        "王五 ， 13712345678 ，浙江省宁波市海曙区中山西路1号\n",
        "张三|13812345678|浙江省杭州市西湖区文三路100号\n"
        "李四 | 13912345678 | 浙江省杭州市上城区解放路8号\n"
        "王五|13712345678|浙江省宁波市海曙区中山西路1号\n",
        "张三\t13812345678\t浙江省杭州市西湖区文三路100号\n"
        "李四\t13912345678\t浙江省杭州市上城区解放路8号\n"
        "王五\t13712345678\t浙江省宁波市海曙区中山西路1号\n",
        # runs of spaces, a phone typed in groups with a country code
        "张三   +86 138 1234 5678   浙江省杭州市西湖区文三路100号\n"
        "李四 139-1234-5678 浙江省杭州市上城区解放路8号\n"
        "王五  13712345678  浙江省宁波市海曙区中山西路1号\n",
        # one field per line, a blank line between people
        "张三\n13812345678\n浙江省杭州市西湖区文三路100号\n\n"
        "李四\n13912345678\n浙江省杭州市上城区解放路8号\n\n\n"
        "王五\n13712345678\n浙江省宁波市海曙区中山西路1号\n",
    ],
    ids=["fullwidth-comma", "mixed", "pipe", "tab", "spaces", "line-blocks"],
)
def test_one_person_per_line_or_block_splits_into_three_columns(tmp_path, text):
    columns, rows = _read(tmp_path, text, "gbk")
    assert len(columns) == 3
    digits = [
        (name, "".join(c for c in phone if c.isdigit())[-11:], addr) for name, phone, addr in rows
    ]
    assert digits == [ZHANG, LI, WANG]


def test_header_line_names_the_columns(tmp_path):
    columns, rows = _read(
        tmp_path,
        "姓名，手机号，住址\n张三，13812345678，浙江省杭州市西湖区文三路100号\n"
        "李四，13912345678，浙江省杭州市上城区解放路8号\n",
    )
    assert columns == ["姓名", "手机号", "住址"]
    assert rows == [ZHANG, LI]


def test_key_value_pairs_in_any_order_with_missing_keys(tmp_path):
    columns, rows = _read(
        tmp_path,
        "姓名:张三 电话:138-1234-5678 地址:浙江省杭州市西湖区文三路100号\n"
        "电话：13912345678 姓名：李四\n"
        "地址:浙江省宁波市海曙区 中山西路1号，姓名:王五，电话:+86 137 1234 5678\n",
    )
    assert columns == ["姓名", "电话", "地址"]
    assert rows == [
        ("张三", "138-1234-5678", "浙江省杭州市西湖区文三路100号"),
        ("李四", "13912345678", None),
        ("王五", "+86 137 1234 5678", "浙江省宁波市海曙区 中山西路1号"),
    ]


def test_key_value_blocks_one_key_a_line(tmp_path):
    columns, rows = _read(
        tmp_path,
        "姓名：张三\n电话：13812345678\n地址：浙江省杭州市西湖区文三路100号\n\n"
        "姓名：李四\n电话：13912345678\n"
        "姓名：王五\n地址：浙江省宁波市海曙区中山西路1号\n电话：13712345678\n",
    )
    assert columns == ["姓名", "电话", "地址"]
    # 李四's block has no blank line after it: 姓名 coming again starts 王五's record
    assert rows == [ZHANG, ("李四", "13912345678", None), WANG]


def test_an_ordinary_csv_is_left_to_the_csv_reader(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("时间,发送人,消息\n2021-01-01 10:00,张三,好的，明天给你：电话13812345678\n")
    (evidence,) = list(walk([path]))
    assert evidence.tables[0].columns == ["时间", "发送人", "消息"]


def test_one_column_sheet_of_typed_lines_is_split_like_a_text_list(tmp_path):
    import xlsxwriter

    path = tmp_path / "名单.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("客户")
    lines = [
        "张三，13812345678，浙江省杭州市西湖区文三路100号",
        "李四，139 1234 5678，浙江省杭州市上城区解放路8号",
        "王五，13712345678，浙江省宁波市海曙区中山西路1号",
    ]
    for row, line in enumerate(lines):
        sheet.write_string(row, 0, line)
    book.close()
    (evidence,) = list(walk([path]))
    (table,) = evidence.tables
    assert table.name == "客户"
    assert [row for batch in table.batches() for row in batch.rows()] == [ZHANG, LI, WANG]


def test_a_one_column_sheet_of_names_stays_one_column(tmp_path):
    import xlsxwriter

    path = tmp_path / "names.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("名单")
    for row, name in enumerate(["张三", "李四", "王五"]):
        sheet.write_string(row, 0, name)
    book.close()
    (evidence,) = list(walk([path]))
    assert len(evidence.tables[0].columns) == 1


def test_sentences_under_a_free_text_header_are_one_column_whatever_their_commas(
    tmp_path: Path,
) -> None:
    # most lines hold a full-width comma, which a list typed by hand separates fields with; the
    # header 内容 (under a title line) says these are sentences
    lines = ["内容", "我叫张伟，电话13812345678", "好的，收到", "李娜，住在文三路18号"]
    lines.append("明天见，再联系")
    for titles in ([], ["金都花园业主群聊天记录"]):
        path = tmp_path / f"chat{len(titles)}.txt"
        path.write_text("\n".join([*titles, *lines]) + "\n", encoding="utf-8")
        table = only_evidence(path).tables[0]
        assert (table.columns, table.header_row) == (["内容"], len(titles))
        assert [r["内容"] for r in table_rows(only_evidence(path))] == lines[1:]


def test_a_one_column_list_under_a_title_has_its_header_word_as_header(tmp_path: Path) -> None:
    path = tmp_path / "owners.csv"
    path.write_text("金都花园业主名单\n姓名\n张伟\n李娜\n", encoding="utf-8")
    table = only_evidence(path).tables[0]
    assert (table.columns, table.header_row) == (["姓名"], 1)
    assert table_rows(only_evidence(path)) == [{"姓名": "张伟"}, {"姓名": "李娜"}]


def test_fields_typed_in_another_order_go_to_their_columns(tmp_path):
    # a decorator's notes: most lines name, room, phone; one puts the room first, one glues
    # its label to the phone, one spaces a two-character name to line up with the others
    text = (
        "王建国 3幢2单元501 13905761234 已量房\n"
        "1-1-302 李秀英 15858123456\n"
        "陈美华 2-3-601 电话18967012345\n"
        "赵 磊  6幢1单元1102  138 5712 3456  毛坯\n"
        "张伟 8-2-1501  不在家\n"
    )
    _, rows = _read(tmp_path, text)
    assert rows == [
        ("王建国", "3幢2单元501", "13905761234", "已量房"),
        ("李秀英", "1-1-302", "15858123456", None),
        ("陈美华", "2-3-601", "18967012345", None),
        ("赵磊", "6幢1单元1102", "13857123456", "毛坯"),
        ("张伟", "8-2-1501", None, "不在家"),
    ]


@pytest.mark.parametrize(
    "head",
    ["2023-12-01 10:2{}:11 刘某(wxid_abc123)", "刘某 2023-12-01 10:2{}:11"],
    ids=["wechat", "qq"],
)
def test_a_chat_export_is_read_as_its_lines_of_free_text(tmp_path, head):
    # messages under lines of time and sender, as WeChat and QQ export them: a list pasted in a
    # message is text in a sentence, not fields of a table
    messages = [
        "王总，锦绣花园的业主资料我整理好了",
        "王建国 13905761234 3幢2单元501",
        "李秀英15858123456，1幢1单元302，陈美华 18967012345 2幢3单元601",
        "收到，钱转你了",
    ]
    text = "".join(f"{head.format(i)}\n{m}\n\n" for i, m in enumerate(messages))
    columns, rows = _read(tmp_path, text)
    assert columns == ["内容"]
    assert rows == [(line,) for i, m in enumerate(messages) for line in (head.format(i), m)]


def test_a_list_of_timestamped_lines_is_no_chat(tmp_path):
    text = (
        "2023-12-01 10:23 张三 13812345678 杭州市西湖区文三路100号\n"
        "2023-12-01 10:24 李四 13912345678 杭州市上城区解放路8号\n"
        "2023-12-02 09:00 王五 13712345678 宁波市海曙区中山西路1号\n"
    )
    columns, rows = _read(tmp_path, text)
    assert len(columns) == 5 and rows[0][2:4] == ("张三", "13812345678")
