"""Compressed mode sums against exact ones, and the cost of M = 1e7 and M = inf.

For power laws with M = 1e4, 1e5 and 1e6 modes the script computes the same loss curves
(test, train and bias at times from 1e-2 to 1e7) with compression on and off and reports
the largest relative difference (with a floor of 1e-10 L(0) for losses that reach
round-off), the number of nodes and both wall times. Then it times M = 1e7 and M = inf,
which only the compressed sums can handle, and checks that L(t) grows monotonically with
M towards the M = inf curve.

    python benchmarks/bench_theory_compression.py [--max-exact 1000000]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from _machine import write_result

from scaling_dynamics import Spectrum, predict


def differences(a, b, scale):
    """Max relative difference where |b| > 1e-8 scale, and max absolute difference / scale.

    Losses that decay to round-off (a train loss of 1e-15 after interpolation) have no
    meaningful relative accuracy; they are covered by the absolute column.
    """
    big = np.abs(b) > 1e-8 * scale
    rel = float(np.max(np.abs(a - b)[big] / np.abs(b)[big])) if big.any() else 0.0
    return rel, float(np.max(np.abs(a - b)) / scale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-exact", type=int, default=10**6)
    args = parser.parse_args()
    rows = []
    cases = [
        (1.5, 1.25, 1000, 2000, 0.5),
        (1.5, 1.25, 4000, 1000, 0.0),
        (2.2, 1.6, 500, math.inf, 0.0),
        (1.2, 1.05, 1000, 2000, 0.3),
    ]
    for M in (10**4, 10**5, 10**6):
        if M > args.max_exact:
            break
        # exact sums over 1e6 modes cost minutes per time: fewer times and cases there
        times = np.geomspace(1e-2, 1e7, {10**4: 12, 10**5: 4}.get(M, 3))
        for a, b, N, P, sigma in cases if M < 10**6 else cases[:2]:
            spec = Spectrum.power_law(a, b, M, sigma=sigma)
            t0 = time.perf_counter()
            comp = predict(spec, N, P, times, compress="on")
            t1 = time.perf_counter()
            exact = predict(spec, N, P, times, compress="off")
            t2 = time.perf_counter()
            scale = spec.initial_loss + sigma**2
            diffs = [
                differences(getattr(comp, k), getattr(exact, k), scale)
                for k in ("test_loss", "train_loss")
            ] + [differences(comp.extra["bias"], exact.extra["bias"], scale)]
            err = max(d[0] for d in diffs)
            err_abs = max(d[1] for d in diffs)
            p_text = "inf" if math.isinf(P) else P
            rows.append(
                f"| {M:.0e} | {a} | {b} | {N} | {p_text} | {sigma} | {times.size} | "
                f"{comp.diagnostics['n_mode_nodes']} | {err:.1e} | {err_abs:.1e} | {t1 - t0:.3f} | "
                f"{t2 - t1:.1f} |"
            )
            print(rows[-1], flush=True)
    big = []
    times = np.geomspace(1e-2, 1e7, 100)
    curves = {}
    for M in (10**5, 10**6, 10**7, math.inf):
        spec = Spectrum.power_law(1.5, 1.25, M)
        t0 = time.perf_counter()
        c = predict(spec, 1000, 2000, times)
        dt = time.perf_counter() - t0
        curves[M] = c.test_loss
        m_text = "inf" if math.isinf(M) else f"{M:.0e}"
        big.append(f"| {m_text} | {c.diagnostics['n_mode_nodes']} | {dt:.3f} | "
                   f"{c.test_loss[-1]:.6g} |")
        print(big[-1], flush=True)
    ms = list(curves)
    monotone = all(np.all(curves[ms[i + 1]] >= curves[ms[i]] - 1e-12) for i in range(len(ms) - 1))
    body = (
        "Difference between compressed and exact mode sums on the same curves (test, train, "
        "bias at log-spaced times from 1e-2 to 1e7): `max rel diff` over values above "
        "1e-8 of the loss scale L(0) + sigma^2 (acceptance criterion 1e-4), `max abs diff` "
        "over all values, in units of that scale (covers losses that decay to round-off).\n\n"
        "| M | a | b | N | P | sigma | times | nodes | max rel diff | max abs diff / L(0) | "
        "compressed s | exact s |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "Huge and infinite power laws (a = 1.5, b = 1.25, N = 1000, P = 2000, 100 times from "
        "1e-2 to 1e7):\n\n| M | nodes | seconds | L(1e7) |\n|---|---|---|---|\n"
        + "\n".join(big)
        + f"\n\nL(t) non-decreasing in M at every time (modes beyond M only add task power "
        f"the model cannot learn): {monotone}.\n"
    )
    path = write_result("theory_compression", "Compressed mode sums", body)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
