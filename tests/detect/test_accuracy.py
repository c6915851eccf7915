"""Accuracy on the synth evidence folder's ground truth (noisy forms included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.detect.accuracy import Report, evaluate

from leaktrace.synth import write_evidence_folder


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    out: Path = tmp_path_factory.mktemp("evidence")
    return evaluate(write_evidence_folder(out, seed=7, rows=300))


def test_column_types_are_at_least_99_percent_right(report: Report) -> None:
    assert report.missing_tables == []
    assert report.column_accuracy >= 0.99, report.wrong_columns


@pytest.mark.parametrize("type_id", ["cn_id", "mobile", "bank_card", "email"])
def test_cells_of_checked_types_reach_99_percent(report: Report, type_id: str) -> None:
    tally = report.cells[type_id]
    assert tally.precision >= 0.99 and tally.recall >= 0.99, (type_id, tally)


@pytest.mark.parametrize("type_id", ["name", "address"])
def test_names_and_addresses_in_free_text_reach_95_percent(report: Report, type_id: str) -> None:
    tally = report.spans[type_id]
    assert tally.actual > 0
    assert tally.precision >= 0.95 and tally.recall >= 0.95, (type_id, tally)
