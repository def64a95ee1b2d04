r"""Theory against simulation, point by point, in standard errors.

For a theory curve :math:`T(x_i)` and simulation means :math:`S(x_i)` over K seeds with
standard errors :math:`s_i`,

.. math:: d_i = \frac{T(x_i) - S(x_i)}{\sqrt{s_i^2 + (\epsilon\, c)^2}},

where :math:`\epsilon` = :data:`THEORY_ACCURACY` is the relative accuracy of the theory's
numerical inversion and :math:`c` the scale of the curve (its largest value): the floor
only matters where the simulation itself is (nearly) deterministic or the curve reaches
round-off, e.g. a train loss of 1e-25 after interpolation.

Derived quantities (a difference of two losses, an ensemble's variance estimate...) are
formed seed by seed with common random numbers (:func:`seed_statistics`), so their
standard error is that of the per-seed values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._types import AGREEMENT_THRESHOLD, CurveAgreement

__all__ = ["THEORY_ACCURACY", "compare_curve", "seed_statistics"]

#: Relative numerical accuracy of the theory (two-variable Talbot inversion), used to
#: floor the standard error (the same convention as ``scaling-dynamics compare``).
THEORY_ACCURACY = 1e-10


def seed_statistics(per_seed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error over axis 0 (seeds) of an array ``(n_seeds, n_points)``."""
    arr = np.asarray(per_seed, dtype=float)
    mean = arr.mean(axis=0)
    if arr.shape[0] < 2:
        return mean, np.zeros_like(mean)
    return mean, arr.std(axis=0, ddof=1) / math.sqrt(arr.shape[0])


def compare_curve(
    label: str,
    x: Any,
    theory: Any,
    simulation: Any,
    sem: Any,
    *,
    x_name: str = "t",
    n_seeds: int = 0,
    scale: float | None = None,
) -> CurveAgreement:
    """Deviation of ``theory`` from ``simulation`` in standard errors (module notes).

    Parameters
    ----------
    label : str
        Name of the curve in the report.
    x, theory, simulation, sem : array_like, shape (n,)
        Abscissae, theory values, simulation means and their standard errors.
    x_name : str
        Name of the abscissa.
    n_seeds : int
        Seeds behind the means (recorded).
    scale : float, optional
        Scale of the curve for the accuracy floor (default: the largest |value|).
    """
    x = np.asarray(x, dtype=float)
    th = np.asarray(theory, dtype=float)
    sim = np.asarray(simulation, dtype=float)
    se = np.asarray(sem, dtype=float)
    if not (x.shape == th.shape == sim.shape == se.shape):
        raise ValueError(
            f"compare_curve({label!r}): shapes differ: x {x.shape}, theory {th.shape}, "
            f"simulation {sim.shape}, sem {se.shape}"
        )
    if scale is None:
        scale = float(np.max(np.abs(np.concatenate([th, sim])))) if th.size else 1.0
    floor = THEORY_ACCURACY * max(scale, 1e-300)
    dev = (th - sim) / np.sqrt(se**2 + floor**2)
    if not np.all(np.isfinite(dev)):
        raise ValueError(f"compare_curve({label!r}): non-finite deviation")
    if dev.size == 0:
        return CurveAgreement(label, x_name, 0, 0.0, math.nan, (), n_seeds)
    i = int(np.argmax(np.abs(dev)))
    above = tuple(float(v) for v in x[np.abs(dev) > AGREEMENT_THRESHOLD])
    return CurveAgreement(
        label=label,
        x_name=x_name,
        n_points=int(dev.size),
        max_abs_deviation=float(np.abs(dev[i])),
        worst_x=float(x[i]),
        above_threshold=above,
        n_seeds=int(n_seeds),
    )
