"""《解释》第五条: every item of ¶1 and ¶2, every boundary, and the arithmetic shown."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from leaktrace.law import Finding

Find = Callable[..., Finding]


def ids(finding: Finding) -> list[str]:
    return [g.id for g in finding.grounds]


def why(finding: Finding, ground_id: str) -> str:
    return next(g.why for g in finding.grounds if g.id == ground_id)


# --- ¶1 (1), (2): facts the investigator states ---------------------------------------------


def test_item_1_tracking_information_used_in_a_crime_is_serious(find: Find) -> None:
    finding = find(role="outsider", tracking_used_in_crime=True)
    assert (finding.level, ids(finding)) == ("serious", ["art5.1.1"])
    assert finding.grounds[0].provision == "《解释》第五条第一款第（一）项"
    assert finding.grounds[0].text == "出售或者提供行踪轨迹信息，被他人用于犯罪的；"


def test_item_2_selling_to_a_known_criminal_is_serious(find: Find) -> None:
    finding = find(role="outsider", knew_recipient_criminal=True)
    assert (finding.level, ids(finding)) == ("serious", ["art5.1.2"])


# --- ¶1 (3)-(5): the three quantity standards, "以上" including the number ------------------


@pytest.mark.parametrize(
    ("tier", "below", "at", "item"),
    [
        ("sensitive", 49, 50, "art5.1.3"),
        ("important", 499, 500, "art5.1.4"),
        ("ordinary", 4999, 5000, "art5.1.5"),
    ],
)
def test_items_3_to_5_are_met_at_the_standard_itself_and_not_one_below(
    find: Find, tier: str, below: int, at: int, item: str
) -> None:
    assert find(role="outsider", items={tier: below}).level == "none"
    finding = find(role="outsider", items={tier: at})
    assert (finding.level, ids(finding)) == ("serious", [item])
    assert "= 1 ≥ 1" in finding.grounds[0].why
    assert "“以上”包括本数，《刑法》第九十九条" in finding.grounds[0].why


def test_item_3_shows_its_arithmetic(find: Find) -> None:
    finding = find(role="outsider", items={"sensitive": 120})
    assert why(finding, "art5.1.3") == "敏感信息 120 条 ÷ 50 条 = 2.4 ≥ 1"


def test_a_test_that_falls_short_is_kept_as_a_note_with_its_arithmetic(find: Find) -> None:
    finding = find(role="outsider", items={"ordinary": 4999})
    assert finding.grounds == []
    assert (
        "未达 — 《解释》第五条第一款第（五）项：普通信息 4,999 条 ÷ 5,000 条 = 0.9998 < 1"
    ) in finding.notes


# --- ¶1 (6): the proportional combination ---------------------------------------------------


def test_item_6_combined_ratio_of_exactly_one_is_serious(find: Find) -> None:
    finding = find(role="outsider", items={"sensitive": 10, "important": 200, "ordinary": 2000})
    assert (finding.level, ids(finding)) == ("serious", ["art5.1.6"])
    assert why(finding, "art5.1.6") == (
        "敏感信息 10 ÷ 50 + 重要信息 200 ÷ 500 + 普通信息 2,000 ÷ 5,000 = "
        "0.2 + 0.4 + 0.4 = 1 ≥ 1（恰好达到：“以上”包括本数，《刑法》第九十九条）"
    )


def test_item_6_combined_ratio_just_below_one_is_not_serious(find: Find) -> None:
    finding = find(role="outsider", items={"sensitive": 25, "important": 249})
    assert finding.level == "none"
    assert any("0.5 + 0.498 = 0.998 < 1" in note for note in finding.notes)


def test_item_6_does_not_apply_when_one_standard_is_met_alone(find: Find) -> None:
    finding = find(role="outsider", items={"sensitive": 50, "important": 250})
    assert ids(finding) == ["art5.1.3"]


# --- ¶1 (7): illegal gains ------------------------------------------------------------------


def test_item_7_gains_of_5000_yuan_are_serious_and_4999_are_not(find: Find) -> None:
    assert find(role="outsider", illegal_gains_yuan=4999).level == "none"
    assert find(role="outsider", illegal_gains_yuan=4999.99).level == "none"
    finding = find(role="outsider", illegal_gains_yuan=5000)
    assert (finding.level, ids(finding)) == ("serious", ["art5.1.7"])


# --- ¶1 (8): insiders, half of every standard in (3)-(7) ------------------------------------


@pytest.mark.parametrize(
    ("items", "gains", "serious"),
    [
        ({"sensitive": 24}, 0, False),
        ({"sensitive": 25}, 0, True),
        ({"important": 249}, 0, False),
        ({"important": 250}, 0, True),
        ({"ordinary": 2499}, 0, False),
        ({"ordinary": 2500}, 0, True),
        ({}, 2499, False),
        ({}, 2500, True),
        ({"sensitive": 10, "important": 100, "ordinary": 1000}, 0, True),  # 0.2 × 3 = 0.6
        ({"sensitive": 10, "important": 100, "ordinary": 400}, 0, False),  # 0.2+0.2+0.08
    ],
)
def test_insider_threshold_is_half_of_ordinary(
    find: Find, items: dict[str, int], gains: int, serious: bool
) -> None:
    insider = find(role="insider", items=items, illegal_gains_yuan=gains)
    outsider = find(role="outsider", items=items, illegal_gains_yuan=gains)
    assert insider.level == ("serious" if serious else "none")
    assert ("art5.1.8" in ids(insider)) is serious
    assert outsider.level == "none"


def test_item_8_shows_the_insider_half_in_its_arithmetic(find: Find) -> None:
    finding = find(role="insider", items={"ordinary": 2500})
    assert why(finding, "art5.1.8") == (
        "第（五）项标准的一半：普通信息 2,500 条 ÷ 2,500 条（5,000 × 0.5，内部人员减半） = 1 ≥ 1"
        "（恰好达到：“以上”包括本数，《刑法》第九十九条）"
    )


def test_item_8_combined_ratio_for_insiders_is_one_half(find: Find) -> None:
    finding = find(role="insider", items={"sensitive": 10, "important": 100, "ordinary": 500})
    assert finding.level == "serious"
    assert "= 0.2 + 0.2 + 0.1 = 0.5 ≥ 0.5（1 × 0.5，内部人员减半）" in why(finding, "art5.1.8")


def test_insiders_are_punished_more_heavily(find: Find) -> None:
    finding = find(role="insider", items={"ordinary": 2500})
    assert finding.sentence.heavier_for_insider
    assert (
        finding.sentence.insider_rule == "《刑法》第二百五十三条之一第二款：依照前款的规定从重处罚"
    )
    assert any("从重处罚" in note for note in finding.notes)
    assert not find(role="outsider", items={"ordinary": 5000}).sentence.heavier_for_insider


# --- ¶1 (9): prior penalties ----------------------------------------------------------------


def test_item_9_a_prior_criminal_penalty_is_serious(find: Find) -> None:
    finding = find(role="outsider", prior_criminal_penalty=True)
    assert (finding.level, ids(finding)) == ("serious", ["art5.1.9"])


def test_item_9_criminal_detention_is_not_a_penalty(find: Find) -> None:
    finding = find(role="outsider", prior_criminal_detention=True)
    assert finding.level == "none"
    assert any("刑事拘留是强制措施，不是刑事处罚" in note for note in finding.notes)


@pytest.mark.parametrize(
    ("penalty", "counts"),
    [
        ("2016-05-31", True),  # exactly two years before: "二年内" includes the day
        ("2016-05-30", False),
        ("2018-05-31", True),
        ("2017-01-01", True),
    ],
)
def test_item_9_an_admin_penalty_counts_within_two_years_before_the_offence(
    find: Find, penalty: str, counts: bool
) -> None:
    finding = find(role="outsider", offence_date="2018-05-31", prior_admin_penalty_date=penalty)
    assert ("art5.1.9" in ids(finding)) is counts


def test_item_9_an_admin_penalty_outside_the_window_is_a_near_miss(find: Find) -> None:
    finding = find(
        role="outsider", offence_date="2018-05-31", prior_admin_penalty_date="2016-05-30"
    )
    assert any("2016-05-30 早于 offence_date 前2年" in note for note in finding.notes)


def test_item_9_without_an_offence_date_the_admin_penalty_is_not_counted_and_noted(
    find: Find,
) -> None:
    finding = find(role="outsider", prior_admin_penalty_date="2018-01-01")
    assert finding.level == "none"
    assert any("未给出 offence_date" in note for note in finding.notes)


def test_item_9_an_admin_penalty_after_the_offence_does_not_count(find: Find) -> None:
    finding = find(
        role="outsider", offence_date="2018-05-31", prior_admin_penalty_date="2018-06-01"
    )
    assert finding.level == "none"
    assert any("晚于 offence_date" in note for note in finding.notes)


def test_item_9_the_window_from_29_february_ends_on_28_february(find: Find) -> None:
    facts = {"role": "outsider", "offence_date": "2020-02-29"}
    assert find(**facts, prior_admin_penalty_date="2018-02-28").level == "serious"
    assert find(**facts, prior_admin_penalty_date="2018-02-27").level == "none"


def test_item_10_other_serious_circumstances_are_quoted_not_judged(find: Find) -> None:
    finding = find(role="outsider", other_serious_circumstances="向境外提供")
    assert (finding.level, ids(finding)) == ("serious", ["art5.1.10"])
    assert "向境外提供" in finding.grounds[0].why


# --- ¶2: especially serious -----------------------------------------------------------------


def test_paragraph_2_item_1_severe_harm_is_especially_serious(find: Find) -> None:
    finding = find(role="outsider", severe_harm=True)
    assert (finding.level, ids(finding)) == ("especially_serious", ["art5.2.1"])
    assert finding.sentence.text == "三年以上七年以下有期徒刑，并处罚金"
    assert (finding.sentence.min_years, finding.sentence.max_years) == (3, 7)


def test_paragraph_2_item_2_major_loss_or_impact_is_especially_serious(find: Find) -> None:
    finding = find(role="outsider", major_loss_or_impact=True)
    assert (finding.level, ids(finding)) == ("especially_serious", ["art5.2.2"])


@pytest.mark.parametrize(
    ("role", "items", "gains", "below", "at"),
    [
        ("outsider", "sensitive", 0, 499, 500),
        ("outsider", "important", 0, 4999, 5000),
        ("outsider", "ordinary", 0, 49999, 50000),
        ("insider", "sensitive", 0, 249, 250),
        ("insider", "important", 0, 2499, 2500),
        ("insider", "ordinary", 0, 24999, 25000),
        ("outsider", None, 1, 49999, 50000),
        ("insider", None, 1, 24999, 25000),
    ],
)
def test_paragraph_2_item_3_ten_times_any_standard_is_especially_serious(
    find: Find, role: str, items: str | None, gains: int, below: int, at: int
) -> None:
    def facts(n: int) -> dict[str, object]:
        if items is None:
            return {"role": role, "illegal_gains_yuan": n}
        return {"role": role, "items": {items: n}}

    short = find(**facts(below))
    assert short.level == "serious"
    assert any("《解释》第五条第二款第（三）项" in note for note in short.notes)
    reached = find(**facts(at))
    assert reached.level == "especially_serious"
    assert "art5.2.3" in ids(reached)


def test_paragraph_2_item_3_combined_ratio_of_ten(find: Find) -> None:
    finding = find(role="outsider", items={"sensitive": 250, "important": 2500})
    assert finding.level == "especially_serious"
    assert "= 5 + 5 = 10 ≥ 10（1 × 10，十倍）" in why(finding, "art5.2.3")
    assert find(role="outsider", items={"sensitive": 250, "important": 2499}).level == "serious"


def test_paragraph_2_item_3_combined_ratio_of_five_for_insiders(find: Find) -> None:
    items = {"sensitive": 125, "important": 1250}
    assert find(role="insider", items=items).level == "especially_serious"
    assert find(role="outsider", items=items).level == "serious"


def test_paragraph_2_item_3_shows_the_ten_times_arithmetic(find: Find) -> None:
    finding = find(role="insider", items={"ordinary": 25000})
    assert (
        "第（五）项标准的一半的十倍：普通信息 25,000 条 ÷ 25,000 条"
        "（5,000 × 0.5 × 10，内部人员减半、十倍） = 1 ≥ 1"
    ) in why(finding, "art5.2.3")


def test_paragraph_2_item_4_other_especially_serious_circumstances_are_quoted(
    find: Find,
) -> None:
    finding = find(role="outsider", other_especially_serious_circumstances="致多人被诈骗")
    assert (finding.level, ids(finding)) == ("especially_serious", ["art5.2.4"])


# --- quantity and gains: the heavier applies -------------------------------------------------


def test_the_heavier_of_quantity_and_gains_decides_the_level(find: Find) -> None:
    finding = find(role="outsider", items={"ordinary": 5000}, illegal_gains_yuan=50000)
    assert finding.level == "especially_serious"
    assert ids(finding) == ["art5.1.5", "art5.1.7", "art5.2.3"]
    assert any(
        "数量 → 情节严重，违法所得 → 情节特别严重" in note and "取其重" in note
        for note in finding.notes
    )


def test_gains_decide_when_the_quantity_falls_short(find: Find) -> None:
    finding = find(role="outsider", items={"ordinary": 3000}, illegal_gains_yuan=6000)
    assert (finding.level, ids(finding)) == ("serious", ["art5.1.7"])
    assert any("数量 → 未达情节严重标准，违法所得 → 情节严重" in n for n in finding.notes)


def test_nothing_met_is_level_none_with_no_penalty(find: Find) -> None:
    finding = find(role="outsider")
    assert (finding.level, finding.level_text, finding.grounds) == ("none", "未达情节严重标准", [])
    assert finding.sentence.max_years is None
    assert finding.fine.min_yuan is None


def test_an_offence_before_the_interpretation_took_effect_is_noted(find: Find) -> None:
    finding = find(role="outsider", items={"ordinary": 5000}, offence_date="2017-05-31")
    assert any("早于《解释》施行日 2017-06-01" in note for note in finding.notes)
    assert not any("施行日" in n for n in find(role="outsider", offence_date="2017-06-01").notes)
