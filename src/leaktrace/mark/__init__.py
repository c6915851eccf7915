"""Fingerprinted exports: the registry, the keyed Tardos code, honey records and variants.

>>> reg = Registry.create("owners-registry.db")            # once; writes owners-registry.db.key
>>> result = mark_export(Path("owners.csv"), recipient="销售-张三", registry=reg,
...                      out=Path("exports/owners-zhangsan.csv"))

`leaktrace.trace` reads what this package writes; the modules it shares are public:
`code` (the PRF, biases, bits and the score's tail bound), `variants` (equivalent spellings and
their readers) and `records` (column roles, identities and match keys).
"""

from __future__ import annotations

from leaktrace.mark._keys import KEY_ENV, KEY_FILE_ENV, MarkKeyError, create_key_file, load_key
from leaktrace.mark._mark import Exporter, MarkResult, mark_export
from leaktrace.mark._registry import (
    REGISTRY_ENV,
    Distribution,
    Master,
    Registry,
    RegistryError,
    resolve_url,
)
from leaktrace.mark.code import CodeParams

__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "REGISTRY_ENV",
    "CodeParams",
    "Distribution",
    "Exporter",
    "MarkKeyError",
    "MarkResult",
    "Master",
    "Registry",
    "RegistryError",
    "create_key_file",
    "load_key",
    "mark_export",
    "resolve_url",
]
