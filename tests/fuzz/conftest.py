"""Fuzzing: how many inputs each test tries.

``make test`` tries a modest number (``LEAKTRACE_FUZZ_EXAMPLES``, default 25 per test); a long
run sets it high, e.g. ``LEAKTRACE_FUZZ_EXAMPLES=5000 pytest tests/fuzz
--hypothesis-show-statistics``, which prints how many inputs each test tried.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("LEAKTRACE_FUZZ_EXAMPLES", "25"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
"""The settings of every fuzz test: no deadline (the machine is shared), no example database
(each run explores afresh)."""
