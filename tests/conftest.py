"""Fixtures shared across packages: synthetic evidence built once per session from fixed seeds."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.browser import browser, browser_page

from leaktrace.synth import NoiseRates, noisy, residents, write_evidence_folder

__all__ = ["browser", "browser_page"]

POSTGRES_URL = os.environ.get("LEAKTRACE_TEST_POSTGRES_URL")
"""The PostgreSQL server CI starts (an admin URL); tests that need it skip without it."""


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh database on the test PostgreSQL server, dropped after the test."""
    assert POSTGRES_URL
    name = f"lt_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(POSTGRES_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


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
