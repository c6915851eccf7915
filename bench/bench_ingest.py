"""Ingest speed against a bare `polars.read_csv`, printed as JSON lines.

Usage: python bench/bench_ingest.py [--rows 2000000] [--dir /tmp]

Writes a synthetic CSV (made-up names, phones, IDs and addresses from numpy; ~96 bytes a row),
once as UTF-8 and once as GBK, then times in fresh subprocesses (so peak RSS is per task):
`polars.read_csv` (the baseline the budget is stated against), and `walk` + every batch, which
includes sniffing, SHA-256 and, for GBK, transcoding.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰"]


def write_csv(path: Path, rows: int, encoding: str) -> None:
    rng = np.random.default_rng(1)
    chunk = 1_000_000
    with path.open("wb") as out:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            frame = pl.DataFrame(
                {
                    "序号": np.arange(start, start + n),
                    "姓名": pl.Series(np.array(SURNAMES)[rng.integers(0, 20, n)])
                    + pl.Series(np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]),
                    "手机": (13800000000 + rng.integers(0, 10**8, n)).astype(str),
                    "身份证": (330100199001010000 + rng.integers(0, 10**9, n)).astype(str),
                    "地址": pl.Series(["浙江省杭州市西湖区文三路"] * n)
                    + pl.Series(rng.integers(1, 999, n).astype(str))
                    + "号",
                    "备注": pl.Series(["VIP,客户", "", "普通"])[pl.Series(rng.integers(0, 3, n))],
                }
            )
            text = frame.write_csv(include_header=start == 0)
            out.write(text.encode(encoding))


def run_task(task: str, path: Path) -> dict[str, object]:
    start = time.perf_counter()
    if task == "polars.read_csv":
        rows = pl.read_csv(path).height
    elif task == "polars.read_csv(gbk)":
        rows = pl.read_csv(path, encoding="gbk").height
    else:
        from leaktrace.ingest import Evidence, walk

        rows = 0
        for ev in walk([path]):
            assert isinstance(ev, Evidence), ev
            for table in ev.tables:
                rows += sum(batch.height for batch in table.batches())
    seconds = time.perf_counter() - start
    size = path.stat().st_size
    return {
        "task": task,
        "file": path.name,
        "mb": round(size / 1e6, 1),
        "rows": rows,
        "seconds": round(seconds, 3),
        "mb_per_s": round(size / 1e6 / seconds, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> int:
    """This process's high-water mark (VmHWM; ru_maxrss would inherit the parent's across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return -1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--encodings", default="utf-8,gbk")
    parser.add_argument("--task")
    parser.add_argument("--path", type=Path)
    args = parser.parse_args()
    if args.task:
        print(json.dumps(run_task(args.task, args.path), ensure_ascii=False))
        return
    plans = {
        "utf-8": ["polars.read_csv", "leaktrace.ingest"],
        "gbk": ["polars.read_csv(gbk)", "leaktrace.ingest"],
    }
    for encoding in args.encodings.split(","):
        tasks = plans[encoding]
        path = args.dir / f"bench_ingest_{args.rows}_{encoding}.csv"
        if not path.exists():
            write_csv(path, args.rows, encoding)
        for task in tasks:
            for _ in range(2):  # the first run warms the page cache
                result = subprocess.run(
                    [sys.executable, __file__, "--task", task, "--path", str(path)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
            print(result.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
