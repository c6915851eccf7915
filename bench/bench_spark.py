"""The Spark engine beside the local one: records per second per stage, and identical results.

Target (issue 7): on the synthetic 13-million-record set (bench_count's files: 10% duplicates
across files, 2% untrue rows) the Spark engine in local mode (``local[2]``) gives the same scan
and count JSON as the local engine, and takes less than 5x its time; the local engine stays the
faster one on one machine.

    .venv/bin/python bench/bench_spark.py                       # 13 million rows, 4 files
    .venv/bin/python bench/bench_spark.py --rows 1000000

Without ``--link`` both count without person linkage (``link="none"``), as in the runs of
issue 7. With ``--link person`` (or ``category``), on ``--overlap`` files (bench_count's
``synth.write_large_overlap``: a third of the people in two files, each file a different subset
of identifiers), the scan is skipped and three steps run in the same session of the machine: a
bare ``polars.read_csv`` of the files, the local engine's linked count and the Spark engine's;
the check is that ``persons``, items and ``linkage`` are identical (issue 14):

    .venv/bin/python bench/bench_spark.py --rows 13000000 --overlap --link person

Each engine runs in its own process (the local one as ``leaktrace.scan``/``leaktrace.count``,
Spark through ``leaktrace.engine``, its session started once and timed apart). Prints JSON
lines: the files, each engine's stages (wall seconds, records/s), the ratios and the check.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import emit, measure
from bench_count import BARE, count_files

LOCAL = """
import json, time
from pathlib import Path
from leaktrace.scan import scan
from leaktrace.count import count
paths = [Path(p) for p in {paths!r}]
times = {{}}
scanned = None
if {scan!r}:
    start = time.perf_counter()
    scanned = scan(paths).to_json()
    times["scan"] = time.perf_counter() - start
start = time.perf_counter()
counted = count(paths, link={link!r}).to_json()
times["count"] = time.perf_counter() - start
Path({out!r}).write_text(json.dumps({{"scan": scanned, "count": counted}}, ensure_ascii=False))
print(json.dumps(times))
"""

SPARK = """
import json, time, urllib.request
from pathlib import Path
from leaktrace.engine import get_engine

def stages():
    # Spark's own accounting: task time per stage is the core-seconds it took.
    sc = engine.spark.sparkContext
    url = f"{{sc.uiWebUrl}}/api/v1/applications/{{sc.applicationId}}/stages?status=complete"
    with urllib.request.urlopen(url) as answer:
        return {{s["stageId"]: s for s in json.load(answer)}}

def new_stages(before):
    return [
        {{"stage": i, "tasks": s["numTasks"], "core_s": round(s["executorRunTime"] / 1000, 1),
          "input_records": s["inputRecords"], "shuffle_write_records": s["shuffleWriteRecords"],
          "shuffle_read_records": s["shuffleReadRecords"]}}
        for i, s in sorted(stages().items()) if i not in before
    ]

start = time.perf_counter()
engine = get_engine("spark", master={master!r}, conf={{"spark.ui.enabled": "true"}})
engine.spark  # start the session
times = {{"startup": time.perf_counter() - start}}
scanned = None
if {scan!r}:
    before = stages()
    start = time.perf_counter()
    scanned = engine.scan({paths!r}).to_json()
    times["scan"] = time.perf_counter() - start
    times["scan_steps"] = dict(engine.timings)
    times["scan_stages"] = new_stages(before)
before = stages()
start = time.perf_counter()
counted = engine.count({paths!r}, link={link!r}).to_json()
times["count"] = time.perf_counter() - start
times["count_steps"] = dict(engine.timings)
times["count_stages"] = new_stages(before)
engine.close()
Path({out!r}).write_text(json.dumps({{"scan": scanned, "count": counted}}, ensure_ascii=False))
print(json.dumps(times))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=13_000_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument(
        "--link",
        choices=("none", "person", "category"),
        default="none",
        help="Count with person linkage (then the scan is skipped and a bare read is timed).",
    )
    parser.add_argument(
        "--overlap",
        action="store_true",
        help="Files of write_large_overlap: a third of the people in two files.",
    )
    args = parser.parse_args()
    folder, paths = count_files(args.out, args.rows, args.files, args.seed, overlap=args.overlap)
    size_mb = sum(Path(p).stat().st_size for p in paths) / 1e6
    linked = args.link != "none"
    stages = ("count",) if linked else ("scan", "count")
    emit(
        step="files",
        folder=str(folder),
        files=args.files,
        size_mb=round(size_mb, 1),
        rows=args.rows,
        overlap=args.overlap,
        link=args.link,
        cores=os.cpu_count(),
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    bare_s = None
    if linked:
        bare = measure(BARE.format(paths=paths))
        bare_s = bare["wall_s"]
        emit(step="polars.read_csv", wall_s=bare_s, peak_rss_mb=bare["peak_rss_mb"])
    results = {}
    times = {}
    for engine, code in (("local", LOCAL), ("spark", SPARK)):
        out = folder / f"{engine}.json"
        ran = measure(
            code.format(
                paths=paths, out=str(out), master=args.master, link=args.link, scan=not linked
            )
        )
        times[engine] = ran["out"]
        times[engine]["wall"] = ran["wall_s"]
        results[engine] = json.loads(out.read_text(encoding="utf-8"))
        out.unlink()
        emit(
            step=engine,
            wall_s=ran["wall_s"],
            peak_rss_mb=ran["peak_rss_mb"],
            **{
                stage: {
                    "s": round(times[engine][stage], 1),
                    "records_per_s": round(args.rows / times[engine][stage]),
                }
                for stage in stages
            },
            **{
                k: _rounded(v)
                for k, v in times[engine].items()
                if k not in ("scan", "count", "wall")
            },
        )
    local, spark = results["local"]["count"], results["spark"]["count"]
    emit(
        step="ratio",
        spark_over_local={
            stage: round(times["spark"][stage] / times["local"][stage], 2) for stage in stages
        },
        target="< 5.0",
        identical={stage: results["spark"][stage] == results["local"][stage] for stage in stages},
        **(
            {
                "over_bare_read": {
                    "local_count": round(times["local"]["count"] / bare_s, 2),
                    "spark_count": round(times["spark"]["count"] / bare_s, 2),
                },
                "identical_persons": spark["persons"] == local["persons"],
                "identical_items": spark["items"] == local["items"],
                "identical_linkage": spark["linkage"] == local["linkage"],
            }
            if linked and bare_s
            else {}
        ),
        count={k: spark[k] for k in ("items", "persons", "records_read", "excluded", "linkage")},
    )


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


if __name__ == "__main__":
    main()
