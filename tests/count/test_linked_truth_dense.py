"""Namesakes in same-numbered flats of many estates, against the generator's truth.

``synth.write_large_overlap`` writes four lists of people from many estates, a third of them in
two lists; one list (``part_2``) gives rooms without an estate. People there are drawn from a
few dozen estates with the same room numbers, so two people of one common name in flat 3-2-1201
of two estates are frequent. The truth is rebuilt from the generator's own blocks (each block's
people come from its seed, so the rows of every file carry their person in the same order).

Before rule 5 asked which estates a list covers, the name + room matches of ``part_2`` merged
such namesakes: counting fewer people than the lists hold. Now a match may only ever join what
the identifiers alone would have joined wrongly too (the generator's own identifier collisions),
and the matches left open are reported with the lower figure they would give.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from leaktrace.count import CountResult, count
from leaktrace.law import load_policy
from leaktrace.synth import write_large_overlap
from leaktrace.synth._large import _CHUNK, OVERLAP_SHARE, _chunk, _second_copy

ROWS, FILES, SEED = 120_000, 4, 3


def true_persons(rows: int, files: int, seed: int) -> np.ndarray:
    """Each written row's person, in the order count reads the files (generator's blocks)."""
    persons = round(rows / (1 + OVERLAP_SHARE))
    chunk = min(_CHUNK, max(1, -(-persons // (4 * files))))
    ids: list[list[np.ndarray]] = [[] for _ in range(files)]
    for block, start in enumerate(range(0, persons, chunk)):
        n = min(chunk, persons - start)
        people = _chunk(np.random.default_rng([seed, block]), n)
        people = people.with_columns(pid=pl.int_range(start, start + n))
        ids[block % files].append(people["pid"].to_numpy())
        again = _second_copy(people, np.random.default_rng([seed, block, 1]))
        ids[(block + 1) % files].append(again["pid"].to_numpy())
    return np.concatenate([np.concatenate(x) for x in ids])


def wrongly_merged(label: np.ndarray, truth: np.ndarray) -> int:
    """True people joined to another in the persons found."""
    frame = pl.DataFrame({"label": label, "pid": truth})
    per = frame.group_by("label").agg(pl.col("pid").n_unique().alias("k"))
    return int((per.get_column("k") - 1).sum())


def linked(folder: Path, policy_path: Path | None = None) -> CountResult:
    paths = [folder / f"part_{i}.csv" for i in range(FILES)]  # read in this order
    return count(paths, policy=load_policy(policy_path))


def test_name_and_room_never_join_two_true_people(tmp_path: Path) -> None:
    write_large_overlap(tmp_path / "lists", ROWS, FILES, SEED)
    truth = true_persons(ROWS, FILES, SEED)
    run = linked(tmp_path / "lists")
    assert run.linkage is not None
    label = run.linkage.person.to_numpy()
    assert label.size == truth.size

    source = load_policy().path
    assert source is not None
    off = tmp_path / "policy.toml"
    off.write_text(
        source.read_text(encoding="utf-8").replace("name_place = true", "name_place = false"),
        encoding="utf-8",
    )
    by_identifiers = linked(tmp_path / "lists", off)
    assert by_identifiers.linkage is not None
    baseline = wrongly_merged(by_identifiers.linkage.person.to_numpy(), truth)

    assert wrongly_merged(label, truth) == baseline
    # the open matches are reported, and taking them as one person would merge namesakes
    open_ = run.linkage.to_json()["ambiguous_name_place"]
    assert open_["records"] > 0
    assert open_["persons_if_merged"] < run.linkage.persons
    assert run.linkage.persons > np.unique(truth).size
