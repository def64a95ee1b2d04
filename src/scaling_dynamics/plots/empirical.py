r"""Figures of real networks against the model: measured and predicted loss curves, exponents.

Each function takes results of :mod:`scaling_dynamics.empirical` (``PredictionComparison``,
``NetworkRuns``, ``MeasuredExponents``) and returns a matplotlib ``Figure``; ``path=`` also
saves it. Nothing here computes: exponents and frontiers come in already measured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._base import finish_figure, new_figure, sequential_colors

__all__ = ["plot_prediction", "plot_feature_learning"]


def _positive(t: np.ndarray, L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = (np.asarray(t) > 0) & (np.asarray(L) > 0)
    return np.asarray(t)[ok], np.asarray(L)[ok]


def plot_prediction(
    comparison: Any,
    *,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    r"""Measured (solid) and predicted (dashed) test-loss curves, and the exponents side by side.

    Left: every width at the largest P (the widest predicted with :math:`N=\infty`, the others
    with :math:`N = c\,n`). Middle: the widest network at every P. Right: each exponent
    measured on the linearised network, predicted by the model on the measured spectrum,
    from the closed forms of the fitted (a, b), and, when present, measured on the
    non-linear lazy and feature-learning networks.
    """
    cmp = comparison
    p_max = max(cmp.sample_counts)
    widest = max(cmp.widths)
    fig, (ax_w, ax_p, ax_e) = new_figure(1, 3, width=4.8, height=3.9)
    for w, c in zip(cmp.widths, sequential_colors(len(cmp.widths)), strict=True):
        m = cmp.measured[(w, p_max)]
        p = cmp.predicted[(w, p_max)]
        ax_w.loglog(*_positive(m.times, m.test_loss), "-", color=c, lw=1.5,
                    label=f"width {w}" + (" (N=inf)" if w == widest else
                                          f" (N={max(1, round(cmp.n_scale * w))})"))
        ax_w.loglog(*_positive(p.times, p.test_loss), "--", color=c, lw=1.2)
    for P, c in zip(cmp.sample_counts, sequential_colors(len(cmp.sample_counts), "plasma"),
                    strict=True):
        m = cmp.measured[(widest, P)]
        p = cmp.predicted[(widest, P)]
        ax_p.loglog(*_positive(m.times, m.test_loss), "-", color=c, lw=1.5, label=f"P = {P}")
        ax_p.loglog(*_positive(p.times, p.test_loss), "--", color=c, lw=1.2)
    for ax in (ax_w, ax_p):
        ax.plot([], [], "k-", label="measured (linearised net)")
        ax.plot([], [], "k--", label=f"predicted ({cmp.method})")
        ax.set_xlabel("GD step t")
        ax.set_ylabel("test loss (MSE)")
        ax.legend(fontsize=7)
    ax_w.set_title(f"widths at P = {p_max}; N = {cmp.n_scale:.2f} x width")
    ax_p.set_title(f"training-set sizes at width {widest}")

    _draw_exponents(ax_e, cmp)
    fig.suptitle(title or f"linearised networks against the model on the measured spectrum "
                 f"(a = {cmp.fit.a:.2f}, b = {cmp.fit.b:.2f}, eta = {cmp.eta:.3g})")
    return finish_figure(fig, path)


def _draw_exponents(ax_e: Any, cmp: Any) -> None:
    """Each exponent of the comparison's table, one marker per source, side by side."""
    columns = [("measured", "o", "C0", "linearised (measured)"),
               ("predicted", "s", "C1", f"model ({cmp.method})"),
               ("closed_form", "D", "C2", "closed form (a, b)")]
    if cmp.networks is not None:
        columns += [("lazy", "^", "C3", "non-linear lazy"),
                    ("feature_learning", "v", "C4", "non-linear muP")]
    y = np.arange(len(cmp.rows))
    offsets = np.linspace(-0.25, 0.25, len(columns))
    for (key, marker, color, label), off in zip(columns, offsets, strict=True):
        vals = np.array([getattr(r, key) for r in cmp.rows], float)
        ok = np.isfinite(vals)
        ax_e.plot(vals[ok], y[ok] + off, marker, color=color, ms=6, label=label, ls="none")
    ax_e.set_yticks(y)
    ax_e.set_yticklabels([r.name.split(":")[0] for r in cmp.rows])
    ax_e.invert_yaxis()
    ax_e.set_xlabel("exponent r (loss ~ x^-r)")
    ax_e.set_title("exponents")
    ax_e.legend(fontsize=7)


def plot_feature_learning(
    networks: Any,
    comparison: Any = None,
    *,
    frontiers: Mapping[str, Any],
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    r"""Non-linear networks in the lazy (NTK) and feature-learning (muP) parameterisations.

    Left: test loss against steps, solid for NTK parameterisation and dashed for muP, one
    colour per width; with ``comparison`` the model's infinite-width kernel prediction at the
    same P is drawn in black (dotted). Right: the compute frontier :math:`L^*(C)`, C = width
    x steps, of each parameterisation: ``frontiers`` maps ``"ntk"`` / ``"mup"`` to its
    ``MeasuredExponents`` (from :func:`scaling_dynamics.empirical.network_exponents`, which
    fits them as in the comparison's table); a missing one is not drawn.
    """
    fig, (ax_t, ax_c) = new_figure(1, 2, width=5.2, height=3.9)
    _draw_network_curves(ax_t, networks, comparison)
    for param, marker in (("ntk", "o-"), ("mup", "s--")):
        e = frontiers.get(param)
        if e is None:
            continue
        label = "lazy" if param == "ntk" else "muP"
        ax_c.loglog(e.frontier_compute, e.frontier_loss, marker, ms=3,
                    label=f"{label}: L* ~ C^-{e.compute:.3f}")
    ax_c.set_xlabel("compute C = width x steps")
    ax_c.set_ylabel("best test loss L*(C)")
    ax_c.set_title("compute frontier")
    ax_c.legend(fontsize=7)
    fig.suptitle(title or "does feature learning beat the kernel prediction?")
    return finish_figure(fig, path)


def _draw_network_curves(ax_t: Any, networks: Any, comparison: Any) -> None:
    """Loss against steps per width and parameterisation, and the kernel prediction."""
    styles = {"ntk": "-", "mup": "--"}
    for w, c in zip(networks.widths, sequential_colors(len(networks.widths)), strict=True):
        for param in networks.parameterizations:
            cur = networks.curves[(param, w)]
            ax_t.loglog(*_positive(cur.times, cur.test_loss), styles[param], color=c, lw=1.4)
    for w, c in zip(networks.widths, sequential_colors(len(networks.widths)), strict=True):
        ax_t.plot([], [], "-", color=c, label=f"width {w}")
    ax_t.plot([], [], "k-", label="NTK param. (lazy)")
    ax_t.plot([], [], "k--", label="muP (feature learning)")
    if comparison is not None:
        widest = max(comparison.widths)
        key = (widest, networks.P)
        if key in comparison.predicted:
            p = comparison.predicted[key]
            ax_t.loglog(*_positive(p.times, p.test_loss), "k:", lw=2,
                        label=f"kernel prediction, N = inf ({comparison.method})")
    ax_t.set_xlabel("GD step t")
    ax_t.set_ylabel("test loss (MSE)")
    ax_t.set_title(f"non-linear training, P = {networks.P}")
    ax_t.legend(fontsize=7)
