"""Writing one marked export: register, commit the distribution, then release the file."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from leaktrace.cells import csv_cell, csv_frame, write_row
from leaktrace.errors import InputError, UsageError
from leaktrace.ingest import sha256_file
from leaktrace.mark import code, records, variants
from leaktrace.mark._honey import make_honey
from leaktrace.mark._registry import Distribution, Master, Registry

WRITABLE = ("csv", "tsv", "txt", "xlsx")
HONEY_POOL_RATE = 0.016
"""Honey pool size as a share of the master: each export gets about half of it (0.8%)."""
HONEY_CAP = 0.01
"""No export carries more honey records than this share of its rows."""


@dataclass
class MarkResult:
    """What ``mark`` did: the distribution, the file, and what it says to the holder."""

    distribution_id: int
    uid: str
    recipient: str
    master: str
    out: Path
    sha256: str
    rows: int
    honey: int
    variants: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "distribution": self.distribution_id,
            "uid": self.uid,
            "recipient": self.recipient,
            "master": self.master,
            "out": str(self.out),
            "sha256": self.sha256,
            "rows": self.rows,
            "honey_records": self.honey,
            "variants": [{"column": c, "kind": k} for c, k in self.variants],
            "notes": self.notes,
        }


def mark_export(
    master_path: Path,
    *,
    recipient: str,
    registry: Registry,
    out: Path,
    vary: Sequence[tuple[str, str]] | None = None,
    where: Sequence[tuple[str, str]] = (),
    trap_pool: Path | None = None,
    uid: bytes | None = None,
    progress: records.RowsDone | None = None,
) -> MarkResult:
    """Write ``recipient``'s marked export of ``master_path`` to ``out``.

    ``uid`` fixes the distribution's 16-byte id, which with the key decides every mark; leave it
    unset (16 random bytes) for real exports. A fixed one is only for synthetic cases that must
    come out the same on every run, like ``leaktrace demo``.

    The distribution is committed (as ``incomplete``) before the file is written; the file is
    written to a temporary name and renamed into place, and only then is the distribution marked
    ``released``. An interruption leaves either no file or a record saying what was released.
    ``progress`` is told each step and the rows read, for a progress display.
    """
    if not recipient.strip():
        raise UsageError("--recipient 不能为空 --recipient must not be empty")
    if out.exists():
        raise UsageError(
            "输出文件已存在，请另选 --out output file already exists; choose another --out",
            str(out),
        )
    exporter = Exporter.open(
        master_path, registry, vary=vary, trap_pool=trap_pool, progress=progress
    )
    is_xlsx = exporter.master.format == "xlsx"
    if is_xlsx != (out.suffix.lower() == ".xlsx"):
        wanted = ".xlsx" if is_xlsx else ".csv (or the master's own suffix)"
        raise UsageError(
            f"导出文件与母本格式相同，请用 {wanted.split()[0]} "
            f"the export is written in the master's format: use {wanted}",
            str(out),
        )
    _step(progress, "登记分发 recording the distribution")
    dist = exporter.distribute(recipient, where=where, out_path=str(out), uid=uid)
    _step(progress, "写出标记副本 writing the marked export")
    return exporter.write(dist, out)


def _step(progress: records.RowsDone | None, label: str) -> None:
    if progress is not None:
        progress(label, 0)


@dataclass
class Exporter:
    """A registered master ready to be exported: commit distributions, render and write them.

    `mark_export` is the one-call use; a benchmark or a batch job that hands the same master to
    many recipients opens it once and calls `distribute` for each.
    """

    registry: Registry
    master: Master
    frame: pl.DataFrame
    notes: list[str]

    @classmethod
    def open(
        cls,
        master_path: Path,
        registry: Registry,
        *,
        vary: Sequence[tuple[str, str]] | None = None,
        trap_pool: Path | None = None,
        progress: records.RowsDone | None = None,
    ) -> Exporter:
        """Read ``master_path`` and register it (records, honey pool, marks) if it is new."""
        table = records.read_tables(master_path, progress)[0]
        fmt = table.evidence.format
        if fmt not in WRITABLE:
            raise UsageError(
                f"mark 只写 CSV 或 XLSX，此母本为 {fmt} "
                f"mark writes CSV or XLSX; this master is {fmt}",
                str(master_path),
            )
        pool = _read_pool(trap_pool) if trap_pool else []
        master = registry.find_master(table.evidence.sha256)
        notes: list[str] = []
        if master is None:
            _step(progress, "登记母本 registering the master")
            master = _register(registry, table, vary, pool, master_path)
            notes.append(
                f"已登记母本 {master.name}（{master.n_records} 条记录）"
                f"registered master {master.name} ({master.n_records} records)"
            )
        elif vary is not None and [tuple(v) for v in master.layout["variants"]] != [
            tuple(v) for v in vary
        ]:
            raise UsageError(
                "此母本已按其他 --vary 列登记 this master is registered with other --vary columns: "
                + ", ".join(f"{c}={k}" for c, k in master.layout["variants"]),
                str(master_path),
            )
        if master.honey_tokens.shape[0] == 0:
            notes.append(
                "没有蜜罐记录：母本没有房号或地址列 "
                "no honey records: the master has no room or address column"
            )
        elif not master.layout["has_contact"]:
            notes.append(
                "未给 --trap-pool：蜜罐记录不含电话或邮箱 "
                "no --trap-pool: honey records carry no phone or email"
            )
        return cls(registry, master, table.frame, notes)

    def distribute(
        self,
        recipient: str,
        *,
        where: Sequence[tuple[str, str]] = (),
        out_path: str = "",
        uid: bytes | None = None,
    ) -> Distribution:
        """Commit a new distribution (status ``incomplete``) of the rows ``where`` selects.

        ``uid`` is random unless given (see :func:`mark_export`).
        """
        reg, master = self.registry, self.master
        chosen = _where(self.frame, where)
        if uid is None:
            uid = os.urandom(16)
        elif len(uid) != 16:
            raise ValueError("a distribution id is 16 bytes")
        p_honey = code.biases(reg.key, master.honey_tokens, reg.params)
        honey_bits = code.bits(reg.key, uid, master.honey_tokens, p_honey)
        donors = np.asarray(master.layout["honey_donors"], dtype=np.int64)
        eligible = chosen[donors] if donors.size else np.zeros(0, dtype=bool)
        honey_in = _cap(honey_bits[:, code.HONEY_SLOT] & eligible, int(chosen.sum()))
        return reg.begin_distribution(
            recipient=recipient.strip(),
            master_id=master.id,
            out_path=out_path,
            params={"where": [list(w) for w in where], "trap_pool": master.layout["has_contact"]},
            records=chosen,
            honey=honey_in,
            uid=uid.hex(),
        )

    def render(self, dist: Distribution) -> pl.DataFrame:
        """The rows ``dist``'s recipient gets: its records and honey records, in its spellings."""
        reg, master, layout = self.registry, self.master, self.master.layout
        uid = bytes.fromhex(dist.uid)
        chosen = dist.records
        tokens = master.tokens[chosen]
        rec_bits = code.bits(reg.key, uid, tokens, code.biases(reg.key, tokens, reg.params))
        body = _apply_variants(
            self.frame.filter(pl.Series(chosen)), layout, rec_bits, _coin(tokens)
        )
        h_idx = np.flatnonzero(dist.honey)
        h_tokens = master.honey_tokens[h_idx]
        h_bits = code.bits(reg.key, uid, h_tokens, code.biases(reg.key, h_tokens, reg.params))
        honey_rows = _apply_variants(master.honey[h_idx.tolist()], layout, h_bits, _coin(h_tokens))
        return _interleave(body, honey_rows, seed=uid)

    def write(self, dist: Distribution, out: Path) -> MarkResult:
        """Render ``dist``, write it atomically to ``out``, then mark it ``released``."""
        export = self.render(dist)
        digest = _write_atomically(export, out, self.master.layout, self.master.format)
        n_honey = int(dist.honey.sum())
        self.registry.release(dist.id, sha256=digest, n_rows=export.height, n_honey=n_honey)
        return MarkResult(
            distribution_id=dist.id,
            uid=dist.uid,
            recipient=dist.recipient,
            master=self.master.name,
            out=out,
            sha256=digest,
            rows=export.height,
            honey=n_honey,
            variants=[(c, k) for c, k in self.master.layout["variants"]],
            notes=list(self.notes),
        )


