"""Owner registers that put building, unit and room in columns of their own (楼号 | 单元 | 房号),
counted against a decoration company's leads that give only name and room: the count a careful
person gives, who reads 3幢 · 2单元 · 501 as one home."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import xlsxwriter

from leaktrace.count import count

LEADS = (
    "锦绣花园 装修意向 整理 12.3\n"
    "李秀英 1-1-302\n"
    "陈美华 2-3-601\n"
    "张伟 8-2-1501  不在家 下周联系\n"
    "孙志强 10-1-201 13758123456 新客户\n"
)
"""李秀英, 陈美华 and the second 张伟 are owners of the register; 孙志强 is not."""

OWNERS = [
    ("王建国", "13905761234", "3", "2", "501"),
    ("李秀英", "15858123456", "1", "1", "302"),
    ("陈美华", "18967012345", "2", "3", "601"),
    ("张伟", "13606581122", "7", "1", "801"),
    ("张伟", "13906583344", "8", "2", "1501"),
]
"""Two owners named 张伟, in different homes: a name alone links nothing."""

LAYOUTS = {
    "worded": (("楼号", "单元", "房号"), lambda b, u, r: (f"{b}幢", f"{u}单元", r)),
    "bare": (("楼栋", "单元", "室号"), lambda b, u, r: (b, u, r)),
    "mixed": (("栋号", "单元号", "房间号"), lambda b, u, r: (f"{b}栋", u, f"{r}室")),
}


def _register(path: Path, layout: str) -> None:
    headers, spell = LAYOUTS[layout]
    rows: list[list[str]] = [["锦绣花园二期业主信息表（2023年12月）"], []]
    rows.append(["序号", "业主姓名", "联系电话", *headers])
    for i, (name, mobile, b, u, r) in enumerate(OWNERS, 1):
        rows.append([str(i), name, mobile, *spell(b, u, r)])
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_room_columns_join_into_one_home(tmp_path: Path, layout: str) -> None:
    _register(tmp_path / "业主名单.csv", layout)
    (tmp_path / "装修客户.txt").write_text(LEADS, encoding="utf-8")
    data = count([tmp_path]).to_json()
    # 5 owners + 孙志强; the three leads that name an owner's home are that owner
    assert data["persons"] == 6
    assert data["linkage"]["records"] == 9
    assert data["linkage"]["merged_by"] == {"name_place": 3}
    assert data["linkage"]["conflicts"] == 0


def test_a_register_with_one_room_column_is_read_as_before(tmp_path: Path) -> None:
    rows = [["业主姓名", "联系电话", "房号"]]
    rows += [[n, m, f"{b}-{u}-{r}"] for n, m, b, u, r in OWNERS]
    with (tmp_path / "业主.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    (tmp_path / "装修客户.txt").write_text(LEADS, encoding="utf-8")
    assert count([tmp_path]).to_json()["persons"] == 6


def test_a_hand_typed_list_in_any_field_order_links_to_the_register(tmp_path: Path) -> None:
    # the same five owners' leads typed as people type them: the room first on one line, a
    # label glued to the phone, a two-character name spaced to line up, a phone in groups
    _register(tmp_path / "业主名单.csv", "bare")
    (tmp_path / "跟进.txt").write_text(
        "3幢2单元501 王建国 已量房\n"
        "李秀英 1-1-302 电话15858123456\n"
        "张 伟  8-2-1501  139 0658 3344\n"
        "张伟 7-1-801 下周联系\n"
        "周红梅 4-1-401 18900001111\n",
        encoding="utf-8",
    )
    data = count([tmp_path]).to_json()
    # 5 owners and 周红梅, who is no owner of the register
    assert data["persons"] == 6
    assert data["linkage"]["records"] == 10


def test_an_estate_with_its_room_in_dashes_is_an_address(tmp_path: Path) -> None:
    # 锦绣花园3-2-501 is how many registers write a home; the leads spell it out
    (tmp_path / "业主.csv").write_text(
        "姓名,电话,地址\n"
        "王建国,13905761234,锦绣花园3-2-501\n"
        "李秀英,15858123456,杭州市建德市锦绣花园1幢1单元302室\n",
        encoding="utf-8",
    )
    (tmp_path / "客户.csv").write_text(
        "客户,房屋地址\n王建国,锦绣花园 3幢2单元501室\n李秀英,锦绣花园1-1-302\n",
        encoding="utf-8",
    )
    data = count([tmp_path]).to_json()
    assert data["persons"] == 2
    assert data["linkage"]["merged_by"] == {"name_place": 2}


def test_an_estate_column_keeps_namesakes_of_two_estates_apart(tmp_path: Path) -> None:
    # an agency's lists name each row's estate in a column of its own: 张伟 at 3-1-101 of
    # 锦绣花园 and 张伟 at 3-1-101 of 金都花园 are two people; 李秀英 is one
    (tmp_path / "a.csv").write_text(
        "小区,楼栋,单元,房号,姓名,电话\n"
        "锦绣花园,3,1,101,张伟,13905761234\n"
        "锦绣花园,3,1,102,李秀英,15858123456\n",
        encoding="utf-8",
    )
    (tmp_path / "b.csv").write_text(
        "小区名称,房号,姓名\n金都花园,3-1-101,张伟\n锦绣花园,3-1-102,李秀英\n",
        encoding="utf-8",
    )
    data = count([tmp_path]).to_json()
    assert data["persons"] == 3
    assert data["linkage"]["merged_by"] == {"name_place": 1}


def test_a_register_naming_no_estate_stands_for_the_one_it_leads_to(tmp_path: Path) -> None:
    # the register names its estate only in its title; 李秀英's phone leads it to 锦绣花园, so
    # its 张伟 at 3-1-101 is not the agency's 张伟 at 3-1-101 of 金都花园
    (tmp_path / "业主.csv").write_text(
        "锦绣花园二期业主信息表\n姓名,房号,电话\n"
        "张伟,3-1-101,13905761234\n李秀英,3-1-102,15858123456\n",
        encoding="utf-8",
    )
    (tmp_path / "中介.csv").write_text(
        "小区,房号,姓名,电话\n金都花园,3-1-101,张伟,\n锦绣花园,3-1-102,李秀英,15858123456\n",
        encoding="utf-8",
    )
    data = count([tmp_path]).to_json()
    assert data["persons"] == 3
    assert data["linkage"]["merged_by"] == {"mobile": 1}


def test_a_register_kept_one_sheet_a_building_links_by_name_and_room(tmp_path: Path) -> None:
    # sheets 3幢 and 5幢 list their homes by unit and room; two owners named 王建国 live at
    # 1-101 of each building, and the leads name both homes in full
    book = xlsxwriter.Workbook(str(tmp_path / "业主.xlsx"))
    sheets = {
        "3幢": [
            ("1单元", "101", "王建国", "13905761234"),
            ("1单元", "102", "李秀英", "15858123456"),
        ],
        "5幢": [("1单元", "101", "王建国", "13606581122")],
    }
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, ["单元", "房号", "姓名", "电话"])
        for i, row in enumerate(rows, 1):
            sheet.write_row(i, 0, row)
    book.close()
    (tmp_path / "装修.csv").write_text(
        "姓名,房号\n王建国,3-1-101\n李秀英,3-1-102\n王建国,5-1-101\n", encoding="utf-8"
    )
    data = count([tmp_path]).to_json()
    assert data["persons"] == 3
    assert data["linkage"]["merged_by"] == {"name_place": 3}
