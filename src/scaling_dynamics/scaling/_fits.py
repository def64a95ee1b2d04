r"""Chinchilla-style fits of anyone's loss data: :math:`L = E + A N^{-\alpha} + B t^{-\beta}`.

The method of Hoffmann et al. (2022, appendix D.2), as re-analysed by Besiroglu et
al. (2024): parameterise :math:`E = e^{e}`, :math:`A = e^{a}`, :math:`B = e^{b}` so the
prediction is a log-sum-exp,

.. math:: \log \hat L_i = \operatorname{LSE}\bigl(a - \alpha \log N_i,\;
          b - \beta \log t_i,\; e\bigr),

and minimise the Huber loss of the log residuals
:math:`\sum_i \mathrm{Huber}_\delta(\log \hat L_i - \log L_i)` (``delta = 1e-3``) with
L-BFGS-B (exact gradient) from many starting points. Confidence intervals come from
a bootstrap over data points. Compute is :math:`C = N t`, so the compute-optimal
allocation is

.. math:: N^*(C) = G\, C^{\beta/(\alpha+\beta)},\quad t^* = C/N^*,\quad
          G = \Bigl(\frac{\alpha A}{\beta B}\Bigr)^{1/(\alpha+\beta)},\quad
          L^* - E \propto C^{-\alpha\beta/(\alpha+\beta)}.

References
----------
J. Hoffmann et al., "Training Compute-Optimal Large Language Models", arXiv:2203.15556.
T. Besiroglu, E. Erdil, M. Barnett, J. You, "Chinchilla Scaling: A replication
attempt", arXiv:2404.10102 (github.com/epoch-research/analyzing-chinchilla).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp, softmax

from .._blas import single_blas_thread
from .._errors import ConvergenceError
from .._progress import progress_bar
from .._records import Record
from .._validation import check_int, check_real
from ._allocation import ComputeAllocation, HoldoutScore
from ._data import LossTable
from ._fit_common import (
    MIN_POINTS_CHINCHILLA,
    check_budgets,
    check_holdout_fraction,
    fit_table_from,
    huber,
    percentile_intervals,
    rmse_log,
    score_holdout,
)
from ._summary import summary_repr

__all__ = ["ChinchillaFit", "fit_chinchilla", "MIN_POINTS_CHINCHILLA"]

_PARAMS = ("E", "A", "alpha", "B", "beta")
_EXPONENTS = ("exponent_params", "exponent_steps", "exponent_loss")
# Starting grid in the normalised frame (N, t divided by their geometric means):
# exponents, the floor as a fraction of the smallest loss, the two terms as a
# fraction of the median loss. 6 * 6 * 4 * 5 * 5 = 3600 starts, scored at once.
_GRID_EXPONENTS = (0.1, 0.25, 0.5, 0.8, 1.2, 2.0)
_GRID_FLOOR = (0.05, 0.3, 0.6, 0.9)
_GRID_TERMS = (0.01, 0.05, 0.2, 0.5, 1.0)
_EXPONENT_BOUNDS = (1e-3, 10.0)


@dataclass(frozen=True, eq=False)
class ChinchillaFit(Record):
    r"""A fitted :math:`L = E + A N^{-\alpha} + B t^{-\beta}` with bootstrap intervals.

    Attributes
    ----------
    E, A, alpha, B, beta : float
        Best-fit parameters (N and t in the units of the data).
    intervals : dict of str to (float, float)
        Bootstrap percentile intervals at level ``confidence`` for the five parameters
        and for ``exponent_params``, ``exponent_steps``, ``exponent_loss`` (empty when
        ``n_bootstrap = 0``).
    confidence : float
        Level of ``intervals`` (e.g. 0.95).
    exponent_params, exponent_steps, exponent_loss : float
        Compute-optimal exponents :math:`\beta/(\alpha+\beta)`, :math:`\alpha/(\alpha+\beta)`
        and :math:`\alpha\beta/(\alpha+\beta)`.
    n_points, n_starts, n_bootstrap : int
        Data points; local optimisations from the best grid starts; bootstrap resamples.
    huber_delta : float
        Huber threshold on log residuals.
    objective : float
        Mean Huber loss at the optimum divided by ``huber_delta``.
    rmse_log : float
        In-sample root mean square of the log residuals.
    holdout : HoldoutScore or None
        Prediction of the largest-compute points by a fit without them (None when too
        few points remain to fit).
    diagnostics : dict
        Optimiser facts: converged starts, function evaluations, bootstrap failures.
    """

    __repr__ = summary_repr
    _repr_fields = ("E A alpha B beta", "exponent_params exponent_steps exponent_loss", "n_points rmse_log", "holdout",)

    E: float
    A: float
    alpha: float
    B: float
    beta: float
    exponent_params: float
    exponent_steps: float
    exponent_loss: float
    confidence: float
    intervals: dict[str, tuple[float, float]]
    n_points: int
    n_starts: int
    n_bootstrap: int
    huber_delta: float
    objective: float
    rmse_log: float
    holdout: HoldoutScore | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def predict(self, model_size: Any, steps: Any) -> np.ndarray:
        r""":math:`E + A N^{-\alpha} + B t^{-\beta}` at the given sizes and steps (broadcast)."""
        n = np.asarray(model_size, dtype=np.float64)
        t = np.asarray(steps, dtype=np.float64)
        return self.E + self.A * n ** (-self.alpha) + self.B * t ** (-self.beta)

    def allocation(self, compute: Any) -> ComputeAllocation:
        r"""Compute-optimal :math:`N^*, t^*, L^*` for budgets ``compute`` (:math:`C = N t`)."""
        c = check_budgets(compute)
        s = self.alpha + self.beta
        g = (self.alpha * self.A / (self.beta * self.B)) ** (1.0 / s)
        n_opt = g * c ** (self.beta / s)
        t_opt = c / n_opt
        return ComputeAllocation(
            compute=c,
            model_size=n_opt,
            steps=t_opt,
            loss=self.predict(n_opt, t_opt),
            exponent_params=self.exponent_params,
            exponent_steps=self.exponent_steps,
            exponent_loss=self.exponent_loss,
        )

    _dict_exclude = ("diagnostics",)

    def to_dict(self) -> dict[str, Any]:
        """The law's name, then the fields (less ``diagnostics``)."""
        return {"law": "L = E + A N^-alpha + B t^-beta", **super().to_dict()}


