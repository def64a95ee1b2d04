"""The theory fit (issue 19): parameter recovery with intervals, and its speed.

Recovery: the library's own runs (the theory's test loss, and one 8-seed simulation) at
N = 16..128, t = 1..1e3 (4 x 10 rows) in settings with M and P finite and infinite,
noise 0 and 0.5 %, fitted in the setting of the runs (``M=``, ``P=``) with the scales
fixed at 1 (``fixed``: the runs are in theory units) and free (``free``: all six
parameters). Targets: a within 0.03, b within 0.05, sigma within 0.02, every true value
inside its 90 % interval. Speed: wall and CPU seconds of ``fit_theory`` (defaults,
20 % hold-out) on the issue's 40 rows and on 1e4 rows (10 sizes x 1000 times).

    python benchmarks/bench_theory_fit.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np
from _machine import write_result

from scaling_dynamics import Spectrum, simulate
from scaling_dynamics.scaling import fit_theory
from scaling_dynamics.theory import predict

SIZES = (16, 32, 64, 128)
TIMES = np.geomspace(1, 1e3, 10)
UNIT = {"model_scale": 1.0, "time_scale": 1.0, "loss_scale": 1.0}
SETTINGS = [  # a, b, M, P, sigma, noise, source
    (1.5, 1.25, math.inf, math.inf, 0.0, 0.0, "theory"),
    (1.5, 1.25, math.inf, math.inf, 0.0, 0.005, "theory"),
    (1.55, 1.3, math.inf, math.inf, 0.0, 0.005, "theory"),
    (1.8, 1.4, 300, math.inf, 0.0, 0.005, "theory"),
    (1.5, 1.25, 300, math.inf, 0.2, 0.0, "theory"),
    (1.5, 1.25, math.inf, 400, 0.3, 0.005, "theory"),
    (1.8, 1.4, 1000, 200, 0.2, 0.0, "theory"),
    (1.5, 1.25, 2000, math.inf, 0.0, 0.0, "theory"),
    (1.5, 1.25, 500, math.inf, 0.0, 0.0, "simulation"),
]


def runs(a, b, M, P, sigma, noise, source, seed=0):
    rng = np.random.default_rng(seed)
    spec = Spectrum.power_law(a, b, M, sigma=sigma)
    rows = []
    for n in SIZES:
        if source == "simulation":
            loss = simulate(spec, n, P, TIMES, n_seeds=8, seed=seed).test_loss
        else:
            loss = predict(spec, n, P, TIMES).test_loss
        loss = (loss + sigma**2) * np.exp(noise * rng.standard_normal(TIMES.size))
        rows += [(n, t, x) for t, x in zip(TIMES, loss, strict=True)]
    return np.array(rows).T


def recovery(settings, modes) -> list[str]:
    lines = ["| source | a | b | M | P | sigma | noise | scales | fitted a, b, sigma | "
             "errors | truth in 90 % intervals | undetermined | s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for a, b, M, P, sigma, noise, source in settings:
        N, t, L = runs(a, b, M, P, sigma, noise, source)
        for mode in modes:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = fit_theory(N, t, L, M=M, P=P, holdout_fraction=None, level=0.9,
                                 fix=UNIT if mode == "fixed" else None)
            wall = time.perf_counter() - start
            errs = (fit.a - a, fit.b - b, fit.sigma - sigma)
            inside = [n for n, v in (("a", a), ("b", b), ("sigma", sigma))
                      if fit.intervals[n][0] <= v <= fit.intervals[n][1]]
            ok = abs(errs[0]) <= 0.03 and abs(errs[1]) <= 0.05 and abs(errs[2]) <= 0.02
            lines.append(
                f"| {source} | {a} | {b} | {M:g} | {P:g} | {sigma} | {noise:.1%} | {mode} | "
                f"{fit.a:.4f}, {fit.b:.4f}, {fit.sigma:.4f} | {errs[0]:+.4f}, {errs[1]:+.4f}, "
                f"{errs[2]:+.4f} {'ok' if ok else 'MISS'} | {', '.join(inside) or 'none'} | "
                f"{', '.join(fit.undetermined) or '-'} | {wall:.0f} |")
            print(lines[-1], flush=True)
    return lines


def big_rows(n_rows: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    spec = Spectrum.power_law(1.5, 1.25, math.inf)
    sizes = np.unique(np.round(np.geomspace(16, 2048, 10)))
    grid = np.geomspace(1, 1e4, 60)
    rows = []
    for n in sizes:
        t = 10 ** np.sort(rng.uniform(0, 4, n_rows // sizes.size))
        curve = predict(spec, int(n), math.inf, grid).test_loss
        loss = np.exp(np.interp(np.log(t), np.log(grid), np.log(curve)))
        rows.append([np.full(t.size, n), t, loss * np.exp(0.005 * rng.standard_normal(t.size))])
    return np.concatenate([np.array(r) for r in rows], axis=1)


def speed(sizes) -> list[str]:
    lines = ["| rows | wall s | CPU s | a | b | rmse(log) | theory calls | polish evaluations |",
             "|---|---|---|---|---|---|---|---|"]
    for n_rows in sizes:
        if n_rows == 40:
            N, t, L = runs(1.55, 1.3, math.inf, math.inf, 0.0, 0.005, "theory")
        else:
            N, t, L = big_rows(n_rows)
        wall, cpu = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fit_theory(N, t, L, progress=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        ev = sum(p["evaluations"] for p in fit.diagnostics["polish"])
        lines.append(f"| {N.size} | {wall:.1f} | {cpu:.1f} | {fit.a:.4f} | {fit.b:.4f} | "
                     f"{fit.rmse_log:.4f} | {fit.diagnostics['theory_calls']} | {ev} |")
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="three settings, scales fixed")
    args = parser.parse_args()
    settings = SETTINGS[:3] if args.quick else SETTINGS
    modes = ("fixed",) if args.quick else ("fixed", "free")
    body = ["## Recovery (90 % intervals, linearised covariance)", "",
            *recovery(settings, modes), "", "## Speed (defaults, 20 % hold-out)", "",
            *speed((40,) if args.quick else (40, 10_000)), "",
            "CPU s is this process's CPU time: on a shared machine the wall time is an upper "
            "bound."]
    print(write_result("theory_fit", "Theory fit: recovery and speed", "\n".join(body)))


if __name__ == "__main__":
    main()
