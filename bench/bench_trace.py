"""Benchmark of ``mark`` and ``trace`` against issue 4's targets. Prints JSON lines of figures.

    .venv/bin/python bench/bench_trace.py            # full: 100,000 owners, 1,000 recipients
    .venv/bin/python bench/bench_trace.py --owners 20000 --recipients 200 --trials 5 --quick

Steps (each prints one JSON line):
- ``setup``: register the master and ``--recipients`` distributions (the registry is real; only the
  leakers' exports are rendered, with `Exporter.render`, exactly what `mark` writes).
- ``cost``: honey share per export, time to mark ``--mark-rows`` rows (CSV, first and repeat
  export), time to trace an 800-row leak against every recipient.
- ``scenario``: per leak scenario, trials of: random leaker(s) -> `synth.leak` -> file -> `trace`;
  the share of trials where a guilty recipient is accused, innocents accused, marks read per row.
- ``innocent_e2e``: leaks made from exports of *unregistered* recipients (same key, same master)
  and the unmarked master itself, traced end to end: nobody may be accused.
- ``innocent_decoder``: ``--innocent`` more such trials at the decoder (`mark.code.decode`, the
  function `trace` uses) with the real registry's codes, 800 rows, the surviving marks measured in
  the "all" scenario: the number of trials with any accusation and the smallest innocent p-bound.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
import tempfile
import time
import warnings
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from _util import emit
from leaktrace.mark import Distribution, Exporter, Registry, code, mark_export
from leaktrace.synth.leak import SCENARIOS, LeakSpec, apply, owners, write_table
from leaktrace.synth.leak import read_export as read_table
from leaktrace.trace import trace

warnings.filterwarnings("ignore")
EPSILON = 1e-6


class Renders:
    """Exports of recipients, rendered on demand and kept for a while (they are large)."""

    def __init__(self, exporter: Exporter, dists: list[Distribution], keep: int = 24) -> None:
        self.exporter, self.dists, self.keep = exporter, dists, keep
        self.cache: OrderedDict[int, pl.DataFrame] = OrderedDict()

    def get(self, j: int) -> pl.DataFrame:
        if j in self.cache:
            self.cache.move_to_end(j)
            return self.cache[j]
        frame = self.exporter.render(self.dists[j])
        self.cache[j] = frame
        if len(self.cache) > self.keep:
            self.cache.popitem(last=False)
        return frame


def leak_file(frames: list[pl.DataFrame], spec: LeakSpec, out: Path, seed: int) -> Path:
    """`synth.leak.simulate`, starting from rendered exports instead of their files."""
    frame = apply(frames, spec, seed)
    if spec.excel_round_trip:
        tmp = out.with_suffix(".roundtrip.xlsx")
        write_table(frame, tmp)
        frame = read_table(tmp)
        tmp.unlink()
    return write_table(frame, out, encoding=spec.encoding)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--owners", type=int, default=100_000)
    ap.add_argument("--recipients", type=int, default=1_000)
    ap.add_argument("--trials", type=int, default=30, help="trials for the headline scenarios")
    ap.add_argument("--side-trials", type=int, default=8, help="trials per single transformation")
    ap.add_argument("--innocent", type=int, default=10_000)
    ap.add_argument("--innocent-e2e", type=int, default=20)
    ap.add_argument("--mark-rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="skip the 1M-row marking")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--steps",
        default="cost,scenarios,innocent",
        help="comma-separated steps after setup: cost, scenarios, innocent",
    )
    args = ap.parse_args()
    steps = set(args.steps.split(","))
    root = Path(tempfile.mkdtemp(prefix="bench-trace-"))
    try:
        run(args, steps, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(args: argparse.Namespace, steps: set[str], root: Path) -> None:
    """Set up the registry, then run the chosen steps."""
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    master_frame = owners(args.owners, seed=args.seed)
    master = write_table(master_frame, root / "owners.csv")
    t_gen = time.perf_counter() - t0
    reg = Registry.create(str(root / "registry.db"))
    t0 = time.perf_counter()
    exporter = Exporter.open(master, reg)
    t_register = time.perf_counter() - t0
    t0 = time.perf_counter()
    dists = [exporter.distribute(f"recipient-{j:04d}") for j in range(args.recipients)]
    t_distribute = time.perf_counter() - t0
    n = len(dists)
    emit(
        step="setup",
        owners=master_frame.height,
        recipients=n,
        honey_pool=int(exporter.master.honey_tokens.shape[0]),
        generate_s=round(t_gen, 1),
        register_master_s=round(t_register, 1),
        distribute_all_s=round(t_distribute, 1),
        code_cutoff=reg.params.cutoff,
        epsilon=EPSILON,
        per_recipient_threshold=EPSILON / n,
        tardos_length_c1=round(code.tardos_length(1, n, EPSILON)),
        tardos_length_c3=round(code.tardos_length(3, n, EPSILON)),
    )
    renders = Renders(exporter, dists)

    if "cost" in steps:
        cost_step(args, reg, renders, dists, root)
    if "scenarios" in steps:
        scenario_steps(args, reg, renders, dists, root, rng)
    if "innocent" in steps:
        innocent_e2e(args, reg, exporter, dists, master, root)
        emit(**innocent_decoder(reg, exporter, dists, args.innocent, args.seed))


def cost_step(
    args: argparse.Namespace,
    reg: Registry,
    renders: Renders,
    dists: list[Distribution],
    root: Path,
) -> None:
    """Honey share, marking time for ``--mark-rows`` rows, tracing time against everyone."""
    n = len(dists)
    shares = [float(d.honey.sum()) / float(d.records.sum()) for d in dists]
    leak = leak_file([renders.get(0)], SCENARIOS["all"], root / "cost-leak.csv", seed=1)
    t0 = time.perf_counter()
    result = trace(leak, reg, epsilon=EPSILON)
    t_trace = time.perf_counter() - t0
    cost = {
        "step": "cost",
        "honey_share_max": round(max(shares), 5),
        "honey_share_mean": round(sum(shares) / n, 5),
        "trace_800_rows_s": round(t_trace, 2),
        "trace_recipients": result.recipients,
    }
    if not args.quick:
        big = write_table(owners(args.mark_rows, seed=99, per_flat=None), root / "big.csv")
        big_reg = Registry.create(str(root / "big.db"))
        t0 = time.perf_counter()
        mark_export(big, recipient="a", registry=big_reg, out=root / "big-a.csv")
        cost["mark_first_1m_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        mark_export(big, recipient="b", registry=big_reg, out=root / "big-b.csv")
        cost["mark_repeat_1m_s"] = round(time.perf_counter() - t0, 1)
        cost["mark_rows"] = args.mark_rows
        for p in (big, root / "big-a.csv", root / "big-b.csv"):
            p.unlink()
    emit(**cost)


def scenario_steps(
    args: argparse.Namespace,
    reg: Registry,
    renders: Renders,
    dists: list[Distribution],
    root: Path,
    rng: random.Random,
) -> None:
    """Accusation rates per leak scenario, for single leakers and three colluders."""
    n = len(dists)
    plan: list[tuple[str, LeakSpec, int, int]] = [
        ("all-800", SCENARIOS["all"], 1, args.trials),
        ("all-300", replace(SCENARIOS["all"], rows=300), 1, args.trials),
        ("interleave-2000", SCENARIOS["interleave"], 3, args.trials),
        ("majority-2000", SCENARIOS["majority"], 3, args.trials),
        ("intersection-2000", SCENARIOS["intersection"], 3, args.trials),
    ]
    for name in ("subset", "columns", "reformat", "gbk", "excel", "mask", "foreign"):
        plan.append((name + "-800", SCENARIOS[name], 1, args.side_trials))
    pool = list(range(min(n, 40)))
    for name, spec, k, trials in plan:
        hits = innocents = 0
        bits_per_row: list[float] = []
        lengths: list[int] = []
        times: list[float] = []
        worst_innocent = 0.0
        guilty_log_p: list[float] = []
        for t in range(trials):
            guilty = rng.sample(pool, k)
            frames = [renders.get(j) for j in guilty]
            path = leak_file(frames, spec, root / f"leak-{name}-{t}.csv", seed=1000 + t)
            t0 = time.perf_counter()
            res = trace(path, reg, epsilon=EPSILON)
            times.append(time.perf_counter() - t0)
            accused = {s.distribution for s in res.accused}
            names = {dists[j].id for j in guilty}
            hits += bool(accused & names)
            innocents += bool(accused - names)
            bits_per_row.append(res.code_length / max(res.matched_rows, 1))
            lengths.append(res.code_length)
            best_guilty = [s.log_p for s in res.candidates if s.distribution in names]
            guilty_log_p.append(min(best_guilty) if best_guilty else 0.0)
            innocent_scores = [s.log_p for s in res.candidates if s.distribution not in names]
            if innocent_scores:
                worst_innocent = min(worst_innocent, min(innocent_scores))
            path.unlink()
        emit(
            step="scenario",
            scenario=name,
            colluders=k,
            trials=trials,
            guilty_accused_rate=round(hits / trials, 3),
            trials_with_innocent_accused=innocents,
            marks_per_matched_row=round(float(np.mean(bits_per_row)), 2),
            code_length_mean=round(float(np.mean(lengths))),
            smallest_innocent_log10_p=round(worst_innocent / math.log(10), 2),
            median_guilty_log10_p=round(float(np.median(guilty_log_p)) / math.log(10), 1),
            trace_s_mean=round(float(np.mean(times)), 2),
        )


def innocent_e2e(
    args: argparse.Namespace,
    reg: Registry,
    exporter: Exporter,
    dists: list[Distribution],
    master: Path,
    root: Path,
) -> None:
    """Leaks from unregistered recipients' exports and from the unmarked master, end to end."""
    accusations = 0
    for t in range(args.innocent_e2e):
        ghost = replace(dists[0], id=-1, uid=f"{t + 1:032x}", recipient="ghost")
        spec = SCENARIOS["all"] if t % 2 else SCENARIOS["subset"]
        frame = exporter.render(ghost)
        path = leak_file([frame], spec, root / f"ghost-{t}.csv", seed=t)
        accusations += bool(trace(path, reg, epsilon=EPSILON).accused)
    accusations += bool(trace(master, reg, epsilon=EPSILON).accused)
    emit(step="innocent_e2e", trials=args.innocent_e2e + 1, trials_with_accusation=accusations)


