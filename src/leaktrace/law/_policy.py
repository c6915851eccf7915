"""The legal policy: tiers, categories, standards and the mapping from detected data to categories.

The policy is data (``policy.toml``): every number cites its provision and basis, and a user can
pass their own file. This module only reads and checks it; it holds no legal numbers itself.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError

from leaktrace.errors import PolicyError
from leaktrace.law._messages import describe

TierName = Literal["sensitive", "important", "ordinary"]
TIERS: tuple[TierName, ...] = ("sensitive", "important", "ordinary")
"""The three quantity standards of Art. 5 ¶1 items (3)-(5), heaviest first."""

_NAMED_SENSITIVE = frozenset({"tracking", "communication_content", "credit", "property"})
"""The four kinds Art. 5 ¶1(3) names; the 50-tier may not be extended beyond them."""


def _positive_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("须为正数 must be a positive number")
    if not math.isfinite(value) or value <= 0:
        raise ValueError("须为正数 must be a positive number")
    return value


def _positive_integer(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("须为正整数 must be a positive whole number")
    return value


PositiveNumber = Annotated[float | int, BeforeValidator(_positive_number)]
PositiveInteger = Annotated[int, BeforeValidator(_positive_integer)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Cited(_Strict):
    provision: Text
    basis: Text


class Interpretation(_Cited):
    in_force: date


class Tier(_Cited):
    label: Text
    threshold: PositiveNumber


class Tiers(_Strict):
    sensitive: Tier
    important: Tier
    ordinary: Tier


class Category(_Cited):
    label: Text
    tier: TierName


class Standard(_Cited):
    value: PositiveNumber


class YearsStandard(_Cited):
    value: PositiveInteger


class Standards(_Strict):
    illegal_gains_yuan: Standard
    combined_ratio: Standard
    insider_factor: Standard
    especially_serious_factor: Standard
    lawful_business_profit_yuan: Standard
    admin_penalty_lookback_years: YearsStandard


class LawfulBusiness(_Cited):
    tiers: list[TierName]


class Fine(_Cited):
    min_multiple: PositiveNumber
    max_multiple: PositiveNumber


class Sentence(_Cited):
    text: Text
    gloss: Text
    min_years: Annotated[int, Field(ge=0)]
    max_years: PositiveInteger


class InsiderSentence(_Cited):
    text: Text
    gloss: Text


LINKABLE: tuple[str, ...] = (
    "cn_id",
    "mobile",
    "passport",
    "bank_card",
    "email",
    "qq",
    "wechat",
    "landline",
)
"""Identifiers a policy may name for linkage (``linkage.identifiers``)."""


class Linkage(_Cited):
    """Which records are one person when counting (Art. 11 ¶3 "重复的除外"), see docs/count.md."""

    identifiers: list[Text]
    """Identifiers that link records when they share a valid value (``LINKABLE``)."""
    name_place: bool = True
    """Whether the same name at the same building, unit and room links records."""
    count: Literal["person", "category", "none"] = "person"
    """``person``: one person is one item, at the highest tier any of their records reaches;
    ``category``: one item per person and category; ``none``: no linkage (each record keyed
    by its strongest identifier alone)."""


class Sentences(_Strict):
    serious: Sentence
    especially_serious: Sentence
    insider: InsiderSentence


class Mapping(_Cited):
    """One rule from detected types (and an optional declared dataset kind) to a category."""

    id: Text
    category: Text
    kind: Text | None = None
    all_of: list[Text] = Field(default_factory=list)
    any_of: list[Text] = Field(default_factory=list)
    only: bool = False
    bare_phone: bool = False

    def matches(self, types: frozenset[str], kind: str | None) -> bool:
        if self.kind is not None and self.kind != kind:
            return False
        if not set(self.all_of) <= types:
            return False
        if self.any_of and not types & set(self.any_of):
            return False
        return not (self.only and not types <= set(self.all_of) | set(self.any_of))


@dataclass(frozen=True)
class CategoryMatch:
    """What :meth:`Policy.category_of` found: the category, its tier and the rule that decided."""

    category: str
    tier: TierName
    rule_id: str
    bare_phone: bool


class Policy(_Strict):
    """A checked policy file. Build it with :func:`load_policy`."""

    name: Text
    title: Text
    interpretation: Interpretation
    tiers: Tiers
    categories: dict[str, Category]
    standards: Standards
    lawful_business: LawfulBusiness
    fine: Fine
    sentences: Sentences
    type_ids: list[Text]
    kinds: dict[str, Text]
    mappings: list[Mapping]
    linkage: Linkage = Field(
        default_factory=lambda: Linkage(
            identifiers=["cn_id", "mobile", "passport", "bank_card", "email", "qq", "wechat"],
            provision="《解释》第十一条第三款",
            basis="built-in default: the policy file has no [linkage] table",
        )
    )

    _sha256: str = PrivateAttr(default="")
    _path: Path | None = PrivateAttr(default=None)

    @property
    def sha256(self) -> str:
        """SHA-256 (hex) of the policy file's bytes: what a finding cites."""
        return self._sha256

    @property
    def path(self) -> Path | None:
        """The file this policy was read from."""
        return self._path

    def tier(self, name: TierName) -> Tier:
        tier: Tier = getattr(self.tiers, name)
        return tier

    def threshold(self, name: TierName) -> Fraction:
        """The item count that meets the tier's standard in Art. 5 ¶1 items (3)-(5)."""
        return exact(self.tier(name).threshold)

    def tier_of(self, category: str) -> TierName:
        """The tier a category belongs to (raises PolicyError for an unknown category)."""
        try:
            return self.categories[category].tier
        except KeyError:
            raise PolicyError(f"未知类别 unknown category {category!r}", self._where()) from None

    def category_of(
        self, types: set[str] | frozenset[str], kind: str | None = None
    ) -> CategoryMatch | None:
        """The category of a record that holds ``types`` (detected type ids), per the mappings.

        ``kind`` is the dataset kind a user declared (``policy.kinds``), for what detection
        cannot see. The matching rule in the highest tier wins; within a tier, the first rule in
        the file. Returns None when no rule matches (nothing that identifies a person).
        """
        if kind is not None and kind not in self.kinds:
            known = ", ".join(sorted(self.kinds))
            raise PolicyError(
                f"未知数据集种类 unknown dataset kind {kind!r} (已知 known: {known})", self._where()
            )
        present = frozenset(types)
        if not present:
            return None
        best: tuple[int, int, Mapping] | None = None
        for order, rule in enumerate(self.mappings):
            if not rule.matches(present, kind):
                continue
            rank = TIERS.index(self.tier_of(rule.category))
            if best is None or (rank, order) < best[:2]:
                best = (rank, order, rule)
        if best is None:
            return None
        rule = best[2]
        return CategoryMatch(rule.category, self.tier_of(rule.category), rule.id, rule.bare_phone)

    def _where(self) -> str:
        return str(self._path) if self._path else self.name


