"""Match on both engines: local vs Spark ``local[2]`` on bench_match's lists, and identical JSON.

Run ``bench/bench_match.py`` first (it writes the lists under ``bench/out/``), then::

    .venv/bin/python bench/bench_spark_match.py

Prints one JSON line per engine (wall seconds, including the Spark session's start) and one with
whether the two results are the same (timings aside) and Spark's wall time over the local one.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from _util import emit
from leaktrace.engine import get_engine


def _without_timings(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_timings(v) for k, v in data.items() if k != "seconds"}
    if isinstance(data, list):
        return [_without_timings(v) for v in data]
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--folder",
        type=Path,
        default=Path("bench/out/match_100x100000_h10_s1"),
        help="a folder bench_match.py wrote (seized_*.csv, source_*.csv)",
    )
    parser.add_argument("--spark-master", default=None, help="Spark master (default local[2])")
    args = parser.parse_args()
    seized = [str(p) for p in sorted(args.folder.glob("seized_*.csv"))]
    sources = [str(p) for p in sorted(args.folder.glob("source_*.csv"))]
    if not seized or not sources:
        parser.error(f"{args.folder}: no lists; run bench/bench_match.py first")
    results = {}
    for name in ("local", "spark"):
        engine = get_engine(name, master=args.spark_master if name == "spark" else None)
        start = time.perf_counter()
        result = engine.match(seized, sources, top=3)
        wall = time.perf_counter() - start
        results[name] = (wall, _without_timings(result.to_json()))
        emit(step=f"match {name}", wall_s=round(wall, 1), lists=len(seized) + len(sources))
    emit(
        step="compare",
        identical=results["local"][1] == results["spark"][1],
        spark_over_local=round(results["spark"][0] / results["local"][0], 2),
    )


if __name__ == "__main__":
    main()
