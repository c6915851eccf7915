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

import numpy as np
import polars as pl

from leaktrace.detect._bytes import UNDECIDED, VALID, code_point_table, compiled, decode, run
from leaktrace.detect._data import surnames
from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

_HAN_RANGE = (0x4E00, 0x9FFF)
"""The Han characters of a name: CJK Unified Ideographs, not extension A (U+3400-U+4DBF) or the
compatibility ideographs."""
HAN = rf"\x{{{_HAN_RANGE[0]:x}}}-\x{{{_HAN_RANGE[1]:x}}}"
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


def fast_codes(s: pl.Series) -> np.ndarray:
    """Two to four Han characters, none of them 某, the last not one a place name ends in, opening
    with a known single or compound surname: valid; everything else undecided (codes as in
    ``detect._bytes``).

    Such a cell has no spaces to compact and no mask characters, so ``status_expr`` would call it
    valid too; everything else goes through the full pipeline.
    """
    return run(_plain_name, s, *_name_tables())


@cache
def _name_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Over the Basic Multilingual Plane: the characters a plain name is written in, those it may
    end in, and the single surnames; and the compound surnames as sorted ``(c1 << 16) | c2``."""
    name_char = code_point_table([_HAN_RANGE])
    name_char[ord("某")] = False
    last_char = name_char.copy()
    last_char[[ord(c) for c in _NOT_A_NAME_END]] = False
    single, compound = surnames()
    pairs = sorted((ord(c[0]) << 16) | ord(c[1]) for c in compound)
    return name_char, last_char, code_point_table([], "".join(single)), np.array(pairs, np.int64)


@compiled
def _plain_name(
    spans: np.ndarray,
    text: np.ndarray,
    name_char: np.ndarray,
    last_char: np.ndarray,
    single: np.ndarray,
    compound: np.ndarray,
    out: np.ndarray,
) -> None:
    for row in range(out.size):
        i, end = spans[row, 0], spans[row, 1]
        chars, first, second, last = 0, 0, 0, 0
        while i < end:
            cp, width = decode(text, i)
            if chars == 4 or cp > 0xFFFF or not name_char[cp]:
                chars = 0  # longer than a name, or a character no plain name has
                break
            if chars == 0:
                first = cp
            elif chars == 1:
                second = cp
            last = cp
            chars += 1
            i += width
        plain = 2 <= chars <= 4 and last_char[last]
        if plain and not single[first]:
            plain = _listed(compound, (first << 16) | second)
        out[row] = VALID if plain else UNDECIDED


@compiled
def _listed(keys: np.ndarray, key: int) -> bool:
    """Whether ``key`` is one of the sorted ``keys``."""
    j = np.searchsorted(keys, key)
    return bool(j < keys.size and keys[j] == key)


def tidy_expr(v: pl.Expr) -> pl.Expr:
    """``张 三`` -> ``张三``: spaces dropped, literally (other blanks go to the full pipeline)."""
    return v.str.replace_all(" ", "", literal=True)


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
