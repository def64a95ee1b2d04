r"""Stage 2 of the frontier: every budget's optimum refined on shared lattices of model sizes.

After the bracketing grid (stage 1), budget :math:`C_i` has its best grid size and a
bracket :math:`[x_{lo}, x_{hi}]` in :math:`x = \log N`. The refinement visits lattices
:math:`x = x_0 + k h` with :math:`h = H/4`, then :math:`h/6` each time (H the grid's
spacing), the last at :math:`h = 60\,\text{xatol}`. On each, a budget asks for the five lattice sizes around
its current estimate (three on the finer lattices, where the coarser points nearby complete
them; walking on while the best is at an end of them), and a polynomial of
degree <= 4 through the values within :math:`2.5h` of the best gives the next estimate
:math:`\hat x` (the minimum of the quartic, within :math:`h` of the best point). Last, the
loss is evaluated at :math:`\hat N = e^{\hat x}` (rounded for whole sizes) and the
reported optimum is the best size evaluated, so :math:`L^*` is always a value of the loss
itself, never of the polynomial.

The requests of all budgets are pooled: one call ``loss(N, times)`` per distinct size
serves every budget that asked for it (``times = C_i/N``), so neighbouring budgets share
their lattice sizes and a frontier of many budgets costs far fewer calls than one
search per budget. With whole sizes and a lattice finer than the integers, all the whole
sizes in the stencil are evaluated and the smallest value is exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["refine_shared", "LEVEL_STOP"]

#: The lattices stop once their spacing is at most this many times ``xatol``: the quartic
#: through five points at that spacing places the minimum to ~1e-4 in log N.
LEVEL_STOP = 60.0
#: Lattice points each side of the estimate: on the first lattice, and on the finer ones
#: (where the previous lattice's points within 2.5 h complete the quartic's five).
_STENCIL_FIRST, _STENCIL_FINER = 2, 1
_MAX_WALK = 40


class _Pool:
    """Loss values per budget, and the pooled calls that fill them."""

    def __init__(self, loss: Callable[[float, np.ndarray], np.ndarray], c: np.ndarray,
                 bar: Any) -> None:
        self.loss, self.c, self.bar = loss, c, bar
        self.values: list[dict[float, float]] = [{} for _ in range(c.size)]
        self.calls = 0

    def run(self, requests: dict[float, set[int]]) -> None:
        """Evaluate each requested size once, at the times of every budget that asked."""
        for n in sorted(requests):
            idx = sorted(i for i in requests[n] if n not in self.values[i])
            if not idx:
                continue
            vals = self.loss(n, self.c[idx] / n)
            for i, v in zip(idx, vals, strict=True):
                self.values[i][n] = float(v)
            self.calls += 1
            self.bar.update()


def _key(n: float) -> float:
    """One float per size: a grid size and the same lattice size may differ in the last bits."""
    return float(f"{n:.12g}")


def _size(x: float, integer_sizes: bool) -> float:
    return float(max(1, round(math.exp(x)))) if integer_sizes else _key(math.exp(x))


def _stencil(center: float, h: float, x0: float, bounds: tuple[float, float],
             integer_sizes: bool, half: int) -> list[float]:
    """The sizes of the ``2 half + 1`` lattice points around ``center`` inside ``bounds``."""
    lo, hi = bounds
    k0 = round((center - x0) / h)
    xs = [x0 + k * h for k in range(k0 - half, k0 + half + 1)]
    xs = [min(max(x, lo), hi) for x in xs]
    sizes = sorted({_size(x, integer_sizes) for x in xs})
    if integer_sizes and sizes[-1] - sizes[0] <= len(sizes) + 2:
        # the lattice is finer than the integers here: take every whole size in the span
        first, last = int(sizes[0]), int(sizes[-1])
        top = math.floor(math.exp(hi) * (1 + 1e-12))
        sizes = [float(n) for n in range(max(1, first - 1), min(last + 1, top) + 1)]
    return sizes


def _best(values: dict[float, float], sizes: list[float]) -> float:
    return min(sizes, key=lambda n: (values[n], n))


def _estimate(values: dict[float, float], best: float, h: float) -> float:
    """Minimum of the polynomial (degree <= 4) through the values within 2.5 h of ``best``."""
    xb = math.log(best)
    pts = sorted((math.log(n), v) for n, v in values.items() if abs(math.log(n) - xb) <= 2.5 * h)
    if len(pts) < 3:
        return xb
    s = np.array([(x - xb) / h for x, _ in pts])
    y = np.array([v for _, v in pts])
    scale = max(abs(y - y.min()).max(), 1e-300)
    degree = min(4, len(pts) - 1)
    coef = np.linalg.lstsq(np.vander(s, degree + 1), (y - y.min()) / scale, rcond=None)[0]
    roots = np.roots(np.polyder(coef)) if coef.size > 2 else np.array([])
    cand = [0.0, -1.0, 1.0] + [r.real for r in roots if abs(r.imag) < 1e-9 and -1 <= r.real <= 1]
    s_best = min(cand, key=lambda v: float(np.polyval(coef, v)))
    return xb + s_best * h


def refine_shared(loss: Callable[[float, np.ndarray], np.ndarray], c: np.ndarray,
                  table: np.ndarray, grid: np.ndarray, size_range: tuple[float, float],
                  min_steps: float, xatol: float, integer_sizes: bool,
                  bar: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    r"""``(N*, L*, at_bound, calls)`` for every budget ``c`` from the stage-1 ``table``.

    ``table[j, i]`` is :math:`L(N_j, C_i/N_j)` on ``grid`` (inf where not allowed); the
    bracket of each budget is the grid's neighbours of its best size, up to
    :math:`C_i/\text{min\_steps}` when the best is the last allowed grid size.
    """
    lo, hi = size_range
    pool = _Pool(loss, c, bar)
    xg = np.log(grid)
    bounds, centers = [], []
    for i, ci in enumerate(c):
        col = table[:, i]
        j = int(np.argmin(col))
        valid = np.flatnonzero(np.isfinite(col))
        n_hi_allowed = min(hi, float(ci) / min_steps)
        x_lo = float(xg[max(j - 1, 0)])
        x_hi = math.log(min(float(grid[min(j + 1, grid.size - 1)]), n_hi_allowed))
        if j == valid[-1] and grid[j] < n_hi_allowed:
            x_hi = math.log(n_hi_allowed)
        bounds.append((x_lo, max(x_lo, x_hi)))
        centers.append(math.log(_key(float(grid[j]))))
        pool.values[i].update({_key(float(grid[k])): float(col[k]) for k in valid})

    h = (float(xg[-1]) - float(xg[0])) / max(1, grid.size - 1) / 4.0
    half = _STENCIL_FIRST
    active = [i for i in range(c.size) if bounds[i][1] - bounds[i][0] > xatol]
    while active:
        stencils: dict[int, list[float]] = {}
        for _ in range(_MAX_WALK):  # walk until each budget's best is inside its stencil
            requests: dict[float, set[int]] = {}
            for i in active:
                if i in stencils and stencils[i] is None:
                    continue
                stencils[i] = _stencil(centers[i], h, float(xg[0]), bounds[i], integer_sizes,
                                       half)
                for n in stencils[i]:
                    requests.setdefault(n, set()).add(i)
            pool.run(requests)
            moving = False
            for i in active:
                sizes = stencils[i]
                if sizes is None:
                    continue
                best = _best(pool.values[i], sizes)
                at_end = best in (sizes[0], sizes[-1])
                edge = math.log(best) <= bounds[i][0] + 1e-12 or \
                    math.log(best) >= bounds[i][1] - 1e-12
                if at_end and not edge and len(sizes) > 1 and \
                        abs(math.log(best) - centers[i]) > 1e-12:
                    centers[i] = math.log(best)
                    moving = True
                else:
                    stencils[i] = None  # settled on this lattice
                    centers[i] = _estimate(pool.values[i], best, h)
            if not moving:
                break
        if h <= LEVEL_STOP * xatol * (1 + 1e-12):
            break
        h = max(h / 6.0, LEVEL_STOP * xatol)
        half = _STENCIL_FINER
    final: dict[float, set[int]] = {}
    for i in active:
        x = min(max(centers[i], bounds[i][0]), bounds[i][1])
        final.setdefault(_size(x, integer_sizes), set()).add(i)
    for i in set(range(c.size)) - set(active):  # bracket narrower than xatol
        final.setdefault(_size(bounds[i][0], integer_sizes), set()).add(i)
    pool.run(final)

    n_opt, l_opt = np.empty(c.size), np.empty(c.size)
    at_bound = np.zeros(c.size, dtype=bool)
    for i, ci in enumerate(c):
        vals = {n: v for n, v in pool.values[i].items()
                if bounds[i][0] - 1e-12 <= math.log(n) <= bounds[i][1] + 1e-12}
        n_best = min(vals, key=lambda n: (vals[n], n))
        n_opt[i], l_opt[i] = n_best, vals[n_best]
        x_best = math.log(n_best)
        n_hi_allowed = min(hi, float(ci) / min_steps)
        at_bound[i] = (x_best - math.log(lo) < 2 * xatol
                       or math.log(n_hi_allowed) - x_best < 2 * xatol)
    return n_opt, l_opt, at_bound, pool.calls
