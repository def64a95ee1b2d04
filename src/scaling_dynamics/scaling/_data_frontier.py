r"""The compute-optimal frontier and bottleneck exponents of measured loss data.

Measured data (a simulated sweep, or a user's training runs) give the loss at a few
model sizes :math:`N_j` and times :math:`t`. For a budget :math:`C = N t` each size is
read at :math:`t = C/N_j` by linear interpolation of :math:`\log L` in :math:`\log t`
(never extrapolated: sizes whose runs do not reach :math:`C/N_j` drop out), and

.. math:: L^*(C) = \min_j L_j(C/N_j),

refined between sampled sizes by the parabola through :math:`\log L` at the best size
and its two neighbours (in :math:`\log N`). A best size at the smallest or largest
sampled N marks the budget ``at_bound``: the optimum may lie outside the data, so the
point is left out of the exponent fits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import as_float_array, check_int
from ._allocation import log_slope
from ._data import LossTable
from ._exponents import ScalingExponents
from ._frontier import Frontier, assemble_frontier

__all__ = ["frontier_from_table", "loss_exponent"]


def _curves(table: LossTable) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """Per model size: sorted distinct times and the mean loss there (replicates averaged)."""
    out = []
    for n in np.unique(table.model_size):
        rows = table.model_size == n
        t, inverse = np.unique(table.steps[rows], return_inverse=True)
        loss = np.bincount(inverse, weights=table.loss[rows]) / np.bincount(inverse)
        out.append((float(n), t, loss))
    return out


def _iso_compute(curves, compute: np.ndarray) -> np.ndarray:
    """``L_j(C_i / N_j)`` (inf where size j's run does not cover that time)."""
    table = np.full((len(curves), compute.size), np.inf)
    for j, (n, t, loss) in enumerate(curves):
        if t.size < 2:
            continue
        want = compute / n
        inside = (want >= t[0] * (1 - 1e-12)) & (want <= t[-1] * (1 + 1e-12))
        table[j, inside] = np.exp(np.interp(np.log(want[inside]), np.log(t), np.log(loss)))
    return table


def frontier_from_table(
    table: LossTable,
    compute: Any = None,
    *,
    n_compute: int = 12,
    expected: ScalingExponents | None = None,
    params: dict[str, Any] | None = None,
) -> Frontier:
    r"""Compute-optimal frontier :math:`N^*, t^*, L^*` of measured loss data.

    Parameters
    ----------
    table : LossTable
        Rows of (model size, steps or time, loss), e.g. from
        :func:`scaling_dynamics.sweeps.to_loss_table` or :func:`read_loss_table`;
        at least two model sizes, each with at least two times.
    compute : array_like, optional
        Budgets C. Default: ``n_compute`` log-spaced budgets over the range where at
        least two sizes have data.
    expected : ScalingExponents, optional
        Closed forms to compare the fitted exponents with.
    params : dict, optional
        Recorded in the result.

    Returns
    -------
    Frontier
        ``grid_model_size`` are the sampled sizes and ``grid_loss`` the interpolated
        iso-compute table; budgets with fewer than two sizes are dropped.

    Raises
    ------
    InvalidParameterError
        With fewer than two sizes that have two or more times, or no usable budget.
    """
    curves = [c for c in _curves(table) if c[1].size >= 2]
    if len(curves) < 2:
        raise InvalidParameterError(
            "a compute-optimal frontier needs at least two model sizes with two or more times "
            f"each; the data have {len(curves)}."
        )
    sizes = np.array([c[0] for c in curves])
    if compute is None:
        n_compute = check_int("n_compute", n_compute, low=2)
        lo = np.array([n * t[0] for n, t, _ in curves])
        hi = np.array([n * t[-1] for n, t, _ in curves])
        c_lo, c_hi = np.sort(lo)[1], np.sort(hi)[-2]  # at least two sizes cover [c_lo, c_hi]
        if not c_hi > c_lo:
            raise InvalidParameterError(
                "no budget C = N t is covered by two model sizes at once; the runs' times do "
                "not overlap in compute."
            )
        compute = np.geomspace(c_lo, c_hi, n_compute)
    c = np.sort(as_float_array("compute", compute, positive=True))
    grid = _iso_compute(curves, c)
    usable = np.isfinite(grid).sum(axis=0) >= 2
    if not usable.any():
        c_min = min(n * t[0] for n, t, _ in curves)
        c_max = max(n * t[-1] for n, t, _ in curves)
        raise InvalidParameterError(
            "none of the budgets is covered by two model sizes; choose budgets inside the "
            f"data's compute range [{c_min:g}, {c_max:g}]."
        )
    c, grid = c[usable], grid[:, usable]
    log_n = np.log(sizes)
    n_opt, l_opt = np.empty(c.size), np.empty(c.size)
    at_bound = np.zeros(c.size, dtype=bool)
    for i in range(c.size):
        col = grid[:, i]
        valid = np.flatnonzero(np.isfinite(col))
        j = int(valid[np.argmin(col[valid])])
        n_opt[i], l_opt[i] = sizes[j], col[j]
        at_bound[i] = j in (valid[0], valid[-1])
        if not at_bound[i] and np.isfinite(col[j - 1]) and np.isfinite(col[j + 1]):
            x = log_n[j - 1 : j + 2]
            a2, a1, a0 = np.polyfit(x, np.log(col[j - 1 : j + 2]), 2)
            if a2 > 0:
                x_star = float(np.clip(-a1 / (2 * a2), x[0], x[2]))
                n_opt[i] = math.exp(x_star)
                l_opt[i] = float(np.exp(np.polyval([a2, a1, a0], x_star)))
    record = {"source": table.source, "method": "interpolated data", **(params or {})}
    return assemble_frontier(c, n_opt, l_opt, at_bound, sizes, grid, expected=expected,
                             params=record, n_evaluations=int(np.isfinite(grid).sum()))


def loss_exponent(x: Any, loss: Any, *, fit_decades: float | None = None) -> tuple[float, float]:
    r"""Measured decay exponent :math:`r` of :math:`L \propto x^{-r}` and its standard error.

    A least-squares line through :math:`(\log x, \log L)` over the last ``fit_decades``
    decades of x (all points when None); replicate x values are averaged first.
    """
    x = as_float_array("x", x, positive=True, min_length=2)
    y = as_float_array("loss", loss, positive=True, min_length=2)
    if x.shape != y.shape:
        raise InvalidParameterError(
            f"`x` and `loss` must have the same length; got {x.size} and {y.size}."
        )
    ux, inverse = np.unique(x, return_inverse=True)
    uy = np.bincount(inverse, weights=y) / np.bincount(inverse)
    if ux.size < 2:
        raise InvalidParameterError("an exponent needs at least two distinct x values.")
    if fit_decades is not None:
        keep = ux >= ux[-1] / 10.0**fit_decades
        if keep.sum() >= 2:
            ux, uy = ux[keep], uy[keep]
    slope, se = log_slope(ux, uy)
    return -slope, se
