"""Figures of the scaling laws: bottlenecks, frontier, finite size, generalisation, ensembles, fits.

One function per figure; each takes the result object of :mod:`scaling_dynamics.scaling`
and returns a matplotlib ``Figure`` (object API, no pyplot). Save it with
:func:`scaling_dynamics.plots.save_figure`, or pass ``path=`` to save directly.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from ._base import finish_figure, log_smooth, new_figure, sequential_colors, size_ticks

__all__ = [
    "plot_bottlenecks",
    "plot_frontier",
    "plot_finite_size",
    "plot_train_test_gap",
    "plot_wider_is_better",
    "plot_ensembles",
    "plot_fits",
]


def _size_label(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:g}"


def _loglog(ax: Any) -> None:
    ax.set_xscale("log")
    ax.set_yscale("log")


def _no_minor_labels(ax: Any) -> None:
    """Keep minor log ticks but drop their labels (they collide on short ranges)."""
    from matplotlib.ticker import NullFormatter

    ax.xaxis.set_minor_formatter(NullFormatter())


def _guide(ax: Any, x: np.ndarray, y: np.ndarray, slope: float, label: str, **kw: Any) -> None:
    """A dotted power law x^slope through the last point of (x, y)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(y) & (y > 0)
    if not ok.any() or not math.isfinite(slope):
        return
    x0, y0 = x[ok][-1], y[ok][-1]
    ax.plot(x[ok], y0 * (x[ok] / x0) ** slope, ls=":", color=kw.pop("color", "0.3"), label=label,
            **kw)


# ---------------------------------------------------------------------------- bottlenecks
def plot_bottlenecks(result: Any, path: str | os.PathLike[str] | None = None) -> Any:
    """Loss and local exponent along the time, model and data sweeps (:class:`BottleneckSweeps`).

    Top row: the loss against t (N, P infinite), N (t, P infinite) and P (t, N
    infinite), with the closed-form power law. Bottom row: the local exponent
    ``-d log L / d log x`` approaching the closed form.
    """
    sweeps = [s for s in (result.time, result.model, result.data) if s is not None]
    fig, axes = new_figure(2, len(sweeps), width=4.4, height=3.4, squeeze=False)
    for col, s in enumerate(sweeps):
        ax, ax2 = axes[0, col], axes[1, col]
        ax.plot(s.x, s.loss, "o-", ms=3, color="C0", label="theory, M = inf")
        if s.simulated_loss is not None:
            ax.plot(s.simulated_x, s.simulated_theory, "--", color="C3", lw=1,
                    label=f"theory, M = {s.simulated_M}")
            ax.errorbar(s.simulated_x, s.simulated_loss, yerr=s.simulated_sem, fmt="s", ms=4,
                        color="C3", label=f"simulation, M = {s.simulated_M}")
        _guide(ax, s.x, s.loss, -s.closed_form, f"$x^{{-{s.closed_form:.3g}}}$ closed form")
        _loglog(ax)
        ax.set_xlabel(s.label)
        ax.set_ylabel("test loss L")
        ax.set_title(f"{s.name} bottleneck ({s.fixed})")
        ax.legend(fontsize=8)
        xm = np.sqrt(s.x[1:] * s.x[:-1])
        ax2.plot(xm, s.local_exponent, "o-", ms=3, color="C0", label="-d log L / d log x")
        ax2.axhline(s.closed_form, color="0.3", ls=":", label=f"closed form {s.closed_form:.3g}")
        if s.alternative is not None:
            ax2.axhline(s.alternative, color="C2", ls="--",
                        label=f"one model min(a-1, b) = {s.alternative:.3g}")
        ax2.set_xscale("log")
        _no_minor_labels(ax2)
        ax2.set_xlabel(s.label)
        ax2.set_ylabel("local exponent")
        ax2.set_title(f"fitted {s.fitted_exponent:.3f} over the last {s.fit_decades:g} decades")
        ax2.legend(fontsize=8)
    fig.suptitle(f"Scaling bottlenecks from the theory ({result.label})")
    return finish_figure(fig, path)


