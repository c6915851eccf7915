"""Who sold what to whom: the trade graph of a case, inferred transfers, per-party Art. 11 counts.

``chain(case_dir)`` reads the case (``case.toml`` and its transfers table), reads every evidence
file once (``count.CaseReader``) and then:

1. **infers undeclared transfers** from list overlap: when a party's seized lists are not
   explained by what it is declared to have received, and another party's holdings contain at
   least ``threshold`` of what is unexplained, a transfer from that party is inferred (flagged
   ``inferred``, with the containment). An insider is never inferred to have bought (it holds
   its lists through its job); nobody is inferred to have bought from someone downstream of it,
   or from someone already linked to it by a declared transfer. When several
   parties hold the list equally, the one that sells is preferred and the others are named in an
   issue;
2. **counts every party per Art. 11** with the same code as ``count_case``: the sum over buyers of
   the distinct items sold or provided to each, plus the distinct items obtained and passed to no
   one. Inferred transfers are leads to confirm: they count only with ``count_inferred``;
3. **assesses every party** (``law.assess``), the gains being the declared prices of what it sold
   unless its facts state them: one finding per party;
4. builds the graph (networkx), finds each party's **role in the trade** (source, reseller,
   buyer), the **time-respecting paths** from sources to buyers (dates never decrease along a
   path), and reports **cycles**, **sales dated before the seller obtained anything** and
   **undated sales** as issues for the investigator, never as errors.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from leaktrace.count._case import (
    CASE_FILE,
    Case,
    CaseReader,
    Given,
    Groups,
    PartyCounts,
    _facts,
    declared,
    load_case,
)
from leaktrace.count._count import Progress
from leaktrace.errors import UsageError
from leaktrace.law import Facts, Finding, Policy, assess, load_policy
from leaktrace.law._facts import number

THRESHOLD = 0.8
"""Share of a party's unexplained list another party must hold for a transfer to be inferred."""
TIE = 0.02
"""Candidates within this much of the best containment are equally good."""
MAX_PATHS = 1_000
MAX_CYCLES = 100

TradeRole = Literal["source", "reseller", "buyer", "other"]
_ROLE_TEXT = {"source": "源头", "reseller": "倒卖者", "buyer": "买家", "other": "其他"}


@dataclass
class ChainTransfer:
    """One transfer in the graph: declared in the case, or inferred from list overlap."""

    seller: str
    buyer: str
    date: dt.date | None
    items: int
    type: str
    price_yuan: Decimal | None
    channel: str | None
    evidence: list[str]
    inferred: bool = False
    containment: float | None = None
    counted: bool = True
    """Whether the transfer is in the seller's Art. 11 count (inferred ones only on request)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "seller": self.seller,
            "buyer": self.buyer,
            "date": self.date.isoformat() if self.date else None,
            "items": self.items,
            "type": self.type,
            "price_yuan": number(self.price_yuan) if self.price_yuan is not None else None,
            "channel": self.channel,
            "evidence": self.evidence,
            "inferred": self.inferred,
            "containment": round(self.containment, 4) if self.containment is not None else None,
            "counted": self.counted,
        }


@dataclass
class ChainParty:
    """One party: its role in the trade and in law, its Art. 11 counts, gains and finding."""

    name: str
    role: TradeRole
    legal_role: str
    counts: PartyCounts
    facts: Facts
    finding: Finding

    def to_json(self, policy: Policy) -> dict[str, Any]:
        counts = self.counts
        return {
            "name": self.name,
            "role": self.role,
            "legal_role": self.legal_role,
            "obtained": sum(counts.obtained.values()),
            "sold": counts.passed("sold"),
            "provided": counts.passed("provided"),
            "kept": sum(counts.kept.values()),
            "held": sum(counts.held().values()),
            "items": dict(counts.items(policy)),
            "by_category": dict(sorted(counts.by_category().items())),
            "to": {b: sum(c.values()) for b, c in counts.sold.items()},
            "bare_phone": counts.bare_phone,
            "gains_yuan": number(self.facts.illegal_gains_yuan),
            "finding": self.finding.to_json(),
        }


@dataclass
class Issue:
    """Something the investigator should look at: a cycle, dates out of order, an inference."""

    kind: str
    zh: str
    en: str
    parties: list[str]

    @property
    def message(self) -> str:
        """Chinese first, the English after it (the CLI's line; the views pick one)."""
        return f"{self.zh} {self.en}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "message_zh": self.zh,
            "message_en": self.en,
            "parties": self.parties,
        }


