"""Counting with person linkage, on lists typed by hand the way real lists look.

One estate's owner register (ID numbers, rooms), a decoration company's leads (name, phone,
room), a customer export (name, phone, e-mail). The persons were worked out by reading the rows:

* 王芳: register (ID, room 3-2-1201) and leads (name + same room, another phone): one person.
* 李强 and 赵丽, a couple: register rows with their own IDs and one shared phone. A lead in 赵丽's
  name with that phone is hers; a lead in neither name with that phone stays apart.
* 陈刚: register (ID, phone) and customers (same phone, e-mail): one person.
* 刘洋 twice in the leads, rooms 1-1-101 and 2-1-101: two people.
* 孙伟: customers only, the same phone written two ways: one person.

So 8 persons: 王芳, 李强, 赵丽, 陈刚, the lead in neither name, two 刘洋, 孙伟. Without
linkage each record is keyed by its strongest identifier: register 4 (by
ID), leads 王芳's phone, the couple's phone (one key for the two leads beside it), 刘洋's two
phones, customers 陈刚's phone and 孙伟's phone: 4 + 4 + 2 = 10 keys, counted per category.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.count import assess_case, count, linkage_lines
from leaktrace.law import load_policy

runner = CliRunner()

REGISTER = """业主姓名,身份证号,联系电话,房号
王芳,110105194912310046,13811112222,3-2-1201
李强,11010519491231002X,13933334444,3-2-1202
赵丽,110105198001010016,13933334444,3-2-1202
陈刚,330182199001011236,13755556666,5-1-301
"""

LEADS = """客户姓名,手机,房号
王芳,13600007777,3幢2单元1201室
赵丽,139-3333-4444,
钱多多,13933334444,
刘洋,13500001111,1-1-101
刘洋,13500002222,2-1-101
"""

CUSTOMERS = """姓名,手机号码,邮箱
陈刚,+86 137 5555 6666,chengang@example.com
孙伟,13212345678,
孙伟,132-1234-5678,
"""


@pytest.fixture()
def lists(tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "业主名单.csv").write_text(REGISTER, encoding="utf-8")
    (folder / "装修意向客户.csv").write_text(LEADS, encoding="utf-8")
    (folder / "客户导出.csv").write_text(CUSTOMERS, encoding="utf-8")
    return folder


def test_linked_count_counts_each_person_once_at_their_highest_tier(lists: Path) -> None:
    data = count([lists], kind="home_owner_list").to_json()
    assert data["persons"] == 8
    assert sum(data["items"].values()) == 8
    linkage = data["linkage"]
    assert linkage["records"] == 12
    # 赵丽's lead, 陈刚's customer record and 孙伟's repeat by phone; 王芳's lead by name + room
    assert linkage["merged_by"] == {"mobile": 3, "name_place": 1}
    assert linkage["conflicts"] == 1
    assert linkage["shared_identifiers"]["count"] == 1
    assert linkage["shared_identifiers"]["examples"] == ["mobile 139****4444"]
    assert linkage["shared_identifiers"]["records_kept_apart"] == 1
    assert sum(linkage["items_unlinked"].values()) == 10
    conflict_line = linkage_lines(data)[1]
    assert "手机号 1 个" in conflict_line
    assert "例：手机号 139****4444" in conflict_line
    assert "mobile" not in conflict_line


def test_link_none_gives_the_count_by_strongest_identifier(lists: Path) -> None:
    data = count([lists], kind="home_owner_list", link="none").to_json()
    assert sum(data["items"].values()) == 10
    assert data["persons"] is None and data["linkage"] is None


def test_once_per_category_counts_a_person_in_each_category_they_appear_in(
    lists: Path,
) -> None:
    by_person = count([lists]).to_json()
    by_category = count([lists], link="category").to_json()
    assert by_person["persons"] == by_category["persons"] == 8
    # 王芳 and 陈刚 appear as owners (500 tier) and as plain contacts (5,000 tier): once more each
    assert sum(by_category["items"].values()) >= sum(by_person["items"].values())
    assert by_person["items"]["important"] == by_category["items"]["important"]


def test_the_human_output_says_both_figures_in_chinese(lists: Path) -> None:
    result = runner.invoke(app, ["count", str(lists), "--kind", "home_owner_list"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "按人合并后 8 条；未合并 10 条" in text
    assert "按手机号 3 条" in text and "按姓名+楼栋单元房号 1 条" in text
    assert "139****4444" in text and "13933334444" not in text


def test_a_bad_link_value_is_a_usage_error(lists: Path) -> None:
    result = runner.invoke(app, ["count", str(lists), "--link", "household"])
    assert result.exit_code == 2
    assert "--link must be one of person, category, none" in result.output


def test_a_policy_naming_an_unknown_identifier_is_one_line_and_exit_1(
    lists: Path, tmp_path: Path
) -> None:
    source = load_policy().path
    assert source is not None
    bad = tmp_path / "policy.toml"
    bad.write_text(
        source.read_text(encoding="utf-8").replace(
            'identifiers = ["cn_id", "mobile"', 'identifiers = ["cn_id", "fax", "mobile"'
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["count", str(lists), "--policy", str(bad)])
    assert result.exit_code == 1
    assert "unknown identifier 'fax' for linkage" in result.output
    assert "Traceback" not in result.output


def test_the_same_person_sold_to_three_buyers_still_counts_three_times(
    lists: Path, tmp_path: Path
) -> None:
    case = lists.parent
    (case / "case.toml").write_text(
        '[[parties]]\nname = "甲"\nrole = "outsider"\nobtained = ["evidence"]\n\n'
        + "".join(
            f'[[transfers]]\nseller = "甲"\nbuyer = "{b}"\nevidence = ["evidence"]\n\n'
            for b in ("乙", "丙", "丁")
        ),
        encoding="utf-8",
    )
    result = assess_case(case)
    counts = result.parties[0].counts
    assert sum(counts.obtained.values()) == 8
    assert {b: sum(c.values()) for b, c in counts.sold.items()} == {"乙": 8, "丙": 8, "丁": 8}
    assert sum(counts.by_category().values()) == 24


def test_json_output_carries_persons_and_linkage(lists: Path) -> None:
    result = runner.invoke(app, ["count", str(lists), "--json"])
    data = json.loads(result.stdout)
    assert set(data["linkage"]) == {
        "rule",
        "records",
        "persons",
        "merged_by",
        "conflicts",
        "shared_identifiers",
        "ambiguous_name_place",
        "items_unlinked",
    }
    assert data["persons"] == data["linkage"]["persons"] == 8
