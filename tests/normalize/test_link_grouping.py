"""The linker's hand-written grouping and union-find, held to libraries on generated data.

``_group_parts`` (each record's first record with the same hash, over batches, 0 = absent) is
held to a Polars group-by; the persons of a batch-by-batch :class:`Linker` without ID numbers
to networkx's connected components; the eight-byte record numbers (used past 2³¹ records)
to the four-byte ones on the same records, field for field; and link columns written to disk
(:class:`HashStore` past its bound) to the same columns held in memory.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import polars as pl
import pytest

from leaktrace.count import count
from leaktrace.normalize import HashStore, Linker, LinkRules
from leaktrace.normalize import _link as link_module
from leaktrace.normalize._link import _group_parts
from leaktrace.synth import write_linked_lists


def batches(values: np.ndarray, rng: np.random.Generator) -> list[np.ndarray | int]:
    """``values`` cut at random places; some cuts with no value at all given as their height."""
    cuts = np.sort(rng.choice(np.arange(1, values.size), size=12, replace=False))
    out: list[np.ndarray | int] = []
    for part in np.split(values, cuts):
        out.append(part.size if not part.any() else part)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_first_records_agree_with_a_polars_group_by(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300_000
    # hashes spread over 64 bits, most values repeated, a quarter absent, one run all absent
    pool = rng.integers(1, 2**64 - 1, size=120_000, dtype=np.uint64)
    values = pool[rng.integers(0, pool.size, size=n)]
    values[rng.random(n) < 0.25] = 0
    values[1000:1500] = 0
    frame = pl.DataFrame({"v": values, "row": np.arange(n, dtype=np.int64)})
    expected = (
        frame.select(pl.when(pl.col("v") != 0).then(pl.col("row").min().over("v")).otherwise(-1))
        .to_series()
        .to_numpy()
    )
    parts = batches(values.copy(), rng)
    first, (rows, hashes) = _group_parts(parts, n, values=True)
    assert first is not None
    assert first.dtype == np.int32
    assert np.array_equal(first, expected)
    distinct = frame.filter(pl.col("v") != 0).group_by("v").agg(pl.col("row").min()).sort("row")
    assert np.array_equal(rows, distinct.get_column("row").to_numpy())
    assert np.array_equal(hashes, distinct.get_column("v").to_numpy())


def test_a_column_no_record_has_is_none() -> None:
    first, _ = _group_parts([5, np.zeros(3, dtype=np.uint64), 2], 10)
    assert first is None


def random_keys(n: int, seed: int, *, ids: bool) -> list[pl.DataFrame]:
    """Link keys in batches: few distinct values so that chains form across batches."""
    rng = np.random.default_rng(seed)

    def column(distinct: int, absent: float) -> pl.Series:
        values = rng.integers(1, distinct + 1, size=n).astype(np.uint64)
        return pl.Series(values).zip_with(
            pl.Series(rng.random(n) >= absent), pl.Series([None] * n, dtype=pl.UInt64)
        )

    frame = pl.DataFrame(
        {
            "cn_id": column(n // 3, 0.6 if ids else 1.0),
            "mobile": column(n // 2, 0.5),
            "email": column(n, 0.5),
            "_name": column(n // 20, 0.1),
            "name_place": column(n // 4, 0.7),
            "_estate": column(5, 0.5),
        }
    )
    cuts = [0, n // 7, n // 3, n // 2, n]
    return [frame.slice(a, b - a) for a, b in itertools.pairwise(cuts)]


def test_persons_without_id_numbers_are_networkx_components() -> None:
    n = 40_000
    parts = random_keys(n, 5, ids=False)
    rules = LinkRules(("mobile", "email"), name_place=False)
    linker = Linker(rules)
    for part in parts:
        linker.add(part)
    person = linker.finish().person.to_numpy()
    frame = pl.concat(parts)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    for kind in ("mobile", "email"):
        for row, value in enumerate(frame.get_column(kind).to_list()):
            if value is not None:
                graph.add_edge(row, (kind, value))
    expected = np.zeros(n, dtype=np.int64)
    for comp in nx.connected_components(graph):
        members = [m for m in comp if isinstance(m, int)]
        expected[members] = min(members)
    assert np.array_equal(person, expected)


def linkage_of(
    parts: list[pl.DataFrame], exclude: np.ndarray | None, workdir: Path | None = None
) -> tuple[Any, ...]:
    linker = Linker(LinkRules(("cn_id", "mobile", "email")), workdir)
    for k, part in enumerate(parts):
        linker.add(part, lists=k)
    out = linker.finish(exclude=exclude)
    return (
        out.person.to_list(),
        out.to_json(),
        out.ambiguous.lists.tolist(),
    )


@pytest.mark.parametrize("seed", [7, 8])
def test_eight_byte_record_numbers_give_the_same_linkage(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = random_keys(30_000, seed, ids=True)
    exclude = np.zeros(30_000, dtype=np.bool_)
    exclude[5000:6000] = True
    narrow = [linkage_of(parts, None), linkage_of(parts, exclude)]
    # conflicts, shared values and open name + place matches all occur in these records
    assert narrow[0][1]["conflicts"] > 0
    assert narrow[0][1]["ambiguous_name_place"]["places"] > 0
    monkeypatch.setattr(link_module, "_index_type", lambda n: np.int64)
    wide = [linkage_of(parts, None), linkage_of(parts, exclude)]
    assert wide == narrow


@pytest.mark.parametrize("seed", [7, 8])
def test_link_columns_written_to_disk_give_the_same_linkage(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = random_keys(30_000, seed, ids=True)
    exclude = np.zeros(30_000, dtype=np.bool_)
    exclude[5000:6000] = True
    held = [linkage_of(parts, None), linkage_of(parts, exclude)]
    monkeypatch.setattr(HashStore, "HOLD", 5_000)  # a few batches' values, then to disk
    written: list[Path] = []
    real = HashStore._spill

    def spill(self: HashStore) -> None:
        real(self)
        assert self._dir is not None
        written.append(self._dir)

    monkeypatch.setattr(HashStore, "_spill", spill)
    spilled = [
        linkage_of(parts, None, workdir=tmp_path),
        linkage_of(parts, exclude, workdir=tmp_path),
    ]
    assert spilled == held
    assert written and all(d.parent == tmp_path for d in written)
    assert not any(tmp_path.iterdir())  # each linker removed its folder when it finished


def test_a_count_whose_link_columns_go_to_disk_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    truth = json.loads(write_linked_lists(tmp_path, seed=5, flats=300).read_text())
    folder = tmp_path / truth["evidence_dir"]
    held = count([folder]).to_json()
    monkeypatch.setattr(HashStore, "HOLD", 200)
    spills: list[int] = []
    real = HashStore._spill

    def spill(self: HashStore) -> None:
        spills.append(1)
        real(self)

    monkeypatch.setattr(HashStore, "_spill", spill)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))  # where the folders go
    spilled = count([folder]).to_json()
    assert spilled == held
    assert spilled["persons"] == truth["linked_persons"]
    assert len(spills) > 2
    assert not any(work.iterdir())
