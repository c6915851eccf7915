"""The keyed Tardos code shared by ``mark`` (which writes it) and ``trace`` (which reads it).

Every *position* is one (record, slot) pair: a slot is one independent place a mark can sit in a
row (the building word, the 室 suffix, the area's last digit, ...) or, for a honey record, the
fact of being in an export at all. Each position ``i`` has a secret bias ``p_i`` drawn from the
Tardos arcsine density on ``[t, 1 - t]``; each distribution ``j`` has the secret bit
``x_ji ~ Bernoulli(p_i)``. Both come from keyed BLAKE2b (a PRF) over a 16-byte record *token*,
itself a keyed hash of the record's identity, so the same record gets the same bits whatever
subset or order of rows it is exported in, and nobody without the key can predict a bit.

The symmetric Tardos score (Škorić, Katzenbeisser, Celik 2008) of distribution ``j`` for a leaked
symbol ``y_i`` is ``sqrt((1-q)/q)`` when ``x_ji == y_i`` and ``-sqrt(q/(1-q))`` otherwise, with
``q = P(x = y_i) = p_i`` or ``1 - p_i``. For a recipient whose bits the leak did not depend on,
the terms are independent given the biases, with mean 0 and variance 1, and their exact
two-point distribution is known, which is what `chernoff_log_bound` uses.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SLOTS = (
    "building",
    "room",
    "area",
    "date",
    "address_building",
    "address_room",
    "unit",
    "honey",
)
"""The eight slots, in the order of the 32-bit words of one PRF output."""

SLOT_INDEX = {name: i for i, name in enumerate(SLOTS)}
HONEY_SLOT = SLOT_INDEX["honey"]
TOKEN_BYTES = 16
_TWO32 = float(1 << 32)

U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CodeParams:
    """Parameters of one registry's code; stored in the registry so trace reads what mark wrote.

    ``cutoff`` is Tardos' ``t``: biases stay in ``[t, 1 - t]`` so that no score term exceeds
    ``sqrt((1 - t) / t)``. ``design_colluders`` is the coalition size ``c`` the cutoff was chosen
    for (Tardos' ``t = 1/(300 c)`` is for the asymmetric code; the symmetric score tolerates a
    larger ``t``, which keeps terms small and the Chernoff bound tight).
    """

    cutoff: float = 0.01
    design_colluders: int = 3
    version: int = 1


def record_tokens(key: bytes, identities: Sequence[str]) -> U8:
    """Keyed 16-byte tokens of record identities, shape ``(n, 16)``.

    The identity is whatever names a record stably (its normalised ID number, phone, ...); the
    token is all the registry keeps of it.
    """
    base = hashlib.blake2b(key=key, digest_size=TOKEN_BYTES, person=b"lt-token")
    parts = []
    for ident in identities:
        h = base.copy()
        h.update(ident.encode("utf-8"))
        parts.append(h.digest())
    return _as_rows(b"".join(parts), TOKEN_BYTES, len(parts))


def biases(key: bytes, tokens: U8, params: CodeParams) -> F64:
    """Bias ``p`` of every position: shape ``(n_records, len(SLOTS))``, exact multiples of 2^-32."""
    words = _prf_words(key, b"lt-bias", b"", tokens)
    u = words.astype(np.float64) / _TWO32
    r_t = math.asin(math.sqrt(params.cutoff))
    r = r_t + u * (math.pi / 2 - 2 * r_t)
    p = np.sin(r) ** 2
    # Quantise so that P(word < threshold) is exactly threshold / 2^32 = p.
    return np.asarray(np.floor(p * _TWO32) / _TWO32, dtype=np.float64)


def bits(key: bytes, distribution_uid: bytes, tokens: U8, p: F64) -> B:
    """Distribution ``distribution_uid``'s secret bits for the given records, like ``p``."""
    words = _prf_words(key, b"lt-bit", distribution_uid, tokens)
    thresholds = p * _TWO32
    return np.asarray(words.astype(np.float64) < thresholds, dtype=np.bool_)


