"""The trade chain drawn: an interactive HTML page and a static SVG of the same picture.

Both take the chain JSON that ``leaktrace chain`` produces (parties with their counts and
findings, transfers, paths, issues; ``docs/architecture.md``) and draw the same graph: the layout
is computed here, once, so the page on screen and the SVG in a printed report agree.

The layout is layered left to right: every party sits one column right of the furthest party that
sold to it (sources first, then resellers, then buyers); a transfer that runs against that order
(a cycle) is drawn as a curve. Parties within a column are ordered to keep lines from crossing.

The HTML page inlines cytoscape.js (``assets/``) and its own script and style: it makes no
request of any kind and works from ``file://`` on a machine with no network. Every string from
the chain reaches the page as JSON data read with ``JSON.parse`` and put into the page as text,
never as markup; party names come from the evidence and are not trusted.
"""

from __future__ import annotations

import hashlib
import json
import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup

from leaktrace.errors import UsageError
from leaktrace.law import load_policy

PARTY_ROLES = ("source", "reseller", "buyer", "other")
"""A party's role in the trade (`other`: neither sold nor bought, 其他)."""
ROLES = (*PARTY_ROLES, "outside")
"""Every node's: `outside` is a name in a transfer that is no party of the case (案外人)."""
ROLE_COLOURS = {
    "source": "#7d3c98",
    "reseller": "#1e8449",
    "buyer": "#2471a3",
    "other": "#bfc9ca",
    "outside": "#909497",
}
LEVEL_COLOURS = {"none": "#7f8c8d", "serious": "#e67e22", "especially_serious": "#c0392b"}
EDGE_COLOUR = "#5d6d7e"
FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'

# Geometry shared by the SVG and the page (cytoscape draws nodes of the same size at the same
# positions): column and row spacing, node radius.
X_GAP = 300
Y_GAP = 120
RADIUS = 18
MAX_ROWS = 7  # a column with more parties is staggered over sub-columns SUB_GAP apart
SUB_GAP = 170
MAX_COUNTED_EDGES = 400  # above this, parties are ordered without counting crossings

_TEXT: dict[str, dict[str, Any]] = {
    "zh": {
        "lang": "zh",
        "items_label": "条数",
        "colon": "：",
        "html_lang": "zh-CN",
        "title": "交易链",
        "case": "案件",
        "policy": "政策",
        "summary": "{parties} 个当事人 · {transfers} 笔交易",
        "role": {
            "source": "源头",
            "reseller": "倒卖者",
            "buyer": "买家",
            "other": "其他",
            "outside": "案外人",
        },
        "legal_role": {
            "insider": "内部人员",
            "outsider": "一般主体",
            "lawful_business_buyer": "为合法经营活动购买",
        },
        "level_short": {
            "none": "未达标准",
            "serious": "情节严重",
            "especially_serious": "情节特别严重",
        },
        "level": {
            "none": "未达情节严重标准",
            "serious": "情节严重",
            "especially_serious": "情节特别严重",
        },
        "tiers": {
            "sensitive": "敏感信息（50）",
            "important": "重要信息（500）",
            "ordinary": "普通信息（5,000）",
        },
        "items": "{n} 条",
        "undated": "日期不详",
        "inferred": "推断",
        "containment": "重合 {pct}",
        "legend_inferred": "推断的交易（虚线）",
        "legend_transfer": "交易",
        "legend_finding": "外圈：认定",
        "time": "时间",
        "all": "全部",
        "until": "截至 {date}",
        "time_note": "只显示截至所选日期的交易；日期不详的交易始终显示。",
        "issues": "问题",
        "no_issues": "未发现问题。",
        "paths": "交易路径",
        "issue_kind": {
            "cycle": "交易成环",
            "date_order": "日期顺序",
            "unknown_date": "日期不详",
            "inferred": "推断交易",
            "external_party": "案外买方",
        },
        "details": "详情",
        "hint": "点击图中的当事人或交易查看详情。",
        "parties": "当事人",
        "name": "名称",
        "legal_role_label": "身份",
        "role_label": "角色",
        "obtained": "获取",
        "sold": "出售",
        "provided": "提供",
        "gains": "违法所得",
        "finding": "认定",
        "grounds": "依据",
        "sentence": "刑罚",
        "fine": "罚金",
        "notes": "说明",
        "by_category": "按类别",
        "transfers_out": "卖出 / 提供",
        "transfers_in": "买入 / 收受",
        "not_a_party": "不是本案当事人：只出现在交易中。",
        "seller": "卖方",
        "buyer": "买方",
        "date": "日期",
        "price": "价格",
        "channel": "渠道",
        "evidence": "证据",
        "basis": "推断依据",
        "inferred_yes": "是（由名单重合推断）",
        "graph_label": "交易链图：当事人与交易",
    },
    "en": {
        "lang": "en",
        "items_label": "items",
        "colon": ": ",
        "html_lang": "en",
        "title": "Trade chain",
        "case": "Case",
        "policy": "Policy",
        "summary": "{parties} parties · {transfers} transfers",
        "role": {
            "source": "source",
            "reseller": "reseller",
            "buyer": "buyer",
            "other": "other",
            "outside": "outside the case",
        },
        "legal_role": {
            "insider": "insider",
            "outsider": "outsider",
            "lawful_business_buyer": "lawful-business buyer",
        },
        "level_short": {
            "none": "below threshold",
            "serious": "serious",
            "especially_serious": "especially serious",
        },
        "level": {
            "none": "below the threshold (未达情节严重标准)",
            "serious": "serious (情节严重)",
            "especially_serious": "especially serious (情节特别严重)",
        },
        "tiers": {
            "sensitive": "sensitive (50)",
            "important": "important (500)",
            "ordinary": "ordinary (5,000)",
        },
        "items": "{n} items",
        "undated": "date unknown",
        "inferred": "inferred",
        "containment": "containment {pct}",
        "legend_inferred": "inferred transfer (dashed)",
        "legend_transfer": "transfer",
        "legend_finding": "ring: finding",
        "time": "Time",
        "all": "all",
        "until": "up to {date}",
        "time_note": "Shows transfers up to the chosen date; undated transfers are always shown.",
        "issues": "Issues",
        "no_issues": "No issues found.",
        "paths": "Paths",
        "issue_kind": {
            "cycle": "cycle",
            "date_order": "date order",
            "unknown_date": "no date",
            "inferred": "inferred",
            "external_party": "outside the case",
        },
        "details": "Details",
        "hint": "Click a party or a transfer in the graph to see its details.",
        "parties": "Parties",
        "name": "name",
        "legal_role_label": "legal role",
        "role_label": "role",
        "obtained": "obtained",
        "sold": "sold",
        "provided": "provided",
        "gains": "illegal gains",
        "finding": "finding",
        "grounds": "grounds",
        "sentence": "sentence",
        "fine": "fine",
        "notes": "notes",
        "by_category": "by category",
        "transfers_out": "sold / provided",
        "transfers_in": "bought / received",
        "not_a_party": "Not a party of the case: appears only in transfers.",
        "seller": "seller",
        "buyer": "buyer",
        "date": "date",
        "price": "price",
        "channel": "channel",
        "evidence": "evidence",
        "basis": "inferred from",
        "inferred_yes": "yes (from the overlap of the lists)",
        "graph_label": "Trade chain graph: parties and transfers",
    },
}


def render_html(chain: dict[str, Any], *, lang: str = "zh") -> str:
    """The chain as one self-contained HTML page (cytoscape.js, script and style inlined).

    Parties are coloured by role and ringed by finding; a click on a party or a transfer shows
    its details beside the graph; a time slider shows only the transfers up to a date. The page
    also holds :func:`render_svg`'s picture, which is what prints.
    """
    text = _strings(lang)
    drawing = _Drawing.of(chain, text)
    policy = chain.get("policy") or {}
    page = _template().render(
        t=text,
        case=chain.get("case"),
        policy_name=policy.get("name") or "",
        policy_sha=str(policy.get("sha256") or "")[:16],
        summary=text["summary"].format(
            parties=len(chain.get("parties") or []), transfers=len(drawing.edges)
        ),
        dates=drawing.dates,
        issues=_issues(chain, drawing, text),
        paths=_paths(chain, drawing),
        parties=[_party_row(node, text) for node in drawing.nodes if node.party is not None],
        roles=[(role, text["role"][role], ROLE_COLOURS[role]) for role in ROLES],
        levels=[
            (level, text["level_short"][level], LEVEL_COLOURS[level])
            for level in ("serious", "especially_serious")
        ],
        svg=Markup(_Svg(drawing, text).render()),
        data=_script_json(drawing.payload(text)),
        cytoscape=_script_text(_asset("cytoscape.min.js")),
        script=_script_text(_asset("view.js")),
        css=Markup(_asset("view.css").replace("</style", "<\\/style")),
    )
    return page


