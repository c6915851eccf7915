"""Fixtures shared across packages: synthetic evidence built once per session from fixed seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leaktrace.synth import write_evidence_folder


@pytest.fixture(scope="session")
def evidence_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A synthetic seized-evidence folder (seed 7, 600 residents per list) and its truth."""
    root = tmp_path_factory.mktemp("evidence_case")
    truth_path = write_evidence_folder(root, seed=7, rows=600)
    return root, json.loads(truth_path.read_text(encoding="utf-8"))
