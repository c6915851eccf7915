"""A small world for tracing: one holder's owner list, a registry, twenty marked exports.

Built once per session (marking twenty exports takes a few seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from leaktrace.mark import Exporter, Registry
from leaktrace.synth.leak import owners, write_table

N_OWNERS = 2_000
N_RECIPIENTS = 20


@dataclass
class World:
    root: Path
    master: Path
    registry: Registry
    exports: dict[str, Path]
    exporter: Exporter


def build_world(root: Path) -> World:
    master = write_table(owners(N_OWNERS, seed=11), root / "owners.csv")
    registry = Registry.create(str(root / "registry.db"))
    exporter = Exporter.open(master, registry)
    exports = {}
    for i in range(N_RECIPIENTS):
        name = f"销售{i:02d}"
        out = root / f"export-{i:02d}.csv"
        exporter.write(exporter.distribute(name, out_path=str(out)), out)
        exports[name] = out
    return World(root, master, registry, exports, exporter)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("trace-world"))
