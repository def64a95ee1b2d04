r"""The frontier's search: every budget's optimum from pooled calls on one lattice of sizes.

With :math:`x = \log N` and :math:`f_C(x) = L(e^x, C e^{-x})`, the search has three stages.

1. **Seeds.** The smallest budget walks up the bracketing grid from the middle of its
   allowed sizes while the loss falls, then on the lattice (stage 2) and is fitted; a
   second budget, a decade below the largest, starts from it along the expected slope
   :math:`d\log N^*/d\log C` (the closed form's, else 1/2) and is walked and fitted too.
   Every other budget starts on the line through the two (a finite P or M bends the
   frontier away from the closed form's slope): the frontier is followed, not searched
   for again per budget.
2. **Lattice.** On :math:`x = \log N_{lo} + k h`, each budget asks for the seven lattice
   sizes around its estimate and re-centres on the best of them until the best is the
   centre (walking downhill, so the minimum is bracketed by three sizes on each side);
   then a polynomial of degree <= 6 through its values within :math:`3.5h` of the best
   gives the estimate :math:`\hat x` (its minimum within :math:`h` of the best point;
   ~1e-6 in x at h = 0.14 on the theory's frontier, against up to ~6e-4 for the quartic
   at spacing 0.12 it replaces). The spacing is ``LATTICE_PER_XATOL * xatol``, at most
   :data:`MAX_LATTICE`, narrowed for a loss with a ``time_window`` so that the budgets a
   lattice size serves share one window (:func:`_lattice_step`).
3. **Final.** The loss at :math:`\hat N = e^{\hat x}` (rounded for whole sizes). That
   value, next to the minimum, and one degree more give the polynomial again; where its
   minimum would be lower than the loss at :math:`\hat N` by more than :data:`EXCESS`
   (relative; a steep loss, where degree 6 at spacing h is not enough), the loss is
   evaluated there as well (at most twice). The reported optimum is the best size
   evaluated, so :math:`L^*` is always a value of the loss itself, never of the polynomial.

Calls are pooled: one call ``loss(N, times)`` per size serves every budget that asked
for it (``times = C_i/N``). A loss that declares ``time_window`` (the theory: times within
a factor of 10 of the first of a window share one contour, so they cost as much as one)
also gets, in every call, the times of the other budgets that fall inside the windows the
requested times open: their values come free, and the lattice sizes a neighbour will
ask for later are then already known. With whole sizes and a lattice finer than the
integers, all the whole sizes in the stencil are evaluated and the smallest value is exact.

The search follows one local minimum per budget from its neighbours' (no grid over all
sizes for every budget, whose calls cost a contour per decade of C each).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["search_frontier", "size_key", "LATTICE_PER_XATOL", "MAX_LATTICE"]

#: Lattice spacing in units of ``xatol``: 0.2 in log N at the theory's xatol = 2e-3.
LATTICE_PER_XATOL = 100.0
#: Widest lattice spacing: beyond ~0.25 the degree-6 polynomial's minimum degrades.
MAX_LATTICE = 0.25
#: Narrowest lattice spacing: a walk of a few steps must cross a grid interval whatever
#: ``xatol``; at 0.05 the degree-6 polynomial's minimum is good to far below 1e-6 already.
MIN_LATTICE = 0.05
#: Lattice points each side of the best (seven points, a polynomial of degree six).
_HALF = 3
_MAX_WALK = 200
_GRID = np.linspace(-1.0, 1.0, 401)
#: After the final evaluation, the polynomial is fitted again with that value and one degree
#: more; where the loss at its minimum would be lower by more than this (relative), the loss
#: is evaluated there too (up to _MAX_POLISH times). Measured on steep surfaces
#: (L = A N^-3 + B t^-2.5): the refit's minimum predicts the first final's excess to within
#: a factor 2.5 (excess 4e-10..8e-9 at h = 0.2, then 1e-15).
EXCESS = 1e-11
_MAX_POLISH = 2
_EPS = 1e-12


class _Pool:
    """Loss values per budget, and the pooled calls that fill them."""

    def __init__(self, loss: Callable[[float, np.ndarray], np.ndarray], c: np.ndarray,
                 n_allowed: np.ndarray, lo: float, window: float | None, bar: Any) -> None:
        self.loss, self.c, self.n_allowed, self.lo, self.bar = loss, c, n_allowed, lo, bar
        self.window = None if window is None else float(window) * (1.0 - 1e-9)
        self.values: list[dict[float, float]] = [{} for _ in range(c.size)]
        self.calls = 0

    def _riders(self, n: float, asked: list[int]) -> list[int]:
        """Budgets whose time ``C/n`` lies in a window the asked times open (and may use n)."""
        if self.window is None:
            return []
        t = self.c / n
        inside = np.zeros(self.c.size, dtype=bool)
        start = -math.inf
        for s in np.sort(t[asked]):
            if s > start * self.window:
                start = float(s)
                inside |= (t >= start) & (t <= start * self.window)
        inside &= (self.n_allowed >= n * (1 - _EPS)) & (n >= self.lo * (1 - _EPS))
        return [int(i) for i in np.flatnonzero(inside) if n not in self.values[i]]

    def run(self, requests: dict[float, set[int]], riders: bool = True) -> None:
        """Evaluate each requested size once, at the times of every budget that asked
        (and, with ``riders``, of the budgets inside the windows those times open)."""
        for n in sorted(requests):
            asked = sorted(i for i in requests[n] if n not in self.values[i])
            if not asked:
                continue
            idx = sorted(set(asked) | set(self._riders(n, asked) if riders else ()))
            vals = self.loss(n, self.c[idx] / n)
            for i, v in zip(idx, vals, strict=True):
                self.values[i][n] = float(v)
            self.calls += 1
            self.bar.update()

    def value(self, i: int, n: float) -> float:
        return self.values[i][n]


def size_key(n: float) -> float:
    """One float per size: a grid size and the same lattice size may differ in the last bits."""
    return float(f"{n:.12g}")


def _size(x: float, integer_sizes: bool) -> float:
    return float(max(1, round(math.exp(x)))) if integer_sizes else size_key(math.exp(x))


def _stencil(k0: int, h: float, x0: float, bounds: tuple[float, float],
             integer_sizes: bool) -> list[float]:
    """The sizes of the lattice points ``k0 - 3 .. k0 + 3`` (clipped to ``bounds``)."""
    lo, hi = bounds
    xs = [min(max(x0 + k * h, lo), hi) for k in range(k0 - _HALF, k0 + _HALF + 1)]
    sizes = sorted({_size(x, integer_sizes) for x in xs})
    if integer_sizes and sizes[-1] - sizes[0] <= len(sizes) + 2:
        # the lattice is finer than the integers here: take every whole size in the span
        first, last = int(sizes[0]), int(sizes[-1])
        top = math.floor(math.exp(hi) * (1 + _EPS))
        sizes = [float(n) for n in range(max(1, first - 1), min(last + 1, top) + 1)]
    return sizes


class _Fit:
    """The polynomial (degree <= 6, in s = (x - xb)/h) through a budget's values near its
    best size, and its minimum ``x``."""

    def __init__(self, values: dict[float, float], best: float, h: float,
                 max_degree: int = 2 * _HALF) -> None:
        self.xb, self.h = math.log(best), h
        pts = sorted((math.log(n), v) for n, v in values.items()
                     if abs(math.log(n) - self.xb) <= (_HALF + 0.5) * h)
        self.x, self.coef = self.xb, np.zeros(1)
        self.low, self.scale = values[best], 1.0
        if len(pts) < 3:
            return
        s = np.array([(x - self.xb) / h for x, _ in pts])
        y = np.array([v for _, v in pts])
        self.low, self.scale = float(y.min()), max(float(abs(y - y.min()).max()), 1e-300)
        vander = np.vander(s, min(max_degree, len(pts) - 1) + 1)
        y = (y - self.low) / self.scale
        if vander.shape[0] == vander.shape[1]:
            self.coef = np.linalg.solve(vander, y)
        else:
            self.coef = np.linalg.lstsq(vander, y, rcond=None)[0]
        self.x = self.xb + self._minimum() * h

    def _minimum(self) -> float:
        """The lowest of 401 points on [-1, 1], polished by Newton on the derivative."""
        coef = self.coef
        v = np.polyval(coef, _GRID)
        k = int(np.argmin(v))
        if 0 < k < _GRID.size - 1:
            d1, d2 = np.polyder(coef), np.polyder(coef, 2)
            u = float(_GRID[k])
            for _ in range(4):
                curv = float(np.polyval(d2, u))
                if not curv > 0:
                    break
                u = min(max(u - float(np.polyval(d1, u)) / curv, -1.0), 1.0)
            if np.polyval(coef, u) <= v[k]:
                return u
        return float(_GRID[k])

    def excess(self, x: float, loss: float) -> float:
        """Relative height of the loss at ``x`` above this polynomial's minimum."""
        if self.coef.size < 3:
            return 0.0
        u = (self.x - self.xb) / self.h
        curv = self.scale * float(np.polyval(np.polyder(self.coef, 2), u)) / self.h**2
        return 0.5 * max(curv, 0.0) * (self.x - x) ** 2 / abs(loss)


