"""Hand-typed evidence in every format ``mask`` writes, with the personal values planted in it.

The values are typed here and checked with python-stdnum (check digits), not with LeakTrace, so
the tests can ask "is any of them still in the copy?" without trusting the detector.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xlsxwriter
from stdnum import luhn
from stdnum.cn import ric


def _id(body: str) -> str:
    number = body + ric.calc_check_digit(body + "0")
    assert ric.is_valid(number)
    return number


ID_1 = _id("33010619850312002")
ID_2 = _id("11010519900101123")
ID_3 = _id("32058319920815004")
CARD = "622202123456789012" + luhn.calc_check_digit("622202123456789012")
MOBILES = ("13812345678", "13987654321", "15012345678", "13912345670")
EMAIL = "zhang.san@example.com"
NAMES = ("张伟", "李娜", "王芳")

PLANTED = (ID_1, ID_2, ID_3, CARD, EMAIL, *MOBILES)
"""Identifiers that must not survive masking, in any spelling the tests wrote them."""

OWNERS_GBK = (
    "某小区业主名单（2023年）\r\n"
    "姓名,手机号,身份证号,房号,备注\r\n"
    f"张伟,13812345678,{ID_1},3幢2单元501室,老客户\r\n"
    f"李娜,139-8765-4321,{ID_2},5幢1单元302室,\r\n"
    "\r\n"
    f'王芳,15012345678,{ID_3},1幢101室,"已联系，电话 13912345670，卡号{CARD}"\r\n'
)
"""A GBK owner list with a title row, CRLF line ends, a blank line and a quoted remark."""

TSV = f"姓名\t电话\t邮箱\t城市\n张伟\t13812345678\t{EMAIL}\t杭州市\n李娜\t13987654321\t\t宁波市\n"

TXT = "13812345678\n13987654321\n\n15012345678\n"
"""A bare list of numbers, one a line, no header."""

JSON_RECORDS = [
    {"姓名": "张伟", "手机": "13812345678", "身份证": ID_1, "备注": "老客户", "积分": 3},
    {"姓名": "李娜", "手机": 13987654321, "身份证": ID_2, "备注": "联系电话15012345678"},
]


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    """A folder holding one file of each format."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "owners.csv").write_bytes(OWNERS_GBK.encode("gbk"))
    (folder / "contacts.tsv").write_text(TSV, encoding="utf-8")
    (folder / "numbers.txt").write_text(TXT, encoding="utf-8")
    (folder / "list.json").write_text(
        json.dumps(JSON_RECORDS, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (folder / "list.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in JSON_RECORDS), encoding="utf-8"
    )
    write_workbook(folder / "book.xlsx")
    return folder


def write_workbook(path: Path) -> None:
    """Two sheets: owners under a merged title row (a phone stored as a number), and remarks."""
    book = xlsxwriter.Workbook(str(path))
    owners = book.add_worksheet("业主")
    owners.merge_range(0, 0, 0, 3, "2023年业主名单")
    owners.write_row(1, 0, ["姓名", "手机", "身份证号", "金额"])
    owners.write_row(2, 0, ["张伟", "13812345678", ID_1, 12.5])
    owners.write_string(3, 0, "李娜")
    owners.write_number(3, 1, 13987654321)
    owners.write_string(3, 2, ID_2)
    owners.write_number(3, 3, 8)
    notes = book.add_worksheet("备注")
    notes.write_row(0, 0, ["编号", "内容"])
    notes.write_row(1, 0, ["A-1", "客户说他的手机是15012345678，明天再联系"])
    notes.write_row(2, 0, ["A-2", "今天天气不错"])
    book.close()
