"""The workspace in a real headless Chromium: log in, create a case, upload the demo as a zip,
watch the jobs finish, and see on the pages the numbers the CLI prints for the same files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.serve.conftest import PASSWORD
from tests.serve.test_serve_demo import cli_json

from leaktrace.synth.demo import DemoCase

LEVELS = {"none": "未达情节严重标准", "serious": "情节严重", "especially_serious": "情节特别严重"}


def wait_for_jobs(page: Any, want: int, timeout: float = 300) -> list[str]:
    """Until the job table lists ``want`` jobs and none is queued or running (the page polls and
    reloads itself as jobs finish); the statuses."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            statuses = page.eval_on_selector_all(
                "#job-table tbody tr", "rows => rows.map(r => r.dataset.status)"
            )
        except Exception:  # the page reloaded under us
            statuses = []
        if len(statuses) >= want and not {"queued", "running"} & set(statuses):
            return list(statuses)
        time.sleep(0.5)
    raise AssertionError(f"jobs did not finish: {statuses}")


def cells(page: Any, selector: str) -> list[list[str]]:
    return list(
        page.eval_on_selector_all(
            selector, "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))"
        )
    )


def test_a_case_from_login_to_report(
    server_page: Any, demo_zip: Path, demo_case: DemoCase, tmp_path: Path
) -> None:
    page = server_page
    base = page.base_url
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.fill('input[name="name"]', "alice")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(base + "/cases")

    page.fill('#new-case input[name="name"]', "演示案件")
    page.click("#new-case button")
    page.wait_for_selector("#upload")
    case_url = page.url

    page.set_input_files("#upload-input", str(demo_zip))
    page.wait_for_selector("#manifest tbody tr", timeout=120_000)
    paths = page.eval_on_selector_all("#manifest td.path", "els => els.map(e => e.textContent)")
    assert "evidence/赵某/业主登记.csv" in paths

    for kind in ("scan", "count", "assess", "chain", "report"):
        page.click(f'#jobs button[data-kind="{kind}"]')
        page.wait_for_load_state()
    assert set(wait_for_jobs(page, 6)) == {"done"}  # and the index the scan queued

    # counts per tier, as `leaktrace count --json` gives them on the same files
    count = cli_json("count", "evidence", cwd=demo_case.dir)
    page.goto(case_url + "/counts")
    tiers = {r[1]: r[2] for r in cells(page, "#tiers tr.total")}
    assert list(tiers.values()) == [
        f"{count['items'][t]:,}" for t in ("sensitive", "important", "ordinary")
    ]
    excluded = dict(r[:2] for r in cells(page, "#excluded tr"))
    assert excluded["重复"] == f"{count['excluded']['duplicate']:,}"

    # findings per party, as `leaktrace assess --case --json` gives them
    assess = cli_json("assess", "--case", ".", cwd=demo_case.dir)
    page.goto(case_url + "/findings")
    rows = cells(page, "#findings tbody tr")
    assert [r[0] for r in rows] == [p["party"] for p in assess["parties"]]
    for row, party in zip(rows, assess["parties"], strict=True):
        items = party["counts"]["items"]
        assert row[2:5] == [f"{items[t]:,}" for t in ("sensitive", "important", "ordinary")]
        assert row[5] == LEVELS[party["finding"]["level"]]

    # a party's grounds, with the arithmetic
    page.click('#findings tr[data-party="0"] a')
    page.wait_for_selector("#grounds")
    grounds = cells(page, "#grounds tbody tr")
    first = assess["parties"][0]["finding"]["grounds"]
    assert [(g[0], g[2]) for g in grounds] == [(g["provision"], g["why"]) for g in first]

    # the chain view is the library's own page, in a frame
    page.goto(case_url + "/chain")
    frame = page.frame_locator("iframe.chain-frame")
    frame.locator("body").wait_for()

    # trace the list seized from 吴某's phone
    page.goto(case_url + "/trace")
    page.select_option('#trace-form select[name="evidence"]', demo_case.leaked)
    page.click("#trace-form button")
    deadline = time.monotonic() + 180
    while not page.locator("#accused .recipient").count():
        assert time.monotonic() < deadline, "the trace did not finish"
        time.sleep(1)
        page.reload()
    assert page.locator("#accused .recipient").all_text_contents() == [demo_case.leaker]

    # search an ID: a mobile number, written 138-4340-4364 in 赵某's register
    page.goto(case_url + "/search")
    page.fill('#search-form input[name="q"]', "13843404364")
    page.click("#search-form button")
    page.wait_for_selector("#hits")
    hits = cells(page, "#hits tbody tr")
    assert ["evidence/赵某/业主登记.csv", "Sheet1", "2"] in [h[:3] for h in hits] or any(
        h[0] == "evidence/赵某/业主登记.csv" and h[2] == "2" for h in hits
    )
    assert all(h[4] == "138****4364" for h in hits)

    # download the report
    page.goto(case_url + "/reports")
    with page.expect_download() as info:
        page.click('a[data-report="report.xlsx"]')
    saved = tmp_path / "report.xlsx"
    info.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