def _grid_start(pool: _Pool, i: int, xg: np.ndarray, grid: np.ndarray,
                bounds: tuple[float, float]) -> float:
    """Budget ``i`` walks up the grid from the middle of its sizes while the loss falls,
    and down instead when the first step up does not lower it (upward first: towards
    shorter times, where the theory is cheapest). The lattice walk that follows brackets
    the minimum, so the grid only brings it within one grid interval.
    """
    valid = [k for k in range(xg.size) if bounds[0] - _EPS <= xg[k] <= bounds[1] + _EPS]
    middle = 0.5 * (bounds[0] + bounds[1])
    if not valid:
        return middle
    size = {k: size_key(float(grid[k])) for k in valid}
    j = start = min(valid, key=lambda k: abs(xg[k] - middle))
    while j + 1 in size:
        pool.run({size[j]: {i}, size[j + 1]: {i}})
        if pool.value(i, size[j + 1]) >= pool.value(i, size[j]):
            break
        j += 1
    # not one step up: the minimum may lie far below, further than a lattice walk goes
    while j <= start and j - 1 in size:
        pool.run({size[j]: {i}, size[j - 1]: {i}})
        if pool.value(i, size[j - 1]) >= pool.value(i, size[j]):
            break
        j -= 1
    return float(xg[j])


