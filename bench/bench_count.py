"""Counting throughput: items per Art. 11 over several large CSV files, against a bare read.

Target (issues 3 and 14): counting 13 million records (10% duplicates across files, 2% untrue
rows), records linked into persons (the default), costs at most 3x a bare ``polars.read_csv`` of
the same files; peak memory under 4 GB and bounded whatever the volume (run ``--rows 50000000``
to show it). ``--unlinked`` also times ``--link none`` in the same run.

    .venv/bin/python bench/bench_count.py                  # 13 million rows, about 1.8 GB
    .venv/bin/python bench/bench_count.py --rows 2000000
    .venv/bin/python bench/bench_count.py --overlap  # a third of the people in two files
    .venv/bin/python bench/bench_count.py --damaged  # numbers a spreadsheet rewrote, 6% of mobiles
    .venv/bin/python bench/bench_count.py --sample 0.2  # each count's memory curve (Linux /proc)

The files are generated once into ``bench/out/`` (git-ignored) from ``leaktrace.synth``'s
``write_large_csv``; each step then runs in its own process. Prints JSON lines: the files, the
bare read, the count, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _util import emit, measure

DUPLICATE_SHARE = 0.10
INVALID_SHARE = 0.02

GENERATE = """
import polars as pl
from pathlib import Path
from leaktrace.synth import write_large_csv
out, files, rows, seed = Path({out!r}), {files}, {rows}, {seed}
unique = round(rows * (1 - {dup}))
per_file = [unique // files + (1 if i < unique % files else 0) for i in range(files)]
bases = []
for i, n in enumerate(per_file):
    base = out / f"base_{{i}}.csv"
    write_large_csv(base, n, seed=seed * 1000 + i)
    bases.append(base)
extra = rows - unique


def damage(own, i):
    # --damaged: numbers a spreadsheet rewrote. Of the mobiles 3% as floats (13606661234.0),
    # 2% in scientific notation with every digit (1.8667778888E+10), 1% cut to six digits
    # (1.38123E+10: untrue, but the row keeps its ID); 2% of the IDs as floats.
    h = pl.int_range(pl.len()).hash(seed=100 + i) % 1000
    phone, idn = pl.col("手机号"), pl.col("身份证号")
    return own.with_columns(
        pl.when(h < 30).then(phone + ".0")
        .when(h < 50).then(phone.str.slice(0, 1) + "." + phone.str.slice(1) + "E+10")
        .when(h < 60).then(phone.str.slice(0, 1) + "." + phone.str.slice(1, 5) + "E+10")
        .otherwise(phone).alias("手机号"),
        pl.when((h >= 100) & (h < 120) & ~idn.str.ends_with("X")).then(idn + ".0")
        .otherwise(idn).alias("身份证号"),
    )


for i, base in enumerate(bases):
    own = pl.read_csv(base, infer_schema=False)
    # 2% of the rows are shown untrue: the ID mangled by Excel, the phone in no segment,
    # nothing else that identifies the person.
    bad = pl.int_range(pl.len()).hash(seed=i) % 1000 < {invalid} * 1000
    own = own.with_columns(
        pl.when(bad).then(pl.lit("3.30182E+17")).otherwise(pl.col("身份证号")).alias("身份证号"),
        pl.when(bad).then(pl.lit("10012345678")).otherwise(pl.col("手机号")).alias("手机号"),
        pl.when(bad).then(None).otherwise(pl.col("银行卡号")).alias("银行卡号"),
        pl.when(bad).then(None).otherwise(pl.col("邮箱")).alias("邮箱"),
    )
    if {damaged}:
        own = damage(own, i)
    # 10% of all rows repeat a row of the previous file (the first file: of the last one).
    n_dup = extra // files + (1 if i < extra % files else 0)
    prev = pl.read_csv(bases[i - 1], infer_schema=False) if files > 1 else own
    dup = prev.sample(n=min(n_dup, prev.height), seed=seed + i)
    pl.concat([own, dup]).write_csv(out / f"part_{{i}}.csv")
for base in bases:
    base.unlink()
print('{{"files": %d}}' % files)
"""

GENERATE_OVERLAP = """
from pathlib import Path
from leaktrace.synth import write_large_overlap
write_large_overlap(Path({out!r}), {rows}, {files}, {seed})
print('{{"files": %d}}' % {files})
"""

BARE = """
import json, polars as pl
rows = sum(pl.read_csv(p, infer_schema=False).height for p in {paths!r})
print(json.dumps({{"rows": rows}}))
"""

COUNT = """
import json
from pathlib import Path
from leaktrace.count import count
r = count([Path(p) for p in {paths!r}], link={link!r}).to_json()
print(json.dumps({{k: r[k] for k in ("items", "persons", "bare_phone", "records_read", "excluded")}}
                 | {{"overlaps": [o["items"] for o in r["overlaps"]]}}
                 | ({{"linkage": {{k: v for k, v in r["linkage"].items() if k != "rule"}}}}
                    if r["linkage"] else {{}})))
"""


def sampled(code: str, every: float) -> dict[str, Any]:
    """:func:`measure`, with the step's resident memory read every ``every`` seconds from
    ``/proc`` (Linux): the curve's key points (about one a second, and the peak) come back as
    ``curve`` [[seconds, MB], ...]."""
    code = "from leaktrace.process import configure as _c\n_c()\n" + code
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    points: list[tuple[float, float]] = []
    status = Path(f"/proc/{proc.pid}/status")
    usage = None
    while usage is None:
        pid, code_, usage_ = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            usage, proc.returncode = usage_, os.waitstatus_to_exitcode(code_)
            break
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    points.append((time.perf_counter() - start, int(line.split()[1]) / 1024))
        except OSError:
            pass
        time.sleep(every)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark step failed:\n{err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    peak = max(points, key=lambda p: p[1]) if points else (0.0, 0.0)
    curve = [p for i, p in enumerate(points) if i == 0 or int(p[0]) != int(points[i - 1][0])]
    curve = sorted({*curve, peak, *points[-1:]})
    lines = [line for line in out.splitlines() if line.strip()]
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 1),
        # the kernel's high-water mark, which sampling can miss between two reads
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "out": json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None,
        "curve": [[round(t, 1), round(mb)] for t, mb in curve],
        "sampled_peak_at_s": round(peak[0], 1),
    }


def count_files(
    out: Path,
    rows: int,
    files: int,
    seed: int,
    *,
    overlap: bool = False,
    damaged: bool = False,
) -> tuple[Path, list[str]]:
    """The benchmark's CSV files under ``out`` (generated once, then reused): folder and paths."""
    name = f"overlap_{rows}x{files}" if overlap else f"count_{rows}x{files}"
    folder = out / (name + ("_damaged" if damaged and not overlap else ""))
    paths = [str(folder / f"part_{i}.csv") for i in range(files)]
    if not all(Path(p).exists() for p in paths):
        folder.mkdir(parents=True, exist_ok=True)
        gen = measure(
            GENERATE_OVERLAP.format(out=str(folder), files=files, rows=rows, seed=seed)
            if overlap
            else GENERATE.format(
                out=str(folder),
                files=files,
                rows=rows,
                seed=seed,
                dup=DUPLICATE_SHARE,
                invalid=INVALID_SHARE,
                damaged=damaged,
            )
        )
        emit(step="generate", rows=rows, files=files, wall_s=gen["wall_s"])
    return folder, paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=13_000_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--skip-bare", action="store_true", help="Only run the count.")
    parser.add_argument(
        "--unlinked", action="store_true", help="Also time the count without linkage."
    )
    parser.add_argument(
        "--overlap",
        action="store_true",
        help="Files of write_large_overlap: a third of the people in two files, each file "
        "holding another subset of identifiers (instead of 10%% repeated rows, 2%% untrue).",
    )
    parser.add_argument(
        "--damaged", action="store_true", help="Put spreadsheet-damaged numbers in the data."
    )
    parser.add_argument(
        "--sample",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="Read each count's resident memory this often and print the curve's key points.",
    )
    args = parser.parse_args()
    folder, paths = count_files(
        args.out, args.rows, args.files, args.seed, overlap=args.overlap, damaged=args.damaged
    )
    size_mb = sum(Path(p).stat().st_size for p in paths) / 1e6
    emit(
        step="files",
        folder=str(folder),
        files=args.files,
        size_mb=round(size_mb, 1),
        rows=args.rows,
        **(
            {"overlap": "a third of the people in two files"}
            if args.overlap
            else {"duplicate_share": DUPLICATE_SHARE, "invalid_share": INVALID_SHARE}
        ),
    )
    truth = folder / "overlap.json"
    if args.overlap and truth.exists():
        known = json.loads(truth.read_text(encoding="utf-8"))
        emit(
            step="truth",
            persons=known["persons"],
            # people in two files whose copies share an identifier or a name and place
            persons_if_every_copy_linked=known["records"] - known["linkable_in_two_files"],
        )
    # Both steps read the files from the page cache: the first reader must not pay for the disk.
    for path in paths:
        with open(path, "rb") as fh:
            while fh.read(1 << 24):
                pass
    bare = None
    if not args.skip_bare:
        bare = measure(BARE.format(paths=paths))
        emit(
            step="polars.read_csv",
            wall_s=bare["wall_s"],
            cpu_s=bare["cpu_s"],
            peak_rss_mb=bare["peak_rss_mb"],
            mb_per_s=round(size_mb / bare["wall_s"], 1),
            rows=bare["out"]["rows"],
        )
    runs = {}
    for link in ("none", "person") if args.unlinked else ("person",):
        code = COUNT.format(paths=paths, link=link)
        counted = sampled(code, args.sample) if args.sample else measure(code)
        runs[link] = counted
        emit(
            step=f"leaktrace.count --link {link}",
            wall_s=counted["wall_s"],
            cpu_s=counted["cpu_s"],
            peak_rss_mb=counted["peak_rss_mb"],
            mb_per_s=round(size_mb / counted["wall_s"], 1),
            rows_per_s=round(args.rows / counted["wall_s"]),
            result=counted["out"],
            **(
                {"rss_curve": counted["curve"], "sampled_peak_at_s": counted["sampled_peak_at_s"]}
                if args.sample
                else {}
            ),
        )
    if bare is not None:
        linked = runs["person"]
        emit(
            step="ratio",
            count_over_bare=round(linked["wall_s"] / bare["wall_s"], 2),
            unlinked_over_bare=(
                round(runs["none"]["wall_s"] / bare["wall_s"], 2) if "none" in runs else None
            ),
            target="<= 3.0 (linked count)",
            peak_rss_mb=linked["peak_rss_mb"],
            peak_rss_target_mb=4000,
        )


if __name__ == "__main__":
    main()
