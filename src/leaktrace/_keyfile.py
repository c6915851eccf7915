"""Secret key files, the one set of rules for every key LeakTrace keeps as hex in a file.

`mark`'s registry key and `mask`'s pseudonym key both live in such a file: a new key is 32
random bytes written as hex to a file created with mode 0600 and never written over; a key file
that others may read is refused rather than used (chmod 600 fixes it). Each caller passes the
error class its verb raises, so `mark` still raises `MarkKeyError` and `mask` `InputError`.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from leaktrace.errors import LeakTraceError

KEY_BYTES = 32
"""A new key's length in bytes."""


def create_key_file(path: Path, error: type[LeakTraceError]) -> bytes:
    """A new random key written to ``path`` as hex with mode 0600; an existing file is never
    replaced (``error`` names it)."""
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise error(
            "密钥文件已存在，不会覆盖 key file already exists; refusing to overwrite it", str(path)
        ) from None
    except OSError as exc:
        raise error(
            f"无法创建密钥文件 cannot create the key file: {exc.strerror}", str(path)
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def read_key_file(
    path: Path, error: type[LeakTraceError], *, least: int, exact: bool = False
) -> bytes:
    """The key in ``path``; refused when missing, readable by group or others, not hex, or
    shorter than ``least`` bytes (other than ``least`` when ``exact``)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise error("密钥文件不存在 key file not found", str(path)) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise error(
            f"密钥文件可被他人读取（权限 {stat.S_IMODE(mode):o}），请运行 chmod 600 "
            f"key file is readable by others (mode {stat.S_IMODE(mode):o}); run chmod 600",
            str(path),
        )
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"无法读取密钥文件 cannot read the key file: {exc}", str(path)) from None
    return parse_key(text, str(path), error, least=least, exact=exact)


def parse_key(
    text: str, where: str, error: type[LeakTraceError], *, least: int, exact: bool = False
) -> bytes:
    """A key written as hex (from a file or an environment variable named by ``where``)."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise error("密钥不是十六进制 the key is not hexadecimal", where) from None
    if exact and len(key) != least:
        raise error(
            f"密钥须为 {least} 字节（{2 * least} 位十六进制）"
            f"the key must be {least} bytes ({2 * least} hex digits)",
            where,
        )
    if len(key) < least:
        raise error(
            f"密钥太短，至少 {least} 字节 the key is too short: "
            f"at least {least} bytes ({2 * least} hex digits)",
            where,
        )
    return key