def render_svg(chain: dict[str, Any], *, lang: str = "zh") -> str:
    """The chain as a static SVG for print and for reports: the same layout as the page.

    Nodes are filled by role and ringed by finding, labelled with the party's name and level;
    edges carry date · items · price; inferred transfers are dashed with their containment.
    """
    text = _strings(lang)
    drawing = _Drawing.of(chain, text)
    return _Svg(drawing, text).render()


# ---------------------------------------------------------------------------------------------
# The drawing: nodes and edges with positions and labels, shared by the page and the SVG.


@dataclass
class _Node:
    id: str
    name: str
    role: str
    party: dict[str, Any] | None
    level: str | None
    x: float = 0.0
    y: float = 0.0


@dataclass
class _Edge:
    id: str
    source: str
    target: str
    transfer: dict[str, Any]
    label: list[str]
    bend: float = 0.0  # how far the curve's control point lies off the straight line


@dataclass
class _Drawing:
    nodes: list[_Node]
    edges: list[_Edge]
    dates: list[str]
    by_name: dict[str, _Node] = field(default_factory=dict)
    by_id: dict[str, _Node] = field(default_factory=dict)

    @classmethod
    def of(cls, chain: dict[str, Any], text: dict[str, Any]) -> _Drawing:
        nodes: dict[str, _Node] = {}
        for party in chain.get("parties") or []:
            name = str(party["name"])
            role = party.get("role") if party.get("role") in PARTY_ROLES else "other"
            finding = party.get("finding") or {}
            level = finding.get("level") if finding.get("level") in LEVEL_COLOURS else None
            nodes.setdefault(name, _Node(f"n{len(nodes)}", name, role, party, level))
        edges = []
        for i, transfer in enumerate(chain.get("transfers") or []):
            for end in ("seller", "buyer"):
                name = str(transfer[end])
                if name not in nodes:  # someone outside the case
                    nodes[name] = _Node(f"n{len(nodes)}", name, "outside", None, None)
            edges.append(
                _Edge(
                    id=f"e{i}",
                    source=nodes[str(transfer["seller"])].id,
                    target=nodes[str(transfer["buyer"])].id,
                    transfer=transfer,
                    label=_edge_label(transfer, text),
                )
            )
        dates = sorted({str(t["date"]) for t in chain.get("transfers") or [] if t.get("date")})
        by_id = {node.id: node for node in nodes.values()}
        drawing = cls(list(nodes.values()), edges, dates, dict(nodes), by_id)
        _layout(drawing)
        return drawing

    def node(self, node_id: str) -> _Node:
        return self.by_id[node_id]

    def payload(self, text: dict[str, Any]) -> dict[str, Any]:
        """What the page's script reads: positions, labels, colours and the panels' contents."""
        return {
            "text": {key: text[key] for key in ("all", "until", "hint", "details")},
            "dates": self.dates,
            "nodes": [
                {
                    "id": n.id,
                    "name": n.name,
                    "label": _node_label(n, text),
                    "role": n.role,
                    "colour": ROLE_COLOURS[n.role],
                    "ring": LEVEL_COLOURS[n.level]
                    if n.level in ("serious", "especially_serious")
                    else "",
                    "x": n.x,
                    "y": n.y,
                    "panel": _party_panel(n, self, text),
                }
                for n in self.nodes
            ],
            "edges": [
                {
                    "id": e.id,
                    "source": e.source,
                    "target": e.target,
                    "label": "\n".join(e.label),
                    "date": e.transfer.get("date"),
                    "inferred": bool(e.transfer.get("inferred")),
                    "bend": e.bend,
                    "panel": _transfer_panel(e, self, text),
                }
                for e in self.edges
            ],
        }


