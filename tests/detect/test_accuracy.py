"""Accuracy on the synth evidence folder's ground truth (noisy forms included)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from tests.detect.accuracy import Report, evaluate

from leaktrace.detect import _spans
from leaktrace.synth import _chat, write_evidence_folder


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


@pytest.mark.parametrize(("type_id", "recall"), [("name", 0.9), ("address", 0.95)])
def test_names_and_addresses_in_free_text(report: Report, type_id: str, recall: float) -> None:
    # names come from the tagger trained on newswire; the chat templates share no cue with it
    tally = report.spans[type_id]
    assert tally.actual > 10
    assert tally.precision >= 0.95 and tally.recall >= recall, (type_id, tally)


def test_chat_templates_share_no_cue_with_the_detector() -> None:
    """The generator's sentences must not lead to a name or address with the detector's own
    cue words, or the accuracy above would measure the generator."""
    cues = [*_spans._NAME_CUES, "住在", "家住", "地址"]
    for template in _chat._TEMPLATES:
        for before, piece in itertools.pairwise(template):
            if piece in ("{name}", "{address}", "{home}", "{room}"):
                assert not any(before.endswith(cue) for cue in cues), template
