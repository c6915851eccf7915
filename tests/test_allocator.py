"""Polars' allocator keeps freed pages for a while in every process that imports leaktrace first."""

from __future__ import annotations

import os
import subprocess
import sys

from leaktrace import ALLOCATOR_CONF, ALLOCATOR_ENV

SHOW = "import os, leaktrace, polars; print(os.environ.get(leaktrace.ALLOCATOR_ENV))"


def _run(env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_leaktrace_sets_the_allocator_options_before_polars_loads() -> None:
    env = {k: v for k, v in os.environ.items() if k != ALLOCATOR_ENV}
    # Polars puts its own options first; jemalloc takes the last value of each
    assert _run(env).endswith("," + ALLOCATOR_CONF)


def test_options_the_user_set_win() -> None:
    conf = _run({**os.environ, ALLOCATOR_ENV: "dirty_decay_ms:0"})
    assert conf.endswith(",dirty_decay_ms:0")
    assert ALLOCATOR_CONF not in conf
