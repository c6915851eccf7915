"""The tagger on 200 chat lines and notes written by hand (``data/handwritten_chat.txt``).

The file was written for this check alone, before the detector was run on it, and the model was
never trained or tuned on it; the floors are the first measured figures less a margin, so they
guard against a model or rule that carries over to chat worse than this one.
"""

from __future__ import annotations

from tests.detect.handwritten import load, score


def test_the_file_has_two_hundred_lines_with_names_and_addresses() -> None:
    texts, truths = load()
    assert len(texts) >= 200
    kinds = [s[2] for spans in truths for s in spans]
    assert kinds.count("name") >= 150 and kinds.count("address") >= 25


def test_names_and_addresses_in_hand_written_chat() -> None:
    figures = score()
    assert figures["name"]["precision"] >= 0.87 and figures["name"]["recall"] >= 0.76, figures
    assert figures["address"]["precision"] >= 0.9 and figures["address"]["recall"] >= 0.85, figures
