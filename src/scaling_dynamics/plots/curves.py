"""Loss curves: theory as lines, simulations as points with error bars, on log-log axes.

Works with any number of :class:`~scaling_dynamics.LossCurves` (simulation or theory) and
any of their curves (``test_loss``, ``train_loss`` or an ``extra`` curve such as
``bias``), so the same functions draw the comparison of one experiment and the paper's
families of curves (several N, several P...).

>>> import numpy as np
>>> from scaling_dynamics import LossCurves
>>> from scaling_dynamics.plots.curves import plot_curves
>>> t = np.array([1.0, 10.0, 100.0])
>>> c = LossCurves(times=t, test_loss=1 / t, train_loss=0.5 / t, source="theory")
>>> fig = plot_curves([c], labels=["theory"], title="demo")
>>> fig.axes[0].get_xscale(), fig.axes[0].get_yscale()
('log', 'log')
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._base import finish_figure, new_figure, sequential_colors

__all__ = ["plot_curves", "draw_curve", "comparison_figure", "curve_label"]

_KEY_NAMES = {
    "test_loss": "test loss",
    "train_loss": "train loss",
    "bias": "bias",
    "variance_projection": "projection variance",
    "variance_data": "data variance",
}


def curve_label(curves: Any, keys: Sequence[str] = ("N", "P")) -> str:
    """A short label from the parameters, e.g. ``"N=250, P=500"``."""
    p = getattr(curves, "params", {}) or {}
    parts = [f"{k}={p[k]}" for k in keys if k in p and p[k] is not None]
    return ", ".join(parts) if parts else str(getattr(curves, "source", ""))


def _values(curves: Any, key: str) -> tuple[np.ndarray, np.ndarray | None]:
    if key in ("test_loss", "train_loss"):
        return np.asarray(getattr(curves, key)), getattr(curves, key + "_sem")
    if key in curves.extra:
        return np.asarray(curves.extra[key]), None
    raise KeyError(
        f"curve {key!r} not found; available: test_loss, train_loss"
        + "".join(f", {k}" for k in curves.extra)
    )


def draw_curve(
    ax: Any,
    curves: Any,
    key: str = "test_loss",
    *,
    label: str | None = None,
    color: Any = None,
    style: str | None = None,
    loglog: bool = True,
    **kwargs: Any,
) -> None:
    """Draw one curve of ``curves`` on ``ax``.

    ``style`` is ``"line"`` (default for theory and single-seed results) or ``"points"``
    (default for simulations with standard errors, drawn as error bars of one sem). On
    log axes, non-positive values (e.g. a train loss that reached round-off) are left out.
    """
    t = np.asarray(curves.times, dtype=float)
    y, sem = _values(curves, key)
    if style is None:
        style = "points" if sem is not None else "line"
    keep = np.isfinite(y)
    if loglog:
        keep &= (t > 0) & (y > 0)
    if style == "points":
        err = None if sem is None else np.asarray(sem)[keep]
        ax.errorbar(t[keep], y[keep], yerr=err, fmt="o", ms=3.5, capsize=2, elinewidth=1,
                    color=color, label=label, **kwargs)
    else:
        kwargs.setdefault("linestyle", "-")
        ax.plot(t[keep], y[keep], lw=1.6, color=color, label=label, **kwargs)
    if loglog:
        ax.set_xscale("log")
        ax.set_yscale("log")


def plot_curves(
    curves: Sequence[Any],
    *,
    keys: Sequence[str] = ("test_loss",),
    labels: Sequence[str] | None = None,
    colors: Sequence[Any] | None = None,
    styles: Sequence[str | None] | None = None,
    ax: Any = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    loglog: bool = True,
    legend: bool = True,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """Plot several loss curves (theory lines, simulation points) on one set of axes.

    Parameters
    ----------
    curves : sequence of LossCurves
        Any mix of simulation and theory results.
    keys : sequence of str
        Which curves of each result to draw (``test_loss``, ``train_loss`` or an ``extra``
        name); several keys are drawn with dashed lines / open markers after the first.
    labels : sequence of str, optional
        One per result (default: ``N=.., P=..`` and the source).
    colors, styles : sequence, optional
        One per result; styles ``"line"`` or ``"points"`` (default from the source).
    ax : matplotlib Axes, optional
        Draw into these axes instead of a new figure.
    title, xlabel, ylabel : str, optional
        Axis texts (defaults: ``t (gradient-flow time)`` or ``steps``, and ``loss``).
    loglog : bool
        Log-log axes (default).
    legend : bool
    path : path, optional
        Save the figure there (PNG, PDF or SVG from the suffix).

    Returns
    -------
    matplotlib Figure
    """
    curves = list(curves)
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = ax.figure
    colors = list(colors) if colors is not None else sequential_colors(max(1, len(curves)))
    for i, c in enumerate(curves):
        base = labels[i] if labels is not None else f"{curve_label(c)} ({c.source})"
        _draw_keys(ax, c, keys, base, colors[i % len(colors)],
                   styles[i] if styles is not None else None, loglog)
    unit = getattr(curves[0], "time_unit", "time") if curves else "time"
    ax.set_xlabel(xlabel or ("steps" if unit == "steps" else "t (gradient-flow time)"))
    ax.set_ylabel(ylabel or (_KEY_NAMES.get(keys[0], keys[0]) if len(keys) == 1 else "loss"))
    if title:
        ax.set_title(title)
    if legend and curves:
        ax.legend(fontsize="small", frameon=False)
    return finish_figure(fig, path)


def _draw_keys(ax: Any, c: Any, keys: Sequence[str], base: str, color: Any,
               style: str | None, loglog: bool) -> None:
    """Each key of one result; keys after the first dashed (lines) or open (points)."""
    for j, key in enumerate(keys):
        lab = base if len(keys) == 1 else f"{base}: {_KEY_NAMES.get(key, key)}"
        resolved = style or ("points" if _values(c, key)[1] is not None else "line")
        extra: dict[str, Any] = {}
        if j > 0:
            extra = {"linestyle": "--"} if resolved == "line" else {"mfc": "none"}
        draw_curve(ax, c, key, label=lab, color=color, style=resolved, loglog=loglog, **extra)


def comparison_figure(
    theory: Any,
    simulation: Any,
    *,
    deviations: dict[str, np.ndarray] | None = None,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """Theory lines over simulation means (error bars of one sem), test and train side by side.

    With ``deviations`` (``{"test_loss": ..., "train_loss": ...}`` in units of the
    standard error) a second row shows them against time with bands at 2 and 3 sem.
    """
    rows = 2 if deviations is not None else 1
    xlabel = "steps" if getattr(simulation, "time_unit", "time") == "steps" else (
        "t (gradient-flow time)")
    fig, axes = new_figure(rows, 2, width=5.0, height=3.6 if rows == 1 else 3.2, squeeze=False)
    for col, key in enumerate(("test_loss", "train_loss")):
        ax = axes[0][col]
        draw_curve(ax, simulation, key, label=f"simulation ({simulation.n_seeds or 1} seeds)",
                   color="C0", style="points")
        draw_curve(ax, theory, key, label="theory (DMFT)", color="C3", style="line")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(_KEY_NAMES[key])
        ax.set_title(_KEY_NAMES[key])
        ax.legend(fontsize="small", frameon=False)
        if deviations is not None:
            dax = axes[1][col]
            d = np.asarray(deviations[key], dtype=float)
            t = np.asarray(theory.times, dtype=float)
            ok = np.isfinite(d) & (t > 0)
            dax.axhspan(-2, 2, color="0.85", lw=0)
            dax.axhline(3, color="0.6", lw=0.8, ls="--")
            dax.axhline(-3, color="0.6", lw=0.8, ls="--")
            dax.plot(t[ok], d[ok], "o-", ms=3, color="C3")
            dax.set_xscale("log")
            dax.set_xlabel(xlabel)
            dax.set_ylabel("(theory - sim) / sem")
    names = ("a", "b", "M", "N", "P", "sigma", "ensemble")
    fig.suptitle(title or f"theory vs simulation: {curve_label(simulation, names)}")
    return finish_figure(fig, path)
