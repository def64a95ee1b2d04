r"""Figures of measured kernel spectra: eigenvalues and task power with fitted power laws.

Each function takes results of :mod:`scaling_dynamics.empirical` (a ``MeasuredSpectrum``,
an ``ExponentFit``) and returns a matplotlib ``Figure``; ``path=`` also saves it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._base import finish_figure, new_figure, sequential_colors

__all__ = ["plot_spectrum", "plot_spectra_by_width"]



def _binned(power: np.ndarray, per_decade: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Mean task power in log-spaced bins of k (geometric bin centres), for a readable trend."""
    n = power.shape[0]
    edges = np.unique(np.round(np.geomspace(1, n + 1, max(2, int(per_decade * np.log10(n + 1)))))
                      .astype(int))
    centres, means = [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        centres.append(np.sqrt(lo * (hi - 1)) if hi - 1 > lo else lo)
        means.append(power[lo - 1:hi - 1].mean())
    return np.array(centres, float), np.array(means)


def plot_spectrum(
    spectrum: Any,
    fit: Any = None,
    *,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    r"""Eigenvalues :math:`\lambda_k`, task power :math:`\lambda_k (w^*_k)^2` and cumulative task power.

    Left: :math:`\lambda_k` against k (log-log) with the fitted :math:`A_b k^{-b}` over the fit
    range. Middle: the task power of every mode (light), its log-binned mean (dots) and the
    fitted :math:`A_a k^{-a}`. Right: the cumulative fraction of the target's power in the
    first k modes.

    Parameters
    ----------
    spectrum : MeasuredSpectrum
    fit : ExponentFit, optional
        Draws the fitted lines and shades the range of modes used.
    title : str, optional
        Figure title (default: the spectrum's label).
    path : str, optional
        Save the figure there too.
    """
    lam = np.asarray(spectrum.eigenvalues)
    power = np.asarray(spectrum.task_power)
    k = np.arange(1, lam.size + 1)
    fig, axes = new_figure(1, 3, width=4.6, height=3.7)
    ax_l, ax_p, ax_c = axes
    ax_l.loglog(k, lam, ".", ms=2.5, color="C0", label=r"measured $\lambda_k$")
    positive = power > 0
    ax_p.loglog(k[positive], power[positive], ".", ms=2, color="C1", alpha=0.25,
                label="per mode")
    kb, pb = _binned(power)
    okb = pb > 0
    ax_p.loglog(kb[okb], pb[okb], "o", ms=4, color="C1", label="log-binned mean")
    if fit is not None:
        lo, hi = fit.modes_used
        kk = np.geomspace(lo, hi, 50)
        ax_l.loglog(kk, fit.b_amplitude * kk ** (-fit.b), "k--", lw=1.5,
                    label=f"fit b = {fit.b:.2f} [{fit.b_ci[0]:.2f}, {fit.b_ci[1]:.2f}]")
        ax_p.loglog(kk, fit.a_amplitude * kk ** (-fit.a), "k--", lw=1.5,
                    label=f"fit a = {fit.a:.2f} [{fit.a_ci[0]:.2f}, {fit.a_ci[1]:.2f}]")
        for ax in (ax_l, ax_p, ax_c):
            ax.axvspan(lo, hi, color="0.85", alpha=0.4, lw=0, label=None)
    ax_c.semilogx(k, spectrum.cumulative_task_power, color="C2")
    ax_c.set_ylim(0, 1.02)
    ax_l.set_xlabel("mode k")
    ax_l.set_ylabel(r"eigenvalue $\lambda_k$ of $K/P$")
    ax_l.set_title("kernel spectrum")
    ax_p.set_xlabel("mode k")
    ax_p.set_ylabel(r"task power $\lambda_k (w^*_k)^2 = (u_k\cdot y)^2/P$")
    ax_p.set_title("task power")
    ax_c.set_xlabel("mode k")
    ax_c.set_ylabel("cumulative task power (fraction)")
    ax_c.set_title("cumulative task power")
    ax_l.legend(fontsize=8)
    ax_p.legend(fontsize=8)
    fig.suptitle(title or spectrum.label)
    return finish_figure(fig, path)


def plot_spectra_by_width(
    spectra: Mapping[int, Any],
    *,
    reference: Any = None,
    reference_label: str = "infinite width (arc-cosine)",
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    r"""Spectra of networks of several widths in one figure: their convergence as width grows.

    Left: :math:`\lambda_k` per width (colour: width), with an optional infinite-width
    reference; right: cumulative task power per width.

    Parameters
    ----------
    spectra : mapping of width to MeasuredSpectrum
    reference : MeasuredSpectrum, optional
        E.g. the spectrum of :func:`~scaling_dynamics.empirical.arccos_ntk` (dashed black).
    """
    widths = sorted(spectra)
    colors = sequential_colors(len(widths))
    fig, (ax_l, ax_c) = new_figure(1, 2, width=5.0, height=3.8)
    for w, c in zip(widths, colors, strict=True):
        s = spectra[w]
        k = np.arange(1, s.n_modes + 1)
        ax_l.loglog(k, s.eigenvalues, color=c, lw=1.2, label=f"width {w}")
        ax_c.semilogx(k, s.cumulative_task_power, color=c, lw=1.2, label=f"width {w}")
    if reference is not None:
        k = np.arange(1, reference.n_modes + 1)
        ax_l.loglog(k, reference.eigenvalues, "k--", lw=1.2, label=reference_label)
        ax_c.semilogx(k, reference.cumulative_task_power, "k--", lw=1.2, label=reference_label)
    ax_l.set_xlabel("mode k")
    ax_l.set_ylabel(r"eigenvalue $\lambda_k$ of $K/P$")
    ax_l.set_title("NTK spectrum by width")
    ax_c.set_xlabel("mode k")
    ax_c.set_ylabel("cumulative task power (fraction)")
    ax_c.set_title("cumulative task power by width")
    ax_c.set_ylim(0, 1.02)
    ax_l.legend(fontsize=8)
    ax_c.legend(fontsize=8)
    fig.suptitle(title or "spectra of networks of several widths")
    return finish_figure(fig, path)
