r"""Figures ``bottlenecks`` (time, data and model power laws) and ``frontier`` (compute-optimal).

``bottlenecks`` (Bordelon et al. 2024, Eq. 14): the loss with two of the three resources
infinite,

.. math:: L \sim t^{-(a-1)/b}\ (N, P = \infty),\qquad L \sim P^{-m}\ (t, N = \infty),\qquad
          L \sim N^{-m}\ (t, P = \infty),\qquad m = \min(a-1, 2b).

The exponents are measured from the theory with M infinite (:func:`scaling_dynamics.scaling.
measure_exponents`, fit over the last decade); simulations at a finite M confirm the curves
point by point against the theory at that same M, and their own slope is reported too.

``frontier`` (Eq. 17): for budgets :math:`C = N t` the model size :math:`N^*` minimising
:math:`L(N, C/N)` (P infinite) for several b, from the theory
(:func:`scaling_dynamics.scaling.compute_optimal_frontier`), with the closed forms
:math:`N^* \sim C^{(a-1)/(a-1+bm)}`, :math:`t^* \sim C^{bm/(a-1+bm)}`,
:math:`L^* \sim C^{-(a-1)m/(a-1+bm)}`; simulated iso-compute curves at a finite M check the
loss surface the optimiser works on.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..scaling._exponents import closed_form_exponents
from ._agreement import compare_curve
from ._common import (
    A_PAPER,
    B_PAPER,
    T_INFINITY,
    Timer,
    finish,
    footnote,
    pick,
    power_law,
    run_simulation,
)
from ._panels import FigureData, Panel, guide, points, theory
from ._types import ExponentCheck, FigureResult

BOTTLENECKS = "bottlenecks"
BOTTLENECKS_TITLE = "Time, data and model bottlenecks"
BOTTLENECKS_SUMMARY = "L ~ t^-(a-1)/b, P^-m, N^-m: theory (M = inf) and simulation, fitted exponents"

FRONTIER = "frontier"
FRONTIER_TITLE = "Compute-optimal frontier for several b"
FRONTIER_SUMMARY = "N*, t*, L* against C = N t for several b; simulated iso-compute curves"

_BOTTLENECK_SIZES = {
    "tiny": dict(M=200, seeds=4, times=np.geomspace(1, 1e4, 9), sizes=np.geomspace(10, 1e3, 7),
                 sim_times=np.geomspace(1, 1e3, 5), sim_sizes=(5, 10, 20, 40)),
    "default": dict(M=2000, seeds=32, times=None, sizes=None,
                    sim_times=np.geomspace(1, 1e4, 9), sim_sizes=(10, 20, 50, 100, 200, 500)),
    "full": dict(M=8000, seeds=32, times=np.geomspace(1, 1e7, 29),
                 sizes=np.geomspace(10, 1e6, 25), sim_times=np.geomspace(1, 1e5, 11),
                 sim_sizes=(10, 20, 50, 100, 200, 500, 1000, 2000)),
}

_FRONTIER_SIZES = {
    "tiny": dict(bs=(1.25, 2.0), budgets=np.geomspace(1e3, 1e6, 4), n_grid=7, M=200, seeds=4,
                 sim_budgets=(1e2, 1e3), sim_n=6),
    "default": dict(bs=(1.25, 1.5, 2.0), budgets=np.geomspace(1e3, 1e9, 7), n_grid=11, M=2000,
                    seeds=32, sim_budgets=(1e3, 1e4, 1e5), sim_n=9),
    "full": dict(bs=(1.1, 1.25, 1.5, 2.0), budgets=np.geomspace(1e3, 1e12, 10), n_grid=17,
                 M=8000, seeds=32, sim_budgets=(1e3, 1e4, 1e5, 1e6), sim_n=13),
}


def make_bottlenecks(out_dir: str, preset: str = "default",
                     progress: bool | None = None) -> FigureResult:
    from ..scaling import measure_exponents

    timer = Timer()
    cfg = pick(preset, _BOTTLENECK_SIZES)
    M, seeds = cfg["M"], cfg["seeds"]
    spec = power_law(M)
    grids = {k: cfg[k] for k in ("times",) if cfg[k] is not None}
    if cfg["sizes"] is not None:
        grids.update(model_sizes=cfg["sizes"], sample_sizes=cfg["sizes"])
    sweeps = measure_exponents(A_PAPER, B_PAPER, progress=progress, **grids)
    e = sweeps.exponents
    t_sim = np.asarray(cfg["sim_times"], float)
    x_sim = np.asarray(cfg["sim_sizes"], float)
    agreement, exponents, panels = [], [], []
    sim_t, th_t, sim_n, sem_n, th_n, sim_p, sem_p, th_p = _bottleneck_runs(
        spec, t_sim, x_sim, seeds, progress)
    rows = (
        (sweeps.time, t_sim, sim_t.test_loss, np.zeros(t_sim.size), th_t, "t",
         "time bottleneck: L ~ t^-r (N = P = inf)", "t (gradient-flow time)", 1),
        (sweeps.data, x_sim, sim_p, sem_p, th_p, "P",
         "data bottleneck: L ~ P^-r (t = N = inf)", "samples P", seeds),
        (sweeps.model, x_sim, sim_n, sem_n, th_n, "N",
         "model bottleneck: L ~ N^-r (t = P = inf)", "model size N", seeds),
    )
    for sweep, xs, ys, ss, ts, xname, quantity, xlabel, n_seeds in rows:
        closed = sweep.closed_form
        panels.append(Panel(
            f"{sweep.name}: L ~ {xname}^-{closed:.3g}, fitted {sweep.fitted_exponent:.3f}",
            xlabel, "test loss L",
            (
                theory(sweep.x, sweep.loss, "theory, M = inf", color="C0"),
                theory(xs, ts, f"theory, M = {M}", color="C1", style="--"),
                points(xs, ys, ss, f"simulation, M = {M}" + (" (exact)" if n_seeds == 1 else ""),
                       color="C1"),
                guide(sweep.x, sweep.loss[-1], sweep.x[-1], -closed,
                      f"closed form {xname}^-{closed:.3g}"),
            )))
        label = f"{sweep.name} bottleneck, M = {M}" + (
            " (N = P = inf: deterministic)" if n_seeds == 1 else "")
        agreement.append(compare_curve(label, xs, ts, ys, ss, x_name=xname, n_seeds=n_seeds))
        lo = sweep.x[sweep.x >= sweep.x[-1] / 10 ** sweep.fit_decades][0]
        exponents.append(ExponentCheck(
            quantity, sweep.fitted_exponent, closed,
            f"theory, M = inf, fit over {xname} = {lo:.3g}..{sweep.x[-1]:.3g}"))
    fig = FigureData(
        title=f"Resource bottlenecks (a = {A_PAPER}, b = {B_PAPER}, m = min(a-1, 2b) = {e.m:g})",
        panels=tuple(panels),
        footnote=footnote(seeds, "t = inf simulated as t = 1e12; dotted: closed-form power law"),
    )
    params = dict(a=A_PAPER, b=B_PAPER, sigma=0.0, M_theory=math.inf, M_simulation=M,
                  seeds=seeds, theory_times=sweeps.time.x, theory_sizes=sweeps.model.x,
                  simulated_times=t_sim, simulated_sizes=x_sim, t_infinity=T_INFINITY)
    return finish(name=BOTTLENECKS, title=BOTTLENECKS_TITLE, out_dir=out_dir, preset=preset,
                  figure=fig, caption=_bottlenecks_caption(e, M, seeds), params=params,
                  agreement=agreement, exponents=exponents, timer=timer)


def _bottleneck_runs(spec: Any, t_sim: np.ndarray, x_sim: np.ndarray, seeds: int,
                     progress: bool | None) -> tuple[np.ndarray, ...]:
    """Simulation and theory at finite M: along t (N = P = inf), N (t = P = inf), P (t = N = inf).

    Returns the time simulation (LossCurves) and theory, then mean, sem and theory along N,
    and along P.
    """
    from .._progress import progress_bar
    from ..theory import limit_loss, predict

    with progress_bar(1 + 2 * x_sim.size, BOTTLENECKS, progress, unit="run") as bar:
        # time: N = P = inf is deterministic (one draw; the sem is the accuracy floor)
        sim_t = run_simulation(spec, math.inf, math.inf, t_sim, 1)
        th_t = predict(spec, math.inf, math.inf, t_sim).test_loss
        bar.update()
        sim_n, sem_n, th_n, sim_p, sem_p, th_p = (np.empty(x_sim.size) for _ in range(6))
        for i, x in enumerate(x_sim):
            c = run_simulation(spec, int(x), math.inf, [T_INFINITY], seeds)
            sim_n[i], sem_n[i] = c.test_loss[0], c.test_loss_sem[0]
            th_n[i] = limit_loss(spec, int(x), math.inf).test_loss
            bar.update()
            c = run_simulation(spec, math.inf, int(x), [T_INFINITY], seeds)
            sim_p[i], sem_p[i] = c.test_loss[0], c.test_loss_sem[0]
            th_p[i] = limit_loss(spec, math.inf, int(x)).test_loss
            bar.update()
    return sim_t, th_t, sim_n, sem_n, th_n, sim_p, sem_p, th_p


def _bottlenecks_caption(e: Any, M: int, seeds: int) -> str:
    return (
        "Each resource alone limits the loss as a power law (Bordelon et al. 2024, Eq. 14): "
        f"time L ~ t^-(a-1)/b = t^-{e.time:.3g} with N = P = inf; data L ~ P^-m = P^-{e.data:g} "
        f"at t = N = inf; model L ~ N^-m = N^-{e.model:g} at t = P = inf "
        f"(a = {A_PAPER}, b = {B_PAPER}, sigma = 0). Solid: theory with M = inf, whose slope over "
        f"the last decade is the measured exponent; dashed: theory at the simulated M = {M}; "
        f"points: simulations at M = {M} ({seeds} seeds; N = P = inf is a single exact run), "
        f"checked point by point against the theory at that M; with a = {A_PAPER} the modes beyond M "
        "carry a loss of order M^-(a-1), so the exponents are measured on the M = inf theory. "
        "The time exponent is smaller than the model and data exponents: the origin of the "
        "asymmetric compute-optimal allocation."
    )


def make_frontier(out_dir: str, preset: str = "default",
                  progress: bool | None = None) -> FigureResult:
    from ..scaling import compute_optimal_frontier

    timer = Timer()
    cfg = pick(preset, _FRONTIER_SIZES)
    bs, budgets = cfg["bs"], np.asarray(cfg["budgets"], float)
    frontiers = []
    for b in bs:
        frontiers.append(compute_optimal_frontier(power_law(math.inf, b=b), budgets,
                                                  n_grid=cfg["n_grid"], progress=progress))
    M, seeds = cfg["M"], cfg["seeds"]
    sim_budgets = np.asarray(cfg["sim_budgets"], float)
    n_grid, series_a, agreement = _iso_compute(cfg, sim_budgets, progress)
    series_b, series_c, exponents = _frontier_series(bs, frontiers, budgets)
    fig = FigureData(
        title=f"Compute-optimal frontier, C = N t (a = {A_PAPER}, P = inf)",
        panels=(
            Panel(f"iso-compute curves, b = {B_PAPER}, M = {M} (* grid optimum)",
                  "model size N (t = C / N)", "test loss L(N, C/N)", tuple(series_a)),
            Panel("compute-optimal allocation (M = inf)", "compute C = N t", "N* (o), t* (s)",
                  tuple(series_b), legend_fontsize=6.0),
            Panel("compute-optimal loss (M = inf)", "compute C = N t", "L*(C)", tuple(series_c),
                  legend_fontsize=6.0),
        ),
        footnote=footnote(seeds, "frontier: theory minimised over N (grid, then lattices)"),
    )
    caption = (
        f"For budgets C = N t the theory's loss L(N, C/N) (P = inf, a = {A_PAPER}) is minimised "
        f"over N for b = {', '.join(f'{b:g}' for b in bs)}. Steps grow faster than parameters "
        f"(t* ~ C^(b/(1+b)), N* ~ C^(1/(1+b)) for a - 1 < 2b), more so for larger b; "
        f"L* ~ C^-(a-1)/(1+b). Left: iso-compute curves at M = {M}, b = {B_PAPER}, "
        f"theory lines over simulation points ({seeds} seeds), star at the theory's grid optimum. "
        "Middle and right: the frontier with M = inf and the closed forms (dotted)."
    )
    params = dict(a=A_PAPER, b_values=list(bs), P=math.inf, M_frontier=math.inf, budgets=budgets,
                  n_grid=cfg["n_grid"], M_simulation=M, b_simulation=B_PAPER, seeds=seeds,
                  simulated_budgets=sim_budgets, simulated_N=n_grid)
    return finish(name=FRONTIER, title=FRONTIER_TITLE, out_dir=out_dir, preset=preset,
                  figure=fig, caption=caption, params=params, agreement=agreement,
                  exponents=exponents, timer=timer)


def _iso_compute(cfg: dict, sim_budgets: np.ndarray, progress: bool | None
                 ) -> tuple[np.ndarray, list, list]:
    """Iso-compute curves L(N, C/N) at finite M, P = inf: theory lines over simulation points.

    Returns the grid of N, the series of the left panel and their agreement.
    """
    from .._progress import progress_bar
    from ..theory import predict

    M, seeds = cfg["M"], cfg["seeds"]
    spec = power_law(M)
    n_grid = np.unique(np.round(np.geomspace(2, sim_budgets[-1] / 2, cfg["sim_n"])))
    n_grid = n_grid[n_grid <= M / 4]
    iso_th = np.full((sim_budgets.size, n_grid.size), np.nan)
    iso_sim = np.full_like(iso_th, np.nan)
    iso_sem = np.full_like(iso_th, np.nan)
    with progress_bar(n_grid.size, FRONTIER, progress, unit="N") as bar:
        for j, n in enumerate(n_grid):
            use = sim_budgets / n >= 1.0
            if use.any():
                t = sim_budgets[use] / n
                c = run_simulation(spec, int(n), math.inf, t, seeds)
                iso_sim[use, j], iso_sem[use, j] = c.test_loss, c.test_loss_sem
                iso_th[use, j] = predict(spec, int(n), math.inf, t).test_loss
            bar.update()
    agreement, series_a = [], []
    for i, C in enumerate(sim_budgets):
        ok = np.isfinite(iso_th[i])
        fam = (i, sim_budgets.size)
        series_a.append(theory(n_grid[ok], iso_th[i, ok], f"C = {C:.0e}", family=fam,
                               smooth=True))
        series_a.append(points(n_grid[ok], iso_sim[i, ok], iso_sem[i, ok], family=fam))
        j = int(np.nanargmin(iso_th[i]))
        series_a.append(theory([n_grid[j]], [iso_th[i, j]], family=fam, style="*"))
        agreement.append(compare_curve(f"iso-compute C = {C:.0e}, M = {M}", n_grid[ok],
                                       iso_th[i, ok], iso_sim[i, ok], iso_sem[i, ok],
                                       x_name="N", n_seeds=seeds))
    return n_grid, series_a, agreement


def _frontier_series(bs: tuple, frontiers: list, budgets: np.ndarray
                     ) -> tuple[list, list, list]:
    """The allocation and loss panels of the M = inf frontiers, and their exponent checks."""
    series_b, series_c, exponents = [], [], []
    for k, (b, fr) in enumerate(zip(bs, frontiers, strict=True)):
        e = closed_form_exponents(A_PAPER, b)
        fam = (k, len(bs))
        series_b.append(theory(fr.compute, fr.model_size, f"N*, b = {b:g}", family=fam,
                               style="o-"))
        series_b.append(theory(fr.compute, fr.steps, f"t*, b = {b:g}", family=fam, style="s--"))
        series_c.append(theory(fr.compute, fr.loss, f"b = {b:g}: fitted C^-{fr.exponent_loss:.3f}",
                               family=fam, style="o-"))
        series_c.append(guide(fr.compute, fr.loss[-1], fr.compute[-1], -e.compute_loss,
                              f"closed form C^-{e.compute_loss:.3f}", family=fam))
        src = (f"theory frontier, M = P = inf, C = {fr.compute[0]:.0e}..{fr.compute[-1]:.0e}, "
               f"b = {b:g}")
        exponents += [
            ExponentCheck(f"N* ~ C^r (b = {b:g})", fr.exponent_params, e.compute_params, src),
            ExponentCheck(f"t* ~ C^r (b = {b:g})", fr.exponent_steps, e.compute_steps, src),
            ExponentCheck(f"L* ~ C^-r (b = {b:g})", fr.exponent_loss, e.compute_loss, src),
        ]
    e0 = closed_form_exponents(A_PAPER, bs[0])
    series_b.append(guide(budgets, frontiers[0].model_size[-1], budgets[-1], e0.compute_params,
                          f"C^{e0.compute_params:.3f}, C^{e0.compute_steps:.3f} (b = {bs[0]:g})"))
    series_b.append(guide(budgets, frontiers[0].steps[-1], budgets[-1], e0.compute_steps, ""))
    return series_b, series_c, exponents
