"""Name + place matches the evidence leaves open (rule 5), on lists typed by hand.

A record that names no estate stands for the estate its list is about. When the list's people,
found again by their phone numbers on lists that do name estates, live in two or more estates,
the list covers several estates, and the same name at the same building, unit and room does not
show which of them the record is: a namesake in the same-numbered flat of another estate is just
as likely. Such a match is not merged; it is reported, with the figure it would give if it were.
The persons below were worked out by reading the rows.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from leaktrace.detect import classify_columns
from leaktrace.normalize import Linker, LinkRules, link, link_keys, records


def recs(header: list[str], *rows: list[str | None]) -> pl.DataFrame:
    frame = pl.DataFrame(
        [dict(zip(header, row, strict=True)) for row in rows],
        schema={h: pl.String for h in header},
        orient="row",
    )
    return records(frame, classify_columns(list(frame.columns), frame), places=True, parts=False)


ADDRESSES = ["姓名", "手机号", "地址"]
LEADS = ["姓名", "手机号", "房号"]


def linked(*lists: pl.DataFrame) -> tuple[list[int], dict[str, int]]:
    """Each record's person (0, 1, … in order of appearance) with each list its own, and the
    open matches as ``count --json`` reports them."""
    rules = LinkRules()
    linker = Linker(rules)
    for i, frame in enumerate(lists):
        texts = {k: frame.get_column(k) for k in rules.identifiers}
        linker.add(link_keys(frame, rules), texts, i)
    out = linker.finish()
    seen: dict[int, int] = {}
    person = [seen.setdefault(p, len(seen)) for p in out.person.to_list()]
    return person, out.to_json()["ambiguous_name_place"] | {"persons": out.persons}


def test_a_list_of_several_estates_proves_no_name_and_room_match() -> None:
    addresses = recs(
        ADDRESSES,
        ["王芳", "13811110001", "杭州市西湖区金都花园3幢2单元1201室"],
        ["李强", "13811110002", "杭州市西湖区严州新城1幢1单元101室"],
        ["张伟", "13811110003", "杭州市西湖区金都花园5幢1单元502室"],
    )
    leads = recs(
        LEADS,
        ["李强", "13811110002", "1-1-101"],  # 李强 of 严州新城, by his phone
        ["张伟", "13811110003", "5-1-502"],  # 张伟 of 金都花园, by his phone
        ["王芳", "13922220000", "3-2-1201"],  # another phone: 金都花园's 王芳, or a namesake?
    )
    person, open_ = linked(addresses, leads)
    # the leads cover two estates: their 王芳 at 3-2-1201 could live in either
    assert person == [0, 1, 2, 1, 2, 3]
    assert open_ == {"places": 1, "records": 1, "persons_if_merged": 3, "persons": 4}


def test_a_list_whose_people_live_in_one_estate_is_taken_as_that_estates() -> None:
    addresses = recs(
        ADDRESSES,
        ["王芳", "13811110001", "杭州市西湖区金都花园3幢2单元1201室"],
        ["张伟", "13811110003", "杭州市西湖区金都花园5幢1单元502室"],
    )
    leads = recs(
        LEADS,
        ["张伟", "13811110003", "5-1-502"],
        ["王芳", "13922220000", "3-2-1201"],
    )
    person, open_ = linked(addresses, leads)
    assert person == [0, 1, 1, 0]
    assert open_ == {"places": 0, "records": 0, "persons_if_merged": 2, "persons": 2}


def test_two_estates_with_the_name_and_room_leave_a_record_without_estate_open() -> None:
    register = recs(["业主", "房号"], ["周平", "3幢2单元1201室"])  # estate only in the title
    leads = recs(["姓名", "地址"], ["周平", "建德市新安江街道金都花园3幢2单元1201室"])
    other = recs(["姓名", "地址"], ["周平", "建德市新安江街道严州新城3幢2单元1201室"])
    person, open_ = linked(register, leads, other)
    assert person == [0, 1, 2]
    # which estate's 周平 the register means is not shown: no lower figure either
    assert open_ == {"places": 1, "records": 1, "persons_if_merged": 3, "persons": 3}


def test_records_already_one_person_leave_nothing_open() -> None:
    addresses = recs(
        ADDRESSES,
        ["李强", "13811110002", "杭州市西湖区严州新城1幢1单元101室"],
        ["张伟", "13811110003", "杭州市西湖区金都花园5幢1单元502室"],
    )
    leads = recs(LEADS, ["李强", "13811110002", "1-1-101"], ["张伟", "13811110003", "5-1-502"])
    person, open_ = linked(addresses, leads)
    assert person == [0, 1, 0, 1]
    assert open_["records"] == 0


def test_link_on_one_frame_takes_it_as_one_list() -> None:
    both = pl.concat(
        [
            recs(ADDRESSES, ["王芳", "13811110001", "杭州市西湖区金都花园3幢2单元1201室"]),
            recs(LEADS, ["王芳", "13922220000", "3-2-1201"]),
        ],
        how="diagonal_relaxed",
    )
    assert link(both).persons == 1
    assert np.array_equal(link(both).person.to_numpy(), np.array([0, 0]))
