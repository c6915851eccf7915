"""Source matching: 100 lists of 100,000 rows, every pair compared, in under a minute.

Target (issue 5): ``leaktrace match`` over 100 datasets of 100,000 rows each (10 million rows),
all 4,950 pairs compared, in under a minute on the 2-core development machine.

    .venv/bin/python bench/bench_match.py                       # 100 lists x 100,000 rows
    .venv/bin/python bench/bench_match.py --lists 20 --rows 50000

The lists are generated once into ``bench/out/`` (git-ignored), from ``leaktrace.synth``'s
``residents`` with a fixed seed: ``--holders`` holders' databases (the candidate sources, of
``--rows`` people each) and ``--lists - --holders`` seized lists, each cut from one holder (70% of
its rows), merged with part of another (25%) and a few people from nowhere (5%), phones written
``138-1234-5678`` in a fifth of the rows, shuffled. Columns: name, mobile, estate, room, date.
The match then runs in its own process. Prints JSON lines: the files, the match (read and
normalise, compare, describe, wall and peak RSS), whether every seized list was traced to the
holder it was cut from (``traced_right``) and its cover named both holders (``merge_found``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import emit, measure

MAIN_SHARE = 0.70
OTHER_SHARE = 0.25

GENERATE = """
import json
from pathlib import Path
import numpy as np
import polars as pl
from leaktrace.synth import residents
out, lists, holders, rows, seed = Path({out!r}), {lists}, {holders}, {rows}, {seed}
people = residents(rows * (holders + 1), seed=seed).unique("mobile", keep="first")
room = pl.concat_str("building", pl.lit("幢"), "unit", pl.lit("单元"), "room", pl.lit("室"))
day = (pl.col("person_id") * 7_919 % 2_190 + 15_340).cast(pl.Int32).cast(pl.Date)  # 2012-2017
people = people.with_columns(room.alias("_room"), day.dt.strftime("%Y-%m-%d").alias("_date"))
rng = np.random.default_rng(seed)
ids = rng.permutation(people.height)
pools = [ids[i * rows:(i + 1) * rows] for i in range(holders)]
foreign = ids[holders * rows:]
def write(path, picks, dashed_share):
    frame = people[np.asarray(picks).tolist()]
    dashed = pl.Series(rng.random(frame.height) < dashed_share)
    m = pl.col("mobile")
    dash = pl.lit("-")
    phone = pl.concat_str(m.str.slice(0, 3), dash, m.str.slice(3, 4), dash, m.str.slice(7))
    frame.select(
        pl.col("name").alias("姓名"),
        pl.when(dashed).then(phone).otherwise(pl.col("mobile")).alias("手机号"),
        pl.col("community").alias("小区"),
        pl.col("_room").alias("房号"),
        pl.col("_date").alias("登记日期"),
    ).write_csv(path)
truth = {{}}
for h, pool in enumerate(pools):
    write(out / f"source_{{h:03d}}.csv", pool, 0.0)
for i in range(lists - holders):
    main, other = rng.choice(holders, size=2, replace=False)
    n_main, n_other = round(rows * {main}), round(rows * {other})
    picks = np.concatenate([
        rng.choice(pools[main], n_main, replace=False),
        rng.choice(pools[other], n_other, replace=False),
        rng.choice(foreign, rows - n_main - n_other, replace=False),
    ])
    write(out / f"seized_{{i:03d}}.csv", rng.permutation(picks), 0.2)
    truth[f"seized_{{i:03d}}.csv"] = [f"source_{{int(h):03d}}.csv" for h in (main, other)]
(out / "truth.json").write_text(json.dumps(truth))
print(json.dumps({{"people": people.height}}))
"""

MATCH = """
import json, time
from pathlib import Path
from leaktrace.chain import match
folder = Path({folder!r})
seized = sorted(folder.glob("seized_*.csv"))
sources = sorted(folder.glob("source_*.csv"))
r = match(seized, sources, top=3)
truth = json.loads((folder / "truth.json").read_text())
def name(path):
    return Path(path).name
right = sum(
    1 for m in r.matches
    if m.best_source is not None and name(m.best_source.source) == truth[name(m.seized)][0]
)
merged = sum(
    1 for m in r.matches
    if [name(src) for src, _, _ in m.cover] == truth[name(m.seized)]
)
best = [m.best_source.containment for m in r.matches if m.best_source is not None]
print(json.dumps({{
    "lists": len(r.lists), "pairs": r.pairs, "records": sum(k.records for k in r.lists),
    "seconds": r.seconds, "traced_right": right, "merge_found": merged, "seized": len(r.matches),
    "best_containment_min": min(best), "best_containment_max": max(best),
}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=100, help="lists in all (sources included)")
    parser.add_argument("--holders", type=int, default=10, help="of which holders' databases")
    parser.add_argument("--rows", type=int, default=100_000, help="rows per list")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    if not 2 <= args.holders < args.lists:
        parser.error("need at least 2 holders and fewer holders than lists")
    folder = args.out / f"match_{args.lists}x{args.rows}_h{args.holders}_s{args.seed}"
    if not (folder / "truth.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        gen = measure(
            GENERATE.format(
                out=str(folder),
                lists=args.lists,
                holders=args.holders,
                rows=args.rows,
                seed=args.seed,
                main=MAIN_SHARE,
                other=OTHER_SHARE,
            )
        )
        emit(step="generate", wall_s=gen["wall_s"], **gen["out"])
    files = sorted(folder.glob("*.csv"))
    emit(
        step="files",
        folder=str(folder),
        lists=len(files),
        rows_per_list=args.rows,
        size_mb=round(sum(f.stat().st_size for f in files) / 1e6, 1),
    )
    run = measure(MATCH.format(folder=str(folder)))
    out = run["out"]
    emit(
        step="leaktrace.match",
        wall_s=run["wall_s"],
        peak_rss_mb=run["peak_rss_mb"],
        target_s=60,
        **out,
    )
    print(json.dumps({"step": "load", "loadavg": list(_loadavg())}), flush=True)


def _loadavg() -> tuple[float, float, float]:
    import os

    return os.getloadavg()


if __name__ == "__main__":
    main()
