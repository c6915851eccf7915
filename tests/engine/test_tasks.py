"""The executor side of the Spark engine, without Spark: figures from grouped items."""

from __future__ import annotations

from collections import Counter

import polars as pl

from leaktrace.engine import _tasks as tasks


def test_item_figures_count_each_file_and_pair_even_past_64_files() -> None:
    held = [  # (cat, bare, files)
        (0, False, {3}),
        (0, True, {3, 70}),
        (1, False, {0, 63, 64, 130}),
        (0, False, {70}),
    ]
    n_words = tasks.words(131)
    rows = {
        "kind": [tasks.ITEM] * len(held) + [tasks.STATUS],
        "owner": [None] * len(held) + [5],
        "cat": [c for c, _, _ in held] + [None],
        "status": [None] * len(held) + ["valid"],
        "reason": [None] * (len(held) + 1),
        "types": [None] * len(held) + [7],
        "path": [None] * (len(held) + 1),
        "n": [None] * len(held) + [12],
        "bare": [b for _, b, _ in held] + [None],
    }
    for w in range(n_words):
        rows[f"w{w}"] = [_word(files, w) for _, _, files in held] + [None]
    frame = pl.DataFrame(rows, schema_overrides={f"w{w}": pl.Int64 for w in range(n_words)})
    batches = tasks.item_figures(iter(frame.to_arrow().to_batches()))
    out = pl.concat(pl.DataFrame(pl.from_arrow(b)) for b in batches)
    items = out.filter(pl.col("tag") != tasks.STATUS).select("tag", "a", "b", "n")
    got = Counter({(t, a, b): n for t, a, b, n in items.iter_rows()})
    want = Counter({(tasks.CAT, 0, 0): 2, (tasks.CAT, 0, 1): 1, (tasks.CAT, 1, 0): 1})
    for cat, _, files in held:
        want.update({(tasks.SOURCE, f, cat): 1 for f in files})
        want.update({(tasks.PAIR, a, b): 1 for a in files for b in files if a < b})
        if len(files) > 1:  # the file's item is in another file too
            want.update({(tasks.SHARED, f, 0): 1 for f in files})
    assert got == want
    status = out.filter(pl.col("tag") == tasks.STATUS).row(0, named=True)
    assert (status["a"], status["status"], status["types"], status["n"]) == (5, "valid", 7, 12)


def _word(files: set[int], w: int) -> int:
    bits = sum(1 << (f - 64 * w) for f in files if f // 64 == w)
    return bits - (1 << 64) if bits >= 1 << 63 else bits  # as Spark's signed long