def _coin(tokens: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """A per-record keyed coin (which way a ±1 change goes); the same for every recipient."""
    return (tokens[:, 0] & 1).astype(bool)


def _register(
    registry: Registry,
    table: records.ReadTable,
    vary: Sequence[tuple[str, str]] | None,
    pool: list[str],
    master_path: Path,
) -> Master:
    frame = table.frame
    types = records.column_types(frame)
    chosen_vary = list(vary) if vary is not None else _propose(frame.columns, types)
    for column, kind in chosen_vary:
        if column not in frame.columns:
            raise UsageError(
                f"--vary 所指的列 {column!r} 不存在 --vary names no column {column!r}",
                str(master_path),
            )
        if kind not in variants.KINDS:
            raise UsageError(
                f"--vary 的种类须为 {'、'.join(variants.KINDS)} 之一 "
                f"--vary kind must be one of {', '.join(variants.KINDS)}",
                kind,
            )
        if types.get(column) in ("name", "mobile", "cn_id", "email"):
            raise UsageError(
                f"列 {column!r} 是 {types[column]}，从不改动 "
                f"column {column!r} holds {types[column]}: it is never altered"
            )
    ids = records.identity_fields(frame, types)
    tokens = code.record_tokens(registry.key, records.identity_strings(ids))
    keys = np.stack(list(records.match_keys(registry.key, ids).values()), axis=1)
    n_honey = round(HONEY_POOL_RATE * frame.height)
    honey, donors = make_honey(
        frame,
        types=types,
        variants=chosen_vary,
        n=n_honey,
        seed=registry.key + table.evidence.sha256.encode(),
        pool=pool,
    )
    h_ids = records.identity_fields(honey, types)
    h_keys = np.stack(list(records.match_keys(registry.key, h_ids).values()), axis=1)
    # A honey record must not be mistaken for a real one: drop any whose keys a real record has.
    real = pl.Series(keys[keys != 0])
    clash = (
        pl.Series(h_keys.ravel()).is_in(real.implode()).to_numpy().reshape(h_keys.shape).any(axis=1)
        if h_keys.size
        else np.zeros(0, dtype=bool)
    )
    keep = ~clash
    honey, donors, h_keys = honey.filter(pl.Series(keep)), donors[keep], h_keys[keep]
    h_tokens = code.record_tokens(
        registry.key, [f"honey:{table.evidence.sha256}:{i}" for i in range(honey.height)]
    )
    delimiter = _delimiter(master_path, table.evidence.format)
    layout = {
        "columns": frame.columns,
        "types": types,
        "variants": [list(v) for v in chosen_vary],
        "encoding": table.evidence.encoding,
        "delimiter": delimiter,
        "sheet": table.table_name,
        "honey_donors": donors.tolist(),
        "has_contact": bool(pool),
        "keys": records.KEYS_VERSION,
    }
    return registry.add_master(
        sha256=table.evidence.sha256,
        name=master_path.name,
        fmt=table.evidence.format,
        layout=layout,
        tokens=tokens,
        keys=keys,
        honey_tokens=h_tokens,
        honey_keys=h_keys,
        honey=honey,
    )


def _propose(columns: Sequence[str], types: dict[str, str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for column in columns:
        if types.get(column) in ("name", "mobile", "cn_id", "email"):
            continue
        kind = variants.propose_kind(column) or {"room": "room", "address": "address"}.get(
            types.get(column, "")
        )
        if kind is not None and kind not in dict((k, c) for c, k in out):
            out.append((column, kind))
    return out


def _where(frame: pl.DataFrame, where: Sequence[tuple[str, str]]) -> npt.NDArray[np.bool_]:
    """Rows selected by ``--where COLUMN=VALUE`` (values of one column OR-ed, columns AND-ed)."""
    mask = np.ones(frame.height, dtype=bool)
    by_column: dict[str, list[str]] = {}
    for column, value in where:
        if column not in frame.columns:
            raise UsageError(
                f"--where 所指的列 {column!r} 不存在 --where names no column {column!r}"
            )
        by_column.setdefault(column, []).append(value)
    for column, values in by_column.items():
        mask &= frame[column].is_in(values).fill_null(False).to_numpy()
    if not mask.any():
        raise UsageError("--where 没有选中任何行 --where selects no rows")
    return mask


def _cap(honey_in: npt.NDArray[np.bool_], rows: int) -> npt.NDArray[np.bool_]:
    """Keep at most ``HONEY_CAP`` of the export as honey (dropping only removes marks)."""
    limit = int(HONEY_CAP * rows)
    idx = np.flatnonzero(honey_in)
    out = honey_in.copy()
    out[idx[limit:]] = False
    return out


def _apply_variants(
    frame: pl.DataFrame,
    layout: dict[str, Any],
    bits: npt.NDArray[np.bool_],
    coin: npt.NDArray[np.bool_],
) -> pl.DataFrame:
    if frame.height == 0:
        return frame
    changed = [
        variants.encode(kind, frame[column], bits, coin) for column, kind in layout["variants"]
    ]
    return frame.with_columns(changed) if changed else frame


def _interleave(body: pl.DataFrame, honey: pl.DataFrame, *, seed: bytes) -> pl.DataFrame:
    """Honey rows at keyed random places among the real ones, so their position says nothing."""
    if honey.height == 0:
        return body
    rng = np.random.default_rng(
        int.from_bytes(hashlib.sha256(b"place" + seed).digest()[:8], "little")
    )
    n = body.height + honey.height
    slots = np.sort(rng.choice(n, size=honey.height, replace=False))
    order = np.empty(n, dtype=np.int64)
    is_honey = np.zeros(n, dtype=bool)
    is_honey[slots] = True
    order[~is_honey] = np.arange(body.height)
    order[is_honey] = body.height + np.arange(honey.height)
    both = pl.concat([body, honey.select(body.columns)], how="vertical")
    return (
        both[order.tolist()]
        if n < 50_000
        else both.with_row_index("_i")
        .join(
            pl.DataFrame({"_i": order.astype(np.uint32), "_o": np.arange(n, dtype=np.int64)}),
            on="_i",
        )
        .sort("_o")
        .drop("_i", "_o")
    )


def _write_atomically(frame: pl.DataFrame, out: Path, layout: dict[str, Any], fmt: str) -> str:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            if fmt == "xlsx":
                _write_xlsx(frame, fh, str(layout.get("sheet") or "Sheet1"))
            else:
                fh.write(_csv_bytes(frame, layout))
            fh.flush()
            os.fsync(fh.fileno())
        digest = sha256_file(tmp)
        os.replace(tmp, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return digest


def _csv_bytes(frame: pl.DataFrame, layout: dict[str, Any]) -> bytes:
    safe = csv_frame(frame).rename({c: csv_cell(c) for c in frame.columns})
    text = safe.write_csv(separator=layout.get("delimiter") or ",")
    encoding = layout.get("encoding") or "utf-8"
    try:
        return text.encode(encoding)
    except LookupError:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"标记后的值无法用 {encoding} 写出 "
            f"a marked value cannot be written in {encoding}: {exc.reason}"
        ) from None


def _write_xlsx(frame: pl.DataFrame, fh: Any, sheet: str) -> None:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet(sheet[:31])
    write_row(ws, 0, frame.columns)
    for r, row in enumerate(frame.iter_rows(), start=1):
        write_row(ws, r, row)
    book.close()
    fh.write(buf.getvalue())


def _delimiter(path: Path, fmt: str) -> str | None:
    if fmt == "xlsx":
        return None
    if fmt == "tsv":
        return "\t"
    with path.open("rb") as fh:
        head = fh.read(4096)
    counts = {d: head.count(d.encode()) for d in (",", "\t", ";", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _read_pool(path: Path) -> list[str]:
    """The trap pool: one phone number or email the holder controls per line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取陷阱号码池 cannot read trap pool: {exc}", str(path)) from None
    values = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    phones = records.normalise(
        "mobile", pl.Series([v for v in values if "@" not in v], dtype=pl.String)
    )
    mails = [v.lower() for v in values if "@" in v]
    bad = phones.null_count()
    if bad:
        raise InputError(
            f"陷阱号码池有 {bad} 行既不是有效手机号也不是邮箱 "
            f"{bad} line(s) of the trap pool are neither a valid mobile nor an email",
            str(path),
        )
    return [*phones.to_list(), *mails]
