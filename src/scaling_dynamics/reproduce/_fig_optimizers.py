r"""Figures ``sgd`` (one-pass SGD for several batch sizes) and ``optimizers`` (GD, momentum, GF).

``sgd``: one-pass SGD with batch B and step :math:`\eta` sees fresh samples at every step
(no data bottleneck, no train-test gap). Against gradient flow with P = inf at the same
time :math:`\eta t` its loss carries an extra variance from the batch noise that shrinks as
:math:`1/B` (Bordelon et al. 2024, section 5.4; ``docs/optimizers.md`` section 3). The excess
:math:`L_{\rm SGD}(t) - L_{\rm GF}(\eta t)` is simulated seed by seed with the same
projection, so its standard error is small.

``optimizers``: full-batch gradient descent (two step sizes, the larger making the top
modes oscillate, :math:`1 < \eta\mu_{max} < 2`) and heavy-ball momentum on the same data,
plotted against the gradient-flow time they stand for, :math:`\eta t` for GD and
:math:`\eta t/(1-\beta)` for momentum, next to gradient flow.

Both need the mean-field theory of the discrete optimisers (``predict(...,
optimizer=...)``); where it is not available the figure still shows the simulations and
the report says that no theory was drawn.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from ..optimizers import GradientDescent, GradientFlow, Momentum, OnlineSGD
from ._agreement import compare_curve, seed_statistics
from ._common import (
    A_PAPER,
    B_PAPER,
    Timer,
    finish,
    footnote,
    pick,
    power_law,
    run_simulation,
    size_text,
)
from ._panels import FigureData, Panel, hline, points, theory
from ._types import FigureResult

SGD = "sgd"
SGD_TITLE = "One-pass SGD for several batch sizes"
SGD_SUMMARY = "one-pass SGD loss for batch sizes B against gradient flow (P = inf); excess ~ 1/B"

OPTIMIZERS = "optimizers"
OPTIMIZERS_TITLE = "Gradient descent and momentum against gradient flow"
OPTIMIZERS_SUMMARY = "GD (two steps) and heavy-ball momentum vs gradient flow at equal eta t"

_SGD_SIZES = {
    "tiny": dict(M=200, N=40, eta=0.2, Bs=(1, 8), seeds=4, steps=np.geomspace(1, 2000, 8)),
    "default": dict(M=1000, N=200, eta=0.2, Bs=(1, 4, 16, 64), seeds=32,
                    steps=np.geomspace(1, 1e4, 15)),
    "full": dict(M=4000, N=800, eta=0.2, Bs=(1, 4, 16, 64, 256), seeds=64,
                 steps=np.geomspace(1, 1e5, 21)),
}

_OPT_SIZES = {
    "tiny": dict(M=200, N=40, P=100, sigma=0.0, gd=(0.5, 1.2), momentum=(0.3, 0.7), seeds=4,
                 steps=np.geomspace(1, 2000, 8)),
    "default": dict(M=1000, N=200, P=500, sigma=0.0, gd=(0.5, 1.4), momentum=(0.3, 0.8),
                    seeds=32, steps=np.geomspace(1, 1e4, 15)),
    "full": dict(M=4000, N=800, P=2000, sigma=0.0, gd=(0.5, 1.4), momentum=(0.3, 0.8),
                 seeds=64, steps=np.geomspace(1, 1e5, 21)),
}


def _steps(values: np.ndarray) -> np.ndarray:
    return np.unique(np.round(np.asarray(values, float)))


def _theory_or_reason(spec, N, P, times, optimizer):
    """The theory's curves, or the reason (one line) why the theory is not available."""
    from ..theory import predict

    try:
        return predict(spec, N, P, times, optimizer=optimizer), None
    except InvalidParameterError as exc:
        return None, str(exc)


