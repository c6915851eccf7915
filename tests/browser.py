"""A real headless browser for the tests of LeakTrace's HTML views (chain graph, report).

Debian's Chromium driven by Playwright (``playwright`` from PyPI, no browser download): the
browser is ``$LEAKTRACE_CHROMIUM`` or ``chromium`` on ``PATH``. Without one, browser tests are
skipped, unless ``LEAKTRACE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes them fail.

Use the ``browser_page`` fixture (registered in ``tests/conftest.py``)::

    def test_view(browser_page, tmp_path):
        browser_page.goto(html_path.as_uri())
        assert browser_page.locator("svg").count() > 0
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# Flags this machine needs: no sandbox as root, and no background connections to a closed
# network (each would be refused and retried).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("LEAKTRACE_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    exe = chromium_path()
    if exe is None or not os.path.exists(exe):
        if os.environ.get("LEAKTRACE_REQUIRE_BROWSER") == "1":
            pytest.fail("no Chromium found (LEAKTRACE_CHROMIUM or chromium on PATH)")
        pytest.skip("no Chromium on this machine (bash .ci/chromium.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    """A fresh page with no network: any request beyond file:// and data: fails the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not outside, f"the page tried to load from the network: {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"
