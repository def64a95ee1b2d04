"""GD, heavy ball and one-pass SGD: theory against simulation on a grid with near-edge cases.

The larger version of ``tests/test_theory_discrete.py`` and ``tests/test_theory_sgd.py``,
following the tables of docs/optimizers.md (a = 1.5, b = 1.25 unless "iso":
lambda_k = 1, w*_k = M^{-1/2}). For each case: the largest |theory - mean| / sem over the
times (sem floored at 1e-10 of the loss scale, as in ``scaling-dynamics compare``), where
it happens, and the largest relative difference, so the near-edge cases say how far off
they are and not only how many standard errors.

* GD / heavy ball: ``simulate(method="exact")`` (closed form in integer steps), independent
  draws of (A, Psi, eps); steps 1 .. 1e4. ``eta mu`` is eta times the theory's spectral
  edge; in brackets eta times the largest top eigenvalue over the draws.
* SGD: the exact expectation over batches given each projection
  (``method="expected"``, E[rec|A]) and single sampled runs (``method="sample"``, one run per
  draw of A) on the same draws; steps 1 .. 1e4.

    python benchmarks/bench_optimizers_vs_simulation.py [--seeds 40] [--sgd-draws 128] [--quick]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from _machine import write_result

from scaling_dynamics import (
    GradientDescent,
    InvalidParameterError,
    Momentum,
    OnlineSGD,
    Spectrum,
    simulate,
)
from scaling_dynamics.theory import predict, spectral_edge

STEPS = [1, 2, 3, 5, 8, 13, 20, 35, 60, 100, 200, 500, 1000, 3000, 10000]
SGD_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]

# id, spectrum ("pl" or "iso"), M, N, P, sigma, eta or ("edge", eta * mu_edge), beta, note
FULL_BATCH = [
    ("A1", "pl", 1000, 200, 400, 0.3, 0.5, 0.0, ""),
    ("A2", "pl", 1000, 200, 400, 0.0, ("edge", 1.70), 0.0, "near the edge, small N"),
    ("D1", "pl", 2000, 800, 1600, 0.0, ("edge", 1.70), 0.0, "same eta mu as A2, larger"),
    ("A3", "pl", 1000, 400, 200, 0.3, ("edge", 1.70), 0.0, ""),
    ("A5", "pl", 600, 100, 800, 0.3, 0.5, 0.0, ""),
    ("C1", "iso", 400, 200, 300, 0.3, ("edge", 1.80), 0.0, "bulk spectrum, near the edge"),
    ("B1", "pl", 1000, 200, 400, 0.3, 0.5, 0.5, ""),
    ("B2", "pl", 1000, 400, 200, 0.0, 0.5, 0.8, "underdamped"),
    ("B3", "pl", 1000, 200, 400, 0.3, ("edge", 2.40), 0.5, "near the edge (limit 3), small N"),
    ("F2", "pl", 2000, 800, 1600, 0.3, ("edge", 2.40), 0.5, "same eta mu as B3, larger"),
    ("C2", "iso", 400, 200, 300, 0.0, ("edge", 3.24), 0.8, "near the HB limit 3.6"),
    ("G1", "iso", 400, 200, 300, 0.3, ("edge", 2.20), 0.2, "negative roots"),
    ("G2", "pl", 2000, 800, 1600, 0.0, ("edge", 2.16), 0.2, "negative roots, limit 2.4"),
]

# id, M, N, B, eta, sigma, note
SGD = [
    ("S1", 1000, 100, 1, 0.2, 0.3, ""),
    ("S2", 1000, 400, 1, 0.2, 0.3, ""),
    ("S3", 1000, 400, 4, 0.5, 0.0, ""),
    ("S7", 1000, 100, 4, 0.5, 0.3, ""),
    ("S8", 500, 50, 4, 0.5, 0.3, "small N"),
    ("S4", 1000, 200, 32, 1.0, 0.3, ""),
    ("S5", 1000, 100, 32, 1.2, 0.0, "near the mode limit, small N"),
    ("S6", 1000, 400, 32, 1.2, 0.0, "near the mode limit"),
]


def simulate_stable(spec, N, P, opt, n_draws: int, root: int, method: str = "auto") -> dict:
    """Mean, sem and top eigenvalues over ``n_draws`` draws, leaving out draws that are unstable.

    All draws at once when every one is stable (run i = child i of the root seed, as in
    ``simulate``); otherwise draw by draw (root seed ``1000 * root + i``), skipping the draws
    whose own top eigenvalue (or SGD noise gain) puts ``eta`` beyond the limit. Leaving
    them out conditions the average on stability, which the table reports.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a diverging draw overflows first
        try:
            sim = simulate(spec, N, P, STEPS if not isinstance(opt, OnlineSGD) else SGD_STEPS,
                           optimizer=opt, n_seeds=n_draws, seed=root, method=method,
                           progress=False)
            return {"test": sim.test_loss_seeds, "train": sim.train_loss_seeds,
                    "mu": sim.diagnostics["mu_max"], "unstable": 0, "by_draw": False}
        except InvalidParameterError:
            pass
        tests, trains, mus, bad = [], [], [], 0
        for i in range(n_draws):
            try:
                sim = simulate(spec, N, P,
                               STEPS if not isinstance(opt, OnlineSGD) else SGD_STEPS,
                               optimizer=opt, n_seeds=1, seed=1000 * root + i, method=method,
                               progress=False)
            except InvalidParameterError:
                bad += 1
                continue
            tests.append(sim.test_loss_seeds[0])
            trains.append(sim.train_loss_seeds[0])
            mus += sim.diagnostics["mu_max"]
    return {"test": np.array(tests), "train": np.array(trains), "mu": mus, "unstable": bad,
            "by_draw": True}


