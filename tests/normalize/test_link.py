"""Person linkage on lists typed by hand, with the persons a careful person counts.

Every list below is typed the way real lists look (an owner register with ID numbers and room
numbers, a decoration company's leads with name, phone and room, a customer export); the
expected persons are worked out by reading the rows, not by running the code.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.detect import classify_columns
from leaktrace.errors import PolicyError
from leaktrace.law import load_policy
from leaktrace.normalize import Linker, LinkRules, link, records

# Valid ID numbers (check digits worked out by hand from GB 11643).
A = "110105194912310046"
B = "11010519491231002X"
C = "110105198001010016"
D = "330182199001011236"
A15 = "110105491231004"  # A's 15-digit first-generation form


def recs(header: list[str], *rows: list[str | None]) -> pl.DataFrame:
    """Records of one typed list (columns classified by header, as count does)."""
    frame = pl.DataFrame(
        [dict(zip(header, row, strict=True)) for row in rows],
        schema={h: pl.String for h in header},
        orient="row",
    )
    return records(frame, classify_columns(list(frame.columns), frame))


def persons(*lists: pl.DataFrame, policy: Any = None) -> list[int]:
    """Each record's person, numbered 0, 1, ... in order of first appearance."""
    linkage = link(pl.concat(lists, how="diagonal_relaxed"), policy)
    seen: dict[int, int] = {}
    return [seen.setdefault(p, len(seen)) for p in linkage.person.to_list()]


def test_id_and_mobile_in_one_list_mobile_only_in_another_is_one_person() -> None:
    register = recs(["姓名", "身份证号", "手机号"], ["张伟", A, "13812345678"])
    leads = recs(["客户", "电话"], ["张先生", "13812345678"])
    assert persons(register, leads) == [0, 0]


def test_id_in_the_register_and_name_and_room_in_the_leads_is_one_person() -> None:
    register = recs(
        ["业主姓名", "身份证号", "房号"], ["王芳", A, "3-2-1201"], ["李强", B, "3-2-1202"]
    )
    leads = recs(
        ["姓名", "地址"],
        ["王芳", "杭州市西湖区金都花园3幢2单元1201室"],
        ["李强", "杭州市西湖区金都花园3幢2单元1203室"],  # another room: another person
    )
    assert persons(register, leads) == [0, 1, 0, 2]


def test_a_couple_sharing_a_phone_are_two_people_and_a_third_record_goes_by_its_name() -> None:
    register = recs(
        ["姓名", "身份证号", "手机号"],
        ["张三", A, "13812345678"],
        ["李四", B, "13812345678"],
    )
    leads = recs(
        ["姓名", "手机"],
        ["张三", "138 1234 5678"],  # the husband's name: his
        ["王五", "13812345678"],  # neither name: apart
    )
    bare = recs(["手机号"], ["13812345678"], ["13812345678"])  # no name: apart, one item twice
    linkage = link(pl.concat([register, leads, bare], how="diagonal_relaxed"))
    # the bare phone rows could be either spouse or 王五: not shown to be 王五's duplicate
    assert persons(register, leads, bare) == [0, 1, 0, 2, 3, 3]
    assert linkage.persons == 4
    assert linkage.conflicts == 1
    assert linkage.shared == {"mobile": 1}
    assert linkage.examples == ["mobile 138****5678"]
    assert linkage.apart == 3


def test_two_different_id_numbers_are_two_people_whatever_else_they_share() -> None:
    rows = recs(
        ["姓名", "身份证号", "邮箱", "手机号"],
        ["陈静", A, "cj@example.com", None],
        ["陈静", B, None, "13912345678"],
        ["陈静", None, "cj@example.com", "13912345678"],  # bridges the two: a conflict
    )
    linkage = link(rows)
    ids = rows.get_column("cn_id").to_list()
    by_person: dict[int, set[str]] = {}
    for person, cn_id in zip(linkage.person.to_list(), ids, strict=True):
        if cn_id:
            by_person.setdefault(person, set()).add(cn_id)
    assert all(len(v) == 1 for v in by_person.values())
    assert linkage.persons == 3  # the bridge carries both persons' name: it stays apart
    assert linkage.conflicts == 1


