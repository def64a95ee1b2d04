r"""The search behind the Chinchilla-style fit: the Huber objective, its grid and local fits.

In the normalised frame (:class:`Frame`: log N and log t centred on their geometric
means) the law is :math:`\log L = \operatorname{LSE}(a - \alpha\,\ell_N,\ b - \beta\,\ell_t,\ e)`;
the objective is the mean Huber loss of the log residuals over ``delta`` with its exact
gradient (:func:`_objective`). A grid of starts is scored in blocks
(:func:`_grid_scores`) and the best ones refined by L-BFGS-B (:func:`local_fits`);
:func:`fit_table` returns the parameters in data units.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp, softmax

from .._errors import ConvergenceError
from ._data import LossTable
from ._fit_common import huber

__all__ = ["fit_table", "local_fits", "Frame"]

# Starting grid in the normalised frame (N, t divided by their geometric means):
# exponents, the floor as a fraction of the smallest loss, the two terms as a
# fraction of the median loss. 6 * 6 * 4 * 5 * 5 = 3600 starts, scored at once.
_GRID_EXPONENTS = (0.1, 0.25, 0.5, 0.8, 1.2, 2.0)
_GRID_FLOOR = (0.05, 0.3, 0.6, 0.9)
_GRID_TERMS = (0.01, 0.05, 0.2, 0.5, 1.0)
_EXPONENT_BOUNDS = (1e-3, 10.0)

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


class Frame:
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


def local_fits(frame: Frame, starts: np.ndarray, delta: float) -> tuple[np.ndarray, float, int, int]:
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


def fit_table(table: LossTable, delta: float, n_starts: int) -> tuple[dict[str, float], Frame,
                                                                         np.ndarray, float, dict]:
    frame = Frame(table)
    grid = frame.grid()
    scores = _grid_scores(grid, frame.ln, frame.lt, frame.ly, delta)
    order = np.argsort(scores, kind="stable")[:n_starts]
    theta, val, n_ok, n_fev = local_fits(frame, grid[order], delta)
    diag = {"converged_starts": n_ok, "function_evaluations": n_fev, "grid_size": grid.shape[0]}
    return frame.to_params(theta), frame, theta, val, diag


