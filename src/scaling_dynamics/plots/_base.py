"""Shared figure helpers (matplotlib object API, no global pyplot state)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["finish_figure", "log_smooth", "new_figure", "save_figure", "sequential_colors",
           "size_ticks"]


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 5.0, height: float = 3.8,
               squeeze: bool = True) -> tuple[Any, Any]:
    """A ``Figure`` with a grid of axes (each ``width`` x ``height`` inches) and the house style."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=squeeze)
    for ax in (axes.flat if hasattr(axes, "flat") else [axes]):
        ax.grid(True, which="major", alpha=0.3)
        ax.grid(True, which="minor", alpha=0.1)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes


def sequential_colors(n: int, cmap: str = "viridis") -> list[Any]:
    """``n`` colours from a perceptually uniform map (for a family of curves, e.g. several N)."""
    import matplotlib

    cm = matplotlib.colormaps[cmap]
    if n == 1:
        return [cm(0.35)]
    return [cm(0.05 + 0.8 * i / (n - 1)) for i in range(n)]


def log_smooth(x: Any, y: Any, n: int = 200) -> tuple[Any, Any]:
    """A smooth curve through the positive points ``(x, y)``: monotone cubic in log-log space.

    A shape-preserving (PCHIP) interpolant of ``log y`` against ``log x`` evaluated at ``n``
    log-spaced points and at the points themselves: it passes through every point and adds no wiggle, so the minimum of an
    iso-compute curve stays at its lowest point. Fewer than three points come back as given.
    """
    import numpy as np

    x = np.asarray(x, float).ravel()
    y = np.asarray(y, float).ravel()
    keep = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    x, y = x[keep], y[keep]
    x, first = np.unique(x, return_index=True)
    y = y[first]
    if x.size < 3:
        return x, y
    from scipy.interpolate import PchipInterpolator

    lx = np.log(x)
    grid = np.union1d(np.linspace(lx[0], lx[-1], n), lx)  # the points themselves included
    ly = PchipInterpolator(lx, np.log(y))(grid)
    return np.exp(grid), np.exp(ly)


def size_ticks(axis: Any, sizes: Any) -> None:
    """Ticks of a log axis at the given sizes (``N = 50, 100, 200, 400``), labelled plainly.

    Keeps at most 8 labels (every k-th size) so that they never crowd.
    """
    import numpy as np
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    values = np.unique(np.asarray(sizes, float))
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return
    step = max(1, int(np.ceil(values.size / 8)))
    axis.set_major_locator(FixedLocator(values[::step]))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.4g}"))
    axis.set_minor_formatter(NullFormatter())


def save_figure(fig: Any, path: str | os.PathLike[str], *, dpi: int = 150) -> str:
    """Save ``fig`` to ``path`` (format from the suffix, PNG by default), creating folders.

    The figure is tidied first (:func:`~scaling_dynamics.plots._tidy.tidy_figure`: readable
    titles and legends, no overlapping tick labels).
    """
    from ._tidy import tidy_figure

    path = os.fspath(path)
    tidy_figure(fig)
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def finish_figure(fig: Any, path: str | os.PathLike[str] | None, *, dpi: int = 150) -> Any:
    """Tidy ``fig`` and save it to ``path`` when one is given (:func:`save_figure`); return it."""
    from ._tidy import tidy_figure

    if path is not None:
        save_figure(fig, path, dpi=dpi)
    else:
        tidy_figure(fig)
    return fig
