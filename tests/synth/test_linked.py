"""The overlapping lists of one estate: the truth file says what was written, recounted here.

Every written identifier is brought back to its canonical form by hand (digits, +86, full-width
digits, a lowercase x, 15-digit old IDs) and compared with the person the truth names; persons
and per-list membership are recounted from the truth's own person ids; and the count the
evidence proves is recounted with a union-find written here, not the generator's networkx.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from leaktrace.synth import LINKED_SCHEMA, write_linked_lists
from leaktrace.synth.leak import read_export

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id18(text: str) -> str:
    v = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    if len(v) == 15:
        body = v[:6] + "19" + v[6:]
        return body + "10X98765432"[sum(int(a) * w for a, w in zip(body, _W, strict=True)) % 11]
    return v


def _mobile(text: str) -> str:
    digits = "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def _room(text: str) -> tuple[str, ...]:
    import re

    return tuple(str(int(n)) for n in re.findall(r"\d+", unicodedata.normalize("NFKC", text)))


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("linked")
    truth = write_linked_lists(out, seed=5, flats=300)
    return out, json.loads(truth.read_text("utf-8"))


def test_every_written_row_is_the_person_the_truth_names(case) -> None:
    out, truth = case
    rows = pl.read_csv(out / "truth" / "rows.csv")
    people = {
        r["person_id"]: r
        for r in pl.read_csv(out / "truth" / "people.csv", infer_schema=False).iter_rows(named=True)
    }
    assert truth["schema"] == LINKED_SCHEMA
    family = set(truth["shared_mobiles"])
    for spec in truth["lists"]:
        written = read_export(out / "evidence" / spec["path"])
        who = rows.filter(pl.col("file") == spec["path"]).sort("row")
        assert written.height == who.height == spec["rows"]
        for cells, pid in zip(written.iter_rows(named=True), who["person_id"], strict=True):
            person = people[str(pid)]
            for column, value in cells.items():
                if value is None:
                    continue
                if column in ("身份证号", "证件号码"):
                    assert _id18(value) == person["cn_id"]
                elif column in ("联系电话", "来电号码", "手机"):
                    # a wife gives the family phone in the register: her husband's mobile
                    assert _mobile(value) == person["mobile"] or _mobile(value) in family
                elif column in ("电子邮箱", "邮箱"):
                    assert value.lower() == person["email"]
                elif column == "姓名":
                    assert value.replace(" ", "") == person["name"]
                elif column == "房号":
                    assert _room(value) == (person["building"], person["unit"], person["room"])
                elif column == "小区":
                    assert value.strip() == truth["estate"] == person["community"]


def test_persons_and_membership_recount_from_the_person_ids(case) -> None:
    out, truth = case
    rows = pl.read_csv(out / "truth" / "rows.csv")
    assert truth["records"] == rows.height
    assert truth["persons"] == rows["person_id"].n_unique()
    for spec in truth["lists"]:
        mine = rows.filter(pl.col("file") == spec["path"])
        assert spec["persons"] == mine["person_id"].n_unique()
        assert spec["members"] == sorted(mine["person_id"].unique().to_list())
    in_two = rows.group_by("person_id").agg(pl.col("file").n_unique()).filter(pl.col("file") > 1)
    assert in_two.height > truth["persons"] // 2  # the lists overlap
    assert truth["persons"] < truth["records"]


def test_the_traps_are_in_the_lists(case) -> None:
    out, truth = case
    register = read_export(out / "evidence" / "业主名册.xlsx")
    assert "小区" not in register.columns and truth["traps"]["estate_only_in_title"]
    by_phone = register.with_columns(
        pl.col("联系电话").map_elements(_mobile, return_dtype=pl.String).alias("m"),
        pl.col("身份证号").map_elements(_id18, return_dtype=pl.String).alias("i"),
    )
    shared = by_phone.group_by("m").agg(pl.col("i").n_unique()).filter(pl.col("i") == 2)
    assert shared.height == truth["traps"]["couples_sharing_a_phone"] > 0
    decor = read_export(out / "evidence" / "装修客户.csv")
    namesakes = decor.group_by(pl.col("姓名").str.replace_all(" ", "")).agg(
        pl.col("房号").map_elements(lambda r: "-".join(_room(r)), return_dtype=pl.String).n_unique()
    )
    assert namesakes.filter(pl.col("房号") > 1).height > 0
    rows = pl.read_csv(out / "truth" / "rows.csv")
    ambiguous = rows.filter(pl.col("ambiguous"))
    assert ambiguous.height == truth["traps"]["family_phone_rows_without_name"] > 0
    assert set(ambiguous["file"]) == {"售楼处来电.csv"}  # a phone alone, with no name


def test_the_count_the_evidence_proves_recounts_with_a_union_find(case) -> None:
    out, truth = case
    rows = pl.read_csv(out / "truth" / "rows.csv").sort("file", "row")
    parent = list(range(rows.height))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    family = set(truth["shared_mobiles"])
    first: dict[tuple[str, ...], int] = {}
    node = 0
    for spec in sorted(truth["lists"], key=lambda s: s["path"]):
        written = read_export(out / "evidence" / spec["path"])
        for cells, pid in zip(
            written.iter_rows(named=True),
            rows.filter(pl.col("file") == spec["path"])["person_id"],
            strict=True,
        ):
            name = (cells.get("姓名") or "").replace(" ", "")
            keys: list[tuple[str, ...]] = []
            for column, value in cells.items():
                if value is None:
                    continue
                if column in ("身份证号", "证件号码"):
                    keys.append(("id", _id18(value)))
                elif column in ("电子邮箱", "邮箱"):
                    keys.append(("mail", value.lower()))
                elif column in ("联系电话", "来电号码", "手机"):
                    m = _mobile(value)
                    if m not in family:
                        keys.append(("mobile", m))
                    elif name:
                        keys.append(("mobile+name", m, name))
                    elif len(cells) - sum(v is None for v in cells.values()) == 1 or set(cells) == {
                        "来电号码",
                        "意向",
                        "来电日期",
                    }:
                        keys.append(("family phone alone", m))
                elif column == "房号" and name:
                    keys.append(("place", name, *_room(value)))
            for key in keys:
                alone = key[0] == "family phone alone"  # one item, whoever of the two it is
                owner = first.setdefault(key if alone else (str(pid), *key), node)
                parent[find(node)] = find(owner)
            node += 1
    components = len({find(i) for i in range(node)})
    assert components == truth["linked_persons"]
    assert truth["persons"] < truth["linked_persons"] < truth["records"]
