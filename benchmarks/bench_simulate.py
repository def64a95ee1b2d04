"""Simulation time at N = P = M = 2000 and 4000, and the FLOP rate of its dominant products.

The exact gradient-flow simulator forms Phi = X Y^T (P x M times M x N), the kernel
K = Phi^T Phi (N x P times P x N) and the map T = Y^T U (M x N times N x N), then
diagonalises K once. This script times one simulated run (100 log-spaced times up
to 1e6), splits it into draws, products, eigendecomposition and curve evaluation,
and compares the achieved FLOP rate of the products with a plain NumPy matrix
multiply of the same size measured in the same run (ratio ~ 1 means the simulator
loses nothing around BLAS). With torch installed the torch CPU backend is timed too.

    python benchmarks/bench_simulate.py [--sizes 2000,4000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _machine import write_result

from scaling_dynamics import Spectrum, simulate


def plain_matmul_rate(n: int, repeats: int = 3) -> float:
    """FLOP/s of numpy's n x n times n x n product (best of ``repeats``)."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2.0 * n**3 / best


def simulate_once(n: int, backend: str) -> dict:
    spec = Spectrum.power_law(1.5, 1.25, n)
    times = np.logspace(-1, 6, 100)
    start = time.perf_counter()
    res = simulate(spec, n, n, times, n_seeds=1, seed=0, backend=backend, progress=False)
    total = time.perf_counter() - start
    sec = res.diagnostics["seconds"]
    # primal route at N = P = M = n: Phi (2 n^3), K = Phi^T Phi (2 n^3), T = Y^T U (2 n^3)
    flops = 3 * 2.0 * n**3
    return {"total": total, "route": res.diagnostics["route"], **sec,
            "rate": flops / sec["products"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,4000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = ["numpy"]
    try:
        import torch  # noqa: F401

        backends.append("torch:cpu")
    except ImportError:
        pass
    rows = []
    for n in sizes:
        ref = plain_matmul_rate(n)
        for be in backends:
            simulate_once(min(n, 500), be)  # warm-up (library loading, thread pools)
            r = simulate_once(n, be)
            rows.append(
                f"| {n} | {be} | {r['route']} | {r['total']:.2f} | {r['draws']:.2f} | "
                f"{r['products']:.2f} | {r['eigh']:.2f} | {r['curves']:.3f} | "
                f"{r['rate'] / 1e9:.1f} | {ref / 1e9:.1f} | {r['rate'] / ref:.2f} |"
            )
            print(rows[-1], flush=True)
    header = (
        "One exact gradient-flow run (1 seed, 100 log-spaced times from 0.1 to 1e6), "
        "N = P = M = n, power law a = 1.5, b = 1.25.\n"
        "`products` is the wall time of the three dominant matrix products (6 n^3 flops), "
        "`rate` their achieved FLOP rate, `numpy matmul` the rate of a plain n x n NumPy "
        "product measured in the same run, and `ratio` = rate / numpy matmul.\n\n"
        "| n | backend | route | total s | draws s | products s | eigh s | curves s | "
        "rate GFLOP/s | numpy matmul GFLOP/s | ratio |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    path = write_result("simulate", "Simulation speed", header + "\n".join(rows))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
