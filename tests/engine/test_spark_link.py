"""Person linkage on the Spark engine: the local engine's persons, items and linkage figures.

Two oracles the Spark code did not make: the generator's truth (``synth.write_linked_lists``:
how many persons the rules can prove, from its own person ids) and lists typed by hand with the
persons worked out by reading the rows. On both, the Spark JSON must also be the local engine's,
field for field (persons, items per tier and category, per file, overlaps, ``linkage``).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.engine import get_engine
from leaktrace.synth import write_linked_lists

runner = CliRunner()

# Valid ID numbers (check digits worked out by hand from GB 11643).
A = "110105194912310046"
B = "11010519491231002X"
C = "110105198001010016"
D = "330182199001011236"
D15 = "330182900101123"  # D's 15-digit first-generation form
E = "110105194912310054"

TRAPS = {
    "业主名单.csv": f"""业主姓名,身份证号,联系电话,房号
王芳,{A},13811112222,3-2-1201
李强,{B},13933334444,3-2-1202
赵丽,{C},13933334444,3-2-1202
陈刚,{D},13755556666,5-1-301
""",
    "装修意向客户.csv": """客户姓名,手机,房号
王芳,13600007777,3幢2单元1201室
赵丽,139-3333-4444,
钱多多,13933334444,
刘洋,13500001111,1-1-101
刘洋,13500002222,2-1-101
""",
    "客户导出.csv": """姓名,手机号码,邮箱
陈刚,+86 137 5555 6666,chengang@example.com
孙伟,13212345678,
孙伟,132-1234-5678,
""",
    "旧系统会员.csv": f"""姓名,身份证号,积分
陈刚,{D15},1200
""",
    "快递地址.csv": """收件人,收件地址,电话
周平,建德市新安江街道金都花园5幢1单元601室,0571-88886666
吴敏,建德市新安江街道金都花园6幢2单元702室,0571-88887777
吴敏,建德市新安江街道严州新城6幢2单元702室,0571-88885555
""",
    "物业登记.csv": f"""业主,房号,身份证号
周平,5幢1单元601室,{E}
吴敏,6幢2单元702室,
""",
}
"""Read by hand, 18 records of 12 persons:

* 王芳: register (ID, room 3-2-1201) and a lead (name + the same room): one person.
* 李强 and 赵丽, a couple: their own IDs and one phone. 赵丽's lead with that phone is hers;
  钱多多's lead with it is neither's and stays apart (the phone is a shared identifier, one
  conflict).
* 陈刚: register (ID, phone), a customer record (the phone written +86 …, e-mail) and the old
  system's 15-digit form of his ID: one person.
* 刘洋 twice in the leads, rooms 1-1-101 and 2-1-101: two people.
* 孙伟: the same phone written two ways: one person.
* 周平: the property register (ID, room, no estate: it is in the title) and a parcel address in
  金都花园 with that room: one person (the estate is unknown on one side).
* 吴敏: the same room number in two estates' parcel addresses (two people) and once in the
  property register without an estate, which could be either: three people.

