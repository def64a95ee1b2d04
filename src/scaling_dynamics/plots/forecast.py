"""Forecasts of fitted laws against held-out truth: the data, the curves, the intervals."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._base import finish_figure, new_figure, sequential_colors

__all__ = ["plot_forecast"]

_STYLES = ("-", "--", ":", "-.")
_MARKERS = ("s", "D", "^", "v")


def plot_forecast(train: Any, heldout: Any, fits: dict[str, Any],
                  forecasts: dict[str, list[Any]], *, title: str = "forecast",
                  size_label: str = "N", path: str | os.PathLike[str] | None = None) -> Any:
    """The data a law was fitted to, its curves, its forecasts with intervals, the truth.

    Left: loss against steps for every model size (fitted data as dots, held-out truth
    as open circles), each fit's curve (``fit.predict``) over the whole range, and its
    forecasts at the held-out points with their intervals. Right: forecast against
    held-out truth (the diagonal is a perfect forecast).

    Parameters
    ----------
    train, heldout : LossTable
        The fitted points and the held-out points.
    fits : dict of str to fitted law
        Name -> an object with ``predict(model_size, steps)``.
    forecasts : dict of str to list of Forecast
        Name -> the law's forecasts at the held-out points, in their order.
    title, size_label : str
        Figure title; what the model size is called (``"N"``, ``"width"``).
    path : path, optional
        Where to save the figure.
    """
    fig, (ax0, ax1) = new_figure(1, 2, width=5.2, height=4.0)
    sizes = np.unique(np.concatenate([train.model_size, heldout.model_size]))
    colors = sequential_colors(sizes.size)
    t_all = np.concatenate([train.steps, heldout.steps])
    tt = np.geomspace(t_all.min(), t_all.max(), 80)
    for i, n in enumerate(sizes):
        sel = train.model_size == n
        if sel.any():
            ax0.plot(train.steps[sel], train.loss[sel], "o", ms=3.5, color=colors[i],
                     label=f"{size_label} = {n:.4g}")
        held = heldout.model_size == n
        if held.any():
            ax0.plot(heldout.steps[held], heldout.loss[held], "o", ms=8, mfc="none",
                     color=colors[i], label=None if sel.any() else f"{size_label} = {n:.4g}")
        for k, fit in enumerate(fits.values()):
            ax0.plot(tt, fit.predict(np.full_like(tt, n), tt), _STYLES[k % 4], lw=0.9,
                     color=colors[i])
    lo_all, hi_all = [], []
    for k, (name, fcs) in enumerate(forecasts.items()):
        pred = np.array([f.loss for f in fcs])
        low = np.array([f.low for f in fcs])
        high = np.array([f.high for f in fcs])
        has = np.isfinite(low) & np.isfinite(high)
        err = np.vstack([pred - np.where(has, low, pred), np.where(has, high, pred) - pred])
        shift = 1.0 + 0.04 * (k - (len(forecasts) - 1) / 2)
        ax0.errorbar(heldout.steps * shift, pred, yerr=err, fmt=_MARKERS[k % 4], ms=4,
                     color="k", mfc="none" if k else "k", capsize=2, lw=0.8,
                     label=f"{name} forecast")
        ax1.errorbar(heldout.loss, pred, yerr=err, fmt=_MARKERS[k % 4], ms=4, capsize=2,
                     lw=0.8, label=name)
        lo_all += [pred.min(), heldout.loss.min()]
        hi_all += [pred.max(), heldout.loss.max()]
    ax0.plot([], [], "o", ms=8, mfc="none", color="0.3", label="held-out truth")
    for k, name in enumerate(fits):
        ax0.plot([], [], _STYLES[k % 4], color="0.3", label=f"{name} fit")
    ax0.set_xscale("log")
    ax0.set_yscale("log")
    ax0.set_xlabel("steps t")
    ax0.set_ylabel("test loss")
    ax0.set_title("data, fitted laws, forecasts")
    ax0.legend(fontsize=6, ncol=2)
    if lo_all:
        lim = (0.9 * min(lo_all), 1.1 * max(hi_all))
        ax1.plot(lim, lim, "-", color="0.6", lw=0.8, label="forecast = truth")
        ax1.set_xlim(lim)
        ax1.set_ylim(lim)
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("held-out test loss (truth)")
    ax1.set_ylabel("forecast test loss")
    ax1.set_title("forecast against truth")
    ax1.legend(fontsize=7)
    fig.suptitle(title)
    return finish_figure(fig, path)
