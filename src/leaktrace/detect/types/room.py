"""Building, unit and room (楼栋/单元/房号): the part of an address that locates a household.

Recognised forms: ``3幢2单元1203室``, ``5栋1203``, ``3号楼2单元502``, ``A座1203``,
``12-2-1203``, ``1203室``, and a bare ``1203`` (typed ``room`` only when the header says
房号). A room number is personal information together with a community name (it locates a
family), which is why it is its own type. Normalised by folding full-width characters and
dropping spaces.

>>> validate('3 幢 2 单元 1203 室')
'3幢2单元1203室'

Status: ``*幢*单元****室`` is masked.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl

from leaktrace.detect._bytes import UNDECIDED, VALID, compiled, inlined, run
from leaktrace.detect._text import valid_invalid
from leaktrace.detect._unit import validate_with

_BUILDING_WORDS = ("幢", "栋", "号楼", "座", "楼")
_UNIT_WORD = "单元"
_ROOM_WORDS = ("室", "号", "房")
_BUILDING = rf"(?:\d{{1,3}}|[A-Z])(?:{'|'.join(_BUILDING_WORDS)})"
_UNIT = rf"\d{{1,2}}{_UNIT_WORD}"
_ROOM = rf"\d{{2,5}}(?:{'|'.join(_ROOM_WORDS)})?"
_VALID = (
    rf"^(?:{_BUILDING})?(?:{_UNIT})?(?:{_ROOM})$"
    r"|^\d{1,3}-\d{1,2}-\d{2,5}$|^\d{1,3}-\d{3,5}$|^\d{3,4}$"
)


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"\s", "").str.to_uppercase()


_STRUCTURED_WORDS = ("幢", "栋", "号楼", "座", "单元", "室", "房", "-")
_STRUCTURED = "|".join(_STRUCTURED_WORDS) + r"|^\d{3,4}$"


def _valid(c: pl.Expr) -> pl.Expr:
    structured = c.str.contains(_STRUCTURED)
    return (c.str.contains(_VALID) & structured).fill_null(False)


def fast_codes(s: pl.Series) -> np.ndarray:
    """Valid for a cell ``_VALID`` and ``_STRUCTURED`` match with ASCII digits; every other cell
    undecided.

    Such a cell holds nothing but ASCII digits and capitals, ``-`` and the unit words: it is
    already compact and plain (NFKC leaves it as it is) and cannot be masked, so
    ``status_expr`` reduces to ``_valid`` for it.
    """
    return run(_plain_room, s, *_tables())


@cache
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The building, unit and room words as UTF-8 rows: length, whether the word makes the cell
    ``_STRUCTURED``, then the bytes."""
    return _words(_BUILDING_WORDS), _words((_UNIT_WORD,)), _words(_ROOM_WORDS)


def _words(words: tuple[str, ...]) -> np.ndarray:
    spelt = [w.encode() for w in words]
    table = np.zeros((len(words), 2 + max(map(len, spelt))), dtype=np.uint8)
    for row, (word, utf8) in enumerate(zip(words, spelt, strict=True)):
        table[row, :2] = len(utf8), word in _STRUCTURED_WORDS
        table[row, 2 : 2 + len(utf8)] = np.frombuffer(utf8, dtype=np.uint8)
    return table


@compiled
def _plain_room(
    ends: np.ndarray,
    text: np.ndarray,
    building: np.ndarray,
    unit: np.ndarray,
    room: np.ndarray,
    out: np.ndarray,
) -> None:
    for row in range(out.size):
        start, end = ends[row], ends[row + 1]
        valid = _is_plain_room(text, start, end, building, unit, room)
        out[row] = VALID if valid else UNDECIDED


@inlined
def _is_plain_room(
    text: np.ndarray, i: int, end: int, building: np.ndarray, unit: np.ndarray, room: np.ndarray
) -> bool:
    """``_VALID`` and ``_STRUCTURED`` with ASCII digits, parsed left to right: each part's
    digits run up to a word or the end, so the parse never has to go back."""
    n = _digits(text, i, end)
    if i + n == end:  # digits only: ^\d{3,4}$ is what makes them structured
        return 3 <= n <= 4
    if text[i + n] == 45:  # "-"
        return _is_dashed(text, i, end)
    structured = False
    lead = 1 if n == 0 and 65 <= text[i] <= 90 else n  # a capital or digits name a building
    word = _word_at(text, i + lead, end, building) if lead else -1
    if word >= 0:
        if n > 3:
            return False
        structured = building[word, 1] == 1
        i += lead + building[word, 0]
    elif n == 0 and lead:
        return False
    n = _digits(text, i, end)
    if n and _word_at(text, i + n, end, unit) >= 0:
        if n > 2:
            return False
        structured = True
        i += n + unit[0, 0]
    n = _digits(text, i, end)
    if not 2 <= n <= 5:
        return False
    i += n
    if i == end:
        return structured
    word = _word_at(text, i, end, room)
    return word >= 0 and i + room[word, 0] == end and (structured or room[word, 1] == 1)


@inlined
def _is_dashed(text: np.ndarray, i: int, end: int) -> bool:
    r"""``^\d{1,3}-\d{1,2}-\d{2,5}$`` or ``^\d{1,3}-\d{3,5}$`` with ASCII digits."""
    n = _digits(text, i, end)
    if not 1 <= n <= 3:
        return False
    i += n + 1
    n = _digits(text, i, end)
    i += n
    if i == end:
        return 3 <= n <= 5
    if text[i] != 45 or not 1 <= n <= 2:
        return False
    i += 1
    n = _digits(text, i, end)
    return i + n == end and 2 <= n <= 5


@inlined
def _digits(text: np.ndarray, i: int, end: int) -> int:
    """How many ASCII digits run from byte ``i``."""
    n = 0
    while i + n < end and 48 <= text[i + n] <= 57:
        n += 1
    return n


@inlined
def _word_at(text: np.ndarray, i: int, end: int, words: np.ndarray) -> int:
    """The row of ``words`` spelt at byte ``i``, or -1."""
    for row in range(words.shape[0]):
        n = words[row, 0]
        if i + n <= end:
            k = 0
            while k < n and text[i + k] == words[row, 2 + k]:
                k += 1
            if k == n:
                return row
    return -1


def status_expr(v: pl.Expr) -> pl.Expr:
    """valid / masked (digits hidden) / null; a room has no check, so nothing is invalid."""
    c = _compact(v)
    masked = (
        c.str.contains(r"^[\d*A-Z]{0,3}(?:幢|栋|号楼|座)?[\d*]{0,2}(?:单元)?[\d*]{2,5}[室号房]?$")
        & (c.str.contains(r"\*"))
        & c.str.contains(r"幢|栋|号楼|座|单元|室|房")
    )
    return valid_invalid(_valid(c), pl.lit(False), masked)


def normalise_expr(v: pl.Expr) -> pl.Expr:
    """The room without spaces; null unless valid."""
    c = _compact(v)
    return pl.when(_valid(c)).then(c).otherwise(pl.lit(None, pl.String))


def validate(value: str) -> str:
    """Return the room or raise why it is not one."""
    return validate_with(value, status_expr, normalise_expr, "building/unit/room")