def test_links_are_transitive_across_three_lists() -> None:
    one = recs(["姓名", "身份证号", "邮箱"], ["赵敏", C, "zm@163.com"])
    two = recs(["邮箱", "手机号"], ["ZM@163.com", "13700001111"])
    three = recs(["手机号"], ["13700001111"])
    assert persons(one, two, three) == [0, 0, 0]


def test_same_name_in_different_rooms_is_two_people_and_a_name_alone_never_links() -> None:
    rooms = recs(["姓名", "房号"], ["刘洋", "1-1-101"], ["刘洋", "2-1-101"])
    names = recs(["姓名", "手机号"], ["刘洋", "13600001111"], ["刘洋", "13600002222"])
    assert persons(rooms, names) == [0, 1, 2, 3]


def test_an_estate_missing_from_one_list_links_unless_two_estates_have_that_room() -> None:
    register = recs(["业主", "房号"], ["周平", "3幢2单元1201室"])  # the estate is in the title
    leads = recs(["姓名", "地址"], ["周平", "建德市新安江街道金都花园3幢2单元1201室"])
    assert persons(register, leads) == [0, 0]
    other = recs(["姓名", "地址"], ["周平", "建德市新安江街道严州新城3幢2单元1201室"])
    # the same name and room in two estates: the register's 周平 could be either
    assert persons(register, leads, other) == [0, 1, 2]


def test_the_15_digit_id_and_its_18_digit_form_are_one_person() -> None:
    old = recs(["姓名", "身份证号"], ["孙丽", A15])
    new = recs(["姓名", "公民身份号码"], ["孙丽", A])
    assert old.get_column("cn_id").to_list() == [A]
    assert persons(old, new) == [0, 0]


def test_written_forms_of_one_identifier_agree() -> None:
    rows = recs(
        ["手机号", "身份证号"],
        ["+86 138 1234 5678", None],
        ["138-1234-5678", None],
        ["１３８１２３４５６７８", None],
        [None, B.lower()],
        [None, "１１０１０５１９４９１２３１００２Ｘ"],
    )
    assert persons(rows) == [0, 0, 0, 1, 1]


def test_landlines_and_masked_values_do_not_link() -> None:
    rows = recs(
        ["姓名", "电话"],
        ["吴刚", "0571-88001234"],
        ["郑红", "0571-88001234"],  # a switchboard
    )
    masked = recs(["姓名", "手机号"], ["吴刚", "138****5678"], ["郑红", "138****5678"])
    assert persons(rows) == [0, 1]
    assert link(masked).persons == 0  # masked rows are not valid: no person at all


def test_a_policy_may_link_landlines() -> None:
    rows = recs(["姓名", "电话"], ["吴刚", "0571-88001234"], ["郑红", "0571-88001234"])
    rules = LinkRules((*LinkRules().identifiers, "landline"))
    assert persons(rows, policy=rules) == [0, 0]


def test_merged_by_says_how_many_records_each_rule_merged() -> None:
    register = recs(
        ["业主姓名", "身份证号", "手机号", "房号"], ["王芳", A, "13812345678", "3-2-1201"]
    )
    again = recs(["姓名", "身份证号"], ["王芳", A])
    leads = recs(["姓名", "电话"], ["王女士", "13812345678"])
    rooms = recs(["姓名", "房号"], ["王芳", "3-2-1201"])
    linkage = link(pl.concat([register, again, leads, rooms], how="diagonal_relaxed"))
    assert linkage.persons == 1
    assert linkage.merged_by == {"cn_id": 1, "mobile": 1, "name_place": 1}
    assert linkage.to_json()["records"] == 4


def test_an_unknown_identifier_in_the_policy_is_refused_in_one_line(tmp_path: Any) -> None:
    source = load_policy().path
    assert source is not None
    text = source.read_text(encoding="utf-8").replace(
        'identifiers = ["cn_id", "mobile"', 'identifiers = ["cn_id", "fax", "mobile"'
    )
    bad = tmp_path / "policy.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(
        PolicyError, match=r"linkage.identifiers\[1\]: 未知的合并标识 unknown identifier 'fax'"
    ):
        load_policy(bad)


# --- properties, and the components against networkx ----------------------------------------

KINDS = ("cn_id", "mobile", "email")


