"""The workspace under load: a 1 GB upload, scan and count as jobs against the CLI, the search
index, and the time of every page of the case.

Targets (issue 16): a 1 GB upload streams with the server's memory under 500 MB; a scan or a
count run from the workspace takes at most 10% longer than the CLI on the same files; pages of a
large case open in under 1 s (they are paginated and never load all rows).

    .venv/bin/python bench/bench_serve.py                        # 1 GB upload, 2 million rows
    .venv/bin/python bench/bench_serve.py --rows 13000000        # the issue's large case

The evidence is ``bench_count.py``'s: ``--rows`` records in ``--files`` CSVs from
``leaktrace.synth.write_large_csv`` (10% of rows repeated across files, 2% untrue), generated once
into ``--out``. A real server (``leaktrace serve``) runs in its own process; its peak RSS is read
from ``/proc/<pid>/status`` (VmHWM). The CLI runs in a fresh process on the files the workspace
holds, so both read the same bytes from the page cache. The searches look up an ID number, a
mobile (written with dashes) and a name + room of a row of the evidence; no value is printed.
Prints JSON lines.
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
import polars as pl

from _util import emit
from bench_count import count_files
from leaktrace.serve import Workspace

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


def _queries(path: Path) -> dict[str, str]:
    """An ID number, a mobile and a name + room from a row in the middle of ``path``."""
    table = pl.scan_csv(path, infer_schema=False)
    middle = table.select(pl.len()).collect().item() // 2
    rows = table.slice(middle, 200).collect()
    row = rows.filter(pl.col("手机号").str.contains("-")).row(0, named=True)
    return {
        "id": row["身份证号"],
        "mobile": row["手机号"],
        "name_room": f"{row['姓名']} {row['房号']}",
    }


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
    parser.add_argument("--upload-mb", type=int, default=1024, help="0 skips the upload step.")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--repeat", type=int, default=2, help="Runs of each job and CLI verb.")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    _folder, paths = count_files(out, args.rows, args.files, args.seed)
    workspace = out / f"serve_ws_{os.getpid()}"
    ws = Workspace.open(workspace)
    ws.add_user("bench", "investigator", PASSWORD)
    ws.close()
    server = Server(workspace)
    try:
        emit(step="server", idle_peak_rss_mb=_peak_rss_mb(server.proc.pid))
        if args.upload_mb:
            blob = out / f"serve_upload_{args.upload_mb}mb.bin"
            if not blob.exists() or blob.stat().st_size != args.upload_mb << 20:
                chunk = os.urandom(1 << 20)
                with blob.open("wb") as fh:
                    for _ in range(args.upload_mb):
                        fh.write(chunk)
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
        for path in paths:
            _upload(server, case, Path(path))
        evidence = next((workspace / "cases").glob("*/evidence/" + Path(paths[0]).name)).parent
        emit(
            step="evidence",
            rows=args.rows,
            files=len(paths),
            mb=round(sum(Path(p).stat().st_size for p in paths) / 1e6, 1),
        )
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
        emit(
            step="index",
            rows=args.rows,
            wall_s=index["wall_s"],
            index_mb=round(
                next((workspace / "cases").glob("*/work/search.parquet")).stat().st_size / 1e6, 1
            ),
            server_peak_rss_mb=_peak_rss_mb(server.proc.pid),
        )
        q = _queries(Path(paths[min(2, len(paths) - 1)]))
        found = {
            name: server.http.get(f"/api/cases/{case}/search", params={"q": text}).json()["total"]
            for name, text in q.items()
        }
        emit(step="search hits", **found)
        if not all(found.values()):
            raise RuntimeError(f"a search found nothing: {found}")
        pages = {
            "case": f"/cases/{case}",
            "evidence_page_2": f"/cases/{case}?offset=50",
            "scan": f"/cases/{case}/scan",
            "counts": f"/cases/{case}/counts",
            "search_page": f"/cases/{case}/search",
            "search_id": f"/cases/{case}/search?q={q['id']}",
            "search_mobile": f"/cases/{case}/search?q={q['mobile']}",
            "search_name_room": f"/cases/{case}/search?q={q['name_room']}",
            "audit": f"/cases/{case}/audit",
            "api_case": f"/api/cases/{case}",
            "api_evidence": f"/api/cases/{case}/evidence",
            "api_jobs": f"/api/cases/{case}/jobs",
            "api_scan": f"/api/cases/{case}/scan",
            "api_counts": f"/api/cases/{case}/counts",
            "api_search_id": f"/api/cases/{case}/search?q={q['id']}",
            "api_search_mobile": f"/api/cases/{case}/search?q={q['mobile']}",
            "api_search_name_room": f"/api/cases/{case}/search?q={q['name_room']}",
        }
        times = {name: _page_ms(server, url) for name, url in pages.items()}
        emit(
            step="pages",
            rows=args.rows,
            median_ms=times,
            slowest_ms=max(times.values()),
            target_ms=1000,
            server_peak_rss_mb=_peak_rss_mb(server.proc.pid),
        )
        start = time.perf_counter()
        shown = server.post(
            f"/api/cases/{case}/unmask", json={"q": q["mobile"], "reason": "基准测试 benchmark"}
        )
        emit(
            step="unmask",
            rows=args.rows,
            hits=len(shown["hits"]),
            wall_ms=round((time.perf_counter() - start) * 1000, 1),
            note="reads the evidence rows behind the hits",
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
