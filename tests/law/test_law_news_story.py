"""The three people in the 2018 Hangzhou news story, as worked examples (docs/assess.md).

The facts files are in ``examples/``; docs/assess.md shows the command output for each.
"""

from __future__ import annotations

from pathlib import Path

from leaktrace.law import Facts, Finding, Policy, assess, load_facts

EXAMPLES = Path(__file__).parent / "examples"


def _assess(name: str, policy: Policy) -> Finding:
    return assess(load_facts(EXAMPLES / name), policy)


def _ids(finding: Finding) -> list[str]:
    return [g.id for g in finding.grounds]


def test_salesperson_selling_home_owner_lists_is_serious_and_punished_more_heavily(
    policy: Policy,
) -> None:
    """郑某, an estate salesperson (insider), sold 2,000+ owner records for 20,000+ yuan."""
    finding = _assess("salesperson.json", policy)
    assert (finding.route, finding.level) == ("art5", "serious")
    assert _ids(finding) == ["art5.1.4", "art5.1.7", "art5.1.8"]
    assert finding.grounds[0].why == "重要信息 2,000 条 ÷ 500 条 = 4 ≥ 1"
    assert finding.sentence.heavier_for_insider
    assert (finding.fine.min_yuan, finding.fine.max_yuan) == (20000, 100000)
    assert any("2,000 条 ÷ 2,500 条（500 × 0.5 × 10" in n for n in finding.notes)


def test_salesperson_with_owner_lists_as_ordinary_is_serious_by_gains_alone(
    policy: Policy,
) -> None:
    finding = _assess("salesperson-owners-as-ordinary.json", policy)
    assert (finding.route, finding.level) == ("art5", "serious")
    assert _ids(finding) == ["art5.1.7", "art5.1.8"]
    assert "2,000 条" not in " ".join(g.why for g in finding.grounds)
    assert any(
        "第（五）项标准的一半：普通信息 2,000 条 ÷ 2,500 条（5,000 × 0.5，内部人员减半） = 0.8 < 1"
        in n
        for n in finding.notes
    )
    assert any("数量 → 未达情节严重标准，违法所得 → 情节严重" in n for n in finding.notes)


def test_decoration_employee_who_bought_home_owner_lists_is_judged_under_article_5(
    policy: Policy,
) -> None:
    """施某 bought 800+ households' details for 5,000 yuan and earned 600,000+ yuan."""
    finding = _assess("decoration-employee.toml", policy)
    assert (finding.route, finding.level, _ids(finding)) == ("art5", "serious", ["art5.1.4"])
    assert finding.grounds[0].why == "重要信息 800 条 ÷ 500 条 = 1.6 ≥ 1"
    assert any("按第五条评价" in n for n in finding.notes)


def test_decoration_employee_with_owner_lists_as_ordinary_is_serious_under_article_6(
    policy: Policy,
) -> None:
    finding = _assess("decoration-employee-owners-as-ordinary.toml", policy)
    assert (finding.route, finding.level, _ids(finding)) == ("art6", "serious", ["art6.1.1"])
    assert finding.grounds[0].why == ("利用所购信息获利 600,000 元 ÷ 50,000 元 = 12 ≥ 1")
    assert finding.sentence.max_years == 3
    assert "《解释》第六条没有情节特别严重档：依第六条最高认定为情节严重。" in finding.notes


def test_agency_owner_with_only_a_prior_criminal_detention_is_not_a_repeat_offender(
    policy: Policy,
) -> None:
    """童某 had been criminally detained (刑事拘留) in 2016: a coercive measure, not a penalty."""
    finding = _assess("agency-owner.json", policy)
    assert (finding.level, finding.grounds) == ("none", [])
    assert any("刑事拘留是强制措施，不是刑事处罚" in n for n in finding.notes)
    assert any("事实中没有条数，也没有违法所得" in n for n in finding.notes)


def test_agency_owner_with_an_admin_penalty_within_two_years_would_be_serious(
    policy: Policy,
) -> None:
    facts = load_facts(EXAMPLES / "agency-owner.json").to_json()
    facts["prior_admin_penalty_date"] = "2017-03-01"
    finding = assess(Facts.from_mapping(facts), policy)
    assert (finding.level, _ids(finding)) == ("serious", ["art5.1.9"])
