"""The trade-chain view: the HTML page in a real headless Chromium, and the static SVG.

The chain is the story's shape: an insider (王某) sells one list to three buyers; a reseller
(李某) merges it with a second source's list and resells it; one sale is only inferred from the
overlap of two seized lists; a buyer sells back to the reseller, which closes a cycle.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from leaktrace.chain.view import render_html, render_svg
from leaktrace.errors import UsageError
from leaktrace.law import Facts, assess, load_policy

SVG = "{http://www.w3.org/2000/svg}"


def _party(
    name: str,
    role: str,
    legal_role: str,
    *,
    obtained: int,
    sold: int = 0,
    provided: int = 0,
    gains: int = 0,
) -> dict[str, Any]:
    # Items as Art. 11 counts them: every sale counts again, so a list sold twice counts twice.
    items = {"sensitive": 0, "important": max(obtained, sold + provided), "ordinary": 0}
    facts = Facts(role=legal_role, items=items, illegal_gains_yuan=gains)
    return {
        "name": name,
        "role": role,
        "legal_role": legal_role,
        "obtained": obtained,
        "sold": sold,
        "provided": provided,
        "items": items,
        "by_category": {"other_safety": items["important"]},
        "gains_yuan": gains,
        "finding": assess(facts, load_policy()).to_json(),
    }


def _transfer(
    seller: str,
    buyer: str,
    date: str | None,
    items: int,
    price: float | None,
    *,
    inferred: bool = False,
    containment: float | None = None,
) -> dict[str, Any]:
    return {
        "seller": seller,
        "buyer": buyer,
        "date": date,
        "items": items,
        "price_yuan": price,
        "channel": "微信" if not inferred else None,
        "evidence": [f"evidence/{seller}-{buyer}.csv"],
        "inferred": inferred,
        "containment": containment,
    }


def story_chain() -> dict[str, Any]:
    """Seven parties (周某 is outside the case), seven transfers, one of them inferred, a cycle."""
    policy = load_policy()
    return {
        "case": "业主信息案",
        "policy": {"name": policy.name, "sha256": policy.sha256},
        "parties": [
            _party(
                "王某", "source", "insider", obtained=2000, sold=4000, provided=2000, gains=12000
            ),
            _party("孙某", "source", "outsider", obtained=1500, sold=1500, gains=3000),
            _party("李某", "reseller", "outsider", obtained=3700, sold=3200, gains=3000),
            _party("某装修公司", "buyer", "lawful_business_buyer", obtained=2000),
            _party("赵某", "buyer", "outsider", obtained=2000),
            _party("钱某", "buyer", "outsider", obtained=3200, sold=200, gains=500),
        ],
        "transfers": [
            _transfer("王某", "李某", "2026-03-01", 2000, 6000),
            _transfer("王某", "某装修公司", "2026-03-05", 2000, 6000),
            _transfer("王某", "赵某", "2026-03-09", 2000, None),
            _transfer("孙某", "李某", "2026-03-20", 1500, 3000),
            _transfer("李某", "钱某", "2026-04-02", 3200, 3000),
            _transfer("李某", "周某", None, 2900, None, inferred=True, containment=0.874),
            _transfer("钱某", "李某", "2026-04-20", 200, 500),
        ],
        "paths": [
            {"parties": ["王某", "李某", "钱某"], "dates": ["2026-03-01", "2026-04-02"]},
        ],
        "issues": [
            {
                "kind": "cycle",
                "message": "李某 → 钱某 → 李某：交易形成循环",
                "parties": ["李某", "钱某"],
            }
        ],
    }


@pytest.fixture(scope="module")
def chain() -> dict[str, Any]:
    return story_chain()


def _open(page: Any, tmp_path: Path, html: str) -> None:
    path = tmp_path / "chain.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function("() => window.cy && window.cy.nodes().length > 0")


def _click_node(page: Any, name: str) -> None:
    """A real mouse click where cytoscape drew the party."""
    box = page.locator("#cy").bounding_box()
    point = page.evaluate(
        "(name) => cy.nodes().filter(n => n.data('name') === name)[0].renderedPosition()", name
    )
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


# ---- in the browser ----------------------------------------------------------------------


def test_page_draws_every_party_and_transfer_offline(
    browser_page: Any, tmp_path: Path, chain: dict[str, Any]
) -> None:
    _open(browser_page, tmp_path, render_html(chain))
    assert browser_page.evaluate("cy.nodes().length") == 7
    assert browser_page.evaluate("cy.edges().length") == 7
    outsider = browser_page.evaluate("cy.nodes().filter(n => n.data('name') === '周某')[0].data()")
    assert outsider["role"] == "outside"  # 案外人: in a transfer, no party of the case
    inferred = browser_page.evaluate("cy.edges('.inferred').map(e => e.data('label'))")
    assert inferred == ["日期不详 · 2,900 条\n推断 · 重合 87.4%"]
    assert browser_page.evaluate("cy.edges().map(e => e.data('label'))")[0] == (
        "2026-03-01 · 2,000 条 · ¥6,000"
    )
    assert "交易成环 李某 → 钱某 → 李某：交易形成循环" in browser_page.inner_text(".issues")
    assert browser_page.inner_text("h1").startswith("交易链")
    browser_page.screenshot(path=str(tmp_path / "chain-view.png"), full_page=True)
    assert (tmp_path / "chain-view.png").stat().st_size > 20_000


def test_layout_runs_left_to_right_from_the_sources(
    browser_page: Any, tmp_path: Path, chain: dict[str, Any]
) -> None:
    _open(browser_page, tmp_path, render_html(chain))
    x = browser_page.evaluate(
        "Object.fromEntries(cy.nodes().map(n => [n.data('name'), n.position('x')]))"
    )
    assert x["王某"] == x["孙某"] < x["李某"] < x["钱某"]
    assert x["王某"] < x["赵某"]


def test_clicking_a_party_shows_its_counts_and_finding(
    browser_page: Any, tmp_path: Path, chain: dict[str, Any]
) -> None:
    _open(browser_page, tmp_path, render_html(chain))
    _click_node(browser_page, "王某")
    panel = browser_page.inner_text("#details")
    assert "王某" in panel
    assert "内部人员" in panel
    assert "获取\n2,000 条" in panel
    assert "出售\n4,000 条" in panel
    assert "¥12,000" in panel
    assert "认定：情节特别严重" in panel  # an insider with 6,000 important items: ≥ 500 × 0.5 × 10
    assert "《解释》第五条第二款第（三）项" in panel
    colour = browser_page.evaluate(
        "getComputedStyle(document.querySelector('#details .finding h3')).color"
    )
    assert colour == "rgb(192, 57, 43)"


def test_clicking_a_party_outside_the_case_says_so(
    browser_page: Any, tmp_path: Path, chain: dict[str, Any]
) -> None:
    _open(browser_page, tmp_path, render_html(chain))
    _click_node(browser_page, "周某")
    panel = browser_page.inner_text("#details")
    assert "不是本案当事人" in panel
    assert "← 李某 · 日期不详 · 2,900 条" in panel


def test_selecting_a_transfer_shows_how_it_was_inferred(
    browser_page: Any, tmp_path: Path, chain: dict[str, Any]
) -> None:
    _open(browser_page, tmp_path, render_html(chain))
    browser_page.evaluate("() => { cy.edges('.inferred')[0].emit('tap'); }")
    panel = browser_page.inner_text("#details")
    assert "李某 → 周某" in panel
    assert "推断依据\n是（由名单重合推断） · 重合 87.4%" in panel
    assert "evidence/李某-周某.csv" in panel


def test_print_shows_the_static_picture(
    browser_page: Any, tmp_path: Path, chain: dict[str, Any]
) -> None:
    _open(browser_page, tmp_path, render_html(chain))
    assert not browser_page.is_visible(".static-graph svg")
    browser_page.emulate_media(media="print")
    assert browser_page.is_visible(".static-graph svg")
    assert not browser_page.is_visible("#cy")
    assert not browser_page.is_visible("#time")
    assert browser_page.is_visible(".parties table")


def test_time_slider_hides_later_transfers(
    browser_page: Any, tmp_path: Path, chain: dict[str, Any]
) -> None:
    _open(browser_page, tmp_path, render_html(chain))
    slider = browser_page.locator("#time")
    assert slider.get_attribute("max") == "6"  # six dates, and "all"
    slider.fill("1")  # up to 2026-03-05
    browser_page.wait_for_function(
        "() => cy.edges(':visible').length < 7"
    )  # styles apply on a frame
    visible = browser_page.evaluate("cy.edges(':visible').map(e => e.data('date'))")
    assert visible == ["2026-03-01", "2026-03-05", None]  # undated transfers stay
    assert browser_page.inner_text("#time-label") == "截至 2026-03-05"
    faded = browser_page.evaluate("cy.nodes('.faded').map(n => n.data('name')).sort()")
    assert faded == sorted(["孙某", "赵某", "钱某"])
    slider.fill("6")
    browser_page.wait_for_function("() => cy.edges(':visible').length === 7")
    assert browser_page.inner_text("#time-label") == "全部"


def test_pointing_at_a_path_or_issue_marks_its_parties(
    browser_page: Any, tmp_path: Path, chain: dict[str, Any]
) -> None:
    _open(browser_page, tmp_path, render_html(chain))
    flagged = "() => cy.$('.flagged').map(e => e.isNode() ? e.data('name') : e.id()).sort()"
    browser_page.hover(".paths li")
    assert browser_page.inner_text(".paths li") == "王某 → 李某 → 钱某\n2026-03-01 → 2026-04-02"
    assert browser_page.evaluate(flagged) == sorted(["e0", "e4", "王某", "李某", "钱某"])
    browser_page.hover(".issues li")
    assert browser_page.evaluate(flagged) == sorted(["李某", "钱某"])


def test_english_page(browser_page: Any, tmp_path: Path, chain: dict[str, Any]) -> None:
    _open(browser_page, tmp_path, render_html(chain, lang="en"))
    _click_node(browser_page, "李某")
    panel = browser_page.inner_text("#details")
    assert "reseller" in panel
    assert "obtained\n3,700 items" in panel
    assert browser_page.evaluate("document.documentElement.lang") == "en"
    font = browser_page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith('"Noto Sans CJK SC"')  # the inlined style sheet applies


def test_a_hostile_party_name_is_shown_not_run(browser_page: Any, tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    chain = story_chain()
    chain["parties"][0]["name"] = evil
    for transfer in chain["transfers"]:
        if transfer["seller"] == "王某":
            transfer["seller"] = evil
    chain["issues"][0]["message"] = '<img src=x onerror="alert(2)">'
    chain["case"] = "</title><script>alert(3)</script>"
    dialogs: list[str] = []
    browser_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open(browser_page, tmp_path, render_html(chain))
    _click_node(browser_page, evil)
    assert evil in browser_page.inner_text("#details")
    assert '<img src=x onerror="alert(2)">' in browser_page.inner_text(".issues")
    assert browser_page.locator("img").count() == 0
    assert browser_page.evaluate("document.scripts.length") == 3  # data, cytoscape, view
    assert dialogs == []


# ---- without a browser -------------------------------------------------------------------


def test_page_is_self_contained(chain: dict[str, Any]) -> None:
    html = render_html(chain)
    assert "<script src" not in html
    assert "<link" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "url(http" not in html
    assert "default-src 'none'" in html  # the page may not fetch anything


def test_svg_has_one_node_per_party_and_labelled_edges(chain: dict[str, Any]) -> None:
    root = ET.fromstring(render_svg(chain))
    nodes = root.findall(f".//{SVG}g[@class='nodes']/{SVG}g")
    names = [g.find(f"{SVG}text").text for g in nodes]
    assert sorted(names) == sorted(["王某", "孙某", "李某", "某装修公司", "赵某", "钱某", "周某"])
    labels = [
        " | ".join(t.text for t in g.findall(f"{SVG}text"))
        for g in root.findall(f".//{SVG}g[@class='edge-label']")
    ]
    assert "2026-03-01 · 2,000 条 · ¥6,000" in labels
    assert "日期不详 · 2,900 条 | 推断 · 重合 87.4%" in labels
    paths = root.findall(f".//{SVG}path[@class='edge']")
    assert len(paths) == 7
    assert [p.get("stroke-dasharray") for p in paths].count("6 4") == 1


def test_svg_colours_nodes_by_role_and_rings_them_by_finding(chain: dict[str, Any]) -> None:
    root = ET.fromstring(render_svg(chain))
    circles = {
        g.find(f"{SVG}text").text: g.find(f"{SVG}circle")
        for g in root.findall(f".//{SVG}g[@class='nodes']/{SVG}g")
    }
    assert circles["王某"].get("fill") == "#7d3c98"  # source
    assert circles["李某"].get("fill") == "#1e8449"  # reseller
    assert circles["周某"].get("fill") == "#909497"  # outside the case
    assert circles["王某"].get("stroke") == "#c0392b"  # especially serious


def test_a_name_outside_the_case_is_an_outsider_and_a_party_without_trade_is_other(
    chain: dict[str, Any],
) -> None:
    # 周某 appears only in a transfer: 案外人; a party who neither sold nor bought: 其他
    chain = story_chain()
    idle = dict(chain["parties"][0], name="吴某", role="other")
    chain["parties"].append(idle)
    root = ET.fromstring(render_svg(chain))
    titles = {t.text for t in root.iter(f"{SVG}title")}
    assert {"周某 · 案外人", "吴某 · 其他"} <= titles
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert "案外人" in legend and "其他" in legend
    english = {t.text for t in ET.fromstring(render_svg(chain, lang="en")).iter(f"{SVG}title")}
    assert {"周某 · outside the case", "吴某 · other"} <= english


def test_svg_escapes_names(chain: dict[str, Any]) -> None:
    chain = story_chain()
    chain["parties"][1]["name"] = "<b>&孙某</b>"
    svg = render_svg(chain)
    assert "<b>" not in svg
    names = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "<b>&孙某</b>" in names


def test_a_chain_of_thirty_parties_fits_one_screen() -> None:
    """One seller with 24 buyers: the buyers' column is staggered, not a tall thin line."""
    buyers = [f"买家{i:02d}" for i in range(24)]
    chain = {
        "case": None,
        "policy": {"name": "p", "sha256": "0" * 64},
        "parties": [_party("甲某", "source", "insider", obtained=2000, sold=48_000)],
        "transfers": [
            _transfer("甲某", "乙某", "2026-01-01", 2000, 4000),
            *(
                _transfer("乙某" if i % 2 else "甲某", b, None, 2000, 100)
                for i, b in enumerate(buyers)
            ),
            _transfer("乙某", "丙某", "2026-02-01", 2000, 4000),
            _transfer("丙某", "丁某", "2026-03-01", 2000, 4000),
            _transfer("丁某", "戊某", "2026-03-01", 2000, 4000),
        ],
    }
    root = ET.fromstring(render_svg(chain))
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    assert 0.8 < width / height < 3
    centres = [
        (float(c.get("cx", 0)), float(c.get("cy", 0)))
        for c in root.findall(f".//{SVG}g[@class='nodes']//{SVG}circle")
    ]
    assert len(centres) == 29
    closest = min(math.dist(a, b) for i, a in enumerate(centres) for b in centres[i + 1 :])
    assert closest >= 100  # room for a two-line label between any two parties


def test_unknown_language_is_a_usage_error(chain: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match="fr"):
        render_html(chain, lang="fr")


def test_a_chain_without_transfers_still_draws() -> None:
    chain = {
        "case": None,
        "policy": {"name": "p", "sha256": "0" * 64},
        "parties": [],
        "transfers": [],
    }
    assert "<svg" in render_svg(chain)
    assert 'id="time"' in render_html(chain)
