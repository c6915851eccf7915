"""Decide what a file is from its bytes, never from its name, and which encoding its text uses.

Seized files are often renamed, truncated or exported by tools that lie about their type, so the
format comes from magic bytes (containers) or from the shape of the text. Encodings follow the order
that is cheapest and least ambiguous: a BOM, then strict UTF-8, then the Chinese legacy encodings.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from leaktrace.errors import InputError

from ._model import MiB

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!", "RAR archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ", "xz archive"),
    (b"SQLite format 3", "SQLite database"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_SQL_START = re.compile(
    r"^\s*(?:--|/\*|#|INSERT\s+INTO|CREATE\s+TABLE|DROP\s+TABLE|SET\s|LOCK\s+TABLES|USE\s|"
    r"BEGIN|START\s+TRANSACTION|COPY\s|SELECT\s+pg_catalog|ALTER\s+TABLE)",
    re.IGNORECASE,
)
_SQL_DATA = re.compile(r"INSERT\s+INTO\s|COPY\s+\S+.*FROM\s+stdin", re.IGNORECASE)

EXTENSION_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "txt",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".sql": "sql",
    ".zip": "zip",
}
"""What a file's name claims; used only to note a mismatch, never to choose a reader."""

_TEXT_FAMILY = frozenset({"csv", "tsv", "txt"})


def read_sample(path: Path, size: int) -> bytes:
    """The first `size` bytes: enough to sniff, small enough to never matter."""
    with path.open("rb") as fh:
        return fh.read(size)


