"""The evidence report: what a case's evidence holds, how it was counted, who leaked, findings.

```python
from leaktrace.report import build_report, render_html, write_report

report = build_report(Path("case/"))          # lang="zh", show_values=False
report.to_json()                              # the JSON report (docs/report.md)
html = render_html(report)                    # one self-contained page, prints to A4
write_report(report, Path("case/reports/report.xlsx"), "xlsx", key=load_key())
verify(manifest_path(Path("case/reports/report.xlsx"))).ok      # signed manifest re-checked
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

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leaktrace.errors import UsageError
from leaktrace.report._build import SCHEMA, Report, build_report, evidence_entries
from leaktrace.report._html import render_html
from leaktrace.report._labels import LANGS, labels
from leaktrace.report._sign import (
    BEIJING,
    KEY_ENV,
    SigningError,
    Verification,
    default_key_path,
    init_key,
    load_key,
    manifest_path,
    manifests_of,
    public_key_path,
    verify,
    write_manifest,
    written_by,
)
from leaktrace.report._xlsx import sheet_names, write_xlsx

Format = Literal["html", "json", "xlsx"]
FORMATS: tuple[Format, ...] = ("html", "json", "xlsx")


def write_report(
    report: Report,
    path: Path,
    fmt: Format = "html",
    *,
    key: Ed25519PrivateKey | None = None,
) -> Path:
    """Write the report in ``fmt`` to ``path``, then its manifest, signed with ``key``.

    Each file is written to a temporary name and renamed. For HTML, the interactive chain page
    (when ``leaktrace.chain.view`` exists) goes beside it as ``<stem>.chain.html``. The manifest
    (``<name>.manifest.json``, :mod:`leaktrace.report._sign`) lists every file written and every
    evidence file read, with SHA-256; without ``key`` it is written unsigned. A file already at
    any of these places is replaced only if an earlier report's manifest there lists it as its
    own; anything else is refused before a byte is written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    chain_path = chain_page_path(path)
    companion = fmt == "html" and report.chain_html is not None
    manifest = manifest_path(path)
    refuse_foreign_files(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o600 if report.show_values else 0o644
    if fmt == "html":
        page = render_html(report, chain_href=chain_path.name if companion else None)
        _write_bytes(path, page.encode("utf-8"), mode)
    elif fmt == "json":
        text = json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str)
        _write_bytes(path, text.encode("utf-8") + b"\n", mode)
    else:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        try:
            write_xlsx(report, tmp)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    if companion:
        assert report.chain_html is not None
        _write_bytes(chain_path, report.chain_html.encode("utf-8"), mode)
    write_manifest(
        manifest,
        [path, *([chain_path] if companion else [])],
        evidence_entries(report),
        report.case_dir or Path(report.data["case"]["dir"]),
        key=key,
        examiner=report.data.get("examiner", {}),
    )
    return path


def chain_page_path(path: Path) -> Path:
    """The interactive chain page beside an HTML report: ``report.html`` → ``report.chain.html``."""
    return path.with_name(f"{path.stem}.chain.html")


def refuse_foreign_files(path: Path, fmt: Format) -> None:
    """Refuse (UsageError) when a file that no earlier report wrote is where this report, its
    chain page or its manifest would go; call it before the work, ``write_report`` does too."""
    manifest = manifest_path(path)
    ours = written_by(manifest)
    for target in [path, *([chain_page_path(path)] if fmt == "html" else []), manifest]:
        if target.exists() and target.name not in ours:
            raise UsageError(
                "该位置已有一个并非此前报告写出的文件，请移走它或另选 --out "
                "a file is already there that no earlier report wrote; move it or choose "
                "another --out",
                str(target),
            )


def _write_bytes(path: Path, data: bytes, mode: int) -> None:
    # A report with values in full is for its owner only; a masked one reads like any file.
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(name, mode)
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)


__all__ = [
    "BEIJING",
    "FORMATS",
    "KEY_ENV",
    "LANGS",
    "SCHEMA",
    "Format",
    "Report",
    "SigningError",
    "Verification",
    "build_report",
    "chain_page_path",
    "default_key_path",
    "init_key",
    "labels",
    "load_key",
    "manifest_path",
    "manifests_of",
    "public_key_path",
    "refuse_foreign_files",
    "render_html",
    "sheet_names",
    "verify",
    "write_report",
    "write_xlsx",
]
