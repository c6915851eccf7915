"""《解释》第六条 (lawful-business buyers), 第十条 (minor circumstances), 第十二条 (fines)."""

from __future__ import annotations

from collections.abc import Callable

from leaktrace.law import Finding

Find = Callable[..., Finding]


def ids(finding: Finding) -> list[str]:
    return [g.id for g in finding.grounds]


# --- Art. 6 ---------------------------------------------------------------------------------


def test_article_6_item_1_profit_of_50000_yuan_is_serious_and_49999_is_not(find: Find) -> None:
    buyer = {"role": "lawful_business_buyer", "items": {"ordinary": 800}}
    short = find(**buyer, business_profit_yuan=49999)
    assert (short.route, short.level) == ("art6", "none")
    assert any("49,999 元 ÷ 50,000 元 = 0.99998 < 1" in note for note in short.notes)
    finding = find(**buyer, business_profit_yuan=50000)
    assert (finding.route, finding.level, ids(finding)) == ("art6", "serious", ["art6.1.1"])
    assert finding.grounds[0].provision == "《解释》第六条第一款第（一）项"


def test_article_6_ignores_quantity(find: Find) -> None:
    finding = find(role="lawful_business_buyer", items={"ordinary": 60000})
    assert (finding.route, finding.level) == ("art6", "none")
    assert any("第六条不以数量入罪" in note for note in finding.notes)


def test_article_6_item_2_a_prior_penalty_is_serious(find: Find) -> None:
    finding = find(
        role="lawful_business_buyer",
        offence_date="2018-05-31",
        prior_admin_penalty_date="2017-05-31",
    )
    assert (finding.route, finding.level, ids(finding)) == ("art6", "serious", ["art6.1.2"])
    assert ids(find(role="lawful_business_buyer", prior_criminal_penalty=True)) == ["art6.1.2"]


def test_article_6_item_3_other_serious_circumstances_are_quoted(find: Find) -> None:
    finding = find(role="lawful_business_buyer", other_serious_circumstances="长期大量购买")
    assert ids(finding) == ["art6.1.3"]


def test_article_6_has_no_especially_serious_tier(find: Find) -> None:
    finding = find(
        role="lawful_business_buyer", business_profit_yuan=5_000_000, major_loss_or_impact=True
    )
    assert (finding.route, finding.level) == ("art6", "serious")
    assert any("第六条没有情节特别严重档" in note for note in finding.notes)


def test_article_6_paragraph_2_a_buyer_who_resells_is_judged_under_article_5(find: Find) -> None:
    finding = find(
        role="lawful_business_buyer",
        resold=True,
        items={"ordinary": 5000},
        business_profit_yuan=60000,
    )
    assert (finding.route, finding.level, ids(finding)) == ("art5", "serious", ["art5.1.5"])
    assert any(n.startswith("《解释》第六条第二款") for n in finding.notes)
    assert any("经营获利（business_profit_yuan）不作为" in n for n in finding.notes)


def test_a_buyer_of_important_information_is_judged_under_article_5(find: Find) -> None:
    finding = find(role="lawful_business_buyer", items={"important": 800, "ordinary": 10})
    assert (finding.route, finding.level, ids(finding)) == ("art5", "serious", ["art5.1.4"])
    assert any("本案购买了重要信息 800 条，按第五条评价" in n for n in finding.notes)


def test_a_buyer_is_not_an_insider(find: Find) -> None:
    finding = find(role="lawful_business_buyer", resold=True, items={"ordinary": 2500})
    assert finding.level == "none"


# --- Art. 10 --------------------------------------------------------------------------------


def test_article_10_a_first_offender_who_returned_everything_may_be_minor(find: Find) -> None:
    finding = find(role="outsider", items={"ordinary": 5000}, restitution_and_remorse=True)
    assert finding.level == "serious"
    assert any(
        n.startswith("《解释》第十条") and "可以认定为情节轻微，不起诉或者免予刑事处罚" in n
        for n in finding.notes
    )


def test_article_10_does_not_apply_to_especially_serious_or_repeat_offenders(find: Find) -> None:
    especially = find(role="outsider", items={"ordinary": 50000}, restitution_and_remorse=True)
    assert any("属于情节特别严重，不适用情节轻微" in n for n in especially.notes)
    repeat = find(role="outsider", prior_criminal_penalty=True, restitution_and_remorse=True)
    assert any("不是初犯" in n for n in repeat.notes)
    plain = find(role="outsider", items={"ordinary": 5000})
    assert not any(n.startswith("《解释》第十条") for n in plain.notes)


# --- Art. 12 --------------------------------------------------------------------------------


def test_article_12_the_fine_is_one_to_five_times_the_illegal_gains(find: Find) -> None:
    fine = find(role="outsider", illegal_gains_yuan=20000.5).fine
    assert fine.provision == "《解释》第十二条"
    assert (fine.min_multiple, fine.max_multiple) == (1, 5)
    assert (fine.min_yuan, fine.max_yuan) == (20000.5, 100002.5)
    assert fine.why.startswith("违法所得 20,000.5 元 × 1 至 5 倍 = 20,000.5 至 100,002.5 元")


def test_article_12_without_gains_the_fine_is_for_the_court(find: Find) -> None:
    fine = find(role="outsider", items={"ordinary": 5000}).fine
    assert (fine.min_yuan, fine.max_yuan) == (None, None)
    assert "由法院综合" in fine.why


def test_article_12_no_fine_below_the_threshold(find: Find) -> None:
    fine = find(role="outsider", illegal_gains_yuan=100).fine
    assert (fine.min_yuan, fine.max_yuan) == (None, None)
    assert fine.why == "未达情节严重标准，不判处罚金。"