# ---------------------------------------------------------------------------- internals
def _objective(theta: np.ndarray, ln: np.ndarray, lt: np.ndarray, ly: np.ndarray,
               delta: float) -> tuple[float, np.ndarray]:
    """Mean Huber loss / delta and its exact gradient; theta = (e, a, alpha, b, beta)."""
    e, a, alpha, b, beta = theta
    u = np.stack([a - alpha * ln, b - beta * lt, np.full_like(ln, e)])
    lse = logsumexp(u, axis=0)
    w = softmax(u, axis=0)
    r = lse - ly
    n = ly.size
    value = float(np.sum(huber(r, delta))) / (delta * n)
    psi = np.clip(r, -delta, delta) / (delta * n)
    grad = np.array([
        np.sum(psi * w[2]),
        np.sum(psi * w[0]),
        -np.sum(psi * w[0] * ln),
        np.sum(psi * w[1]),
        -np.sum(psi * w[1] * lt),
    ])
    return value, grad


def _grid_scores(grid: np.ndarray, ln: np.ndarray, lt: np.ndarray, ly: np.ndarray,
                 delta: float) -> np.ndarray:
    scores = np.empty(grid.shape[0])
    chunk = max(1, 2_000_000 // max(1, ly.size))
    for s in range(0, grid.shape[0], chunk):
        g = grid[s:s + chunk]
        u = np.stack([
            g[:, 1:2] - g[:, 2:3] * ln,
            g[:, 3:4] - g[:, 4:5] * lt,
            np.broadcast_to(g[:, 0:1], (g.shape[0], ly.size)),
        ])
        r = logsumexp(u, axis=0) - ly
        scores[s:s + chunk] = huber(r, delta).mean(axis=1) / delta
    return scores


class _Frame:
    """Data in the normalised frame: log N - log N_gm, log t - log t_gm, log L."""

    def __init__(self, table: LossTable) -> None:
        self.log_n0 = float(np.mean(np.log(table.model_size)))
        self.log_t0 = float(np.mean(np.log(table.steps)))
        self.ln = np.log(table.model_size) - self.log_n0
        self.lt = np.log(table.steps) - self.log_t0
        self.ly = np.log(table.loss)
        lo, hi = float(self.ly.min()), float(self.ly.max())
        log_scale = lo - 30.0, hi + 10.0
        self.bounds = [log_scale, log_scale, _EXPONENT_BOUNDS, log_scale, _EXPONENT_BOUNDS]

    def grid(self) -> np.ndarray:
        lmin = math.exp(float(self.ly.min()))
        lmed = math.exp(float(np.median(self.ly)))
        rows = [
            (math.log(lmin * f), math.log(lmed * ga), al, math.log(lmed * gb), be)
            for al, be, f, ga, gb in itertools.product(
                _GRID_EXPONENTS, _GRID_EXPONENTS, _GRID_FLOOR, _GRID_TERMS, _GRID_TERMS
            )
        ]
        return np.array(rows)

    def to_params(self, theta: np.ndarray) -> dict[str, float]:
        e, a, alpha, b, beta = (float(x) for x in theta)
        return {
            "E": math.exp(e),
            "A": math.exp(a + alpha * self.log_n0),
            "alpha": alpha,
            "B": math.exp(b + beta * self.log_t0),
            "beta": beta,
        }


def _local_fits(frame: _Frame, starts: np.ndarray, delta: float) -> tuple[np.ndarray, float, int, int]:
    best_theta, best_val, n_ok, n_fev = None, math.inf, 0, 0
    for x0 in starts:
        res = minimize(
            _objective, x0, args=(frame.ln, frame.lt, frame.ly, delta), jac=True,
            method="L-BFGS-B", bounds=frame.bounds,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
        )
        n_fev += int(res.nfev)
        n_ok += bool(res.success)
        if np.isfinite(res.fun) and res.fun < best_val:
            best_theta, best_val = np.asarray(res.x, float), float(res.fun)
    if best_theta is None:
        raise ConvergenceError(
            "the Chinchilla fit failed from every starting point (non-finite objective); "
            "check that the losses vary with model size and steps."
        )
    return best_theta, best_val, n_ok, n_fev


def _fit_table(table: LossTable, delta: float, n_starts: int) -> tuple[dict[str, float], _Frame,
                                                                         np.ndarray, float, dict]:
    frame = _Frame(table)
    grid = frame.grid()
    scores = _grid_scores(grid, frame.ln, frame.lt, frame.ly, delta)
    order = np.argsort(scores, kind="stable")[:n_starts]
    theta, val, n_ok, n_fev = _local_fits(frame, grid[order], delta)
    diag = {"converged_starts": n_ok, "function_evaluations": n_fev, "grid_size": grid.shape[0]}
    return frame.to_params(theta), frame, theta, val, diag


def _exponents(p: dict[str, float]) -> dict[str, float]:
    s = p["alpha"] + p["beta"]
    return {
        "exponent_params": p["beta"] / s,
        "exponent_steps": p["alpha"] / s,
        "exponent_loss": p["alpha"] * p["beta"] / s,
    }


# ---------------------------------------------------------------------------- public
def fit_chinchilla(
    model_size: Any,
    steps: Any,
    loss: Any,
    *,
    huber_delta: float = 1e-3,
    n_starts: int = 16,
    n_bootstrap: int = 100,
    confidence: float = 0.95,
    holdout_fraction: float | None = 0.2,
    seed: int | None = 0,
    progress: bool | None = None,
) -> ChinchillaFit:
    r"""Fit :math:`L = E + A N^{-\alpha} + B t^{-\beta}` to loss data (Huber loss in log space).

    Minimises :math:`\frac{1}{n}\sum_i \mathrm{Huber}_\delta\bigl(\operatorname{LSE}(a - \alpha
    \log N_i, b - \beta \log t_i, e) - \log L_i\bigr)` over :math:`(e, a, \alpha, b, \beta)`
    with L-BFGS-B and the exact gradient, from the ``n_starts`` best points of a
    3600-point grid of starts (scored at once), as in Hoffmann et al. (2022) and
    Besiroglu et al. (2024). The grid is laid out in units of the data (N and t
    divided by their geometric means), so any units work.

    Parameters
    ----------
    model_size, steps, loss : array_like, shape (n_points,)
        One row per (model, time): model size N, steps or tokens t, loss L. All
        positive and finite; at least 6 rows with 2 distinct N and 2 distinct t.
    huber_delta : float
        Huber threshold on log residuals (Hoffmann et al.: 1e-3).
    n_starts : int
        Local optimisations, from the best-scoring grid starts (>= 1).
    n_bootstrap : int
        Bootstrap resamples of the points for the confidence intervals (0: none).
    confidence : float
        Level of the percentile intervals, in (0, 1).
    holdout_fraction : float or None
        Fraction of points with the largest compute :math:`C = N t` held out, fitted on
        the rest, and predicted (``None``: skip).
    seed : int or None
        Seed of the bootstrap resampling.
    progress : bool or None
        Progress bar over bootstrap resamples on stderr (None: only on a terminal).

    Returns
    -------
    ChinchillaFit

    Raises
    ------
    InvalidParameterError
        Too few points, NaN/inf, non-positive values, unequal lengths, or a single
        distinct model size or step count.
    ConvergenceError
        If no start gives a finite objective.

    Examples
    --------
    >>> import numpy as np
    >>> N, t = np.meshgrid([1e2, 3e2, 1e3, 3e3], [1e3, 1e4, 1e5])
    >>> L = 0.5 + 20 * N**-0.4 + 30 * t**-0.3
    >>> fit = fit_chinchilla(N.ravel(), t.ravel(), L.ravel(), n_bootstrap=0)
    >>> round(fit.alpha, 2), round(fit.beta, 2)
    (0.4, 0.3)
    """
    table = fit_table_from(model_size, steps, loss)
    delta = check_real("huber_delta", huber_delta, low=0.0, low_open=True)
    n_starts = check_int("n_starts", n_starts, low=1)
    n_bootstrap = check_int("n_bootstrap", n_bootstrap, low=0)
    confidence = check_real("confidence", confidence, low=0.0, high=1.0, low_open=True,
                            high_open=True)
    holdout_fraction = check_holdout_fraction(holdout_fraction)

    with single_blas_thread():
        return _fit_chinchilla(table, delta, n_starts, n_bootstrap, confidence,
                               holdout_fraction, seed, progress)


def _fit_chinchilla(table: LossTable, delta: float, n_starts: int, n_bootstrap: int,
                    confidence: float, holdout_fraction: float | None, seed: int | None,
                    progress: bool | None) -> ChinchillaFit:
    """The fit, its bootstrap intervals and its hold-out score, assembled."""
    params, _, theta, val, diag = _fit_table(table, delta, n_starts)
    intervals: dict[str, tuple[float, float]] = {}
    if n_bootstrap:
        samples, diag["bootstrap_failures"] = _bootstrap(
            table, params, theta, delta, n_bootstrap, seed, progress)
        intervals = percentile_intervals(samples, (*_PARAMS, *_EXPONENTS), confidence)

    def fit_predict(train: LossTable, test: LossTable) -> np.ndarray:
        p_train, *_ = _fit_table(train, delta, n_starts)
        return _predict(p_train, test.model_size, test.steps)

    holdout = score_holdout(
        table, holdout_fraction, fit_predict, diag,
        f"; a fit needs {MIN_POINTS_CHINCHILLA} with 2 distinct sizes and step counts",
    )
    return ChinchillaFit(
        **params,
        intervals=intervals,
        confidence=confidence,
        **_exponents(params),
        n_points=table.n_points,
        n_starts=n_starts,
        n_bootstrap=n_bootstrap,
        huber_delta=delta,
        objective=val,
        rmse_log=rmse_log(_predict(params, table.model_size, table.steps), table.loss),
        holdout=holdout,
        diagnostics=diag,
    )


def _bootstrap(table: LossTable, params: dict[str, float], theta: np.ndarray, delta: float,
               n_bootstrap: int, seed: int | None,
               progress: bool | None) -> tuple[list[dict[str, float]], int]:
    """Refits on ``n_bootstrap`` resamples of the points: (parameters of each, failures).

    Each refit is one local optimisation started from the full-data optimum, mapped
    into the resample's normalised frame.
    """
    rng = np.random.default_rng(seed)
    samples, failures = [], 0
    with progress_bar(n_bootstrap, "bootstrap", progress, unit="fit") as bar:
        for _ in range(n_bootstrap):
            idx = rng.integers(0, table.n_points, table.n_points)
            sub_frame = _Frame(table.subset(idx))
            x0 = np.array([
                theta[0],
                math.log(params["A"]) - params["alpha"] * sub_frame.log_n0,
                params["alpha"],
                math.log(params["B"]) - params["beta"] * sub_frame.log_t0,
                params["beta"],
            ])
            try:
                th, _, _, _ = _local_fits(sub_frame, x0[None, :], delta)
            except ConvergenceError:
                failures += 1
                bar.update()
                continue
            p = sub_frame.to_params(th)
            p.update(_exponents(p))
            samples.append(p)
            bar.update()
    return samples, failures


def _predict(p: dict[str, float], n: np.ndarray, t: np.ndarray) -> np.ndarray:
    return p["E"] + p["A"] * n ** (-p["alpha"]) + p["B"] * t ** (-p["beta"])
