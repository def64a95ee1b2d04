"""Feature-learning model: theory speed, reduction against direct simulation, the circle task.

Four tables (issue 16, "How it is checked"):

1. N = M = inf theory: one curve of 100 log-spaced times up to t = 1e10 (best of
   ``--repeats`` after a warm-up; wall and CPU time, the machine being shared).
2. GD on the model at finite N: the exact reduction (one SVD, O(N) per step) against the
   direct simulation of (w, B) (O(N M + N^2) per step), same A0, same steps; time and the
   largest relative difference of the two curves (the reduced map differs from GD on
   (w, B) by O(eta) at gamma > 0, docs/feature-learning.md section 2).
3. The circle task at the ``full`` preset of the ``circle-task`` figure (a muP ReLU network
   trained online with torch on CPU): wall time, measured alpha, late-time slopes with their
   standard errors against the closed forms; ``--quick`` runs the ``default`` preset.
4. The circle task at q = 2.5: the lazy linearisation's slope against width, and the
   infinite-width kernel's (why q = 2.5 runs at width 4096 in the ``full`` preset).

    python benchmarks/bench_feature_learning.py [--repeats 3] [--quick] [--skip-circle]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
from _machine import write_result

from scaling_dynamics import Spectrum
from scaling_dynamics.models import predict, simulate
from scaling_dynamics.optimizers import make_optimizer


def best_time(fn, repeats: int) -> tuple[float, float, object]:
    """Best wall and best CPU seconds of ``repeats`` calls after one warm-up."""
    out = fn()
    wall = cpu = math.inf
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, out


def theory_table(repeats: int) -> str:
    times = np.logspace(0, 10, 100)
    rows = []
    for a, b, gamma in ((1.5, 1.25, 1.0), (2.0, 2.0, 0.01), (2.0, 2.0, 1.0), (4.0, 2.0, 1.0),
                        (1.45, 1.5, 100.0)):
        spec = Spectrum.power_law(a, b, math.inf)
        wall, cpu, c = best_time(lambda spec=spec, g=gamma: predict(
            spec, math.inf, math.inf, times, model="feature-learning", gamma=g), repeats)
        L = c.test_loss
        slope = -np.polyfit(np.log(times[-20:]), np.log(L[-20:]), 1)[0]
        alpha, beta = b, (a - 1) / b
        chi = beta * max(1.0, 2.0 / (1.0 + beta))
        rows.append(f"| {alpha:g} | {beta:g} | {gamma:g} | {wall * 1e3:.0f} | {cpu * 1e3:.0f} | "
                    f"{slope:.4f} | {chi:.4f} |")
    return (
        "## 1. N = M = inf theory, one curve of 100 times in [1, 1e10]\n\n"
        f"Best of {repeats} after a warm-up.\n\n"
        "| alpha | beta | gamma | wall ms | CPU ms | slope over [1.6e8, 1e10] | "
        "chi = beta max(1, 2/(1+beta)) |\n|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )


def reduction_table(repeats: int) -> str:
    rows = []
    eta = 0.02
    steps = np.unique(np.round(np.geomspace(1, 2000, 12)))
    for N, M in ((100, 400), (200, 800), (400, 1600)):
        spec = Spectrum.power_law(2.0, 2.0, M)
        gd = make_optimizer("gd", eta=eta)
        out = {}
        for method in ("exact", "literal"):
            out[method] = best_time(lambda method=method, spec=spec, N=N, gd=gd: simulate(
                spec, N, math.inf, steps, model="feature-learning", gamma=1.0, optimizer=gd,
                method=method, n_seeds=1, seed=0), max(1, repeats - 2))
        L_e, L_l = out["exact"][2].test_loss, out["literal"][2].test_loss
        gap = float(np.max(np.abs(L_e / L_l - 1)))
        rows.append(f"| {N} | {M} | {int(steps[-1])} | {out['exact'][0]:.3f} | "
                    f"{out['literal'][0]:.3f} | {out['literal'][0] / out['exact'][0]:.1f} | "
                    f"{out['exact'][1]:.3f} | {out['literal'][1]:.3f} | {gap:.2e} |")
    flow_rows = []
    t_end, eta_direct = 1000.0, 0.05
    for N, M in ((100, 400), (200, 800)):
        spec = Spectrum.power_law(2.0, 2.0, M)
        times = np.geomspace(1.0, t_end, 10)
        w_f, c_f, flow = best_time(lambda spec=spec, N=N, times=times: simulate(
            spec, N, math.inf, times, model="feature-learning", gamma=1.0, n_seeds=1, seed=0),
            1)
        gd = make_optimizer("gd", eta=eta_direct)
        steps_d = np.round(times / eta_direct)
        w0, c0 = time.perf_counter(), time.process_time()
        direct = simulate(spec, N, math.inf, steps_d, model="feature-learning", gamma=1.0,
                          optimizer=gd, method="literal", n_seeds=1, seed=0)
        w_d, c_d = time.perf_counter() - w0, time.process_time() - c0
        gap = float(np.max(np.abs(direct.test_loss / flow.test_loss - 1)))
        flow_rows.append(f"| {N} | {M} | {w_f:.3f} | {c_f:.3f} | {int(steps_d[-1])} | "
                         f"{w_d:.2f} | {c_d:.2f} | {c_d / c_f:.0f} | {gap:.2e} |")
    return (
        "## 2. GD on the model: exact reduction against direct (w, B) simulation\n\n"
        f"alpha = 2, beta = 0.5 (library a = b = 2), gamma = 1, eta = {eta}, one A0, "
        "the same steps; best of the runs after a warm-up. The gap is O(eta) at gamma > 0 "
        "(the reduced map is GD on the reduced variables, which breaks the conservation law "
        "by O(eta^2) per step).\n\n"
        "| N | M | steps | reduction s | direct s | ratio | reduction CPU s | direct CPU s | "
        "max rel. gap |\n|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
        + f"\n\nGradient flow to t = {t_end:g}: the reduction (exponential integrator, "
        "h = 0.005 t) against direct GD on (w, B) with eta = "
        f"{eta_direct} (t / eta steps); the gap is the O(eta) of direct GD.\n\n"
        "| N | M | reduction s | reduction CPU s | direct steps | direct s | direct CPU s | "
        "CPU ratio | max rel. gap |\n|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(flow_rows)
    )


def circle_table(preset: str) -> tuple[str, dict]:
    import torch

    from scaling_dynamics.empirical import circle_task
    from scaling_dynamics.reproduce._fig_circle import _GAMMA0, _Q, _SIZES

    torch.set_num_threads(1)
    cfg = _SIZES[preset]
    w0, c0 = time.perf_counter(), time.process_time()
    r = circle_task(_Q, _GAMMA0, **cfg)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    rows = []
    for i, q in enumerate(r.q):
        for j, g in enumerate(r.gamma0):
            kind = "lazy" if j == 0 else "rich"
            pred = r.predicted_lazy[i] if j == 0 else r.predicted_rich[i]
            lo, hi = r.window[i, j]
            rows.append(
                f"| {q:g} | {r.beta[i]:g} | {g:g} ({kind}) | [{lo:.3g}, {hi:.3g}] | "
                f"{r.slope_mean[i, j]:.3f} ± {r.slope_sem[i, j]:.3f} | {pred:.3f} | "
                f"{r.common_slope_mean[i, j]:.3f} ± {r.common_slope_sem[i, j]:.3f} | "
                f"{r.lazy_theory_slope[i, j]:.3f} | "
                f"{r.loss_mean[i, j, -1]:.4g} | {r.lazy_theory[i, j, -1]:.4g} |")
    lo, hi = r.common_window
    body = (
        f"## 3. Circle task ({preset} preset of the `circle-task` figure)\n\n"
        f"Settings: {json.dumps({k: v for k, v in cfg.items()})}; q = {list(_Q)}, "
        f"gamma0 = {list(_GAMMA0)}; torch {torch.__version__} on CPU, 1 thread. "
        f"Wall time {wall:.0f} s (CPU {cpu:.0f} s) for all {len(_Q) * len(_GAMMA0)} "
        f"configurations x {cfg['seeds']} seeds (the networks of one width "
        "trained together as batched tensors).\n\n"
        f"Initial NTK (seed mean, {cfg['ntk_grid']} angles): alpha = {r.alpha:.3f} "
        f"(95 % bootstrap {r.alpha_ci[0]:.3f}..{r.alpha_ci[1]:.3f}, sorted modes "
        f"{r.alpha_modes[0]}..{r.alpha_modes[1]}); beta = q - 1/2 = {[float(x) for x in r.beta]}; "
        f"(a - 1)/b fitted on the kernel's eigenbasis: "
        f"{', '.join(f'{x:.3f}' for x in r.beta_measured)}.\n\n"
        f"Slopes: least squares of log L on log t per seed over each run's last decade, mean "
        f"± s.e. over seeds; 'common' over the window of the shortest run, t in "
        f"[{lo:.3g}, {hi:.3g}]. 'lin. L(end)': the last loss of gradient flow with each "
        "network's own initial tangent kernel (the lazy reference); 'lin. slope' its slope over "
        "the window.\n\n"
        "| q | beta | gamma0 | window | slope | predicted | common-window slope | "
        "lin. slope | L(end) | lin. L(end) |\n|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nStep factor at the end (rich runs' steps shrink as their kernel grows): "
        + json.dumps(np.round(np.asarray(r.settings["step_factor_end"]), 4).tolist())
    )
    return body, {"wall_s": wall, "cpu_s": cpu, "result": r.to_dict()}


def lazy_width_table(window: tuple[float, float] = (250.0, 2500.0), q: float = 2.5,
                     K: int = 500, seeds: int = 4) -> str:
    """q = 2.5: slope of the lazy linearisation (gradient flow with each network's initial
    tangent kernel, seed mean) over ``window`` against width, and of the infinite-width
    kernel (its Fourier eigenvalues by Monte Carlo over 2^16 neurons, so no finite-width
    mixing of modes)."""
    from scaling_dynamics.empirical._circle import _lazy_curves
    from scaling_dynamics.empirical._models import network_seed

    t = np.geomspace(window[0], window[1], 11)
    rows = []
    for width in (256, 1024, 4096, 16384):
        rng = np.random.default_rng(network_seed(0, width))
        inits = [{"W": rng.standard_normal((width, 2)), "b": rng.standard_normal(width),
                  "v": rng.standard_normal(width)} for _ in range(seeds)]
        w0 = time.perf_counter()
        L = _lazy_curves(inits, 0.5, q, K, t)
        slope = -np.polyfit(np.log(t), np.log(L), 1)[0]
        rows.append(f"| {width} | {slope:.3f} | {L[-1]:.3g} | {time.perf_counter() - w0:.1f} |")
    G = 2048
    theta = 2 * np.pi * np.arange(G) / G
    X = np.stack([np.cos(theta), np.sin(theta)], 1)
    rng = np.random.default_rng(1)
    power = np.zeros(G // 2 + 1)
    for _ in range(16):
        W, b, v = rng.standard_normal((4096, 2)), rng.standard_normal(4096), \
            rng.standard_normal(4096)
        h = X @ W.T / math.sqrt(2.0) + 0.5 * b
        g = (h > 0) * v
        for F in (np.maximum(h, 0.0), g * X[:, :1] / math.sqrt(2.0),
                  g * X[:, 1:] / math.sqrt(2.0), g * 0.5):
            power += (np.abs(np.fft.rfft(F, axis=0)) ** 2).sum(1)
    mu = power[1:K + 1] / (16 * 4096 * G**2)
    k = np.arange(1, K + 1)
    t_inf = np.geomspace(window[0], 1e5, 31)
    L_inf = np.exp(-2.0 * np.outer(t_inf, mu)) @ (k ** (-2.0 * q) / 2)
    inf_rows = []
    for lo in (window[0], 1e3, 1e4):
        sel = (t_inf >= lo * 0.999) & (t_inf <= 10 * lo * 1.001)
        inf_rows.append(f"[{lo:.3g}, {10 * lo:.3g}]: "
                        f"{-np.polyfit(np.log(t_inf[sel]), np.log(L_inf[sel]), 1)[0]:.3f}")
    return (
        f"## 4. Circle task, q = {q:g}: the lazy reference against width\n\n"
        f"Gradient flow with each network's initial tangent kernel (K = {K}, seed mean of "
        f"{seeds} networks with iid standard normal weights, as make_mlp draws them), slope of -log L on log t over t in "
        f"[{window[0]:g}, {window[1]:g}]; the finite-width kernel mixes the large low-frequency "
        "target power into slow directions (a leak falling as 1/width).\n\n"
        "| width | slope | L(end) | s |\n|---|---|---|---|\n" + "\n".join(rows)
        + "\n\nInfinite-width kernel (diagonal in Fourier), slope over "
        + "; ".join(inf_rows) + "; the asymptote is beta = 2."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="circle task at the default preset instead of full")
    parser.add_argument("--skip-circle", action="store_true")
    args = parser.parse_args()
    parts = [theory_table(args.repeats), reduction_table(args.repeats)]
    if not args.skip_circle:
        body, data = circle_table("default" if args.quick else "full")
        parts += [body, lazy_width_table()]
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
        with open(os.path.join(folder, "feature_learning_circle.json"), "w") as fh:
            json.dump(data, fh, indent=1, default=float)
    text = "\n\n".join(parts)
    print(text)
    print(write_result("feature_learning", "Feature-learning model: speed and the circle task",
                       text))


if __name__ == "__main__":
    main()
