"""Counting thousands of small files (a seized phone's worth of exports): time and memory.

Target (issue 18): 20,000 CSVs of 50 rows each counted in under 60 s and under 1 GB, and a zip
of 2,000 or 20,000 such members; ``count --json`` stays small (top overlap pairs and a
per-file summary instead of every pair).

    .venv/bin/python bench/bench_many_files.py                 # 20,000 files, and the zips
    .venv/bin/python bench/bench_many_files.py --files 2000 --no-zip

Each file holds 50 people drawn from a pool of ``--pool`` residents (so a person appears in
several files, as contacts do across a phone's exports). The files are generated once into
``bench/out/`` (git-ignored); the count runs in its own process. Prints JSON lines: the files,
the count of the folder, and the count of each zip.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import emit, measure

GENERATE = """
import zipfile
import numpy as np
import polars as pl
from pathlib import Path
from leaktrace.synth import residents
out, files, rows, pool, seed = Path({out!r}), {files}, {rows}, {pool}, {seed}
people = residents(pool, seed=seed).select(
    pl.col("name").alias("姓名"), pl.col("mobile").alias("手机"), pl.col("cn_id").alias("身份证号")
)
rng = np.random.default_rng(seed)
for i in range(files):
    pick = rng.choice(pool, size=rows, replace=False)
    people[pick].write_csv(out / f"export_{{i:05d}}.csv")
print('{{"files": %d}}' % files)
"""

ZIP = """
import zipfile
from pathlib import Path
folder, target, members = Path({folder!r}), Path({target!r}), {members}
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
    for path in sorted(folder.glob("export_*.csv"))[:members]:
        zf.write(path, f"导出/{{path.name}}")
print('{{"members": %d}}' % members)
"""

COUNT = """
import json
from pathlib import Path
from leaktrace.count import count
r = count([Path({path!r})]).to_json()
text = json.dumps(r, ensure_ascii=False)
print(json.dumps({{
    "items": r["items"], "records_read": r["records_read"], "files": len(r["files"]),
    "errors": len(r["errors"]), "top_pairs": len(r["overlaps"]),
    "shared_files": sum(1 for f in r["files"] if f.get("shared", 0)),
    "json_kb": round(len(text.encode()) / 1024),
}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--pool", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--no-zip", action="store_true", help="Only count the folder.")
    args = parser.parse_args()
    folder = args.out / f"many_{args.files}x{args.rows}_{args.pool}"
    if not (folder / f"export_{args.files - 1:05d}.csv").exists():
        folder.mkdir(parents=True, exist_ok=True)
        gen = measure(
            GENERATE.format(
                out=str(folder), files=args.files, rows=args.rows, pool=args.pool, seed=args.seed
            )
        )
        emit(step="generate", files=args.files, wall_s=gen["wall_s"])
    size_mb = sum(p.stat().st_size for p in folder.glob("export_*.csv")) / 1e6
    emit(
        step="files",
        folder=str(folder),
        files=args.files,
        rows=args.rows,
        size_mb=round(size_mb, 1),
    )
    counted = measure(COUNT.format(path=str(folder)))
    emit(
        step="leaktrace.count folder",
        files=args.files,
        wall_s=counted["wall_s"],
        cpu_s=counted["cpu_s"],
        peak_rss_mb=counted["peak_rss_mb"],
        files_per_s=round(args.files / counted["wall_s"]),
        target="< 60 s, < 1024 MB",
        result=counted["out"],
    )
    if args.no_zip:
        return
    for members in sorted({min(2_000, args.files), args.files}):
        target = args.out / f"many_{members}x{args.rows}_{args.pool}.zip"
        if not target.exists():
            measure(ZIP.format(folder=str(folder), target=str(target), members=members))
        zipped = measure(COUNT.format(path=str(target)))
        emit(
            step="leaktrace.count zip",
            members=members,
            wall_s=zipped["wall_s"],
            cpu_s=zipped["cpu_s"],
            peak_rss_mb=zipped["peak_rss_mb"],
            result=zipped["out"],
        )


if __name__ == "__main__":
    main()
