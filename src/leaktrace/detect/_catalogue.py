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


TYPE_IDS: tuple[str, ...] = (
    "name",
    "cn_id",
    "mobile",
    "landline",
    "email",
    "bank_card",
    "address",
    "room",
    "plate",
    "passport",
    "uscc",
    "qq",
    "wechat",
    "ip",
    "gps",
    "vin",
    "birth_date",
)
"""The agreed type ids in their one fixed order (record columns and type bitmasks follow it).

The catalogue's own order is span priority; this is the order other packages rely on, kept
next to the catalogue so the two cannot drift apart unnoticed.
"""

if set(TYPE_IDS) != set(CATALOGUE):
    raise RuntimeError(
        f"detect: TYPE_IDS and data/catalogue.toml disagree: {set(TYPE_IDS) ^ set(CATALOGUE)}"
    )