# ---------------------------------------------------------------------------- frontier
def plot_frontier(frontier: Any, path: str | os.PathLike[str] | None = None,
                  extra: Any = None, labels: tuple[str, str] | None = None) -> Any:
    """Iso-compute curves with their optima, N* and t* against C, and L* against C.

    ``extra`` is an optional second :class:`Frontier` (e.g. finite P, or the theory next
    to measured data) drawn dashed. ``labels`` names the two in the legends (default:
    their P).
    """
    fig, axes = new_figure(1, 3, width=4.6, height=3.8)
    ax0, ax1, ax2 = axes
    c = frontier.compute
    colors = sequential_colors(c.size)
    for i, ci in enumerate(c):
        # through the grid and the optimum, smooth in log-log (the grid alone is a polyline
        # whose corner can sit beside the star)
        xs, ys = log_smooth(np.append(frontier.grid_model_size, frontier.model_size[i]),
                            np.append(frontier.grid_loss[:, i], frontier.loss[i]))
        ax0.plot(xs, ys, color=colors[i], lw=1,
                 label=f"C = {ci:.3g}" if i in (0, c.size - 1) else None)
        ax0.plot(frontier.model_size[i], frontier.loss[i], "*", ms=9, color=colors[i])
    _loglog(ax0)
    _no_minor_labels(ax0)
    ax0.set_xlabel("model size N  (t = C / N)")
    ax0.set_ylabel("test loss L(N, C/N)")
    ax0.set_title("iso-compute curves, optimum marked")
    ax0.legend(fontsize=8)

    frontiers = [(frontier, "-", "")] + ([(extra, "--", " (2nd)")] if extra is not None else [])
    for k, (fr, ls, tag) in enumerate(frontiers):
        p = fr.params.get("P")
        if labels is not None:
            name = f", {labels[k]}"
        else:
            name = tag if p is None else f", P={_size_label(float(p))}"
        ax1.plot(fr.compute, fr.model_size, "o" + ls, ms=3, color="C0",
                 label=f"N*  ~ C^{fr.exponent_params:.3f}{name}")
        ax1.plot(fr.compute, fr.steps, "s" + ls, ms=3, color="C1",
                 label=f"t*  ~ C^{fr.exponent_steps:.3f}{name}")
        ax2.plot(fr.compute, fr.loss, "o" + ls, ms=3, color="C0",
                 label=f"L*  ~ C^-{fr.exponent_loss:.3f}{name}")
    if frontier.expected is not None:
        e = frontier.expected
        _guide(ax1, c, frontier.model_size, e.compute_params,
               f"closed form N* ~ C^{e.compute_params:.3f}")
        _guide(ax1, c, frontier.steps, e.compute_steps,
               f"closed form t* ~ C^{e.compute_steps:.3f}", color="C1")
        _guide(ax2, c, frontier.loss - frontier.loss_floor, -e.compute_loss,
               f"closed form C^-{e.compute_loss:.3f}")
    for ax, ylabel, title in ((ax1, "N*, t*", "compute-optimal allocation"),
                              (ax2, "L*", "compute-optimal loss")):
        _loglog(ax)
        ax.set_xlabel("compute C = N t")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=8)
    fig.suptitle(f"Compute-optimal frontier ({frontier.params.get('label', 'loss surface')})")
    return finish_figure(fig, path)


