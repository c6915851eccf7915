"""Charts of the report as inline SVG, drawn in Python: no script is needed to see them.

Each chart is a small pure function from report data to SVG text. Shapes that carry a number
have ``class="bar"`` or ``class="cell"`` and a ``data-value`` attribute, so a test (or a
curious reader's browser) can check what was drawn against the JSON report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

TIER_COLOURS = {"sensitive": "#b3261e", "important": "#d9822b", "ordinary": "#3b6ea5"}
FONT = "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif"


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK characters are square, others about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def _clip(text: str, size: float, width: float) -> str:
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _fmt(n: float) -> str:
    return f"{n:,.0f}"


def tier_bars(parties: Sequence[dict[str, Any]], tiers: dict[str, str], title: str) -> str:
    """Horizontal bars: for each party, its items in each tier (tiers with none left out)."""
    rows = [
        (p["name"], [(t, p["items"][t]) for t in TIER_COLOURS if p["items"][t]]) for p in parties
    ]
    top = max((n for _, bars in rows for _, n in bars), default=0) or 1
    label_w, bar_w, bar_h, gap = 150.0, 640.0, 14.0, 4.0
    width = label_w + bar_w + 80
    y = 44.0
    parts: list[str] = []
    for name, bars in rows:
        block = max(len(bars), 1) * (bar_h + gap)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + block / 2 + 4:.1f}" text-anchor="end" '
            f'class="label">{escape(_clip(name, 12, label_w - 12))}</text>'
        )
        if not bars:
            parts.append(f'<text x="{label_w + 4}" y="{y + bar_h - 3:.1f}" class="muted">0</text>')
        for tier, n in bars:
            w = max(bar_w * n / top, 1.5)
            parts.append(
                f'<rect class="bar" data-party="{escape(name)}" data-tier="{tier}" '
                f'data-value="{n}" x="{label_w}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" '
                f'rx="2" fill="{TIER_COLOURS[tier]}"><title>{escape(name)} · '
                f"{escape(tiers[tier])}: {_fmt(n)}</title></rect>"
                f'<text x="{label_w + w + 5:.1f}" y="{y + bar_h - 3:.1f}" class="value">'
                f"{_fmt(n)}</text>"
            )
            y += bar_h + gap
        if not bars:
            y += bar_h + gap
        y += 8
    legend = []
    x = label_w
    for tier, colour in TIER_COLOURS.items():
        legend.append(
            f'<rect x="{x}" y="22" width="12" height="12" rx="2" fill="{colour}"/>'
            f'<text x="{x + 17}" y="32" class="label">{escape(tiers[tier])}</text>'
        )
        x += 34 + _text_width(tiers[tier], 12)
    height = y + 6
    return _svg(width, height, title, [*legend, *parts], "chart-tiers")


def overlap_heatmap(
    files: Sequence[dict[str, Any]], overlaps: Sequence[dict[str, Any]], title: str
) -> str:
    """A matrix of evidence files: the diagonal holds each file's items, the rest shared items.

    Only files holding at least one item are drawn. Colour is the share of the smaller file's
    items that the pair shares (the diagonal is full colour).
    """
    shown = [f for f in files if sum(f["items"].values())]
    index = {f["path"]: i for i, f in enumerate(shown)}
    n = len(shown)
    own = [sum(f["items"].values()) for f in shown]
    matrix = [[0] * n for _ in range(n)]
    for i in range(n):
        matrix[i][i] = own[i]
    for o in overlaps:
        if o["a"] in index and o["b"] in index:
            a, b = index[o["a"]], index[o["b"]]
            matrix[a][b] = matrix[b][a] = o["items"]
    cell = 44.0 if n <= 10 else max(22.0, 440.0 / n)
    label_w = 190.0
    top = 150.0
    width = label_w + n * cell + 20
    height = top + n * cell + 12
    parts: list[str] = []
    for i, f in enumerate(shown):
        name = escape(_clip(f["path"].removeprefix("evidence/"), 11, label_w - 10))
        cy = top + i * cell + cell / 2 + 4
        parts.append(
            f'<text x="{label_w - 8}" y="{cy:.1f}" text-anchor="end" class="label">{name}</text>'
        )
        cx = label_w + i * cell + cell / 2
        parts.append(
            f'<text transform="translate({cx + 4:.1f},{top - 8}) rotate(-50)" '
            f'class="label">{name}</text>'
        )
        for j in range(n):
            value = matrix[i][j]
            share = 1.0 if i == j else value / max(min(own[i], own[j]), 1)
            fill = _heat(share) if value else "#f3f4f6"
            x, y = label_w + j * cell, top + i * cell
            ink = "#fff" if share > 0.55 and value else "#1f2933"
            parts.append(
                f'<rect class="cell" data-a="{escape(f["path"])}" '
                f'data-b="{escape(shown[j]["path"])}" data-value="{value}" x="{x:.1f}" '
                f'y="{y:.1f}" width="{cell - 2:.1f}" height="{cell - 2:.1f}" fill="{fill}">'
                f"<title>{escape(f['path'])} ∩ {escape(shown[j]['path'])}: {_fmt(value)}</title>"
                f"</rect>"
            )
            if value and cell >= 34:
                parts.append(
                    f'<text x="{x + cell / 2 - 1:.1f}" y="{y + cell / 2 + 3:.1f}" '
                    f'text-anchor="middle" class="small" fill="{ink}">{_short(value)}</text>'
                )
    return _svg(width, height, title, parts, "chart-overlap")


def _short(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 10_000 else f"{n:,}"


def _heat(share: float) -> str:
    """White-to-deep-blue ramp."""
    share = min(max(share, 0.0), 1.0) ** 0.7
    start, end = (232, 240, 250), (23, 63, 115)
    r, g, b = (round(s + (e - s) * share) for s, e in zip(start, end, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _svg(width: float, height: float, title: str, parts: list[str], css_id: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{css_id}" class="chart" role="img" '
        f'viewBox="0 0 {math.ceil(width)} {math.ceil(height)}" width="{math.ceil(width)}" '
        f'height="{math.ceil(height)}" font-family="{FONT}">'
        f"<title>{escape(title)}</title>"
        "<style>.label{font-size:12px;fill:#1f2933}.strong{font-weight:600;font-size:13px}"
        ".value{font-size:11px;fill:#3e4c59}.small{font-size:10.5px}.muted{font-size:11px;"
        "fill:#9aa5b1}.edge-label{fill:#3e4c59;paint-order:stroke;stroke:#fff;stroke-width:3px;"
        "stroke-linejoin:round}</style>" + "".join(parts) + "</svg>"
    )
