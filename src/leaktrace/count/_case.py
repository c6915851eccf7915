"""A case: parties, what each obtained, sold or provided, and one finding per party.

A case is a folder with ``case.toml`` and the evidence under it (usually ``evidence/``)::

    name = "2026 杭州业主信息案"

    [[parties]]
    name = "王某"
    role = "insider"                       # outsider | insider | lawful_business_buyer
    obtained = ["evidence/owners.xlsx"]    # seized from the party or otherwise obtained
    [parties.facts]                        # law.Facts fields except role and items
    illegal_gains_yuan = 18000

    [[transfers]]                          # one sale or hand-over
    seller = "王某"
    buyer = "李某"                         # a party or anyone else
    evidence = ["evidence/owners.xlsx"]
    type = "sold"                          # sold | provided
    price_yuan = 6000                      # optional
    date = 2026-03-01                      # optional

    [[evidence]]                           # optional: declare a dataset kind (policy.kinds)
    path = "evidence/owners.xlsx"
    kind = "home_owner_list"

Counting per party follows Art. 11 of the interpretation: information obtained and then sold
counts once; the same information sold or provided to different buyers counts once per buyer.
So a party's items, per category, are the sum over its buyers of the distinct items it sold to
that buyer, plus the distinct items it obtained and sold to no one. Items a party received in a
transfer count as obtained by it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from leaktrace.count._count import Progress, Run
from leaktrace.errors import FactsError, InputError
from leaktrace.law import Facts, Finding, Policy, Role, assess, load_policy
from leaktrace.law._messages import describe

CASE_FILE = "case.toml"

Name = Annotated[str, Field(min_length=1)]
RelPath = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Party(_Strict):
    """A person or organisation in the case, with the facts only an investigator can state."""

    name: Name
    role: Role
    obtained: list[RelPath] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)


class Transfer(_Strict):
    """One sale or hand-over of evidence files from a party to a buyer."""

    seller: Name
    buyer: Name
    evidence: Annotated[list[RelPath], Field(min_length=1)]
    type: Literal["sold", "provided"] = "sold"
    price_yuan: Annotated[Decimal, Field(ge=0)] | None = None
    date: dt.date | None = None
    channel: str | None = None
    """How it changed hands (微信, QQ, U盘, 邮件, ...), as the investigator found it."""


class EvidenceKind(_Strict):
    """A dataset kind declared for one evidence file (what detection cannot see)."""

    path: RelPath
    kind: Name


class TraceRequest(_Strict):
    """A seized file to trace to the recipient it was exported to (``leaktrace trace``)."""

    evidence: RelPath
    registry: Name
    """The mark registry: a path relative to the case folder, or a database URL."""
    key_file: RelPath | None = None


class Case(_Strict):
    """A checked ``case.toml``; build it with :func:`load_case`."""

    name: str | None = None
    parties: Annotated[list[Party], Field(min_length=1)]
    transfers: list[Transfer] = Field(default_factory=list)
    evidence: list[EvidenceKind] = Field(default_factory=list)
    traces: list[TraceRequest] = Field(default_factory=list)

    _dir: Path = PrivateAttr(default=Path("."))

    @property
    def dir(self) -> Path:
        return self._dir

    def paths(self) -> list[str]:
        """Every evidence path the case names, once each, in order of first mention."""
        seen: dict[str, None] = {}
        for party in self.parties:
            seen.update(dict.fromkeys(party.obtained))
        for transfer in self.transfers:
            seen.update(dict.fromkeys(transfer.evidence))
        return list(seen)

    def kind_of(self, path: str) -> str | None:
        return next((e.kind for e in self.evidence if e.path == path), None)

    def obtained_by(self, party: str) -> list[str]:
        """Paths the party obtained: declared, and received in transfers."""
        own = next(p.obtained for p in self.parties if p.name == party)
        received = [p for t in self.transfers if t.buyer == party for p in t.evidence]
        return list(dict.fromkeys([*own, *received]))

    def sold_by(self, party: str) -> dict[str, list[str]]:
        """Buyer -> paths the party sold or provided to that buyer."""
        out: dict[str, list[str]] = {}
        for t in self.transfers:
            if t.seller == party:
                out.setdefault(t.buyer, []).extend(t.evidence)
        return {b: list(dict.fromkeys(paths)) for b, paths in out.items()}


def load_case(case_dir: Path) -> Case:
    """Read and check ``case_dir/case.toml``.

    Raises FactsError naming the file, the field and the reason for anything wrong: an unknown
    field, a negative price, a party's facts that ``law.Facts`` rejects, a transfer from someone
    who is not a party, an evidence file that is not there or lies outside the case folder.
    """
    source = case_dir / CASE_FILE
    where = str(source)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FactsError(f"no {CASE_FILE} in the case folder", where) from None
    except OSError as exc:
        raise FactsError(f"cannot read case file: {exc.strerror}", where) from None
    except UnicodeDecodeError:
        raise FactsError("case file is not UTF-8 text", where) from None
    except tomllib.TOMLDecodeError as exc:
        raise FactsError(f"not valid TOML: {exc}", where) from None
    try:
        case = Case.model_validate(raw)
    except ValidationError as exc:
        raise FactsError(describe(exc), where) from None
    case._dir = case_dir
    _check(case, where)
    return case


def _check(case: Case, where: str) -> None:
    names = [p.name for p in case.parties]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise FactsError(f"field parties[{i}].name: party {name!r} is named twice", where)
    for i, party in enumerate(case.parties):
        _facts(party, Counter(), resold=False, where=where, index=i)
        for j, path in enumerate(party.obtained):
            _exists(case.dir, path, f"parties[{i}].obtained[{j}]", where)
    for i, t in enumerate(case.transfers):
        if t.seller not in names:
            raise FactsError(
                f"field transfers[{i}].seller: {t.seller!r} is not one of the parties", where
            )
        if t.buyer == t.seller:
            raise FactsError(f"field transfers[{i}].buyer: a party cannot sell to itself", where)
        for j, path in enumerate(t.evidence):
            _exists(case.dir, path, f"transfers[{i}].evidence[{j}]", where)
    named = set(case.paths())
    for i, e in enumerate(case.evidence):
        if e.path not in named:
            raise FactsError(
                f"field evidence[{i}].path: {e.path!r} is not obtained or transferred by anyone",
                where,
            )


def _exists(case_dir: Path, path: str, field_name: str, where: str) -> None:
    target = (case_dir / path).resolve()
    if Path(path).is_absolute() or not target.is_relative_to(case_dir.resolve()):
        raise FactsError(
            f"field {field_name}: {path!r} must be a path inside the case folder", where
        )
    if not target.exists():
        raise FactsError(f"field {field_name}: no such evidence file {path!r}", where)


def _facts(party: Party, items: Counter[str], *, resold: bool, where: str, index: int) -> Facts:
    prefix = f"parties[{index}].facts"
    if "items" in party.facts:
        raise FactsError(
            f"field {prefix}.items: items are counted from the evidence, not stated", where
        )
    if "role" in party.facts:
        raise FactsError(f"field {prefix}.role: give the role on the party, not in facts", where)
    data = {
        **party.facts,
        "role": party.role,
        "items": {t: items.get(t, 0) for t in ("sensitive", "important", "ordinary")},
        "resold": bool(party.facts.get("resold", False)) or resold,
    }
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        reason = describe(exc).replace("field ", f"field {prefix}.")
        raise FactsError(reason, where) from None


@dataclass
class PartyCounts:
    """One party's items per category under Art. 11, and how they add up."""

    party: str
    obtained: Counter[str] = field(default_factory=Counter)
    """Distinct items in everything the party obtained."""
    sold: dict[str, Counter[str]] = field(default_factory=dict)
    """Per buyer: distinct items sold or provided to that buyer."""
    kept: Counter[str] = field(default_factory=Counter)
    """Distinct items obtained and sold to no one."""
    bare_phone: int = 0

    def by_category(self) -> Counter[str]:
        """Items counted for the party: sum over buyers, plus obtained and never sold."""
        total = Counter(self.kept)
        for per_buyer in self.sold.values():
            total.update(per_buyer)
        return total

    def items(self, policy: Policy) -> Counter[str]:
        out: Counter[str] = Counter({t: 0 for t in ("sensitive", "important", "ordinary")})
        for cat, n in self.by_category().items():
            out[policy.tier_of(cat)] += n
        return out

    def to_json(self, policy: Policy) -> dict[str, Any]:
        return {
            "items": dict(self.items(policy)),
            "by_category": dict(sorted(self.by_category().items())),
            "obtained": dict(sorted(self.obtained.items())),
            "sold": {b: dict(sorted(c.items())) for b, c in self.sold.items()},
            "kept": dict(sorted(self.kept.items())),
            "bare_phone": self.bare_phone,
            "rule": (
                "Art. 11: sum over buyers of distinct items sold or provided to each, plus "
                "distinct items obtained and sold to no one"
            ),
        }