def make_sgd(out_dir: str, preset: str = "default", progress: bool | None = None) -> FigureResult:
    from ..theory import predict

    timer = Timer()
    cfg = pick(preset, _SGD_SIZES)
    M, N, eta, seeds = cfg["M"], cfg["N"], cfg["eta"], cfg["seeds"]
    steps = _steps(cfg["steps"])
    spec = power_law(M)
    gf_times = eta * steps
    gf_th = predict(spec, N, math.inf, gf_times).test_loss
    gf_sim = run_simulation(spec, N, math.inf, gf_times, seeds)
    series_a = [theory(eta * steps, gf_th, "gradient flow, P = inf", color="k", style=":"),
                points(eta * steps, gf_sim.test_loss, gf_sim.test_loss_sem, color="k", style="s",
                       open=True)]
    series_b, agreement, notes = [], [], []
    agreement.append(compare_curve(f"gradient flow, P = inf, N = {size_text(N)}", gf_times,
                                   gf_th, gf_sim.test_loss, gf_sim.test_loss_sem, n_seeds=seeds))
    _sgd_runs(spec, N, eta, cfg["Bs"], steps, seeds, (gf_th, gf_sim), progress,
              (series_a, series_b, agreement, notes))
    fig = FigureData(
        title=f"One-pass SGD (eta = {eta}, N = {size_text(N)}, a = {A_PAPER}, b = {B_PAPER}, "
              f"M = {M})",
        panels=(
            Panel("test loss against eta x steps", "eta t (gradient-flow time)", "test loss L",
                  tuple(series_a)),
            Panel("extra loss from batch noise, L_SGD(t) - L_GF(eta t)",
                  "eta t (gradient-flow time)", "excess loss", tuple(series_b),
                  yscale="log"),
        ),
        ncols=2, panel_width=5.0, panel_height=3.7,
        footnote=footnote(seeds, "differences taken seed by seed with the same projection"),
    )
    caption = (
        f"One-pass SGD with step eta = {eta} and batch sizes B = "
        f"{', '.join(map(str, cfg['Bs']))}, every step on fresh samples (N = {size_text(N)}, "
        f"a = {A_PAPER}, b = {B_PAPER}, M = {M}, sigma = 0), against gradient flow with "
        "P = inf at the same time eta t (dotted). There is no data bottleneck: the loss "
        "follows the gradient-flow curve plus an extra variance from the batch noise that "
        "shrinks like 1/B (right) and does not set a plateau of its own."
    )
    params = dict(a=A_PAPER, b=B_PAPER, sigma=0.0, M=M, N=N, eta=eta, batch_sizes=list(cfg["Bs"]),
                  seeds=seeds, steps=steps, method="sample")
    return finish(name=SGD, title=SGD_TITLE, out_dir=out_dir, preset=preset, figure=fig,
                  caption=caption, params=params, agreement=agreement, notes=notes, timer=timer)


def make_optimizers(out_dir: str, preset: str = "default",
                    progress: bool | None = None) -> FigureResult:
    timer = Timer()
    cfg = pick(preset, _OPT_SIZES)
    M, N, P, seeds = cfg["M"], cfg["N"], cfg["P"], cfg["seeds"]
    steps = _steps(cfg["steps"])
    spec = power_law(M, cfg["sigma"])
    eta_m, beta = cfg["momentum"]
    runs = [(GradientDescent(eta=e), f"GD, eta = {e:g}", e) for e in cfg["gd"]]
    runs.append((Momentum(eta=eta_m, beta=beta), f"momentum, eta = {eta_m:g}, beta = {beta:g}",
                 eta_m / (1.0 - beta)))
    series_a, series_b, agreement, notes = _optimizer_runs(spec, N, P, steps, seeds, runs,
                                                           progress)
    scales = [r[2] for r in runs]
    t_line = np.geomspace(min(scales) * steps[0], max(scales) * steps[-1], 40)
    gf_line, _ = _theory_or_reason(spec, N, P, t_line, GradientFlow())
    series_a.insert(0, theory(t_line, gf_line.test_loss, "gradient flow", color="k", style=":"))
    series_b.append(hline(0.0, "gradient flow"))
    fig = FigureData(
        title=f"GD and momentum against gradient flow (N = {N}, P = {P}, a = {A_PAPER}, "
              f"b = {B_PAPER}, M = {M})",
        panels=(
            Panel("test loss against the gradient-flow time they stand for",
                  "eta t (GD), eta t / (1 - beta) (momentum)", "test loss L", tuple(series_a)),
            Panel("relative difference to gradient flow", "gradient-flow time",
                  "L / L_GF - 1", tuple(series_b), yscale="linear"),
        ),
        ncols=2, panel_width=5.0, panel_height=3.7,
        footnote=footnote(seeds, "GD, momentum and gradient flow share the data and projection "
                                 "of each seed; the ratio is taken seed by seed"),
    )
    params = dict(a=A_PAPER, b=B_PAPER, sigma=cfg["sigma"], M=M, N=N, P=P,
                  gd_eta=list(cfg["gd"]), momentum_eta=eta_m, momentum_beta=beta, seeds=seeds,
                  steps=steps)
    return finish(name=OPTIMIZERS, title=OPTIMIZERS_TITLE, out_dir=out_dir, preset=preset,
                  figure=fig, caption=_optimizers_caption(cfg, M, N, P), params=params,
                  agreement=agreement, notes=notes, timer=timer)


def _optimizers_caption(cfg: dict, M: int, N: int, P: int) -> str:
    eta_m, beta = cfg["momentum"]
    return (
        f"Full-batch gradient descent with eta = {', '.join(f'{e:g}' for e in cfg['gd'])} and "
        f"heavy-ball momentum (eta = {eta_m:g}, beta = {beta:g}) on P = {P} samples "
        f"(N = {N}, a = {A_PAPER}, b = {B_PAPER}, M = {M}, sigma = {cfg['sigma']:g}), plotted "
        "at the gradient-flow time they stand for (eta t, and eta t / (1 - beta) for "
        "momentum). Discrete steps follow gradient flow closely; the differences (right) are "
        "largest early and at the larger step, where the top modes oscillate."
    )


