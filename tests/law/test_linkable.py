"""The identifiers a policy may name for linkage are the identifiers records carry.

`law` keeps its own list (`LINKABLE`): `normalize` imports `law` (its linker loads the policy),
so `law` importing `normalize` would make the two depend on each other and pull the detectors'
compiled code into the legal rules. This test keeps the two lists one.
"""

from __future__ import annotations

from leaktrace.law import LINKABLE
from leaktrace.normalize import IDENTIFIERS


def test_linkable_identifiers_are_normalize_identifiers() -> None:
    assert set(LINKABLE) == set(IDENTIFIERS)
    assert len(LINKABLE) == len(set(LINKABLE))
