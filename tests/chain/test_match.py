"""``match``: which source each seized list came from, by containment of normalised records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from leaktrace.chain import MatchResult, match, pair_counts, shared_keys
from leaktrace.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def matched(story: tuple[Path, dict[str, Any]]) -> MatchResult:
    root, _ = story
    return match([root / "evidence"], [root / "sources"])


def _rel(root: Path, path: str) -> str:
    return str(Path(path).relative_to(root))


def test_pair_counts_are_the_pairwise_intersections() -> None:
    rng = np.random.default_rng(3)
    universe = np.unique(rng.integers(0, 2**64 - 1, size=3_100, dtype=np.uint64))[:3_000]
    sets = [
        np.sort(rng.choice(universe, size=n, replace=False)) for n in (0, 10, 500, 1_500, 2_900)
    ]
    got = pair_counts(sets)
    for a, sa in enumerate(sets):
        for b, sb in enumerate(sets):
            expected = 0 if a == b else len(np.intersect1d(sa, sb))
            assert got[a, b] == expected, (a, b)


def test_each_seized_list_is_traced_to_the_database_it_was_cut_from(
    story: tuple[Path, dict[str, Any]], matched: MatchResult
) -> None:
    root, truth = story
    best = {
        _rel(root, m.seized): _rel(root, m.best_source.source)
        for m in matched.matches
        if m.best_source is not None
    }
    for seized, origin in truth["origin"].items():
        assert best[seized] == origin, seized


def test_containment_both_ways_and_the_matched_estates(
    story: tuple[Path, dict[str, Any]], matched: MatchResult
) -> None:
    _, truth = story
    [shi] = [m for m in matched.matches if m.seized.endswith("施某/东方郡业主.xls")]
    source = shi.best_source
    assert source is not None
    items = truth["files"]["evidence/施某/东方郡业主.xls"]["items"]
    developer = truth["files"]["sources/开发商客户库.csv"]["items"]
    assert source.field == "mobile"
    assert source.matched == items
    assert source.containment == 1.0
    assert source.reverse == round(items / developer, 4)
    assert source.estates == [(truth["estate"], items)]
    assert source.span_seized is None  # the decoration company's list has no dates
    assert source.span_source is not None
    assert "2012-01-01" <= source.span_source[0] <= source.span_source[1] <= "2017-12-31"


def test_a_merged_list_is_contained_in_each_source_in_part(
    story: tuple[Path, dict[str, Any]],
) -> None:
    root, _ = story
    [tong] = match([root / "evidence" / "童某"], [root / "sources"]).matches
    shares = {_rel(root, c.source): c.containment for c in tong.candidates if c.role == "source"}
    developer, register = shares["sources/开发商客户库.csv"], shares["sources/物业业主登记表.xlsx"]
    assert developer + register == pytest.approx(1.0, abs=0.002)
    cover = [(_rel(root, src), round(adds, 4)) for src, adds, _ in tong.cover]
    # the two holders' people are disjoint: each adds what it alone holds
    assert cover == [
        ("sources/开发商客户库.csv", developer),
        ("sources/物业业主登记表.xlsx", register),
    ]
    assert tong.cover[-1][2] == 1.0


def test_match_json_and_human_output(story: tuple[Path, dict[str, Any]]) -> None:
    root, _ = story
    args = ["match", str(root / "evidence" / "施某"), "--sources", str(root / "sources")]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    [only] = payload["matches"]
    assert only["best_source"].endswith("开发商客户库.csv")
    assert only["candidates"][0]["communities"][0]["name"] == "东方郡"
    human = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert human.exit_code == 0, human.output
    assert "最可能来源 most likely from" in human.stdout and "开发商客户库.csv" in human.stdout


def test_match_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["match", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv" in result.output and "Traceback" not in result.output


def test_shared_keys_is_the_self_join_on_field_and_key() -> None:
    rng = np.random.default_rng(9)
    rows = pl.DataFrame(
        {
            "list": rng.integers(0, 6, 4_000),
            "field": rng.integers(0, 2, 4_000),
            "key": rng.integers(0, 900, 4_000),
        },
        schema={"list": pl.UInt32, "field": pl.UInt8, "key": pl.UInt64},
    ).unique()
    joined = (
        rows.join(rows, on=["field", "key"], suffix="_b")
        .filter(pl.col("list") < pl.col("list_b"))
        .group_by("field", "list", "list_b")
        .len()
        .select(
            pl.col("field"),
            pl.col("list").alias("a"),
            pl.col("list_b").alias("b"),
            pl.col("len").cast(pl.Int64).alias("shared"),
        )
        .sort("field", "a", "b")
    )
    assert shared_keys(rows).equals(joined)
