"""Importing leaktrace changes nothing; the leaktrace command sets the allocator before Polars."""

from __future__ import annotations

import os
import subprocess
import sys

from leaktrace import ALLOCATOR_CONF, ALLOCATOR_ENV

IMPORT_ONLY = "import os, leaktrace, polars; print(os.environ.get(leaktrace.ALLOCATOR_ENV))"
ENTRY_POINT = (
    "import os, sys\n"
    "sys.argv = ['leaktrace', '--version']\n"
    "from leaktrace.process import ALLOCATOR_ENV, main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "assert 'polars' in sys.modules\n"
    "print(os.environ.get(ALLOCATOR_ENV))\n"
)


def _run(code: str, env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def _clean() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != ALLOCATOR_ENV}


def test_importing_leaktrace_leaves_the_environment_alone() -> None:
    assert ALLOCATOR_CONF not in _run(IMPORT_ONLY, _clean())


def test_the_command_sets_the_allocator_options_before_polars_loads() -> None:
    # Polars puts its own options first; jemalloc takes the last value of each
    assert _run(ENTRY_POINT, _clean()).endswith("," + ALLOCATOR_CONF)


def test_options_the_user_set_win() -> None:
    conf = _run(ENTRY_POINT, {**os.environ, ALLOCATOR_ENV: "dirty_decay_ms:0"})
    assert conf.endswith(",dirty_decay_ms:0")
    assert ALLOCATOR_CONF not in conf