def _layout(drawing: _Drawing) -> None:
    """Layered left to right: a party's column is the longest chain of sales that reaches it."""
    graph = nx.DiGraph()
    graph.add_nodes_from(n.id for n in drawing.nodes)
    graph.add_edges_from((e.source, e.target) for e in drawing.edges if e.source != e.target)
    sources = [n.id for n in drawing.nodes if n.role == "source"]
    roots = sources + [n for n in graph if graph.in_degree(n) == 0] + list(graph)
    back = _back_edges(graph, roots)
    dag = graph.copy()
    dag.remove_edges_from(back)
    layer: dict[str, int] = {}
    for node in nx.topological_sort(dag):
        layer[node] = max((layer[p] + 1 for p in dag.predecessors(node)), default=0)
    last = max(layer.values(), default=0)
    for node in drawing.nodes:  # a party with no transfer at all: by its role
        if graph.degree(node.id) == 0 and node.role != "source":
            layer[node.id] = last if node.role in ("buyer", "other", "outside") else min(1, last)
    columns = _order_columns(dag, layer, [n.id for n in drawing.nodes])
    x = 0.0
    for column in columns:
        # A tall column (one seller, many buyers) is staggered over a few sub-columns, so the
        # picture stays about as wide as it is high and its labels readable when fitted.
        wide = math.ceil(len(column) / MAX_ROWS)
        for i, node_id in enumerate(column):
            node = drawing.node(node_id)
            node.x = x + (i % wide) * SUB_GAP
            node.y = (i - (len(column) - 1) / 2) * Y_GAP / wide
        x += X_GAP + (wide - 1) * SUB_GAP
    _bend_edges(drawing, layer)


def _back_edges(graph: nx.DiGraph, roots: list[str]) -> set[tuple[str, str]]:
    """Edges that close a cycle when the graph is walked depth first from the sources."""
    state: dict[str, int] = {}  # 1 on the walk's stack, 2 finished
    back: set[tuple[str, str]] = set()
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(graph.successors(root)))]
        while stack:
            node, successors = stack[-1]
            for succ in successors:
                if succ not in state:
                    state[succ] = 1
                    stack.append((succ, iter(graph.successors(succ))))
                    break
                if state[succ] == 1:
                    back.add((node, succ))
            else:
                state[node] = 2
                stack.pop()
    return back


def _order_columns(dag: nx.DiGraph, layer: dict[str, int], order: list[str]) -> list[list[str]]:
    """Columns of node ids, each sorted by the mean row of its neighbours (fewer crossings).

    Sweeps right and left a few times and keeps the ordering with the fewest crossings, then
    swaps neighbours in a column while that removes crossings.
    """
    columns: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for node in order:
        columns[layer[node]].append(node)
    row = {node: i for column in columns for i, node in enumerate(column)}

    def sweep(indices: range, neighbours: Any) -> None:
        for i in indices:

            def key(node: str) -> float:
                near = [row[m] for m in neighbours(node)]
                return sum(near) / len(near) if near else row[node]

            columns[i].sort(key=key)
            row.update({node: j for j, node in enumerate(columns[i])})

    def crossings() -> int:
        by_layer: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for a, b in dag.edges:
            if layer[b] == layer[a] + 1:
                by_layer[layer[a]].append((row[a], row[b]))
        return sum(
            1
            for pairs in by_layer.values()
            for i, (a1, b1) in enumerate(pairs)
            for a2, b2 in pairs[i + 1 :]
            if (a1 - a2) * (b1 - b2) < 0
        )

    if dag.number_of_edges() > MAX_COUNTED_EDGES:  # counting crossings would be slow: sweep
        for _ in range(2):
            sweep(range(1, len(columns)), dag.predecessors)
            sweep(range(len(columns) - 2, -1, -1), dag.successors)
        return columns

    best = ([list(c) for c in columns], crossings())
    for _ in range(4):
        sweep(range(1, len(columns)), dag.predecessors)
        if (count := crossings()) < best[1]:
            best = ([list(c) for c in columns], count)
        sweep(range(len(columns) - 2, -1, -1), dag.successors)
        if (count := crossings()) < best[1]:
            best = ([list(c) for c in columns], count)
    columns, fewest = best
    row.update({node: i for column in columns for i, node in enumerate(column)})
    improved = True
    while improved and fewest:  # then swap neighbours while that removes crossings
        improved = False
        for column in columns:
            for j in range(len(column) - 1):
                column[j], column[j + 1] = column[j + 1], column[j]
                row[column[j]], row[column[j + 1]] = j, j + 1
                if (count := crossings()) < fewest:
                    fewest, improved = count, True
                else:
                    column[j], column[j + 1] = column[j + 1], column[j]
                    row[column[j]], row[column[j + 1]] = j, j + 1
    return columns


