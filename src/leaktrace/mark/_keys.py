"""The secret key: kept in a 0600 key file or an environment variable, never in the registry.

The registry holds only a keyed check value, so a wrong key is refused before it can mark or
accuse anything, and a stolen registry alone reveals no bit of anyone's code. The key file
follows the rules of every LeakTrace key file (`leaktrace._keyfile`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from leaktrace import _keyfile
from leaktrace.errors import LeakTraceError

KEY_ENV = "LEAKTRACE_MARK_KEY"
KEY_FILE_ENV = "LEAKTRACE_MARK_KEY_FILE"
KEY_BYTES = _keyfile.KEY_BYTES


class MarkKeyError(LeakTraceError):
    """A key that is missing, malformed, readable by others, or not this registry's key."""


def check_value(key: bytes) -> str:
    """What the registry stores to recognise its key: a keyed hash that reveals nothing of it."""
    return hashlib.blake2b(b"leaktrace-key-check", key=key, digest_size=16).hexdigest()


def matches(key: bytes, stored: str) -> bool:
    """Whether ``key`` is the key whose check value is ``stored``."""
    return hmac.compare_digest(check_value(key), stored)


def create_key_file(path: Path) -> bytes:
    """Create a new random key in ``path`` with mode 0600; refuse to overwrite an existing file."""
    return _keyfile.create_key_file(path, MarkKeyError)


def load_key(path: Path | None) -> tuple[bytes, str]:
    """Return ``(key, where)``: from ``LEAKTRACE_MARK_KEY`` (hex), else the given key file."""
    env = os.environ.get(KEY_ENV)
    if env:
        return _parse(env, f"${KEY_ENV}"), f"${KEY_ENV}"
    if path is None:
        raise MarkKeyError(
            f"没有密钥：请用 --key-file 或设置 {KEY_ENV} no key: give --key-file or set {KEY_ENV}"
        )
    return _keyfile.read_key_file(path, MarkKeyError, least=KEY_BYTES, exact=True), str(path)


def _parse(text: str, where: str) -> bytes:
    return _keyfile.parse_key(text, where, MarkKeyError, least=KEY_BYTES, exact=True)
