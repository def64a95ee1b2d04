r"""Figures ``ensembling`` (ensembles against width at equal compute) and ``bias-variance``.

An ensemble averages E models of size N trained on the same data with independent
projections; it costs as much compute as one model of size E N. With :math:`C_0` the test
correlation of one model and :math:`C_0^{ab}` that of two members (theory.md section 2),

.. math:: L_E = \frac{C_0}{E} + \Big(1 - \frac1E\Big) C_0^{ab}
              = B + V_{\rm data} + \frac{V_{\rm proj}}{E},

so ensembling removes only the projection variance, while width also lowers the bias
:math:`B` and the data variance (Bordelon et al. 2024, section 6).

Simulation estimates of the parts use the runs with E = 1 and E = 2 of the same seeds (the
first member's projection is shared): :math:`\hat V_{\rm proj} = 2(L_1 - L_2)` and
:math:`\widehat{B + V_{\rm data}} = 2L_2 - L_1`, seed by seed. The bias alone needs an
average over data sets as well and is drawn from the theory only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
    size_text,
)
from ._panels import FigureData, Panel, points, theory
from ._types import FigureResult

ENSEMBLING = "ensembling"
ENSEMBLING_TITLE = "Ensembling against width at equal compute"
ENSEMBLING_SUMMARY = "E models of size N against one model of size E N (same compute)"

BIAS_VARIANCE = "bias-variance"
BIAS_VARIANCE_TITLE = "Bias and variance of the test loss"
BIAS_VARIANCE_SUMMARY = "bias, data variance and projection variance over time and against N"

_ENSEMBLE_SIZES = {
    "tiny": dict(M=200, N=10, P=100, Es=(1, 2, 4), seeds=4, times=np.geomspace(0.5, 1e4, 7)),
    "default": dict(M=2000, N=50, P=1000, Es=(1, 2, 4, 8), seeds=32,
                    times=np.geomspace(0.5, 1e5, 14)),
    "full": dict(M=4000, N=50, P=2000, Es=(1, 2, 4, 8, 16), seeds=64,
                 times=np.geomspace(0.5, 1e6, 22)),
}

_BV_SIZES = {
    "tiny": dict(M=200, N=20, P=60, sigma=0.5, seeds=4, times=np.geomspace(0.5, 1e4, 7),
                 Ns=(10, 20, 40), n_theory=8),
    "default": dict(M=1000, N=100, P=500, sigma=0.5, seeds=32, times=np.geomspace(0.5, 1e5, 14),
                    Ns=(25, 50, 100, 200, 1000), n_theory=30),
    "full": dict(M=4000, N=100, P=1000, sigma=0.5, seeds=64, times=np.geomspace(0.5, 1e6, 22),
                 Ns=(25, 50, 100, 200, 400, 2000, 4000), n_theory=40),
}


def make_ensembling(out_dir: str, preset: str = "default",
                    progress: bool | None = None) -> FigureResult:
    from ..scaling import ensemble_vs_width

    timer = Timer()
    cfg = pick(preset, _ENSEMBLE_SIZES)
    M, N, P, seeds = cfg["M"], cfg["N"], cfg["P"], cfg["seeds"]
    times = np.asarray(cfg["times"], float)
    spec = power_law(M)
    res = ensemble_vs_width(spec, N, P=P, ensemble_sizes=cfg["Es"], times=times,
                            progress=progress)
    es = res.ensemble_sizes
    series_a, agreement, fe, fw = _ensemble_runs(spec, res, N, P, times, seeds, progress)
    e_arr = np.asarray(es, float)
    series_b = (
        theory(e_arr, res.ensemble_final, f"ensemble of E models of size {N}", color="C3"),
        points(e_arr, fe[:, 0], fe[:, 1], color="C3"),
        theory(e_arr, res.wide_final, f"one model of size E x {N}", color="C0", style="--"),
        points(e_arr, fw[:, 0], fw[:, 1], color="C0", style="s", open=True),
    )
    wins_theory = all(bool(w) for w, e in zip(res.wider_wins, es, strict=True) if e > 1)
    wins_sim = all(fw[i, 0] < fe[i, 0] for i, e in enumerate(es) if e > 1)
    verdict = (f"one model of size E N beats E models of size N at t = {times[-1]:g} for every "
               f"E > 1: {'yes' if wins_theory else 'no'} (theory), "
               f"{'yes' if wins_sim else 'no'} (simulation means).")
    fig = FigureData(
        title=f"Ensembling versus width at equal compute (a = {A_PAPER}, b = {B_PAPER}, "
              f"P = {size_text(P)}, M = {M})",
        panels=(
            Panel("ensemble (solid, filled) vs wider (dashed, open)",
                  "t (compute E N t equal in each pair)", "test loss L", tuple(series_a)),
            Panel(f"at t = {times[-1]:g}", "E (compute multiple)", "test loss L", series_b),
        ),
        ncols=2, panel_width=5.0, panel_height=3.7, footnote=footnote(seeds),
    )
    caption = (
        f"E = {', '.join(map(str, es))} models of size N = {N} that share P = {size_text(P)} "
        f"samples and average their predictions, against one model of size E N trained on the "
        f"same data (a = {A_PAPER}, b = {B_PAPER}, M = {M}, sigma = 0). At equal compute the "
        "wider model wins: ensembling only averages away the variance over projections, while "
        "width also lowers the bias; even an infinite ensemble (dotted) stays above the wider "
        f"models. {verdict}"
    )
    params = dict(a=A_PAPER, b=B_PAPER, sigma=0.0, M=M, N=N, P=P, ensemble_sizes=es,
                  seeds=seeds, times=times)
    return finish(name=ENSEMBLING, title=ENSEMBLING_TITLE, out_dir=out_dir, preset=preset,
                  figure=fig, caption=caption, params=params, agreement=agreement,
                  notes=(verdict,), timer=timer)


def _ensemble_runs(spec: Any, res: Any, N: int, P: Any, times: np.ndarray, seeds: int,
                   progress: bool | None) -> tuple[list, list, np.ndarray, np.ndarray]:
    """Simulated ensembles of E x N and single models of E N over time, against the theory.

    Returns the series of the left panel, their agreement, and the final losses (mean, sem)
    of the ensembles and of the wide models (E = 1: the same run on both sides).
    """
    from .._progress import progress_bar

    es = res.ensemble_sizes
    series_a, agreement = [], []
    fin = {"ens": [], "wide": []}
    with progress_bar(2 * len(es), ENSEMBLING, progress, unit="run") as bar:
        for i, e in enumerate(es):
            fam = (i, len(es))
            c = run_simulation(spec, N, P, times, seeds, ensemble=e)
            series_a += [theory(times, res.ensemble_loss[i], f"{e} x N = {N}", family=fam),
                         points(times, c.test_loss, c.test_loss_sem, family=fam)]
            agreement.append(compare_curve(f"ensemble of {e} x N = {N}", times,
                                           res.ensemble_loss[i], c.test_loss, c.test_loss_sem,
                                           n_seeds=seeds))
            fin["ens"].append((c.test_loss[-1], c.test_loss_sem[-1]))
            bar.update()
            if e == 1:
                fin["wide"].append(fin["ens"][-1])
                bar.update()
                continue
            w = run_simulation(spec, e * N, P, times, seeds)
            series_a += [theory(times, res.wide_loss[i], f"1 x N = {e * N}", family=fam,
                                style="--"),
                         points(times, w.test_loss, w.test_loss_sem, family=fam, open=True)]
            agreement.append(compare_curve(f"one model of N = {e * N}", times, res.wide_loss[i],
                                           w.test_loss, w.test_loss_sem, n_seeds=seeds))
            fin["wide"].append((w.test_loss[-1], w.test_loss_sem[-1]))
            bar.update()
    series_a.append(theory(times, res.infinite_ensemble, f"inf x N = {N} (theory)", color="k",
                           style=":"))
    return series_a, agreement, np.array(fin["ens"]), np.array(fin["wide"])


def _parts(l1: np.ndarray, l2: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Seed-by-seed estimates from E = 1 and E = 2 runs (arrays (n_seeds, n_points))."""
    return {
        "test": seed_statistics(l1),
        "proj": seed_statistics(2.0 * (l1 - l2)),
        "inf": seed_statistics(2.0 * l2 - l1),
    }