def _bend_edges(drawing: _Drawing, layer: dict[str, int]) -> None:
    """Curve edges that would overlap: parallel and opposite transfers, cycles, long jumps."""
    pairs: dict[tuple[str, str], list[_Edge]] = defaultdict(list)
    for edge in drawing.edges:
        pairs[(min(edge.source, edge.target), max(edge.source, edge.target))].append(edge)
    for (first, _), group in pairs.items():
        for i, edge in enumerate(group):
            offset = (i - (len(group) - 1) / 2) * 80.0
            span = abs(layer[edge.target] - layer[edge.source])
            if span != 1:  # would run through the parties in between (or along its column)
                offset += 120.0 * max(1, min(span, 3)) * (1 if offset >= 0 else -1)
            edge.bend = offset if edge.source == first else -offset


def _node_label(node: _Node, text: dict[str, Any]) -> str:
    if node.level is None:
        return node.name
    return f"{node.name}\n{text['level_short'][node.level]}"


def _edge_label(transfer: dict[str, Any], text: dict[str, Any]) -> list[str]:
    parts = [
        str(transfer.get("date") or text["undated"]),
        text["items"].format(n=_num(transfer.get("items"))),
    ]
    if transfer.get("price_yuan") is not None:
        parts.append(_yuan(transfer["price_yuan"]))
    lines = [" · ".join(parts)]
    if transfer.get("inferred"):
        extra = [text["inferred"]]
        if transfer.get("containment") is not None:
            extra.append(text["containment"].format(pct=_pct(transfer["containment"])))
        lines.append(" · ".join(extra))
    return lines


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _yuan(value: Any) -> str:
    return "—" if value is None else f"¥{_num(value)}"


def _pct(value: float) -> str:
    return f"{float(value) * 100:.1f}".rstrip("0").rstrip(".") + "%"


# ---------------------------------------------------------------------------------------------
# Panels (what a click shows), the issues list and the parties table.


def _party_panel(node: _Node, drawing: _Drawing, text: dict[str, Any]) -> dict[str, Any]:
    outgoing = [e for e in drawing.edges if e.source == node.id]
    incoming = [e for e in drawing.edges if e.target == node.id]
    lists = [
        {
            "title": text["transfers_out"],
            "items": [_transfer_line(e, drawing, "target") for e in outgoing],
        },
        {
            "title": text["transfers_in"],
            "items": [_transfer_line(e, drawing, "source") for e in incoming],
        },
    ]
    panel: dict[str, Any] = {
        "title": node.name,
        "role": text["role"][node.role],
        "colour": ROLE_COLOURS[node.role],
        "rows": [],
        "lists": [entry for entry in lists if entry["items"]],
    }
    party = node.party
    if party is None:
        panel["note"] = text["not_a_party"]
        return panel
    legal = party.get("legal_role")
    rows = [[text["legal_role_label"], text["legal_role"].get(legal, str(legal or "—"))]]
    for key in ("obtained", "sold", "provided"):
        rows.append([text[key], text["items"].format(n=_num(party.get(key)))])
    items = party.get("items") or {}
    for tier in ("sensitive", "important", "ordinary"):
        rows.append([text["tiers"][tier], text["items"].format(n=_num(items.get(tier, 0)))])
    for category, count in (party.get("by_category") or {}).items():
        rows.append([_category_label(str(category), text), text["items"].format(n=_num(count))])
    rows.append([text["gains"], _yuan(party.get("gains_yuan"))])
    panel["rows"] = rows
    panel["finding"] = _finding_panel(party.get("finding") or {}, text)
    return panel


def _finding_panel(finding: dict[str, Any], text: dict[str, Any]) -> dict[str, Any] | None:
    level = finding.get("level")
    if level not in LEVEL_COLOURS:
        return None
    rows = []
    sentence = finding.get("sentence") or {}
    if sentence.get("text"):
        said = str(sentence["text"])
        if text["lang"] == "en" and sentence.get("gloss"):
            said = f"{sentence['gloss']} ({said})"
        if sentence.get("heavier_for_insider") and sentence.get("insider_rule"):
            said += f"；{sentence['insider_rule']}"
        rows.append([text["sentence"], said])
    fine = finding.get("fine") or {}
    if fine.get("why"):
        rows.append([text["fine"], f"{fine.get('provision', '')}：{fine['why']}"])
    return {
        "level": level,
        "title": f"{text['finding']}{text['colon']}{text['level'][level]}",
        "colour": LEVEL_COLOURS[level],
        "grounds": [
            {
                "provision": str(g.get("provision", "")),
                "text": str(g.get("text", "")),
                "why": str(g.get("why", "")),
            }
            for g in finding.get("grounds") or []
        ],
        "grounds_title": text["grounds"],
        "rows": rows,
        "notes": [str(note) for note in finding.get("notes") or []],
        "notes_title": text["notes"],
    }


