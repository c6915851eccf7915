"""Shared helpers for the law tests: the default policy and a one-call assessment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leaktrace.law import Facts, Finding, Policy, assess, load_policy

DEFAULT_POLICY_TEXT = (
    Path(__file__).parents[2] / "src" / "leaktrace" / "law" / "policy.toml"
).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def policy_text() -> str:
    """The text of the built-in policy file."""
    return DEFAULT_POLICY_TEXT


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture
def find(policy: Policy) -> Callable[..., Finding]:
    """``find(role="insider", items={"ordinary": 2500})`` -> its finding, default policy."""

    def run(**facts: Any) -> Finding:
        return assess(Facts.from_mapping(facts), policy)

    return run


@pytest.fixture
def write_policy(tmp_path: Path) -> Callable[..., Path]:
    """Write the default policy with ``old`` replaced by ``new`` (each must occur once)."""

    def write(*replacements: tuple[str, str], name: str = "policy.toml") -> Path:
        text = DEFAULT_POLICY_TEXT
        for old, new in replacements:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
