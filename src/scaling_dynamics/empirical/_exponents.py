r"""Scaling exponents read off a family of loss curves indexed by width.

Time :math:`L \sim t^{-r}` (widest curve), width :math:`L \sim n^{-r}` (last step) and
compute-optimal :math:`L^* \sim C^{-r}` with :math:`C = n\,t`, each a least-squares slope
in log-log; measured and predicted curves are read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import check_int
from ..results import LossCurves
from ..scaling._summary import summary_repr

__all__ = ["MeasuredExponents", "decay_exponent", "measure_exponents"]


@dataclass(frozen=True, eq=False)
class MeasuredExponents:
    r"""Scaling exponents read off a family of loss curves (one per width, same steps, same P).

    Attributes
    ----------
    time : float
        :math:`L \sim t^{-r}`: least-squares slope of the widest curve over ``time_window``.
    width : float
        :math:`L \sim n^{-r}`: slope of the last recorded test loss against width, over the
        widths in ``widths_used`` (the finite ones).
    compute : float
        :math:`L^* \sim C^{-r}` with :math:`C = n\,t` (width x steps): slope of the lower
        envelope :math:`L^*(C) = \min_n L_n(C/n)` over ``compute_range``.
    time_window : (float, float)
    widths_used : tuple of int
    compute_range : (float, float)
    frontier_compute, frontier_loss, frontier_width : ndarray
        The envelope: budgets, best loss, width reaching it.
    """

    __repr__ = summary_repr

    time: float
    width: float
    compute: float
    time_window: tuple[float, float]
    widths_used: tuple[int, ...]
    compute_range: tuple[float, float]
    frontier_compute: np.ndarray = field(repr=False)
    frontier_loss: np.ndarray = field(repr=False)
    frontier_width: np.ndarray = field(repr=False)


def decay_exponent(x: np.ndarray, y: np.ndarray) -> float:
    """r of :math:`y \\sim x^{-r}`: minus the least-squares log-log slope (nan under 2 points)."""
    ok = (x > 0) & (y > 0) & np.isfinite(y)
    if ok.sum() < 2:
        return float("nan")
    return float(-np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])


def _interp_loglog(t: np.ndarray, L: np.ndarray, tq: np.ndarray) -> np.ndarray:
    ok = (t > 0) & (L > 0)
    out = np.exp(np.interp(np.log(tq), np.log(t[ok]), np.log(L[ok]), left=np.nan, right=np.nan))
    return out


def measure_exponents(
    curves: Mapping[int, LossCurves],
    *,
    time_window: tuple[float, float] = (10.0, 100.0),
    widths: Any = None,
    compute_range: tuple[float, float] | None = None,
    n_compute: int = 40,
) -> MeasuredExponents:
    r"""Time, width and compute-optimal exponents of curves indexed by width.

    Parameters
    ----------
    curves : mapping of width to LossCurves
        Test-loss curves at the same steps and training-set size.
    time_window : (float, float)
        Steps over which the widest curve's time exponent is fitted.
    widths : sequence of int, optional
        Widths for the width exponent (default: all but the widest, which stands for infinity).
    compute_range : (float, float), optional
        Budgets :math:`C = n t` for the frontier (default: from the smallest width at
        ``time_window[0]`` steps to the second-widest width at its last step).
    n_compute : int
        Log-spaced budgets on the frontier.
    """
    if len(curves) < 2:
        raise InvalidParameterError(f"`curves` must hold at least 2 widths; got {len(curves)}.")
    ws = sorted(int(w) for w in curves)
    t0, t1 = (float(x) for x in time_window)
    if not 0 < t0 < t1:
        raise InvalidParameterError(f"`time_window` must satisfy 0 < start < stop; got {time_window!r}.")
    r_time = _time_exponent(curves[ws[-1]], t0, t1, time_window)
    used = tuple(ws[:-1]) if widths is None else tuple(sorted(int(w) for w in widths))
    if len(used) < 2:
        used = tuple(ws)
    final = np.array([curves[w].test_loss[-1] for w in used])
    r_width = decay_exponent(np.array(used, dtype=np.float64), final)
    if compute_range is None:
        tmax = float(np.max(np.asarray(curves[ws[-1]].times, dtype=np.float64)))
        compute_range = (ws[0] * t0, (ws[-2] if len(ws) > 2 else ws[-1]) * tmax)
    c0, c1 = (float(x) for x in compute_range)
    budgets = np.geomspace(c0, c1, check_int("n_compute", n_compute, low=3))
    front, front_width = _compute_frontier(curves, ws, budgets)
    ok = np.isfinite(front)
    return MeasuredExponents(
        time=r_time,
        width=r_width,
        compute=decay_exponent(budgets[ok], front[ok]),
        time_window=(t0, t1),
        widths_used=used,
        compute_range=(c0, c1),
        frontier_compute=budgets[ok],
        frontier_loss=front[ok],
        frontier_width=front_width[ok],
    )


def _time_exponent(widest: LossCurves, t0: float, t1: float, window: Any) -> float:
    """Slope of the widest curve's test loss over steps in [t0, t1]."""
    t = np.asarray(widest.times, dtype=np.float64)
    inwin = (t >= t0) & (t <= t1)
    if inwin.sum() < 2:
        raise InvalidParameterError(f"`time_window` {window!r} holds fewer than 2 recorded steps.")
    return decay_exponent(t[inwin], np.asarray(widest.test_loss)[inwin])


def _compute_frontier(curves: Mapping[int, LossCurves], ws: list[int],
                      budgets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Lower envelope :math:`L^*(C) = \min_n L_n(C/n)` and the width reaching it, per budget."""
    table = np.full((len(ws), budgets.size), np.nan)
    for i, w in enumerate(ws):
        cw = curves[w]
        table[i] = _interp_loglog(np.asarray(cw.times, float), np.asarray(cw.test_loss), budgets / w)
    best = np.where(np.isnan(table), np.inf, table)
    idx = np.argmin(best, axis=0)
    return best[idx, np.arange(budgets.size)], np.array(ws)[idx]
