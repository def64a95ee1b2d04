"""Speed of the mean-field theory: one loss curve (100 log-spaced times) against a 16-seed simulation.

The target of issue 4: one curve of 100 log-spaced times for a power law with M = 1e4
in at most 1 s on 2 cores. For each problem the script times `predict` (best of
``--repeats`` runs after one warm-up, so imports are not counted) and one 16-seed
`simulate` of the same problem and times, and reports the ratio. It also splits the
theory time into the response solve and the correlation sums, and times M = 1e7 and
M = inf (compressed mode sums).

    python benchmarks/bench_theory_speed.py [--repeats 5] [--seeds 16]
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
from _machine import write_result

from scaling_dynamics import Spectrum, predict, simulate


def best_time(fn, repeats: int) -> tuple[float, object]:
    fn()  # warm-up
    best, out = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def split(spec, N, P, times, repeats: int = 3):
    """Seconds in the response solve and in the correlation sums (best of ``repeats``)."""
    from scaling_dynamics._blas import small_products
    from scaling_dynamics.theory._correlations import diagonal_correlations, solve_on_rule
    from scaling_dynamics.theory._inversion import talbot_rule
    from scaling_dynamics.theory._modesums import mode_set

    rule = talbot_rule(times, 18)
    ms = mode_set(spec, min_scale=float(np.abs(rule.nodes).min()))
    best_resp = best_sums = math.inf
    for _ in range(repeats):
        with small_products(ms.n_nodes):  # as predict does
            t0 = time.perf_counter()
            resp = solve_on_rule(ms, N, P, rule)
            t1 = time.perf_counter()
            diagonal_correlations(ms, N, P, spec.sigma, rule, resp)
            t2 = time.perf_counter()
        best_resp, best_sums = min(best_resp, t1 - t0), min(best_sums, t2 - t1)
    return best_resp, best_sums, ms.n_nodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=16)
    args = parser.parse_args()
    times = np.geomspace(1e-2, 1e6, 100)
    rows = []
    problems = [
        (1e4, 1000, 2000, 0.0),
        (1e4, 2000, 1000, 0.5),
        (1e4, 1000, math.inf, 0.0),
        (1e4, 1500, 1500, 0.5),
    ]
    for M, N, P, sigma in problems:
        spec = Spectrum.power_law(1.5, 1.25, int(M), sigma=sigma)
        t_theory, curves = best_time(
            lambda spec=spec, N=N, P=P: predict(spec, N, P, times), args.repeats
        )
        resp_s, sums_s, nodes = split(spec, N, P, times)
        start = time.perf_counter()
        simulate(spec, N, P, times, n_seeds=args.seeds, seed=0, progress=False)
        t_sim = time.perf_counter() - start
        rows.append(
            f"| {int(M)} | {N} | {P} | {sigma} | {nodes} | {t_theory:.3f} | {resp_s:.3f} | "
            f"{sums_s:.3f} | {t_sim:.1f} | {t_sim / t_theory:.0f} |"
        )
        print(rows[-1], flush=True)
    big = []
    for M in (10**7, math.inf):
        spec = Spectrum.power_law(1.5, 1.25, M)
        t_theory, curves = best_time(
            lambda spec=spec: predict(spec, 1000, 2000, times), args.repeats
        )
        m_text = "inf" if math.isinf(M) else f"{M:.0e}"
        big.append(f"| {m_text} | 1000 | 2000 | {curves.diagnostics['n_mode_nodes']} | "
                   f"{t_theory:.3f} |")
        print(big[-1], flush=True)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default (all cores)")
    body = (
        "One theory curve = `predict` at 100 log-spaced times from 1e-2 to 1e6 (18 Talbot "
        "nodes per variable), best of "
        f"{args.repeats} after a warm-up; simulation = one `simulate` call with "
        f"{args.seeds} seeds at the same times (exact eigenbasis route). Power law a = 1.5, "
        f"b = 1.25. BLAS threads: {threads} (the theory itself runs its small products on "
        "one thread when threadpoolctl is installed, as here). `nodes` = mode nodes after compression "
        "(M = 1e4 > 2048 is compressed by default); `responses` and `sums` split one "
        "theory call.\n\n"
        "| M | N | P | sigma | nodes | theory s | responses s | sums s | simulation s "
        f"({args.seeds} seeds) | ratio sim / theory |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "Huge and infinite spectra (compressed mode sums), same 100 times:\n\n"
        "| M | N | P | nodes | theory s |\n|---|---|---|---|---|\n" + "\n".join(big) + "\n"
    )
    path = write_result("theory_speed", "Theory speed: one curve of 100 times", body)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