def _prf_words(key: bytes, person: bytes, prefix: bytes, tokens: U8) -> npt.NDArray[np.uint32]:
    base = hashlib.blake2b(key=key, digest_size=4 * len(SLOTS), person=person)
    base.update(prefix)
    parts = []
    for token in np.ascontiguousarray(tokens, dtype=np.uint8):
        h = base.copy()
        h.update(token.tobytes())
        parts.append(h.digest())
    raw = np.frombuffer(b"".join(parts), dtype="<u4")
    return raw.reshape(len(parts), len(SLOTS)).astype(np.uint32)


def _as_rows(raw: bytes, width: int, n: int) -> U8:
    return np.frombuffer(raw, dtype=np.uint8).reshape(n, width).copy()


# --- scoring -------------------------------------------------------------------------------

LAMBDAS: F64 = np.geomspace(1e-3, 4.0, 160)
"""The fixed grid of Chernoff exponents. Fixed before any score is seen, so the minimum over it is
a valid bound (see `chernoff_log_bound`)."""


def term_values(y: B, p: F64) -> tuple[F64, F64, F64]:
    """For leaked symbols ``y`` at positions with biases ``p``: ``(q, match, mismatch)``.

    ``q`` is the chance an independent recipient's bit equals ``y``; ``match`` and ``mismatch``
    are the two values the symmetric score term takes.
    """
    q = np.where(y, p, 1.0 - p)
    return q, np.sqrt((1.0 - q) / q), -np.sqrt(q / (1.0 - q))


def log_mgf(q: F64, match: F64, mismatch: F64, lambdas: F64 = LAMBDAS) -> F64:
    """``log E[exp(lambda U_i)]`` under independence, shape ``(n_positions, n_lambdas)``."""
    lam = lambdas[None, :]
    return np.asarray(
        np.logaddexp(
            np.log(q)[:, None] + lam * match[:, None],
            np.log1p(-q)[:, None] + lam * mismatch[:, None],
        ),
        dtype=np.float64,
    )


def chernoff_log_bound(scores: F64, cumulant: F64, lambdas: F64 = LAMBDAS) -> F64:
    """Natural log of an upper bound on ``P(S >= s)`` for an innocent recipient.

    ``cumulant[j, l]`` is ``sum_i log E[exp(lambdas[l] U_ji)]`` over recipient ``j``'s positions.
    For every fixed ``lambda``, Markov's inequality gives
    ``P(S >= s) <= exp(K(lambda) - lambda s)``;
    taking the minimum over a grid fixed in advance is still a valid bound, because the event
    "bound <= alpha" equals "S >= a threshold fixed by the biases and leaked symbols", whose
    probability the minimising ``lambda`` bounds by ``alpha``.
    """
    exponent = cumulant - scores[:, None] * lambdas[None, :]
    return np.asarray(np.minimum(exponent.min(axis=1), 0.0), dtype=np.float64)


def decode(x: B, y: B, p: F64, avail: B) -> tuple[F64, F64, B]:
    """The one decoder: scores, log tail bounds and agreements of every recipient.

    ``x[j, i]`` is recipient ``j``'s bit at position ``i``, ``y[i]`` the leaked symbol, ``p[i]``
    the position's bias, ``avail[j, i]`` whether ``j`` could have shown position ``i`` at all
    (erased for ``j`` otherwise). Returns ``(S_j, log bound on P(S >= S_j | j innocent),
    agree[j, i])``.
    """
    q, match, mismatch = term_values(y, p)
    same = x == y[None, :]
    agree = same & avail
    scores = (np.where(same, match[None, :], mismatch[None, :]) * avail).sum(axis=1)
    cumulant = avail.astype(np.float64) @ log_mgf(q, match, mismatch)
    return np.asarray(scores, dtype=np.float64), chernoff_log_bound(scores, cumulant), agree


def tardos_length(colluders: int, recipients: int, epsilon: float) -> float:
    """The symmetric Tardos sufficient code length ``(pi^2 / 2) c^2 ln(n / epsilon)``."""
    return (math.pi**2 / 2) * colluders**2 * math.log(recipients / epsilon)
