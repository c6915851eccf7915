"""Fixtures for counting: one synthetic seized folder with its ground truth, built once."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest

from leaktrace.law import Policy, load_policy
from leaktrace.normalize import IDENTIFIERS
from leaktrace.synth import write_evidence_folder

_RANK = {"valid": 3, "invalid": 2, "masked": 1}
_STATUS = {3: "valid", 2: "invalid", 1: "masked", 0: "empty"}


@dataclass
class Expected:
    """What the count must find, worked out from the generator's per-cell truth."""

    items: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    countable: int = 0
    bare_phone: int = 0
    per_file: dict[str, set[tuple[str, str, int]]] = field(default_factory=dict)
    persons: Counter[str] = field(default_factory=Counter)
    """Items with linkage: one per true person, in the highest-tier category of their rows."""


def expected_counts(truth_path: Path, policy: Policy) -> Expected:
    """Apply the counting rule of docs/count.md to the truth, row by row, in plain Python.

    A row's status comes from its identifying cells (or the name, or any cell); a valid row's
    category from the policy and the types of its valid cells; its item is (category, the first
    valid identifier's type, the true person id), so repeats of one person collapse.
    """
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    base = truth_path.parent
    out = Expected()
    bare: dict[tuple[str, str, int], bool] = {}
    for file in truth["files"]:
        for table in file["tables"]:
            seen = out.per_file.setdefault(file["path"], set())
            types = {c: t for c, t in table["columns"].items() if t}
            if not types:
                out.records["empty"] += table["rows"]
                continue
            cells = pl.read_parquet(base / table["cells"])
            persons = pl.read_parquet(base / table["persons"]).get_column("person_id").to_list()
            for i, row in enumerate(cells.iter_rows(named=True)):
                best: dict[str, int] = {}
                for column, type_id in types.items():
                    rank = _RANK.get(row[column] or "", 0)
                    if rank:
                        best[type_id] = max(best.get(type_id, 0), rank)
                ids = [best[t] for t in IDENTIFIERS if t in best]
                rank = max(ids) if ids else best.get("name") or max(best.values(), default=0)
                status = _STATUS[rank]
                valid = {t for t, r in best.items() if r == 3}
                match = policy.category_of(valid) if status == "valid" else None
                if status == "valid" and match is None:
                    status = "unidentified"
                out.records[status] += 1
                if match is None:
                    continue
                key_type = next((t for t in IDENTIFIERS if t in valid), "name")
                item = (match.category, key_type, persons[i])
                out.countable += 1
                seen.add(item)
                bare[item] = bare.get(item, True) and match.bare_phone
    for category, _, _ in bare:
        out.items[category] += 1
    order = list(policy.categories)
    tiers = ("sensitive", "important", "ordinary")
    top: dict[int, str] = {}
    for category, _, person in bare:
        rank = (tiers.index(policy.tier_of(category)), order.index(category))
        held = top.get(person)
        if held is None or rank < (tiers.index(policy.tier_of(held)), order.index(held)):
            top[person] = category
    out.persons = Counter(top.values())
    out.bare_phone = sum(bare.values())
    return out


@pytest.fixture(scope="session")
def seized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seized folder (CSV, XLSX, XLS, TXT, JSON, SQL, nested ZIP, chat) of 400-row lists."""
    out = tmp_path_factory.mktemp("seized")
    write_evidence_folder(out, seed=7, rows=400)
    return out


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def truth(seized: Path, policy: Policy) -> Expected:
    return expected_counts(seized / "truth.json", policy)
