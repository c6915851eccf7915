"""Properties every assessment keeps, whatever the numbers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.law import Facts, Policy, assess, load_policy

LEVELS = ("none", "serious", "especially_serious")
POLICY: Policy = load_policy()

counts = st.integers(min_value=0, max_value=120_000)
yuan = st.integers(min_value=0, max_value=120_000)


def _level(role: str, sensitive: int, important: int, ordinary: int, gains: int) -> int:
    facts = Facts(
        role=role,
        items={"sensitive": sensitive, "important": important, "ordinary": ordinary},
        illegal_gains_yuan=gains,
    )
    return LEVELS.index(assess(facts, POLICY).level)


@settings(max_examples=200, deadline=None)
@given(counts, counts, counts, yuan, st.sampled_from(["sensitive", "important", "ordinary"]))
def test_more_items_never_lower_the_level(
    sensitive: int, important: int, ordinary: int, gains: int, tier: str
) -> None:
    base = {"sensitive": sensitive, "important": important, "ordinary": ordinary}
    more = {**base, tier: base[tier] + 1}
    for role in ("outsider", "insider"):
        assert _level(role, **more, gains=gains) >= _level(role, **base, gains=gains)


@settings(max_examples=200, deadline=None)
@given(counts, counts, counts, yuan)
def test_an_insider_is_never_assessed_more_leniently_than_an_outsider(
    sensitive: int, important: int, ordinary: int, gains: int
) -> None:
    insider = _level("insider", sensitive, important, ordinary, gains)
    assert insider >= _level("outsider", sensitive, important, ordinary, gains)


@settings(max_examples=200, deadline=None)
@given(counts, counts, counts, yuan)
def test_every_level_above_none_rests_on_a_ground_of_that_level(
    sensitive: int, important: int, ordinary: int, gains: int
) -> None:
    finding = assess(
        Facts(
            role="insider",
            items={"sensitive": sensitive, "important": important, "ordinary": ordinary},
            illegal_gains_yuan=gains,
        ),
        POLICY,
    )
    assert finding.level == max(
        (g.level for g in finding.grounds), key=LEVELS.index, default="none"
    )
    for ground in finding.grounds:
        assert ground.provision and ground.text and ground.why
