"""The shape every personal-information type has, and the errors its ``validate`` raises.

A unit (``detect/types/<id>.py``) is a small module like ``stdnum.cn.ric``: a docstring naming
the standard with examples, and the same verbs. Vectorised verbs take and return ``pl.Expr`` so
the engine can run them inside a lazy or streaming plan (they expect full-width forms already
folded to ASCII by ``_text.fold``); ``status``/``normalise`` wrap them for a
Series; ``validate``/``is_valid`` are the scalar verbs (raising stdnum's exception classes, so a
caller can catch one family for both libraries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from leaktrace.detect._bytes import UNDECIDED as _UNDECIDED
from leaktrace.detect._text import V, apply, codes_to_status, fold, fold_series
from leaktrace.mask import mask as _mask

__all__ = [
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "MaskedValue",
    "PIType",
    "ValidationError",
    "codes_expr",
    "validate_with",
]


class MaskedValue(ValidationError):
    """The value is partially hidden (``138****5678``): it is counted apart, never as valid."""

    message = "The value is masked."


ExprFn = Callable[[pl.Expr], pl.Expr]


@dataclass(frozen=True)
class PIType:
    """One personal-information type: its id, label and verbs, as registered in the catalogue."""

    id: str
    label: str
    doc: str
    status_expr: ExprFn
    normalise_expr: ExprFn
    validate: Callable[[str], str]
    span: bool = False
    needs_header: bool = False
    decode: Callable[[str], dict[str, Any]] | None = None
    fast_status_expr: ExprFn | None = None
    """Optional regex-free status for cells already in canonical form; ``"?"`` = undecided.
    A unit that has ``fast_codes`` gets it from them (:func:`codes_expr`)."""
    fast_codes: Callable[[pl.Series], np.ndarray] | None = None
    """The same fast path as numpy codes (0 null, 1 undecided, 2 valid, 3 invalid), when it is
    numpy code: callers that check many columns run it in their own thread rather than as a
    callback inside a Polars query, and skip the status strings."""
    tidy_expr: ExprFn | None = None
    """Optional literal clean-up (separators, case) tried before the regex pipeline."""
    extra: dict[str, Any] = field(default_factory=dict)

    def status(self, s: pl.Series) -> pl.Series:
        """'valid' | 'invalid' | 'masked' | null for every cell of ``s`` (vectorised).

        Units with a fast path decide canonical cells with integer arithmetic only; the regex
        pipeline then runs on the undecided rest (the noisy forms), which is what keeps a scan of
        a clean ten-million-row column within a few times the cost of reading it.
        """
        s = s.cast(pl.String)
        if self.fast_codes is not None:
            return self._status_by_codes(s)
        if self.fast_status_expr is None:
            return apply(fold_series(s), self.status_expr(V))
        fast = apply(s, self.fast_status_expr(V))
        undecided = (fast == "?").fill_null(False)
        if not undecided.any():
            return fast
        rest = s.filter(undecided)
        if self.tidy_expr is not None:
            # second tier: drop the separators people type (literal replacements, no regex)
            # and retry the fast path; only what is still undecided pays for the regexes
            tidy = apply(rest, self.fast_status_expr(self.tidy_expr(V)))
            fast = fast.scatter(undecided.arg_true(), tidy)
            undecided = (fast == "?").fill_null(False)
            if not undecided.any():
                return fast
            rest = s.filter(undecided)
        slow = apply(fold_series(rest), self.status_expr(V))
        return fast.scatter(undecided.arg_true(), slow)

    def tier_codes(self, s: pl.Series) -> np.ndarray:
        """The compiled tiers' codes of every cell (0 null, 1 undecided, 2 valid, 3 invalid):
        the fast path, then the tidy tier on the cells it leaves undecided. Only for a unit
        with ``fast_codes``; the cells still undecided are the regex pipeline's."""
        assert self.fast_codes is not None
        codes = self.fast_codes(s)
        if self.tidy_expr is not None:
            rows = np.flatnonzero(codes == _UNDECIDED)
            if rows.size:
                codes[rows] = self.fast_codes(apply(s.gather(rows), self.tidy_expr(V)))
        return codes

    def _status_by_codes(self, s: pl.Series) -> pl.Series:
        """``status`` for a unit whose fast path gives numpy codes: the same tiers, kept as codes
        until the end, so only the cells the regexes decide are handled as status strings."""
        codes = self.tier_codes(s)
        undecided = codes == _UNDECIDED
        out = codes_to_status(s, codes)
        if not undecided.any():
            return out
        rows = np.flatnonzero(undecided)
        return out.scatter(rows, apply(fold_series(s.gather(rows)), self.status_expr(V)))

    def normalise(self, s: pl.Series) -> pl.Series:
        """The canonical form of every valid cell, null for the rest (vectorised).

        A fast path only ever calls "valid" a cell that is already in canonical form (plain
        digits, no separators, no spaces), so those cells are their own canonical value and only
        the rest go through the full pipeline.
        """
        s = s.cast(pl.String)
        if self.fast_status_expr is None:
            return apply(fold_series(s), self.normalise_expr(V))
        fast = apply(s, self.fast_status_expr(V))
        settled = (fast == "valid").fill_null(False)
        rest = ~settled & s.is_not_null()
        out = pl.select(pl.when(settled).then(s).otherwise(pl.lit(None, pl.String))).to_series()
        if rest.any() and self.tidy_expr is not None:
            # second tier, as in ``status``: a tidied cell the fast path calls valid is canonical
            idx = rest.arg_true()
            tidy = apply(s.gather(idx), self.tidy_expr(V))
            valid = (apply(tidy, self.fast_status_expr(V)) == "valid").fill_null(False)
            out = out.scatter(idx.filter(valid), tidy.filter(valid))
            rest = rest.scatter(idx.filter(valid), False)
        if rest.any():
            slow = apply(fold_series(s.filter(rest)), self.normalise_expr(V))
            out = out.scatter(rest.arg_true(), slow)
        return out.alias(s.name)

    def is_valid(self, value: str) -> bool:
        """Whether ``validate`` accepts ``value``."""
        try:
            self.validate(value)
        except ValidationError:
            return False
        return True

    def mask(self, value: str) -> str:
        """The value as it may be shown on a screen or in a report."""
        return _mask(value, self.id)

    @classmethod
    def from_module(cls, type_id: str, module: ModuleType, row: dict[str, Any]) -> PIType:
        """Build the catalogue entry for a unit module and its line in ``catalogue.toml``."""
        fast_codes = getattr(module, "fast_codes", None)
        fast_status_expr = getattr(module, "fast_status_expr", None)
        if fast_status_expr is None and fast_codes is not None:
            fast_status_expr = codes_expr(fast_codes)
        several = bool(row.get("several", False))
        return cls(
            id=type_id,
            label=str(row.get("label", type_id)),
            doc=(module.__doc__ or "").strip(),
            status_expr=first_of_several(module.status_expr) if several else module.status_expr,
            normalise_expr=(
                first_of_several(module.normalise_expr) if several else module.normalise_expr
            ),
            validate=module.validate,
            span=bool(row.get("span", False)),
            needs_header=bool(row.get("needs_header", False)),
            decode=getattr(module, "decode", None),
            fast_status_expr=fast_status_expr,
            fast_codes=fast_codes,
            tidy_expr=getattr(module, "tidy_expr", None),
        )