@dataclass
class CaseCounts:
    """Counts for every party, and the evidence they came from."""

    parties: dict[str, PartyCounts]
    files: list[dict[str, Any]]


def count_case(
    case: Case, policy: Policy | None = None, *, progress: Progress | None = None
) -> CaseCounts:
    """Count each party's items per Art. 11; every evidence file is read once.

    An evidence file that cannot be read stops the case with an InputError: a party's count
    would otherwise be silently short.
    """
    policy = policy if policy is not None else load_policy()
    for i, declared in enumerate(case.evidence):
        if declared.kind not in policy.kinds:
            raise FactsError(
                f"field evidence[{i}].kind: unknown dataset kind {declared.kind!r} "
                f"(the policy knows {', '.join(policy.kinds)})",
                str(case.dir / CASE_FILE),
            )
    run = Run(policy, progress=progress)
    sources: dict[str, list[int]] = {}
    for path in case.paths():
        sources[path] = run.read(case.dir / path, case.kind_of(path))
        if run.errors:
            failure = run.errors[0]
            raise InputError(failure.reason, failure.path)
    groups: dict[str, tuple[list[int], list[int]]] = {}
    for party in case.parties:
        obtained = _ids(sources, case.obtained_by(party.name))
        sold = {b: _ids(sources, paths) for b, paths in case.sold_by(party.name).items()}
        sold_all = sorted({s for ids in sold.values() for s in ids})
        groups[_group(party.name, "obtained")] = (obtained, [])
        groups[_group(party.name, "kept")] = (obtained, sold_all)
        for buyer, ids in sold.items():
            groups[_group(party.name, "sold", buyer)] = (ids, [])
    tallied = run.finish(groups)
    names = run.categoriser.ids

    def cats(group: str) -> Counter[str]:
        return Counter({names[c]: n for c, n in tallied.groups.get(group, Counter()).items() if n})

    def bare(group: str) -> int:
        return sum(tallied.group_bare.get(group, Counter()).values())

    parties: dict[str, PartyCounts] = {}
    for party in case.parties:
        counts = PartyCounts(party.name)
        counts.obtained = cats(_group(party.name, "obtained"))
        counts.kept = cats(_group(party.name, "kept"))
        counts.bare_phone = bare(_group(party.name, "kept"))
        for buyer in case.sold_by(party.name):
            counts.sold[buyer] = cats(_group(party.name, "sold", buyer))
            counts.bare_phone += bare(_group(party.name, "sold", buyer))
        parties[party.name] = counts
    files = [
        {"path": f.path, "sha256": f.sha256, "size": f.size, "records_read": f.records_read}
        for f in run.files
    ]
    return CaseCounts(parties, files)


