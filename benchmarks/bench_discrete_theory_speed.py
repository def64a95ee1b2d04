"""Speed of the discrete optimisers' theory (GD, heavy ball, one-pass SGD), before and after.

Issue 18's rows: heavy ball at beta = 0.99 with the CLI's default steps (the whole
`scaling-dynamics theory` process), one-pass SGD on the problem of
`bench_sgd_vs_power_law_rf.py` (M = 6400, N = 1600, 100 steps from 1 to 1e5), and discrete
GD (100 log-spaced steps, M = 1000). Each row is timed in a fresh process for every
source tree given (``--tree NAME=PATH``, e.g. the checkout before the change and this
one), the trees alternating so that both see the same load; in-process times are the best
of ``--repeats`` runs after one warm-up (a tree whose heavy-ball row is slow: ``--slow-repeats``
cold runs), the CLI time the best of ``--repeats`` whole processes. The curves of every tree are compared with the first tree's.

    python benchmarks/bench_discrete_theory_speed.py --tree before=/work/base/src --tree after=src
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from _machine import write_result

HB_CLI = ("theory --optimizer momentum --eta 0.01 --beta 0.99 --a 1.5 --b 1.25 --M 1000 "
          "--N 100 --P 200 --format json")

_WORKER = r'''
import json, math, sys, time
import numpy as np
from scaling_dynamics import GradientDescent, Momentum, OnlineSGD, Spectrum
from scaling_dynamics.theory import predict

def steps_100(stop):
    n = 100
    while True:
        t = np.unique(np.round(np.geomspace(1, stop, n)))
        if t.size >= 100:
            return t[np.unique(np.round(np.linspace(0, t.size - 1, 100)).astype(int))]
        n += 1

row, repeats, warm = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "warm"
if row == "hb":
    t = np.array([1, 2, 5, 10, 22, 46, 100, 215, 464, 1000, 2154, 4642, 10000])
    call = lambda: predict(Spectrum.power_law(1.5, 1.25, 1000), 100, 200, t,
                           optimizer=Momentum(0.01, 0.99))
elif row == "sgd":
    t = steps_100(1e5)
    s = Spectrum.power_law(1.5, 1.25, 6400)
    call = lambda: predict(s, 1600, None, t, optimizer=OnlineSGD(0.25, 8))
else:
    t = steps_100(1e4)
    s = Spectrum.power_law(1.5, 1.25, 1000, sigma=0.3)
    call = lambda: predict(s, 200, 400, t, optimizer=GradientDescent(0.5))
if warm:
    out = call()
best = math.inf
for _ in range(repeats):
    start = time.perf_counter()
    out = call()
    best = min(best, time.perf_counter() - start)
print(json.dumps({"seconds": best, "test": out.test_loss.tolist(),
                  "train": out.train_loss.tolist()}))
'''


#: BLAS threads of every timed process (``--blas-threads``); set before numpy loads.
BLAS_ENV: dict[str, str] = {}


def in_process(src: str, row: str, repeats: int, warm: bool = True) -> dict:
    env = {**os.environ, **BLAS_ENV, "PYTHONPATH": src}
    res = subprocess.run([sys.executable, "-c", _WORKER, row, str(repeats),
                          "warm" if warm else "cold"], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def cli_wall(src: str, repeats: int) -> float:
    env = {**os.environ, **BLAS_ENV, "PYTHONPATH": src}
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "scaling_dynamics", *HB_CLI.split()], env=env,
                       capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True,
                        help="NAME=PATH of a source tree (the folder holding scaling_dynamics)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--slow-repeats", type=int, default=1,
                        help="repeats for a tree whose heavy-ball row takes over 10 s")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads of every timed process (default 1: on a shared, busy "
                        "machine a multi-threaded BLAS stalls; 0 leaves the environment as it is)")
    args = parser.parse_args()
    if args.blas_threads > 0:
        BLAS_ENV.update({v: str(args.blas_threads) for v in ("OMP_NUM_THREADS",
                                                             "OPENBLAS_NUM_THREADS",
                                                             "MKL_NUM_THREADS")})
    trees = [tuple(t.split("=", 1)) for t in args.tree]
    rows = {"hb": "heavy ball, eta = 0.01, beta = 0.99, M = 1000, N = 100, P = 200, 13 default "
                  "steps 1..1e4 (in process)",
            "sgd": "one-pass SGD, eta = 0.25, B = 8, M = 6400, N = 1600, 100 steps 1..1e5",
            "gd": "GD, eta = 0.5, M = 1000, N = 200, P = 400, sigma = 0.3, 100 steps 1..1e4"}
    results: dict[str, dict[str, dict]] = {r: {} for r in rows}
    for r in rows:
        for name, src in trees:
            reps, warm = args.repeats, True
            if r == "hb" and name != trees[-1][0]:
                reps, warm = args.slow_repeats, False  # minutes per call: no warm-up run
            results[r][name] = in_process(src, r, reps, warm)
            print(r, name, f"{results[r][name]['seconds']:.4f} s", flush=True)
    cli = {}
    for name, src in trees:
        slow = results["hb"][name]["seconds"] > 10.0
        cli[name] = cli_wall(src, args.slow_repeats if slow else args.repeats)
        print("cli", name, f"{cli[name]:.3f} s", flush=True)

    ref = trees[0][0]
    head = "| row | " + " | ".join(f"{n} (s)" for n, _ in trees) + " | speed-up | max rel. diff of the curves |"
    lines = [head, "|---|" + "---|" * (len(trees) + 2)]
    for r, label in rows.items():
        cells = [f"{results[r][n]['seconds']:.4f}" for n, _ in trees]
        last = trees[-1][0]
        diff = max(
            float(np.max(np.abs(np.array(results[r][last][k]) / np.array(results[r][ref][k]) - 1)))
            for k in ("test", "train")
        )
        speed = results[r][ref]["seconds"] / results[r][last]["seconds"]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {speed:.0f}x | {diff:.1e} |")
    lines.append(f"| `scaling-dynamics {HB_CLI}`, whole process | "
                 + " | ".join(f"{cli[n]:.3f}" for n, _ in trees)
                 + f" | {cli[ref] / cli[trees[-1][0]]:.0f}x | - |")
    body = (
        "Trees: " + ", ".join(f"{n} = `{p}`" for n, p in trees) + ". In-process times: best of "
        f"{args.repeats} after a warm-up (heavy ball of the slow tree: {args.slow_repeats}); the "
        "CLI row is the wall time of the whole process. Trees alternate row by row, so each "
        "row's times are side by side under the same load (the slow tree's heavy-ball run is "
        "a single cold call). "
        + (f"Every timed process ran with {args.blas_threads} BLAS thread(s) "
           "(OPENBLAS/OMP/MKL_NUM_THREADS), which spares the tree before the change the stalls "
           "of a multi-threaded BLAS on a busy machine: its times are, if anything, low."
           if args.blas_threads > 0 else "BLAS threads as the environment sets them.")
        + "\n\n"
        + "\n".join(lines) + "\n"
    )
    path = write_result("discrete_theory_speed", "Discrete optimisers' theory: speed before and after",
                        body)
    print(body)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
