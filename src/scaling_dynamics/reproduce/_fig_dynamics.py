r"""Figure ``loss-dynamics``: test loss over time for several N at P = 1000 (the talk's Fig. 2).

Three panels, as in the talk slides (a = 1.5, b = 1.25, P = 1000):

(a) the test loss :math:`L(t)` for several model sizes N (and N = inf): theory lines over
    simulation points;
(b) early-time convergence in N: :math:`L(t, N) - L(t, \infty)` against N at a few early
    times, which falls as :math:`1/N` (universal);
(c) the late-time model bottleneck: :math:`L(t = \infty, N)` against N, which falls as
    :math:`N^{-(a-1)}` while :math:`N \ll P`.

The differences in (b) are formed seed by seed: the runs at every N share the data of
each seed (the simulator's streams), so the difference has a small standard error.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..scaling._allocation import log_slope
from ..scaling._exponents import closed_form_exponents
from ._agreement import compare_curve, seed_statistics
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

NAME = "loss-dynamics"
TITLE = "Test-loss dynamics for several N at fixed P"
SUMMARY = "L(t) for several N at P = 1000 (theory on simulation), 1/N early, N^-(a-1) late"

_SIZES = {
    "tiny": dict(M=200, P=100, Ns=(10, 20, 40), seeds=4, times=np.geomspace(0.5, 1e4, 8),
                 early=(0.5, 2.0), n_late=6),
    "default": dict(M=2000, P=1000, Ns=(25, 50, 100, 200, 400), seeds=32,
                    times=np.geomspace(0.5, 1e5, 17), early=(0.5, 2.0, 8.0), n_late=12),
    "full": dict(M=4000, P=1000, Ns=(25, 50, 100, 200, 400, 800), seeds=64,
                 times=np.geomspace(0.5, 1e6, 29), early=(0.5, 2.0, 8.0), n_late=16),
}


def make(out_dir: str, preset: str = "default", progress: bool | None = None) -> FigureResult:
    timer = Timer()
    cfg = pick(preset, _SIZES)
    M, P, Ns, seeds = cfg["M"], cfg["P"], list(cfg["Ns"]), cfg["seeds"]
    times = np.asarray(cfg["times"], float)
    early = np.asarray(cfg["early"], float)
    spec = power_law(M)
    sim_times = np.unique(np.concatenate([times, early, [T_INFINITY]]))
    i_t = np.searchsorted(sim_times, times)
    i_e = np.searchsorted(sim_times, early)
    sims, theo = _run(spec, Ns + [math.inf], P, sim_times, seeds, progress)
    agreement: list = []
    series_a = _panel_dynamics(Ns, times, i_t, sims, theo, seeds, agreement)
    series_b, slope_early = _panel_early(Ns, early, i_e, sims, theo, seeds, agreement)
    series_c, slope_late, fit_sel, n_grid = _panel_late(spec, Ns, P, cfg["n_late"], sims, seeds,
                                                        agreement)
    e = closed_form_exponents(A_PAPER, B_PAPER)
    fig = FigureData(
        title=f"Test-loss dynamics for several N (a = {A_PAPER}, b = {B_PAPER}, P = {P}, M = {M})",
        panels=(
            Panel(f"(a) P = {P}: test loss dynamics", "t (gradient-flow time)", "test loss L(t)",
                  tuple(series_a)),
            Panel("(b) early time: convergence in N", "model size N",
                  "L(t, N) - L(t, N = inf)", tuple(series_b)),
            Panel("(c) late time: model bottleneck", "model size N", "L(t = inf, N)",
                  tuple(series_c)),
        ),
        footnote=footnote(seeds),
    )
    exponents = (
        ExponentCheck("early-time finite-N correction: L(t,N) - L(t,inf) ~ N^-r", -slope_early,
                      1.0, f"theory at t = {early[0]:g}, N = {Ns[0]}..{Ns[-1]}, P = {P}, M = {M}"),
        ExponentCheck("late-time model bottleneck: L(inf, N) ~ N^-r (N << P)", -slope_late,
                      e.model, f"theory at t = inf, N = {n_grid[fit_sel][0]}.."
                      f"{n_grid[fit_sel][-1]}, P = {P}, M = {M}"),
    )
    params = dict(a=A_PAPER, b=B_PAPER, M=M, P=P, N=Ns, sigma=0.0, seeds=seeds,
                  times=times, early_times=early, t_infinity=T_INFINITY)
    return finish(name=NAME, title=TITLE, out_dir=out_dir, preset=preset, figure=fig,
                  caption=_caption(Ns, P, M, e.model), params=params, agreement=agreement,
                  exponents=exponents, timer=timer)


def _run(spec: Any, sizes: list, P: int, sim_times: np.ndarray, seeds: int,
         progress: bool | None) -> tuple[dict, dict]:
    """Simulations (with t = inf last) and theory (without it) at every N of ``sizes``."""
    from .._progress import progress_bar
    from ..theory import predict

    sims, theo = {}, {}
    with progress_bar(2 * len(sizes), NAME, progress, unit="run") as bar:
        for n in sizes:
            sims[n] = run_simulation(spec, n, P, sim_times, seeds)
            bar.update()
            theo[n] = predict(spec, n, P, sim_times[:-1]).test_loss
            bar.update()
    return sims, theo


def _panel_dynamics(Ns: list, times: np.ndarray, i_t: np.ndarray, sims: dict, theo: dict,
                    seeds: int, agreement: list) -> list:
    """(a) L(t) for each N (and N = inf, black)."""
    colors = {n: (i, len(Ns)) for i, n in enumerate(Ns)}
    series_a = []
    for n in Ns + [math.inf]:
        fam = colors.get(n)
        col = None if fam else "k"
        lab = f"N = {n}"
        sim = sims[n]
        series_a.append(theory(times, theo[n][i_t], lab, family=fam, color=col))
        series_a.append(points(times, sim.test_loss[i_t], sim.test_loss_sem[i_t], family=fam,
                               color=col))
        agreement.append(compare_curve(f"(a) test loss, {lab}", times, theo[n][i_t],
                                       sim.test_loss[i_t], sim.test_loss_sem[i_t],
                                       n_seeds=seeds))
    return series_a


def _panel_early(Ns: list, early: np.ndarray, i_e: np.ndarray, sims: dict, theo: dict,
                 seeds: int, agreement: list) -> tuple[list, float]:
    """(b) early-time correction L(t, N) - L(t, inf) against N, differences seed by seed."""
    series_b = []
    corr_theory = np.array([theo[n][i_e] - theo[math.inf][i_e] for n in Ns])  # (n_N, n_early)
    for j, t in enumerate(early):
        fam = (j, len(early))
        diff = np.array([sims[n].test_loss_seeds[:, i_e[j]] - sims[math.inf].test_loss_seeds[:, i_e[j]]
                         for n in Ns]).T
        mean, sem = seed_statistics(diff)
        series_b.append(theory(Ns, corr_theory[:, j], f"t = {t:g}", family=fam))
        series_b.append(points(Ns, mean, sem, family=fam))
        agreement.append(compare_curve(f"(b) L(t,N) - L(t,inf) at t = {t:g}", Ns,
                                       corr_theory[:, j], mean, sem, x_name="N", n_seeds=seeds))
    series_b.append(guide(Ns, corr_theory[-1, 0], Ns[-1], -1.0, "1/N"))
    slope_early, _ = log_slope(np.array(Ns, float), corr_theory[:, 0])
    return series_b, slope_early


def _panel_late(spec: Any, Ns: list, P: int, n_late: int, sims: dict, seeds: int,
                agreement: list) -> tuple[list, float, np.ndarray, np.ndarray]:
    """(c) late-time model bottleneck L(inf, N) against N; its slope where N << P."""
    from ..theory import limit_loss

    n_grid = np.unique(np.round(np.geomspace(Ns[0], Ns[-1], n_late))).astype(int)
    late_theory = np.array([limit_loss(spec, int(n), P).test_loss for n in n_grid])
    late_at_ns = np.array([limit_loss(spec, int(n), P).test_loss for n in Ns])
    late_sim = np.array([sims[n].test_loss[-1] for n in Ns])
    late_sem = np.array([sims[n].test_loss_sem[-1] for n in Ns])
    agreement.append(compare_curve("(c) L(t = inf, N)", Ns, late_at_ns, late_sim, late_sem,
                                   x_name="N", n_seeds=seeds))
    e = closed_form_exponents(A_PAPER, B_PAPER)
    fit_sel = n_grid <= P / 8
    if fit_sel.sum() < 2:
        fit_sel = np.arange(n_grid.size) < 2
    slope_late, _ = log_slope(n_grid[fit_sel].astype(float), late_theory[fit_sel])
    series_c = [
        theory(n_grid, late_theory, f"theory, P = {P}"),
        points(Ns, late_sim, late_sem, "simulation, t = 1e12"),
        guide(n_grid, late_theory[0], n_grid[0], -e.model, f"N^-{e.model:g} (a - 1)"),
    ]
    return series_c, slope_late, fit_sel, n_grid


def _caption(Ns: list, P: int, M: int, model_exponent: float) -> str:
    return (
        f"(a) Test loss L(t) of gradient flow for N = {', '.join(map(str, Ns))} and N = inf "
        f"with P = {P} samples (a = {A_PAPER}, b = {B_PAPER}, M = {M}, sigma = 0): wider models "
        "train faster and reach a lower floor. (b) Early in training the finite-width "
        "correction L(t, N) - L(t, inf) falls as 1/N at every early time (universal). "
        f"(c) At late time the loss is limited by the model size, L ~ N^-(a-1) = N^-{model_exponent:g} "
        "while N << P, before the variance near N = P takes over. Differences in (b) are taken "
        "seed by seed (shared data)."
    )
