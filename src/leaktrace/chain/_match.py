"""Which database did a seized list come from: containment of normalised records, all pairs.

For every pair of lists (seized lists and candidate sources alike) and every key field, the
number of shared keys comes from one aggregation, :func:`pair_counts`: all lists' keys sorted
together, each run of equal keys adding one to every pair of lists in it. That is a self-join on
the key grouped by the pair of lists, which a Spark engine runs as such; locally it is a numpy
sort of every key once (10 million keys in about a second), not one intersection per pair.

A pair is compared on the field the two lists share most (a developer's base keyed by ID number
and phone, a salesperson's copy by phone alone: phone). ``containment`` is the share of the
seized list's keys found in the candidate, ``reverse`` the share of the candidate's keys found in
the seized list: a list cut from a source has containment near 1 and reverse its share of it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from leaktrace.chain._keys import (
    KEY_FIELDS,
    Estates,
    KeyedList,
    MatchKey,
    Progress,
    day_text,
    keyed_lists,
)
from leaktrace.errors import UsageError

MIN_CONTAINMENT = 0.1
"""Candidates holding less than this share of a seized list are left out."""
TOP = 5
"""Candidates kept per seized list."""
TOP_ESTATES = 5


def pair_counts(key_sets: Sequence[np.ndarray]) -> np.ndarray:
    """Shared keys of every pair of sets: ``out[a, b]`` = |set a ∩ set b| (symmetric, diagonal 0).

    Each set must hold distinct keys. The aggregation is a sort of every key together; a run of
    ``k`` equal keys adds one to each of its k(k-1)/2 pairs, done per run length with
    ``bincount``.
    """
    n = len(key_sets)
    out = np.zeros((n, n), dtype=np.int64)
    sizes = [len(s) for s in key_sets]
    if n < 2 or sum(sizes) == 0:
        return out
    keys = np.concatenate([np.asarray(s, dtype=np.uint64) for s in key_sets])
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)
    order = np.argsort(keys, kind="stable")  # stable: equal keys stay in ascending list order
    keys, owner = keys[order], owner[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    lengths = np.diff(np.append(starts, len(keys)))
    flat = np.zeros(n * n, dtype=np.int64)
    for length in np.unique(lengths[lengths > 1]):
        first = starts[lengths == length]
        block = owner[first[:, None] + np.arange(length)]
        for i in range(length - 1):
            for j in range(i + 1, length):
                flat += np.bincount(block[:, i] * n + block[:, j], minlength=n * n)
    out = flat.reshape(n, n)
    return out + out.T


SHARED_SCHEMA: dict[str, pl.DataType] = {
    "field": pl.UInt8(),
    "a": pl.UInt32(),
    "b": pl.UInt32(),
    "shared": pl.Int64(),
}
"""What :func:`shared_keys` returns: one row per field and pair of lists (a < b) sharing keys."""


def shared_keys(rows: pl.DataFrame) -> pl.DataFrame:
    """The comparison as a keyed aggregation over ``(list, field, key)`` rows (distinct).

    It is the self-join ``rows ⋈ rows ON (field, key) WHERE a.list < b.list`` grouped by
    ``(field, a.list, b.list)`` with a count: what a Spark engine runs as a join. Here each
    field's keys go through :func:`pair_counts`, which computes the same without materialising
    the join. Schema :data:`SHARED_SCHEMA`.
    """
    lists = int(rows.get_column("list").cast(pl.Int64).max() or 0) + 1 if rows.height else 0  # type: ignore[arg-type]
    out = []
    for (number,), part in rows.partition_by("field", as_dict=True).items():
        sets = [
            np.sort(g.get_column("key").to_numpy())
            for g in (part.filter(pl.col("list") == i) for i in range(lists))
        ]
        counts = pair_counts(sets)
        a, b = np.nonzero(np.triu(counts, k=1))
        frame = pl.DataFrame({"field": int(number), "a": a, "b": b, "shared": counts[a, b]})
        out.append(frame.cast(SHARED_SCHEMA))  # type: ignore[arg-type]
    if not out:
        return pl.DataFrame(schema=SHARED_SCHEMA)
    return pl.concat(out).sort("field", "a", "b")


@dataclass
class Candidate:
    """One candidate source of one seized list."""

    source: str
    role: str
    field: str
    matched: int
    containment: float
    reverse: float
    estates: list[tuple[str, int]] = dc_field(default_factory=list)
    span_seized: tuple[str, str] | None = None
    span_source: tuple[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "role": self.role,
            "field": self.field,
            "matched": self.matched,
            "containment": round(self.containment, 4),
            "reverse": round(self.reverse, 4),
            "communities": [{"name": n, "items": k} for n, k in self.estates],
            "span": {
                "seized": list(self.span_seized) if self.span_seized else None,
                "source": list(self.span_source) if self.span_source else None,
            },
        }


@dataclass
class ListMatch:
    """A seized list, its candidates (best first) and the sources that together explain it."""

    seized: str
    candidates: list[Candidate]
    cover: list[tuple[str, float, float]] = dc_field(default_factory=list)
    """(list, share it adds, share covered so far), greedily: a merged list has several."""

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def best_source(self) -> Candidate | None:
        """The best of the ``--sources`` (an organisation's database), if any qualifies."""
        return next((c for c in self.candidates if c.role == "source"), None)


@dataclass
class MatchResult:
    """Every seized list against every candidate: the JSON shape of ``docs/chain.md``."""

    key: MatchKey
    lists: list[KeyedList]
    matches: list[ListMatch]
    min_containment: float
    seconds: dict[str, float]
    pairs: int

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "min_containment": self.min_containment,
            "lists": [_list_json(kl) for kl in self.lists],
            "matches": [
                {
                    "seized": m.seized,
                    "best": m.best.source if m.best else None,
                    "best_source": m.best_source.source if m.best_source else None,
                    "candidates": [c.to_json() for c in m.candidates],
                    "cover": [
                        {"source": src, "adds": round(adds, 4), "covered": round(covered, 4)}
                        for src, adds, covered in m.cover
                    ],
                }
                for m in self.matches
            ],
            "pairs_compared": self.pairs,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def _list_json(kl: KeyedList) -> dict[str, Any]:
    span = kl.span
    return {
        "path": kl.path,
        "role": kl.role,
        "sha256": kl.sha256,
        "records": kl.records,
        "keys": {KEY_FIELDS[f]: kl.size(f) for f in sorted(kl.fields)},
        "span": [day_text(span[0]), day_text(span[1])] if span else None,
    }


def match(
    seized: Sequence[Path],
    sources: Sequence[Path] = (),
    *,
    key: MatchKey = "person",
    min_containment: float = MIN_CONTAINMENT,
    top: int = TOP,
    progress: Progress | None = None,
) -> MatchResult:
    """For each seized list, the candidates it came from: the sources and the other seized lists.

    Every file under ``seized`` and ``sources`` is one list (folders walked, archives opened).
    Candidates are ranked by containment (the share of the seized list's keys they hold), then
    by reverse containment; those under ``min_containment`` are left out, at most ``top`` kept.
    """
    if not 0 <= min_containment <= 1:
        raise UsageError(
            "最低包含度须在 0 与 1 之间 the minimum containment must be between 0 and 1"
        )
    if top < 1:
        raise UsageError("top 至少为 1 top must be at least 1")
    for root in (*seized, *sources):
        if not Path(root).exists():
            raise UsageError("文件或文件夹不存在 no such file or folder", str(root))
    started = time.perf_counter()
    estates = Estates()
    lists = [*keyed_lists(seized, "seized", estates, key=key, progress=progress)]
    lists += keyed_lists(sources, "source", estates, key=key, progress=progress)
    read = time.perf_counter()
    shared = {
        f: pair_counts([kl.fields[f].keys if f in kl.fields else _NONE for kl in lists])
        for f in sorted({f for kl in lists for f in kl.fields})
    }
    compared = time.perf_counter()
    matches = [
        ListMatch(
            a.path,
            _candidates(i, lists, shared, estates, min_containment, top),
            _cover(i, lists, shared, min_containment),
        )
        for i, a in enumerate(lists)
        if a.role == "seized"
    ]
    done = time.perf_counter()
    n = len(lists)
    return MatchResult(
        key=key,
        lists=lists,
        matches=matches,
        min_containment=min_containment,
        seconds={
            "read": read - started,
            "compare": compared - read,
            "describe": done - compared,
            "total": done - started,
        },
        pairs=n * (n - 1) // 2,
    )


_NONE = np.empty(0, dtype=np.uint64)


def _candidates(
    i: int,
    lists: list[KeyedList],
    shared: dict[int, np.ndarray],
    estates: Estates,
    min_containment: float,
    top: int,
) -> list[Candidate]:
    a = lists[i]
    out = []
    for containment, reverse, j, f, n in ranked_candidates(i, lists, shared, min_containment, top):
        out.append(_describe(a, lists[j], f, n, containment, reverse, estates))
    return out


def ranked_candidates(
    i: int,
    lists: Sequence[KeyedList],
    shared: dict[int, np.ndarray],
    min_containment: float,
    top: int,
) -> list[tuple[float, float, int, int, int]]:
    """The best ``top`` candidates of list ``i``: (containment, reverse, list, field, shared).

    Each pair is compared on the field it shares most; candidates are ranked by containment,
    then reverse containment, then list order (both rounded as the JSON shows them).
    """
    a = lists[i]
    ranked = []
    for j, b in enumerate(lists):
        if j == i or not shared:
            continue
        f = max(shared, key=lambda f: (shared[f][i, j], -f))
        n = int(shared[f][i, j])
        if n == 0:
            continue
        containment = n / a.size(f)
        if containment < min_containment:
            continue
        ranked.append((round(containment, 4), round(n / b.size(f), 4), -j, j, f, n))
    ranked.sort(reverse=True)
    return [(c, r, j, f, n) for c, r, _, j, f, n in ranked[:top]]


MAX_COVER = 4
"""Sources named at most in a seized list's cover."""


def cover_field(
    i: int, lists: Sequence[KeyedList], shared: Mapping[int, np.ndarray]
) -> tuple[list[int], int] | None:
    """Where list ``i``'s cover is sought: the candidates (``--sources`` when there are any, else
    the other lists) and the key field the list shares most with them; None when there is none.
    Both engines' covers start here, so they choose alike."""
    pool = [j for j, b in enumerate(lists) if j != i and b.role == "source"]
    pool = pool or [j for j in range(len(lists)) if j != i]
    if not pool or not shared:
        return None
    f = max(shared, key=lambda f: (sum(int(shared[f][i, j]) for j in pool), -f))
    if f not in lists[i].fields:
        return None
    return pool, f


def _cover(
    i: int, lists: list[KeyedList], shared: dict[int, np.ndarray], min_share: float
) -> list[tuple[str, float, float]]:
    """The sources that together hold the seized list, each adding the most of what is left.

    Among ``--sources`` when there are any, else among the other lists; on the key field the
    seized list shares most with them. Stops when the next one would add less than
    ``min_share`` of the list, or after MAX_COVER.
    """
    found = cover_field(i, lists, shared)
    if found is None:
        return []
    pool, f = found
    keys = lists[i].fields[f].keys
    held = {  # a list sharing less than min_share can never add that much
        j: np.isin(keys, lists[j].fields[f].keys, assume_unique=True)
        for j in pool
        if shared[f][i, j] >= max(1.0, min_share * len(keys)) and f in lists[j].fields
    }
    covered = np.zeros(len(keys), dtype=bool)
    out: list[tuple[str, float, float]] = []
    while held and len(out) < MAX_COVER:
        gains = {j: int(np.count_nonzero(mask & ~covered)) for j, mask in held.items()}
        j = max(gains, key=lambda j: (gains[j], -j))
        if gains[j] / len(keys) < min_share:
            break
        covered |= held.pop(j)
        out.append((lists[j].path, gains[j] / len(keys), float(covered.mean())))
    return out


def _describe(
    a: KeyedList,
    b: KeyedList,
    f: int,
    n: int,
    containment: float,
    reverse: float,
    estates: Estates,
) -> Candidate:
    """The matched rows' estates (from the seized list) and date spans (in each list)."""
    ka, kb = a.fields[f], b.fields[f]
    in_b = np.isin(ka.keys, kb.keys, assume_unique=True)
    in_a = np.isin(kb.keys, ka.keys, assume_unique=True)
    codes = ka.community[in_b]
    if (codes < 0).all():
        codes = kb.community[in_a]
    codes = codes[codes >= 0]
    counts = np.bincount(codes, minlength=len(estates.names)) if len(codes) else np.zeros(0)
    # Most matched keys first, then by name: codes follow an unordered unique, names do not.
    named = sorted(
        ((estates.names[c], int(counts[c])) for c in np.flatnonzero(counts)),
        key=lambda e: (-e[1], e[0]),
    )[:TOP_ESTATES]
    return Candidate(
        source=b.path,
        role=b.role,
        field=KEY_FIELDS[f],
        matched=n,
        containment=containment,
        reverse=reverse,
        estates=named,
        span_seized=_span(ka.day[in_b]),
        span_source=_span(kb.day[in_a]),
    )


def _span(days: np.ndarray) -> tuple[str, str] | None:
    days = days[days >= 0]
    if not len(days):
        return None
    return day_text(int(days.min())), day_text(int(days.max()))


__all__ = [
    "MAX_COVER",
    "SHARED_SCHEMA",
    "TOP_ESTATES",
    "Candidate",
    "ListMatch",
    "MatchResult",
    "match",
    "pair_counts",
    "ranked_candidates",
    "shared_keys",
]
