"""The catalogue: type id -> ``PIType``, built from ``data/catalogue.toml`` and the units."""

from __future__ import annotations

import importlib

from leaktrace.detect._data import catalogue_table
from leaktrace.detect._unit import PIType


def build() -> dict[str, PIType]:
    """Import every unit named in ``catalogue.toml`` in file order (which is span priority)."""
    out: dict[str, PIType] = {}
    for type_id, row in catalogue_table().items():
        module = importlib.import_module(f"leaktrace.detect.types.{row['unit']}")
        out[type_id] = PIType.from_module(type_id, module, row)
    return out


CATALOGUE: dict[str, PIType] = build()
