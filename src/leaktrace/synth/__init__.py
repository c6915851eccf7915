"""Realistic synthetic residents and the messy leaked lists made from them, with ground truth.

Tests and benchmarks build every input here, always from a fixed seed:

>>> people = residents(1_000, seed=7)          # canonical, valid values (the truth)
>>> truth = write_evidence_folder(out, seed=7)  # a seized-laptop folder + truth.json
"""

from __future__ import annotations

from leaktrace.synth._people import residents

__all__ = ["residents"]
