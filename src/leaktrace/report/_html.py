"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no script needed."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from leaktrace.chain.view import render_svg
from leaktrace.detect import CATALOGUE
from leaktrace.report import _charts
from leaktrace.report._build import TIERS, Report
from leaktrace.report._sign import BEIJING


def fmt_number(value: Any) -> str:
    """Numbers as the report prints them: thousands separated, at most two decimals."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def beijing_time(iso: str) -> str:
    """An ISO time as Beijing time, ``2026-12-06 21:03:00 (UTC+8)``; the label says which zone."""
    when = dt.datetime.fromisoformat(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S (UTC+8)")


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("leaktrace.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["n"] = fmt_number
    env.filters["beijing"] = beijing_time
    return env


@cache
def _css() -> str:
    return (resources.files("leaktrace.report") / "templates" / "report.css").read_text("utf-8")


def render_html(report: Report, *, chain_href: str | None = None) -> str:
    """The whole report as one HTML document (Chinese by default, ``report.lang``);
    ``chain_href`` links the interactive chain page written beside it."""
    data = report.data
    lab = report.labels
    tiers = {t: lab[f"tier.{t}"] for t in TIERS}
    charts = {
        "tiers": Markup(_charts.tier_bars(data["parties"], tiers, lab["chart.tiers"])),
        "overlap": Markup(
            _charts.overlap_heatmap(
                data["counting"]["files"], data["counting"]["overlaps"], lab["chart.overlap"]
            )
        ),
        "chain": Markup(render_svg(data["chain"], lang=report.lang)),
    }
    return (
        _env()
        .get_template("report.html")
        .render(
            r=data,
            L=lab,
            tiers=TIERS,
            charts=charts,
            css=Markup(_css()),
            lang=report.lang,
            chain_href=chain_href,
            level_counts=[
                (k, data["summary"]["levels"][k])
                for k in ("especially_serious", "serious", "none")
                if data["summary"]["levels"].get(k)
            ],
            types={t: (u.label if report.lang == "zh" else t) for t, u in CATALOGUE.items()},
        )
    )
