r"""Figure ``finite-size``: finite-width (and finite-data) corrections, early against late.

.. math:: \Delta L(t, N) = L(t, N) - L(t, N = \infty)\quad (P = \infty), \qquad
          \Delta L(t, P) = L(t, P) - L(t, P = \infty)\quad (N = \infty).

Early in training :math:`\Delta L \propto 1/N` (resp. :math:`1/P`) whatever the task; late
in training the exponent becomes task dependent, :math:`N^{-\min(a-1, b)}` and
:math:`P^{-m}` at :math:`t = \infty` (Bordelon et al. 2024, section 5). The exponent at each
time is measured from the theory with M infinite
(:func:`scaling_dynamics.scaling.finite_size_corrections`); simulations at a finite M
check the corrections against the theory at the same M. The reference
:math:`N = P = \infty` is deterministic, so the standard error of a simulated correction is
that of :math:`L(t, N)`.
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
    Timer,
    finish,
    footnote,
    pick,
    power_law,
    run_simulation,
)
from ._panels import FigureData, Panel, guide, hline, points, theory
from ._types import ExponentCheck, FigureResult

NAME = "finite-size"
TITLE = "Early versus late finite-width and finite-data corrections"
SUMMARY = "L(t,N) - L(t,inf) and L(t,P) - L(t,inf): 1/N, 1/P early, task exponent late"

_SIZES = {
    "tiny": dict(sizes=(50, 100, 200, 400), times=(1.0, 10.0, 100.0, 1e3), M=200, seeds=4,
                 sim_sizes=(10, 20, 40), sim_times=(1.0, 10.0, 100.0)),
    "default": dict(sizes=(250, 500, 1000, 2000, 4000, 8000),
                    times=(0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5), M=2000, seeds=32,
                    sim_sizes=(25, 50, 100, 200, 400), sim_times=(1.0, 10.0, 100.0, 1e3)),
    "full": dict(sizes=(250, 500, 1000, 2000, 4000, 8000, 16000, 32000),
                 times=(0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6), M=8000, seeds=32,
                 sim_sizes=(25, 50, 100, 200, 400, 800, 1600),
                 sim_times=(1.0, 10.0, 100.0, 1e3, 1e4)),
}


def make(out_dir: str, preset: str = "default", progress: bool | None = None) -> FigureResult:
    from .._progress import progress_bar
    from ..scaling import finite_size_corrections
    from ..theory import predict

    timer = Timer()
    cfg = pick(preset, _SIZES)
    M, seeds = cfg["M"], cfg["seeds"]
    e = closed_form_exponents(A_PAPER, B_PAPER)
    spec_inf = power_law(math.inf)
    spec = power_law(M)
    x_sim = np.asarray(cfg["sim_sizes"], float)
    t_sim = np.asarray(cfg["sim_times"], float)
    corrections = {v: finite_size_corrections(spec_inf, vary=v, sizes=cfg["sizes"],
                                              times=cfg["times"], progress=progress)
                   for v in ("N", "P")}
    ref_sim = run_simulation(spec, math.inf, math.inf, t_sim, 1).test_loss
    ref_th = predict(spec, math.inf, math.inf, t_sim).test_loss
    panels, agreement, exponents = [], [], []
    with progress_bar(2 * x_sim.size, NAME, progress, unit="run") as bar:
        for v in ("N", "P"):
            sim, sem, th = np.empty((3, t_sim.size, x_sim.size))
            for j, x in enumerate(x_sim):
                n, p = (int(x), math.inf) if v == "N" else (math.inf, int(x))
                c = run_simulation(spec, n, p, t_sim, seeds)
                sim[:, j] = c.test_loss - ref_sim
                sem[:, j] = c.test_loss_sem
                th[:, j] = predict(spec, n, p, t_sim).test_loss - ref_th
                bar.update()
            panels += _correction_panels(v, corrections[v], x_sim, t_sim, (sim, sem, th), M,
                                         seeds, agreement, exponents)
    fig = FigureData(
        title=f"Finite-size corrections: universal early, task-dependent late "
              f"(a = {A_PAPER}, b = {B_PAPER})",
        panels=tuple(panels), ncols=2, panel_width=5.0, panel_height=3.5,
        footnote=footnote(seeds),
    )
    caption = (
        "Left: the correction to the infinite-size loss from a finite model (top, P = inf) or "
        f"finite data (bottom, N = inf) against the size at several times, at M = {M}: theory "
        f"lines over simulation points ({seeds} seeds). Right: the exponent of the correction "
        "measured from the theory with M = inf at each time: 1 early in training (a universal "
        f"1/N or 1/P), drifting to the task-dependent min(a-1, b) = {e.model_single:g} for N and "
        f"m = {e.data:g} for P at t = inf (a = {A_PAPER}, b = {B_PAPER}, sigma = 0)."
    )
    params = dict(a=A_PAPER, b=B_PAPER, sigma=0.0, theory_sizes=list(cfg["sizes"]),
                  theory_times=list(cfg["times"]), M_theory=math.inf, M_simulation=M,
                  seeds=seeds, simulated_sizes=x_sim, simulated_times=t_sim)
    return finish(name=NAME, title=TITLE, out_dir=out_dir, preset=preset, figure=fig,
                  caption=caption, params=params, agreement=agreement, exponents=exponents,
                  timer=timer)


def _correction_panels(v: str, r: Any, x_sim: np.ndarray, t_sim: np.ndarray,
                       simulated: tuple[np.ndarray, np.ndarray, np.ndarray], M: int, seeds: int,
                       agreement: list, exponents: list) -> list[Panel]:
    """The two panels of the finite-``v`` correction: simulated at M, and its exponent (M = inf).

    ``simulated`` is (simulation mean, sem, theory at M) of the correction, shape
    (times, sizes); the comparisons and exponent checks are appended to the lists given.
    """
    sim, sem, th = simulated
    other = "P" if v == "N" else "N"
    late = r.late_closed_form
    series = []
    for i, t in enumerate(t_sim):
        fam = (i, t_sim.size)
        series.append(theory(x_sim, th[i], f"t = {t:g}", family=fam))
        series.append(points(x_sim, sim[i], sem[i], family=fam))
        agreement.append(compare_curve(f"L(t,{v}) - L(t,inf) at t = {t:g}, M = {M}",
                                       x_sim, th[i], sim[i], sem[i], x_name=v,
                                       n_seeds=seeds))
    series.append(guide(x_sim, th[0, -1], x_sim[-1], -1.0, f"1/{v}"))
    series.append(guide(x_sim, th[-1, -1], x_sim[-1], -late, f"{v}^-{late:g}", color="C3"))
    lo = r.sizes[r.sizes >= r.sizes[-1] / 10.0**r.fit_decades][0]
    src = f"theory, M = inf, {other} = inf, fit over {v} = {lo:g}..{r.sizes[-1]:g}"
    exponents.append(ExponentCheck(
        f"early finite-{v} correction ~ {v}^-r (t = {r.times[0]:g})",
        float(r.exponents[0]), 1.0, src))
    exponents.append(ExponentCheck(
        f"late finite-{v} correction ~ {v}^-r (t = inf)", r.limit_exponent, late, src))
    return [
        Panel(f"finite-{v} correction ({other} = inf, M = {M})", f"{v}",
              f"L(t, {v}) - L(t, {v} = inf)", tuple(series)),
        Panel(
            f"its exponent from the theory (M = inf, {v} = {r.sizes[0]:g}..{r.sizes[-1]:g})",
            "time t", f"-d log correction / d log {v}",
            (theory(r.times, r.exponents, "fitted at time t", color="C0", style="o-"),
             hline(r.limit_exponent, f"t = inf: {r.limit_exponent:.3f}", color="C0",
                   style="-."),
             hline(1.0, "universal 1 (early)"),
             hline(late, f"task-dependent {late:g} (late)", color="C3", style="--")),
            yscale="linear"),
    ]
