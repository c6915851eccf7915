"""What an assessment returns: the level, the grounds that support it, the penalty ranges, notes."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

Level = Literal["none", "serious", "especially_serious"]
Route = Literal["art5", "art6"]
LEVELS: tuple[Level, ...] = ("none", "serious", "especially_serious")
LEVEL_TEXT: dict[Level, str] = {
    "none": "未达情节严重标准",
    "serious": "情节严重",
    "especially_serious": "情节特别严重",
}


@dataclass(frozen=True)
class Provision:
    id: str
    cite: str
    text: str


@cache
def _provisions() -> dict[str, Provision]:
    raw = tomllib.loads((resources.files("leaktrace.law") / "provisions.toml").read_text("utf-8"))
    return {key: Provision(key, value["cite"], value["text"]) for key, value in raw.items()}


def provision(provision_id: str) -> Provision:
    """The provision with this id from ``provisions.toml`` (e.g. ``art5.1.3``)."""
    return _provisions()[provision_id]


@dataclass(frozen=True)
class Ground:
    """One provision the facts satisfy: where it is, what it says, and why it is met."""

    provision: str
    text: str
    why: str
    level: Level
    id: str

    @classmethod
    def of(cls, provision_id: str, level: Level, why: str) -> Ground:
        p = provision(provision_id)
        return cls(provision=p.cite, text=p.text, why=why, level=level, id=provision_id)


@dataclass(frozen=True)
class Sentence:
    """The statutory range for the level (Criminal Law Art. 253-1)."""

    provision: str
    text: str
    gloss: str
    min_years: int | None
    max_years: int | None
    heavier_for_insider: bool
    insider_rule: str | None


@dataclass(frozen=True)
class Fine:
    """The normal fine range of Art. 12: a multiple of the illegal gains."""

    provision: str
    text: str
    basis_yuan: int | float
    min_multiple: int | float
    max_multiple: int | float
    min_yuan: int | float | None
    max_yuan: int | float | None
    why: str


@dataclass(frozen=True)
class PolicyRef:
    name: str
    sha256: str
    path: str | None


@dataclass(frozen=True)
class Finding:
    """The assessment of one suspect.

    ``level`` is the heaviest level any ground reaches; ``grounds`` lists every provision met,
    in the order of the interpretation; ``notes`` hold what a prosecutor should also see: tests
    that were not met and how far they fell short, assumptions, Art. 10, caveats.
    """

    level: Level
    level_text: str
    route: Route
    grounds: list[Ground]
    sentence: Sentence
    fine: Fine
    notes: list[str]
    policy: PolicyRef
    facts: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict: the shape documented in docs/assess.md."""
        return asdict(self)
