"""Fixtures for the masking tests (the hand-typed files are in ``samples``)."""

from __future__ import annotations

from tests.redact.samples import evidence

__all__ = ["evidence"]
