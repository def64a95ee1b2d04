"""What a reproduced figure draws, as plain data (no matplotlib here).

Each figure module computes its curves and describes them as :class:`Panel` objects
holding :class:`Series`; :func:`scaling_dynamics.plots.reproduce.draw_figure` turns them into
a PNG, and :meth:`FigureData.to_dict` saves the same numbers as JSON next to it. Keeping the
figure as data means the numbers on disk are exactly the numbers drawn.

Series kinds
    ``theory``: a line (``style`` a matplotlib line style or format, default ``"-"``);
    ``simulation``: points with error bars of one standard error (``style`` a marker;
    ``open=True`` for hollow markers); ``guide``: a dotted reference power law;
    ``hline``: a horizontal reference line at ``y[0]``.

A theory line with ``smooth=True`` holds a few exact points (e.g. an iso-compute curve at the
simulated sizes); it is drawn as a monotone cubic through them in log-log space rather than
as a polyline. The record holds only the exact points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._records import Record

__all__ = ["Series", "Panel", "FigureData", "theory", "points", "guide", "hline"]


@dataclass(frozen=True, eq=False)
class Series(Record):
    """One drawn curve (see the module notes for ``kind``); its record holds the numbers."""

    _dict_exclude = ("sem", "color", "family", "style", "open", "smooth")

    kind: str
    x: np.ndarray
    y: np.ndarray
    sem: np.ndarray | None = None
    label: str | None = None
    color: Any = None
    family: tuple[int, int] | None = None
    style: str | None = None
    open: bool = False
    smooth: bool = False

    def _dict_extra(self) -> dict[str, Any]:
        return {} if self.sem is None else {"sem": self.sem}


def theory(x: Any, y: Any, label: str | None = None, *, family: tuple[int, int] | None = None,
           color: Any = None, style: str = "-", smooth: bool = False) -> Series:
    """A theory line (``smooth``: drawn as a smooth curve through few points, log-log)."""
    return Series("theory", np.asarray(x, float), np.asarray(y, float), None, label, color,
                  family, style, smooth=smooth)


def points(x: Any, y: Any, sem: Any, label: str | None = None, *,
           family: tuple[int, int] | None = None, color: Any = None, style: str = "o",
           open: bool = False) -> Series:
    """Simulation means with error bars of one standard error."""
    return Series("simulation", np.asarray(x, float), np.asarray(y, float),
                  np.asarray(sem, float), label, color, family, style, open)


def guide(x: Any, y0: float, x0: float, slope: float, label: str, *, color: Any = "0.35",
          family: tuple[int, int] | None = None, style: str = ":") -> Series:
    """The power law ``y0 (x / x0)^slope`` over ``x`` (a closed-form reference)."""
    x = np.asarray(x, float)
    return Series("guide", x, y0 * (x / x0) ** slope, None, label, color, family, style)


def hline(y: float, label: str | None = None, *, color: Any = "0.35", style: str = ":") -> Series:
    """A horizontal reference line."""
    return Series("hline", np.array([0.0]), np.array([float(y)]), None, label, color, None, style)


@dataclass(frozen=True, eq=False)
class Panel(Record):
    """One set of axes; its record holds the labels and the series, not the looks."""

    _dict_exclude = ("xscale", "yscale", "legend", "legend_fontsize", "ylim")

    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...]
    xscale: str = "log"
    yscale: str = "log"
    legend: bool = True
    legend_fontsize: float = 7.0
    ylim: tuple[float | None, float | None] | None = None


@dataclass(frozen=True, eq=False)
class FigureData(Record):
    """A whole figure: panels in a grid of ``ncols`` columns, a title and a footnote."""

    _dict_exclude = ("ncols", "panel_width", "panel_height")

    title: str
    panels: tuple[Panel, ...]
    ncols: int = 3
    footnote: str = ""
    panel_width: float = 4.4
    panel_height: float = 3.5
