"""Signed manifests: proof that a report and its evidence are what the examiner produced.

``leaktrace key init`` makes the examiner's Ed25519 key (``cryptography``), the private half in a
file only its owner may read (0600). ``leaktrace report`` then writes, beside each report, a
manifest (``report.html.manifest.json``) that lists every file the command wrote and every
evidence file it read, each with its SHA-256 and size, together with the examiner, the case
number, the handling unit and the time (Beijing time), and signs that list. ``leaktrace verify``
checks the signature and re-hashes every file it lists: any changed byte of the report, any
evidence file altered or missing, or a signature that does not match, and verification fails,
naming what changed.

The signature says which key signed: the manifest carries the public key and its fingerprint
(``SHA256:…``, as OpenSSH prints one), which the examiner publishes or files with the case, so
that a reader can check it is theirs (``leaktrace verify --key examiner.pub`` insists on it).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from leaktrace.errors import LeakTraceError, UsageError

KEY_ENV = "LEAKTRACE_EXAMINER_KEY"
"""Where the examiner's private key is, when not at :func:`default_key_path`."""

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_SCHEMA = "leaktrace.manifest/1"
BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
"""Times in reports and manifests: UTC+8, China Standard Time, stated as such."""


class SigningError(LeakTraceError):
    """A missing, unreadable or unsafe key, or a manifest that cannot be read."""


def default_key_path() -> Path:
    """``$LEAKTRACE_EXAMINER_KEY``, else ``$XDG_CONFIG_HOME/leaktrace/examiner.key``
    (``~/.config/leaktrace/examiner.key``)."""
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "leaktrace" / "examiner.key"


def public_key_path(key_path: Path) -> Path:
    """The public half's file beside the private key: ``examiner.key`` → ``examiner.pub``."""
    return key_path.with_suffix(".pub")


def init_key(path: Path | None = None) -> tuple[Path, Path, str]:
    """Create a new Ed25519 key: the private key (PEM, mode 0600) at ``path`` and the public key
    beside it; refuse to overwrite either. Returns both paths and the fingerprint."""
    path = path or default_key_path()
    public = public_key_path(path)
    for existing in (path, public):
        if existing.exists():
            raise UsageError(
                "密钥文件已存在，不会覆盖 a key is already there; it is never overwritten",
                str(existing),
            )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(
            "密钥文件已存在，不会覆盖 a key is already there; it is never overwritten", str(path)
        ) from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(path, 0o600)  # whatever the umask
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path, public, fingerprint(key.public_key())


