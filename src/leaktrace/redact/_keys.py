"""The pseudonym key: in a key file of mode 0600 (created on first use) or an environment
variable, never on the command line and never in a masked copy.

The key is what makes pseudonyms repeatable (same key, same pseudonym, joins work) and what
keeps them from being reversed by hashing every phone number: whoever holds it can test a guess,
so it stays with the holder and never travels with the copies. The key file follows the rules
of every LeakTrace key file (`leaktrace._keyfile`).
"""

from __future__ import annotations

import os
from pathlib import Path

from leaktrace import _keyfile
from leaktrace.errors import InputError, UsageError

KEY_ENV = "LEAKTRACE_MASK_KEY"
"""Environment variable holding the key as hex, when no key file is given."""
KEY_BYTES = _keyfile.KEY_BYTES
_LEAST_BYTES = 16
"""A key given by the holder may be shorter than a new one, down to 128 bits."""


def load_key(path: Path | None) -> bytes:
    """The key from ``path`` (created with a new random key and mode 0600 if it does not
    exist), else from ``$LEAKTRACE_MASK_KEY``; a usage error when neither is given."""
    if path is not None:
        if not path.exists():
            return create_key_file(path)
        return _keyfile.read_key_file(path, InputError, least=_LEAST_BYTES)
    env = os.environ.get(KEY_ENV)
    if env:
        return _keyfile.parse_key(env, f"${KEY_ENV}", InputError, least=_LEAST_BYTES)
    raise UsageError(
        f"--pseudonym 需要密钥：--key-file 路径（不存在则创建）或 ${KEY_ENV}（十六进制） "
        f"--pseudonym needs a key: --key-file PATH (created if missing) or ${KEY_ENV} (hex)"
    )


def create_key_file(path: Path) -> bytes:
    """A new random key written to ``path`` with mode 0600; an existing file is never replaced."""
    return _keyfile.create_key_file(path, InputError)
