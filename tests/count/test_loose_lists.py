"""Counting text lists typed by hand in loose layouts: the count a careful person gives."""

from __future__ import annotations

from pathlib import Path

from leaktrace.count import count

LISTS = {
    # three people, full-width commas and 、, one phone typed in groups with +86
    "通讯录.txt": (
        "张三，+86 138 1234 5678，浙江省杭州市西湖区文三路100号\n"
        "李四、13912345678、浙江省杭州市上城区解放路8号\n"
        "王五，13712345678，浙江省宁波市海曙区中山西路1号\n"
    ),
    # key:value lines: 张三 again (same phone, a duplicate), 赵六 with a broken segment (untrue)
    "客户.txt": (
        "姓名:张三 电话:138-1234-5678\n"
        "电话：12012345678 姓名：赵六\n"
        "姓名:孙七 电话:13612345678 地址:浙江省温州市鹿城区人民路5号\n"
    ),
    # blocks, one key a line: 周八 and 吴九
    "资料.txt": (
        "姓名：周八\n手机：13512345678\n\n"
        "姓名：吴九\n手机：15012345678\n地址：浙江省湖州市吴兴区红旗路2号\n"
    ),
}
"""张三, 李四, 王五, 孙七, 周八, 吴九: six people; 张三 twice; 赵六's number was never issued."""


def test_loose_lists_count_as_a_careful_person_would(tmp_path: Path) -> None:
    for name, text in LISTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    data = count([tmp_path]).to_json()
    assert sum(data["items"].values()) == 6
    assert data["records"]["valid"] == 7
    assert data["records"]["invalid"] == 1
    assert data["excluded"]["duplicate"] == 1
    per_file = {Path(f["path"]).name: f["records"]["valid"] for f in data["files"]}
    assert per_file == {"通讯录.txt": 3, "客户.txt": 2, "资料.txt": 2}
