"""The report's tables as an Excel workbook: evidence attachments, one sheet per table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from leaktrace.cells import write_row
from leaktrace.report._build import EXCLUSIONS, TIERS, Report

SHEETS = {
    "parties": ("当事人", "Parties"),
    "manifest": ("证据清单", "Manifest"),
    "files": ("逐文件计数", "Per-file counts"),
    "exclusions": ("排除原因", "Exclusions"),
    "overlaps": ("文件重合", "Overlaps"),
    "traces": ("溯源", "Traces"),
    "transfers": ("交易", "Transfers"),
}


def sheet_names(lang: str) -> dict[str, str]:
    i = 0 if lang == "zh" else 1
    return {key: pair[i] for key, pair in SHEETS.items()}


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the report's tables to ``path`` (XLSX); numbers as numbers, text as strings, never
    as formulas (:mod:`leaktrace.cells`)."""
    data, lab = report.data, report.labels
    names = sheet_names(report.lang)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True})
    tiers = [lab[f"tier.{t}"] for t in TIERS]

    def sheet(
        key: str, header: Sequence[str], rows: list[list[Any]], widths: Sequence[int]
    ) -> None:
        ws = book.add_worksheet(names[key])
        write_row(ws, 0, header, head)
        for r, row in enumerate(rows, start=1):
            write_row(ws, r, row)
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.freeze_panes(1, 0)
        if rows:
            ws.autofilter(0, 0, len(rows), len(header) - 1)

    sheet(
        "parties",
        [
            lab["party"],
            lab["role"],
            lab["legal_role"],
            *tiers,
            lab["obtained"],
            lab["sold"],
            lab["provided"],
            lab["kept"],
            lab["art11"],
            lab["gains"],
            lab["finding"],
            lab["grounds"],
            lab["sentence"],
            lab["fine"],
        ],
        [
            [
                p["name"],
                lab[f"role.{p['role']}"],
                lab[f"legal.{p['legal_role']}"],
                *[p["items"][t] for t in TIERS],
                p["obtained"],
                p["sold"],
                p["provided"],
                p.get("kept", 0),
                _art11(p, lab),
                p["gains_yuan"],
                lab[f"level.{p['finding']['level']}"],
                "\n".join(f"{g['provision']}：{g['why']}" for g in p["finding"]["grounds"]),
                f"{p['finding']['sentence']['provision']}：{p['finding']['sentence']['text']}",
                p["finding"]["fine"]["why"],
            ]
            for p in data["parties"]
        ],
        [14, 10, 14, 12, 12, 12, 10, 10, 10, 10, 44, 12, 16, 60, 40, 40],
    )
    sheet(
        "manifest",
        [
            "#",
            lab["path"],
            lab["format"],
            lab["encoding"],
            lab["size"],
            lab["rows"],
            lab["sha256"],
            lab["contains"],
        ],
        [
            [
                i + 1,
                m["path"],
                m["format"],
                m["encoding"],
                m["size"],
                m["rows"],
                m["sha256"],
                "、".join(f"{c['label']} {c['valid']}" for c in m["contains"]),
            ]
            for i, m in enumerate(data["manifest"]["files"])
        ]
        + [
            [None, e["path"], None, None, None, None, None, f"{lab['unreadable']}：{e['reason']}"]
            for e in data["manifest"]["errors"]
        ],
        [5, 40, 8, 10, 12, 8, 66, 50],
    )
    counting = data["counting"]
    sheet(
        "files",
        [
            lab["path"],
            lab["records_read"],
            lab["valid"],
            *[lab[f"ex.{k}"] for k in EXCLUSIONS[1:]],
            lab["dup_in_file"],
            *tiers,
        ],
        [
            [
                f["path"],
                f["records_read"],
                *[f["records"][s] for s in ("valid", *EXCLUSIONS[1:])],
                f["duplicate_within_file"],
                *[f["items"][t] for t in TIERS],
            ]
            for f in counting["files"]
        ],
        [40, 10, 10, 10, 10, 12, 12, 12, 14, 14, 14],
    )
    sheet(
        "exclusions",
        [lab["path"], lab["status"], lab["reason"], lab["records"]],
        [
            [f["path"], lab[f"ex.{x['status']}"], x["reason"], x["records"]]
            for f in counting["files"]
            for x in f["reasons"]
        ],
        [40, 14, 50, 10],
    )
    sheet(
        "overlaps",
        [lab["file_a"], lab["file_b"], lab["shared"]],
        [[o["a"], o["b"], o["items"]] for o in counting["overlaps"]],
        [40, 40, 12],
    )
    sheet(
        "traces",
        [
            lab["leaked"],
            lab["recipient"],
            lab["accused"],
            lab["score"],
            "log10 p",
            lab["bound"],
            lab["marks_agreed"],
            lab["honey"],
            lab["guilt"],
        ],
        [
            [
                t["evidence"],
                s["recipient"],
                s in t["accused"],
                s["score"],
                s["log10_p_value"],
                t["false_accusation_bound"],
                f"{s['bits_agreed']}/{s['bits_total']}",
                s["honey_records_found"],
                s["guilt_probability"],
            ]
            for t in data["traces"]
            for s in _accused_first(t)
        ],
        [36, 16, 8, 10, 10, 10, 12, 8, 10],
    )
    sheet(
        "transfers",
        [
            lab["seller"],
            lab["buyer"],
            lab["date"],
            lab["items"],
            lab["price"],
            lab["channel"],
            lab["inferred"],
            lab["containment"],
            lab["not_counted"],
            lab["evidence"],
        ],
        [
            [
                t["seller"],
                t["buyer"],
                t["date"],
                t["items"],
                t["price_yuan"],
                t["channel"],
                t["inferred"],
                t.get("containment"),
                t.get("counted") is False,
                "、".join(t["evidence"]),
            ]
            for t in data["chain"]["transfers"]
        ],
        [14, 14, 12, 10, 12, 10, 8, 10, 10, 50],
    )
    book.close()
    return path


def _accused_first(trace: dict[str, Any]) -> list[dict[str, Any]]:
    accused = {s["recipient"] for s in trace["accused"]}
    rest = [s for s in trace["candidates"] if s["recipient"] not in accused]
    return [*trace["accused"], *rest]


def _art11(party: dict[str, Any], lab: dict[str, str]) -> str:
    """The Art. 11 sum as the HTML shows it: to each buyer, plus kept, equals the items."""
    terms = [f"{lab['to_buyer']} {b} {n:,}" for b, n in party.get("to", {}).items()]
    terms.append(f"{lab['kept']} {party.get('kept', 0):,}")
    if party.get("held"):
        terms[-1] += f" − {lab['held']} {party['held']:,}"
    return " + ".join(terms) + f" = {party['items_total']:,}"
