"""The secret key: kept in a 0600 key file or an environment variable, never in the registry.

The registry holds only a keyed check value, so a wrong key is refused before it can mark or
accuse anything, and a stolen registry alone reveals no bit of anyone's code.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from leaktrace.errors import LeakTraceError

KEY_ENV = "LEAKTRACE_MARK_KEY"
KEY_FILE_ENV = "LEAKTRACE_MARK_KEY_FILE"
KEY_BYTES = 32


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
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise MarkKeyError(
            "密钥文件已存在，不会覆盖 key file already exists; refusing to overwrite it", str(path)
        ) from None
    except OSError as exc:
        raise MarkKeyError(
            f"无法创建密钥文件 cannot create key file: {exc.strerror}", str(path)
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def load_key(path: Path | None) -> tuple[bytes, str]:
    """Return ``(key, where)``: from ``LEAKTRACE_MARK_KEY`` (hex), else the given key file."""
    env = os.environ.get(KEY_ENV)
    if env:
        return _parse(env, f"${KEY_ENV}"), f"${KEY_ENV}"
    if path is None:
        raise MarkKeyError(
            f"没有密钥：请用 --key-file 或设置 {KEY_ENV} no key: give --key-file or set {KEY_ENV}"
        )
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise MarkKeyError("密钥文件不存在 key file not found", str(path)) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise MarkKeyError(
            f"密钥文件可被他人读取（权限 {stat.S_IMODE(mode):o}），请运行 chmod 600 "
            f"key file is readable by others (mode {stat.S_IMODE(mode):o}); run chmod 600",
            str(path),
        )
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise MarkKeyError(f"无法读取密钥文件 cannot read key file: {exc}", str(path)) from None
    return _parse(text, str(path)), str(path)


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise MarkKeyError("密钥不是十六进制 key is not hexadecimal", where) from None
    if len(key) != KEY_BYTES:
        raise MarkKeyError(
            f"密钥须为 {KEY_BYTES} 字节（{2 * KEY_BYTES} 位十六进制）"
            f"key must be {KEY_BYTES} bytes ({2 * KEY_BYTES} hex digits)",
            where,
        )
    return key
