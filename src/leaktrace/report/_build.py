"""Gather everything the evidence report shows into one JSON-ready structure.

The HTML, JSON and XLSX renderers all read this one structure, so a number can only be shown the
way the library computed it, and the JSON report carries exactly what the HTML shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import sys
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leaktrace import __version__
from leaktrace.chain import chain
from leaktrace.chain.view import render_html as render_chain_html
from leaktrace.count import linkage_lines, load_case
from leaktrace.count._case import CASE_FILE, Case, case_relative
from leaktrace.count._count import CountResult, Run
from leaktrace.detect import CATALOGUE
from leaktrace.errors import FactsError, InputError
from leaktrace.law import Policy, load_policy
from leaktrace.report._labels import labels
from leaktrace.report._sign import BEIJING
from leaktrace.scan import FileResult, scan

SCHEMA = "leaktrace.report/1"
TIERS = ("sensitive", "important", "ordinary")
EXCLUSIONS = ("duplicate", "invalid", "masked", "unidentified", "empty")

Stage = Callable[[str], None]
"""Told the name of each step as it starts (scan, count, trace, chain, assess)."""
Rows = Callable[[str, int], None]
"""Told (what is being read, rows just done) while evidence is streamed."""


@dataclass
class Report:
    """The evidence report of one case: ``data`` is the JSON report, every renderer reads it."""

    data: dict[str, Any]
    lang: str = "zh"
    show_values: bool = False
    chain_html: str | None = field(default=None, repr=False)
    """The interactive chain page (``leaktrace.chain.view.render_html``)."""
    case_dir: Path | None = None
    """The case folder the evidence was read from (the signed manifest records it relative to
    the report, so that a report copied together with its case still verifies)."""

    def to_json(self) -> dict[str, Any]:
        return self.data

    @property
    def labels(self) -> dict[str, str]:
        return labels(self.lang)


def build_report(
    case_dir: Path,
    *,
    lang: str = "zh",
    show_values: bool = False,
    policy: Policy | None = None,
    command: list[str] | None = None,
    stage: Stage | None = None,
    rows: Rows | None = None,
    case_no: str | None = None,
    unit: str | None = None,
    examiner: str | None = None,
) -> Report:
    """Scan, count, trace, chain and assess a case folder, and gather the evidence report.

    ``case_no``, ``unit`` and ``examiner`` (the case number, handling unit and examiner) default
    to the ``[report]`` table of case.toml. Raises FactsError for a missing or broken
    ``case.toml``, InputError for evidence that cannot be read. Personal values are masked
    (``leaktrace.mask``) unless ``show_values``.
    """
    labels(lang)  # refuse an unknown language before any work
    step = stage or (lambda _name: None)
    policy = policy if policy is not None else load_policy()
    case = load_case(case_dir)
    root = case_dir.resolve()
    roots = _evidence_roots(case)

    step("scan")
    scanned = scan(roots, show_values=show_values, progress=rows)
    manifest = _numbered([_manifest_entry(f, root) for f in scanned.files])
    unreadable = [{"path": case_relative(e.path, root), "reason": e.reason} for e in scanned.errors]

    step("count")
    counted = _count(case, roots, policy, rows)

    step("trace")
    traces = [_trace(case_dir, t, show_values) for t in _trace_entries(case_dir)]

    step("chain")
    chain_json, chain_html = _chain(case_dir, policy, lang, rows)

    step("assess")
    parties = [_party(p, policy) for p in chain_json["parties"]]

    counting = counted.to_json()
    counting.pop("export", None)
    for f in counting["files"]:
        f["path"] = case_relative(f["path"], root)
        f["parent"] = case_relative(f["parent"], root) if f["parent"] else None
    for o in counting["overlaps"]:
        o["a"], o["b"] = case_relative(o["a"], root), case_relative(o["b"], root)
    counting["errors"] = [
        {"path": case_relative(e["path"], root), "reason": e["reason"]} for e in counting["errors"]
    ]
    counting["excluded_total"] = sum(counting["excluded"].values())
    counting["linkage_lines"] = linkage_lines(counting) if counting["linkage"] else []

    accused = sorted({a["recipient"] for t in traces for a in t.get("accused", [])})
    case_file = case_dir / CASE_FILE
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "lang": lang,
        "case": {
            "name": case.name,
            "dir": str(root),
            "case_file_sha256": hashlib.sha256(case_file.read_bytes()).hexdigest(),
        },
        "examiner": {
            "case_no": case_no or case.report.case_no,
            "unit": unit or case.report.unit,
            "examiner": examiner or case.report.examiner,
        },
        "summary": {
            "parties": len(parties),
            "files": len(manifest),
            "items": counting["items"],
            "items_total": sum(counting["items"].values()),
            "accused": accused,
            "levels": dict(Counter(p["finding"]["level"] for p in parties)),
        },
        "parties": parties,
        "manifest": {"files": manifest, "errors": unreadable},
        "counting": counting,
        "traces": traces,
        "chain": chain_json,
        "produced": {
            "at": dt.datetime.now(dt.UTC).astimezone(BEIJING).replace(microsecond=0).isoformat(),
            "leaktrace_version": __version__,
            "command": command if command is not None else list(sys.argv),
            "reproduce": _reproduce(case_dir, lang, policy),
            "python": f"Python {platform.python_version()} · {platform.system()} "
            f"{platform.machine()}",
            "show_values": show_values,
        },
        "policy": {
            "name": policy.name,
            "sha256": policy.sha256,
            "path": str(policy.path) if policy.path else None,
        },
    }
    return Report(data, lang=lang, show_values=show_values, chain_html=chain_html, case_dir=root)


def _reproduce(case_dir: Path, lang: str, policy: Policy) -> str:
    command = f"leaktrace report {case_dir} --format html --lang {lang}"
    if policy.sha256 != load_policy().sha256 and policy.path is not None:
        command += f" --policy {policy.path}"
    return command


# --- evidence -----------------------------------------------------------------------------------


def _evidence_roots(case: Case) -> list[Path]:
    """The case's ``evidence/`` folder, plus any evidence the case names outside it."""
    folder = case.dir / "evidence"
    roots = [folder] if folder.is_dir() else []
    for path in case.paths():
        full = case.dir / path
        if not (roots and full.resolve().is_relative_to(folder.resolve())):
            roots.append(full)
    return roots