@dataclass
class ChainResult:
    """The trade chain of a case; ``to_json()`` is the shape in ``docs/chain.md``."""

    case: str | None
    policy: Policy
    parties: list[ChainParty]
    transfers: list[ChainTransfer]
    paths: list[list[tuple[str, dt.date | None]]]
    issues: list[Issue]
    threshold: float
    count_inferred: bool
    files: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "policy": {"name": self.policy.name, "sha256": self.policy.sha256},
            "threshold": self.threshold,
            "count_inferred": self.count_inferred,
            "parties": [p.to_json(self.policy) for p in self.parties],
            "transfers": [t.to_json() for t in self.transfers],
            "paths": [
                {
                    "parties": [name for name, _ in path],
                    "dates": [d.isoformat() if d else None for _, d in path[1:]],
                }
                for path in self.paths
            ],
            "issues": [i.to_json() for i in self.issues],
            "files": self.files,
        }

    def graph(self) -> nx.MultiDiGraph:
        """Parties as nodes and transfers as edges, every attribute a GraphML-safe scalar."""
        g = nx.MultiDiGraph(case=self.case or "", policy=self.policy.name)
        for p in self.parties:
            data = p.to_json(self.policy)
            g.add_node(
                p.name,
                label=p.name,
                party=True,
                role=p.role,
                legal_role=p.legal_role,
                obtained=data["obtained"],
                sold=data["sold"],
                provided=data["provided"],
                items_sensitive=data["items"]["sensitive"],
                items_important=data["items"]["important"],
                items_ordinary=data["items"]["ordinary"],
                gains_yuan=float(data["gains_yuan"]),
                level=p.finding.level,
            )
        for t in self.transfers:
            for name in (t.seller, t.buyer):
                if name not in g:
                    g.add_node(name, label=name, party=False, role="other")
            attrs: dict[str, Any] = {
                "type": t.type,
                "items": t.items,
                "inferred": t.inferred,
                "counted": t.counted,
                "evidence": "; ".join(t.evidence),
            }
            if t.date is not None:
                attrs["date"] = t.date.isoformat()
            if t.price_yuan is not None:
                attrs["price_yuan"] = float(t.price_yuan)
            if t.channel:
                attrs["channel"] = t.channel
            if t.containment is not None:
                attrs["containment"] = float(t.containment)
            g.add_edge(t.seller, t.buyer, **attrs)
        return g

    def write(self, out: Path, *, lang: str = "zh") -> list[Path]:
        """Write ``chain.json``, ``chain.graphml`` and, when the view exists, ``chain.html``.

        Every file is written under a temporary name first and all are renamed at the end, so a
        failure leaves nothing half-written.
        """
        if out.exists() and not out.is_dir():
            raise UsageError("输出位置是一个文件，不是文件夹 the output folder is a file", str(out))
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"无法创建输出文件夹 cannot create the output folder: {exc.strerror}", str(out)
            ) from None
        payload = self.to_json()
        texts: dict[str, bytes] = {
            "chain.json": json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
        }
        with tempfile.TemporaryDirectory(dir=out, prefix=".chain-") as scratch:
            graphml = Path(scratch) / "chain.graphml"
            nx.write_graphml(self.graph(), graphml)
            texts["chain.graphml"] = graphml.read_bytes()
        html = _render_html(payload, lang)
        if html is not None:
            texts["chain.html"] = html.encode("utf-8")
        return _write_all(out, texts)


def _render_html(payload: dict[str, Any], lang: str) -> str | None:
    """The interactive view, when ``leaktrace.chain.view`` is installed (imported lazily)."""
    try:
        from leaktrace.chain import view
    except ImportError:
        return None
    render = getattr(view, "render_html", None)
    return None if render is None else str(render(payload, lang=lang))


