"""Held-out forecasts and the speed of the fits: fit on small, short runs, predict big, long ones.

Part ``sim``: the library's simulations (gradient flow, power-law spectrum, P = inf, 8
seeds): both laws are fitted on N in 8..64 and t in 1..100, and forecast N = 256, 512
(4-8x larger) at t up to 1000 (10x longer), against simulations of those runs (32 seeds).
Part ``digits``: real networks, one-hidden-layer ReLU MLPs on the digits (0-4 against
5-9, NTK parameterisation, full-batch GD, 3 initialisations averaged): fitted on the
narrow widths, forecast the widest at every recorded step. Part ``speed``: the
Chinchilla-style fit of 1e4..1e6 rows (default options: 100 bootstrap resamples, 20 %
hold-out), wall and CPU time.

Every forecast is ``fit.forecast(N, t, level=0.9)`` (the Chinchilla law's interval from
its bootstrap; the theory's where its fit provides one); errors are relative to the
held-out truth. The figures (``plots.forecast.plot_forecast``) go to ``docs/figures/``.

    python benchmarks/bench_forecast.py [--part sim|digits|speed|all] [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _machine import describe, load_line  # noqa: E402

FIGURES = os.path.join(HERE, "..", "docs", "figures")
LEVEL = 0.9


# ---------------------------------------------------------------------------- data
def simulated(quick: bool) -> tuple[object, object, str]:
    """(train, held-out) LossTables from the library's simulator, and a description."""
    import scaling_dynamics as sd
    from scaling_dynamics.scaling import LossTable

    a, b, M = 1.5, 1.25, 4000
    spec = sd.Spectrum.power_law(a, b, M=M)
    t_train = np.geomspace(1, 100, 7 if quick else 9)
    rows_n, rows_t, rows_l = [], [], []
    for i, n in enumerate((8, 16, 32, 64)):
        c = sd.simulate(spec, N=n, P=math.inf, times=t_train, n_seeds=8, seed=i)
        rows_n += [n] * t_train.size
        rows_t += list(t_train)
        rows_l += list(c.test_loss)
    train = LossTable(np.array(rows_n, float), np.array(rows_t), np.array(rows_l), "simulate")
    held_n, held_t, held_l = [], [], []
    t_held = np.array([100.0, 300.0, 1000.0])
    for i, n in enumerate((256, 512)):
        c = sd.simulate(spec, N=n, P=math.inf, times=t_held, n_seeds=8 if quick else 32,
                        seed=100 + i)
        held_n += [n] * t_held.size
        held_t += list(t_held)
        held_l += list(c.test_loss)
    c = sd.simulate(spec, N=64, P=math.inf, times=[1000.0], n_seeds=8 if quick else 32,
                    seed=200)
    held_n.append(64)
    held_t.append(1000.0)
    held_l.append(float(c.test_loss[0]))
    held = LossTable(np.array(held_n, float), np.array(held_t), np.array(held_l), "simulate")
    what = (f"simulated gradient flow, a = {a}, b = {b}, M = {M}, P = inf, sigma = 0; fitted "
            f"on N = 8..64, t = 1..100 ({train.n_points} points, 8 seeds each); held out "
            "N = 256, 512 at t = 100, 300, 1000 and N = 64 at t = 1000 (32 seeds)")
    return train, held, what


def digits(quick: bool) -> tuple[object, object, str]:
    """(train, held-out) LossTables from MLPs trained on the digits."""
    import torch

    from scaling_dynamics.empirical import load_digits_binary, make_mlp, train_network
    from scaling_dynamics.scaling import LossTable

    torch.set_num_threads(1)
    data = load_digits_binary(seed=0)
    train_set, test_set = data.split(1000)
    steps = np.unique(np.round(np.geomspace(10, 300 if quick else 1000, 8 if quick else 11)))
    fit_widths = (8, 16, 32, 64) if quick else (8, 16, 32, 64, 128)
    widest = 256 if quick else 1024
    inits = 2 if quick else 3
    out = []
    for widths in (fit_widths, (widest,)):
        n_, t_, l_ = [], [], []
        for w in widths:
            curves = [train_network(make_mlp(64, w, depth=1, seed=s), train_set, test_set,
                                    steps, 1.0, progress=False).test_loss
                      for s in range(inits)]
            n_ += [w] * steps.size
            t_ += list(steps)
            l_ += list(np.mean(curves, axis=0))
        out.append(LossTable(np.array(n_, float), np.array(t_, float), np.array(l_),
                             "digits"))
    what = (f"one-hidden-layer ReLU MLPs (NTK parameterisation, GD eta = 1) on the digits, "
            f"1000 training / 797 test samples, test loss averaged over {inits} "
            f"initialisations; fitted on widths {', '.join(map(str, fit_widths))} at steps "
            f"{int(steps[0])}..{int(steps[-1])}; held out: width {widest} at the same steps")
    return out[0], out[1], what


# ---------------------------------------------------------------------------- fits
def fit_both(train: object, quick: bool) -> dict[str, object]:
    from scaling_dynamics.scaling import fit_chinchilla, fit_theory

    fits: dict[str, object] = {}
    start = time.perf_counter()
    fits["chinchilla"] = fit_chinchilla(train.model_size, train.steps, train.loss,
                                        n_bootstrap=100, holdout_fraction=None,
                                        progress=False)
    fits["_chinchilla_s"] = time.perf_counter() - start
    start = time.perf_counter()
    opts = dict(coarse_evaluations=6, fine_evaluations=3) if quick else {}
    fits["theory"] = fit_theory(train.model_size, train.steps, train.loss,
                                holdout_fraction=None, progress=False, **opts)
    fits["_theory_s"] = time.perf_counter() - start
    return fits