class _Lattice:
    """The lattice x = x0 + k h and the walk of a set of budgets on it."""

    def __init__(self, pool: _Pool, h: float, x0: float, bounds: list[tuple[float, float]],
                 integer_sizes: bool) -> None:
        self.pool, self.h, self.x0, self.bounds, self.integer = pool, h, x0, bounds, integer_sizes

    def index(self, x: float, i: int) -> int:
        lo, hi = self.bounds[i]
        return round((min(max(x, lo), hi) - self.x0) / self.h)

    def walk(self, centre: dict[int, int]) -> dict[int, float]:
        """Re-centre each budget's stencil on its best size until the best is the centre."""
        todo, best_of = sorted(centre), {}
        for _ in range(_MAX_WALK):
            stencils = {i: _stencil(centre[i], self.h, self.x0, self.bounds[i], self.integer)
                        for i in todo}
            requests: dict[float, set[int]] = {}
            for i in todo:
                for n in stencils[i]:
                    requests.setdefault(n, set()).add(i)
            self.pool.run(requests)
            walking = []
            for i in todo:
                vals = self.pool.values[i]
                best = min(stencils[i], key=lambda n, v=vals: (v[n], n))
                x_mid = min(max(self.x0 + centre[i] * self.h, self.bounds[i][0]),
                            self.bounds[i][1])
                middle = _size(x_mid, self.integer)
                if middle in vals and vals[best] < vals[middle]:
                    centre[i] = self.index(math.log(best), i)
                    walking.append(i)
                else:
                    best_of[i] = best
            todo = walking
            if not todo:
                break
        for i in todo:  # (only if the walk ran out) the best seen so far
            vals = self.pool.values[i]
            best_of[i] = min(vals, key=lambda n, v=vals: (v[n], n))
        return best_of

    def fit(self, i: int, best: float, h: float | None = None) -> _Fit:
        return _Fit(self.pool.values[i], best, self.h if h is None else h)

    def clip(self, x: float, i: int) -> float:
        return min(max(x, self.bounds[i][0]), self.bounds[i][1])


def _lattice_step(xatol: float, window: float | None, slope: float) -> float:
    """The lattice spacing in log N.

    ``LATTICE_PER_XATOL * xatol`` within [:data:`MIN_LATTICE`, :data:`MAX_LATTICE`]. With a
    loss whose times
    share windows, narrowed so that the budgets asking for one lattice size fall in one
    window: their stencils' centres lie within 3 steps of it and their estimates within
    3.5, so with N* ~ C^slope their budgets lie within a factor exp(7h/slope); 0.95 of a
    window (h = 0.139 at slope 4/9, window 10), but not below half of the spacing above.
    """
    h = min(MAX_LATTICE, max(LATTICE_PER_XATOL * xatol, MIN_LATTICE))
    if window is None or not slope > 0:
        return h
    fit = 0.95 * math.log(window) * slope / (2 * _HALF + 1)
    return max(min(h, fit), 0.5 * h)