def _write_all(out: Path, texts: dict[str, bytes]) -> list[Path]:
    """Write every file under a temporary name, then rename them all into place."""
    temps: list[tuple[Path, Path]] = []
    try:
        for name, data in texts.items():
            fd, scratch = tempfile.mkstemp(prefix=f".{name}.", dir=out)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            temps.append((Path(scratch), out / name))
        for written, target in temps:
            os.replace(written, target)
    except OSError as exc:
        raise UsageError(
            f"无法写入输出文件夹 cannot write to the output folder: {exc.strerror}", str(out)
        ) from None
    finally:
        for written, _ in temps:
            with suppress(FileNotFoundError):
                written.unlink()
    return [target for _, target in temps]


# --- the chain ---------------------------------------------------------------------------------


def chain(
    case_dir: Path,
    *,
    policy: Policy | None = None,
    threshold: float = THRESHOLD,
    count_inferred: bool = False,
    progress: Progress | None = None,
) -> ChainResult:
    """Build the trade chain of a case folder and assess every party (see the module doc)."""
    if not 0 < threshold <= 1:
        raise UsageError(
            "推断阈值须大于 0 且不超过 1 the inference threshold must be above 0 and at most 1"
        )
    policy = policy if policy is not None else load_policy()
    case = load_case(case_dir)
    with CaseReader(case, policy, progress=progress) as reader:
        graph = _declared_graph(case)
        inferred, inferred_issues = _infer(case, reader, graph, threshold)
        transfers = _declared_transfers(case, reader) + inferred
        given = None
        if count_inferred and inferred:
            given = {p.name: declared(case, p.name) for p in case.parties}
            for t in inferred:
                given[t.seller].append(_inferred_given(case, t))
        else:
            for t in inferred:
                t.counted = False
        counts = reader.counts(given)
        files = reader.files
    roles = _roles(case, transfers)
    where = str(case_dir / CASE_FILE)
    parties = []
    for index, party in enumerate(case.parties):
        c = counts[party.name]
        resold = any(t.seller == party.name and t.counted for t in transfers)
        facts = _facts(
            party,
            c.items(policy),
            resold=resold,
            where=where,
            index=index,
            gains=case.gains_of(party.name),
            held=c.held_items(policy),
        )
        parties.append(
            ChainParty(party.name, roles[party.name], party.role, c, facts, assess(facts, policy))
        )
    issues = _issues(case, transfers) + inferred_issues
    return ChainResult(
        case=case.name,
        policy=policy,
        parties=parties,
        transfers=transfers,
        paths=_paths(transfers, roles),
        issues=issues,
        threshold=threshold,
        count_inferred=count_inferred,
        files=files,
    )


def _declared_graph(case: Case) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(p.name for p in case.parties)
    g.add_edges_from((t.seller, t.buyer) for t in case.transfers)
    return g


def _declared_transfers(case: Case, reader: CaseReader) -> list[ChainTransfer]:
    groups: Groups = {f"t{i}": (reader.ids(t.evidence), []) for i, t in enumerate(case.transfers)}
    cats, _ = reader.tally(groups)
    return [
        ChainTransfer(
            seller=t.seller,
            buyer=t.buyer,
            date=t.date,
            items=sum(cats[f"t{i}"].values()),
            type=t.type,
            price_yuan=t.price_yuan,
            channel=t.channel,
            evidence=list(t.evidence),
        )
        for i, t in enumerate(case.transfers)
    ]


def _inferred_given(case: Case, t: ChainTransfer) -> Given:
    return Given(t.buyer, "sold", tuple(t.evidence), within=tuple(case.obtained_by(t.seller)))


