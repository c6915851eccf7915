"""Scoring every recipient of every matching master and deciding whom to accuse."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from leaktrace.mark import Distribution, Master, Registry, code, records
from leaktrace.mask import mask
from leaktrace.trace._match import merge_positions, observe

DEFAULT_EPSILON = 1e-6
DEFAULT_GUESS = 0.2
"""Papadimitriou & Garcia-Molina's ``p``: the chance the finder could have got a real record
without any recipient (from the public, another leak, ...). Honey records cannot be guessed."""


@dataclass
class EvidenceRow:
    """One leaked row that supports an accusation, with values masked."""

    row: int
    values: dict[str, str]
    marks_agreed: int
    marks_read: int
    honey: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "values": self.values,
            "marks_agreed": self.marks_agreed,
            "marks_read": self.marks_read,
            "honey_record": self.honey,
        }


@dataclass
class Score:
    """One distribution's standing: the Tardos score, its tail bound, and the guilt model."""

    recipient: str
    distribution: int
    master: str
    status: str
    score: float
    log_p: float
    bits_agreed: int
    bits_total: int
    honey_found: int
    guilt: float
    accused: bool = False
    evidence: list[EvidenceRow] = field(default_factory=list)
    _marks: Any = field(default=None, repr=False, compare=False)
    """(frames, positions, agree, avail): what `evidence` is drawn from once accused."""

    @property
    def p_value(self) -> float:
        """An upper bound on the chance an innocent recipient scores this high."""
        return math.exp(self.log_p)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "recipient": self.recipient,
            "distribution": self.distribution,
            "master": self.master,
            "status": self.status,
            "score": round(self.score, 3),
            "p_value": self.p_value,
            "log10_p_value": round(self.log_p / math.log(10), 2),
            "bits_agreed": self.bits_agreed,
            "bits_total": self.bits_total,
            "honey_records_found": self.honey_found,
            "guilt_probability": round(self.guilt, 4),
        }
        if self.accused:
            out["evidence"] = [e.to_json() for e in self.evidence]
        return out


@dataclass
class TraceResult:
    """What ``trace`` found: matches, accusations (bounded) and a ranking (not an accusation)."""

    leaked: str
    leaked_rows: int
    matched_rows: int
    honey_rows: int
    code_length: int
    recipients: int
    epsilon: float
    accused: list[Score]
    candidates: list[Score]
    masters: list[str]
    notes: list[str]

    @property
    def threshold(self) -> float:
        """The per-recipient p-value a recipient must reach to be accused: ``epsilon / n``."""
        return self.epsilon / max(self.recipients, 1)

    def to_json(self) -> dict[str, Any]:
        c = 3
        return {
            "leaked": self.leaked,
            "leaked_rows": self.leaked_rows,
            "matched_rows": self.matched_rows,
            "honey_rows": self.honey_rows,
            "masters": self.masters,
            "recipients_scored": self.recipients,
            "false_accusation_bound": self.epsilon,
            "per_recipient_threshold": self.threshold,
            "code_length": self.code_length,
            "tardos_length_c3": round(
                code.tardos_length(c, max(self.recipients, 1), self.epsilon), 1
            )
            if self.recipients
            else None,
            "accused": [s.to_json() for s in self.accused],
            "candidates": [s.to_json() for s in self.candidates],
            "candidates_are": "a ranking by the guilt model, not an accusation",
            "notes": self.notes,
        }


def trace(
    leaked: Path,
    registry: Registry,
    *,
    epsilon: float = DEFAULT_EPSILON,
    guess: float = DEFAULT_GUESS,
    top: int = 10,
    show_values: bool = False,
    progress: records.RowsDone | None = None,
) -> TraceResult:
    """Match ``leaked`` to the registry's masters, score every distribution, accuse by the bound.

    A distribution is accused only when the Chernoff bound on its score's tail under innocence is
    at most ``epsilon / n`` (``n`` = distributions scored), so the chance that anyone innocent is
    accused is at most ``epsilon`` (union bound). ``progress`` is told the rows read and each
    master matched and scored, for a progress display.
    """
    if not 0 < epsilon < 1:
        raise ValueError("epsilon must be between 0 and 1")
    tables = records.read_tables(leaked, progress)
    typed = [(t.frame, records.column_types(t.frame)) for t in tables]
    leaked_rows = sum(t.frame.height for t in tables)
    scores: list[Score] = []
    matched = honey_rows = length = 0
    used_masters: list[str] = []
    notes: list[str] = []
    for master in registry.masters():
        if progress is not None:
            progress(f"匹配母本 matching {master.name}", 0)
        dists = registry.distributions(master.id)
        found = _observe_all(typed, master, registry.key)
        if found is None:
            continue
        obs_rows, obs_index, positions, evidence_frames, erased = found
        matched += int(obs_rows)
        honey_rows += int((np.unique(obs_index) >= master.n_records).sum())
        used_masters.append(master.name)
        notes.extend(f"规范化抹去的标记 erased normalised marks: {e}" for e in erased)
        if not dists:
            continue
        length += positions.height
        if progress is not None:
            progress(f"比对 {len(dists)} 份分发 scoring {len(dists)} distribution(s)", 0)
        scores.extend(
            _score_master(registry, master, dists, positions, obs_index, guess, evidence_frames)
        )
    n = len(scores)
    threshold = math.log(epsilon) - math.log(max(n, 1))
    for s in scores:
        s.accused = s.log_p <= threshold
        if s.accused:
            frames, positions, agree, avail = s._marks
            s.evidence = _evidence(frames, positions, agree, avail, show_values)
        s._marks = None
    accused = sorted((s for s in scores if s.accused), key=lambda s: s.log_p)
    if length:
        ranked = sorted(scores, key=lambda s: (s.log_p, -s.guilt))[:top]
    else:
        ranked = sorted(scores, key=lambda s: (-s.guilt, s.log_p))[:top]
    guilts = {round(s.guilt, 6) for s in scores}
    if matched and len(guilts) == 1:
        notes.append(
            "每个接收方都收到了全部匹配的记录：分发无法区分他们 "
            "every recipient received every matched record: the allocation does not tell them apart"
        )
    if matched == 0:
        notes.append(
            "没有一行与已登记的母本匹配：此名单不是来自这些导出，不认定任何人 "
            "no row matches any registered master: this list is not from these exports; "
            "nobody is accused"
        )
    elif not accused:
        if length == 0:
            notes.append(
                "匹配的行中没有留下标记：候选人仅按分发模型排序 "
                "no marks survived in the matched rows: "
                "candidates are ranked by the guilt model only"
            )
        notes.append(
            "没有接收方达到认定门槛：候选人只是排序，不是认定 "
            "no recipient passes the accusation threshold: "
            "the candidates are a ranking, not an accusation"
        )
    return TraceResult(
        leaked=str(leaked),
        leaked_rows=leaked_rows,
        matched_rows=matched,
        honey_rows=honey_rows,
        code_length=length,
        recipients=n,
        epsilon=epsilon,
        accused=accused,
        candidates=ranked,
        masters=used_masters,
        notes=notes,
    )


def _observe_all(
    tables: list[tuple[pl.DataFrame, dict[str, str]]], master: Master, key: bytes
) -> (
    tuple[int, np.ndarray, pl.DataFrame, list[tuple[pl.DataFrame, dict[str, str]]], list[str]]
    | None
):
    n_rows = 0
    indexes = []
    parts = []
    frames = []
    erased: list[str] = []
    offset = 0
    for frame, types in tables:
        obs = observe(frame, types, master, key)
        if obs.rows.size:
            n_rows += int(obs.rows.size)
            indexes.append(obs.index)
            parts.append(obs.positions.with_columns(pl.col("row") + offset))
            erased.extend(obs.erased_columns)
        frames.append((frame, types))
        offset += frame.height
    if n_rows == 0:
        return None
    positions = merge_positions(pl.concat(parts, how="vertical"))
    return n_rows, np.concatenate(indexes), positions, frames, erased


