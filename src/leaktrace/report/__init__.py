"""The evidence report: what a case's evidence holds, how it was counted, who leaked, findings.

```python
from leaktrace.report import build_report, render_html, write_report

report = build_report(Path("case/"))          # lang="zh", show_values=False
report.to_json()                              # the JSON report (docs/report.md)
html = render_html(report)                    # one self-contained page, prints to A4
write_report(report, Path("case/reports/report.xlsx"), "xlsx")   # atomic
```

One structure (``Report.data``) feeds every renderer, so the HTML, JSON and XLSX carry the same
numbers. Personal values are masked through ``leaktrace.mask`` unless ``show_values``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Literal

from leaktrace.report._build import SCHEMA, Report, build_report
from leaktrace.report._html import render_html
from leaktrace.report._labels import LANGS, labels
from leaktrace.report._xlsx import sheet_names, write_xlsx

Format = Literal["html", "json", "xlsx"]
FORMATS: tuple[Format, ...] = ("html", "json", "xlsx")


def write_report(report: Report, path: Path, fmt: Format = "html") -> Path:
    """Write the report in ``fmt`` to ``path`` atomically: a temporary file, then a rename.

    For HTML, the interactive chain page (when ``leaktrace.chain.view`` exists) is written
    beside it as ``chain.html``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            if fmt == "html":
                fh.write(render_html(report).encode("utf-8"))
            elif fmt == "json":
                text = json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str)
                fh.write(text.encode("utf-8") + b"\n")
        if fmt == "xlsx":
            write_xlsx(report, tmp)
        # A report with values in full is for its owner only; a masked one reads like any file.
        os.chmod(tmp, 0o600 if report.show_values else 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if fmt == "html" and report.chain_html is not None:
        _write_text(path.parent / "chain.html", report.chain_html)
    return path


def _write_text(path: Path, text: str) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(name, path)


__all__ = [
    "FORMATS",
    "LANGS",
    "SCHEMA",
    "Format",
    "Report",
    "build_report",
    "labels",
    "render_html",
    "sheet_names",
    "write_report",
    "write_xlsx",
]
