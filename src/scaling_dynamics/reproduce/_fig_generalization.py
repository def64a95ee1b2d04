r"""Figures ``train-test-gap`` and ``wider-is-better`` (reuse of data over training).

``train-test-gap``: the population loss :math:`L + \sigma^2` and the training loss
:math:`\hat L` for several P, and their gap :math:`G(t) = L + \sigma^2 - \hat L`: of order
:math:`1/P` early, it builds up as the same P samples are reused (Bordelon et al. 2024,
Eq. 18). Theory from :func:`scaling_dynamics.scaling.train_test_gap`.

``wider-is-better``: test loss over time for several N with plentiful data (wider is better
at every time) and with scarce data (the order reverses late in training as N approaches
P), and optimal early stopping, which restores it
(:func:`scaling_dynamics.scaling.wider_is_better`).

Both use the theory at the simulated M, so every line has simulation points on it; the
per-seed gap is formed from the test and train loss of the same run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

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
from ._panels import FigureData, Panel, points, theory
from ._types import ExponentCheck, FigureResult

GAP = "train-test-gap"
GAP_TITLE = "Train and test loss: the gap builds up over time"
GAP_SUMMARY = "train and test loss for several P (sigma = 0.5); gap O(1/P) early, then growing"

WIDER = "wider-is-better"
WIDER_TITLE = "Wider is better, and its reversal when data are scarce"
WIDER_SUMMARY = "L(t) for several N with plentiful and scarce data; early stopping restores order"

SIGMA = 0.5

_GAP_SIZES = {
    "tiny": dict(M=200, N=math.inf, Ps=(25, 50, 100), seeds=4, times=np.geomspace(0.1, 1e4, 8)),
    "default": dict(M=2000, N=math.inf, Ps=(100, 200, 400, 800), seeds=32,
                    times=np.geomspace(0.1, 1e4, 16)),
    "full": dict(M=4000, N=math.inf, Ps=(100, 200, 400, 800, 1600), seeds=64,
                 times=np.geomspace(0.1, 1e5, 25)),
}

_WIDER_SIZES = {
    "tiny": dict(M=200, Ns=(10, 20, 40), rich_P=math.inf, scarce_P=60, seeds=4,
                 times=np.geomspace(0.1, 1e4, 8)),
    "default": dict(M=2000, Ns=(50, 100, 200, 400), rich_P=math.inf, scarce_P=500, seeds=32,
                    times=np.geomspace(0.1, 1e5, 15)),
    "full": dict(M=4000, Ns=(50, 100, 200, 400, 800), rich_P=math.inf, scarce_P=1000, seeds=64,
                 times=np.geomspace(0.1, 1e6, 22)),
}


def make_gap(out_dir: str, preset: str = "default", progress: bool | None = None) -> FigureResult:
    from ..scaling import train_test_gap

    timer = Timer()
    cfg = pick(preset, _GAP_SIZES)
    M, N, seeds = cfg["M"], cfg["N"], cfg["seeds"]
    times = np.asarray(cfg["times"], float)
    spec = power_law(M, SIGMA)
    res = train_test_gap(spec, cfg["Ps"], times, N=N, progress=progress)
    series_a, series_b, agreement = _gap_runs(spec, res, N, times, seeds, progress)
    low = 1e-3 * float(np.min(res.test_loss))
    n_txt = size_text(N)
    fig = FigureData(
        title=f"Train-test gap (a = {A_PAPER}, b = {B_PAPER}, sigma = {SIGMA}, N = {n_txt}, "
              f"M = {M})",
        panels=(
            Panel("test L + sigma^2 (solid, filled) and train (dashed, open)",
                  "t (gradient-flow time)", "loss", tuple(series_a), ylim=(low, None)),
            Panel(f"gap ~ P^-{res.early_exponent:.2f} early, then it builds up",
                  "t (gradient-flow time)", "gap (L + sigma^2) - L_train", tuple(series_b)),
        ),
        ncols=2, panel_width=5.0, panel_height=3.7, footnote=footnote(seeds),
    )
    growth = ", ".join(f"P = {p}: x{g:.3g}" for p, g in zip(res.sample_sizes, res.growth, strict=True))
    caption = (
        f"Gradient flow on P = {', '.join(map(str, res.sample_sizes))} samples with label noise "
        f"sigma = {SIGMA} (N = {n_txt}, a = {A_PAPER}, b = {B_PAPER}, M = {M}). The training loss "
        "falls below the population loss L + sigma^2 (here the model can interpolate, so it "
        "goes to zero) while the test loss levels off or rises: the gap is O(1/P) at first "
        f"(fitted exponent {res.early_exponent:.2f} at t = {times[0]:g}) and grows as the same "
        f"samples are reused (growth from the first to the last time: {growth}). Larger P "
        "delays it."
    )
    exponents = (ExponentCheck(
        "early train-test gap ~ P^-r", res.early_exponent, 1.0,
        f"theory at t = {times[0]:g}, P = {res.sample_sizes[0]}..{res.sample_sizes[-1]}, "
        f"N = {n_txt}, M = {M}, sigma = {SIGMA}"),)
    params = dict(a=A_PAPER, b=B_PAPER, sigma=SIGMA, M=M, N=N, P=res.sample_sizes,
                  seeds=seeds, times=times)
    return finish(name=GAP, title=GAP_TITLE, out_dir=out_dir, preset=preset, figure=fig,
                  caption=caption, params=params, agreement=agreement, exponents=exponents,
                  timer=timer)


def make_wider(out_dir: str, preset: str = "default",
               progress: bool | None = None) -> FigureResult:
    from ..scaling import wider_is_better

    timer = Timer()
    cfg = pick(preset, _WIDER_SIZES)
    M, seeds = cfg["M"], cfg["seeds"]
    rich_P, scarce_P = cfg["rich_P"], cfg["scarce_P"]
    times = np.asarray(cfg["times"], float)
    spec = power_law(M, SIGMA)
    res = wider_is_better(spec, cfg["Ns"], rich_P=rich_P, scarce_P=scarce_P, times=times,
                          progress=progress)
    ns = res.model_sizes
    series, finals, agreement = _wider_runs(spec, res, rich_P, scarce_P, times, seeds,
                                           progress)
    n_arr = np.asarray(ns, float)
    rich_txt = size_text(rich_P)
    fr = np.array(finals["rich"])
    fs = np.array(finals["scarce"])
    series_c = (
        theory(n_arr, res.rich_final, f"end of training, P = {rich_txt}", color="C2", style="^-"),
        points(n_arr, fr[:, 0], fr[:, 1], color="C2", style="^"),
        theory(n_arr, res.scarce_final, f"end of training, P = {scarce_P}", color="C3",
               style="o-"),
        points(n_arr, fs[:, 0], fs[:, 1], color="C3"),
        theory(n_arr, res.scarce_early_stopped, f"optimal early stopping, P = {scarce_P}",
               color="C0", style="s--"),
    )
    sim_reversed = bool(np.any(np.diff(fs[:, 0]) > 0))
    fig = FigureData(
        title=f"Wider is better, until data run out (a = {A_PAPER}, b = {B_PAPER}, "
              f"sigma = {SIGMA}, M = {M})",
        panels=(
            Panel(f"plentiful data, P = {rich_txt}", "t (gradient-flow time)", "test loss L",
                  tuple(series["rich"])),
            Panel(f"scarce data, P = {scarce_P}", "t (gradient-flow time)", "test loss L",
                  tuple(series["scarce"])),
            Panel(f"at t = {times[-1]:g}; early stopping (theory)", "model size N",
                  "test loss L", series_c),
        ),
        footnote=footnote(seeds, "early stopping: min over t of the theory, Brent search"),
    )
    verdict, caption = _wider_texts(res, ns, rich_txt, scarce_P, sim_reversed, M)
    params = dict(a=A_PAPER, b=B_PAPER, sigma=SIGMA, M=M, N=ns, rich_P=rich_P,
                  scarce_P=scarce_P, seeds=seeds, times=times)
    return finish(name=WIDER, title=WIDER_TITLE, out_dir=out_dir, preset=preset, figure=fig,
                  caption=caption, params=params, agreement=agreement, notes=(verdict,),
                  timer=timer)


def _gap_runs(spec: Any, res: Any, N: Any, times: np.ndarray, seeds: int,
              progress: bool | None) -> tuple[list, list, list]:
    """Simulations at every P: the series of the loss and gap panels, and their agreement."""
    from .._progress import progress_bar

    s2 = SIGMA**2
    series_a, series_b, agreement = [], [], []
    with progress_bar(len(res.sample_sizes), GAP, progress, unit="P") as bar:
        for i, p in enumerate(res.sample_sizes):
            c = run_simulation(spec, N, p, times, seeds)
            fam = (i, len(res.sample_sizes))
            test_seeds = c.test_loss_seeds + s2
            gap_mean, gap_sem = seed_statistics(test_seeds - c.train_loss_seeds)
            series_a += [
                theory(times, res.test_loss[i], f"P = {p}", family=fam),
                points(times, c.test_loss + s2, c.test_loss_sem, family=fam),
                theory(times, res.train_loss[i], family=fam, style="--"),
                points(times, c.train_loss, c.train_loss_sem, family=fam, open=True),
            ]
            series_b += [theory(times, res.gap[i], f"P = {p}", family=fam),
                         points(times, gap_mean, gap_sem, family=fam)]
            for what, th, sim, se in (("test loss", res.test_loss[i], c.test_loss + s2,
                                       c.test_loss_sem),
                                      ("train loss", res.train_loss[i], c.train_loss,
                                       c.train_loss_sem),
                                      ("gap", res.gap[i], gap_mean, gap_sem)):
                agreement.append(compare_curve(f"{what}, P = {p}", times, th, sim, se,
                                               n_seeds=seeds))
            bar.update()
    return series_a, series_b, agreement


def _wider_runs(spec: Any, res: Any, rich_P: Any, scarce_P: int, times: np.ndarray, seeds: int,
                progress: bool | None) -> tuple[dict, dict, list]:
    """Simulations at every N with plentiful and scarce data: series, final losses, agreement."""
    from .._progress import progress_bar

    ns = res.model_sizes
    series = {"rich": [], "scarce": []}
    finals = {"rich": [], "scarce": []}
    agreement = []
    with progress_bar(2 * len(ns), WIDER, progress, unit="run") as bar:
        for i, n in enumerate(ns):
            fam = (i, len(ns))
            for key, p, th in (("rich", rich_P, res.rich_loss[i]),
                               ("scarce", scarce_P, res.scarce_loss[i])):
                c = run_simulation(spec, n, p, times, seeds)
                series[key] += [theory(times, th, f"N = {n}", family=fam),
                                points(times, c.test_loss, c.test_loss_sem, family=fam)]
                finals[key].append((c.test_loss[-1], c.test_loss_sem[-1]))
                p_txt = size_text(p)
                agreement.append(compare_curve(f"test loss, N = {n}, P = {p_txt}", times, th,
                                               c.test_loss, c.test_loss_sem, n_seeds=seeds))
                bar.update()
    return series, finals, agreement


def _wider_texts(res: Any, ns: Any, rich_txt: str, scarce_P: int, sim_reversed: bool,
                 M: int) -> tuple[str, str]:
    """The verdict (also a note) and the caption of ``wider-is-better``."""
    verdict = (
        f"wider is better at every time with P = {rich_txt}: "
        f"{'yes' if res.rich_monotone else 'no'} (theory); the final loss with P = {scarce_P} "
        f"is not monotone in N: {'yes' if res.scarce_reversed else 'no'} (theory), "
        f"{'yes' if sim_reversed else 'no'} (simulation); early stopping restores the order: "
        f"{'yes' if res.early_stopped_monotone else 'no'} (theory)."
    )
    caption = (
        f"Test loss of gradient flow for N = {', '.join(map(str, ns))} (a = {A_PAPER}, "
        f"b = {B_PAPER}, sigma = {SIGMA}, M = {M}). With plentiful data (P = {rich_txt}) a wider "
        f"model is better at every time. With P = {scarce_P} samples the models overfit the "
        "noise late in training and the widest ones, closest to the interpolation threshold "
        "N = P, end worst; stopping each at its best time restores wider-is-better. "
        f"In numbers: {verdict}"
    )
    return verdict, caption
