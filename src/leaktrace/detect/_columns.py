"""Column classification: which personal-information type a column holds, from its header and
a sample of its values.

Headers alone lie (a 电话 column may hold landlines, a 备注 column anything) and values alone
are ambiguous (QQ numbers look like order numbers, 签约日期 looks like a birth date), so both
are weighed: the share of sample values whose status is not null for each type (hit rate), the
share that validate, and whether the header names the type. Types whose values are ambiguous
(``needs_header`` in ``catalogue.toml``) are only chosen when the header names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import polars as pl

from leaktrace.detect._catalogue import CATALOGUE
from leaktrace.detect._data import header_words
from leaktrace.detect._text import fold_series

SAMPLE_SIZE = 500
NOT_PI = "__not_pi__"
FREE_TEXT = "__free_text__"
# Types whose check (check digit, segment, area code) makes a run of digits evidence on its own;
# a digits-only column is never given another type from its values alone.
_DIGIT_TYPES = frozenset({"cn_id", "mobile", "bank_card", "landline"})
# Types whose validity is a checksum or a carrier plan: strong enough to override a 编号/序号
# header when nearly every value validates.
_STRONG = frozenset({"cn_id", "mobile", "bank_card", "email", "uscc", "vin"})


@dataclass(frozen=True)
class ColumnProfile:
    """What a column holds: its type (None when no personal information), how sure we are,
    whether it is free text (scanned for spans instead), and why, in one line."""

    name: str
    type: str | None
    confidence: float
    free_text: bool
    reason: str


@cache
def _vocabulary() -> tuple[tuple[str, str], ...]:
    """(word, label) pairs: label is a type id, NOT_PI or FREE_TEXT."""
    words = header_words()
    pairs = [(w.lower(), t) for t, ws in words["types"].items() for w in ws]
    pairs += [(w.lower(), NOT_PI) for w in words["not_pi"]["words"]]
    pairs += [(w.lower(), FREE_TEXT) for w in words["free_text"]["words"]]
    return tuple(pairs)


def _clean_header(header: str) -> str:
    h = header.strip().lower()
    h = re.sub(r"[(（\[【].*?[)）\]】]", "", h)  # 手机号(必填) -> 手机号
    h = re.sub(r"[\s_\-.:：#/\\]*\d*$", "", h)  # 联系电话1, phone_2 -> 联系电话, phone
    return re.sub(r"\s+", "", h)


def header_labels(header: str) -> tuple[set[str], str]:
    """Labels the header names and the word that named them.

    In Chinese the head noun comes last (业主电话 is a phone, 电话业主 would be an owner), so the
    word that ends last wins, then the longest; ASCII words of up to three letters must be a
    whole token (``tel`` in ``tel_no``, not in ``hotel``).
    """
    h = _clean_header(header)
    tokens = set(re.split(r"[^a-z0-9\u4e00-\u9fff]+", h)) | {h}
    best: tuple[int, int] = (-1, -1)
    labels: set[str] = set()
    word_found = ""
    for word, label in _vocabulary():
        if word.isascii() and len(word) <= 3:
            if word not in tokens:
                continue
            pos = h.rfind(word)
        else:
            pos = h.rfind(word)
            if pos < 0:
                continue
        key = (pos + len(word), len(word))
        if key > best:
            best, labels, word_found = key, {label}, word
        elif key == best:
            labels.add(label)
    return labels, word_found


def _sample(series: pl.Series) -> pl.Series:
    s = fold_series(series.cast(pl.String)).str.strip_chars()
    s = s.filter(s.is_not_null() & (s != ""))
    return s.head(SAMPLE_SIZE)


def _looks_free(s: pl.Series) -> bool:
    """Long, varied text: chat messages and remarks rather than one value per cell."""
    if s.len() == 0:
        return False
    mean_len = s.str.len_chars().sum() / s.len()
    mixed_pattern = r"[\x{4e00}-\x{9fff}].*\d|\d.*[\x{4e00}-\x{9fff}]|[，。,!?！？]"
    return bool(mean_len >= 12 and _share(s.str.contains(mixed_pattern)) >= 0.3)


def _share(flags: pl.Series) -> float:
    """Share of true values in a Boolean Series (0.0 when empty)."""
    return float(flags.sum() / flags.len()) if flags.len() else 0.0


def _candidates(name: str, s: pl.Series) -> list[str]:
    """Types worth testing on a column: header-only types need their header, and a column of
    bare digits is only evidence for types with a check (ID, mobile, card, landline)."""
    labels, _ = header_labels(name)
    digits_only = bool(s.str.contains(r"^[\d\s\-+]+$").all())
    present = {
        kind for kind, pattern in _CHARACTERS.items() if _share(s.str.contains(pattern)) >= 0.05
    }
    out = []
    for type_id, unit in CATALOGUE.items():
        header = type_id in labels
        if unit.needs_header and not header:
            continue
        if digits_only and not header and type_id not in _DIGIT_TYPES:
            continue
        if not _NEEDS.get(type_id, set()) <= present:
            continue
        out.append(type_id)
    return out


# Character classes a type cannot do without: a column with no '@' holds no e-mails, so the
# classifier does not spend a validator on it.
_CHARACTERS = {
    "digit": r"\d{3}|\d\*",
    "han": r"[\x{4e00}-\x{9fff}]",
    "latin": r"[A-Za-z]",
    "at": "@",
    "dot": r"[.*]",
}
_NEEDS: dict[str, set[str]] = {
    "email": {"at"},
    "ip": {"dot", "digit"},
    "gps": {"dot", "digit"},
    "cn_id": {"digit"},
    "mobile": {"digit"},
    "bank_card": {"digit"},
    "landline": {"digit"},
    "qq": {"digit"},
    "uscc": {"digit", "latin"},
    "vin": {"digit", "latin"},
    "passport": {"digit", "latin"},
    "plate": {"han", "latin"},
    "name": {"han"},
    "address": {"han"},
    "birth_date": {"digit"},
    "room": {"digit"},
}


def _all_statuses(
    samples: dict[str, pl.Series], only_named: bool = False
) -> dict[tuple[str, str], pl.Series]:
    """Status of every candidate type on every column sample, in one Polars query.

    One query instead of one per (column, type) pair: the per-query planning cost, not the
    two thousand cells, is what a sample costs.
    """
    if not samples:
        return {}
    longest = max(s.len() for s in samples.values())
    frame = pl.DataFrame(
        {
            f"c{i}": s.extend_constant(None, longest - s.len())
            for i, s in enumerate(samples.values())
        }
    )
    exprs = []
    keys = []
    for i, (name, s) in enumerate(samples.items()):
        named = header_labels(name)[0]
        for type_id in _candidates(name, s):
            if only_named and type_id not in named:
                continue
            keys.append((name, type_id))
            exprs.append(CATALOGUE[type_id].status_expr(pl.col(f"c{i}")).alias(str(len(keys))))
    if not exprs:
        return {}
    result = frame.select(exprs)
    sizes = {name: s.len() for name, s in samples.items()}
    return {key: result[str(i + 1)].head(sizes[key[0]]) for i, key in enumerate(keys)}


def _profile(
    name: str,
    series: pl.Series,
    statuses: dict[tuple[str, str], pl.Series],
    settled: bool = False,
) -> ColumnProfile:
    labels, word = header_labels(name)
    s = _sample(series)
    named = {t for t in labels if t in CATALOGUE}
    if s.len() == 0:
        if named:
            t = sorted(named)[0]
            return ColumnProfile(name, t, 0.4, False, f"header '{word}'; no values in sample")
        return ColumnProfile(name, None, 0.0, False, "no values in sample")

    scores: dict[str, tuple[float, float, float]] = {}
    for type_id in _candidates(name, s):
        header = type_id in named
        if (name, type_id) not in statuses:
            continue  # settled by its header in stage 1
        status = statuses[(name, type_id)]
        hit = _share(status.is_not_null())
        if hit == 0:
            continue
        positive = _share(status.is_in(["valid", "masked"]))
        scores[type_id] = (hit, positive, 1.0 if header else 0.0)

    def score(t: str) -> float:
        hit, positive, header = scores[t]
        return hit + positive + header

    ranked = sorted(scores, key=score, reverse=True)
    best = next(
        (
            t
            for t in ranked
            if (scores[t][0] >= 0.5 and scores[t][1] >= 0.3)
            or (scores[t][2] and scores[t][0] >= 0.2)
        ),
        None,
    )
    free = FREE_TEXT in labels or _looks_free(s)
    if NOT_PI in labels and best is not None:
        hit, positive, _ = scores[best]
        if not (best in _STRONG and positive >= 0.8):
            return ColumnProfile(name, None, 0.9, False, f"header '{word}' is not personal data")
    if best is not None and free and scores[best][0] < 0.6:
        best = None
    if best is None:
        if free:
            return ColumnProfile(name, None, 0.8, True, "free text: scan for spans")
        if named and not scores:
            t = sorted(named)[0]
            return ColumnProfile(name, t, 0.3, False, f"header '{word}' only; values unrecognised")
        return ColumnProfile(name, None, 0.7, False, "no type fits the values")
    hit, positive, by_header = scores[best]
    confidence = round(min(1.0, 0.55 * hit + 0.25 * positive + 0.2 * by_header), 3)
    why = f"{hit:.0%} of {s.len()} values are {best} ({positive:.0%} valid or masked)"
    if by_header:
        why = f"header '{word}'; " + why
    return ColumnProfile(name, best, confidence, False, why)


def classify_columns(columns: list[str], sample: pl.DataFrame) -> list[ColumnProfile]:
    """One profile per column name, in order; ``sample`` holds up to a few thousand rows."""
    series = {
        name: sample[name] if name in sample.columns else pl.Series(name, [], pl.String)
        for name in columns
    }
    samples = {name: _sample(s) for name, s in series.items() if name}
    filled = {n: s for n, s in samples.items() if s.len()}
    # Stage 1: only the types the headers name. A column whose values bear its header out
    # (nearly all hit, most valid) needs no other validator; the rest get every candidate.
    statuses = _all_statuses(filled, only_named=True)
    settled = set()
    for (name, _type_id), status in statuses.items():
        hit = _share(status.is_not_null())
        positive = _share(status.is_in(["valid", "masked"]))
        if hit >= 0.9 and positive >= 0.8 and len(header_labels(name)[0]) == 1:
            settled.add(name)
    rest = {n: s for n, s in filled.items() if n not in settled}
    statuses.update(_all_statuses(rest))
    return [_profile(name, series[name], statuses, name in settled) for name in columns]