def _group(*parts: str) -> str:
    return "\x1f".join(parts)


def _ids(sources: dict[str, list[int]], paths: list[str]) -> list[int]:
    return sorted({s for p in paths for s in sources[p]})


@dataclass
class PartyResult:
    party: str
    role: str
    counts: PartyCounts
    facts: Facts
    finding: Finding

    def to_json(self, policy: Policy) -> dict[str, Any]:
        return {
            "party": self.party,
            "role": self.role,
            "counts": self.counts.to_json(policy),
            "finding": self.finding.to_json(),
        }


@dataclass
class CaseResult:
    """One finding per party, with the counts that led to it."""

    name: str | None
    policy: Policy
    parties: list[PartyResult]
    files: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """The JSON shape documented in ``docs/count.md`` ("Cases")."""
        return {
            "case": self.name,
            "policy": {"name": self.policy.name, "sha256": self.policy.sha256},
            "parties": [p.to_json(self.policy) for p in self.parties],
            "files": self.files,
        }


def assess_case(
    case_dir: Path, policy: Policy | None = None, *, progress: Progress | None = None
) -> CaseResult:
    """Load a case folder, count each party's items per Art. 11 and assess each party."""
    policy = policy if policy is not None else load_policy()
    case = load_case(case_dir)
    counted = count_case(case, policy, progress=progress)
    where = str(case_dir / CASE_FILE)
    results = []
    for index, party in enumerate(case.parties):
        counts = counted.parties[party.name]
        resold = bool(case.sold_by(party.name))
        facts = _facts(party, counts.items(policy), resold=resold, where=where, index=index)
        results.append(PartyResult(party.name, party.role, counts, facts, assess(facts, policy)))
    return CaseResult(case.name, policy, results, counted.files)
