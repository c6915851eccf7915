"""Read every evidence format as a stream of String batches with bounded memory, and hash it.

`walk` is the entry point; `docs/architecture.md` ("ingest") is the contract. In short:

- Formats, recognised by content, never by name (a mismatch is kept in `Evidence.notes`): csv,
  tsv, txt (whitespace- or single-column lists), xlsx, xls, ods, json, jsonl, parquet, sql
  (MySQL/PostgreSQL INSERT and COPY), zip (members are `a.zip!/b.csv`, nested up to 5 deep).
- Encodings, for text formats only, detected or forced: `utf-8`, `utf-8-sig` (BOM), `utf-16`
  (BOM), `utf-16-le`/`utf-16-be` (no BOM), `gbk` (decodes as GBK; read with the GB18030 codec,
  its superset), `gb18030` (needs characters outside GBK), `big5`.
- Every problem with one file is a `Failure(path, reason)` and the walk goes on; a problem found
  only while streaming a table raises `leaktrace.errors.InputError` from `Table.batches()`.
- Bounds (`Limits`): 200,000 rows a batch, 10 MB a cell, 2 GiB an archive member, ratio 200:1
  above 100 MB, 20 GiB per top-level archive, 5 levels of nesting.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._csv import Dialect, sniff_dialect
from ._excel import DownFill, render_cell, sheet_rows
from ._json import json_cell
from ._loose import respell
from ._model import FORMATS, Evidence, Failure, Limits, Table
from ._sniff import canonical_encoding, decoder_name, detect_encoding, sniff_format
from ._sniff import sha256_file as _sha256_file
from ._walk import one_ahead, walk
from ._zip import Budget, member_name
from ._zip import _extract as extract_member
from ._zip import _refusal as member_refusal


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file as lowercase hex, read in 1 MiB chunks."""
    return _sha256_file(Path(path)).sha256


__all__ = [
    "FORMATS",
    "Budget",
    "Dialect",
    "DownFill",
    "Evidence",
    "Failure",
    "Limits",
    "Table",
    "canonical_encoding",
    "decoder_name",
    "detect_encoding",
    "extract_member",
    "json_cell",
    "member_name",
    "member_refusal",
    "one_ahead",
    "render_cell",
    "respell",
    "sha256_file",
    "sheet_rows",
    "sniff_dialect",
    "sniff_format",
    "walk",
]