def keys_frame(rows: list[tuple[int | None, int | None, int | None, int | None]]) -> pl.DataFrame:
    """Link keys as :func:`link_keys` gives them, from small integer values (None: absent)."""
    cols: dict[str, list[int | None]] = {k: [r[i] for r in rows] for i, k in enumerate(KINDS)}
    return pl.DataFrame(
        {
            **{k: pl.Series(v, dtype=pl.UInt64) for k, v in cols.items()},
            "_name": pl.Series([r[3] for r in rows], dtype=pl.UInt64),
            "name_place": pl.Series([None] * len(rows), dtype=pl.UInt64),
            "_estate": pl.Series([None] * len(rows), dtype=pl.UInt64),
        }
    )


def linked(frame: pl.DataFrame, rules: LinkRules) -> np.ndarray:
    linker = Linker(rules)
    linker.add(frame)
    return linker.finish().person.to_numpy()


small = st.one_of(st.none(), st.integers(1, 6))
rows_strategy = st.lists(st.tuples(small, small, small, small), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(rows_strategy)
def test_linkage_never_puts_two_different_id_numbers_in_one_person(
    rows: list[tuple[int | None, ...]],
) -> None:
    frame = keys_frame(rows)  # type: ignore[arg-type]
    person = linked(frame, LinkRules(KINDS, name_place=False))
    ids: dict[int, set[int]] = {}
    for p, row in zip(person.tolist(), rows, strict=True):
        if row[0] is not None:
            ids.setdefault(p, set()).add(row[0])
    assert all(len(v) == 1 for v in ids.values())
    # each person's number is one of its records, the lowest
    for p in set(person.tolist()):
        assert p == min(i for i, q in enumerate(person.tolist()) if q == p)


def components(rows: list[tuple[int | None, ...]], kinds: range) -> list[int]:
    """Each record's connected component (lowest record number) by networkx."""
    graph = nx.Graph()
    graph.add_nodes_from(range(len(rows)))
    for i, row in enumerate(rows):
        for k in kinds:
            if row[k] is not None:
                graph.add_edge(i, ("v", k, row[k]))
    out = [0] * len(rows)
    for comp in nx.connected_components(graph):
        members = [n for n in comp if isinstance(n, int)]
        for n in members:
            out[n] = min(members)
    return out


@settings(max_examples=300, deadline=None)
@given(rows_strategy)
def test_without_id_numbers_persons_are_the_connected_components(
    rows: list[tuple[int | None, ...]],
) -> None:
    frame = keys_frame(rows)  # type: ignore[arg-type]
    person = linked(frame, LinkRules(("mobile", "email"), name_place=False))
    assert person.tolist() == components(rows, range(1, 3))


@settings(max_examples=200, deadline=None)
@given(rows_strategy)
def test_without_conflicts_persons_are_the_connected_components(
    rows: list[tuple[int | None, ...]],
) -> None:
    # give every ID number its own mobiles and e-mails, so no value sits beside two IDs
    fixed = [
        (
            cn,
            None if m is None else m + 10 * (cn or 0),
            None if e is None else e + 10 * (cn or 0),
            n,
        )
        for cn, m, e, n in rows
    ]
    per_comp = components(fixed, range(3))
    ids: dict[int, set[int]] = {}
    for comp, row in zip(per_comp, fixed, strict=True):
        if row[0] is not None:
            ids.setdefault(comp, set()).add(row[0])
    if any(len(v) > 1 for v in ids.values()):
        return  # ID-less records bridge two IDs: a conflict, covered above
    person = linked(keys_frame(fixed), LinkRules(KINDS, name_place=False))  # type: ignore[arg-type]
    assert person.tolist() == per_comp


def test_merged_by_adds_up_to_records_less_persons_on_random_lists() -> None:
    rng = np.random.default_rng(14)
    for _ in range(50):
        rows = [
            tuple(None if rng.random() < 0.4 else int(rng.integers(1, 8)) for _ in range(4))
            for _ in range(60)
        ]
        linker = Linker(LinkRules(KINDS, name_place=False))
        linker.add(keys_frame(rows))  # type: ignore[arg-type]
        out = linker.finish()
        assert sum(out.merged_by.values()) == out.records - out.persons