def exact(number: float | int) -> Fraction:
    """A policy number as an exact fraction (``0.5`` -> 1/2), so boundaries compare exactly."""
    return Fraction(str(number))


DEFAULT_POLICY = "policy.toml"


def load_policy(path: Path | None = None) -> Policy:
    """Read and check a policy file; None means the built-in default (``law/policy.toml``).

    Raises PolicyError naming the file, the field and the reason for anything malformed: an
    unknown field or category, a threshold that is not a positive number, a dangling reference.
    """
    if path is None:
        resource = resources.files("leaktrace.law") / DEFAULT_POLICY
        source = Path(str(resource))
        data = resource.read_bytes()
    else:
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise PolicyError(
                f"无法读取政策文件 cannot read policy file: {exc.strerror}", str(source)
            ) from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(
            "政策文件不是 UTF-8 文本 policy file is not UTF-8 text", str(source)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"不是有效的 TOML not valid TOML: {exc}", str(source)) from None
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        raise PolicyError(describe(exc), str(source)) from None
    problem = _dangling_reference(policy)
    if problem:
        raise PolicyError(problem, str(source))
    policy._sha256 = hashlib.sha256(data).hexdigest()
    policy._path = source
    return policy


def _dangling_reference(policy: Policy) -> str | None:
    """The first cross-reference that points nowhere, as ``field X: reason``, or None."""
    for name, category in policy.categories.items():
        if category.tier == "sensitive" and name not in _NAMED_SENSITIVE:
            return (
                f"字段 field categories.{name}.tier: 50 条档只限《解释》第五条第一款第（三）项"
                "所列四类，不得扩展 the 50-tier may not be extended beyond its four "
                f"named kinds ({_known(_NAMED_SENSITIVE)})"
            )
    for i, name in enumerate(policy.linkage.identifiers):
        if name not in LINKABLE:
            return (
                f"字段 field linkage.identifiers[{i}]: 未知的合并标识 "
                f"unknown identifier {name!r} for linkage ({_known(LINKABLE)})"
            )
    if policy.fine.min_multiple > policy.fine.max_multiple:
        return (
            "字段 field fine.min_multiple: 不得大于 fine.max_multiple "
            "must not exceed fine.max_multiple"
        )
    for level in ("serious", "especially_serious"):
        sentence: Sentence = getattr(policy.sentences, level)
        if sentence.min_years > sentence.max_years:
            return (
                f"字段 field sentences.{level}.min_years: 不得大于 max_years "
                "must not exceed max_years"
            )
    seen: set[str] = set()
    for i, rule in enumerate(policy.mappings):
        where = f"字段 field mappings[{i}] ({rule.id})"
        if rule.id in seen:
            return f"{where}.id: 规则编号重复 duplicate rule id {rule.id!r}"
        seen.add(rule.id)
        if rule.category not in policy.categories:
            return (
                f"{where}.category: 未知类别 unknown category {rule.category!r} "
                f"({_known(policy.categories)})"
            )
        if rule.kind is not None and rule.kind not in policy.kinds:
            return (
                f"{where}.kind: 未知数据集种类 unknown dataset kind {rule.kind!r} "
                f"({_known(policy.kinds)})"
            )
        for field in ("all_of", "any_of"):
            for type_id in getattr(rule, field):
                if type_id not in policy.type_ids:
                    return f"{where}.{field}: 未知类型 unknown type id {type_id!r}"
        if rule.kind is None and not rule.all_of and not rule.any_of:
            return f"{where}: 规则须有 kind、all_of 或 any_of a rule needs a kind, all_of or any_of"
    return None


def _known(names: Any) -> str:
    return "已知 known: " + ", ".join(sorted(names))