# ---------------------------------------------------------------------------- finite size
def plot_finite_size(results: Any, path: str | os.PathLike[str] | None = None) -> Any:
    """``L(t, x) - L(t, inf)`` against x (N or P) at several times, and the fitted exponent.

    ``results`` is one :class:`FiniteSizeCorrections` or a list of them (one row each,
    e.g. N and P).
    """
    rows = list(results) if isinstance(results, (list, tuple)) else [results]
    fig, axes = new_figure(len(rows), 2, width=4.8, height=3.6, squeeze=False)
    for r, result in enumerate(rows):
        ax0, ax1 = axes[r, 0], axes[r, 1]
        x = result.sizes
        name = result.size_name
        colors = sequential_colors(result.times.size + 1)
        for i, t in enumerate(result.times):
            d = result.correction[i]
            ok = d > 0
            ax0.plot(x[ok], d[ok], "o-", ms=3, color=colors[i],
                     label=f"t = {t:.3g}: slope -{result.exponents[i]:.2f}")
        lim = result.limit_correction
        ok = lim > 0
        ax0.plot(x[ok], lim[ok], "s-", ms=3, color=colors[-1],
                 label=f"t = inf: slope -{result.limit_exponent:.2f}")
        _guide(ax0, x, result.correction[0], -1.0, f"1/{name}")
        if result.late_closed_form is not None:
            _guide(ax0, x, lim, -result.late_closed_form,
                   f"{name}^-{result.late_closed_form:.3g} (closed form)", color="C3")
        _loglog(ax0)
        size_ticks(ax0.xaxis, x)
        ax0.set_xlabel(name)
        ax0.set_ylabel(f"L(t, {name}) - L(t, {name}=inf)")
        ax0.set_title(f"finite-{name} correction ({result.label.split(', ')[-1]})")
        ax0.legend(fontsize=6)
        ax1.plot(result.times, result.exponents, "o-", ms=4, color="C0",
                 label="fitted exponent at time t")
        ax1.axhline(result.limit_exponent, color="C0", ls="-.", lw=1,
                    label=f"t = inf: {result.limit_exponent:.3f}")
        ax1.axhline(1.0, color="0.3", ls=":", label="universal 1 (early)")
        if result.late_closed_form is not None:
            ax1.axhline(result.late_closed_form, color="C3", ls="--",
                        label=f"task-dependent {result.late_closed_form:.3g} (late)")
        ax1.set_xscale("log")
        ax1.set_xlabel("time t")
        ax1.set_ylabel(f"-d log correction / d log {name}")
        ax1.set_title(f"exponent of the finite-{name} correction")
        ax1.legend(fontsize=7)
    fig.suptitle(f"Finite-size corrections ({rows[0].label.rsplit(', ', 1)[0]})")
    return finish_figure(fig, path)


# ---------------------------------------------------------------------------- generalisation
def plot_train_test_gap(result: Any, path: str | os.PathLike[str] | None = None) -> Any:
    """Train and test loss over time for several P, and the gap against t."""
    fig, axes = new_figure(1, 2, width=4.8, height=3.8)
    ax0, ax1 = axes
    colors = sequential_colors(len(result.sample_sizes))
    for i, p in enumerate(result.sample_sizes):
        ax0.plot(result.times, result.test_loss[i], color=colors[i], label=f"test, P = {p:g}")
        ax0.plot(result.times, result.train_loss[i], ls="--", color=colors[i])
        ax1.plot(result.times, result.gap[i], color=colors[i], label=f"P = {p:g}")
    ax0.plot([], [], ls="--", color="0.4", label="train (dashed)")
    _loglog(ax0)
    # The train loss reaches zero once the model interpolates: keep the axis on the test scale.
    ax0.set_ylim(bottom=1e-3 * float(np.min(result.test_loss)))
    ax0.set_xlabel("time t")
    ax0.set_ylabel("loss (test + sigma^2, train)")
    ax0.set_title("train and test loss")
    ax0.legend(fontsize=7)
    ax1.set_xscale("log")
    pos = result.gap[result.gap > 0]
    if pos.size:
        ax1.set_yscale("log")
    ax1.set_xlabel("time t")
    ax1.set_ylabel("gap (L + sigma^2) - L_train")
    ax1.set_title(f"gap ~ P^-{result.early_exponent:.2f} early, then builds up")
    ax1.legend(fontsize=7)
    fig.suptitle(f"Train-test gap ({result.label})")
    return finish_figure(fig, path)