def innocent_decoder(
    reg: Registry, exporter: Exporter, dists: list[Distribution], trials: int, seed: int
) -> dict[str, object]:
    """``trials`` leaks of 800 rows by an unregistered recipient, scored against every code."""
    rng = np.random.default_rng(seed)
    master = exporter.master
    pool = rng.choice(master.n_records, size=min(20_000, master.n_records), replace=False)
    tokens = master.tokens[pool]
    p_all = code.biases(reg.key, tokens, reg.params)
    t0 = time.perf_counter()
    slots = [code.SLOT_INDEX["room"]]  # what survives "keep name, phone, room"
    bits = np.stack(
        [code.bits(reg.key, bytes.fromhex(d.uid), tokens, p_all)[:, slots[0]] for d in dists]
    )
    t_bits = time.perf_counter() - t0
    n = len(dists)
    threshold = math.log(EPSILON) - math.log(n)
    worst = 0.0
    accused_trials = 0
    for _ in range(trials):
        rows = rng.choice(pool.size, size=800, replace=False)
        p = p_all[rows, slots[0]]
        y = rng.random(800) < p  # an unregistered recipient's bits: Bernoulli(p), independent
        x = bits[:, rows]
        _, log_p, _ = code.decode(x, y, p, np.ones_like(x))
        worst = min(worst, float(log_p.min()))
        accused_trials += bool((log_p <= threshold).any())
    return {
        "step": "innocent_decoder",
        "trials": trials,
        "rows": 800,
        "recipients": n,
        "trials_with_accusation": accused_trials,
        "smallest_innocent_log10_p": round(worst / math.log(10), 2),
        "accusation_log10_threshold": round(threshold / math.log(10), 2),
        "code_bits_s": round(t_bits, 1),
    }


if __name__ == "__main__":
    main()
