"""Drawing of the paper-reproduction figures (:mod:`scaling_dynamics.reproduce`).

The reproduction describes each figure as data (``FigureData`` of ``Panel`` of ``Series``,
see :mod:`scaling_dynamics.reproduce._panels`); :func:`draw_figure` draws it with one
look: theory as lines, simulation means as points with error bars of one standard error,
closed-form power laws dotted, log axes where the data are positive.
"""

from __future__ import annotations

import math
import os
import textwrap
from typing import Any

import numpy as np

from ._base import finish_figure, log_smooth, new_figure, sequential_colors

__all__ = ["draw_figure", "FIGURE_DPI"]

#: Resolution of the saved PNGs (small files for the report and the README).
FIGURE_DPI = 100

_MARKERS = {"o", "s", "^", "v", "D", "*", "x", "+", "<", ">", "p", "h"}


def _color(series: Any) -> Any:
    if series.family is not None:
        i, n = series.family
        return sequential_colors(max(1, n))[i]
    return series.color


def _finite(x: np.ndarray, y: np.ndarray, logx: bool, logy: bool) -> np.ndarray:
    keep = np.isfinite(x) & np.isfinite(y)
    if logx:
        keep &= x > 0
    if logy:
        keep &= y > 0
    return keep


def _draw_series(ax: Any, s: Any, logx: bool, logy: bool) -> None:
    color = _color(s)
    x, y = np.asarray(s.x, float), np.asarray(s.y, float)
    if s.kind == "hline":
        ax.axhline(float(y[0]), color=color, ls=s.style or ":", lw=1.0, label=s.label)
        return
    keep = _finite(x, y, logx, logy)
    if not keep.any():
        return
    if s.kind == "simulation":
        marker = s.style if s.style in _MARKERS else "o"
        err = None if s.sem is None else np.asarray(s.sem, float)[keep]
        ax.errorbar(x[keep], y[keep], yerr=err, fmt=marker, ms=4, capsize=1.5, elinewidth=0.9,
                    color=color, mfc="none" if s.open else color, label=s.label, zorder=3)
    elif s.kind == "guide":
        ax.plot(x[keep], y[keep], ls=s.style or ":", lw=1.2, color=color, label=s.label, zorder=1)
    else:  # theory
        style = s.style or "-"
        if style in _MARKERS:
            ax.plot(x[keep], y[keep], style, ms=9, color=color, label=s.label, zorder=4)
        elif s.smooth and logx and logy:
            xs, ys = log_smooth(x[keep], y[keep])
            ax.plot(xs, ys, style, lw=1.5, color=color, label=s.label, zorder=2)
        else:
            ax.plot(x[keep], y[keep], style, lw=1.5, color=color, label=s.label, zorder=2)


def draw_figure(data: Any, path: str | os.PathLike[str] | None = None, *,
                dpi: int = FIGURE_DPI) -> Any:
    """Draw a ``FigureData`` (panels of theory lines and simulation points); save to ``path``.

    Returns the matplotlib ``Figure``.
    """
    panels = list(data.panels)
    ncols = max(1, min(data.ncols, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = new_figure(nrows, ncols, width=data.panel_width, height=data.panel_height,
                           squeeze=False)
    flat = list(axes.flat)
    for ax, panel in zip(flat, panels, strict=False):
        logx, logy = panel.xscale == "log", panel.yscale == "log"
        for s in panel.series:
            _draw_series(ax, s, logx, logy)
        if logx:
            ax.set_xscale("log", nonpositive="clip")
        if logy:
            ax.set_yscale("log", nonpositive="clip")
        if panel.ylim is not None:
            ax.set_ylim(*panel.ylim)
        ax.set_xlabel(panel.xlabel)
        ax.set_ylabel(panel.ylabel)
        ax.set_title(panel.title, fontsize=10)
        if panel.legend and any(s.label for s in panel.series):
            ax.legend(fontsize=panel.legend_fontsize, frameon=False)
    for ax in flat[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(data.title, fontsize=11)
    if data.footnote:
        width = int(14 * data.panel_width * ncols)
        fig.supxlabel(textwrap.fill(data.footnote, width), fontsize=8, color="0.3")
    return finish_figure(fig, path, dpi=dpi)