def _transfer_panel(edge: _Edge, drawing: _Drawing, text: dict[str, Any]) -> dict[str, Any]:
    transfer = edge.transfer
    seller, buyer = drawing.node(edge.source), drawing.node(edge.target)
    rows = [
        [text["seller"], seller.name],
        [text["buyer"], buyer.name],
        [text["date"], str(transfer.get("date") or text["undated"])],
        [text["items_label"], _num(transfer.get("items"))],
        [text["price"], _yuan(transfer.get("price_yuan"))],
    ]
    if transfer.get("channel"):
        rows.append([text["channel"], str(transfer["channel"])])
    if transfer.get("inferred"):
        basis = text["inferred_yes"]
        if transfer.get("containment") is not None:
            basis += " · " + text["containment"].format(pct=_pct(transfer["containment"]))
        rows.append([text["basis"], basis])
    evidence = [str(path) for path in transfer.get("evidence") or []]
    return {
        "title": f"{seller.name} → {buyer.name}",
        "role": " · ".join(edge.label),
        "colour": EDGE_COLOUR,
        "rows": rows,
        "lists": [{"title": text["evidence"], "items": evidence}] if evidence else [],
    }


def _transfer_line(edge: _Edge, drawing: _Drawing, end: str) -> str:
    other = drawing.node(getattr(edge, end)).name
    arrow = "→" if end == "target" else "←"
    return f"{arrow} {other} · {' · '.join(edge.label)}"


