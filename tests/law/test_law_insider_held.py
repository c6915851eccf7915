"""An insider's count is what they passed on (Art. 5 ¶1(8): "出售或者提供").

Holding what one obtained in performing one's duties is not illegal obtaining: an insider's
held-but-unsold items count only when the case says they were obtained illegally, and then
against the full standards of items (3)-(7), never the halved ones. The figures are the
issue's: an insider with access to 2,480 owners who sold 1,300 of them.
"""

from __future__ import annotations

from collections.abc import Callable

from leaktrace.law import Finding

Find = Callable[..., Finding]


def ids(finding: Finding) -> list[str]:
    return [g.id for g in finding.grounds]


def why(finding: Finding, ground_id: str) -> str:
    return next(g.why for g in finding.grounds if g.id == ground_id)


def test_an_insiders_held_items_do_not_count_when_held_in_performing_duties(find: Find) -> None:
    finding = find(role="insider", items={"important": 1300}, held_items={"important": 1180})
    assert finding.level == "serious"  # 1,300 ≥ 250 (500 × 0.5) but < 2,500 (500 × 0.5 × 10)
    assert "art5.2.3" not in ids(finding)
    assert "重要信息 1,300 条 ÷ 250 条" in why(finding, "art5.1.8")
    assert any("1,180 条不计入" in note for note in finding.notes)


def test_held_items_would_have_lifted_the_level_had_they_counted_under_the_halved_rule(
    find: Find,
) -> None:
    # counted the old way, 2,600 against the halved standards is especially serious
    old_way = find(role="insider", items={"important": 2600})
    assert old_way.level == "especially_serious"
    illegal = find(
        role="insider",
        items={"important": 1300},
        held_items={"important": 1300},
        held_obtained_illegally=True,
    )
    # 2,600 against the full standard (500, ten times 5,000): serious; the halved standards
    # see only the 1,300 passed on (< 2,500): not especially serious
    assert illegal.level == "serious"
    assert why(illegal, "art5.1.4") == (
        "重要信息（出售或者提供 1,300 条 + 非法获取而未出售 1,300 条） 2,600 条 ÷ 500 条 = 5.2 ≥ 1"
    )
    assert why(illegal, "art5.1.8").startswith(
        "第（四）项标准的一半：重要信息（出售或者提供的；"
        "非法获取而未出售的不适用减半标准） 1,300 条"
    )


def test_held_items_obtained_illegally_count_against_the_full_standards(find: Find) -> None:
    # nothing passed on: only the full standards apply, to what was obtained illegally
    finding = find(role="insider", held_items={"ordinary": 4000}, held_obtained_illegally=True)
    assert finding.level == "none"  # 4,000 < 5,000; the halved 2,500 does not apply to it
    finding = find(role="insider", held_items={"ordinary": 5000}, held_obtained_illegally=True)
    assert (finding.level, ids(finding)) == ("serious", ["art5.1.5"])