def make_bias_variance(out_dir: str, preset: str = "default",
                       progress: bool | None = None) -> FigureResult:
    from ..theory import decompose_loss, limit_loss

    timer = Timer()
    cfg = pick(preset, _BV_SIZES)
    M, N, P, sigma, seeds = cfg["M"], cfg["N"], cfg["P"], cfg["sigma"], cfg["seeds"]
    times = np.asarray(cfg["times"], float)
    spec = power_law(M, sigma)
    dec = decompose_loss(spec, N, P, times)
    ns = np.asarray(cfg["Ns"], float)
    n_line = np.unique(np.concatenate([np.round(np.geomspace(ns[0], ns[-1], cfg["n_theory"])),
                                       ns]))
    n_line = n_line[np.abs(n_line - P) > 0.08 * P]  # the variance diverges at N = P
    lim = [limit_loss(spec, int(n), P) for n in n_line]
    agreement = []
    parts, late = _bias_variance_runs(spec, N, P, times, ns, seeds, progress)
    th_t = {"test": dec.test_loss, "inf": dec.bias + dec.variance_data,
            "proj": dec.variance_projection}
    th_n = _limit_parts(spec, ns, P)
    names = {"test": "test loss L (E = 1)", "inf": "B + V_data (E = inf)",
             "proj": "projection variance V_proj"}
    colors = {"test": "k", "inf": "C0", "proj": "C1"}
    series_a = [theory(times, dec.bias, "bias B (theory)", color="C2", style="--"),
                theory(times, dec.variance_data, "data variance V_data (theory)", color="C4",
                       style="--")]
    series_b = [theory(n_line, [x.bias for x in lim], "bias B (theory)", color="C2",
                       style="--"),
                theory(n_line, [x.variance_data for x in lim], "data variance V_data (theory)",
                       color="C4", style="--")]
    line_n = {"test": [x.test_loss for x in lim], "inf": [x.bias + x.variance_data for x in lim],
              "proj": [x.variance_projection for x in lim]}
    for key in ("test", "inf", "proj"):
        m, s = parts[key]
        series_a += [theory(times, th_t[key], names[key], color=colors[key]),
                     points(times, m, s, color=colors[key])]
        agreement.append(compare_curve(f"{names[key]} over t (N = {N})", times, th_t[key], m, s,
                                       n_seeds=seeds))
        m, s = late[key]
        series_b += [theory(n_line, line_n[key], names[key], color=colors[key]),
                     points(ns, m, s, color=colors[key])]
        agreement.append(compare_curve(f"{names[key]} at t = inf, against N", ns, th_n[key], m,
                                       s, x_name="N", n_seeds=seeds))
    fig = FigureData(
        title=f"Bias and variance (a = {A_PAPER}, b = {B_PAPER}, sigma = {sigma}, P = {P}, "
              f"M = {M})",
        panels=(
            Panel(f"over time, N = {N}", "t (gradient-flow time)", "loss part",
                  tuple(series_a)),
            Panel("at t = inf, against N (variance peaks at N = P)", "model size N",
                  "loss part", tuple(series_b)),
        ),
        ncols=2, panel_width=5.0, panel_height=3.8,
        footnote=footnote(seeds, "points from E = 1 and E = 2: V_proj = 2(L1 - L2), "
                                 "B + V_data = 2 L2 - L1; t = inf simulated as t = 1e12"),
    )
    params = dict(a=A_PAPER, b=B_PAPER, sigma=sigma, M=M, N=N, P=P, seeds=seeds, times=times,
                  N_late=ns, t_infinity=T_INFINITY)
    return finish(name=BIAS_VARIANCE, title=BIAS_VARIANCE_TITLE, out_dir=out_dir, preset=preset,
                  figure=fig, caption=_bias_variance_caption(N, P, sigma, M), params=params,
                  agreement=agreement, timer=timer)