def plot_wider_is_better(result: Any, path: str | os.PathLike[str] | None = None) -> Any:
    """Test loss over time for several N, data-rich and data-scarce, and early stopping."""
    fig, axes = new_figure(1, 3, width=4.4, height=3.8)
    colors = sequential_colors(len(result.model_sizes))
    for ax, curves, p in ((axes[0], result.rich_loss, result.rich_P),
                          (axes[1], result.scarce_loss, result.scarce_P)):
        for i, n in enumerate(result.model_sizes):
            ax.plot(result.times, curves[i], color=colors[i], label=f"N = {n:.3g}")
        _loglog(ax)
        ax.set_xlabel("time t")
        ax.set_ylabel("test loss L")
        ax.set_title(f"P = {_size_label(p)}")
        ax.legend(fontsize=7)
    ax = axes[2]
    n = np.asarray(result.model_sizes, float)
    ax.plot(n, result.scarce_final, "o-", color="C3", label=f"end of training, P = {result.scarce_P:g}")
    ax.plot(n, result.scarce_early_stopped, "s-", color="C0",
            label=f"optimal early stopping, P = {result.scarce_P:g}")
    ax.plot(n, result.rich_final, "^-", color="C2", label=f"end of training, P = {_size_label(result.rich_P)}")
    _loglog(ax)
    size_ticks(ax.xaxis, n)
    ax.set_xlabel("model size N")
    ax.set_ylabel("test loss L")
    ax.set_title("early stopping restores wider-is-better")
    ax.legend(fontsize=7)
    fig.suptitle(f"Wider is better, until data run out ({result.label})")
    return finish_figure(fig, path)


# ---------------------------------------------------------------------------- ensembles
def plot_ensembles(result: Any, path: str | os.PathLike[str] | None = None) -> Any:
    """E models of size N against one model of size E N, over time at equal compute."""
    fig, axes = new_figure(1, 2, width=4.8, height=3.8)
    ax0, ax1 = axes
    colors = sequential_colors(len(result.ensemble_sizes))
    for i, e in enumerate(result.ensemble_sizes):
        ax0.plot(result.times, result.ensemble_loss[i], color=colors[i],
                 label=f"{e} x N = {result.model_size:g}")
        if e > 1:
            ax0.plot(result.times, result.wide_loss[i], ls="--", color=colors[i],
                     label=f"1 x N = {e * result.model_size:g}")
    ax0.plot(result.times, result.infinite_ensemble, color="k", lw=1, ls=":",
             label=f"inf x N = {result.model_size:g}")
    _loglog(ax0)
    ax0.set_xlabel("time t (compute E N t equal in each pair)")
    ax0.set_ylabel("test loss L")
    ax0.set_title("ensemble (solid) vs wider (dashed)")
    ax0.legend(fontsize=7)
    e = np.asarray(result.ensemble_sizes, float)
    ax1.plot(e, result.ensemble_final, "o-", color="C3", label="ensemble of E models of size N")
    ax1.plot(e, result.wide_final, "s-", color="C0", label="one model of size E N")
    ax1.set_xscale("log", base=2)
    ax1.set_yscale("log")
    from matplotlib.ticker import ScalarFormatter

    ax1.xaxis.set_major_formatter(ScalarFormatter())
    ax1.set_xticks(e)
    ax1.set_xlabel("E (compute multiple)")
    ax1.set_ylabel(f"test loss at t = {result.times[-1]:g}")
    ax1.set_title("going wider beats ensembling")
    ax1.legend(fontsize=8)
    fig.suptitle(f"Ensembling versus width at equal compute ({result.label})")
    return finish_figure(fig, path)


