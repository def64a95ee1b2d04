r"""The real branch of the response equations left of the spectrum, in closed form.

On the real axis :math:`z = -u` left of the spectrum the responses are real, and with
:math:`\rho = R_1R_3` and the new variable :math:`x = u/\rho > \lambda_{max}` the equations
of :mod:`._responses` become explicit. With :math:`S(x) = \sum_k c_k\lambda_k/(x - \lambda_k) > 0`,
:math:`H_k = -1/(\rho(x - \lambda_k))` gives :math:`\sum_k c_k\lambda_k H_k = -S/\rho`, and
:math:`R_1^{-1} = 1 - R_3S/(\rho P)` reads :math:`R_1 = 1 + S/P` (likewise for :math:`R_3`):

.. math::  R_1(x) = 1 + \frac{S(x)}{P}, \qquad R_3(x) = 1 + \frac{S(x)}{N}, \qquad
           u(x) = x\,R_1(x)R_3(x).

Coming from :math:`x = \infty` (:math:`u \approx x`) the branch ends at the first local
minimum :math:`x_*` of :math:`u(x)` (a fold: below :math:`u(x_*)` there is no real
solution nearby), so the spectral edge is :math:`\mu_{max} = u(x_*)`, found by a
vectorised scan of :math:`u` on a geometric grid of :math:`x - \lambda_{max}` and bisection
on the sign of

.. math::  u'(x) = R_1R_3 + xS'(x)\Big(\frac{R_3}{P} + \frac{R_1}{N}\Big), \qquad
           S'(x) = -\sum_k \frac{c_k\lambda_k}{(x - \lambda_k)^2}.

The same map gives the real responses at any :math:`u > \mu_{max}` (solve
:math:`u(x) = u` on :math:`x > x_*`, where ``u`` increases). This replaces a scan with a
scalar Newton solve per grid point by a few vectorised sums; it agrees with that scan
(``edge_of_modes_scan`` in :mod:`._edge`) to its 1e-10 bisection tolerance
(``tests/test_discrete_theory_speed_accuracy.py``).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._modesums import ModeSet
from ._responses import _inv

__all__ = ["fold_edge", "real_branch_responses", "GRID_POINTS"]

_GRID = 400  # points of the scan in x - lambda_max
GRID_POINTS = _GRID
_SPAN = 1e-14  # smallest x - lambda_max scanned, relative to lambda_max
_BISECT = 200


def _branch(ms: ModeSet, iN: float, iP: float, x: np.ndarray):
    """``S``, ``S'``, ``R1``, ``R3`` and ``u`` on the real branch at the points ``x``."""
    lam = ms.eigenvalues
    lc = lam * ms.weights
    d = 1.0 / (np.asarray(x, dtype=np.float64)[..., None] - lam)
    S = d @ lc
    Sp = -(d * d) @ lc
    R1 = 1.0 + S * iP
    R3 = 1.0 + S * iN
    return S, Sp, R1, R3, x * R1 * R3


def _slope(ms: ModeSet, iN: float, iP: float, x: float) -> float:
    _, Sp, R1, R3, _ = _branch(ms, iN, iP, np.array([x]))
    return float(R1[0] * R3[0] + x * Sp[0] * (R3[0] * iP + R1[0] * iN))


@functools.lru_cache(maxsize=16)
def fold_edge(ms: ModeSet, N: float, P: float) -> tuple[float, float, float, int] | None:
    """``(mu_max, x_star, rho, bisections)`` at the first local minimum of ``u(x)`` from the
    right, or None.

    None when the scan finds no minimum above ``lambda_max (1 + 1e-14)`` (the caller then
    falls back to the step-by-step scan). ``N`` or ``P`` may be infinite, not both.
    Cached per mode set (by identity), ``N`` and ``P``: the edge, the stability check and
    every real point of a curve share one scan. ``u`` is flat at the minimum, so locating
    ``x_*`` to 1e-9 relative gives ``mu_max`` to round-off.
    """
    iN, iP = _inv(N), _inv(P)
    lam1 = float(ms.eigenvalues.max())
    top = 2.0 * (lam1 + 4.0 * ms.trace * (iN + iP)) + lam1
    delta = np.geomspace(top, _SPAN * lam1, _GRID)  # decreasing x
    x = lam1 + delta
    u = _branch(ms, iN, iP, x)[4]
    rising = np.flatnonzero(np.diff(u) > 0.0)  # u grows again as x decreases: past the fold
    if not rising.size or rising[0] == 0:
        return None
    i = int(rising[0])  # minimum between x[i+1] < x* < x[i-1]
    lo, hi = float(x[i + 1]), float(x[max(i - 1, 0)])
    if _slope(ms, iN, iP, lo) > 0.0 or _slope(ms, iN, iP, hi) < 0.0:
        return None
    n_bisect = 0
    while n_bisect < _BISECT:
        n_bisect += 1
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if _slope(ms, iN, iP, mid) < 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-9 * hi:
            break
    xs = 0.5 * (lo + hi)
    _, _, R1, R3, us = _branch(ms, iN, iP, np.array([xs]))
    return float(us[0]), xs, float(R1[0] * R3[0]), n_bisect


def real_branch_responses(
    ms: ModeSet, N: float, P: float, u: float, x_star: float
) -> tuple[float, float]:
    """Real ``(R1, R3)`` at ``z = -u`` for ``u > u(x_star)``: the root of ``u(x) = u`` above ``x_star``."""
    iN, iP = _inv(N), _inv(P)
    lo, hi = x_star, max(2.0 * x_star, u)
    while _branch(ms, iN, iP, np.array([hi]))[4][0] < u:
        hi *= 2.0
    # Newton on u(x) - u, safeguarded by the bracket (u increases on (x_star, inf))
    x = hi
    for _ in range(_BISECT):
        _, Sp, R1, R3, ux = _branch(ms, iN, iP, np.array([x]))
        f = float(ux[0]) - u
        if f > 0.0:
            hi = x
        else:
            lo = x
        if abs(f) <= 1e-15 * u or hi - lo <= 1e-15 * hi:
            break
        slope = float(R1[0] * R3[0] + x * Sp[0] * (R3[0] * iP + R1[0] * iN))
        step = x - f / slope if slope > 0.0 else math.nan
        x = step if lo < step < hi else 0.5 * (lo + hi)
    _, _, R1, R3, _ = _branch(ms, iN, iP, np.array([x]))
    return float(R1[0]), float(R3[0])
