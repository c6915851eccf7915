"""Linked counts against the generator's truth (``leaktrace.synth.write_linked_lists``).

Five lists of one estate hold the same people under different identifiers (a register with the
estate only in its title, couples giving one family phone, namesakes in other rooms, mobile
alone, ID beside e-mail, e-mail beside mobile). The truth counts, from the generator's own person
ids with networkx, how many persons the linking rules can prove (``linked_persons``): the count
must give exactly that, and no person it finds may hold two true people.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from leaktrace.count import count
from leaktrace.detect import classify_columns
from leaktrace.ingest import Failure, walk
from leaktrace.normalize import link, records
from leaktrace.synth import write_linked_lists


@pytest.mark.parametrize(("seed", "flats"), [(5, 300), (7, 400), (11, 200)])
def test_the_linked_count_is_the_number_of_persons_the_rules_prove(
    tmp_path: Path, seed: int, flats: int
) -> None:
    truth = json.loads(write_linked_lists(tmp_path, seed=seed, flats=flats).read_text())
    data = count([tmp_path / truth["evidence_dir"]]).to_json()
    assert data["records_read"] == data["records"]["valid"] == truth["records"]
    assert data["persons"] == sum(data["items"].values()) == truth["linked_persons"]
    assert truth["persons"] < data["persons"] < sum(data["linkage"]["items_unlinked"].values())
    assert (
        data["linkage"]["shared_identifiers"]["count"] == truth["traps"]["couples_sharing_a_phone"]
    )


def test_no_person_found_holds_two_true_people(tmp_path: Path) -> None:
    truth = json.loads(write_linked_lists(tmp_path, seed=5, flats=300).read_text())
    rows = pl.read_csv(tmp_path / "truth" / "rows.csv")
    frames = []
    for ev in walk([tmp_path / truth["evidence_dir"]]):
        assert not isinstance(ev, Failure)
        for table in ev.tables:
            batch = pl.concat(list(table.batches()))
            recs = records(batch, classify_columns(list(batch.columns), batch))
            frames.append(recs.with_columns(file=pl.lit(Path(ev.path).name)))
    found = pl.concat(frames, how="diagonal_relaxed").with_columns(pl.col("row").cast(pl.Int64))
    found = found.join(rows.with_columns(pl.col("row").cast(pl.Int64)), on=["file", "row"])
    assert found.height == truth["records"]
    found = found.with_columns(person=link(found).person)
    per_person = found.group_by("person").agg(pl.col("person_id").n_unique())
    assert per_person.get_column("person_id").max() == 1
