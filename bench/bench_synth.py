"""Synthetic data throughput: residents() rows/s (target >= 200,000), evidence folder, large CSV.

Prints one JSON line per figure. ``residents`` is timed best-of-N in this process after a warm-up
(reference tables load once per process); the large CSV is timed writing to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from leaktrace.synth import residents, write_evidence_folder, write_large_csv

TARGET_ROWS_PER_S = 200_000


def emit(**figures: Any) -> None:
    """Print one JSON line of figures."""
    print(json.dumps(figures, ensure_ascii=False), flush=True)


def best_of(repeats: int, fn: Any) -> tuple[float, float]:
    """Fastest wall and CPU seconds of ``repeats`` calls: the least disturbed by other processes.

    CPU seconds (all threads) are reported too because on a shared two-core machine the wall
    time measures the neighbours as much as the generator.
    """
    walls, cpus = [], []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per residents() call")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--large-rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    residents(1_000, seed=args.seed)  # warm-up: reference tables, Faker vocabularies
    for n in sorted({200_000, args.rows}):
        wall, cpu = best_of(args.repeats, lambda n=n: residents(n, seed=args.seed))
        emit(
            step="residents",
            rows=n,
            wall_s=round(wall, 3),
            rows_per_s=round(n / wall),
            cpu_s=round(cpu, 3),
            rows_per_cpu_s=round(n / cpu),
            target_rows_per_s=TARGET_ROWS_PER_S,
            ok=n / wall >= TARGET_ROWS_PER_S,
        )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_evidence_folder(Path(tmp) / "case", seed=args.seed, rows=2_000)
        emit(step="write_evidence_folder", rows=2_000, wall_s=round(time.perf_counter() - start, 3))
        path = Path(tmp) / "large.csv"
        start = time.perf_counter()
        write_large_csv(path, args.large_rows, seed=args.seed)
        wall = time.perf_counter() - start
        emit(
            step="write_large_csv",
            rows=args.large_rows,
            wall_s=round(wall, 3),
            rows_per_s=round(args.large_rows / wall),
            mb=round(path.stat().st_size / 1e6, 1),
        )


if __name__ == "__main__":
    main()
