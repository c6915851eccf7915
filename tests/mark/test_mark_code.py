"""The keyed Tardos code and its decoder: exact biases, independent bits, a valid tail bound."""

from __future__ import annotations

import math

import numpy as np

from leaktrace.mark import code

KEY = bytes(range(32))


def _tokens(n: int) -> np.ndarray:
    return code.record_tokens(KEY, [f"id:{i}" for i in range(n)])


def test_biases_stay_inside_the_cutoff_and_follow_the_arcsine_law() -> None:
    p = code.biases(KEY, _tokens(20_000), code.CodeParams(cutoff=0.01))
    assert p.min() >= 0.01 - 1e-9 and p.max() <= 0.99 + 1e-9
    assert abs(p.mean() - 0.5) < 0.01
    # arcsine: about 2/pi * asin(sqrt(0.1)) - correction of the cutoff below 0.1
    share = (p < 0.1).mean()
    expected = (math.asin(math.sqrt(0.1)) - math.asin(0.1)) / (math.pi / 2 - 2 * math.asin(0.1))
    assert abs(share - expected) < 0.01


def test_bits_are_keyed_by_distribution_and_have_the_bias_as_mean() -> None:
    tokens = _tokens(20_000)
    p = code.biases(KEY, tokens, code.CodeParams())
    a = code.bits(KEY, b"a" * 16, tokens, p)
    b = code.bits(KEY, b"b" * 16, tokens, p)
    assert (a == code.bits(KEY, b"a" * 16, tokens, p)).all()
    assert 0.45 < (a == b).mean() < 0.8
    assert abs(a.mean() - p.mean()) < 0.01
    assert (a[p[:, 0] < 0.05, 0]).mean() < 0.06


def test_tail_bound_is_never_exceeded_by_innocent_recipients() -> None:
    rng = np.random.default_rng(3)
    m, n = 300, 4_000
    p = np.sin(rng.uniform(0.1, math.pi / 2 - 0.1, m)) ** 2
    y = rng.random(m) < p
    x = rng.random((n, m)) < p
    _, log_p, _ = code.decode(x, y, p, np.ones_like(x))
    for alpha in (0.2, 0.05, 0.01):
        assert (log_p <= math.log(alpha)).mean() <= alpha


def test_decoder_counts_only_positions_a_recipient_could_show() -> None:
    p = np.full(4, 0.5)
    y = np.array([True, True, False, False])
    x = np.array([[True, True, False, False], [True, True, False, False]])
    avail = np.array([[True, True, True, True], [True, False, False, False]])
    scores, log_p, agree = code.decode(x, y, p, avail)
    assert scores.tolist() == [4.0, 1.0]
    assert agree.sum(axis=1).tolist() == [4, 1]
    assert log_p[0] < log_p[1] <= 0


def test_symmetric_tardos_length_matches_the_formula() -> None:
    assert round(code.tardos_length(3, 1_000, 1e-6)) == 920
    assert round(code.tardos_length(1, 1_000, 1e-6)) == 102
