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

from leaktrace.detect._bytes import UNDECIDED, VALID, compiled, decode, run
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

    The cell's characters are read once, as tokens (:data:`_DIGIT` ...), by the smallest
    automaton that accepts the tokens of these cells (:func:`_spellings`, :func:`_tables`): a
    table read a character, rather than a branch on how many digits each part has.
    """
    return run(_plain_room, s, *_tables())


_OTHER, _DIGIT, _CAPITAL, _DASH = 0, 1, 2, 3
"""What the fast path tells characters apart by: an ASCII digit, a capital, ``-``, each
character of the words (a token of its own after these), and any other."""

_WORD_CHARS = sorted(set("".join((*_BUILDING_WORDS, _UNIT_WORD, *_ROOM_WORDS))))


def _token(c: str) -> int:
    if "0" <= c <= "9":
        return _DIGIT
    if "A" <= c <= "Z":
        return _CAPITAL
    if c == "-":
        return _DASH
    return 4 + _WORD_CHARS.index(c) if c in _WORD_CHARS else _OTHER


def _tokens(text: str) -> tuple[int, ...]:
    return tuple(map(_token, text))


def _spellings() -> set[tuple[int, ...]]:
    """The tokens of every cell ``_VALID`` and ``_STRUCTURED`` match with ASCII digits. There
    are a thousand or so, as no part has more than five digits."""
    digits = [(_DIGIT,) * n for n in range(6)]
    # 12-1203 and 12-2-1203
    dashed = {digits[a] + _tokens("-") + digits[b] for a in range(1, 4) for b in range(3, 6)}
    dashed |= {
        digits[a] + _tokens("-") + digits[b] + _tokens("-") + digits[c]
        for a in range(1, 4)
        for b in range(1, 3)
        for c in range(2, 6)
    }
    # 3幢2单元1203室: each part's words, and whether they make the cell structured
    leads = [*digits[1:4], (_CAPITAL,)]
    buildings = [((), False)] + [
        (lead + _tokens(w), w in _STRUCTURED_WORDS) for w in _BUILDING_WORDS for lead in leads
    ]
    units = [((), False)] + [(digits[n] + _tokens(_UNIT_WORD), True) for n in (1, 2)]
    rooms = [((), False)] + [(_tokens(w), w in _STRUCTURED_WORDS) for w in _ROOM_WORDS]
    parts = {
        building + unit + digits[n] + room
        for building, by_building in buildings
        for unit, by_unit in units
        for room, by_room in rooms
        for n in range(2, 6)
        if by_building or by_unit or by_room
    }
    return {digits[3], digits[4]} | dashed | parts  # and a bare 1203


@cache
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The token of every character of the Basic Multilingual Plane, and the smallest automaton
    that reads the tokens of :func:`_spellings`: ``step[state, token]``, where state 0 rejects
    whatever follows and the last state starts, and the code of the cell that ends in a
    state."""
    token = np.array([_token(chr(c)) for c in range(0x10000)], dtype=np.uint8)
    width = 4 + len(_WORD_CHARS)
    spelt = _spellings()
    prefixes = {w[:k] for w in spelt for k in range(len(w) + 1)}
    # states are numbered by whether they accept and where each token leads from them, so
    # prefixes with the same futures share one
    states: dict[tuple[bool, tuple[int, ...]], int] = {(False, (0,) * width): 0}

    def state(prefix: tuple[int, ...]) -> int:
        follow = tuple(state((*prefix, t)) if (*prefix, t) in prefixes else 0 for t in range(width))
        return states.setdefault((prefix in spelt, follow), len(states))

    start = state(())
    assert start == len(states) - 1 < 256
    step = np.zeros((len(states), width), dtype=np.uint8)
    code = np.full(len(states), UNDECIDED, dtype=np.uint8)
    for (accepts, follow), row in states.items():
        step[row] = follow
        code[row] = VALID if accepts else UNDECIDED
    return token, step, code


@compiled
def _plain_room(
    spans: np.ndarray,
    text: np.ndarray,
    token: np.ndarray,
    step: np.ndarray,
    code: np.ndarray,
    out: np.ndarray,
) -> None:
    start = step.shape[0] - 1
    for row in range(out.size):
        i, end = spans[row, 0], spans[row, 1]
        state = start
        while i < end and state:
            c, width = decode(text, i)
            state = step[state, token[c]] if c <= 0xFFFF else 0
            i += width
        out[row] = code[state]


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
