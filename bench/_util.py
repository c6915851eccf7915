"""Shared helpers for benchmarks: run a step in a fresh process and measure wall time and peak RSS.

Each step runs in its own interpreter so that one step's memory does not hide another's peak.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any


def measure(code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh Python: its wall and CPU seconds, peak RSS (MB) and printed JSON.

    The code may print one JSON object on its last line of stdout; it is returned as ``out``.
    A step that uses LeakTrace first sets up its process as the ``leaktrace`` command does
    (:func:`leaktrace.process.configure`, the allocator options, before Polars loads); a bare
    Polars step runs with Polars' own defaults, as a user's would.
    """
    if "leaktrace" in code:
        code = "from leaktrace.process import configure as _c\n_c()\n" + code
    tail = (
        "\nimport resource as _r\n_u = _r.getrusage(_r.RUSAGE_SELF)\n"
        "print('@@rss', _u.ru_maxrss, _u.ru_utime + _u.ru_stime)\n"
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code + tail], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark step failed:\n{proc.stderr[-2000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    _, rss_kb, cpu = lines.pop().split()
    out = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(float(cpu), 1),
        "peak_rss_mb": round(int(rss_kb) / 1024, 1),
        "out": out,
    }


def emit(**figures: Any) -> None:
    """Print one JSON line of figures."""
    print(json.dumps(figures, ensure_ascii=False), flush=True)
