"""Shared figure helpers (matplotlib object API, no global pyplot state)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["finish_figure", "new_figure", "save_figure", "sequential_colors"]


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


def save_figure(fig: Any, path: str | os.PathLike[str], *, dpi: int = 150) -> str:
    """Save ``fig`` to ``path`` (format from the suffix, PNG by default), creating folders."""
    path = os.fspath(path)
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def finish_figure(fig: Any, path: str | os.PathLike[str] | None, *, dpi: int = 150) -> Any:
    """Save ``fig`` to ``path`` when one is given (:func:`save_figure`); return ``fig``."""
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig
