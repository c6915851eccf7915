"""Where a scan of one CSV spends its CPU: the phases of ``scan`` run one after another.

    .venv/bin/python bench/profile_scan.py bench/out/scan_1000000_remarks_damaged.csv

The phases are those of ``leaktrace.scan.scan_table``, run in one thread in turn so each can be
timed (the scan itself overlaps them on both cores): importing, loading the tagger, sniffing and
hashing, reading the batches, classifying the columns, each typed column's status counts and
each free-text column's spans, with the span search split into its parts. Polars reads ahead
on its own threads, so part of the reading is counted in the phase that follows it. Prints one
JSON line per phase (process CPU seconds and wall seconds), then the total.
"""

from __future__ import annotations

import functools
import itertools
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _util import emit

CPU: Counter[str] = Counter()
WALL: Counter[str] = Counter()
PARTS: Counter[str] = Counter()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), _cpu()

    def mark(self, phase: str) -> None:
        wall, cpu = time.perf_counter(), _cpu()
        CPU[phase] += cpu - self.cpu
        WALL[phase] += wall - self.wall
        self.wall, self.cpu = wall, cpu


def _timed(module: Any, name: str) -> None:
    inner = getattr(module, name)

    @functools.wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = _cpu()
        try:
            return inner(*args, **kwargs)
        finally:
            PARTS[name] += _cpu() - start

    setattr(module, name, timed)


def main() -> None:
    clock = _Clock()
    from leaktrace.process import configure

    configure()
    from leaktrace import detect
    from leaktrace.detect import _check, classify_columns, column_status, find_spans
    from leaktrace.detect import _spans as spans

    # the code before this round's scan work had neither: it is profiled as it ran
    finder = getattr(detect, "SpanFinder", None)
    status_counts = getattr(_check, "status_counts", None)
    from leaktrace.ingest import Evidence, walk
    from leaktrace.scan import SAMPLE_ROWS

    clock.mark("import")
    from leaktrace.detect._tagger import model

    model()
    clock.mark("tagger model load")
    evidence = next(iter(walk([Path(sys.argv[1])])))
    assert isinstance(evidence, Evidence), evidence
    clock.mark("sniff and hash")
    batches = evidence.tables[0].batches()
    first = next(batches)
    clock.mark("read")
    profiles = classify_columns(list(first.columns), first.head(SAMPLE_ROWS))
    clock.mark("classify")
    for name in ("_token_spans", "_tag", "_python_spans", "_tagged_names", "_resolve"):
        _timed(spans, name)
    _timed(spans, "_distinct_spans")
    find = {p.name: finder().find if finder else find_spans for p in profiles if p.free_text}
    for batch in itertools.chain([first], batches):
        clock.mark("read")
        for p in profiles:
            if p.type and status_counts is not None:
                status_counts(batch.get_column(p.name), p.type)
            elif p.type:
                column_status(batch.get_column(p.name), p.type).value_counts()
            if p.type:
                clock.mark(f"check {p.name} ({p.type})")
        for name, spans_of in find.items():
            spans_of(batch.get_column(name))
            clock.mark(f"spans {name}")
    for phase, cpu in CPU.most_common():
        emit(phase=phase, cpu_s=round(cpu, 2), wall_s=round(WALL[phase], 2))
    for part, cpu in PARTS.most_common():  # nested: _python_spans holds _tag
        emit(part_of_spans=part, cpu_s=round(cpu, 2))
    emit(total_cpu_s=round(sum(CPU.values()), 2), total_wall_s=round(sum(WALL.values()), 2))


if __name__ == "__main__":
    main()
