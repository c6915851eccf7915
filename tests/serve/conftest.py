"""Fixtures of the workspace tests: a workspace with four users, logged-in clients, the demo
case as a zip (built once per session from its fixed seed), and a real server for the browser."""

from __future__ import annotations

import socket
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leaktrace.serve import Workspace, create_app
from leaktrace.synth.demo import DemoCase, write_demo_case

PASSWORD = "correct horse 1"
USERS = {"alice": "investigator", "bob": "investigator", "rita": "reviewer", "root": "admin"}
DEMO_PARTS = ("case.toml", "evidence", "holder", "sources")
"""What of the demo folder goes into the zip: the case, not the report the demo also wrote."""


@pytest.fixture(scope="session")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> DemoCase:
    return write_demo_case(tmp_path_factory.mktemp("demo") / "case")


@pytest.fixture(scope="session")
def demo_zip(demo_case: DemoCase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demozip") / "演示案件.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in DEMO_PARTS:
            base = demo_case.dir / part
            files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
            for f in files:
                zf.write(f, f.relative_to(demo_case.dir).as_posix())
    return out


def make_workspace(root: Path, db: str | None = None) -> Workspace:
    ws = Workspace.open(root, db)
    for name, role in USERS.items():
        ws.add_user(name, role, PASSWORD)
    return ws


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = make_workspace(tmp_path / "ws")
    yield ws
    ws.close()


class Client:
    """A logged-in TestClient that sends its CSRF token on every state-changing call."""

    def __init__(self, app: Any, name: str) -> None:
        self.http = TestClient(app)
        r = self.http.post("/api/login", json={"name": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf"]
        self.name = name

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.http.post(url, headers=headers, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.http.put(url, headers=headers, **kw)

    def new_case(self, name: str = "测试案件") -> int:
        r = self.post("/api/cases", json={"name": name})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def upload(self, case_id: int, name: str, data: bytes, **params: Any) -> Any:
        query = {"name": name, **params}
        return self.post(
            f"/api/cases/{case_id}/evidence",
            params=query,
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    def run(self, case_id: int, kind: str, timeout: float = 240, **params: Any) -> dict[str, Any]:
        r = self.post(f"/api/cases/{case_id}/jobs", json={"kind": kind, **params})
        assert r.status_code == 202, r.text
        return self.wait(r.json()["job"], timeout)

    def wait(self, job_id: int, timeout: float = 240) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/api/jobs/{job_id}").json()
            if job["status"] not in ("queued", "running"):
                return dict(job)
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not finish in {timeout} s")


@pytest.fixture
def app(workspace: Workspace) -> Any:
    return create_app(workspace)


@pytest.fixture
def login(app: Any) -> Callable[[str], Client]:
    return lambda name: Client(app, name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving the app on a free port in a thread of the test process."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def live(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def server_page(browser: Any, live: LiveServer) -> Iterator[Any]:
    """A browser page that may reach the live server and nothing else on the network."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True
    )
    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith((live.url + "/", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base_url = live.url
    try:
        yield page
    finally:
        context.close()
    assert not outside, f"the page tried to load from the network: {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"
