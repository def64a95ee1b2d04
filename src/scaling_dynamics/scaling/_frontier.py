r"""The compute-optimal frontier of any loss surface :math:`L(N, t)`, with :math:`C = N t`.

For each budget :math:`C` the frontier is

.. math:: N^*(C) = \operatorname*{arg\,min}_{N} L(N, t = C/N),\qquad t^* = C/N^*,\qquad
          L^*(C) = L(N^*, t^*),

found by following the frontier (:func:`._refine.search_frontier`): the smallest budget
walks up a log-spaced grid of N, every budget starts from the line through its optimum
and a second seed's, walks on a lattice in :math:`\log N`
until its best size is bracketed by three on each side, and a polynomial of degree <= 6
through those values places the minimum, where one last evaluation gives :math:`L^*`.
One call of the loss per lattice size serves every budget near it. Power laws
fitted to :math:`L^* - L_\infty`, :math:`N^*` and :math:`t^*` against :math:`C` give the
allocation exponents.

The loss is any callable ``loss(N, times) -> losses`` (model size, array of times);
:func:`compute_optimal_frontier` in :mod:`._theory_frontier` supplies the mean-field
theory's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._records import Record
from .._validation import as_float_array, check_int, check_real
from ._allocation import log_slope
from ._exponents import ScalingExponents
from ._refine import search_frontier, size_key
from ._summary import summary_repr

__all__ = ["Frontier", "optimize_frontier", "LossFunction"]

#: ``loss(N, times) -> losses``: the loss of a model of size N at each time.
LossFunction = Callable[[float, np.ndarray], np.ndarray]

_EXPONENT_NAMES = ("compute_loss", "compute_params", "compute_steps")


@dataclass(frozen=True, eq=False)
class Frontier(Record):
    r"""Compute-optimal frontier: :math:`N^*, t^*, L^*` for each budget :math:`C = N t`.

    Attributes
    ----------
    compute : ndarray, shape (n_compute,)
        Budgets C, ascending.
    model_size, steps, loss : ndarray, shape (n_compute,)
        :math:`N^*`, :math:`t^* = C/N^*`, :math:`L^*`.
    at_bound : ndarray of bool, shape (n_compute,)
        True where the optimum lies at the edge of the searched N range (then the true
        optimum is outside; the point is left out of the exponent fits).
    exponent_loss, exponent_params, exponent_steps : float
        Fitted over the budgets not ``at_bound``:
        :math:`L^* - L_\infty \propto C^{-\text{exponent\_loss}}`,
        :math:`N^* \propto C^{\text{exponent\_params}}`, :math:`t^* \propto C^{\text{exponent\_steps}}`
        (nan with fewer than two usable budgets).
    stderr : dict of str to float
        Regression standard errors of the three exponents (nan with < 3 budgets).
    local_exponents : dict of str to ndarray
        Slopes between consecutive budgets, shape (n_compute - 1,), same sign convention.
    loss_floor : float
        :math:`L_\infty` subtracted before fitting the loss exponent.
    expected : ScalingExponents or None
        Closed forms to compare with (power-law spectra).
    exponent_errors : dict of str to float
        ``fitted - expected`` for ``compute_loss``, ``compute_params``, ``compute_steps``
        (the paper's closed forms; empty without ``expected``).
    exponent_errors_single : dict of str to float
        The same against the single-model forms ``expected.compute_*_single``.
    grid_model_size : ndarray, shape (n_sizes,)
        Every size the search evaluated (grid, lattices, final), ascending.
    grid_loss : ndarray, shape (n_sizes, n_compute)
        :math:`L(N, C/N)` where the search evaluated budget C at size N, nan elsewhere:
        the iso-compute curves around each optimum, as far as they were evaluated.
    params : dict
        What produced the frontier (spectrum, P, optimiser, search settings).
    n_evaluations : int
        Loss calls the search made (not those of the ``iso_compute`` grid).
    wall_time_s : float
    """

    __repr__ = summary_repr
    _repr_fields = ("compute", "model_size", "steps", "loss", "at_bound", "exponent_loss exponent_params exponent_steps", "exponent_errors",)

    compute: np.ndarray
    model_size: np.ndarray
    steps: np.ndarray
    loss: np.ndarray
    at_bound: np.ndarray
    exponent_loss: float
    exponent_params: float
    exponent_steps: float
    stderr: dict[str, float]
    local_exponents: dict[str, np.ndarray]
    loss_floor: float
    grid_model_size: np.ndarray
    grid_loss: np.ndarray
    expected: ScalingExponents | None = None
    exponent_errors: dict[str, float] = field(default_factory=dict)
    exponent_errors_single: dict[str, float] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    n_evaluations: int = 0
    wall_time_s: float = 0.0

    def with_expected(self, expected: ScalingExponents | None) -> Frontier:
        """A copy compared with the closed forms ``expected`` (fills ``exponent_errors``)."""
        from dataclasses import replace

        if expected is None:
            return replace(self, expected=None, exponent_errors={}, exponent_errors_single={})
        fitted = self.fitted()
        errors = {k: fitted[k] - getattr(expected, k) for k in _EXPONENT_NAMES}
        single = {k: fitted[k] - getattr(expected, k + "_single") for k in _EXPONENT_NAMES}
        return replace(self, expected=expected, exponent_errors=errors,
                       exponent_errors_single=single)

    def fitted(self) -> dict[str, float]:
        """The fitted exponents under the names of :class:`ScalingExponents`."""
        return {
            "compute_loss": self.exponent_loss,
            "compute_params": self.exponent_params,
            "compute_steps": self.exponent_steps,
        }

    _dict_exclude = ("exponent_loss", "exponent_params", "exponent_steps", "local_exponents",
                     "grid_model_size", "grid_loss", "expected", "exponent_errors",
                     "exponent_errors_single")

    def _dict_extra(self) -> dict[str, Any]:
        """The fitted exponents; with ``expected``, the closed forms and the errors."""
        d: dict[str, Any] = {"fitted": self.fitted()}
        if self.expected is not None:
            d["closed_form"] = {k: getattr(self.expected, k) for k in _EXPONENT_NAMES}
            d["exponent_errors"] = dict(self.exponent_errors)
            d["closed_form_single"] = {
                k: getattr(self.expected, k + "_single") for k in _EXPONENT_NAMES
            }
            d["exponent_errors_single"] = dict(self.exponent_errors_single)
            d["regime"] = self.expected.regime
        return d


def _safe_loss(loss: LossFunction, n: float, times: np.ndarray) -> np.ndarray:
    out = np.asarray(loss(n, times), dtype=np.float64).reshape(times.shape)
    if not np.all(np.isfinite(out)):
        raise InvalidParameterError(
            f"the loss function returned non-finite values at N = {n:g}; "
            "cannot locate the compute-optimal model size."
        )
    return out


def optimize_frontier(
    loss: LossFunction,
    compute: Any,
    *,
    model_size_range: tuple[float, float] | None = None,
    min_steps: float = 1.0,
    n_grid: int = 25,
    xatol: float = 1e-3,
    integer_sizes: bool = False,
    loss_floor: float = 0.0,
    expected: ScalingExponents | None = None,
    params: dict[str, Any] | None = None,
    progress: bool | None = None,
    iso_compute: bool = False,
) -> Frontier:
    r"""Minimise :math:`L(N, C/N)` over N for each budget C, with a real optimiser.

    The smallest budget walks up (or, when its first step up does not lower the loss, down)
    ``n_grid`` log-spaced sizes from the middle of its range while the loss falls; every budget starts from the line through that budget's optimum
    and that of a budget a decade below the largest (found from it along the slope of
    ``expected``, else 1/2) and walks on a lattice in :math:`x = \log N` of
    spacing ``h = 100 * xatol`` (within [0.05, 0.25]) until its best lattice size has three
    lattice sizes on each side; a polynomial of degree <= 6 through them gives the
    estimate, where the loss is evaluated once more (and, where the polynomial refitted
    with that value and one degree more puts a lower minimum elsewhere, there too). The optimum reported is the best size evaluated (so
    :math:`L^*` is a value of ``loss``), its :math:`\log N` within ~``xatol / 100`` of
    the minimum it followed. Calls are pooled: one call ``loss(N, C_i/N)`` per size serves
    every budget that needs it; a loss with a ``time_window`` attribute (times within that
    factor cost as much as one, as for the theory) also gets the times of the other
    budgets inside those windows, and the lattice is narrowed so that a size's budgets
    share one window. The search follows one local minimum per budget, continued from
    its neighbours'.

    Parameters
    ----------
    loss : callable
        ``loss(N, times) -> losses``: model size (float > 0) and a 1-d array of times.
    compute : array_like
        Budgets :math:`C = N t` (positive, finite); sorted on output.
    model_size_range : (float, float), optional
        Smallest and largest N searched (default ``(1, max(C) / min_steps)``).
    min_steps : float
        Smallest training time allowed, so :math:`N \le C/\text{min\_steps}`.
    n_grid : int
        Sizes in the log grid the smallest budget walks up to reach the frontier (>= 3).
    xatol : float
        Tolerance on :math:`\log N` of the search (the lattice's spacing is ``100 * xatol``
        within [0.05, 0.25], where the polynomial's minimum is good to ~``xatol / 100``).
    integer_sizes : bool
        Evaluate whole model sizes only (N rounded, t = C/N exact), as for the theory.
    loss_floor : float
        :math:`L_\infty` subtracted from :math:`L^*` before fitting its exponent.
    expected : ScalingExponents, optional
        Closed forms to compare with (fills ``exponent_errors``); their
        ``compute_params_single`` also sets the lattice's spacing and the second seed's start.
    params : dict, optional
        Recorded in the result.
    progress : bool or None
        Progress bar on stderr (None: only on a terminal).
    iso_compute : bool
        Also evaluate every budget at every size of the ``n_grid`` grid (one call per size),
        so that ``grid_loss`` holds whole iso-compute curves for a plot; the search and its
        results are the same either way.

    Returns
    -------
    Frontier

    Raises
    ------
    InvalidParameterError
        For invalid arguments, or if the loss returns non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> surface = lambda N, t: 2.0 * N**-0.5 + 3.0 * np.asarray(t)**-0.4
    >>> fr = optimize_frontier(surface, [1e4, 1e6, 1e8])
    >>> round(fr.exponent_params, 3)  # closed form 0.4 / 0.9
    0.444
    """
    started = time.perf_counter()
    c = np.sort(as_float_array("compute", compute, positive=True))
    # (not np.unique, which imports numpy.ma: 10 ms of a 0.5 s command)
    if np.any(c[1:] == c[:-1]):
        raise InvalidParameterError("`compute` must not repeat a budget; got duplicates.")
    min_steps = check_real("min_steps", min_steps, low=0.0, low_open=True)
    n_grid = check_int("n_grid", n_grid, low=3)
    xatol = check_real("xatol", xatol, low=0.0, low_open=True)
    loss_floor = check_real("loss_floor", loss_floor)
    lo, hi = _size_range(model_size_range, c, min_steps)

    grid = np.geomspace(lo, hi, n_grid)
    if integer_sizes:
        grid = np.maximum(1.0, np.round(grid))  # increasing: drop the repeats
        grid = grid[np.r_[True, grid[1:] != grid[:-1]]]
        n_grid = grid.size
    with progress_bar(2 * c.size + 20, "frontier", progress, unit="eval") as bar:
        n_opt, l_opt, at_bound, n_eval, values = search_frontier(
            lambda n, t: _safe_loss(loss, n, t), c, grid, (lo, hi), min_steps, xatol,
            integer_sizes, bar, getattr(loss, "time_window", None), _slope(expected))
        if iso_compute:
            values = _with_grid(loss, c, grid, values, min_steps, bar)
    sizes = np.array(sorted(set().union(*values)))
    table = np.full((sizes.size, c.size), np.nan)
    where = {n: j for j, n in enumerate(sizes.tolist())}
    for i, vals in enumerate(values):
        for n, v in vals.items():
            table[where[n], i] = v

    record = {"n_grid": n_grid, "xatol": xatol, "min_steps": min_steps,
              "model_size_range": [lo, hi], "integer_sizes": integer_sizes}
    record.update(params or {})
    return assemble_frontier(c, n_opt, l_opt, at_bound, sizes, table, loss_floor=loss_floor,
                             expected=expected, params=record, n_evaluations=n_eval,
                             started=started)


def _with_grid(loss: LossFunction, c: np.ndarray, grid: np.ndarray,
               values: list[dict[float, float]], min_steps: float,
               bar: Any) -> list[dict[float, float]]:
    """``values`` and :math:`L(N_j, C/N_j)` at every grid size (where ``C/N_j >= min_steps``)."""
    out = [dict(v) for v in values]
    for n in grid:
        key = size_key(float(n))  # the search's key for the same size
        idx = [i for i in range(c.size)
               if c[i] / key >= min_steps * (1 - 1e-12) and key not in out[i]]
        if idx:
            for i, v in zip(idx, _safe_loss(loss, key, c[idx] / key), strict=True):
                out[i][key] = float(v)
        bar.update()
    return out


def _slope(expected: ScalingExponents | None) -> float | None:
    """The expected d log N* / d log C (the closed form's, single model), else None."""
    slope = math.nan if expected is None else float(expected.compute_params_single)
    return slope if 0 < slope <= 1 else None


def _size_range(model_size_range: Any, c: np.ndarray, min_steps: float) -> tuple[float, float]:
    """(smallest, largest) N searched, checked against the budgets and ``min_steps``."""
    if model_size_range is None:
        lo, hi = 1.0, float(c.max()) / min_steps
    else:
        try:
            lo, hi = (float(x) for x in model_size_range)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                "`model_size_range` must be two numbers (smallest, largest N); "
                f"got {model_size_range!r}."
            ) from None
    if not (0 < lo < hi and math.isfinite(hi)):
        raise InvalidParameterError(
            f"`model_size_range` must satisfy 0 < smallest < largest < inf; got ({lo!r}, {hi!r})."
        )
    if c.min() / lo < min_steps:
        raise InvalidParameterError(
            f"the smallest budget C = {c.min():g} leaves fewer than `min_steps` = {min_steps:g} "
            f"steps even at the smallest model size {lo:g}; raise the budget or lower the sizes."
        )
    return lo, hi


def assemble_frontier(
    c: np.ndarray,
    n_opt: np.ndarray,
    l_opt: np.ndarray,
    at_bound: np.ndarray,
    grid: np.ndarray,
    table: np.ndarray,
    *,
    loss_floor: float = 0.0,
    expected: ScalingExponents | None = None,
    params: dict[str, Any] | None = None,
    n_evaluations: int = 0,
    started: float | None = None,
) -> Frontier:
    """A :class:`Frontier` from optimal points: fits the exponents over budgets not at a bound."""
    t_opt = c / n_opt
    use = ~at_bound
    excess = l_opt - loss_floor
    fit_loss = use & (excess > 0)
    e_loss, s_loss = (
        log_slope(c[fit_loss], excess[fit_loss]) if fit_loss.sum() >= 2 else (math.nan, math.nan)
    )
    e_n, s_n = log_slope(c[use], n_opt[use]) if use.sum() >= 2 else (math.nan, math.nan)
    e_t, s_t = log_slope(c[use], t_opt[use]) if use.sum() >= 2 else (math.nan, math.nan)
    lc = np.log(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        local = {
            "compute_loss": -np.diff(np.log(np.where(excess > 0, excess, np.nan))) / np.diff(lc),
            "compute_params": np.diff(np.log(n_opt)) / np.diff(lc),
            "compute_steps": np.diff(np.log(t_opt)) / np.diff(lc),
        }
    frontier = Frontier(
        compute=c,
        model_size=n_opt,
        steps=t_opt,
        loss=l_opt,
        at_bound=at_bound,
        exponent_loss=-e_loss,
        exponent_params=e_n,
        exponent_steps=e_t,
        stderr={"compute_loss": s_loss, "compute_params": s_n, "compute_steps": s_t},
        local_exponents=local,
        loss_floor=loss_floor,
        grid_model_size=grid,
        grid_loss=table,
        params=dict(params or {}),
        n_evaluations=n_evaluations,
        wall_time_s=0.0 if started is None else time.perf_counter() - started,
    )
    return frontier.with_expected(expected)
