"""ZIP archives: every member is evidence in its own right, nested archives included.

Members are extracted one at a time to a temporary file, because Polars and calamine read files,
and re-reading a compressed stream for every `batches()` call would cost more than the disk. The
temporary file lives exactly as long as something (the Evidence, one of its Tables) still refers to
it. Extraction is where zip bombs go off, so sizes are checked against the header first and against
the bytes actually written second: a lying header cannot get past either limit.
"""

from __future__ import annotations

import os
import tempfile
import weakref
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from leaktrace.errors import InputError

from ._model import Evidence, Failure, Limits, MiB

_ENCRYPTED = 0x1
_UTF8_NAMES = 0x800
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db")


class TempFile:
    """A temporary file removed when the last object holding this handle is collected."""

    def __init__(self, suffix: str) -> None:
        handle, name = tempfile.mkstemp(prefix="leaktrace-", suffix=suffix)
        os.close(handle)
        self.path = Path(name)
        self._finalizer = weakref.finalize(self, Path.unlink, self.path, missing_ok=True)

    def remove(self) -> None:
        self._finalizer()


@dataclass
class Budget:
    """Bytes still allowed out of one top-level archive, shared by the archives nested in it."""

    remaining: int


OpenFile = Callable[[Path, str, str, int, TempFile, Budget], Iterator[Evidence | Failure]]


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name, repairing GBK names that zip tools wrote without the UTF-8 flag.

    Windows archivers in China store names in GBK; Python decodes such names as CP437, which
    turns 业主名单.csv into mojibake. Re-encoding as CP437 recovers the original bytes.
    """
    if info.flag_bits & _UTF8_NAMES:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def walk_zip(
    archive: Path,
    shown: str,
    depth: int,
    limits: Limits,
    budget: Budget,
    open_file: OpenFile,
) -> Iterator[Evidence | Failure]:
    """Members of `archive` as Evidence or Failure, each opened (or recursed) by `open_file`."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        yield Failure(shown, f"zip 压缩包损坏或不完整 corrupt or truncated zip archive ({exc})")
        return
    with zf:
        infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: member_name(i))
        for info in infos:
            name = member_name(info)
            if any(part in name for part in _JUNK) or PurePosixPath(name).name.startswith("._"):
                continue
            member = f"{shown}!/{name}"
            reason = _refusal(info, depth, limits, budget)
            if reason:
                yield Failure(member, reason, size=info.file_size)
                continue
            suffix = PurePosixPath(name).suffix[:16]
            temp = TempFile(suffix)
            try:
                written = _extract(zf, info, temp.path, limits, budget)
            except InputError as exc:
                temp.remove()
                yield Failure(member, exc.reason, size=info.file_size)
                continue
            except Exception as exc:
                temp.remove()
                yield Failure(
                    member, f"压缩包内文件损坏 corrupt archive member ({exc})", size=info.file_size
                )
                continue
            budget.remaining -= written
            yield from open_file(temp.path, member, shown, depth + 1, temp, budget)


def _refusal(info: zipfile.ZipInfo, depth: int, limits: Limits, budget: Budget) -> str | None:
    """Why a member must not be extracted, judged from its header alone."""
    if info.flag_bits & _ENCRYPTED:
        return "有密码保护（加密的 zip 内文件）password-protected (encrypted zip member)"
    if depth >= limits.max_depth:
        depth_limit = limits.max_depth
        return f"压缩包嵌套超过 {depth_limit} 层 archive nested deeper than {depth_limit} levels"
    if info.file_size > limits.max_member_bytes:
        limit = _size(limits.max_member_bytes)
        return (
            f"zip 内文件 {info.file_size} 字节，超过 {limit} 上限 "
            f"zip member of {info.file_size} bytes exceeds the {limit} limit"
        )
    if info.file_size > budget.remaining:
        total = _size(limits.max_archive_bytes)
        return f"压缩包解压后超过 {total} 总量上限 archive expands beyond the {total} total limit"
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.ratio_min_bytes and ratio > limits.max_ratio:
        return (
            f"疑似 zip 炸弹（压缩比 {ratio:.0f}:1）"
            f"zip bomb suspected (compression ratio {ratio:.0f}:1)"
        )
    return None


def _extract(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limits: Limits, budget: Budget
) -> int:
    """Copy a member out, stopping as soon as it exceeds what its header or the limits allow."""
    allowed = min(limits.max_member_bytes, budget.remaining, info.file_size)
    written = 0
    with zf.open(info) as src, target.open("wb") as out:
        while chunk := src.read(MiB):
            written += len(chunk)
            if written > allowed:
                raise InputError(
                    "zip 内文件解压后超过声明大小或上限 "
                    "zip member expands beyond its declared size or the limits"
                )
            out.write(chunk)
    return written


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} bytes"
