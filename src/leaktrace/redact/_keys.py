"""The pseudonym key: in a key file of mode 0600 (created on first use) or an environment
variable, never on the command line and never in a masked copy.

The key is what makes pseudonyms repeatable (same key, same pseudonym, joins work) and what
keeps them from being reversed by hashing every phone number: whoever holds it can test a guess,
so it stays with the holder and never travels with the copies.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from leaktrace.errors import InputError, UsageError

KEY_ENV = "LEAKTRACE_MASK_KEY"
"""Environment variable holding the key as hex, when no key file is given."""
KEY_BYTES = 32


def load_key(path: Path | None) -> bytes:
    """The key from ``path`` (created with a new random key and mode 0600 if it does not
    exist), else from ``$LEAKTRACE_MASK_KEY``; a usage error when neither is given."""
    if path is not None:
        return _read_key_file(path) if path.exists() else create_key_file(path)
    env = os.environ.get(KEY_ENV)
    if env:
        return _parse(env, f"${KEY_ENV}")
    raise UsageError(
        f"--pseudonym 需要密钥：--key-file 路径（不存在则创建）或 ${KEY_ENV}（十六进制） "
        f"--pseudonym needs a key: --key-file PATH (created if missing) or ${KEY_ENV} (hex)"
    )


def create_key_file(path: Path) -> bytes:
    """A new random key written to ``path`` with mode 0600; an existing file is never replaced."""
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError("密钥文件已存在 key file already exists", str(path)) from None
    except OSError as exc:
        raise InputError(
            f"无法创建密钥文件 cannot create the key file: {exc.strerror}", str(path)
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def _read_key_file(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(
            f"密钥文件他人可读（权限 {stat.S_IMODE(mode):o}），请 chmod 600 "
            f"key file is readable by others (mode {stat.S_IMODE(mode):o}); run chmod 600",
            str(path),
        )
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取密钥文件 cannot read the key file: {exc}", str(path)) from None
    return _parse(text, str(path))


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise InputError("密钥不是十六进制 the key is not hexadecimal", where) from None
    if len(key) < 16:
        raise InputError(
            "密钥太短，至少 16 字节 the key is too short: at least 16 bytes (32 hex digits)", where
        )
    return key