def search_frontier(loss: Callable[[float, np.ndarray], np.ndarray], c: np.ndarray,
                    grid: np.ndarray, size_range: tuple[float, float], min_steps: float,
                    xatol: float, integer_sizes: bool, bar: Any, window: float | None = None,
                    slope: float | None = None,
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, list[dict[float, float]]]:
    r"""``(N*, L*, at_bound, calls, values)`` for every budget ``c`` (sorted).

    ``grid`` is the bracketing grid of the smallest budget; ``window`` the loss's
    ``time_window`` (None: calls cost the same whatever their times); ``slope`` the
    expected :math:`d\log N^*/d\log C` (None: 1/2), which sets the second seed's start
    and the lattice's spacing (the seeds' line and the walk correct any error). ``values[i]`` maps every size evaluated for budget ``i`` to :math:`L(N, C_i/N)`.
    """
    lo, hi = size_range
    n_allowed = np.minimum(hi, c / min_steps)
    bounds = [(math.log(lo), math.log(float(n))) for n in n_allowed]
    pool = _Pool(loss, c, n_allowed, lo, window, bar)
    slope = 0.5 if slope is None else slope
    h = _lattice_step(xatol, window, slope)
    lattice = _Lattice(pool, h, math.log(lo), bounds, integer_sizes)
    active = [i for i in range(c.size) if bounds[i][1] - bounds[i][0] > xatol]
    estimate: dict[int, float] = {}
    fits: dict[int, _Fit] = {}
    # 1. seeds, each walked and fitted: the smallest budget from the grid, then one a decade
    # below the largest from it along ``slope`` (a call's times share a window upward from
    # the first, so that seed's calls serve the budgets above it as well)
    lc = np.log(c)
    seeds = active[:1]
    if len(active) > 1:
        top = int(np.searchsorted(c, c[-1] / (window or 1.0), side="left"))
        seeds.append(next((i for i in active if i >= max(top, 1)), active[-1]))
    for i in seeds:
        if not estimate:
            start = _grid_start(pool, i, np.log(grid), grid, bounds[i])
        else:
            (j, xj), = estimate.items()
            start = xj + slope * float(lc[i] - lc[j])
        best = lattice.walk({i: lattice.index(start, i)})[i]
        fits[i] = lattice.fit(i, best)
        estimate[i] = lattice.clip(fits[i].x, i)
    # 2. every other budget from the line through the seeds, walked and fitted
    guess = {}
    if len(estimate) == 2:
        (i0, x_first), (i1, x_last) = estimate.items()
        slope = (x_last - x_first) / float(lc[i1] - lc[i0])
    if estimate:
        i0, x_first = next(iter(estimate.items()))
        guess = {i: x_first + slope * float(lc[i] - lc[i0]) for i in active}
    rest = {i: lattice.index(guess[i], i) for i in active if i not in estimate}
    for i, best in lattice.walk(rest).items():
        fits[i] = lattice.fit(i, best)
        estimate[i] = lattice.clip(fits[i].x, i)

    # 3. the final evaluation at each estimate; then the polynomial again, with that value
    # (next to the minimum) and one degree more: where its minimum lies far enough away that
    # the loss there would be lower by more than EXCESS, one more evaluation there
    final: dict[float, set[int]] = {}
    for i in active:
        final.setdefault(_size(estimate[i], integer_sizes), set()).add(i)
    for i in set(range(c.size)) - set(active):  # allowed range narrower than xatol
        final.setdefault(_size(bounds[i][0], integer_sizes), set()).add(i)
    pool.run(final, riders=False)
    for extra in range(1, _MAX_POLISH + 1):
        final = {}
        for i in active:
            vals = pool.values[i]
            n = _size(estimate[i], integer_sizes)
            best = min([m for m in vals if abs(math.log(m) - estimate[i]) <= h] + [n],
                       key=lambda m, v=vals: (v[m], m))
            again = _Fit(vals, best, fits[i].h, 2 * _HALF + extra)
            if again.excess(math.log(n), vals[n]) > EXCESS:
                estimate[i] = lattice.clip(again.x, i)
                if _size(estimate[i], integer_sizes) not in vals:
                    final.setdefault(_size(estimate[i], integer_sizes), set()).add(i)
        if not final:
            break
        pool.run(final, riders=False)

    n_opt, l_opt = np.empty(c.size), np.empty(c.size)
    at_bound = np.zeros(c.size, dtype=bool)
    for i in range(c.size):
        vals = {n: v for n, v in pool.values[i].items()
                if bounds[i][0] - _EPS <= math.log(n) <= bounds[i][1] + _EPS}
        n_best = min(vals, key=lambda n, v=vals: (v[n], n))
        n_opt[i], l_opt[i] = n_best, vals[n_best]
        x_best = math.log(n_best)
        at_bound[i] = (x_best - bounds[i][0] < 2 * xatol or bounds[i][1] - x_best < 2 * xatol)
    return n_opt, l_opt, at_bound, pool.calls, pool.values
