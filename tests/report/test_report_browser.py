"""The demo's HTML report in a real headless browser: sections, numbers, charts, Chinese."""

from __future__ import annotations

import math
from typing import Any

import pytest

from leaktrace.report._html import fmt_number

SECTIONS = ("summary", "manifest", "counting", "tracing", "chain", "method")


def _at(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


@pytest.fixture
def page(browser_page: Any, demo: Any) -> Any:
    assert demo.exit_code == 0, demo.stdout
    browser_page.goto((demo.reports / "report.html").as_uri())
    return browser_page


def test_report_has_every_section_in_order(page: Any) -> None:
    ids = page.eval_on_selector_all("main > section", "els => els.map(e => e.id)")
    assert tuple(ids) == SECTIONS
    for section in SECTIONS:
        assert page.locator(f"#{section} h2").is_visible()


def test_every_number_shown_is_the_json_reports_number(page: Any, demo: Any) -> None:
    data = demo.json()
    cells = page.eval_on_selector_all(
        "[data-json]", "els => els.map(e => [e.dataset.json, e.textContent.trim()])"
    )
    assert len(cells) > 200
    for path, text in cells:
        assert text == fmt_number(_at(data, path)), path


def test_party_table_holds_every_party_with_its_finding(page: Any, demo: Any) -> None:
    data = demo.json()
    rows = page.eval_on_selector_all(
        "#party-table tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))",
    )
    assert [r[0] for r in rows] == [p["name"] for p in data["parties"]]
    levels = {
        "none": "未达情节严重标准",
        "serious": "情节严重",
        "especially_serious": "情节特别严重",
    }
    for row, party in zip(rows, data["parties"], strict=True):
        assert row[3:6] == [
            f"{party['items'][t]:,}" for t in ("sensitive", "important", "ordinary")
        ]
        assert row[-1] == levels[party["finding"]["level"]]
    chen = next(p for p in data["parties"] if p["name"] == "陈某")
    assert chen["finding"]["level"] == "especially_serious"
    assert page.locator("#party-0 .grounds td.cite").count() == len(chen["finding"]["grounds"])


def test_tier_chart_is_an_svg_with_one_bar_per_party_and_tier(page: Any, demo: Any) -> None:
    data = demo.json()
    bars = page.eval_on_selector_all(
        "#summary svg#chart-tiers rect.bar",
        "els => els.map(e => [e.dataset.party, e.dataset.tier, +e.dataset.value,"
        " e.getBoundingClientRect().width])",
    )
    expected = [
        (p["name"], t, p["items"][t])
        for p in data["parties"]
        for t in ("sensitive", "important", "ordinary")
        if p["items"][t]
    ]
    assert [tuple(b[:3]) for b in bars] == expected
    assert all(b[3] > 0 for b in bars)
    widest = max(bars, key=lambda b: b[2])
    assert math.isclose(widest[3], max(b[3] for b in bars))


def test_overlap_heat_map_has_a_cell_per_pair_of_files(page: Any, demo: Any) -> None:
    counting = demo.json()["counting"]
    files = [f for f in counting["files"] if sum(f["items"].values())]
    cells = page.eval_on_selector_all(
        "#counting svg#chart-overlap rect.cell",
        "els => els.map(e => [e.dataset.a, e.dataset.b, +e.dataset.value])",
    )
    assert len(cells) == len(files) ** 2
    shared = {(c[0], c[1]): c[2] for c in cells}
    for o in counting["overlaps"]:
        assert shared[(o["a"], o["b"])] == shared[(o["b"], o["a"])] == o["items"]


def test_tracing_names_the_leaker_with_the_bound(page: Any, demo: Any) -> None:
    trace = demo.json()["traces"][0]
    assert [a["recipient"] for a in trace["accused"]] == ["客服部-赵某"]
    section = page.locator("#tracing").inner_text()
    assert "客服部-赵某" in section
    assert "1e-06" in section
    assert page.locator("#tracing .evidence-rows tbody tr").count() == len(
        trace["accused"][0]["evidence"]
    )


def test_chain_picture_and_transfers_are_shown(page: Any, demo: Any) -> None:
    data = demo.json()
    assert page.locator("#chain svg").count() >= 1
    chain_text = page.locator("#chain svg").first.text_content()
    for party in data["parties"]:
        assert party["name"] in chain_text
    assert page.locator("#transfers-table tbody tr").count() == len(data["chain"]["transfers"])


def test_chinese_renders_with_a_cjk_font(page: Any) -> None:
    assert page.evaluate("document.characterSet") == "UTF-8"
    assert page.inner_text("h1") == "侵犯公民个人信息案件证据报告"
    # A CJK glyph is about as wide as it is tall; a missing font falls back to boxes or nothing.
    width = page.evaluate(
        "(() => { const s = document.createElement('span'); s.style.fontSize = '40px';"
        " s.textContent = '情节严重'; document.body.appendChild(s);"
        " const w = s.getBoundingClientRect().width; s.remove(); return w; })()"
    )
    assert 140 <= width <= 180


def test_report_prints_to_a4_pdf(page: Any) -> None:
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
