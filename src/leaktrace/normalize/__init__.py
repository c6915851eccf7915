"""Rows to records: canonical fields, row status and reason, types carried, person and content keys.

One pure batch function, :func:`records`, so that any engine can run it (see
``docs/count.md``)::

    from leaktrace.normalize import records
    recs = records(batch, profiles)          # one record per row, schema RECORD_SCHEMA
    linkage = link(recs)                     # which records are one person (see _link.py)

Canonical forms: phone numbers as 11 digits (mobile) or as detect normalises them; ID numbers
upper-case, 18 characters; names trimmed and NFKC-normalised; addresses cleaned (NFKC, no
spaces) and split into province, city, district, community, building, unit and room.
"""

from __future__ import annotations

from leaktrace.normalize._address import ADDRESS_PARTS, ROOM_PARTS, split_address, split_room
from leaktrace.normalize._address_compiled import warm as warm_splitter
from leaktrace.normalize._keys import (
    KEY_SEED,
    SEP,
    field_seed,
    identifier_keys,
    key_hash,
    place_text,
)
from leaktrace.normalize._link import (
    LINK_FIELDS,
    NAME_PLACE,
    HashStore,
    Linkage,
    Linker,
    LinkRules,
    link,
    link_keys,
    rules_of,
)
from leaktrace.normalize._reasons import (
    EXCEL_ID,
    EXCEL_TRUNCATED_ID,
    ID_CHECK_DIGIT,
    ID_DATE_OR_REGION,
    ID_LENGTH,
    MOBILE_LENGTH,
    MOBILE_SEGMENT,
)
from leaktrace.normalize._records import (
    FIELDS,
    IDENTIFIERS,
    RECORD_SCHEMA,
    STATUSES,
    TYPE_BITS,
    TYPE_IDS,
    records,
)


def types_of(mask: int) -> frozenset[str]:
    """The type ids a ``types`` bitmask stands for."""
    return frozenset(t for t, bit in TYPE_BITS.items() if mask & bit)


def mask_of(types: set[str] | frozenset[str]) -> int:
    """The ``types`` bitmask of a set of type ids."""
    return sum(TYPE_BITS[t] for t in types)


__all__ = [
    "ADDRESS_PARTS",
    "EXCEL_ID",
    "EXCEL_TRUNCATED_ID",
    "FIELDS",
    "IDENTIFIERS",
    "ID_CHECK_DIGIT",
    "ID_DATE_OR_REGION",
    "ID_LENGTH",
    "KEY_SEED",
    "LINK_FIELDS",
    "MOBILE_LENGTH",
    "MOBILE_SEGMENT",
    "NAME_PLACE",
    "RECORD_SCHEMA",
    "ROOM_PARTS",
    "SEP",
    "STATUSES",
    "TYPE_BITS",
    "TYPE_IDS",
    "HashStore",
    "LinkRules",
    "Linkage",
    "Linker",
    "field_seed",
    "identifier_keys",
    "key_hash",
    "link",
    "link_keys",
    "mask_of",
    "place_text",
    "records",
    "rules_of",
    "split_address",
    "split_room",
    "types_of",
    "warm_splitter",
]