def _infer(
    case: Case, reader: CaseReader, graph: nx.DiGraph, threshold: float
) -> tuple[list[ChainTransfer], list[Issue]]:
    """Transfers nobody declared, from how much of a party's list another party holds."""
    holders = {p.name: reader.ids(case.obtained_by(p.name)) for p in case.parties}
    groups: Groups = {}
    pairs: dict[str, list[str]] = {}
    for buyer in case.parties:
        own = reader.ids(buyer.obtained)
        if not own or buyer.role == "insider":
            continue  # an insider holds its own lists through its job
        received = reader.ids(
            p for t in case.transfers if t.buyer == buyer.name for p in t.evidence
        )
        downstream = nx.descendants(graph, buyer.name)
        linked = set(graph.predecessors(buyer.name)) | set(graph.successors(buyer.name))
        sellers = [
            p.name
            for p in case.parties
            if p.name != buyer.name
            and holders[p.name]
            and p.name not in downstream
            and p.name not in linked
        ]
        if not sellers:
            continue
        pairs[buyer.name] = sellers
        groups[_key("own", buyer.name)] = (own, [])
        groups[_key("unexplained", buyer.name)] = (own, received)
        for seller in sellers:
            groups[_key("outside", buyer.name, seller)] = (
                own,
                sorted({*received, *holders[seller]}),
            )
            groups[_key("beyond", buyer.name, seller)] = (own, holders[seller])
    if not groups:
        return [], []
    cats, _ = reader.tally(groups)

    def total(*parts: str) -> int:
        return sum(cats[_key(*parts)].values())

    sells = {t.seller for t in case.transfers}
    first_held = _first_held(case)
    inferred: list[ChainTransfer] = []
    issues: list[Issue] = []
    for buyer_name, sellers in pairs.items():
        own_items = total("own", buyer_name)
        unexplained = total("unexplained", buyer_name)
        if not own_items or unexplained / own_items < 1 - threshold:
            continue  # what the party holds is (mostly) what it is declared to have received
        scored = [
            (1 - total("outside", buyer_name, s) / unexplained, s) for s in sellers if unexplained
        ]
        scored = [(c, s) for c, s in scored if c >= threshold]
        if not scored:
            continue
        best = max(c for c, _ in scored)
        tied = [(c, s) for c, s in scored if c >= best - TIE]
        tied.sort(key=lambda cs: (cs[1] not in sells, first_held.get(cs[1], dt.date.max), -cs[0]))
        # an earlier inference may already run the other way: no cycle is made by inference
        tied = [(c, s) for c, s in tied if not nx.has_path(graph, buyer_name, s)]
        if not tied:
            continue
        containment, seller = tied[0]
        graph.add_edge(seller, buyer_name)
        holder = case.party(buyer_name)
        assert holder is not None
        inferred.append(
            ChainTransfer(
                seller=seller,
                buyer=buyer_name,
                date=None,
                items=own_items - total("beyond", buyer_name, seller),
                type="sold",
                price_yuan=None,
                channel=None,
                evidence=list(holder.obtained),
                inferred=True,
                containment=containment,
            )
        )
        others = [f"{s} ({c:.1%})" for c, s in tied[1:]]
        also_zh = f"；{'、'.join(others)} 持有的名单同样包含" if others else ""
        also_en = f"; {', '.join(others)} hold it as well" if others else ""
        issues.append(
            Issue(
                "inferred",
                f"推定交易 {seller} → {buyer_name}：{buyer_name} 的名单中未由已申报交易解释的"
                f"部分有 {containment:.1%} 见于 {seller} 持有的名单{also_zh}；"
                "请核实后在 case.toml 中申报。",
                f"Inferred transfer {seller} → {buyer_name}: {containment:.1%} of what "
                f"{buyer_name}'s lists hold beyond its declared purchases is in {seller}'s"
                f"{also_en}; confirm it and declare it in case.toml.",
                [seller, buyer_name, *(s for _, s in tied[1:])],
            )
        )
    return inferred, issues


def _key(*parts: str) -> str:
    return "\x1f".join(("infer", *parts))


def _first_held(case: Case) -> dict[str, dt.date]:
    """The earliest dated transfer in or out of each party."""
    out: dict[str, dt.date] = {}
    for t in case.transfers:
        if t.date is None:
            continue
        for name in (t.seller, t.buyer):
            out[name] = min(out.get(name, t.date), t.date)
    return out


