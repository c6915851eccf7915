"""The comparisons an assessment makes, each able to show its own arithmetic.

Numbers are exact (fractions of integers and decimals), so a boundary such as 4,999 vs 5,000
or a combined ratio of exactly 1 is decided exactly. "以上" includes the number itself
(Criminal Law Art. 99), so every test is ``amount ≥ standard``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

Measure = Literal["quantity", "gains"]


def fmt(value: Fraction | Decimal | int) -> str:
    """``2500`` -> ``2,500``; ``1/2`` -> ``0.5``; ``1/3`` -> ``≈0.3333`` (exact when it can be)."""
    fraction = Fraction(value)
    for digits in range(7):
        if (fraction * 10**digits).denominator == 1:
            exact = Decimal(fraction.numerator) / Decimal(fraction.denominator)
            return format(exact.quantize(Decimal(1).scaleb(-digits)), ",f")
    return "≈" + format(float(fraction), ",.4f")


@dataclass(frozen=True)
class Scale:
    """How a standard is scaled: insider half (Art. 5 ¶1(8)), ten times (¶2(3)), or both."""

    factors: tuple[tuple[Fraction, str], ...] = ()
    ref: str = ""

    @property
    def value(self) -> Fraction:
        out = Fraction(1)
        for factor, _ in self.factors:
            out *= factor
        return out

    def explain(self, base: Fraction) -> str:
        if not self.factors:
            return ""
        steps = " × ".join([fmt(base), *(fmt(f) for f, _ in self.factors)])
        reasons = "、".join(why for _, why in self.factors)
        return f"（{steps}，{reasons}）"


@dataclass(frozen=True)
class Test:
    """``amount`` against ``base`` scaled: e.g. 2,000 items against 5,000 × 0.5."""

    ref: str  # which standard, when a provision has several ("第（四）项标准的一半"); or ""
    label: str
    amount: Fraction
    unit: str
    base: Fraction
    scale: Scale
    measure: Measure

    @property
    def standard(self) -> Fraction:
        return self.base * self.scale.value

    @property
    def met(self) -> bool:
        return self.amount >= self.standard

    @property
    def relevant(self) -> bool:
        return self.amount > 0

    def why(self) -> str:
        ratio = self.amount / self.standard
        sign = "≥" if self.met else "<"
        text = (f"{self.ref}：" if self.ref else "") + (
            f"{self.label} {fmt(self.amount)} {self.unit} ÷ "
            f"{fmt(self.standard)} {self.unit}{self.scale.explain(self.base)} = {fmt(ratio)} "
            f"{sign} 1"
        )
        return text + _exactly(ratio == 1)


@dataclass(frozen=True)
class CombinedTest:
    """Art. 5 ¶1(6): the ratios of each tier's count to its standard, added up."""

    ref: str
    terms: tuple[tuple[str, int, Fraction], ...]  # (tier label, items, tier standard)
    bound: Fraction
    scale: Scale
    measure: Measure = "quantity"

    @property
    def total(self) -> Fraction:
        return sum((Fraction(n) / std for _, n, std in self.terms), Fraction(0))

    @property
    def standard(self) -> Fraction:
        return self.bound * self.scale.value

    @property
    def met(self) -> bool:
        return self.total >= self.standard

    @property
    def relevant(self) -> bool:
        """Only a mix of tiers needs adding up; one tier alone is tested by items (3)-(5)."""
        return sum(1 for _, n, _ in self.terms if n > 0) >= 2

    def why(self) -> str:
        used = [(label, n, std) for label, n, std in self.terms if n > 0] or list(self.terms)
        quotients = " + ".join(f"{label} {fmt(n)} ÷ {fmt(std)}" for label, n, std in used)
        parts = " + ".join(fmt(Fraction(n) / std) for _, n, std in used)
        sign = "≥" if self.met else "<"
        return (
            (f"{self.ref}：" if self.ref else "")
            + f"{quotients} = {parts} = {fmt(self.total)} {sign} "
            f"{fmt(self.standard)}{self.scale.explain(self.bound)}"
            + _exactly(self.total == self.standard)
        )


def _exactly(at_boundary: bool) -> str:
    return "（恰好达到：“以上”包括本数，《刑法》第九十九条）" if at_boundary else ""
