"""Masked copies of files: which files, where the copies go, and how a copy is written safely."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, walk
from leaktrace.redact._byvalue import write_text_by_value
from leaktrace.redact._cells import Disagree, Masker
from leaktrace.redact._delimited import write_delimited
from leaktrace.redact._json import write_json
from leaktrace.redact._xlsx import write_xlsx, write_xlsx_by_value

Writer = Callable[[Evidence, Path, IO[bytes], Masker], int]

WRITERS: dict[str, Writer] = {
    "csv": write_delimited,
    "tsv": write_delimited,
    "txt": write_delimited,
    "xlsx": write_xlsx,
    "json": write_json,
    "jsonl": write_json,
}
"""The formats a masked copy can be written in: the input's own format, always."""

BY_VALUE: dict[str, Writer] = {
    "csv": write_text_by_value,
    "tsv": write_text_by_value,
    "txt": write_text_by_value,
    "xlsx": write_xlsx_by_value,
}
"""Writers for when a file's records cannot be paired with ingest's rows (see ``_byvalue``);
JSON has none: its values may be escaped in the text, so such a file is refused."""

BY_VALUE_NOTE = (
    "按值替换 replaced by value: the file's records and the rows scan reads could not be paired, "
    "so every replaced value was replaced wherever it occurs in the file"
)

Progress = Callable[[str, int], None]


@dataclass
class MaskedFile:
    """One masked copy: where it came from, where it went, and what was replaced per type."""

    path: str
    out: str
    format: str
    encoding: str | None
    rows: int
    masked: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "notes": self.notes,
            "path": self.path,
            "out": self.out,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "masked": dict(sorted(self.masked.items())),
        }


@dataclass
class MaskResult:
    """Every copy written and every file refused, in the order the inputs were walked."""

    mode: str
    files: list[MaskedFile]
    errors: list[Failure]

    @property
    def masked(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for file in self.files:
            total.update(file.masked)
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "files": [f.to_json() for f in self.files],
            "masked": dict(sorted(self.masked.items())),
            "errors": [{"path": e.path, "reason": e.reason} for e in self.errors],
        }


def redact(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    key: bytes | None = None,
    force: bool = False,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> MaskResult:
    """Write a masked copy of every file under ``paths`` into the folder ``out``.

    A file given directly lands as ``out/<name>``; a file found in a given folder keeps its
    path below that folder. With ``key`` values become keyed pseudonyms
    (:func:`leaktrace.mask.pseudonym`), otherwise masks (:func:`leaktrace.mask.mask`).

    Refused as a whole (:class:`InputError`, nothing written): an output folder that cannot be
    created or written, or that is, or lies inside, a folder being masked. Refused per file (in
    ``errors``; the others are still written): an unreadable file, a format without a writer, an
    archive, a copy that would replace its own input, an existing copy without ``force``. Every
    copy is written to a temporary file beside its target and renamed into place when complete.
    """
    roots = [Path(p) for p in paths]
    out_dir = Path(out)
    _check_out(out_dir, roots)
    masker = Masker(key)
    files: list[MaskedFile] = []
    errors: list[Failure] = []
    taken: set[Path] = set()
    for item in walk(roots, encoding=encoding):
        if isinstance(item, Failure):
            errors.append(item)
            continue
        if item.parent is not None:
            continue  # a member of an archive: the archive itself is refused below
        try:
            target = out_dir / _relative(Path(item.path), roots)
            if target in taken:
                raise InputError(
                    f"两个输入会写到同一处 two inputs would both be written to {target}", item.path
                )
            taken.add(target)
            files.append(_copy(item, target, masker, force))
        except InputError as exc:
            errors.append(Failure(exc.path or item.path, exc.reason))
        if progress is not None and files and files[-1].path == item.path:
            progress(item.path, files[-1].rows)
    return MaskResult("pseudonym" if key is not None else "mask", files, errors)


def _check_out(out_dir: Path, roots: list[Path]) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("输出不是文件夹 the output is not a folder", str(out_dir))
    resolved = out_dir.resolve()
    for root in roots:
        if root.is_dir() and (resolved == root.resolve() or root.resolve() in resolved.parents):
            raise InputError(
                f"输出文件夹在被脱敏的文件夹之内 the output folder is inside the folder being "
                f"masked ({root}); choose another",
                str(out_dir),
            )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise InputError(
            f"无法写入输出文件夹 cannot write into the output folder: {exc.strerror}", str(out_dir)
        ) from None


def _relative(path: Path, roots: list[Path]) -> Path:
    for root in roots:
        if root.is_dir():
            with contextlib.suppress(ValueError):
                return path.relative_to(root)
    return Path(path.name)


def _copy(evidence: Evidence, target: Path, masker: Masker, force: bool) -> MaskedFile:
    source = Path(evidence.path)
    writer = WRITERS.get(evidence.format)
    if writer is None:
        kinds = "CSV, TSV, TXT, XLSX, JSON and JSON Lines"
        raise InputError(
            f"不能为 {evidence.format} 文件写脱敏副本 cannot write a masked copy of a "
            f"{evidence.format} file (mask writes {kinds})",
            evidence.path,
        )
    if target.exists():
        if os.path.samefile(source, target):
            raise InputError(
                "脱敏副本会覆盖其输入 the masked copy would replace its own input", evidence.path
            )
        if not force:
            raise InputError(
                f"副本已存在 {target} already exists; --force replaces it", evidence.path
            )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
    except OSError as exc:
        raise InputError(f"无法写入 cannot write {target}: {exc.strerror}", evidence.path) from None
    temp = Path(name)
    masker.counts.clear()
    notes = []
    try:
        with os.fdopen(handle, "wb") as fh:
            try:
                rows = writer(evidence, source, fh, masker)
            except Disagree as exc:
                fallback = BY_VALUE.get(evidence.format)
                if fallback is None:
                    raise InputError(f"{exc}；未写副本 no copy written", evidence.path) from None
                fh.seek(0)
                fh.truncate()
                masker.counts.clear()
                rows = fallback(evidence, source, fh, masker)
                notes.append(BY_VALUE_NOTE)
        os.replace(temp, target)
    except OSError as exc:
        raise InputError(f"无法写入 cannot write {target}: {exc.strerror}", evidence.path) from None
    except (UnicodeError, ValueError) as exc:
        raise InputError(f"未写副本 no copy written: {exc}", evidence.path) from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    return MaskedFile(
        evidence.path,
        str(target),
        evidence.format,
        evidence.encoding,
        rows,
        Counter(masker.counts),
        notes,
    )