def _roles(case: Case, transfers: Sequence[ChainTransfer]) -> dict[str, TradeRole]:
    """Source (holds data first or through their job), reseller, buyer, or other."""
    roles: dict[str, TradeRole] = {}
    for party in case.parties:
        buys = any(t.buyer == party.name for t in transfers)
        sells = any(t.seller == party.name for t in transfers)
        if sells and (party.role == "insider" or not buys):
            roles[party.name] = "source"
        elif sells:
            roles[party.name] = "reseller"
        elif buys:
            roles[party.name] = "buyer"
        else:
            roles[party.name] = "source" if party.role == "insider" else "other"
    return roles


def _paths(
    transfers: Sequence[ChainTransfer], roles: dict[str, TradeRole]
) -> list[list[tuple[str, dt.date | None]]]:
    """Time-respecting paths from each source to each end buyer: dates never decrease.

    An undated transfer fits anywhere. A path visits a party once; at most MAX_PATHS are kept.
    """
    out: dict[str, list[ChainTransfer]] = {}
    for t in transfers:
        out.setdefault(t.seller, []).append(t)
    found: list[list[tuple[str, dt.date | None]]] = []

    def walk(path: list[tuple[str, dt.date | None]], last: dt.date | None) -> None:
        here = path[-1][0]
        visited = {name for name, _ in path}
        onward = sorted(
            (
                t
                for t in out.get(here, [])
                if t.buyer not in visited and (t.date is None or last is None or t.date >= last)
            ),
            key=lambda t: (t.date or dt.date.min, t.buyer),
        )
        if not onward and len(path) > 1 and roles.get(here, "other") in ("buyer", "other"):
            found.append(list(path))
        for t in onward:
            if len(found) >= MAX_PATHS:
                return
            path.append((t.buyer, t.date))
            walk(path, t.date if t.date is not None else last)
            path.pop()

    for name, role in roles.items():
        if role == "source":
            walk([(name, None)], None)
    return found


def _issues(case: Case, transfers: Sequence[ChainTransfer]) -> list[Issue]:
    """Cycles, sales dated before the seller obtained anything, undated sales, outside buyers."""
    issues: list[Issue] = []
    names = {p.name for p in case.parties}
    g = nx.DiGraph()
    g.add_edges_from((t.seller, t.buyer) for t in transfers)
    for n, cycle in enumerate(nx.simple_cycles(g)):
        if n >= MAX_CYCLES:
            break
        loop = " → ".join([*cycle, cycle[0]])
        issues.append(
            Issue(
                "cycle",
                f"交易成环：{loop}；请核实各笔交易的日期与方向。",
                f"The sales form a cycle: {loop}; check their dates and directions.",
                list(cycle),
            )
        )
    for i, t in enumerate(case.transfers):
        at, label = case.origin(i)
        where = f"{Path(at).name} {label.removeprefix('field ')}"
        sale = f"{t.seller} → {t.buyer}"
        if t.date is None:
            issues.append(
                Issue(
                    "unknown_date",
                    f"{where}：{sale} 的交易没有日期，无法核对先后。",
                    f"{where}: the transfer {sale} has no date; its order cannot be checked.",
                    [t.seller, t.buyer],
                )
            )
        else:
            before = [u.date for u in case.transfers if u.buyer == t.seller and u.date]
            if before and min(before) > t.date:
                first = min(before)
                issues.append(
                    Issue(
                        "date_order",
                        f"{where}：{t.seller} 于 {t.date} 出售或提供给 {t.buyer}，早于其最早获得"
                        f"名单的日期 {first}。",
                        f"{where}: {t.seller} sold or provided to {t.buyer} "
                        f"on {t.date}, before it first obtained a list on {first}.",
                        [t.seller, t.buyer],
                    )
                )
        if t.buyer not in names:
            issues.append(
                Issue(
                    "external_party",
                    f"{where}：买方 {t.buyer} 不是本案当事人，只作为 {t.seller} 的买方计数。",
                    f"{where}: the buyer {t.buyer} is not a party of the case; it counts only"
                    f" as {t.seller}'s buyer.",
                    [t.seller, t.buyer],
                )
            )
    return issues


def role_text(role: str) -> str:
    return f"{_ROLE_TEXT.get(role, role)} {role}"


__all__ = [
    "THRESHOLD",
    "ChainParty",
    "ChainResult",
    "ChainTransfer",
    "Issue",
    "chain",
    "role_text",
]