def read_samples(path: Path, size: int) -> list[bytes]:
    """The head plus two windows from the middle and the end of the file.

    A GBK file whose first 64 KB happen to be ASCII would pass a head-only UTF-8 check and then
    fail far into the read; probing the middle and the tail catches that for the price of 2 seeks.
    """
    total = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(size)
        if total <= 3 * size:
            return [head + fh.read()]
        windows = [head]
        for start in (total // 2, total - size):
            fh.seek(start)
            windows.append(fh.read(size))
        return windows


def sniff_format(path: Path, sample: bytes | None = None, encoding: str | None = None) -> str:
    """Name the evidence format of `path` from its content (text decoded with `encoding` if given).

    Raises `InputError` for an empty file, a binary file of a kind we do not read, an encrypted
    Office file, or a broken container.
    """
    if sample is None:
        sample = read_sample(path, 64 * 1024)
    if not sample:
        raise InputError("空文件 empty file", str(path))
    if sample.startswith(b"PK"):
        return _sniff_zip(path)
    if sample.startswith(_OLE_MAGIC):
        return _sniff_ole(path)
    if sample.startswith(b"PAR1"):
        return "parquet"
    for magic, kind in _BINARY_MAGIC:
        if sample.startswith(magic):
            raise InputError(
                f"不支持的证据格式（二进制文件）not a supported evidence format (binary: {kind})",
                str(path),
            )
    if _looks_binary(sample):
        raise InputError(
            "不支持的证据格式（二进制文件）not a supported evidence format (binary)", str(path)
        )
    encoding = encoding or detect_encoding([sample], str(path))
    try:
        text = decode_sample(sample, encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"无法按 {encoding} 解码 cannot decode as {encoding}", str(path)) from exc
    if not text.strip("\ufeff \t\r\n\x00"):
        raise InputError("空文件（只有空行）empty file (only blank lines)", str(path))
    return sniff_text_format(text)


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and zf.read("mimetype").strip() == _ODS_MIME:
                return "ods"
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        kind = EXTENSION_FORMATS.get(path.suffix.lower(), "zip")
        kind = kind if kind in {"xlsx", "ods", "zip"} else "zip"
        raise InputError(
            f"{kind} 文件损坏或不完整 corrupt or truncated {kind} file ({exc})", str(path)
        ) from exc
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    return "zip"


def _sniff_ole(path: Path) -> str:
    """An OLE compound file is a legacy .xls, or an encrypted OOXML file wrapped in OLE.

    Encrypted .xlsx files carry an `EncryptionInfo` stream; its UTF-16 name lives in the OLE
    directory, which small files keep near the start and large ones near the end.
    """
    marker = "EncryptionInfo".encode("utf-16-le")
    with path.open("rb") as fh:
        head = fh.read(MiB)
        fh.seek(0, 2)
        end = fh.tell()
        fh.seek(max(0, end - MiB))
        tail = fh.read(MiB)
    if marker in head or marker in tail:
        raise InputError(
            "有密码保护（加密的 Office 文件）password-protected (encrypted Office file)", str(path)
        )
    return "xls"


def _looks_binary(sample: bytes) -> bool:
    """NUL bytes mean binary, unless they form the regular pattern of UTF-16 text."""
    if b"\x00" not in sample:
        return False
    return _utf16_without_bom(sample) is None


def _utf16_without_bom(sample: bytes) -> str | None:
    """Recognise BOM-less UTF-16 by NULs filling one byte of most ASCII code units."""
    even = sample[0::2]
    odd = sample[1::2]
    if not even or not odd:
        return None
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def canonical_encoding(name: str) -> str:
    """Normalise a user's or a detector's encoding name to the names we report.

    Reported names: `utf-8`, `utf-8-sig` (UTF-8 with BOM), `utf-16`, `utf-16-le`, `utf-16-be`,
    `gbk`, `gb18030`, `big5`, or Python's canonical name for anything else a user forces.
    """
    try:
        python_name = codecs.lookup(name).name
    except LookupError as exc:
        raise InputError(f"未知编码 unknown encoding {name!r}") from exc
    aliases = {"gb2312": "gbk", "cp936": "gbk", "big5hkscs": "big5", "cp950": "big5"}
    return aliases.get(python_name, python_name)


def decoder_name(encoding: str) -> str:
    """The codec actually used to decode a reported encoding.

    GB18030 is a strict superset of GBK and GB2312, so text reported as `gbk` is decoded as
    GB18030: a stray character outside GBK then still decodes instead of failing the file.
    """
    return "gb18030" if encoding in {"gbk", "gb2312"} else encoding


def decode_sample(sample: bytes, encoding: str) -> str:
    """Decode a sample that may end in the middle of a multi-byte character."""
    decoder = codecs.getincrementaldecoder(decoder_name(encoding))(errors="strict")
    return decoder.decode(sample, final=False)


def _decodes(samples: list[bytes], encoding: str) -> bool:
    """Whether every sample decodes strictly with exactly this codec (gbk is not widened here)."""
    for sample in samples:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            decoder.decode(sample, final=False)
        except UnicodeDecodeError:
            return False
    return True


def _trim_start(sample: bytes) -> bytes:
    """Windows from the middle of a file may start inside a character: skip to a line start."""
    cut = sample.find(b"\n")
    return sample if cut == -1 or cut > 4096 else sample[cut + 1 :]


def detect_encoding(samples: list[bytes], path: str = "") -> str:
    """Name the encoding of text from its head sample (first) and optional further windows.

    Order: BOM; BOM-less UTF-16 by NUL pattern; strict UTF-8; then GBK, GB18030 and Big5, letting
    charset-normalizer choose when more than one decodes. Raises `InputError` when none decodes.
    """
    head = samples[0]
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    rest = [head] + [_trim_start(s) for s in samples[1:]]
    if _decodes(rest, "utf-8"):
        return "utf-8"
    candidates = [enc for enc in ("gbk", "gb18030", "big5") if _decodes(rest, enc)]
    if not candidates:
        raise InputError(
            "无法解码文本（已试 utf-8、gbk、gb18030、big5、utf-16），如知道编码请指定 "
            "cannot decode the text (tried utf-8, gbk, gb18030, big5, utf-16); "
            "force an encoding if you know it",
            path or None,
        )
    if "big5" in candidates and len(candidates) > 1 and _reads_as_big5(b"".join(rest)):
        return "big5"
    return candidates[0]


def _reads_as_big5(data: bytes) -> bool:
    """GB18030 decodes almost any byte string, so when Big5 also decodes, let charset-normalizer
    judge which reading is more plausible text."""
    best = from_bytes(data[: 4 * 65536], cp_isolation=["gb18030", "big5"]).best()
    return best is not None and best.encoding in {"big5", "big5hkscs", "cp950"}


def sniff_text_format(text: str) -> str:
    """Tell JSON, JSONL, SQL dumps and delimited text apart by the shape of their content."""
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith(("[", "{")):
        lines = [ln for ln in body.splitlines()[:5] if ln.strip()]
        complete = lines[:-1] if len(lines) > 1 else lines
        if len(lines) > 1 and all(_is_json_object(ln) for ln in complete):
            return "jsonl"
        return "json"
    first = next((ln for ln in body.splitlines() if ln.strip()), "")
    if _SQL_START.match(first) and _SQL_DATA.search(body):
        return "sql"
    from ._csv import sniff_dialect  # local: _csv imports this module

    return sniff_dialect(text).format


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def format_mismatch(path: str, content_format: str) -> str | None:
    """A note when the file name claims a different format than the content shows."""
    claimed = EXTENSION_FORMATS.get(Path(path).suffix.lower())
    if claimed is None or claimed == content_format:
        return None
    if claimed in _TEXT_FAMILY and content_format in _TEXT_FAMILY:
        return None
    return (
        f"named {Path(path).suffix} but the content is {content_format}; read as {content_format}"
    )


@dataclass
class HashResult:
    """SHA-256 and size, plus the first line longer than the cell limit (text files only)."""

    sha256: str
    size: int
    long_line: int | None


def sha256_file(path: Path, *, long_line_limit: int | None = None) -> HashResult:
    """Hash a file in 1 MiB chunks; optionally find the first line longer than a limit.

    The line check rides along with hashing so that a 100 MB cell in a CSV is refused before any
    reader allocates it. It only sees lines that span chunk boundaries, which is exact whenever
    the limit is at least one chunk; readers re-check cell sizes per batch anyway. Only the
    offset of the line's start is kept while hashing; its number is counted afterwards, and
    only when there is such a line.
    """
    digest = hashlib.sha256()
    size = 0
    run = 0
    line_start = 0  # offset of the first byte after the last line feed seen
    long_start: int | None = None
    with path.open("rb") as fh:
        while chunk := fh.read(MiB):
            digest.update(chunk)
            offset, size = size, size + len(chunk)
            if long_line_limit is None or long_start is not None:
                continue
            first = chunk.find(b"\n")
            run += len(chunk) if first == -1 else first
            if run > long_line_limit:
                long_start = line_start
                continue
            if first != -1:
                last = chunk.rfind(b"\n")
                line_start = offset + last + 1
                run = len(chunk) - last - 1
    long_line = None if long_start is None else _line_number(path, long_start)
    return HashResult(digest.hexdigest(), size, long_line)


def _line_number(path: Path, offset: int) -> int:
    """The 1-based number of the line starting at byte ``offset``."""
    lines = 1
    with path.open("rb") as fh:
        while offset > 0 and (chunk := fh.read(min(MiB, offset))):
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines
