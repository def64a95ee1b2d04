"""Theory against simulation on a larger grid than the tests: max |deviation| in standard errors.

The larger version of ``tests/test_theory_vs_simulation.py``: M = 1000-2000, N and P from
250 to 1000, label noise, N or P infinite, ensembles, 12 log-spaced times from 0.5 to
1e4, ``--seeds`` seeds (default 64). For each case and each curve it records the largest
|theory - mean| / sem over the times (sem floored at the theory's numerical accuracy,
as in ``scaling-dynamics compare``) and the largest relative difference.

    python benchmarks/bench_theory_vs_simulation.py [--seeds 64] [--root 100]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from _machine import write_result

from scaling_dynamics import Spectrum, predict, simulate
from scaling_dynamics.cli.compare import deviations

# name, a, b, M, N, P, sigma, ensemble
GRID = [
    ("under-parameterised", 1.5, 1.25, 1000, 250, 1000, 0.0, 1),
    ("over-parameterised", 1.5, 1.25, 1000, 1000, 250, 0.0, 1),
    ("interpolation peak N = P", 1.5, 1.25, 1000, 500, 500, 0.0, 1),
    ("peak with noise", 1.5, 1.25, 1000, 500, 500, 0.5, 1),
    ("noise, under", 1.5, 1.25, 1000, 250, 500, 0.5, 1),
    ("noise, over", 1.5, 1.25, 1000, 500, 250, 0.5, 1),
    ("strong noise", 1.5, 1.25, 1000, 400, 600, 1.0, 1),
    ("N = inf, noise", 1.5, 1.25, 1000, math.inf, 500, 0.5, 1),
    ("P = inf", 1.5, 1.25, 1000, 250, math.inf, 0.0, 1),
    ("ensemble of 4", 1.5, 1.25, 1000, 250, 500, 0.0, 4),
    ("ensemble of 4, noise", 1.5, 1.25, 1000, 250, 500, 0.5, 4),
    ("ensemble of 3, noise, over", 1.5, 1.25, 1000, 500, 250, 0.5, 3),
    ("steep a = 2.2, b = 1.6", 2.2, 1.6, 1000, 250, 500, 0.0, 1),
    ("flat a = 1.2, b = 1.05", 1.2, 1.05, 2000, 500, 1000, 0.2, 1),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=64)
    parser.add_argument("--root", type=int, default=100)
    args = parser.parse_args()
    times = np.geomspace(0.5, 1e4, 12)
    rows = []
    worst = 0.0
    for name, a, b, M, N, P, sigma, E in GRID:
        spec = Spectrum.power_law(a, b, M, sigma=sigma)
        t0 = time.perf_counter()
        th = predict(spec, N, P, times, ensemble=E)
        t1 = time.perf_counter()
        sim = simulate(spec, N, P, times, n_seeds=args.seeds, seed=args.root, ensemble=E,
                       progress=False)
        t2 = time.perf_counter()
        dev = deviations(th, sim)
        dt, dr = np.max(np.abs(dev["test_loss"])), np.max(np.abs(dev["train_loss"]))
        rel = max(np.max(np.abs(th.test_loss / sim.test_loss - 1)),
                  np.max(np.abs(th.train_loss / sim.train_loss - 1)[sim.train_loss > 1e-6]))
        worst = max(worst, dt, dr)
        n_text = "inf" if math.isinf(N) else N
        p_text = "inf" if math.isinf(P) else P
        rows.append(
            f"| {name} | {a} | {b} | {M} | {n_text} | {p_text} | {sigma} | {E} | {dt:.2f} | "
            f"{dr:.2f} | {100 * rel:.1f} % | {t1 - t0:.3f} | {t2 - t1:.1f} |"
        )
        print(rows[-1], flush=True)
    body = (
        f"{args.seeds} seeds (root {args.root}), 12 log-spaced times from 0.5 to 1e4. "
        "`max dev` = max over times of |theory - simulation mean| / sem (sem floored at "
        "1e-10 of the loss scale, as in `scaling-dynamics compare`); `max rel` = largest "
        "relative difference (train losses below 1e-6 left out); times in seconds.\n\n"
        "| case | a | b | M | N | P | sigma | E | max dev test | max dev train | max rel | "
        "theory s | simulation s |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nLargest deviation over the grid: {worst:.2f} sem.\n"
    )
    path = write_result(
        "theory_vs_simulation", "Theory against simulation (large grid)", body
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