def dev_of(theory: np.ndarray, runs: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(theory - mean) / sem with the sem floored as in ``scaling-dynamics compare``; and mean."""
    mean = runs.mean(axis=0)
    sem = runs.std(axis=0, ddof=1) / np.sqrt(runs.shape[0])
    return (theory - mean) / np.sqrt(sem**2 + (1e-10 * scale) ** 2), mean


def _spectrum(kind: str, M: int, sigma: float) -> Spectrum:
    if kind == "iso":
        return Spectrum.from_arrays([1.0] * M, [M**-0.5] * M, sigma=sigma)
    return Spectrum.power_law(1.5, 1.25, M, sigma=sigma)


def _worst(dev: np.ndarray, times) -> tuple[float, float]:
    i = int(np.argmax(np.abs(dev)))
    return float(dev[i]), float(times[i])


def _size(x: float) -> str:
    return "inf" if math.isinf(x) else str(int(x))


def full_batch_rows(seeds: int, root: int, quick: bool) -> list[str]:
    rows = []
    for cid, kind, M, N, P, sigma, eta_spec, beta, note in FULL_BATCH:
        if quick and M > 1000:
            continue
        spec = _spectrum(kind, M, sigma)
        mu = spectral_edge(spec, N, P).mu_max
        eta = eta_spec[1] / mu if isinstance(eta_spec, tuple) else eta_spec
        opt = Momentum(eta, beta) if beta > 0 else GradientDescent(eta)
        t0 = time.perf_counter()
        th = predict(spec, N, P, STEPS, optimizer=opt)
        t1 = time.perf_counter()
        sim = simulate_stable(spec, N, P, opt, seeds, root)
        t2 = time.perf_counter()
        scale = float(np.max(th.test_loss)) + sigma**2
        dev_te, mean_te = dev_of(th.test_loss, sim["test"], scale)
        dev_tr, _ = dev_of(th.train_loss, sim["train"], scale)
        dte, tte = _worst(dev_te, STEPS)
        dtr, ttr = _worst(dev_tr, STEPS)
        rel = th.test_loss / mean_te - 1
        j = int(np.argmax(np.abs(rel)))
        top = eta * max(sim["mu"])
        used = sim["test"].shape[0]
        if sim["by_draw"]:
            note = (note + "; " if note else "") + (
                f"draw-by-draw seeds, {sim['unstable']} of {seeds} draws unstable and left out")
        name = ("GD" if beta == 0 else "HB") + (" iso" if kind == "iso" else "")
        rows.append(
            f"| {cid} | {name} | {M}, {_size(N)}, {_size(P)} | {sigma} | {eta:.4g} "
            f"({eta * mu:.2f}; {top:.2f}) | {beta} | {used} | {dte:+.2f} (t={tte:g}) / "
            f"{dtr:+.2f} (t={ttr:g}) | {100 * rel[j]:+.2f} % (t={STEPS[j]:g}) | "
            f"{th.diagnostics['switch_step']} | {t1 - t0:.2f} | {t2 - t1:.1f} | {note} |"
        )
        print(rows[-1], flush=True)
    return rows


def sgd_rows(draws: int, root: int, quick: bool) -> list[str]:
    rows = []
    for cid, M, N, B, eta, sigma, note in SGD:
        if quick and cid not in ("S7", "S5"):
            continue
        spec = Spectrum.power_law(1.5, 1.25, M, sigma=sigma)
        opt = OnlineSGD(eta, B)
        t0 = time.perf_counter()
        th = predict(spec, N, None, SGD_STEPS, optimizer=opt)
        t1 = time.perf_counter()
        exp = simulate_stable(spec, N, None, opt, draws, root, method="expected")
        t2 = time.perf_counter()
        smp = simulate_stable(spec, N, None, opt, draws, root, method="sample")
        t3 = time.perf_counter()
        scale = float(np.max(th.test_loss)) + sigma**2
        dev_e, mean_e = dev_of(th.test_loss, exp["test"], scale)
        dev_s, _ = dev_of(th.test_loss, smp["test"], scale)
        de, te = _worst(dev_e, SGD_STEPS)
        ds, ts = _worst(dev_s, SGD_STEPS)
        rel = th.test_loss / mean_e - 1
        j = int(np.argmax(np.abs(rel)))
        eta_top = eta * max(exp["mu"])
        if exp["by_draw"] or smp["by_draw"]:
            note = (note + "; " if note else "") + (
                f"draw-by-draw seeds, {exp['unstable']} / {smp['unstable']} of {draws} draws "
                "unstable and left out")
        p_top = (1 - eta_top) ** 2 + eta_top**2 / B
        rows.append(
            f"| {cid} | {M}, {N} | {B} | {eta} ({eta * th.diagnostics['mu_max']:.2f} of "
            f"{2 * B / (B + 1):.2f}) | {sigma} | {exp['test'].shape[0]} | {p_top:.4f} | "
            f"{th.diagnostics['noise_gain']:.4f} | {ds:+.2f} (t={ts:g}) / {de:+.2f} (t={te:g}) | "
            f"{100 * rel[j]:+.2f} % (t={SGD_STEPS[j]:g}) | {t1 - t0:.2f} | {t2 - t1:.1f} / "
            f"{t3 - t2:.1f} | {note} |"
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--sgd-draws", type=int, default=128)
    parser.add_argument("--root", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a few small cases only")
    args = parser.parse_args()
    fb = full_batch_rows(args.seeds, args.root, args.quick)
    sg = sgd_rows(args.sgd_draws, args.root, args.quick)
    body = (
        f"Root seed {args.root}. Deviation = (theory - simulation mean) / sem (sem floored at "
        "1e-10 of the loss scale, as in `scaling-dynamics compare`), the largest over the "
        "steps, signed, with the step where it occurs; `max rel` = largest relative "
        "difference of the test loss (theory / simulation - 1). Times in seconds.\n\n"
        "## GD and heavy ball (simulate method=\"exact\")\n\n"
        "`eta (eta mu)`: eta times the theory's spectral edge; after the semicolon eta "
        "times the largest top eigenvalue over the draws. Stability limit of eta mu: 2 (GD), "
        "2 (1 + beta) (HB). `T1`: last step on the circle contour.\n\n"
        "| # | method | M, N, P | sigma | eta (eta mu; draws) | beta | seeds | max dev test / "
        "train (se) | max rel test | T1 | theory s | simulation s | note |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(fb)
        + "\n\n## One-pass SGD\n\n"
        "`eta (eta mu of 2B/(B+1))`: eta times the theory's edge of Lambda^1/2 F Lambda^1/2 "
        "against the mode limit; `p(mu_top)` = p(mu) = (1 - eta mu)^2 + eta^2 mu^2 / B at the "
        "largest top eigenvalue over the draws (the mode limit is p = 1); `A_K` = the theory's batch-noise gain (stable below 1). Deviations against "
        "single sampled runs (one per draw of A) / against the exact batch average given A "
        "(E[rec|A]) on the same draws; `max rel` against E[rec|A]; simulation times: "
        "expected / sampled.\n\n"
        "| # | M, N | B | eta (eta mu of limit) | sigma | A draws | p(mu_top) | A_K | max dev vs "
        "sampled / vs E[rec\\|A] (se) | max rel | theory s | simulation s | note |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(sg)
        + "\n"
    )
    path = write_result("optimizers_vs_simulation",
                        "Discrete optimisers: mean-field theory against simulation", body)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