def _numbered(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each file with its evidence item number (检材编号): 1, 2, … in order; the members of an
    archive numbered under it, 1-1, 1-2 (and 1-2-1 inside a nested archive)."""
    numbers: dict[str, str] = {}
    children: Counter[str] = Counter()
    top = 0
    for f in files:
        parent = f["parent"]
        if parent is None or parent not in numbers:
            top += 1
            number = str(top)
        else:
            children[parent] += 1
            number = f"{numbers[parent]}-{children[parent]}"
        numbers[f["path"]] = number
        f["item"] = number
    return files


def evidence_entries(report: Report) -> list[dict[str, Any]]:
    """The evidence files for the signed manifest: item number, case-relative path, SHA-256,
    size, and the archive a member came from (verified through the archive's own hash)."""
    return [
        {
            "item": f["item"],
            "path": f["path"],
            "sha256": f["sha256"],
            "size": f["size"],
            "member_of": f["parent"],
        }
        for f in report.data["manifest"]["files"]
    ]


def _manifest_entry(f: FileResult, root: Path) -> dict[str, Any]:
    contains: Counter[str] = Counter()
    tables = []
    for t in f.tables:
        columns = []
        for c in t.columns:
            if c.type:
                contains[c.type] += c.valid
            columns.append(
                {
                    "name": c.name,
                    "type": c.type,
                    "type_label": CATALOGUE[c.type].label if c.type else None,
                    "free_text": c.free_text,
                    "valid": c.valid,
                    "invalid": c.invalid,
                    "masked": c.masked,
                    "samples": c.samples,
                    "spans": dict(sorted(c.spans.items())),
                }
            )
        tables.append({"name": t.name, "rows": t.rows, "columns": columns})
    contains.update(f.spans)
    return {
        "path": case_relative(f.path, root),
        "sha256": f.sha256,
        "size": f.size,
        "format": f.format,
        "encoding": f.encoding,
        "parent": case_relative(f.parent, root) if f.parent else None,
        "rows": sum(t.rows for t in f.tables),
        "tables": tables,
        "contains": [
            {"type": t, "label": CATALOGUE[t].label, "valid": n}
            for t, n in sorted(contains.items(), key=lambda kv: (-kv[1], kv[0]))
            if n
        ],
    }


def _count(case: Case, roots: list[Path], policy: Policy, rows: Rows | None) -> CountResult:
    """Art. 11 counts over all the evidence together, each file with its declared kind."""
    kinds = {(case.dir / e.path).resolve(): e.kind for e in case.evidence}
    run = Run(policy, progress=rows)
    files: list[Path] = []
    for root in roots:
        files += sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    run.read_all([(file, kinds.get(file.resolve())) for file in files])
    result = CountResult(
        policy=policy,
        key="person",
        files=run.files,
        errors=run.errors,
        tally=run.finish(),
        categories=run.categoriser.ids,
        link=run.link,
    )
    result.linkage, result.unlinked = run.linkage, run.unlinked
    return result


# --- tracing ------------------------------------------------------------------------------------


def _trace_entries(case_dir: Path) -> list[dict[str, Any]]:
    """``[[traces]]`` of case.toml: evidence to trace, the registry, an optional key file."""
    raw = tomllib.loads((case_dir / CASE_FILE).read_text(encoding="utf-8-sig"))
    entries = raw.get("traces", [])
    where = str(case_dir / CASE_FILE)
    if not isinstance(entries, list):
        raise FactsError(
            "字段 field traces: 须为 [[traces]] 表的列表 must be a list of [[traces]] tables", where
        )
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not e.get("evidence") or not e.get("registry"):
            raise FactsError(
                f"字段 field traces[{i}]: 须有 evidence 与 registry needs evidence and registry",
                where,
            )
    return entries


def _trace(case_dir: Path, entry: dict[str, Any], show_values: bool) -> dict[str, Any]:
    from leaktrace.mark import Registry
    from leaktrace.trace import trace

    registry = str(entry["registry"])
    url = registry if "://" in registry else str(case_dir / registry)
    key_file = case_dir / entry["key_file"] if entry.get("key_file") else None
    base = {"evidence": entry["evidence"], "registry": registry}
    leaked = case_dir / entry["evidence"]
    if not leaked.is_file():
        raise InputError("要溯源的证据文件不存在 no such evidence file to trace", str(leaked))
    reg = Registry.open(url, key_file)
    try:
        result = trace(leaked, reg, show_values=show_values).to_json()
    finally:
        reg.close()
    result.pop("leaked", None)
    return {**base, **result}


# --- parties --------------------------------------------------------------------------


def _chain(
    case_dir: Path, policy: Policy, lang: str, rows: Rows | None
) -> tuple[dict[str, Any], str]:
    """The trade chain with every party's Art. 11 counts and finding, and its interactive page."""
    result = chain(case_dir, policy=policy, progress=rows).to_json()
    return result, render_chain_html(result, lang=lang)


def _party(p: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """One party for the report: the chain's figures plus category labels and tiers."""
    out = dict(p)
    out["items"] = {t: int(p.get("items", {}).get(t, 0)) for t in TIERS}
    out["items_total"] = sum(out["items"].values())
    out["categories"] = [
        {
            "category": cat,
            "label": policy.categories[cat].label if cat in policy.categories else cat,
            "tier": policy.tier_of(cat) if cat in policy.categories else None,
            "items": n,
        }
        for cat, n in sorted(p.get("by_category", {}).items())
    ]
    return out


__all__ = ["SCHEMA", "Report", "build_report", "evidence_entries"]
