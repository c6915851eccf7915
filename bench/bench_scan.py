"""Scan throughput on a large synthetic CSV, against a bare ``polars.read_csv`` of the same file.

Target (issue 2): scan costs at most 3x the bare read; peak memory under 2 GB whatever the size.
Issue 15 keeps the target on realistic data: the personal-information cells carry the
generator's messy forms (``--damaged``, the default: ``synth._large.with_damage``, dashed and +86
phones, full-width digits, Excel floats, masked and untrue values, typos), and every row has a
free-text 备注 column (``--remarks``, the default: ``synth._large.with_remarks``, a tenth of
them naming the row's person or home), whose spans the scan finds with the tagger.
``--no-remarks`` / ``--no-damaged`` measure the file without them.

    .venv/bin/python bench/bench_scan.py --rows 10000000      # about 2 GB
    .venv/bin/python bench/bench_scan.py --rows 1000000 --repeat 3

Prints JSON lines: the file (with the share of distinct remark texts), then for each repeat the
bare read, the scan and their ratio measured one right after the other (wall and CPU seconds,
peak RSS) with the machine's load average, then the median ratio. ``bench/profile_scan.py``
splits a scan's CPU seconds by phase.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import emit, measure

BARE = """
import polars as pl, json
df = pl.read_csv({path!r}, infer_schema=False)
print(json.dumps({{"rows": df.height}}))
"""

SCAN = """
import json
from pathlib import Path
from leaktrace.scan import scan
r = scan([Path({path!r})])
t = r.files[0].tables[0]
print(json.dumps({{"rows": t.rows, "columns": {{c.name: [c.type, c.valid, c.invalid, c.masked]
                                               for c in t.columns}},
                  "spans": {{c.name: dict(c.spans) for c in t.columns if c.free_text}}}},
                 ensure_ascii=False))
"""

REMARKS = """
import polars as pl, json
s = pl.scan_csv({path!r}, infer_schema=False).select("备注").collect()["备注"]
print(json.dumps({{"cells": s.len(), "distinct": s.n_unique(),
                  "distinct_share": round(s.n_unique() / max(s.len(), 1), 4),
                  "chars": int(s.str.len_chars().sum() or 0)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--remarks", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--damaged", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--repeat", type=int, default=1, help="bare read and scan pairs to run")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = ("_remarks" if args.remarks else "") + ("_damaged" if args.damaged else "")
    path = args.out / f"scan_{args.rows}{suffix}.csv"
    if not path.exists():
        gen = measure(
            "from pathlib import Path\nfrom leaktrace.synth import write_large_csv\n"
            f"write_large_csv(Path({str(path)!r}), {args.rows}, seed={args.seed}, "
            f"remarks={args.remarks}, damaged={args.damaged})"
        )
        emit(
            step="generate",
            rows=args.rows,
            wall_s=gen["wall_s"],
            rows_per_s=round(args.rows / gen["wall_s"]),
        )
    size_mb = path.stat().st_size / 1e6
    remarks = measure(REMARKS.format(path=str(path)))["out"] if args.remarks else None
    emit(step="file", path=str(path), size_mb=round(size_mb, 1), rows=args.rows, remarks=remarks)
    ratios = []
    for _ in range(args.repeat):
        bare = measure(BARE.format(path=str(path)))
        emit(
            step="polars.read_csv",
            wall_s=bare["wall_s"],
            cpu_s=bare["cpu_s"],
            mb_per_s=round(size_mb / bare["wall_s"], 1),
            peak_rss_mb=bare["peak_rss_mb"],
        )
        scanned = measure(SCAN.format(path=str(path)))
        emit(
            step="leaktrace.scan",
            wall_s=scanned["wall_s"],
            cpu_s=scanned["cpu_s"],
            mb_per_s=round(size_mb / scanned["wall_s"], 1),
            peak_rss_mb=scanned["peak_rss_mb"],
            result=scanned["out"],
        )
        ratios.append(scanned["wall_s"] / bare["wall_s"])
        emit(
            step="ratio",
            scan_over_bare=round(ratios[-1], 2),
            cpu_scan_over_bare=round(scanned["cpu_s"] / bare["cpu_s"], 2),
            target="<= 3.0",
            peak_rss_target_mb=2000,
            load_avg_1m=round(os.getloadavg()[0], 2),
        )
    if args.repeat > 1:
        emit(step="median", scan_over_bare=round(statistics.median(ratios), 2), runs=len(ratios))


if __name__ == "__main__":
    main()