Merged: by ID 1 (陈刚's old ID), by mobile 3 (赵丽, 陈刚, 孙伟), by name + room 2 (王芳, 周平).
"""


@pytest.fixture(scope="module")
def traps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("traps") / "evidence"
    folder.mkdir()
    for name, text in TRAPS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _same(spark_engine: Any, paths: list[Path], **options: Any) -> dict[str, Any]:
    """The Spark engine's count JSON, asserted equal to the local engine's."""
    local = get_engine().count(paths, **options).to_json()
    spark = spark_engine.count(paths, **options).to_json()
    assert spark == local
    return spark


def test_hand_typed_traps_give_the_persons_counted_by_hand(spark_engine: Any, traps: Path) -> None:
    data = _same(spark_engine, [traps], kind="home_owner_list")
    assert data["persons"] == 12
    assert sum(data["items"].values()) == 12
    linkage = data["linkage"]
    assert linkage["records"] == 18
    assert linkage["merged_by"] == {"cn_id": 1, "mobile": 3, "name_place": 2}
    assert linkage["conflicts"] == 1
    shared = linkage["shared_identifiers"]
    assert shared["count"] == 1
    assert shared["examples"] == ["mobile 139****4444"]
    assert shared["records_kept_apart"] == 1


def test_hand_typed_traps_once_per_category(spark_engine: Any, traps: Path) -> None:
    data = _same(spark_engine, [traps], link="category")
    assert data["persons"] == 12
    assert data["linkage"]["rule"] == "category"


@pytest.mark.parametrize(
    ("seed", "flats", "rule"), [(5, 200, "person"), (7, 150, "category"), (11, 200, "person")]
)
def test_generated_lists_give_the_truths_persons_on_spark(
    spark_engine: Any, tmp_path: Path, seed: int, flats: int, rule: str
) -> None:
    truth = json.loads(write_linked_lists(tmp_path, seed=seed, flats=flats).read_text())
    data = _same(spark_engine, [tmp_path / truth["evidence_dir"]], link=rule)
    assert data["persons"] == truth["linked_persons"]
    if rule == "person":
        assert sum(data["items"].values()) == truth["linked_persons"]
    shared = data["linkage"]["shared_identifiers"]
    assert shared["count"] == truth["traps"]["couples_sharing_a_phone"]


def test_a_seized_folder_of_every_format_links_as_locally(
    spark_engine: Any, evidence: Path
) -> None:
    data = _same(spark_engine, [evidence])
    assert data["persons"] is not None
    assert data["persons"] < sum(data["linkage"]["items_unlinked"].values())


def test_a_file_failing_part_way_takes_no_part_in_linkage(
    spark_engine: Any, traps: Path, tmp_path: Path
) -> None:
    rows = ["姓名,手机号"] + [f"张三{i},138{i:08d}" for i in range(20_000)]
    rows[1] = "王芳,13811112222"  # would link to the register's 王芳, but the file fails
    data = "\n".join(rows).encode()
    cut = len(data) * 2 // 3
    with zipfile.ZipFile(tmp_path / "打包.zip", "w") as archive:
        archive.writestr("名单.csv", data[:cut] + b"\xff\xfe" + data[cut:])
    shutil.copytree(traps, tmp_path / "lists")
    linked = _same(spark_engine, [tmp_path], kind="home_owner_list")
    assert [e["path"] for e in linked["errors"]] == [f"{tmp_path / '打包.zip'}!/名单.csv"]
    assert linked["persons"] == 12
    assert linked["linkage"]["records"] == 18


def test_cli_count_engine_spark_links_as_the_local_engine(spark_engine: Any, traps: Path) -> None:
    local = runner.invoke(app, ["count", str(traps), "--json"])
    spark = runner.invoke(app, ["count", str(traps), "--json", "--engine", "spark"])
    assert local.exit_code == spark.exit_code == 0, spark.output
    assert json.loads(spark.output) == json.loads(local.output)
    human = runner.invoke(app, ["count", str(traps), "--engine", "spark"])
    assert human.exit_code == 0, human.output
    assert "按人合并后" in human.output


def test_a_list_of_several_estates_leaves_its_name_and_room_matches_open_on_spark(
    spark_engine: Any, tmp_path: Path
) -> None:
    """Rule 5 asks which estates a whole list leads to; on Spark its records sit in different
    parts (and partitions), so the lists' estates are summed over every partition first. The
    leads list below reaches 严州新城 (李强) and 金都花园 (张伟) by phone, so its 王芳 at 3-2-1201
    is not proven to be 金都花园's 王芳: 6 records, 4 persons, 1 record left open (3 persons if
    it were merged)."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "业主地址.csv").write_text(
        "姓名,手机号,地址\n"
        "王芳,13811110001,杭州市西湖区金都花园3幢2单元1201室\n"
        "李强,13811110002,杭州市西湖区严州新城1幢1单元101室\n"
        "张伟,13811110003,杭州市西湖区金都花园5幢1单元502室\n",
        encoding="utf-8",
    )
    (folder / "装修意向.csv").write_text(
        "姓名,手机号,房号\n李强,13811110002,1-1-101\n张伟,13811110003,5-1-502\n"
        "王芳,13922220000,3-2-1201\n",
        encoding="utf-8",
    )
    data = _same(spark_engine, [folder], kind="home_owner_list")
    linkage = data["linkage"]
    assert (linkage["records"], linkage["persons"]) == (6, 4)
    assert linkage["ambiguous_name_place"] == {"places": 1, "records": 1, "persons_if_merged": 3}


def test_a_list_of_one_estate_keeps_its_name_and_room_in_that_estate_on_spark(
    spark_engine: Any, tmp_path: Path
) -> None:
    """A list that names no estate stands for the one its records lead to: the register below
    reaches 锦绣花园 through 李秀英's phone, so its 张伟 at 3-1-101 is not the 张伟 at 3-1-101 of
    金都花园 in the agency's list. On Spark the list's estate is summed over every partition
    first, as local sees it: 4 records, 3 persons."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "业主.csv").write_text(
        "锦绣花园二期业主信息表\n姓名,房号,电话\n"
        "张伟,3-1-101,13905761234\n李秀英,3-1-102,15858123456\n",
        encoding="utf-8",
    )
    (folder / "中介.csv").write_text(
        "小区,房号,姓名,电话\n金都花园,3-1-101,张伟,\n锦绣花园,3-1-102,李秀英,15858123456\n",
        encoding="utf-8",
    )
    data = _same(spark_engine, [folder])
    assert (data["linkage"]["records"], data["linkage"]["persons"]) == (4, 3)
    assert data["linkage"]["merged_by"] == {"mobile": 1}
