"""A case's folder: uploads streamed to disk, zips unpacked safely, ``case.toml`` edited.

The folder is the one DESIGN.md describes: ``case.toml``, ``evidence/`` (never modified once
there), ``work/`` (results), ``reports/``. Every change is all or nothing: an upload lands under a
temporary name and is renamed when complete; a zip is unpacked into a staging folder and moved
into place only when every member passed; a new ``case.toml`` replaces the old one only when
``leaktrace.count.load_case`` accepts it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import stat
import threading
import time
import tomllib
import unicodedata
import zipfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import tomli_w

from leaktrace.count import Case, load_case
from leaktrace.errors import FactsError, InputError, LeakTraceError
from leaktrace.ingest import Budget, Limits, extract_member, member_name, member_refusal

MiB = 1 << 20
CASE_FILE = "case.toml"
UPLOAD_LIMIT = 20 * (1 << 30)
"""Largest single upload accepted (bytes); ``leaktrace serve --max-upload`` changes it."""
FILE_MODE = 0o600
"""Mode of every file that arrives: evidence is for the server's user alone (and a mark
registry's key file must not be readable by others, or ``leaktrace.mark`` refuses it)."""
TARGETS = ("evidence", "sources")
"""Folders an upload may go to: seized evidence, or candidate source databases (match)."""
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


STALE_DOWNLOAD = 24 * 3600
"""Seconds after which a download's snapshot folder is taken as left behind and removed."""


class UploadError(LeakTraceError):
    """An upload refused: bad name, over the limit, truncated, or an unsafe archive."""


