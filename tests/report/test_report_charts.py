"""The report's SVG charts, drawn in Python: what is drawn is the data given."""

from __future__ import annotations

import re
from typing import Any

from leaktrace.report._charts import overlap_heatmap, tier_bars

TIERS = {"sensitive": "敏感", "important": "重要", "ordinary": "普通"}


def _party(name: str, level: str, **items: int) -> dict[str, Any]:
    full = {t: items.get(t, 0) for t in TIERS}
    return {"name": name, "items": full, "finding": {"level": level}}


def test_tier_bars_draw_one_bar_per_nonzero_tier_scaled_to_the_largest() -> None:
    svg = tier_bars(
        [_party("陈某", "serious", important=4000, ordinary=1000), _party("吴某", "none")],
        TIERS,
        "items",
    )
    bars = re.findall(
        r'class="bar" data-party="([^"]+)" data-tier="(\w+)" data-value="(\d+)"'
        r'[^>]*width="([\d.]+)"',
        svg,
    )
    assert [(p, t, int(v)) for p, t, v, _ in bars] == [
        ("陈某", "important", 4000),
        ("陈某", "ordinary", 1000),
    ]
    widths = [float(w) for *_, w in bars]
    assert abs(widths[0] / widths[1] - 4) < 0.01


def test_heat_map_is_symmetric_and_leaves_out_files_without_items() -> None:
    files = [
        {"path": "evidence/a.csv", "items": {"important": 10}},
        {"path": "evidence/b.csv", "items": {"important": 6}},
        {"path": "evidence/empty.txt", "items": {"important": 0}},
    ]
    svg = overlap_heatmap(files, [{"a": "evidence/a.csv", "b": "evidence/b.csv", "items": 4}], "t")
    cells = re.findall(r'class="cell" data-a="([^"]+)" data-b="([^"]+)" data-value="(\d+)"', svg)
    assert {(a, b): int(v) for a, b, v in cells} == {
        ("evidence/a.csv", "evidence/a.csv"): 10,
        ("evidence/a.csv", "evidence/b.csv"): 4,
        ("evidence/b.csv", "evidence/a.csv"): 4,
        ("evidence/b.csv", "evidence/b.csv"): 6,
    }
