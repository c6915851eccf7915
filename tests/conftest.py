"""Fixtures shared across packages: synthetic evidence built once per session from fixed seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.browser import browser, browser_page

from leaktrace.synth import NoiseRates, noisy, residents, write_evidence_folder

__all__ = ["browser", "browser_page"]


@pytest.fixture(scope="session")
def evidence_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A synthetic seized-evidence folder (seed 7, 600 residents per list) and its truth."""
    root = tmp_path_factory.mktemp("evidence_case")
    truth_path = write_evidence_folder(root, seed=7, rows=600)
    return root, json.loads(truth_path.read_text(encoding="utf-8"))


CLEAN = NoiseRates(variant=0.3, invalid=0.0, masked=0.0, typo=0.0, duplicate=0.0)

CASE = """
name = "业主信息案"

[[parties]]
name = "王某"
role = "insider"
obtained = ["evidence/owners.csv"]
[parties.facts]
illegal_gains_yuan = 18000

[[parties]]
name = "李某"
role = "outsider"

[[parties]]
name = "某装修公司"
role = "lawful_business_buyer"

[[transfers]]
seller = "王某"
buyer = "李某"
evidence = ["evidence/owners.csv"]
price_yuan = 6000
date = 2026-03-01

[[transfers]]
seller = "王某"
buyer = "某装修公司"
evidence = ["evidence/owners.csv"]
price_yuan = 6000

[[transfers]]
seller = "王某"
buyer = "赵某"
evidence = ["evidence/owners.csv"]
type = "provided"

[[transfers]]
seller = "李某"
buyer = "钱某"
evidence = ["evidence/owners.csv"]
price_yuan = 3000
"""


@pytest.fixture(scope="session")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seller who sold the same 2,000 home-owner records to three buyers, one of whom resold."""
    root = tmp_path_factory.mktemp("case")
    (root / "evidence").mkdir()
    owners = noisy(
        residents(2_000, seed=21),
        {"业主": "name", "手机": "mobile", "房号": "room"},
        21,
        rates=CLEAN,
    )
    owners.frame.write_csv(root / "evidence" / "owners.csv")
    (root / "case.toml").write_text(CASE, encoding="utf-8")
    return root
