"""``match`` on Spark gives the local engine's JSON (timings aside) on the story case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leaktrace.engine import LocalEngine, get_engine
from leaktrace.synth.story import write_story_case


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("story")
    write_story_case(root, seed=2017)
    return root


def _same(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "seconds"}


def test_match_on_spark_is_the_local_match(spark_engine: Any, story: Path) -> None:
    seized, sources = [story / "evidence"], [story / "sources"]
    local = LocalEngine().match(seized, sources).to_json()
    spark = spark_engine.match(seized, sources).to_json()
    assert _same(spark) == _same(local)
    assert set(spark["seconds"]) == set(local["seconds"])
    # The case has a merged list: its cover names several sources, as locally.
    assert any(len(m["cover"]) > 1 for m in spark["matches"])
    assert any(c["communities"] for m in spark["matches"] for c in m["candidates"])


def test_match_on_spark_without_sources(spark_engine: Any, story: Path) -> None:
    seized = [story / "evidence"]
    local = LocalEngine().match(seized, key="content", min_containment=0.0, top=3).to_json()
    spark = spark_engine.match(seized, key="content", min_containment=0.0, top=3).to_json()
    assert _same(spark) == _same(local)


def test_local_engine_match_refuses_uris() -> None:
    from leaktrace.errors import UsageError

    with pytest.raises(UsageError):
        get_engine().match(["hdfs://nn/case/"])


def test_match_cli_takes_the_engine_options(story: Path) -> None:
    from typer.testing import CliRunner

    from leaktrace.cli import app

    result = CliRunner().invoke(
        app, ["match", str(story / "evidence"), "--spark-master", "local[2]", "--json"]
    )
    assert result.exit_code == 2
    assert "--engine spark" in result.output
