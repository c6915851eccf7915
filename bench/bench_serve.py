"""The workspace under load: a 1 GB upload, scan and count as jobs against the CLI, page times.

Targets (issue 16): a 1 GB upload streams with the server's memory under 500 MB; a scan or a
count run from the workspace takes at most 10% longer than the CLI on the same files; pages of a
large case open in under 1 s (they are paginated and never load all rows).

    .venv/bin/python bench/bench_serve.py                        # 1 GB upload, 2 million rows
    .venv/bin/python bench/bench_serve.py --rows 13000000        # the issue's large case

A real server (``leaktrace serve``) runs in its own process; its peak RSS is read from
``/proc/<pid>/status`` (VmHWM). The CLI runs in a fresh process on the files the workspace holds,
so both read the same bytes from the page cache. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from _util import emit
from leaktrace.serve import Workspace
from leaktrace.synth import write_large_csv

LEAKTRACE = str(Path(sys.executable).parent / "leaktrace")
PASSWORD = "bench password 1"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM")


class Server:
    def __init__(self, workspace: Path) -> None:
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [LEAKTRACE, "serve", "--workspace", str(workspace), "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(600):
            try:
                httpx.get(self.url + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        self.http = httpx.Client(base_url=self.url, timeout=3600)
        r = self.http.post("/api/login", json={"name": "bench", "password": PASSWORD})
        r.raise_for_status()
        self.headers = {"X-CSRF-Token": r.json()["csrf"]}

    def post(self, url: str, **kw: Any) -> Any:
        r = self.http.post(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)
        r.raise_for_status()
        return r.json()

    def job(self, case: int, kind: str) -> dict[str, Any]:
        start = time.perf_counter()
        job = self.post(f"/api/cases/{case}/jobs", json={"kind": kind})["job"]
        while True:
            state = self.http.get(f"/api/jobs/{job}").json()
            if state["status"] not in ("queued", "running"):
                break
            time.sleep(0.05)
        if state["status"] != "done":
            raise RuntimeError(f"{kind} job: {state['error']}")
        return {"wall_s": round(time.perf_counter() - start, 2), **state}

    def idle(self, case: int) -> None:
        """Wait until no job of the case is queued or running (a scan queues an index job)."""
        while any(
            j["status"] in ("queued", "running")
            for j in self.http.get(f"/api/cases/{case}/jobs").json()["jobs"]
        ):
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


def _cli(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([LEAKTRACE, *args, "--json"], stdout=subprocess.DEVNULL, check=True)
    return round(time.perf_counter() - start, 2)


def _upload(server: Server, case: int, path: Path) -> dict[str, Any]:
    start = time.perf_counter()
    with path.open("rb") as fh:
        out = server.post(
            f"/api/cases/{case}/evidence",
            params={"name": path.name},
            content=fh,
            headers={"Content-Length": str(path.stat().st_size)},
        )
    return {"wall_s": round(time.perf_counter() - start, 2), "sha256": out["sha256"]}


def _page_ms(server: Server, url: str, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        r = server.http.get(url)
        times.append(time.perf_counter() - start)
        r.raise_for_status()
    return round(statistics.median(times) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upload-mb", type=int, default=1024)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--repeat", type=int, default=2, help="Runs of each job and CLI verb.")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rows_csv = out / f"serve_{args.rows}.csv"
    if not rows_csv.exists():
        write_large_csv(rows_csv, rows=args.rows, seed=16)
    blob = out / f"serve_upload_{args.upload_mb}mb.bin"
    if not blob.exists() or blob.stat().st_size != args.upload_mb << 20:
        chunk = os.urandom(1 << 20)
        with blob.open("wb") as fh:
            for _ in range(args.upload_mb):
                fh.write(chunk)
    workspace = out / f"serve_ws_{os.getpid()}"
    ws = Workspace.open(workspace)
    ws.add_user("bench", "investigator", PASSWORD)
    ws.close()
    server = Server(workspace)
    try:
        emit(step="server", idle_peak_rss_mb=_peak_rss_mb(server.proc.pid))
        blob_case = server.post("/api/cases", json={"name": "upload"})["id"]
        up = _upload(server, blob_case, blob)
        emit(
            step="upload",
            mb=args.upload_mb,
            wall_s=up["wall_s"],
            mb_per_s=round(args.upload_mb / up["wall_s"], 1),
            server_peak_rss_mb=_peak_rss_mb(server.proc.pid),
            target_mb=500,
        )
        case = server.post("/api/cases", json={"name": "large"})["id"]
        _upload(server, case, rows_csv)
        evidence = next((workspace / "cases").glob("*/evidence/" + rows_csv.name))
        for verb in ("scan", "count"):
            cli, job = [], []
            for _ in range(args.repeat):  # alternated, so drift in the machine's load hits both
                server.idle(case)
                cli.append(_cli(verb, str(evidence)))
                job.append(server.job(case, verb)["wall_s"])
            server.idle(case)
            emit(
                step=verb,
                rows=args.rows,
                cli_wall_s=cli,
                workspace_wall_s=job,
                ratio=round(min(job) / min(cli), 3),
                target_ratio=1.10,
            )
        server.idle(case)
        index = server.job(case, "index")
        emit(step="index", rows=args.rows, wall_s=index["wall_s"])
        pages = {
            "case": f"/cases/{case}",
            "scan": f"/cases/{case}/scan",
            "counts": f"/cases/{case}/counts",
            "search": f"/cases/{case}/search?q=13812345678",
            "api_evidence": f"/api/cases/{case}/evidence",
            "api_counts": f"/api/cases/{case}/counts",
            "api_jobs": f"/api/cases/{case}/jobs",
        }
        emit(
            step="pages",
            rows=args.rows,
            median_ms={name: _page_ms(server, url) for name, url in pages.items()},
            target_ms=1000,
            server_peak_rss_mb=_peak_rss_mb(server.proc.pid),
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
