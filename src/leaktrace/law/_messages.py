"""Turning pydantic's validation errors into the one line a user reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

_REASONS = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}


def field_path(loc: Sequence[str | int]) -> str:
    """``("mappings", 3, "category")`` -> ``mappings[3].category``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def describe(exc: ValidationError) -> str:
    """One line: ``field X: reason (got V)`` for every error, joined by ``; ``."""
    return "; ".join(_describe_one(err) for err in exc.errors(include_url=False))


def _describe_one(err: Any) -> str:
    where = field_path(_without_union_tags(err["loc"]))
    reason = _REASONS.get(err["type"]) or str(err["msg"]).removeprefix("Value error, ")
    if err["type"] in ("extra_forbidden", "missing"):
        return f"field {where}: {reason}"
    return f"field {where}: {reason} (got {err.get('input')!r})"


def _without_union_tags(loc: Sequence[str | int]) -> list[str | int]:
    # pydantic adds the union member's type name ("int", "float", ...) to the location.
    tags = {"int", "float", "str", "bool", "decimal", "date", "function-after", "function-before"}
    return [p for p in loc if not (isinstance(p, str) and (p in tags or p.startswith("function")))]
