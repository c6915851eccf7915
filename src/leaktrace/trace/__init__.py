"""Leak attribution: match a leaked list to registered exports, read their marks, accuse.

>>> reg = Registry.open("owners-registry.db")
>>> result = trace(Path("seized/list.xlsx"), reg)          # epsilon=1e-6 by default
>>> [(s.recipient, s.p_value) for s in result.accused]

Every distribution of every master the list matches is scored with one symmetric Tardos score
over all marks (variant spellings and honey records; erasures skipped). A distribution is accused
only if a Chernoff bound on its score's tail under innocence is at most ``epsilon / n``; by the
union bound, the chance that any innocent recipient is accused is at most ``epsilon``. The
``candidates`` are a ranking by the guilt model of Papadimitriou & Garcia-Molina (allocation
only), not an accusation.
"""

from __future__ import annotations

from leaktrace.trace._trace import (
    DEFAULT_EPSILON,
    DEFAULT_GUESS,
    EvidenceRow,
    Score,
    TraceResult,
    trace,
)

__all__ = ["DEFAULT_EPSILON", "DEFAULT_GUESS", "EvidenceRow", "Score", "TraceResult", "trace"]