def _sgd_runs(spec: Any, N: int, eta: float, Bs: Any, steps: np.ndarray, seeds: int,
              gradient_flow: tuple[np.ndarray, Any], progress: bool | None,
              out: tuple[list, list, list, list]) -> None:
    """Simulate (and predict) one-pass SGD at every batch size, appending to ``out``.

    ``gradient_flow`` is (theory, simulation) of gradient flow at ``eta * steps``; ``out`` is
    (loss series, excess series, agreement, notes).
    """
    from .._progress import progress_bar

    gf_th, gf_sim = gradient_flow
    series_a, series_b, agreement, notes = out
    with progress_bar(len(Bs), SGD, progress, unit="B") as bar:
        for i, B in enumerate(Bs):
            fam = (i, len(Bs))
            opt = OnlineSGD(eta=eta, batch_size=B)
            sim = run_simulation(spec, N, None, steps, seeds, optimizer=opt)
            th, reason = _theory_or_reason(spec, N, None, steps, opt)
            ex_mean, ex_sem = seed_statistics(sim.test_loss_seeds - gf_sim.test_loss_seeds)
            label = f"SGD, B = {B}"
            if th is not None:
                series_a.append(theory(eta * steps, th.test_loss, label, family=fam))
                series_b.append(theory(eta * steps, th.test_loss - gf_th, f"B = {B}", family=fam))
                agreement.append(compare_curve(f"SGD test loss, B = {B}", steps, th.test_loss,
                                               sim.test_loss, sim.test_loss_sem, x_name="steps",
                                               n_seeds=seeds))
                agreement.append(compare_curve(f"SGD excess over GF, B = {B}", steps,
                                               th.test_loss - gf_th, ex_mean, ex_sem,
                                               x_name="steps", n_seeds=seeds))
            elif reason not in notes:
                notes.append(f"no SGD theory drawn: {reason}")
            series_a.append(points(eta * steps, sim.test_loss, sim.test_loss_sem,
                                   None if th is not None else label, family=fam))
            series_b.append(points(eta * steps, ex_mean, ex_sem, None if th is not None else
                                   f"B = {B}", family=fam))
            bar.update()


def _optimizer_runs(spec: Any, N: int, P: int, steps: np.ndarray, seeds: int, runs: list,
                    progress: bool | None) -> tuple[list, list, list, list]:
    """Each (optimizer, label, time scale) of ``runs`` against gradient flow at the same time.

    Returns the loss series, the relative-difference series, the agreement and the notes.
    """
    from .._progress import progress_bar

    series_a, series_b, agreement, notes = [], [], [], []
    with progress_bar(len(runs), OPTIMIZERS, progress, unit="optimizer") as bar:
        for i, (opt, label, scale) in enumerate(runs):
            fam = (i, len(runs))
            t_eff = scale * steps
            sim = run_simulation(spec, N, P, steps, seeds, optimizer=opt)
            gf_sim = run_simulation(spec, N, P, t_eff, seeds, optimizer=GradientFlow())
            gf_th, _ = _theory_or_reason(spec, N, P, t_eff, GradientFlow())
            th, reason = _theory_or_reason(spec, N, P, steps, opt)
            rel_seeds = sim.test_loss_seeds / gf_sim.test_loss_seeds - 1.0
            rel_mean, rel_sem = seed_statistics(rel_seeds)
            agreement.append(compare_curve(f"gradient flow at t = {scale:g} x steps", t_eff,
                                           gf_th.test_loss, gf_sim.test_loss,
                                           gf_sim.test_loss_sem, n_seeds=seeds))
            if th is not None:
                series_a.append(theory(t_eff, th.test_loss, label, family=fam))
                rel_th = th.test_loss / gf_th.test_loss - 1.0
                series_b.append(theory(t_eff, rel_th, label, family=fam))
                agreement.append(compare_curve(f"{label}: test loss", steps, th.test_loss,
                                               sim.test_loss, sim.test_loss_sem, x_name="steps",
                                               n_seeds=seeds))
                agreement.append(compare_curve(f"{label}: L / L_GF - 1", steps, rel_th, rel_mean,
                                               rel_sem, x_name="steps", n_seeds=seeds))
            elif reason not in notes:
                notes.append(f"no {opt.name} theory drawn: {reason}")
            series_a.append(points(t_eff, sim.test_loss, sim.test_loss_sem,
                                   None if th is not None else label, family=fam))
            series_b.append(points(t_eff, rel_mean, rel_sem,
                                   None if th is not None else label, family=fam))
            bar.update()
    return series_a, series_b, agreement, notes
