"""The story case (leaktrace.synth.story), written once per session with its truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leaktrace.law import Policy, load_policy
from leaktrace.synth import write_story_case


@pytest.fixture(scope="session")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The story's case folder (seed 2017, 900 households) and its truth.json."""
    root = tmp_path_factory.mktemp("story")
    write_story_case(root)
    return root, json.loads((root / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def story_policy() -> Policy:
    return load_policy()


def as_counted(expected: dict[str, Any]) -> dict[str, Any]:
    """A party's truth as counted: an insider's items are what they passed on (Art. 5 ¶1(8)),
    so what they kept is taken out. Every story row is one 500-tier item (``other_safety``)."""
    if expected["legal_role"] != "insider" or not expected["kept"]:
        return expected
    assert set(expected["by_category"]) == {"other_safety"}
    out = dict(expected)
    out["items"] = {
        **expected["items"],
        "important": expected["items"]["important"] - expected["kept"],
    }
    out["by_category"] = {
        "other_safety": expected["by_category"]["other_safety"] - expected["kept"]
    }
    return out
