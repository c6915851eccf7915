"""Accuracy of ``leaktrace.detect`` against a synth evidence folder's ``truth.json``.

``evaluate(truth_json)`` reads every evidence file with ``leaktrace.ingest``, classifies its
columns, computes cell statuses with the *predicted* column types (end to end, as the scan does)
and spans for the predicted free-text columns, and compares with the truth:

* column accuracy: predicted type == true type (None for non-PI columns), over all columns;
* cells, per type: a predicted cell counts when its status is not null; it is right when the
  truth has the same type for that column and the same status for that cell;
* spans, per type: right when (row, type, start, end, status) all agree.

The test suite calls it on a fixed seed; it can be pointed at any truth.json by hand::

    python -m tests.detect.accuracy /tmp/evidence/truth.json
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from leaktrace.detect import classify_columns, column_status, find_spans
from leaktrace.ingest import Failure, walk


@dataclass
class Tally:
    """True positives, predictions and truths for one type."""

    tp: int = 0
    predicted: int = 0
    actual: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.actual if self.actual else 1.0


@dataclass
class Report:
    """Everything ``evaluate`` measured, plus the misclassified columns for debugging."""

    columns_right: int = 0
    columns_total: int = 0
    cells: dict[str, Tally] = field(default_factory=dict)
    spans: dict[str, Tally] = field(default_factory=dict)
    wrong_columns: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    cell_errors: Counter[tuple[str, str | None, str | None]] = field(default_factory=Counter)
    span_errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def column_accuracy(self) -> float:
        return self.columns_right / self.columns_total if self.columns_total else 1.0

    def summary(self) -> dict[str, object]:
        def figures(tallies: dict[str, Tally]) -> dict[str, dict[str, float]]:
            return {
                t: {"precision": round(v.precision, 4), "recall": round(v.recall, 4), "n": v.actual}
                for t, v in sorted(tallies.items())
            }

        return {
            "column_accuracy": round(self.column_accuracy, 4),
            "columns": self.columns_total,
            "wrong_columns": self.wrong_columns,
            "missing_tables": self.missing_tables,
            "cells": figures(self.cells),
            "spans": figures(self.spans),
        }


def _read_tables(evidence: Path) -> dict[tuple[str, str], pl.DataFrame]:
    out: dict[tuple[str, str], pl.DataFrame] = {}
    for ev in walk([evidence], encoding=None, format=None):
        if isinstance(ev, Failure):
            continue
        rel = Path(str(ev.path)).as_posix().split(evidence.as_posix().rstrip("/") + "/", 1)[-1]
        for table in ev.tables:
            batches = list(table.batches())
            frame = pl.concat(batches) if batches else pl.DataFrame()
            out[(rel, table.name)] = frame
    return out


def _tally(store: dict[str, Tally], type_id: str) -> Tally:
    return store.setdefault(type_id, Tally())


def evaluate(truth_json: Path) -> Report:
    """Measure column, cell and span accuracy of detect on one synth evidence folder."""
    truth_json = Path(truth_json)
    root = truth_json.parent
    index = json.loads(truth_json.read_text("utf-8"))
    tables = _read_tables(root / index["evidence_dir"])
    report = Report()
    for f in index["files"]:
        for t in f["tables"]:
            key = (f["path"], t["name"])
            if key not in tables:
                report.missing_tables.append(f"{key[0]}:{key[1]}")
                continue
            frame = tables[key]
            truth_cells = pl.read_parquet(root / t["cells"])
            _score_table(report, key, frame, t, truth_cells, root)
    return report


def _score_table(
    report: Report,
    key: tuple[str, str],
    frame: pl.DataFrame,
    t: dict[str, object],
    truth_cells: pl.DataFrame,
    root: Path,
) -> None:
    true_types: dict[str, str | None] = t["columns"]  # type: ignore[assignment]
    profiles = classify_columns(list(frame.columns), frame.head(2000))
    for profile in profiles:
        if profile.name not in true_types:
            continue
        truth_type = true_types[profile.name]
        report.columns_total += 1
        if profile.type == truth_type:
            report.columns_right += 1
        else:
            report.wrong_columns.append(
                f"{key[0]}:{key[1]}:{profile.name} true={truth_type} got={profile.type}"
                f" ({profile.reason})"
            )
        predicted = (
            column_status(frame[profile.name], profile.type)
            if profile.type
            else pl.Series([None] * frame.height, dtype=pl.String)
        )
        actual = (
            truth_cells[profile.name]
            if truth_type and truth_cells.height == frame.height
            else pl.Series([None] * frame.height, dtype=pl.String)
        )
        if profile.type:
            tally = _tally(report.cells, profile.type)
            tally.predicted += int(predicted.is_not_null().sum())
            if profile.type == truth_type:
                tally.tp += int((predicted == actual).fill_null(False).sum())
        if truth_type:
            _tally(report.cells, truth_type).actual += int(actual.is_not_null().sum())
            wrong = pl.DataFrame({"v": frame[profile.name], "p": predicted, "a": actual}).filter(
                pl.col("p").ne_missing(pl.col("a"))
            )
            for v, p, a in wrong.iter_rows():
                report.cell_errors[(f"{truth_type}:{v}", p, a)] += 1
    free = [p.name for p in profiles if p.free_text]
    spans_path = t.get("spans")
    truth_spans = pl.read_parquet(root / str(spans_path)) if spans_path else None
    for column in set(free) | set(t.get("free_text") or []):  # type: ignore[arg-type]
        found = find_spans(frame[column]) if column in free else None
        _score_spans(report, found, truth_spans, column, frame[column])


def _score_spans(
    report: Report,
    found: pl.DataFrame | None,
    truth: pl.DataFrame | None,
    column: str,
    texts: pl.Series,
) -> None:
    keys = ["row", "type", "start", "end", "status"]
    got = set(found.select(keys).iter_rows()) if found is not None else set()
    want = (
        set(truth.filter(pl.col("column") == column).select(keys).iter_rows())
        if truth is not None
        else set()
    )
    for span in got:
        _tally(report.spans, span[1]).predicted += 1
    for span in want:
        _tally(report.spans, span[1]).actual += 1
    for span in got & want:
        _tally(report.spans, span[1]).tp += 1
    for span in sorted(got ^ want, key=lambda s: (s[0], s[2])):
        side = "extra" if span in got else "missed"
        report.span_errors.append((side, f"{span} {texts[span[0]]!r}"))


if __name__ == "__main__":
    result = evaluate(Path(sys.argv[1]))
    print(json.dumps(result.summary(), ensure_ascii=False, indent=1))
    for error, count in result.cell_errors.most_common(40):
        print(count, error)
    for side, text in result.span_errors[:60]:
        print(side, text)
