"""Errors a user can cause.

Every one names the file (or field) and the reason in one line, so the CLI can print it without a
traceback and a Python caller can still catch a precise type.
"""

from __future__ import annotations


class LeakTraceError(Exception):
    """A mistake in the user's input or environment, reported as one line."""

    def __init__(self, reason: str, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


class InputError(LeakTraceError):
    """An input file that cannot be read: corrupt, empty, encrypted, undecodable, too large."""


class UsageError(LeakTraceError):
    """A command used wrongly: unknown option value, missing argument, conflicting flags."""


class PolicyError(LeakTraceError):
    """A policy file that is malformed or names an unknown category or a non-positive threshold."""


class FactsError(LeakTraceError):
    """A facts or case file with an unknown field, a negative number or an impossible date."""
