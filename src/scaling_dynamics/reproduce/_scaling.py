"""``scaling-figure``: the theory-only variants of the registered figures, one call each.

:func:`make_scaling_figure` runs the :class:`~scaling_dynamics.reproduce.ScalingVariant` of
one entry of the registry (:data:`scaling_dynamics.reproduce.FIGURES`), saves
``<out_dir>/<name>.png`` and the numbers behind it as ``<out_dir>/<name>.json``, and returns
a :class:`ScalingFigureResult`. :data:`SCALING_FIGURES` names the figures that have one.
"""

from __future__ import annotations

import os

from .._validation import check_choice, check_real, check_size
from ..results import write_json
from ._registry import FIGURES
from ._scaling_figures import ScalingFigureResult, ScalingInputs

__all__ = ["SCALING_FIGURES", "make_scaling_figure"]

#: figure name -> what its theory-only variant shows (the registry's entries that have one,
#: in report order)
SCALING_FIGURES: dict[str, str] = {
    name: spec.scaling.description for name, spec in FIGURES.items() if spec.scaling is not None
}


def make_scaling_figure(
    name: str,
    out_dir: str | os.PathLike[str] = ".",
    *,
    a: float = 1.5,
    b: float = 1.25,
    sigma: float | None = None,
    P: int | float | None = None,
    quick: bool = False,
    simulate: bool = False,
    progress: bool | None = None,
) -> ScalingFigureResult:
    """Compute, plot and save one scaling-law figure (see :data:`SCALING_FIGURES`).

    Parameters
    ----------
    name : str
        One of :data:`SCALING_FIGURES`.
    out_dir : path
        Folder for ``<name>.png`` and ``<name>.json`` (created).
    a, b : float
        The power law (``M`` infinite).
    sigma : float, optional
        Label noise (default 0, and 0.5 for ``train-test-gap`` and ``wider-is-better``).
    P : int or math.inf, optional
        Samples: the finite-P frontier of ``frontier`` (default 10^4 / 10^3 quick), the data
        of ``ensembling`` (default inf), the scarce regime of ``wider-is-better``
        (default 500 / 200 quick).
    quick : bool
        Tiny sizes (a few seconds per figure), for smoke tests.
    simulate : bool
        ``bottlenecks`` only: confirm the sweeps by exact simulation (M = 2000).
    progress : bool or None
        Progress bars on stderr.
    """
    name = check_choice("name", name, SCALING_FIGURES)
    variant = FIGURES[name].scaling
    assert variant is not None  # SCALING_FIGURES lists only entries with a variant
    a = check_real("a", a, low=1.0, low_open=True)
    b = check_real("b", b, low=1.0, low_open=True)
    sigma = (0.5 if variant.noisy else 0.0) if sigma is None else check_real("sigma", sigma,
                                                                              low=0.0)
    P = None if P is None else check_size("P", P)
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{name}.png")
    data_path = os.path.join(out_dir, f"{name}.json")
    inputs = ScalingInputs(a=a, b=b, sigma=sigma, P=P, quick=quick, simulate=simulate,
                           progress=progress)
    data, summary = variant.make(inputs, path)
    write_json(data_path, data)
    return ScalingFigureResult(name, path, data_path, summary)