_LABELS = (
    "电话|手机|手机号|手机号码|联系电话|联系方式|电话号码|身份证|身份证号|身份证号码|证件号|证件号码"
    "|邮箱|电子邮箱|微信|微信号|姓名|业主|客户|联系人|tel|phone|mobile|email|e-mail|qq|id"
)
_INSIDE = r"^\s*=\s*\"|^\s*['`‘]|[/、,，;；|（(:：]|^\s*1\d{10}\s+1\d{10}\s*$"
"""A cell that may hold its value among other things (see :func:`first_of_several`)."""
_REWRITES = (
    (r'^\s*=\s*"(.*)"\s*$', "$1"),  # ="330182…", a spreadsheet's guard against losing digits
    (r"^\s*['`‘]", ""),  # '330182…, the same typed by hand
    (rf"(?i)^\s*(?:{_LABELS})\s*[:：]\s*", ""),  # 电话：139…
    (r"^\s*(1\d{10})\s+1\d{10}\s*$", "$1"),  # two mobiles a space apart
    (r"^\s*([^/、,，;；|（(]+?)\s*[/、,，;；|（(].*$", "$1"),  # the first of several, or a note
)


def first_of_several(fn: ExprFn) -> ExprFn:
    """A unit's status or value expression that, where a whole cell is none of its type, reads
    the value inside it (for ``several = true`` in ``catalogue.toml``): people type two phone
    numbers into one 联系电话 cell (``13905761234/13606581122``), a note after a value
    (``13905761234（本人）``, ``王建国(业主)``), a label before it (``电话：139…``), and systems
    export long numbers as ``="330182…"``. A careful reader takes the first value; the cell is
    then that value's status and value."""

    def wrapped(v: pl.Expr) -> pl.Expr:
        whole = fn(v)
        inner = v
        for pattern, replacement in _REWRITES:
            inner = inner.str.replace(pattern, replacement)
        maybe = pl.when(v.str.contains(_INSIDE)).then(inner).otherwise(pl.lit(None, pl.String))
        return pl.when(whole.is_null()).then(fn(maybe)).otherwise(whole)

    return wrapped


def codes_expr(fast_codes: Callable[[pl.Series], np.ndarray]) -> ExprFn:
    """A fast path given as numpy codes, as a status expression (``"?"`` where undecided)."""

    def status(s: pl.Series) -> pl.Series:
        return codes_to_status(s, fast_codes(s))

    return lambda v: v.map_batches(status, return_dtype=pl.String, is_elementwise=True)


def validate_with(value: str, status_expr: ExprFn, normalise_expr: ExprFn, what: str) -> str:
    """Scalar validation through a unit's own vectorised expressions.

    Using the same expressions keeps ``validate`` and ``status`` from ever disagreeing; units with
    a richer failure vocabulary (check digit vs. date vs. region) raise their own errors first.
    """
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    row = frame.select(
        status_expr(fold(V)).alias("status"), normalise_expr(fold(V)).alias("norm")
    ).row(0)
    status, norm = row
    if status == "valid" and norm is not None:
        return str(norm)
    if status == "masked":
        raise MaskedValue()
    if status == "invalid":
        raise InvalidFormat(f"Looks like a {what} but fails validation.")
    raise InvalidFormat(f"Not a {what}.")