def case_lock(case_dir: Path) -> threading.Lock:
    """One lock per case folder: edits of ``case.toml`` and uploads go one at a time."""
    key = str(case_dir.resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def safe_name(name: str) -> str:
    """A file name as uploaded, reduced to its last part; refused when empty or hidden."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/")).split("/")[-1].strip()
    if not name or name in (".", "..") or name.startswith("."):
        raise UploadError("文件名无效 (invalid file name)", name or "(empty)")
    if any(ord(c) < 32 or ord(c) == 127 for c in name) or len(name.encode()) > 240:
        raise UploadError("文件名含有不允许的字符或过长 (invalid characters or too long)", name)
    return name


async def receive(
    chunks: AsyncIterator[bytes],
    target: Path,
    *,
    limit: int = UPLOAD_LIMIT,
    expected: int | None = None,
) -> tuple[int, str]:
    """Stream ``chunks`` to ``target`` (which must not exist): (size, SHA-256).

    Written under a temporary name beside it and renamed when complete; over ``limit`` bytes, or
    fewer than ``expected`` (a truncated upload), nothing is left behind.
    """
    if target.exists():
        raise UploadError(
            "同名文件已存在 (a file of this name is already in the case)", target.name
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".incoming-{secrets.token_hex(6)}")
    digest = hashlib.sha256()
    size = 0
    try:
        with tmp.open("wb") as out:
            async for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > limit:
                    raise UploadError(
                        f"文件超过上传上限 {limit:,} 字节 (upload over the limit)", target.name
                    )
                digest.update(chunk)
                out.write(chunk)
        if expected is not None and size != expected:
            raise UploadError(
                f"上传不完整：收到 {size:,} 字节，应为 {expected:,} (truncated upload)",
                target.name,
            )
        if size == 0:
            raise UploadError("文件为空 (empty file)", target.name)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return size, digest.hexdigest()


def hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(MiB):
            size += len(chunk)
            digest.update(chunk)
    return size, digest.hexdigest()


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath:
    """The member's relative path; UploadError for absolute paths, ``..``, links, devices."""
    name = member_name(info)
    shown = name
    name = name.replace("\\", "/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if name.startswith("/") or (parts and len(parts[0]) == 2 and parts[0][1] == ":"):
        raise UploadError(f"压缩包成员使用绝对路径 (absolute path in the archive): {shown}")
    if any(p == ".." for p in parts) or not parts:
        raise UploadError(f"压缩包成员路径越出目录 (path traversal in the archive): {shown}")
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise UploadError(f"压缩包成员是链接或设备 (link or device in the archive): {shown}")
    for p in parts:
        safe_name(p)
    return PurePosixPath(*parts)


def unpack_zip(archive: Path, staging: Path, limits: Limits | None = None) -> list[PurePosixPath]:
    """Every member of ``archive`` extracted under ``staging`` after the checks ingest makes
    (encryption, per-member and total size, compression ratio) and against path traversal.

    The first bad member refuses the whole archive (UploadError); nothing is kept of it.
    """
    limits = limits or Limits()
    budget = Budget(limits.max_archive_bytes)
    out: list[PurePosixPath] = []
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UploadError(f"压缩包损坏或不完整 (corrupt or truncated zip: {exc})") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        seen: set[str] = set()
        for info in infos:
            rel = _member_path(info)
            if rel.parts[0] == "__MACOSX" or rel.name in (".DS_Store", "Thumbs.db"):
                continue
            key = str(rel).casefold()
            if key in seen:
                raise UploadError(f"压缩包内文件重名 (duplicate member): {rel}")
            seen.add(key)
            reason = member_refusal(info, 0, limits, budget)
            if reason:
                raise UploadError(f"{rel}: {reason}")
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                written = extract_member(zf, info, target, limits, budget)
            except InputError as exc:
                raise UploadError(f"{rel}: {exc.reason}") from None
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise UploadError(f"{rel}: 压缩包成员损坏 (corrupt member: {exc})") from None
            os.chmod(target, FILE_MODE)
            budget.remaining -= written
            out.append(rel)
    return out


def place(staging: Path, files: list[PurePosixPath], dest: Path) -> list[Path]:
    """Move staged files under ``dest``; refuse (moving nothing) if any would overwrite."""
    targets = [dest / rel for rel in files]
    clash = next((t for t in targets if t.exists()), None)
    if clash is not None:
        raise UploadError(f"文件已存在，未覆盖 (a file of this name exists): {clash.name}")
    moved: list[Path] = []
    try:
        for rel, target in zip(files, targets, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
            moved.append(target)
    except OSError as exc:
        for target in moved:
            target.unlink(missing_ok=True)
        raise UploadError(
            f"无法写入案件目录 (cannot write the case folder: {exc.strerror})"
        ) from None
    return moved


def case_root_in(staging: Path, files: list[PurePosixPath]) -> PurePosixPath | None:
    """Where a zipped case folder has its ``case.toml``: at the top, or in the one top folder."""
    if PurePosixPath(CASE_FILE) in files:
        return PurePosixPath(".")
    tops = {f.parts[0] for f in files}
    if len(tops) == 1:
        top = PurePosixPath(next(iter(tops)))
        if top / CASE_FILE in files:
            return top
    return None


def import_case(
    staging: Path, files: list[PurePosixPath], root: PurePosixPath, case_dir: Path
) -> list[Path]:
    """A zipped case folder moved into ``case_dir``: its ``case.toml`` replaces the current one
    only if ``load_case`` accepts the whole; else everything moved is taken back."""
    inner = [f.relative_to(root) for f in files if f.is_relative_to(root)]
    body = [f for f in inner if f != PurePosixPath(CASE_FILE)]
    base = staging / root
    moved = place(base, body, case_dir)
    try:
        replace_case_text(case_dir, (base / CASE_FILE).read_text(encoding="utf-8-sig"))
    except BaseException:
        for target in moved:
            target.unlink(missing_ok=True)
        raise
    return moved


# --- case.toml -------------------------------------------------------------------------------


def case_text(case_dir: Path) -> str:
    try:
        return (case_dir / CASE_FILE).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return ""


def case_raw(case_dir: Path) -> dict[str, Any]:
    """``case.toml`` as a dict (empty when there is none yet)."""
    text = case_text(case_dir)
    try:
        return tomllib.loads(text) if text else {}
    except tomllib.TOMLDecodeError as exc:
        raise FactsError(
            f"不是有效的 TOML (not valid TOML: {exc})", str(case_dir / CASE_FILE)
        ) from None


def replace_case_text(case_dir: Path, text: str) -> Case:
    """Put ``text`` in place as ``case.toml`` if ``load_case`` accepts it; else leave the old."""
    path = case_dir / CASE_FILE
    old = path.read_bytes() if path.exists() else None
    tmp = path.with_name(f".{CASE_FILE}.{secrets.token_hex(4)}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    try:
        return load_case(case_dir)
    except BaseException:
        if old is None:
            path.unlink(missing_ok=True)
        else:
            back = path.with_name(f".{CASE_FILE}.{secrets.token_hex(4)}")
            back.write_bytes(old)
            os.replace(back, path)
        raise


def write_case_raw(case_dir: Path, raw: dict[str, Any]) -> Case:
    """Serialise ``raw`` as TOML and put it in place as ``replace_case_text`` does."""
    return replace_case_text(case_dir, tomli_w.dumps(_plain(raw)))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --- downloads of many files -------------------------------------------------------------------


def snapshot(case_dir: Path, names: list[str]) -> Path:
    """Hard links of ``names`` (paths relative to ``case_dir``) in a fresh folder under ``work/``.

    A job that swaps a folder (the mask job replaces ``masked/`` whole) cannot change what a
    download already started is reading: the links keep the files of the moment the download
    began, at no copying cost. Where the file system has no hard links, the files are copied.
    Remove the folder when done (:func:`zip_stream` does, given it as ``remove_also``).
    """
    work = case_dir / "work"
    for stale in work.glob(".download-*"):  # left by a server stopped during a download
        if time.time() - stale.stat().st_mtime > STALE_DOWNLOAD:
            remove_tree(stale)
    snap = work / f".download-{secrets.token_hex(6)}"
    try:
        for name in names:
            target = snap / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(case_dir / name, target)
            except OSError:
                shutil.copy2(case_dir / name, target)
    except BaseException:
        remove_tree(snap)
        raise
    return snap


class _Sink:
    """A write-only stream the zip writer fills and the response drains (no seek: zipfile then
    writes each member's sizes after its data, so nothing needs to be held back)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        self.size = 0
        return out


def zip_stream(root: Path, names: list[str], *, remove_also: Path | None = None) -> Iterator[bytes]:
    """A zip of ``names`` (paths under ``root``, kept as the members' names), produced a
    megabyte at a time while it is sent: memory stays at about one chunk whatever the files'
    size. ``remove_also`` (a :func:`snapshot`) is deleted when the stream ends or is abandoned."""
    sink = _Sink()
    try:
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for name in names:
                path = root / name
                stamp = time.localtime(max(path.stat().st_mtime, 315532800))[:6]
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                with path.open("rb") as src, zf.open(info, "w", force_zip64=True) as dest:
                    while chunk := src.read(MiB):
                        dest.write(chunk)
                        if sink.size >= MiB:
                            yield sink.take()
                yield sink.take()
        yield sink.take()
    finally:
        if remove_also is not None:
            remove_tree(remove_also)
