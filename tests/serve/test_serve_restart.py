"""A real server (uvicorn in its own process) killed during a job: after a restart the job is
shown as interrupted and can be run again, and nothing else is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.serve.conftest import PASSWORD, free_port, make_workspace

from leaktrace.synth import write_large_csv

LEAKTRACE = str(Path(sys.executable).parent / "leaktrace")


class Server:
    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [LEAKTRACE, "serve", "--workspace", str(self.workspace), "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/", timeout=1)
                return
            except httpx.HTTPError:
                if self.proc.poll() is not None:
                    out = self.proc.stdout.read().decode() if self.proc.stdout else ""
                    raise RuntimeError(out) from None
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    make_workspace(tmp_path / "ws").close()
    s = Server(tmp_path / "ws")
    yield s
    s.stop()


def login(url: str) -> tuple[httpx.Client, dict[str, str]]:
    http = httpx.Client(base_url=url, timeout=120)
    r = http.post("/api/login", json={"name": "alice", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return http, {"X-CSRF-Token": r.json()["csrf"]}


def test_a_job_cut_off_by_a_restart_is_interrupted_and_can_run_again(
    server: Server, tmp_path: Path
) -> None:
    big = write_large_csv(tmp_path / "large.csv", rows=300_000, seed=3)
    server.start()
    http, h = login(server.url)
    case = http.post("/api/cases", json={"name": "重启案"}, headers=h).json()["id"]
    small = "姓名,手机号\n张三,13812345678\n".encode()
    with big.open("rb") as fh:
        r = http.post(
            f"/api/cases/{case}/evidence", params={"name": "large.csv"}, content=fh, headers=h
        )
    assert r.status_code == 201, r.text
    assert (
        http.post(
            f"/api/cases/{case}/evidence", params={"name": "a.csv"}, content=small, headers=h
        ).status_code
        == 201
    )
    job = http.post(f"/api/cases/{case}/jobs", json={"kind": "count"}, headers=h).json()["job"]
    deadline = time.monotonic() + 120
    while True:
        state = http.get(f"/api/jobs/{job}").json()
        if state["status"] == "running" and state["rows_done"] > 0:
            break
        assert state["status"] in ("queued", "running"), state
        assert time.monotonic() < deadline, "the job never got going"
        time.sleep(0.05)
    server.kill()

    server.start()
    http, h = login(server.url)
    state = http.get(f"/api/jobs/{job}").json()
    assert state["status"] == "interrupted"
    assert state["error"]
    evidence = http.get(f"/api/cases/{case}/evidence").json()["evidence"]
    assert sorted(e["path"] for e in evidence) == ["evidence/a.csv", "evidence/large.csv"]
    page = http.get(f"/cases/{case}")
    assert "已中断" in page.text and "重新运行" in page.text
    again = http.post(f"/api/cases/{case}/jobs", json={"kind": "count"}, headers=h).json()["job"]
    deadline = time.monotonic() + 240
    while (state := http.get(f"/api/jobs/{again}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert state["status"] == "done", state
    counts = http.get(f"/api/cases/{case}/counts").json()["count"]
    assert counts["records_read"] == 300_001
    server.stop()
    check = subprocess.run(
        [LEAKTRACE, "audit-log", "verify", "--workspace", str(server.workspace)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert os.path.exists(server.workspace / "workspace.db")


def test_the_app_stops_its_job_pool_through_the_lifespan_without_deprecated_hooks(
    tmp_path: Path,
) -> None:
    import warnings

    from fastapi.testclient import TestClient

    from leaktrace.serve import create_app

    ws = make_workspace(tmp_path / "ws")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)  # FastAPI's on_event warns
            app = create_app(ws)
            with TestClient(app) as client:  # runs the lifespan: startup, then shutdown
                assert client.get("/").status_code == 200
                app.state.runner.pool.submit(int).result()
        with pytest.raises(RuntimeError):  # shut down: takes no more jobs
            app.state.runner.pool.submit(int)
    finally:
        ws.close()