def forecasts(fit: object, held: object) -> list[object]:
    """``fit.forecast`` at the held-out points; the point forecast alone where a fit has none."""
    from scaling_dynamics.scaling import Forecast

    if hasattr(fit, "forecast"):
        return fit.forecast(held.model_size, held.steps, level=LEVEL)
    pred = fit.predict(held.model_size, held.steps)
    return [Forecast(model_size=float(n), steps=float(t), loss=float(p), low=math.nan,
                     high=math.nan, level=LEVEL, method="none")
            for n, t, p in zip(held.model_size, held.steps, pred, strict=True)]


def part_forecast(name: str, train: object, held: object, what: str, quick: bool,
                  size_label: str) -> list[str]:
    from scaling_dynamics.plots.forecast import plot_forecast

    fits = fit_both(train, quick)
    laws = {k: v for k, v in fits.items() if not k.startswith("_")}
    fc = {k: forecasts(v, held) for k, v in laws.items()}
    lines = [f"## {name}", "", what + ".", "",
             f"| {size_label} | t | truth | Chinchilla [90 % interval] | error | theory "
             "[90 % interval] | error |", "|---|---|---|---|---|---|---|"]
    errs = {k: [] for k in laws}
    inside = {k: [] for k in laws}
    for i in range(held.n_points):
        cells = [f"{held.model_size[i]:.4g}", f"{held.steps[i]:.4g}", f"{held.loss[i]:.4g}"]
        for k in ("chinchilla", "theory"):
            f = fc[k][i]
            err = f.loss / held.loss[i] - 1
            errs[k].append(err)
            iv = (f" [{f.low:.4g}, {f.high:.4g}]" if math.isfinite(f.low) else " [-]")
            if math.isfinite(f.low):
                inside[k].append(f.low <= held.loss[i] <= f.high)
            cells += [f"{f.loss:.4g}{iv}", f"{err:+.1%}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for k in ("chinchilla", "theory"):
        e = np.abs(errs[k])
        cover = (f"truth inside the 90 % interval at {sum(inside[k])}/{len(inside[k])} points"
                 if inside[k] else "no interval")
        lines.append(f"* {k}: largest error {e.max():.1%}, mean |error| {e.mean():.1%}; "
                     f"{cover}; fit {fits['_' + k + '_s']:.1f} s")
    th = laws["theory"]
    ch = laws["chinchilla"]
    lines.append(f"* fitted: Chinchilla alpha = {ch.alpha:.3f}, beta = {ch.beta:.3f}, E = "
                 f"{ch.E:.3g}; theory a = {th.a:.3f}, b = {th.b:.3f}, sigma = {th.sigma:.3g}")
    os.makedirs(FIGURES, exist_ok=True)
    fig_path = os.path.join(FIGURES, f"forecast_{name}.png")
    plot_forecast(train, held, laws, fc, title=f"held-out forecast: {name}",
                  size_label=size_label, path=fig_path)
    lines += ["", f"Figure: `docs/figures/forecast_{name}.png`.", ""]
    return lines


def part_speed(quick: bool) -> list[str]:
    from scaling_dynamics.scaling import fit_chinchilla

    lines = ["## Speed of the Chinchilla-style fit", "",
             "Default options (16 starts, 100 bootstrap resamples, 20 % hold-out refit); "
             "data: N log-uniform in 1e2..1e5, t in 10..1e5, L = 0.2 + 5 N^-0.4 + 3 t^-0.3 "
             "with 1 % log-normal noise; best of 2 (wall, and CPU time of this process: on "
             "a shared machine the CPU time is the figure an idle machine would show).", "",
             "| rows | wall s | CPU s | alpha [95 %] | beta [95 %] | Newton fallbacks |",
             "|---|---|---|---|---|---|"]
    rng = np.random.default_rng(1)
    for n in ((10_000, 100_000) if quick else (10_000, 100_000, 1_000_000)):
        N = np.exp(rng.uniform(math.log(1e2), math.log(1e5), n))
        t = np.exp(rng.uniform(math.log(10), math.log(1e5), n))
        L = (0.2 + 5 * N**-0.4 + 3 * t**-0.3) * np.exp(0.01 * rng.standard_normal(n))
        best = (math.inf, math.inf)
        for _ in range(2):
            w0, c0 = time.perf_counter(), time.process_time()
            fit = fit_chinchilla(N, t, L, progress=False)
            best = min(best, (time.perf_counter() - w0, time.process_time() - c0))
        ia, ib = fit.intervals["alpha"], fit.intervals["beta"]
        lines.append(f"| {n:.0e} | {best[0]:.1f} | {best[1]:.1f} | {fit.alpha:.4f} "
                     f"[{ia[0]:.4f}, {ia[1]:.4f}] | {fit.beta:.4f} [{ib[0]:.4f}, {ib[1]:.4f}] "
                     f"| {fit.diagnostics.get('bootstrap_fallbacks', 0)} |")
    return lines + [""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("sim", "digits", "speed", "all"), default="all")
    ap.add_argument("--quick", action="store_true", help="smaller runs, fewer theory evaluations")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "forecast.md"))
    args = ap.parse_args()
    lines = ["# Held-out forecasts: Chinchilla-style law against the theory", "",
             f"Machine: {describe()}", f"At start: {load_line()}", ""]
    if args.part in ("sim", "all"):
        lines += part_forecast("simulations", *simulated(args.quick), args.quick, "N")
    if args.part in ("digits", "all"):
        lines += part_forecast("digits", *digits(args.quick), args.quick, "width")
    if args.part in ("speed", "all"):
        lines += part_speed(args.quick)
    lines.append(f"At end: {load_line()}")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.out, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
