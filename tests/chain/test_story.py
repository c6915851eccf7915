"""The story generator: a complete case whose per-party counts are the truth it writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.chain.conftest import as_counted

from leaktrace.count import count_case, load_case
from leaktrace.law import Policy
from leaktrace.synth import write_story_case


def test_story_case_counts_match_the_truth_per_party(
    story: tuple[Path, dict[str, Any]], story_policy: Policy
) -> None:
    root, truth = story
    counted = count_case(load_case(root), story_policy)
    for party in map(as_counted, truth["parties"]):
        counts = counted.parties[party["name"]]
        assert dict(counts.items(story_policy)) == party["items"], party["name"]
        assert sum(counts.obtained.values()) == party["obtained"], party["name"]


def test_story_mirrors_the_source_story(story: tuple[Path, dict[str, Any]]) -> None:
    _, truth = story
    parties = {p["name"]: p for p in truth["parties"]}
    seller = parties["陈某"]
    assert seller["legal_role"] == "insider"
    assert seller["gains_yuan"] >= 20_000
    sales = [t for t in truth["transfers"] if t["seller"] == "陈某"]
    assert len({t["buyer"] for t in sales}) == 3
    assert max(t["items"] for t in sales) > 1_900  # 2,000 rows less the untrue and masked
    assert truth["files"]["evidence/施某/东方郡业主.xls"]["people"] == truth["households"] >= 800
    assert [t["buyer"] for t in truth["transfers"] if t["inferred"]] == ["吴某"]


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = write_story_case(tmp_path / "a", seed=5, households=40).parent
    b = write_story_case(tmp_path / "b", seed=5, households=40).parent
    for path in sorted(a.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (b / path.relative_to(a)).read_bytes(), path
