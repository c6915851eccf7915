"""mark -> leak simulator -> trace, at small scale: the right recipient and nobody else."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from leaktrace.mark import Distribution
from leaktrace.synth.leak import SCENARIOS, LeakSpec, owners, simulate, write_table
from leaktrace.trace import trace

SINGLE = ["subset", "columns", "reformat", "gbk", "excel", "mask", "foreign", "all"]


def _leak(world: Any, names: list[str], spec: LeakSpec, tag: str, seed: int) -> Path:
    suffix = ".xlsx" if spec.suffix == ".xlsx" else ".csv"
    out = world.root / f"leak-{tag}{suffix}"
    return simulate([world.exports[n] for n in names], spec, out, seed=seed)


@pytest.mark.parametrize("scenario", SINGLE)
def test_single_leaker_is_accused_and_nobody_else(world: Any, scenario: str) -> None:
    leaker = "销售03"
    leaked = _leak(world, [leaker], SCENARIOS[scenario], scenario, seed=101)
    result = trace(leaked, world.registry)
    assert [s.recipient for s in result.accused] == [leaker]
    assert result.accused[0].p_value < 1e-6 / 20
    assert result.matched_rows >= 600


def test_single_leaker_is_accused_from_300_rows_after_everything(world: Any) -> None:
    leaked = _leak(world, ["销售07"], replace(SCENARIOS["all"], rows=300), "all300", seed=7)
    result = trace(leaked, world.registry)
    assert [s.recipient for s in result.accused] == ["销售07"]


@pytest.mark.parametrize("how", ["interleave", "majority", "intersection"])
def test_colluders_merging_lists_point_at_one_of_them_and_no_innocent(world: Any, how: str) -> None:
    colluders = ["销售01", "销售02", "销售05"]
    leaked = _leak(world, colluders, SCENARIOS[how], how, seed=202)
    result = trace(leaked, world.registry)
    accused = {s.recipient for s in result.accused}
    assert accused, "at least one colluder is accused"
    assert accused <= set(colluders)


def test_list_with_no_overlap_accuses_no_one_and_says_so(world: Any) -> None:
    other = write_table(owners(800, seed=999), world.root / "elsewhere.csv")
    result = trace(other, world.registry)
    assert result.matched_rows == 0
    assert result.accused == []
    assert any("no row matches" in note for note in result.notes)


def test_unmarked_master_itself_accuses_no_one(world: Any) -> None:
    result = trace(world.master, world.registry)
    assert result.matched_rows == 2_000
    assert result.accused == []


@pytest.mark.parametrize("seed", range(6))
def test_export_of_an_unregistered_recipient_accuses_no_one(world: Any, seed: int) -> None:
    # An export made with the same key for a recipient the registry does not know: its bits are
    # independent of every registered code, so no registered recipient may be accused.
    template = world.registry.distributions()[0]
    ghost = Distribution(
        id=-1,
        uid=f"{seed:032x}",
        recipient="ghost",
        master_id=template.master_id,
        status="released",
        out_path="",
        created_at=template.created_at,
        records=template.records,
        honey=template.honey,
    )
    frame = world.exporter.render(ghost)
    path = write_table(frame, world.root / f"ghost-{seed}.csv")
    leaked = simulate([path], SCENARIOS["subset"], world.root / f"ghost-leak-{seed}.csv", seed)
    result = trace(leaked, world.registry)
    assert result.accused == []
    assert result.code_length > 1_000