def _bias_variance_runs(spec: Any, N: int, P: int, times: np.ndarray, ns: np.ndarray,
                        seeds: int, progress: bool | None) -> tuple[dict, dict]:
    """The parts (test, proj, inf) from E = 1 and E = 2 runs: over time, and at t = inf per N."""
    from .._progress import progress_bar

    with progress_bar(2 + 2 * ns.size, BIAS_VARIANCE, progress, unit="run") as bar:
        r1 = run_simulation(spec, N, P, times, seeds, ensemble=1)
        bar.update()
        r2 = run_simulation(spec, N, P, times, seeds, ensemble=2)
        bar.update()
        parts = _parts(r1.test_loss_seeds, r2.test_loss_seeds)
        late1, late2 = [], []
        for n in ns:
            late1.append(run_simulation(spec, int(n), P, [T_INFINITY], seeds).test_loss_seeds[:, 0])
            bar.update()
            late2.append(run_simulation(spec, int(n), P, [T_INFINITY], seeds,
                                        ensemble=2).test_loss_seeds[:, 0])
            bar.update()
    return parts, _parts(np.array(late1).T, np.array(late2).T)


def _limit_parts(spec: Any, ns: np.ndarray, P: int) -> dict[str, np.ndarray]:
    """The theory's parts (test, inf = B + V_data, proj) at t = inf for each N of ``ns``."""
    from ..theory import limit_loss

    th_n_at = {n: limit_loss(spec, int(n), P) for n in ns}
    return {"test": np.array([th_n_at[n].test_loss for n in ns]),
            "inf": np.array([th_n_at[n].bias + th_n_at[n].variance_data for n in ns]),
            "proj": np.array([th_n_at[n].variance_projection for n in ns])}


def _bias_variance_caption(N: int, P: int, sigma: float, M: int) -> str:
    return (
        "The test loss of one model splits into the bias B (the loss of the predictor averaged "
        "over data and projections), the data variance V_data and the projection variance "
        "V_proj; an ensemble of E models has B + V_data + V_proj / E. Left: over time for "
        f"N = {N}, P = {P}; right: at the end of training against N, where both variances peak "
        f"at the interpolation threshold N = P (a = {A_PAPER}, b = {B_PAPER}, sigma = {sigma}, "
        f"M = {M}). Simulated points estimate V_proj and B + V_data from the E = 1 and E = 2 "
        "runs of the same seeds; the bias alone and V_data are drawn from the theory only."
    )

