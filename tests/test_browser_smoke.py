"""The shared browser fixture works: a local page with Chinese text renders offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_browser_renders_local_chinese_page(browser_page: Any, tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text('<meta charset="utf-8"><h1>情节严重</h1>', encoding="utf-8")
    browser_page.goto(page.as_uri())
    assert browser_page.inner_text("h1") == "情节严重"
