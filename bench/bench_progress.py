"""What the progress line costs `mark` and `trace`. Prints JSON lines of figures.

    .venv/bin/python bench/bench_progress.py                   # 100,000 owners, 4 pairs
    .venv/bin/python bench/bench_progress.py --owners 20000 --runs 2

Steps (each prints one JSON line):
- ``idle``: the CPU the display itself uses (its refresh thread redraws ten times a second) while
  the main thread sleeps: an upper bound on what it can take from the work, free of machine load.
- ``pair``: `mark_export` then `trace` with a live display (the columns `row_progress` draws,
  to a forced terminal in memory) and without one, the order alternating from pair to pair.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from leaktrace.mark import Registry, mark_export
from leaktrace.synth.leak import owners, write_table
from leaktrace.trace import trace


def _display() -> Progress:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    return Progress(
        TextColumn("[bold]标记 marking[/]"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[rows]:,} 行 rows"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def idle(seconds: float) -> dict[str, float]:
    with _display() as bar:
        bar.add_task("读取 reading", total=None, rows=300_000)
        cpu, wall = time.process_time(), time.perf_counter()
        time.sleep(seconds)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 3), "cpu_share": round(cpu / wall, 4)}


def pair(master: Path, registry: Registry, root: Path, run: int, shown: bool) -> dict[str, object]:
    bar = _display() if shown else None
    progress: Callable[[str, int], None] | None = None
    if bar is not None:
        bar.start()
        task = bar.add_task("", total=None, rows=0)

        def progress(label: str, rows: int) -> None:
            bar.update(task, description=label, rows=bar.tasks[0].fields["rows"] + rows)

    out = root / f"export-{run}-{int(shown)}.csv"
    started = time.perf_counter()
    mark_export(master, recipient=f"r{run}{shown}", registry=registry, out=out, progress=progress)
    marked = time.perf_counter() - started
    started = time.perf_counter()
    trace(out, registry, progress=progress)
    traced = time.perf_counter() - started
    if bar is not None:
        bar.stop()
    return {"run": run, "progress": shown, "mark_s": round(marked, 2), "trace_s": round(traced, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--owners", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--idle", type=float, default=20.0, help="seconds of the idle step")
    args = ap.parse_args()
    print(json.dumps({"step": "idle", **idle(args.idle)}), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        master = write_table(owners(args.owners, seed=3, per_flat=None), root / "owners.csv")
        registry = Registry.create(str(root / "registry.db"))
        mark_export(master, recipient="first", registry=registry, out=root / "first.csv")
        for run in range(args.runs):
            for shown in (False, True) if run % 2 == 0 else (True, False):
                figures = pair(master, registry, root, run, shown)
                print(json.dumps({"step": "pair", **figures}), flush=True)
        registry.close()


if __name__ == "__main__":
    main()
