"""Realistic synthetic residents and the messy leaked lists made from them, with ground truth.

Tests and benchmarks build every input here, always from a fixed seed::

    people = residents(1_000, seed=7)             # canonical, valid values (the truth)
    table = noisy(people, {"手机号": "mobile"}, seed=7)  # leak-style text + per-cell status
    truth = write_evidence_folder(out, seed=7)    # a seized-laptop folder + truth.json
    write_large_csv(path, rows=10_000_000, seed=7)  # the throughput benchmark's input
    truth = write_linked_lists(out, seed=7)       # one estate's lists, overlapping people
    write_large_overlap(folder, rows=13_000_000, files=4, seed=1)  # a third in two files
"""

from __future__ import annotations

from leaktrace.synth._evidence import TRUTH_SCHEMA, write_evidence_folder
from leaktrace.synth._large import LARGE_CSV_TYPES, write_large_csv, write_large_overlap
from leaktrace.synth._noise import PLAIN_FIELDS, TYPE_IDS, NoiseRates, Noisy, noisy
from leaktrace.synth._people import RESIDENT_COLUMNS, residents
from leaktrace.synth.linked import LINKED_SCHEMA, write_linked_lists
from leaktrace.synth.story import write_story_case

__all__ = [
    "LARGE_CSV_TYPES",
    "LINKED_SCHEMA",
    "PLAIN_FIELDS",
    "RESIDENT_COLUMNS",
    "TRUTH_SCHEMA",
    "TYPE_IDS",
    "NoiseRates",
    "Noisy",
    "noisy",
    "residents",
    "write_evidence_folder",
    "write_large_csv",
    "write_large_overlap",
    "write_linked_lists",
    "write_story_case",
]
