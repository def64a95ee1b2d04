"""Accuracy of the Talbot inversion in one and two variables against the number of nodes.

On transforms with known inverses (1/(s+a), s^-nu, and products of two such in 2-D) at
times from 1e-2 to 1e7 it reports the largest relative error for n = 8..40 nodes per
variable; and, for a theory loss curve, the largest change against the n = 18 curve. The
float64 optimum (theory.md section 3) shows as the minimum of each column.

    python benchmarks/bench_theory_inversion.py
"""

from __future__ import annotations

import math

import numpy as np
from _machine import write_result

from scaling_dynamics import Spectrum, predict
from scaling_dynamics.theory import invert_laplace, invert_laplace_2d

T = np.geomspace(1e-2, 1e7, 37)


def rel(f, exact):
    """Largest error relative to the function's scale (max |exact|) or to its value.

    Decaying exponentials underflow at t = 1e7, so they are measured against their
    scale; power laws against their value.
    """
    return float(np.max(np.abs(f - exact) / np.maximum(np.abs(exact), 1e-300)))


def scaled(f, exact):
    return float(np.max(np.abs(f - exact)) / np.max(np.abs(exact)))


def main() -> None:
    rows = []
    spec = Spectrum.power_law(1.5, 1.25, 1000, sigma=0.5)
    ref = predict(spec, 200, 400, T, n_nodes=18).test_loss
    for n in (8, 12, 16, 18, 20, 24, 28, 32, 40):
        e1 = scaled(invert_laplace(lambda s: 1 / (s + 0.3) + 1 / (s + 3e-6), T, n_nodes=n),
                 np.exp(-0.3 * T) + np.exp(-3e-6 * T))
        e2 = rel(invert_laplace(lambda s: s**-1.5, T, n_nodes=n), T**0.5 / math.gamma(1.5))
        e3 = scaled(invert_laplace_2d(lambda p, q: 1 / ((p + 0.5) * (q + 2e-6)), T, n_nodes=n),
                 np.exp(-(0.5 + 2e-6) * T))
        e4 = rel(invert_laplace_2d(lambda p, q: p**-0.7 * q**-1.3, T, n_nodes=n),
                 T**-0.3 / math.gamma(0.7) * T**0.3 / math.gamma(1.3))
        theory = predict(spec, 200, 400, T, n_nodes=n).test_loss
        e5 = float(np.max(np.abs(theory - ref) / ref))
        rows.append(f"| {n} | {e1:.1e} | {e2:.1e} | {e3:.1e} | {e4:.1e} | {e5:.1e} |")
        print(rows[-1], flush=True)
    body = (
        "Largest error over 37 times from 1e-2 to 1e7 (fixed Talbot rule, float64): for the "
        "exponentials relative to their maximum (they underflow at late times), for the "
        "power laws relative to their value.\n"
        "1-D: `1/(s+0.3) + 1/(s+3e-6)` and `s^-1.5`; 2-D (diagonal t = t'): "
        "`1/((p+0.5)(q+2e-6))` and `p^-0.7 q^-1.3`; last column: a theory test-loss curve "
        "(M = 1000, N = 200, P = 400, sigma = 0.5) against the same curve at n = 18.\n\n"
        "| nodes per variable | 1-D exp | 1-D power | 2-D exp | 2-D power | theory vs n = 18 |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    path = write_result("theory_inversion", "Inverse Laplace accuracy", body)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
