r"""Bootstrap of the Chinchilla-style fit: multinomial weights over the rows, warm starts.

A resample is a vector of multinomial counts :math:`w_i` (``rng.integers(0, n, n)``
counted per row), so no table is copied; each refit minimises the weighted objective
started from the full-data optimum.

* Up to :data:`EXACT_ROWS` rows: L-BFGS-B in the resample's own normalised frame
  (as a refit on the resampled table would).
* Above: Newton steps in the full data's frame with the exact Hessian of the weighted
  objective. Each row's gradient and Hessian at the full-data optimum are computed once
  (:func:`._chinchilla_search.row_derivatives`), so a resample's Hessian is one
  weighted sum; each further step costs one pass over the rows (the gradient), and
  the refit ends when a step moves no parameter by more than :data:`NEWTON_TOL`
  (that step taken). A resample moves the optimum by about one
  standard error, :math:`O(n^{-1/2})`, so the first step is already within
  :math:`O(1/n)`; where Newton does not converge (or leaves the bounds) the resample is
  refitted by L-BFGS-B from the same start.
"""

from __future__ import annotations

import math

import numpy as np

from .._errors import ConvergenceError
from ._chinchilla_search import (
    LOCAL_ROWS,
    Frame,
    gradient,
    local_fits,
    row_derivatives,
    unpack,
)
from ._data import LossTable

__all__ = ["bootstrap_parameters", "EXACT_ROWS", "NEWTON_TOL"]

#: Largest data refitted by L-BFGS-B for every resample.
EXACT_ROWS = LOCAL_ROWS
#: Newton stops when its next step would move no normalised parameter (log-amplitude
#: or exponent) by more than this.
NEWTON_TOL = 1e-7
_MAX_NEWTON = 12


def bootstrap_parameters(table: LossTable, frame: Frame, theta: np.ndarray, delta: float,
                         n_bootstrap: int, seed: int | None, bar: object = None
                         ) -> tuple[np.ndarray, int, int]:
    """Refits on ``n_bootstrap`` resamples: (parameters (k, 5) as E, A, alpha, B, beta;
    failures; refits that fell back from Newton to L-BFGS-B)."""
    rng = np.random.default_rng(seed)
    n = table.n_points
    params = frame.to_params(theta)
    samples, failures, fallbacks = [], 0, 0
    rows = (row_derivatives(theta, frame.ln, frame.lt, frame.ly, delta)
            if n > EXACT_ROWS else None)
    for _ in range(n_bootstrap):
        counts = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)
        try:
            if n <= EXACT_ROWS:
                sub = Frame(table, weights=counts)
                x0 = np.array([
                    theta[0],
                    math.log(params["A"]) - params["alpha"] * sub.log_n0,
                    params["alpha"],
                    math.log(params["B"]) - params["beta"] * sub.log_t0,
                    params["beta"],
                ])
                th, _, _, _ = local_fits(sub, x0[None, :], delta)
                p = sub.to_params(th)
            else:
                th = _newton(frame, theta, counts / n, delta, rows)
                if th is None:
                    fallbacks += 1
                    weighted = frame.rows(np.arange(n))
                    weighted.weights = counts / n
                    th, _, _, _ = local_fits(weighted, theta[None, :], delta)
                p = frame.to_params(th)
        except ConvergenceError:
            failures += 1
        else:
            samples.append([p["E"], p["A"], p["alpha"], p["B"], p["beta"]])
        if bar is not None:
            bar.update()  # type: ignore[attr-defined]
    return np.array(samples).reshape(-1, 5), failures, fallbacks


def _newton(frame: Frame, theta: np.ndarray, weights: np.ndarray, delta: float,
            rows: np.ndarray) -> np.ndarray | None:
    """Newton on the weighted objective from ``theta``; None if it does not converge.

    ``rows`` are :func:`row_derivatives` at ``theta``, so the Hessian of the first step
    costs one weighted sum. The same Hessian serves the next steps (each one pass over
    the rows for the gradient) while they shrink at least twofold; otherwise it is
    rebuilt at the current point. The refit ends with the first step below
    :data:`NEWTON_TOL`, taken.
    """
    ln, lt, ly = frame.ln, frame.lt, frame.ly
    lo = np.array([b[0] for b in frame.bounds])
    hi = np.array([b[1] for b in frame.bounds])
    g, H = unpack(weights @ rows)
    th = np.asarray(theta, dtype=np.float64)
    last, fresh = math.inf, True
    for _ in range(_MAX_NEWTON):
        step = _descent_step(g, H)
        if step is None:
            return None
        size = float(np.max(np.abs(step)))
        if size <= NEWTON_TOL:
            return th + step
        if size > 0.5 * last:
            if fresh:
                return None
            g, H = unpack(weights @ row_derivatives(th, ln, lt, ly, delta))
            last, fresh = math.inf, True
            continue
        last, fresh = size, False
        th = th + step
        if not (np.all(th > lo) and np.all(th < hi)):
            return None
        g = gradient(th, ln, lt, ly, delta, weights)
    return None


def _descent_step(g: np.ndarray, H: np.ndarray) -> np.ndarray | None:
    """Newton step, Levenberg-damped until it is a descent direction."""
    if not np.any(g):
        return np.zeros_like(g)
    scale = float(np.max(np.abs(np.diag(H)))) or 1.0
    for lam in (0.0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0):
        try:
            step = np.linalg.solve(H + lam * scale * np.eye(5), -g)
        except np.linalg.LinAlgError:
            continue
        if np.all(np.isfinite(step)) and float(g @ step) < 0:
            return step
    return None