def _issues(chain: dict[str, Any], drawing: _Drawing, text: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for issue in chain.get("issues") or []:
        kind = str(issue.get("kind") or "")
        names = [str(n) for n in issue.get("parties") or []]
        out.append(
            {
                "kind": text["issue_kind"].get(kind, kind),
                "message": str(issue.get(f"message_{text['lang']}") or issue.get("message") or ""),
                "nodes": " ".join(drawing.by_name[n].id for n in names if n in drawing.by_name),
            }
        )
    return out


def _paths(chain: dict[str, Any], drawing: _Drawing) -> list[dict[str, str]]:
    """Each path of the chain as one line, with the ids of its parties and transfers."""
    out = []
    for path in chain.get("paths") or []:
        names = [str(n) for n in path.get("parties") or []]
        ids = [drawing.by_name[n].id for n in names if n in drawing.by_name]
        hops = set(pairwise(ids))
        dates = [str(d) if d else "?" for d in path.get("dates") or []]
        out.append(
            {
                "parties": " → ".join(names),
                "dates": " → ".join(dates),
                "nodes": " ".join(ids),
                "edges": " ".join(e.id for e in drawing.edges if (e.source, e.target) in hops),
            }
        )
    return out


def _party_row(node: _Node, text: dict[str, Any]) -> dict[str, Any]:
    party = node.party or {}
    items = party.get("items") or {}
    return {
        "id": node.id,
        "name": node.name,
        "colour": ROLE_COLOURS[node.role],
        "role": text["role"][node.role],
        "legal_role": text["legal_role"].get(
            party.get("legal_role"), str(party.get("legal_role") or "—")
        ),
        "numbers": [_num(party.get(k)) for k in ("obtained", "sold", "provided")]
        + [_num(items.get(t, 0)) for t in ("sensitive", "important", "ordinary")],
        "gains": _yuan(party.get("gains_yuan")),
        "level": node.level,
        "level_text": text["level_short"][node.level] if node.level else "—",
        "level_colour": LEVEL_COLOURS.get(node.level or "", "#7f8c8d"),
    }


def _category_label(category: str, text: dict[str, Any]) -> str:
    if text["lang"] == "en":
        return category
    return _category_labels().get(category, category)


@cache
def _category_labels() -> dict[str, str]:
    return {key: value.label for key, value in load_policy().categories.items()}


# ---------------------------------------------------------------------------------------------
# The static SVG.


class _Svg:
    LEGEND = 44  # height of the legend row above the graph
    PAD_X = 130  # room left and right of the outer columns for labels
    PAD_TOP = 40
    PAD_BOTTOM = 70  # node labels are below the nodes

    def __init__(self, drawing: _Drawing, text: dict[str, Any]) -> None:
        self.drawing = drawing
        self.text = text
        where = json.dumps([(n.name, n.x, n.y) for n in drawing.nodes], ensure_ascii=False)
        # ids unique when several pictures share one page (a report with many chains)
        self.arrow = f"lt{hashlib.sha256(where.encode()).hexdigest()[:8]}-arrow"

    def render(self) -> str:
        points = [(n.x, n.y) for n in self.drawing.nodes] + [
            self._curve(e)[1] for e in self.drawing.edges
        ]
        xs, ys = [p[0] for p in points] or [0.0], [p[1] for p in points] or [0.0]
        left, top = min(xs) - self.PAD_X, min(ys) - self.PAD_TOP - self.LEGEND
        width = max(max(xs) - min(xs) + 2 * self.PAD_X, 640.0)
        height = max(ys) - min(ys) + self.PAD_TOP + self.PAD_BOTTOM + self.LEGEND
        svg = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "{http://www.w3.org/XML/1998/namespace}lang": self.text["html_lang"],
            },
        )
        _el(svg, "title", self.text["graph_label"])
        marker = _el(
            _el(svg, "defs"),
            "marker",
            id=self.arrow,
            viewBox="0 0 10 10",
            refX=9,
            refY=5,
            markerWidth=8,
            markerHeight=8,
            orient="auto-start-reverse",
        )
        _el(marker, "path", d="M0,0 L10,5 L0,10 z", fill=EDGE_COLOUR)
        paper = _el(svg, "rect", x=left, y=top, height=height, fill="#ffffff")
        legend = _el(svg, "g", class_="legend", font_size=12, fill="#34495e")
        width = max(width, self._legend(legend, left + 20, top + 24) - left)
        _attrs(paper, width=width)
        _attrs(
            svg,
            viewBox=f"{left:.0f} {top:.0f} {width:.0f} {height:.0f}",
            width=round(width),
            height=round(height),
            font_family=FONT,
            role="img",
            class_="leaktrace-chain",
        )
        edges = _el(svg, "g", class_="edges")
        labels = _el(svg, "g", class_="edge-labels", font_size=11, fill="#34495e")
        for edge in self.drawing.edges:
            self._edge(edges, labels, edge)
        nodes = _el(svg, "g", class_="nodes")
        for node in self.drawing.nodes:
            self._node(nodes, node)
        return ET.tostring(svg, encoding="unicode")

    def _legend(self, g: ET.Element, x: float, y: float) -> float:
        """Draws the legend from (x, y) rightwards; returns where it ends."""

        def entry(label: str, gap: float = 14) -> None:
            nonlocal x
            _el(g, "text", label, x=x + 19, y=y)
            x += 19 + _text_width(label, 12) + gap

        for role in ROLES:
            _el(g, "circle", cx=x + 7, cy=y - 4, r=7, fill=ROLE_COLOURS[role])
            entry(self.text["role"][role])
        for key, dashes in (("legend_transfer", None), ("legend_inferred", "6 4")):
            x += 8
            line = _el(g, "line", x1=x, y1=y - 4, x2=x + 26, y2=y - 4, stroke=EDGE_COLOUR)
            _attrs(line, stroke_width=2, stroke_dasharray=dashes)
            x += 14
            entry(self.text[key])
        for level in ("serious", "especially_serious"):
            ring = _el(g, "circle", cx=x + 7, cy=y - 4, r=6, fill="#ffffff")
            _attrs(ring, stroke=LEVEL_COLOURS[level], stroke_width=3)
            entry(self.text["level_short"][level])
        return x

    def _curve(self, edge: _Edge) -> tuple[str, tuple[float, float]]:
        """The edge's path and the middle of its curve (where its label goes)."""
        a, b = self.drawing.node(edge.source), self.drawing.node(edge.target)
        if a is b:  # a party recorded as selling to itself: a loop above the node
            x, y = a.x, a.y - RADIUS
            d = f"M{x - 8:.1f},{y:.1f} C{x - 40:.1f},{y - 60:.1f} {x + 40:.1f},{y - 60:.1f} "
            return d + f"{x + 8:.1f},{y:.1f}", (x, y - 46)
        # a quadratic curve whose control point lies edge.bend off the straight line
        dx, dy = b.x - a.x, b.y - a.y
        length = math.hypot(dx, dy) or 1.0
        cx = (a.x + b.x) / 2 - dy / length * edge.bend
        cy = (a.y + b.y) / 2 + dx / length * edge.bend
        start = _towards(a.x, a.y, cx, cy, RADIUS + 2)
        end = _towards(b.x, b.y, cx, cy, RADIUS + 4)
        d = f"M{start[0]:.1f},{start[1]:.1f} Q{cx:.1f},{cy:.1f} {end[0]:.1f},{end[1]:.1f}"
        return d, (0.25 * a.x + 0.5 * cx + 0.25 * b.x, 0.25 * a.y + 0.5 * cy + 0.25 * b.y)

    def _edge(self, edges: ET.Element, labels: ET.Element, edge: _Edge) -> None:
        a, b = self.drawing.node(edge.source), self.drawing.node(edge.target)
        d, mid = self._curve(edge)
        path = _el(edges, "path", class_="edge", d=d, fill="none", stroke=EDGE_COLOUR)
        _attrs(path, stroke_width=1.6, marker_end=f"url(#{self.arrow})", data_id=edge.id)
        if edge.transfer.get("inferred"):
            _attrs(path, stroke_dasharray="6 4")
        _el(path, "title", f"{a.name} → {b.name}: {' · '.join(edge.label)}")

        g = _el(labels, "g", class_="edge-label", text_anchor="middle")
        line_height = 14
        width = max(_text_width(line, 11) for line in edge.label) + 8
        height = line_height * len(edge.label) + 4
        top = mid[1] - height / 2
        rect = _el(g, "rect", x=mid[0] - width / 2, y=top, width=width, height=height, rx=3)
        _attrs(rect, fill="#ffffff", fill_opacity=0.92)
        for i, line in enumerate(edge.label):
            _el(g, "text", line, x=mid[0], y=top + line_height * (i + 1) - 1)

    def _node(self, nodes: ET.Element, node: _Node) -> None:
        g = _el(nodes, "g", class_=f"node role-{node.role}", data_id=node.id)
        _el(g, "title", f"{node.name} · {self.text['role'][node.role]}")
        circle = _el(g, "circle", cx=node.x, cy=node.y, r=RADIUS, fill=ROLE_COLOURS[node.role])
        _attrs(circle, stroke="#ffffff", stroke_width=2)
        if node.level in ("serious", "especially_serious"):
            _attrs(circle, stroke=LEVEL_COLOURS[node.level], stroke_width=4)
        below = {"x": node.x, "text_anchor": "middle"}
        name = _el(g, "text", node.name, y=node.y + RADIUS + 18, font_size=13, **below)
        _attrs(name, font_weight=600, fill="#1c2833")
        if node.level is not None:
            level = self.text["level_short"][node.level]
            colour = LEVEL_COLOURS[node.level]
            _el(g, "text", level, y=node.y + RADIUS + 34, font_size=11, fill=colour, **below)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    """A child element; ``font_size=12`` becomes ``font-size="12"``, ``class_`` ``class``."""
    element = ET.SubElement(parent, tag)
    element.text = text
    _attrs(element, **attrs)
    return element


