"""Personal name (姓名) of a Chinese citizen, as written in the household register.

Two to four Han characters starting with a known surname (``data/surnames.txt``: single and
compound surnames such as 欧阳, 司马), or an ethnic-minority transliteration with a middle dot
(阿卜杜拉·艾买提). Names have no check digit: "valid" means name-shaped with a known surname.
Normalised by removing spaces (``张 三`` -> ``张三``).

>>> validate(' 欧阳 娜娜 ')
'欧阳娜娜'

Status: ``张*``, ``张**``, ``张*伟``, ``张某`` and ``*三`` are masked; two to four Han
characters with an unknown surname are invalid (in a name column they are most likely typos
or nicknames).
"""

from __future__ import annotations

from functools import cache

import polars as pl

from leaktrace.detect._data import surnames
from leaktrace.detect._text import valid_invalid, valid_or_undecided
from leaktrace.detect._unit import validate_with

HAN = r"\x{4e00}-\x{9fff}"
_MINORITY = rf"^[{HAN}]{{1,8}}[·•.][{HAN}]{{1,10}}$"


@cache
def _single() -> pl.Series:
    return pl.Series(sorted(surnames()[0]), dtype=pl.String).implode()


@cache
def _compound() -> pl.Series:
    return pl.Series(sorted(surnames()[1]), dtype=pl.String).implode()


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"\s", "")


def has_surname(c: pl.Expr) -> pl.Expr:
    """Whether the value starts with a known single or compound surname (vectorised)."""
    return c.str.slice(0, 1).is_in(_single()) | c.str.slice(0, 2).is_in(_compound())


# Place and organisation names often start with a surname character (金都花园, 萧山区); they end
# in a word no given name ends in.
_NOT_A_NAME_END = "苑园区县市镇乡村路街道省湾府庭居郡邸寓厦店司局院所校站厂馆部族婚业"
_NOT_A_NAME = f"[{_NOT_A_NAME_END}]$"


def _valid(c: pl.Expr) -> pl.Expr:
    han = c.str.contains(rf"^[{HAN}]{{2,4}}$") & ~c.str.contains(_NOT_A_NAME)
    named = (han & has_surname(c) & ~c.str.contains("某")) | c.str.contains(_MINORITY)
    return named.fill_null(False)


def fast_status_expr(v: pl.Expr) -> pl.Expr:
    """ "valid" for the common case, two to four Han characters with a known surname; "?" else.

    Such a cell has no spaces to compact and no mask characters, so ``status_expr`` would call it
    valid too; everything else goes through the full pipeline.
    """
    # two to four Han characters, none of them 某, the last not one _NOT_A_NAME ends in
    shaped = rf"^[{HAN}--某]{{1,3}}[{HAN}--某--{_NOT_A_NAME_END}]$"
    sure = v.str.contains(shaped) & has_surname(v)
    return valid_or_undecided(v, sure)


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / invalid (Han name shape, unknown surname) / masked / null."""
    c = _compact(v)
    masked = (
        c.str.contains(rf"^[{HAN}]{{1,2}}(?:\*{{1,3}}|某{{1,2}}|x{{1,2}}|X{{1,2}})$")
        & has_surname(c)
    ) | c.str.contains(rf"^\*{{1,2}}[{HAN}]{{1,2}}$|^[{HAN}]\*[{HAN}]{{1,2}}$")
    invalid = c.str.contains(rf"^[{HAN}]{{2,3}}$") & ~c.str.contains(_NOT_A_NAME)
    return valid_invalid(_valid(c), invalid, masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """The name without spaces; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the name or raise why it is not name-shaped."""
    return validate_with(value, status_expr, normalise_expr, "personal name")
