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

import polars as pl

from leaktrace.detect._text import valid_invalid, valid_or_undecided
from leaktrace.detect._unit import validate_with

_BUILDING = r"(?:\d{1,3}|[A-Z])(?:幢|栋|号楼|座|楼)"
_UNIT = r"\d{1,2}单元"
_ROOM = r"\d{2,5}(?:室|号|房)?"
_VALID = (
    rf"^(?:{_BUILDING})?(?:{_UNIT})?(?:{_ROOM})$"
    r"|^\d{1,3}-\d{1,2}-\d{2,5}$|^\d{1,3}-\d{3,5}$|^\d{3,4}$"
)


def _compact(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"\s", "").str.to_uppercase()


_STRUCTURED = r"幢|栋|号楼|座|单元|室|房|-|^\d{3,4}$"


def _valid(c: pl.Expr) -> pl.Expr:
    structured = c.str.contains(_STRUCTURED)
    return (c.str.contains(_VALID) & structured).fill_null(False)


def fast_status_expr(v: pl.Expr) -> pl.Expr:
    """ "valid" for a clean, well-formed room (``3幢2单元1201室``, ``3-2-1201``); "?" else.

    A cell ``_VALID`` matches with ASCII digits holds nothing but ASCII digits and capitals,
    ``-`` and the unit words: it is already compact and plain (NFKC leaves it as it is) and
    cannot be masked, so ``status_expr`` reduces to ``_valid`` for it.
    """
    # _VALID with ASCII digits matches nothing else: no asterisk, letter or space, all plain
    ascii_valid = v.str.contains(_VALID.replace(r"\d", "[0-9]"))
    sure = ascii_valid & v.str.contains(_STRUCTURED)
    return valid_or_undecided(v, sure)


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
