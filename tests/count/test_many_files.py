"""Many files: overlaps past 64 sources agree with a brute-force oracle, and a count of many
small lists typed by hand gives the overlaps and per-file figures a person would."""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.count import ITEM_SCHEMA, TOP_PAIRS, ItemSet, count, tally


def _items(seed: int, sources: int, rows: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "cat": rng.integers(0, 3, rows),
            "key": rng.integers(0, rows // 3, rows),
            "source": rng.integers(0, sources, rows),
            "bare": rng.random(rows) < 0.1,
        }
    ).cast(ITEM_SCHEMA)  # type: ignore[arg-type]


def _oracle(items: pl.DataFrame) -> tuple[Counter, Counter, Counter, Counter]:
    """Per pair, per (source, cat), per source shared, per group: from Python sets."""
    where: dict[tuple[int, int], set[int]] = {}
    for cat, key, source, _ in items.iter_rows():
        where.setdefault((cat, key), set()).add(source)
    pairs: Counter = Counter()
    per_source: Counter = Counter()
    shared: Counter = Counter()
    groups: Counter = Counter()
    for (cat, _), seen in where.items():
        for a, b in itertools.combinations(sorted(seen), 2):
            pairs[(a, b)] += 1
        for s in seen:
            per_source[(s, cat)] += 1
            if len(seen) > 1:
                shared[s] += 1
        if seen & {0, 70} and not seen & {5}:
            groups[cat] += 1
    return pairs, per_source, shared, groups


def test_overlaps_past_64_sources_match_the_brute_force_count() -> None:
    items = _items(3, sources=150, rows=20_000)
    pairs, per_source, shared, groups = _oracle(items)
    with ItemSet(partitions=4, spill_rows=6_000) as held:
        for start in range(0, items.height, 5_000):
            held.add(items.slice(start, 5_000))
        result = tally(held.groups(), {"g": ([0, 70], [5])}, sources=150)
    assert result.overlap_pairs == len(pairs)
    expected_top = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PAIRS]
    assert sorted(result.overlaps.items(), key=lambda kv: (-kv[1], kv[0])) == expected_top
    assert result.per_source == per_source
    assert result.shared == shared
    assert result.groups["g"] == groups
    assert sum(result.items.values()) == items.select("cat", "key").unique().height
    every = Counter()
    assert result.incidence is not None
    for a, b, n in result.incidence.pairs(150, chunk=500):  # small chunks: many hand-overs
        every.update({(int(x), int(y)): int(z) for x, y, z in zip(a, b, n, strict=True)})
    assert every == pairs


def test_below_64_sources_the_shared_figure_matches_the_oracle() -> None:
    items = _items(4, sources=10, rows=5_000)
    _, per_source, shared, _ = _oracle(items)
    with ItemSet() as held:
        held.add(items)
        result = tally(held.groups(), sources=10)
    assert result.shared == shared
    assert result.per_source == per_source


PEOPLE = [
    ("张三", "13812345678"),
    ("李四", "13912345678"),
    ("王五", "13712345678"),
    ("赵六", "13612345678"),
    ("孙七", "13512345678"),
]
"""Five people typed by hand; file i holds persons i % 5 and (i + 1) % 5."""


def _write_lists(folder: Path, files: int) -> None:
    for i in range(files):
        rows = [PEOPLE[i % 5], PEOPLE[(i + 1) % 5]]
        text = "姓名,手机\n" + "".join(f"{n},{p}\n" for n, p in rows)
        (folder / f"导出_{i:03d}.csv").write_text(text, encoding="utf-8")


def test_ninety_small_lists_count_each_person_once_and_show_the_top_pairs(tmp_path: Path) -> None:
    folder = tmp_path / "手机导出"
    folder.mkdir()
    _write_lists(folder, 90)
    result = count([folder])
    data = result.to_json()
    assert data["items"]["ordinary"] == 5
    assert data["records"]["valid"] == 180
    # files i and j share a person when {i, i+1} and {j, j+1} meet modulo 5
    held = [{i % 5, (i + 1) % 5} for i in range(90)]
    shared_pairs = {
        (a, b): len(held[a] & held[b])
        for a, b in itertools.combinations(range(90), 2)
        if held[a] & held[b]
    }
    assert data["overlap_pairs"] == len(shared_pairs)
    assert len(data["overlaps"]) == TOP_PAIRS
    assert all(o["items"] == 2 for o in data["overlaps"])  # same two people: the most shared
    assert all(f["shared"] == 2 for f in data["files"])  # everyone is in other files too
    out = tmp_path / "pairs.csv"
    assert result.write_overlaps(out) == len(shared_pairs)
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))[1:]
    index = {str(folder / f"导出_{i:03d}.csv"): i for i in range(90)}
    written = {(index[a], index[b]): int(n) for a, b, n in rows}
    assert written == shared_pairs


def test_count_cli_writes_every_pair_on_request_and_keeps_json_small(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    _write_lists(folder, 70)
    out = tmp_path / "重合.csv"
    args = ["count", str(folder), "--json", "--overlaps-out", str(out)]
    proc = CliRunner().invoke(app, args)
    assert proc.exit_code == 0, proc.output
    data = json.loads(proc.stdout)
    assert len(data["overlaps"]) == TOP_PAIRS < data["overlap_pairs"]
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == data["overlap_pairs"] + 1
    assert not list(tmp_path.glob(".重合.csv.*"))  # no temporary file left behind


def test_a_small_file_whose_values_differ_from_its_group_is_classified_alone(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    _write_lists(folder, 40)
    # same header, but this office list holds landlines: the group's "mobile" would call
    # every one of them untrue
    (folder / "导出_020.csv").write_text(
        "姓名,手机\n郑十,0571-87654321\n钱一,0571-87654322\n", encoding="utf-8"
    )
    data = count([folder]).to_json()
    office = next(f for f in data["files"] if f["path"].endswith("导出_020.csv"))
    assert office["records"]["valid"] == 2
    assert data["records"]["invalid"] == 0
    assert data["items"]["ordinary"] == 5 + 2