def load_key(path: Path | None = None) -> Ed25519PrivateKey:
    """The examiner's private key; refuse a missing key or one others may read."""
    path = path or default_key_path()
    if not path.is_file():
        raise SigningError(
            "no examiner key: create one with `leaktrace key init` (or give --key)", str(path)
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        reason = f"key file is readable by others (mode {mode:o}); chmod 600 it"
        raise SigningError(reason, str(path))
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"not an unencrypted PEM private key ({exc})", str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError("not an Ed25519 key", str(path))
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key from its PEM file (``examiner.pub``)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningError(f"cannot read public key ({exc})", str(path)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError("not an Ed25519 public key", str(path))
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """``SHA256:`` and the unpadded base64 of the SHA-256 of the raw 32-byte public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def manifest_path(report_path: Path) -> Path:
    """The manifest beside a report: ``report.html`` → ``report.html.manifest.json``."""
    return report_path.with_name(report_path.name + MANIFEST_SUFFIX)


def file_entry(path: Path, shown: str) -> dict[str, Any]:
    """``{"path", "sha256", "size"}`` of a file, hashed in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return {"path": shown, "sha256": digest.hexdigest(), "size": size}


def now_beijing() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone(BEIJING).replace(microsecond=0)


def write_manifest(
    target: Path,
    outputs: list[Path],
    evidence: list[dict[str, Any]],
    case_dir: Path,
    *,
    key: Ed25519PrivateKey | None,
    examiner: dict[str, str | None],
) -> Path:
    """Write the manifest of ``outputs`` (files beside ``target``) and ``evidence`` (entries
    with case-relative ``path``, ``sha256``, ``size`` and ``item``), signed with ``key``.

    Without a key the manifest is written unsigned, and ``verify`` says so and fails.
    """
    body: dict[str, Any] = {
        "schema": MANIFEST_SCHEMA,
        "signed_at": now_beijing().isoformat(),
        "examiner": examiner,
        "case_dir": os.path.relpath(case_dir.resolve(), target.parent.resolve()),
        "outputs": [file_entry(p, p.name) for p in outputs],
        "evidence": evidence,
    }
    document: dict[str, Any] = {"manifest": body, "signature": None}
    if key is not None:
        public = key.public_key()
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        body["key"] = {
            "algorithm": "Ed25519",
            "public_key": base64.b64encode(raw).decode(),
            "fingerprint": fingerprint(public),
        }
        document["signature"] = base64.b64encode(key.sign(_canonical(body))).decode()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


def _canonical(body: dict[str, Any]) -> bytes:
    """The bytes signed: the manifest as JSON with sorted keys and no spaces, UTF-8."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def read_manifest(path: Path) -> dict[str, Any]:
    """The parsed manifest document; one-line error if it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SigningError(f"not a LeakTrace manifest ({exc})", str(path)) from None
    body = document.get("manifest") if isinstance(document, dict) else None
    if not isinstance(body, dict) or body.get("schema") != MANIFEST_SCHEMA:
        raise SigningError("not a LeakTrace manifest", str(path))
    return document


def written_by(manifest: Path) -> set[str]:
    """Names of the files an earlier report's manifest lists as its own outputs (empty if none)."""
    if not manifest.is_file():
        return set()
    try:
        body = read_manifest(manifest)["manifest"]
        return {o["path"] for o in body.get("outputs", [])} | {manifest.name}
    except (SigningError, KeyError, TypeError):
        return set()


@dataclass
class Verification:
    """What ``verify`` found for one manifest: ``ok`` only if the signature holds and every
    listed file is unchanged."""

    manifest: Path
    signed: bool = False
    signature_ok: bool = False
    fingerprint: str | None = None
    examiner: dict[str, Any] = field(default_factory=dict)
    signed_at: str | None = None
    outputs: int = 0
    evidence: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signed and self.signature_ok and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "manifest": str(self.manifest),
            "ok": self.ok,
            "signed": self.signed,
            "signature_ok": self.signature_ok,
            "fingerprint": self.fingerprint,
            "examiner": self.examiner,
            "signed_at": self.signed_at,
            "outputs": self.outputs,
            "evidence": self.evidence,
            "problems": self.problems,
        }


def manifests_of(target: Path) -> list[Path]:
    """The manifests ``target`` names: itself, a report's manifest, or all in a folder."""
    if target.is_dir():
        found = sorted(target.glob("*" + MANIFEST_SUFFIX))
        if not found:
            raise SigningError("no signed manifest (*.manifest.json) in this folder", str(target))
        return found
    if target.name.endswith(MANIFEST_SUFFIX):
        if not target.is_file():
            raise SigningError("no such manifest", str(target))
        return [target]
    beside = manifest_path(target)
    if beside.is_file():
        return [beside]
    raise SigningError(f"no manifest beside the report (looked for {beside.name})", str(target))


def verify(
    manifest: Path, *, case_dir: Path | None = None, public_key: Path | None = None
) -> Verification:
    """Check the signature of ``manifest`` and re-hash every file it lists.

    ``case_dir`` overrides where the evidence is looked for (by default the case folder the
    manifest recorded, relative to it); ``public_key`` insists on that examiner's key.
    """
    document = read_manifest(manifest)
    body: dict[str, Any] = document["manifest"]
    result = Verification(manifest)
    result.examiner = body.get("examiner") or {}
    result.signed_at = body.get("signed_at")
    key_info = body.get("key")
    signature = document.get("signature")
    if not key_info or not signature:
        result.problems.append("the manifest is not signed")
    else:
        result.signed = True
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_info["public_key"]))
            result.fingerprint = fingerprint(key)
            key.verify(base64.b64decode(signature), _canonical(body))
            result.signature_ok = True
        except (InvalidSignature, ValueError, KeyError, TypeError):
            result.problems.append(
                "the signature does not match the manifest (the manifest was altered, or not "
                "signed by the key it names)"
            )
        if public_key is not None and result.fingerprint != fingerprint(
            load_public_key(public_key)
        ):
            result.problems.append(
                f"signed by key {result.fingerprint}, not by the given key {public_key}"
            )
    folder = manifest.parent
    for entry in body.get("outputs", []):
        result.outputs += 1
        _check(folder / entry["path"], entry, f"report file {entry['path']}", result)
    root = case_dir if case_dir is not None else folder / body.get("case_dir", ".")
    for entry in body.get("evidence", []):
        if entry.get("member_of"):
            continue  # a member of an archive: covered by the archive's own hash
        result.evidence += 1
        where = Path(entry["path"])
        path = where if where.is_absolute() else root / where
        label = f"检材 evidence {entry.get('item', '?')} ({entry['path']})"
        _check(path, entry, label, result)
    return result


def _check(path: Path, entry: dict[str, Any], label: str, result: Verification) -> None:
    if not path.is_file():
        result.problems.append(f"{label}: missing")
        return
    found = file_entry(path, entry["path"])
    if found["sha256"] != entry["sha256"]:
        result.problems.append(
            f"{label}: altered (SHA-256 {found['sha256'][:16]}…, signed {entry['sha256'][:16]}…)"
        )
