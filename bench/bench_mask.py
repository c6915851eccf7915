"""Masked copies and span output on large synthetic files, against scanning the same files.

    .venv/bin/python bench/bench_mask.py --rows 1000000

Prints JSON lines: the file; a bare ``polars.read_csv``; ``scan``; ``mask`` (stars) and
``mask --pseudonym``, with their ratio to the scan; then, on a chat export of the same number
of lines, ``scan`` with and without ``--spans``. Wall times drift on a loaded machine: compare
the ratios of one run, and the CPU seconds.
"""

from __future__ import annotations

import argparse
import shutil
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
r = scan([Path({path!r})]{spans})
print(json.dumps({{"rows": r.files[0].tables[0].rows}}))
"""

MASK = """
import json
from leaktrace.redact import redact
r = redact([{path!r}], {out!r}, key={key!r})
f = r.files[0]
print(json.dumps({{"rows": f.rows, "masked": sum(f.masked.values())}}))
"""


def _chat(path: Path, rows: int) -> None:
    """A one-column chat export: the generator's chat lines repeated to ``rows`` lines."""
    from leaktrace.synth import write_evidence_folder

    tmp = path.parent / "chat-src"
    write_evidence_folder(tmp, seed=3)
    lines = (tmp / "evidence" / "聊天记录.csv").read_text(encoding="utf-8").splitlines()[1:]
    messages = [line.split(",", 2)[2] for line in lines if line.count(",") >= 2]
    with path.open("w", encoding="utf-8") as out:
        out.write("内容\n")
        for i in range(rows):
            out.write(messages[i % len(messages)].replace('"', "") + "\n")
    shutil.rmtree(tmp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"scan_{args.rows}.csv"
    if not path.exists():
        measure(
            "from pathlib import Path\nfrom leaktrace.synth import write_large_csv\n"
            f"write_large_csv(Path({str(path)!r}), {args.rows}, seed={args.seed})"
        )
    size_mb = path.stat().st_size / 1e6
    emit(step="file", path=str(path), size_mb=round(size_mb, 1), rows=args.rows)
    bare = measure(BARE.format(path=str(path)))
    emit(step="polars.read_csv", wall_s=bare["wall_s"], cpu_s=bare["cpu_s"])
    scanned = measure(SCAN.format(path=str(path), spans=""))
    emit(step="scan", wall_s=scanned["wall_s"], cpu_s=scanned["cpu_s"])
    for mode, key in (("mask", None), ("mask --pseudonym", bytes(32))):
        out = args.out / f"masked_{args.rows}"
        shutil.rmtree(out, ignore_errors=True)
        masked = measure(MASK.format(path=str(path), out=str(out), key=key))
        emit(
            step=mode,
            wall_s=masked["wall_s"],
            cpu_s=masked["cpu_s"],
            rows_per_s=round(args.rows / masked["wall_s"]),
            peak_rss_mb=masked["peak_rss_mb"],
            over_scan_wall=round(masked["wall_s"] / scanned["wall_s"], 2),
            over_scan_cpu=round(masked["cpu_s"] / max(scanned["cpu_s"], 0.1), 2),
            result=masked["out"],
        )
        shutil.rmtree(out, ignore_errors=True)
    chat = args.out / f"chat_{args.rows}.csv"
    if not chat.exists():
        _chat(chat, args.rows)
    emit(step="chat file", path=str(chat), size_mb=round(chat.stat().st_size / 1e6, 1))
    plain = measure(SCAN.format(path=str(chat), spans=""))
    spans_path = args.out / f"chat_{args.rows}.spans.jsonl"
    with_spans = measure(SCAN.format(path=str(chat), spans=f", spans=Path({str(spans_path)!r})"))
    emit(
        step="scan --spans",
        wall_s=with_spans["wall_s"],
        cpu_s=with_spans["cpu_s"],
        without_wall_s=plain["wall_s"],
        without_cpu_s=plain["cpu_s"],
        spans=sum(1 for _ in spans_path.open(encoding="utf-8")),
        over_plain_wall=round(with_spans["wall_s"] / plain["wall_s"], 2),
    )
    spans_path.unlink()


if __name__ == "__main__":
    main()