def _attrs(element: ET.Element, **attrs: Any) -> None:
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        element.set(name, f"{value:.1f}" if isinstance(value, float) else str(value))


def _text_width(content: str, size: float) -> float:
    """Rough rendered width: CJK characters are square, Latin ones a little over half."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.6 for c in content)


def _towards(x: float, y: float, tx: float, ty: float, distance: float) -> tuple[float, float]:
    dx, dy = tx - x, ty - y
    length = math.hypot(dx, dy) or 1.0
    return x + dx / length * distance, y + dy / length * distance


# ---------------------------------------------------------------------------------------------
# Assets and safe inlining.


def _strings(lang: str) -> dict[str, Any]:
    try:
        return _TEXT[lang]
    except KeyError:
        raise UsageError(
            f"未知语言 {lang!r}，请用 zh 或 en unknown language {lang!r}: use zh or en"
        ) from None


@cache
def _asset(name: str) -> str:
    return (resources.files("leaktrace.chain") / "assets" / name).read_text("utf-8")


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    return env.from_string(_asset("view.html"))


def _script_text(source: str) -> Markup:
    """Script source safe inside <script>: nothing in it can end the element early."""
    return Markup(source.replace("</script", "<\\/script").replace("<!--", "<\\!--"))


def _script_json(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">: no <, > or & survive as such."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        raw = raw.replace(char, escape)
    return Markup(raw.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
