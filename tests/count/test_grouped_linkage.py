"""Small files counted in groups give, with person linkage on, exactly the figures they give one
by one: persons, items per tier, linkage figures and every per-file figure.

The files are typed by hand, a few rows each, named so that files with the same columns come one
after another (and so form groups):

* two owner registers (name, ID number, phone, room): the ID-holding rows;
* two name + room lists: 王芳 and 周敏 there are the owners of the same rooms (linked by name +
  place, which reads the registers' rows again), 吴昊 is in both lists with the same room;
* two lead lists (name, phone, room): 李强 by the register's phone, 陈刚 by his phone written
  another way, 郑洁 alone;
* three customer exports (name, phone, e-mail): 陈刚 again, 孙伟 twice with his phone written two
  ways, and one office list whose "phones" are landlines, which its group's classification
  would not bear out (so it is classified on its own).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.count import _count, count

FILES = {
    "a_业主_1.csv": "业主姓名,身份证号,联系电话,房号\n"
    "王芳,110105194912310046,13811112222,3-2-1201\n"
    "李强,11010519491231002X,13933334444,3-2-1202\n",
    "a_业主_2.csv": "业主姓名,身份证号,联系电话,房号\n"
    "陈刚,330182199001011236,13755556666,5-1-301\n"
    "周敏,310104198506121230,13788889999,6-1-502\n",
    "b_房号_1.csv": "客户姓名,房号\n王芳,3幢2单元1201室\n吴昊,7-1-101\n",
    "b_房号_2.csv": "客户姓名,房号\n周敏,6栋1单元502室\n吴昊,7-1-101\n",
    "c_意向_1.csv": "客户姓名,手机,房号\n李强,13933334444,\n郑洁,13600001111,8-2-202\n",
    "c_意向_2.csv": "客户姓名,手机,房号\n陈刚,137-5555-6666,5-1-301\n",
    "d_客户_1.csv": "姓名,手机号码,邮箱\n陈刚,+86 137 5555 6666,chengang@example.com\n"
    "孙伟,13212345678,\n",
    "d_客户_2.csv": "姓名,手机号码,邮箱\n孙伟,132-1234-5678,sunwei@example.com\n",
    "d_客户_3.csv": "姓名,手机号码,邮箱\n郑十,0571-87654321,\n钱一,0571-87654322,\n",
}


@pytest.fixture()
def lists(tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("link", ["person", "category"])
def test_grouped_small_files_link_exactly_as_files_counted_one_by_one(
    lists: Path, link: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    real = _count.group_records

    def spy(frames, *args):  # type: ignore[no-untyped-def]
        sizes.append(len(frames))
        return real(frames, *args)

    monkeypatch.setattr(_count, "group_records", spy)
    grouped = count([lists], kind="home_owner_list", link=link).to_json()  # type: ignore[arg-type]
    assert sorted(sizes) == [2, 2, 2, 3]  # the four groups of files with the same columns
    sizes.clear()
    alone = count([lists], kind="home_owner_list", link=link, group=False).to_json()  # type: ignore[arg-type]
    assert sizes == []
    assert grouped == alone
    # the figures themselves, worked out by reading the rows: 王芳, 李强, 陈刚, 周敏, 吴昊,
    # 郑洁, 孙伟, 郑十, 钱一
    assert grouped["persons"] == 9
    assert grouped["linkage"]["merged_by"]["name_place"] == 3  # 王芳, 周敏, 吴昊's second row
    assert len(grouped["files"]) == len(FILES)
    assert sum(f["records"]["valid"] for f in grouped["files"]) == 16


def test_grouping_and_linkage_give_the_same_figures_as_without_linkage_grouped(
    lists: Path,
) -> None:
    grouped = count([lists], kind="home_owner_list", link="none").to_json()
    alone = count([lists], kind="home_owner_list", link="none", group=False).to_json()
    assert grouped == alone