# ---------------------------------------------------------------------------- fits
def plot_fits(table: Any, chinchilla: Any = None, theory: Any = None,
              path: str | os.PathLike[str] | None = None, allocations: Any = None) -> Any:
    """Loss data with the fitted laws, and the compute-optimal allocation each implies.

    Left: loss against steps for each model size (points; held-out points circled),
    Chinchilla fit solid, theory fit dashed. Right: N* and t* against C for each fit.
    ``allocations`` = (Chinchilla's, theory's) :class:`ComputeAllocation` already
    computed (else 9 budgets from the data's smallest C to 100 x its largest).
    """
    fig, axes = new_figure(1, 2, width=5.0, height=3.9)
    ax0, ax1 = axes
    _draw_fitted_data(ax0, table, chinchilla, theory)
    _draw_fitted_allocations(ax1, table, chinchilla, theory, allocations)
    fig.suptitle(f"Fits of {os.path.basename(str(table.source))}")
    return finish_figure(fig, path)


def _draw_fitted_data(ax0: Any, table: Any, chinchilla: Any, theory: Any) -> None:
    """Loss against steps per model size (held-out points circled) with the fitted laws."""
    sizes = np.unique(table.model_size)
    colors = sequential_colors(sizes.size)
    held = np.zeros(table.n_points, dtype=bool)
    fits = [f for f in (chinchilla, theory) if f is not None]
    for f in fits:
        if f.holdout is not None:
            thr = f.holdout.compute_threshold
            held |= table.compute >= thr
    for i, n in enumerate(sizes):
        sel = table.model_size == n
        t = table.steps[sel]
        order = np.argsort(t)
        ax0.plot(t[order], table.loss[sel][order], "o", ms=4, color=colors[i],
                 label=f"N = {n:.3g}")
        h = sel & held
        if h.any():
            ax0.plot(table.steps[h], table.loss[h], "o", ms=8, mfc="none", color="k")
        tt = np.geomspace(t.min(), t.max(), 60)
        if chinchilla is not None:
            ax0.plot(tt, chinchilla.predict(n, tt), "-", lw=1, color=colors[i])
        if theory is not None:
            ax0.plot(tt, theory.predict(np.full_like(tt, n), tt), "--", lw=1, color=colors[i])
    if held.any():
        ax0.plot([], [], "o", ms=8, mfc="none", color="k", label="held out (largest C)")
    if chinchilla is not None:
        ax0.plot([], [], "-", color="0.3", label="Chinchilla fit")
    if theory is not None:
        ax0.plot([], [], "--", color="0.3", label="theory fit")
    _loglog(ax0)
    ax0.set_xlabel("steps t")
    ax0.set_ylabel("loss")
    ax0.set_title("data and fitted laws")
    ax0.legend(fontsize=7, ncol=2)


def _draw_fitted_allocations(ax1: Any, table: Any, chinchilla: Any, theory: Any,
                             allocations: Any) -> None:
    """N* and t* against C for each fit (given, or over 9 budgets up to 100 x the data's C)."""
    c = table.compute
    grid = np.geomspace(c.min(), c.max() * 100, 9)
    given = allocations if allocations is not None else (None, None)
    for f, ls, name, pre in ((chinchilla, "-", "Chinchilla", given[0]),
                             (theory, "--", "theory", given[1])):
        if f is None:
            continue
        alloc = pre if pre is not None else f.allocation(grid)
        ax1.plot(alloc.compute, alloc.model_size, ls, color="C0",
                 label=f"N* ~ C^{alloc.exponent_params:.3f} ({name})")
        ax1.plot(alloc.compute, alloc.steps, ls, color="C1",
                 label=f"t* ~ C^{alloc.exponent_steps:.3f} ({name})")
    ax1.plot(c, table.model_size, ".", color="0.6", label="data (N at C = N t)")
    _loglog(ax1)
    ax1.set_xlabel("compute C = N t")
    ax1.set_ylabel("N*, t*")
    ax1.set_title("compute-optimal allocation")
    ax1.legend(fontsize=7)
