"""Read every evidence format as a stream of String batches with bounded memory, and hash it.

`walk` is the entry point; see `docs/architecture.md` ("ingest") for the contract. Formats are
recognised by content, encodings detected (or forced), every file hashed with SHA-256, and every
problem with a file reported as a `Failure` with one line naming the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._model import FORMATS, Evidence, Failure, Limits, Table
from ._sniff import canonical_encoding, detect_encoding, sniff_format
from ._sniff import sha256_file as _sha256_file
from ._walk import walk


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file as lowercase hex, read in 1 MiB chunks."""
    return _sha256_file(Path(path)).sha256


__all__ = [
    "FORMATS",
    "Evidence",
    "Failure",
    "Limits",
    "Table",
    "canonical_encoding",
    "detect_encoding",
    "sha256_file",
    "sniff_format",
    "walk",
]