def _score_master(
    registry: Registry,
    master: Master,
    dists: list[Distribution],
    positions: pl.DataFrame,
    obs_index: npt.NDArray[np.int64],
    guess: float,
    frames: list[tuple[pl.DataFrame, dict[str, str]]],
) -> list[Score]:
    key, params = registry.key, registry.params
    n_rec = master.n_records
    idx = positions["index"].to_numpy()
    slot = positions["slot"].to_numpy()
    y = positions["symbol"].to_numpy().astype(bool)
    tokens_all = np.concatenate([master.tokens, master.honey_tokens], axis=0)
    uniq, inv = np.unique(idx, return_inverse=True)
    tok = tokens_all[uniq]
    p_all = code.biases(key, tok, params)
    p = p_all[inv, slot]
    rec_bits = np.stack([d.records for d in dists])  # n x N
    honey_bits = (
        np.stack([d.honey for d in dists])
        if master.honey_tokens.shape[0]
        else np.zeros((len(dists), 0), bool)
    )
    is_honey_pos = slot == code.HONEY_SLOT
    is_honey_rec = idx >= n_rec
    has = np.concatenate([rec_bits, honey_bits], axis=1)[:, idx]  # did j receive this record at all
    x = np.empty((len(dists), idx.size), dtype=bool)
    for j, d in enumerate(dists):
        bits = code.bits(key, bytes.fromhex(d.uid), tok, p_all)
        x[j] = bits[inv, slot]
    # The honey slot's bit is membership as stored (after eligibility and the 1% cap, which only
    # ever remove honey: the score can only fall, so the bound still holds).
    x[:, is_honey_pos] = has[:, is_honey_pos]
    avail = np.where(is_honey_pos[None, :], True, has)
    s, log_p, agree = code.decode(x, y, p, avail)

    guilt = _guilt(np.unique(obs_index), rec_bits, honey_bits, n_rec, guess)
    out = []
    for j, d in enumerate(dists):
        score = Score(
            recipient=d.recipient,
            distribution=d.id,
            master=master.name,
            status=d.status,
            score=float(s[j]),
            log_p=float(log_p[j]),
            bits_agreed=int(agree[j].sum()),
            bits_total=int(avail[j].sum()),
            honey_found=int((has[j] & is_honey_pos & is_honey_rec).sum()),
            guilt=float(guilt[j]),
        )
        out.append(score)
    for j, score in enumerate(out):
        score._marks = (frames, positions, agree[j], avail[j])
    return out


def _guilt(
    leaked_index: npt.NDArray[np.int64],
    rec_bits: np.ndarray,
    honey_bits: np.ndarray,
    n_rec: int,
    guess: float,
) -> npt.NDArray[np.float64]:
    """Papadimitriou & Garcia-Molina's ``Pr{G_i | S} = 1 - prod_t (1 - (1 - p) / |V_t|)`` over
    the leaked records ``t`` agent ``i`` received, ``V_t`` being the agents who received ``t``."""
    real = leaked_index[leaked_index < n_rec]
    honey = leaked_index[leaked_index >= n_rec] - n_rec
    got = np.concatenate([rec_bits[:, real], honey_bits[:, honey]], axis=1)
    p = np.concatenate([np.full(real.size, guess), np.zeros(honey.size)])
    holders = got.sum(axis=0)
    share = np.where(holders > 0, (1 - p) / np.maximum(holders, 1), 0.0)
    log_keep = np.log1p(-np.minimum(share, 1 - 1e-15))
    return np.asarray(1 - np.exp(got.astype(np.float64) @ log_keep), dtype=np.float64)


def _evidence(
    frames: list[tuple[pl.DataFrame, dict[str, str]]],
    positions: pl.DataFrame,
    agree: np.ndarray,
    avail: np.ndarray,
    show_values: bool,
    limit: int = 10,
) -> list[EvidenceRow]:
    per = positions.with_columns(
        pl.Series("agree", agree),
        pl.Series("avail", avail),
        (pl.col("slot") == code.HONEY_SLOT).alias("honey"),
    ).filter(pl.col("avail"))
    rows = (
        per.group_by("row")
        .agg(pl.col("agree").sum(), pl.len().alias("read"), pl.col("honey").any())
        .sort(["honey", "agree", "row"], descending=[True, True, False])
        .head(limit)
    )
    combined = (
        pl.concat([f for f, _ in frames], how="diagonal_relaxed") if frames else pl.DataFrame()
    )
    types = records.column_types(combined) if combined.height else {}
    out = []
    for r in rows.iter_rows(named=True):
        row = int(r["row"])
        values = {
            t: mask(combined[c][row], t, show=show_values)
            for c, t in types.items()
            if t in ("name", "mobile", "room")
            and row < combined.height
            and combined[c][row] is not None
        }
        out.append(EvidenceRow(row + 1, values, int(r["agree"]), int(r["read"]), bool(r["honey"])))
    return out
