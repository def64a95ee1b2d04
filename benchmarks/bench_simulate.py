"""Simulation time at N = P = M = 2000 and 4000, against the time its work takes at GEMM speed.

The exact gradient-flow simulator forms Phi = X Y^T (P x M times M x N) and the kernel
K = Phi^T Phi (N x P times P x N), diagonalises K and evaluates the curves. A dense
eigendecomposition forms the eigenvectors U and then the map T = Y^T U (a third
n^3 product); the tridiagonal route (simulate/_tridiagonal.py) applies U as
Householder reflectors to the 100 time columns instead.

Each row is one simulated run (1 seed, 100 log-spaced times up to 1e6), split into
draws, products, eigendecomposition and curve evaluation. ``GEMM-bound s`` is the time
of 6 n^3 flops (the dense route's three products) at the rate of a plain n x n NumPy
product measured in the same process, and ``share`` = GEMM-bound s / total: the issue-18
target is share >= 60 %. Source trees (``--tree NAME=PATH``, e.g. the code before a
change and after it) run in separate worker processes, alternating round by round; each
cell is the best of ``--rounds`` workers x ``--repeats`` runs in each (in-process, as
issue 18's table was measured; a process's first large run also pays for fresh memory).

    python benchmarks/bench_simulate.py [--sizes 2000,4000] [--tree before=/work/base/src --tree after=src]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from _machine import write_result

WORKER = r"""
import json, sys, time
import numpy as np
from scaling_dynamics import Spectrum, simulate

def matmul_seconds(n, repeats=3):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - start)
    return best

def once(n, backend):
    spec = Spectrum.power_law(1.5, 1.25, n)
    times = np.logspace(-1, 6, 100)
    start = time.perf_counter()
    res = simulate(spec, n, n, times, n_seeds=1, seed=0, backend=backend, progress=False)
    total = time.perf_counter() - start
    d = res.diagnostics
    return {"total": total, "route": d["route"], "solver": d.get("eigensolver", "dense eigh"),
            **d["seconds"]}

n, backend, repeats = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
once(min(n, 500), backend)  # warm-up: library loading, thread pools
gemm = matmul_seconds(n)
row = min((once(n, backend) for _ in range(repeats)), key=lambda r: r["total"])
row["gemm_bound"] = 3 * gemm  # 6 n^3 flops = three n x n products
print(json.dumps(row))
"""


def measure(path: str, n: int, backend: str, repeats: int) -> dict:
    env = dict(os.environ, PYTHONPATH=path)
    out = subprocess.run([sys.executable, "-c", WORKER, str(n), backend, str(repeats)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,4000")
    parser.add_argument("--rounds", type=int, default=2,
                        help="worker processes per tree and cell, the trees alternating")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs in each worker after the warm-up (best taken)")
    parser.add_argument("--backends", default=None,
                        help="comma-separated; default numpy, plus torch:cpu when installed")
    parser.add_argument("--tree", action="append", default=[],
                        help="NAME=PATH of a source tree (the folder holding scaling_dynamics)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    trees = dict(t.split("=", 1) for t in args.tree) or {"this tree": "src"}
    if args.backends:
        backends = args.backends.split(",")
    else:
        backends = ["numpy"]
        try:
            import torch  # noqa: F401

            backends.append("torch:cpu")
        except ImportError:
            pass
    rows = []
    for n in sizes:
        for be in backends:
            best: dict[str, dict] = {}
            for _ in range(args.rounds):
                for name, path in trees.items():
                    r = measure(path, n, be, args.repeats)
                    if name not in best or r["total"] < best[name]["total"]:
                        best[name] = r
            for name, r in best.items():
                rows.append(
                    f"| {n} | {name} | {be} | {r['route']} | {r['solver'].split(':')[0]} | "
                    f"{r['total']:.2f} | {r['draws']:.2f} | {r['products']:.2f} | "
                    f"{r['eigh']:.2f} | {r['curves']:.3f} | {r['gemm_bound']:.2f} | "
                    f"{100 * r['gemm_bound'] / r['total']:.0f} % |"
                )
                print(rows[-1], flush=True)
    header = (
        "One exact gradient-flow run (1 seed, 100 log-spaced times from 0.1 to 1e6), "
        "N = P = M = n, power law a = 1.5, b = 1.25, in-process best of "
        f"{args.rounds} worker processes x {args.repeats} runs per cell (after a warm-up "
        "run at n = 500), trees alternating: "
        + ", ".join(f"`{k}` = {v}" for k, v in trees.items()) + ".\n"
        "`products` is the wall time of the matrix products (Phi and K; the dense route's T "
        "too), `eigh` the eigendecomposition (the tridiagonal route: reduction, tridiagonal "
        "eigenvectors and U^T h), `curves` the losses at the 100 times (the tridiagonal route "
        "applies U there). `GEMM-bound s` = 6 n^3 flops at the rate of a plain n x n NumPy "
        "product measured in the same process; `share` = GEMM-bound s / total (issue 18: "
        ">= 60 %).\n\n"
        "| n | tree | backend | route | eigensolver | total s | draws s | products s | "
        "eigh s | curves s | GEMM-bound s | share |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    path = write_result("simulate", "Simulation speed", header + "\n".join(rows))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
