"""Figures. The only part of the package that imports matplotlib (Agg, no pyplot).

Each topic has its own module (``curves``, ``scaling``, ``spectra``...); they share
:func:`new_figure` and :func:`save_figure` so every figure has the same look:
labelled axes with units, a legend, a title that names the parameters.
"""

from ._base import new_figure as new_figure
from ._base import save_figure as save_figure
from ._base import sequential_colors as sequential_colors

__all__ = ["new_figure", "save_figure", "sequential_colors"]
