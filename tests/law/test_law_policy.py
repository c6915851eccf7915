"""The policy file: every number cited, categories in their tiers, the mapping, bad policies."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leaktrace.errors import PolicyError
from leaktrace.law import Facts, Policy, assess, load_policy


def _cited_tables(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every table in the policy that holds a number or a category."""
    found = []
    if isinstance(node, dict):
        holds = any(
            isinstance(v, int | float) and not isinstance(v, bool) for v in node.values()
        ) or ("category" in node or "tier" in node)
        if holds:
            found.append((where, node))
        for key, value in node.items():
            found += _cited_tables(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _cited_tables(value, f"{where}[{i}]")
    return found


def test_every_number_and_category_in_the_default_policy_cites_provision_and_basis(
    policy_text: str,
) -> None:
    tables = _cited_tables(tomllib.loads(policy_text))
    assert len(tables) > 30
    for where, table in tables:
        assert table.get("provision"), where
        assert table.get("basis"), where


def test_default_policy_is_named_and_hashed(policy: Policy) -> None:
    assert policy.name == "leaktrace-default-2017"
    assert policy.path is not None
    assert policy.sha256 == hashlib.sha256(policy.path.read_bytes()).hexdigest()


def test_default_thresholds_are_those_of_article_5(policy: Policy) -> None:
    assert [policy.tier(t).threshold for t in ("sensitive", "important", "ordinary")] == [
        50,
        500,
        5000,
    ]
    standards = policy.standards
    assert standards.illegal_gains_yuan.value == 5000
    assert standards.insider_factor.value == 0.5
    assert standards.especially_serious_factor.value == 10
    assert standards.lawful_business_profit_yuan.value == 50000
    assert standards.admin_penalty_lookback_years.value == 2
    assert (policy.fine.min_multiple, policy.fine.max_multiple) == (1, 5)


def test_the_fifty_tier_holds_exactly_the_four_named_kinds(policy: Policy) -> None:
    sensitive = {c for c, cat in policy.categories.items() if cat.tier == "sensitive"}
    important = {c for c, cat in policy.categories.items() if cat.tier == "important"}
    assert sensitive == {"tracking", "communication_content", "credit", "property"}
    assert important == {"accommodation", "call_records", "health", "transaction", "other_safety"}
    assert policy.tier_of("ordinary") == "ordinary"


@pytest.mark.parametrize(
    ("types", "kind", "category", "rule", "bare_phone"),
    [
        ({"name", "mobile", "room"}, None, "other_safety", "home_owner_list", False),
        ({"mobile"}, None, "ordinary", "bare_phone", True),
        ({"landline"}, None, "ordinary", "bare_phone", True),
        ({"name", "mobile"}, None, "ordinary", "name_with_contact", False),
        ({"name", "cn_id"}, None, "ordinary", "name_with_identity_number", False),
        ({"gps", "plate"}, None, "tracking", "gps_with_person", False),
        ({"plate"}, "gps_track", "tracking", "gps_track", False),
        ({"name", "bank_card"}, None, "ordinary", "name_with_identity_number", False),
        ({"name", "bank_card"}, "bank_account", "property", "bank_account_with_balance", False),
        ({"name", "cn_id"}, "hotel_checkin", "accommodation", "hotel_checkin", False),
        ({"name", "cn_id"}, "travel_ticket", "transaction", "travel_ticket", False),
        ({"name", "mobile"}, "call_detail_records", "call_records", "call_detail_records", False),
        ({"mobile"}, "student_list", "ordinary", "student_list", False),
    ],
)
def test_category_of_maps_detected_types_and_kinds(
    policy: Policy,
    types: set[str],
    kind: str | None,
    category: str,
    rule: str,
    bare_phone: bool,
) -> None:
    match = policy.category_of(types, kind)
    assert match is not None
    assert (match.category, match.rule_id, match.bare_phone) == (category, rule, bare_phone)
    assert match.tier == policy.tier_of(category)


def test_category_of_lets_the_highest_tier_win(policy: Policy) -> None:
    match = policy.category_of({"name", "mobile", "room", "gps"})
    assert match is not None
    assert (match.tier, match.rule_id) == ("sensitive", "gps_with_person")


def test_a_phone_with_anything_else_is_not_a_bare_phone(policy: Policy) -> None:
    match = policy.category_of({"mobile", "birth_date"})
    assert match is not None
    assert (match.rule_id, match.bare_phone) == ("identifying_number", False)


def test_category_of_finds_nothing_for_data_that_identifies_no_one(policy: Policy) -> None:
    assert policy.category_of(set()) is None
    assert policy.category_of({"ip"}) is None
    assert policy.category_of({"uscc"}) is None


def test_category_of_rejects_an_undeclared_dataset_kind(policy: Policy) -> None:
    with pytest.raises(PolicyError, match="unknown dataset kind 'gps'"):
        policy.category_of({"gps"}, "gps")


def test_home_owner_lists_can_be_configured_as_ordinary(
    write_policy: Callable[..., Path],
) -> None:
    default = 'category = "other_safety" # configurable: set to "ordinary" to follow'
    path = write_policy(
        (
            f'id = "home_owner_list"\nall_of = ["name", "room"]\nany_of = ["mobile", "landline"]\n'
            f"{default}",
            'id = "home_owner_list"\nall_of = ["name", "room"]\nany_of = ["mobile", "landline"]\n'
            'category = "ordinary" # configurable: set to "ordinary" to follow',
        ),
        ('name = "leaktrace-default-2017"', 'name = "home-owners-ordinary"'),
    )
    policy = load_policy(path)
    match = policy.category_of({"name", "mobile", "room"})
    assert match is not None
    assert (match.category, match.tier) == ("ordinary", "ordinary")
    assert policy.name == "home-owners-ordinary"


def test_a_finding_names_the_policy_and_its_hash(write_policy: Callable[..., Path]) -> None:
    path = write_policy(('name = "leaktrace-default-2017"', 'name = "office-2026"'))
    finding = assess(Facts(role="outsider"), load_policy(path))
    assert finding.policy.name == "office-2026"
    assert finding.policy.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert finding.policy.path == str(path)


def test_a_changed_threshold_changes_the_assessment(write_policy: Callable[..., Path]) -> None:
    path = write_policy(("threshold = 5000 #", "threshold = 4000 #"))
    finding = assess(Facts(role="outsider", items={"ordinary": 4000}), load_policy(path))
    assert finding.level == "serious"


# --- bad policies: one line naming the file, the field and the reason ----------------------


def _error(path: Path) -> str:
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


def test_a_mapping_to_an_unknown_category_is_rejected(write_policy: Callable[..., Path]) -> None:
    path = write_policy(('category = "accommodation"', 'category = "lodging"'))
    message = _error(path)
    assert "mappings[6] (hotel_checkin).category" in message
    assert "unknown category 'lodging'" in message


@pytest.mark.parametrize("bad", ["0", "-50", '"abc"', "true", "nan"])
def test_a_threshold_that_is_not_a_positive_number_is_rejected(
    write_policy: Callable[..., Path], bad: str
) -> None:
    path = write_policy(("threshold = 50 #", f"threshold = {bad} #"))
    message = _error(path)
    assert "字段 field tiers.sensitive.threshold: 须为正数 must be a positive number" in message


def test_a_factor_that_is_not_a_positive_number_is_rejected(
    write_policy: Callable[..., Path],
) -> None:
    path = write_policy(("value = 0.5 #", "value = 0 #"))
    assert (
        "字段 field standards.insider_factor.value: 须为正数 must be a positive number"
        in _error(path)
    )


def test_an_unknown_field_in_a_policy_is_rejected(write_policy: Callable[..., Path]) -> None:
    path = write_policy(("threshold = 500 #", "treshold = 500 #"))
    message = _error(path)
    assert "字段 field tiers.important.treshold: 未知字段 unknown field" in message
    assert "字段 field tiers.important.threshold: 缺少必填字段 required field is missing" in message


def test_the_fifty_tier_cannot_be_extended(write_policy: Callable[..., Path]) -> None:
    path = write_policy(
        ('label = "住宿信息"\ntier = "important"', 'label = "住宿信息"\ntier = "sensitive"')
    )
    message = _error(path)
    assert "字段 field categories.accommodation.tier: 50 条档只限" in message


def test_a_category_in_an_unknown_tier_is_rejected(write_policy: Callable[..., Path]) -> None:
    path = write_policy(
        ('label = "住宿信息"\ntier = "important"', 'label = "住宿信息"\ntier = "vip"')
    )
    message = _error(path)
    assert (
        "字段 field categories.accommodation.tier: "
        "应为以下之一：'sensitive', 'important' 或 'ordinary' Input should be 'sensitive'"
        in message
    )
    assert "（实际为 got 'vip'）" in message


def test_a_mapping_naming_an_unknown_type_is_rejected(write_policy: Callable[..., Path]) -> None:
    path = write_policy(('all_of = ["name", "room"]', 'all_of = ["name", "flat"]'))
    assert "all_of: 未知类型 unknown type id 'flat'" in _error(path)


def test_a_policy_that_is_not_toml_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("name = [unclosed\n", encoding="utf-8")
    assert "not valid TOML" in _error(path)


def test_a_missing_policy_file_is_reported(tmp_path: Path) -> None:
    assert "cannot read policy file" in _error(tmp_path / "absent.toml")
