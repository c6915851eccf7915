"""The hand-written chat lines and notes (``data/handwritten_chat.txt``) and their spans.

Markup in the file: ``<n>…</n>`` a person's name, ``<a>…</a>`` an address. ``load()`` strips it
and returns each line's text with its true spans as (start, end, type) character offsets;
``score(found)`` compares spans found by ``find_spans`` (exact start, end and type).

    python -m tests.detect.handwritten     # prints P/R per type and every miss and extra
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl

from leaktrace.detect import find_spans

FILE = Path(__file__).parent / "data" / "handwritten_chat.txt"
_MARK = re.compile(r"<(n|a)>(.*?)</\1>")
_TYPES = {"n": "name", "a": "address"}


def load() -> tuple[list[str], list[set[tuple[int, int, str]]]]:
    """Each line's plain text and its true (start, end, type) spans."""
    texts: list[str] = []
    truths: list[set[tuple[int, int, str]]] = []
    for line in FILE.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        plain, spans, cursor = "", set(), 0
        for m in _MARK.finditer(line):
            plain += line[cursor : m.start()]
            spans.add((len(plain), len(plain) + len(m.group(2)), _TYPES[m.group(1)]))
            plain += m.group(2)
            cursor = m.end()
        plain += line[cursor:]
        assert "<" not in plain, line
        texts.append(plain)
        truths.append(spans)
    return texts, truths


def found_spans(texts: list[str]) -> list[set[tuple[int, int, str]]]:
    """``find_spans`` on the lines, as one set of (start, end, type) per line."""
    found = find_spans(pl.Series("text", texts))
    out: list[set[tuple[int, int, str]]] = [set() for _ in texts]
    for row, type_id, start, end in found.select("row", "type", "start", "end").iter_rows():
        out[row].add((start, end, type_id))
    return out


def score() -> dict[str, dict[str, float]]:
    """Precision and recall of ``find_spans`` per type (name, address) on the file."""
    texts, truths = load()
    found = found_spans(texts)
    out = {}
    for type_id in ("name", "address"):
        f = {(i, *s) for i, spans in enumerate(found) for s in spans if s[2] == type_id}
        t = {(i, *s) for i, spans in enumerate(truths) for s in spans if s[2] == type_id}
        tp = len(f & t)
        out[type_id] = {
            "precision": round(tp / len(f), 4) if f else 1.0,
            "recall": round(tp / len(t), 4) if t else 1.0,
            "true": len(t),
            "found": len(f),
        }
    return out


if __name__ == "__main__":
    print(json.dumps(score(), ensure_ascii=False))
    texts, truths = load()
    for text, truth, got in zip(texts, truths, found_spans(texts), strict=True):
        for s in sorted(truth - got):
            print("missed", text[s[0] : s[1]], s[2], "|", text)
        for s in sorted(got - truth):
            if s[2] in ("name", "address"):
                print("extra ", text[s[0] : s[1]], s[2], "|", text)
