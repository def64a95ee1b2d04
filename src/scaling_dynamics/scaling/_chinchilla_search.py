r"""The search behind the Chinchilla-style fit: the Huber objective, its starts and local fits.

In the normalised frame (:class:`Frame`: log N and log t centred on their (weighted)
geometric means) the law is
:math:`\log L = \log\bigl(e^{a - \alpha\,\ell_N} + e^{b - \beta\,\ell_t} + e^{e}\bigr)`;
the objective is the (weighted) mean Huber loss of the log residuals over ``delta``,
with its exact gradient (:func:`objective`) and each row's gradient and Hessian
(:func:`row_derivatives`).

Starts (:func:`fit_table`): a 3600-point grid over exponents and amplitudes, plus, for
each (alpha, beta) of a 12 x 12 grid, the amplitudes (E, A, B) of the non-negative
least squares fit of :math:`L \approx E + A N^{-\alpha} + B t^{-\beta}` in relative
error, for fixed exponents the law is linear in them. Starts are scored on at most
:data:`GRID_ROWS` rows (an even subsample of larger data); the ``n_starts`` best are
refined by L-BFGS-B on at most :data:`LOCAL_ROWS` rows, and the best of those is
polished by L-BFGS-B on all rows. Up to 2000 rows every step sees every row.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.optimize import minimize, nnls
from scipy.special import logsumexp

from .._errors import ConvergenceError
from ._data import LossTable

__all__ = ["fit_table", "local_fits", "Frame", "objective", "gradient", "row_derivatives", "unpack", "GRID_ROWS",
           "LOCAL_ROWS"]

# Starting grid in the normalised frame (N, t divided by their geometric means):
# exponents, the floor as a fraction of the smallest loss, the two terms as a
# fraction of the median loss. 6 * 6 * 4 * 5 * 5 = 3600 starts, scored at once.
_GRID_EXPONENTS = (0.1, 0.25, 0.5, 0.8, 1.2, 2.0)
_GRID_FLOOR = (0.05, 0.3, 0.6, 0.9)
_GRID_TERMS = (0.01, 0.05, 0.2, 0.5, 1.0)
_EXPONENT_BOUNDS = (1e-3, 10.0)
#: Exponents of the least-squares starts (for each pair, E, A, B by NNLS).
_LSQ_EXPONENTS = tuple(np.geomspace(0.05, 4.0, 12).tolist())
#: Most rows the starts are scored on, and most rows the local fits run on.
GRID_ROWS = 2000
LOCAL_ROWS = 20_000


def _terms(theta: np.ndarray, ln: np.ndarray, lt: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]:
    """The three terms of the law, their sum s and log s (a log-sum-exp without overflow)."""
    e, a, alpha, b, beta = theta
    with np.errstate(over="ignore", under="ignore"):
        p0 = np.exp(a - alpha * ln)
        p1 = np.exp(b - beta * lt)
        p2 = math.exp(e)
        s = p0 + p1 + p2
    if np.all(np.isfinite(s)) and np.all(s > 0):
        return p0, p1, p2, s, np.log(s)
    # Far outside the data's range: the stable (slower) log-sum-exp.
    u = np.stack([a - alpha * ln, b - beta * lt, np.full_like(ln, e)])
    lse = logsumexp(u, axis=0)
    w = np.exp(u - lse)
    return w[0], w[1], w[2], np.ones_like(lse), lse


def objective(theta: np.ndarray, ln: np.ndarray, lt: np.ndarray, ly: np.ndarray,
              delta: float, weights: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    r"""Mean Huber loss / delta and its exact gradient; theta = (e, a, alpha, b, beta).

    ``weights`` (summing to one) make the mean a weighted one (a bootstrap resample).
    """
    p0, p1, p2, s, lse = _terms(theta, ln, lt)
    h, psi = _huber_parts(lse - ly, delta)
    if weights is None:
        n = ly.size
        value = float(np.sum(h)) / (delta * n)
        psi /= delta * n
    else:
        value = float(weights @ h) / delta
        psi *= weights / delta
    q = psi / s
    q0, q1 = q * p0, q * p1
    grad = np.array([p2 * float(np.sum(q)) if np.ndim(p2) == 0 else float(q @ p2),
                     float(np.sum(q0)), -float(q0 @ ln), float(np.sum(q1)), -float(q1 @ lt)])
    return value, grad


def gradient(theta: np.ndarray, ln: np.ndarray, lt: np.ndarray, ly: np.ndarray,
             delta: float, weights: np.ndarray) -> np.ndarray:
    """The gradient of the weighted :func:`objective` alone (one pass, no Huber values)."""
    p0, p1, p2, s, lse = _terms(theta, ln, lt)
    lse -= ly
    np.clip(lse, -delta, delta, out=lse)
    lse *= weights
    lse /= s
    q = lse
    q0, q1 = q * p0, q * p1
    return np.array([p2 * float(np.sum(q)) if np.ndim(p2) == 0 else float(q @ p2),
                     float(np.sum(q0)), -float(q0 @ ln), float(np.sum(q1)),
                     -float(q1 @ lt)]) / delta


def _huber_parts(r: np.ndarray, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """Huber loss of ``r`` and its derivative (the residual clipped to +-delta)."""
    a = np.abs(r)
    m = np.minimum(a, delta)
    return m * (a - 0.5 * m), np.copysign(m, r)


def row_derivatives(theta: np.ndarray, ln: np.ndarray, lt: np.ndarray, ly: np.ndarray,
                    delta: float) -> np.ndarray:
    r"""Each row's gradient and Hessian of :math:`\mathrm{Huber}_\delta(r_i)/\delta`, (n, 20).

    Columns 0-4: :math:`h'(r_i) J_i / \delta`; columns 5-19: the upper triangle (row by
    row) of :math:`[h''(r_i) J_i J_i^T + h'(r_i) \nabla^2 r_i] / \delta`. With
    :math:`\pi_{ik}` the share of term k and :math:`d_k = \partial u_k / \partial\theta`
    (the terms' exponents are linear in theta), :math:`\nabla r_i = J_i = \sum_k
    \pi_{ik} d_k` and :math:`\nabla^2 r_i = \sum_k \pi_{ik} d_k d_k^T - J_i J_i^T`.
    A weighted sum of the rows (``weights @ rows``) is the weighted objective's
    gradient and Hessian (:func:`unpack`).
    """
    p0, p1, p2, s, lse = _terms(theta, ln, lt)
    r = lse - ly
    pi0, pi1 = p0 / s, p1 / s
    pi2 = p2 / s
    J = [np.broadcast_to(pi2, r.shape), pi0, -pi0 * ln, pi1, -pi1 * lt]
    h1 = np.clip(r, -delta, delta) / delta
    c = (np.abs(r) <= delta) / delta - h1
    out = np.empty((ly.size, 20), order="F")
    for i in range(5):
        np.multiply(J[i], h1, out=out[:, i])
    k = 5
    for i in range(5):
        cJ = c * J[i]
        for j in range(i, 5):
            np.multiply(cJ, J[j], out=out[:, k])
            k += 1
    c0, c1 = h1 * pi0, h1 * pi1
    out[:, 5] += h1 * pi2            # (0, 0)
    out[:, 10] += c0                 # (1, 1)
    out[:, 11] -= c0 * ln            # (1, 2)
    out[:, 14] += c0 * ln * ln       # (2, 2)
    out[:, 17] += c1                 # (3, 3)
    out[:, 18] -= c1 * lt            # (3, 4)
    out[:, 19] += c1 * lt * lt       # (4, 4)
    return out


_UPPER = np.triu_indices(5)


def unpack(summed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gradient, Hessian) from a weighted sum of :func:`row_derivatives` rows."""
    H = np.zeros((5, 5))
    H[_UPPER] = summed[5:]
    H = H + np.triu(H, 1).T
    return summed[:5].copy(), H


def _grid_scores(grid: np.ndarray, ln: np.ndarray, lt: np.ndarray, ly: np.ndarray,
                 delta: float) -> np.ndarray:
    scores = np.empty(grid.shape[0])
    chunk = max(1, 2_000_000 // max(1, ly.size))
    for s in range(0, grid.shape[0], chunk):
        g = grid[s:s + chunk]
        with np.errstate(over="ignore", under="ignore"):
            total = (np.exp(g[:, 1:2] - g[:, 2:3] * ln) + np.exp(g[:, 3:4] - g[:, 4:5] * lt)
                     + np.exp(g[:, 0:1]))
        if np.all(np.isfinite(total)) and np.all(total > 0):
            lse = np.log(total)
        else:
            u = np.stack([
                g[:, 1:2] - g[:, 2:3] * ln,
                g[:, 3:4] - g[:, 4:5] * lt,
                np.broadcast_to(g[:, 0:1], (g.shape[0], ly.size)),
            ])
            lse = logsumexp(u, axis=0)
        scores[s:s + chunk] = _huber_parts(lse - ly, delta)[0].mean(axis=1) / delta
    return scores


def even_subsample(n: int, m: int) -> np.ndarray:
    """``m`` row indices spread over ``n`` rows (all of them when ``n <= m``), sorted."""
    if n <= m:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, m, replace=False))


class Frame:
    """Data in the normalised frame: log N - log N_gm, log t - log t_gm, log L.

    ``weights`` (counts of a bootstrap resample, say) weight the rows; rows of weight 0
    take no part in the centring or the bounds.
    """

    def __init__(self, table: LossTable, weights: np.ndarray | None = None) -> None:
        log_n, log_t = np.log(table.model_size), np.log(table.steps)
        self.ly = np.log(table.loss)
        if weights is None:
            self.weights = None
            self.log_n0 = float(np.mean(log_n))
            self.log_t0 = float(np.mean(log_t))
            ly_used = self.ly
        else:
            w = np.asarray(weights, dtype=np.float64)
            self.weights = w / w.sum()
            self.log_n0 = float(self.weights @ log_n)
            self.log_t0 = float(self.weights @ log_t)
            ly_used = self.ly[w > 0]
        self.ln = log_n - self.log_n0
        self.lt = log_t - self.log_t0
        lo, hi = float(ly_used.min()), float(ly_used.max())
        self._ly_used = ly_used
        log_scale = lo - 30.0, hi + 10.0
        self.bounds = [log_scale, log_scale, _EXPONENT_BOUNDS, log_scale, _EXPONENT_BOUNDS]

    def rows(self, index: np.ndarray) -> Frame:
        """The same frame (centre, bounds) restricted to some rows (unweighted)."""
        sub = object.__new__(Frame)
        sub.log_n0, sub.log_t0, sub.bounds = self.log_n0, self.log_t0, self.bounds
        sub.ln, sub.lt, sub.ly = self.ln[index], self.lt[index], self.ly[index]
        sub.weights, sub._ly_used = None, self.ly[index]
        return sub

    def value(self, theta: np.ndarray, delta: float) -> tuple[float, np.ndarray]:
        return objective(theta, self.ln, self.lt, self.ly, delta, self.weights)

    def grid(self) -> np.ndarray:
        lmin = math.exp(float(self._ly_used.min()))
        lmed = math.exp(float(np.median(self._ly_used)))
        rows = [
            (math.log(lmin * f), math.log(lmed * ga), al, math.log(lmed * gb), be)
            for al, be, f, ga, gb in itertools.product(
                _GRID_EXPONENTS, _GRID_EXPONENTS, _GRID_FLOOR, _GRID_TERMS, _GRID_TERMS
            )
        ]
        return np.array(rows)

    def least_squares_starts(self) -> np.ndarray:
        r"""For each (alpha, beta) of a grid, (e, a, b) of the NNLS fit in relative error.

        :math:`\min_{E, A, B \ge 0} \sum_i \bigl((E + A e^{-\alpha \ell_N} + B e^{-\beta
        \ell_t}) / L_i - 1\bigr)^2`: to first order the log residuals, and linear in
        (E, A, B) for fixed exponents.
        """
        y = np.exp(self.ly)
        inv = 1.0 / y
        low = self.bounds[0][0]
        rows = []
        for al, be in itertools.product(_LSQ_EXPONENTS, _LSQ_EXPONENTS):
            X = np.stack([inv, np.exp(-al * self.ln) * inv, np.exp(-be * self.lt) * inv], axis=1)
            if not np.all(np.isfinite(X)):
                continue
            coef, _ = nnls(X, np.ones_like(y))
            e, a, b = (math.log(c) if c > 0 else low for c in coef)
            rows.append((max(e, low), max(a, low), al, max(b, low), be))
        return np.array(rows).reshape(-1, 5)

    def to_params(self, theta: np.ndarray) -> dict[str, float]:
        e, a, alpha, b, beta = (float(x) for x in theta)
        return {
            "E": math.exp(e),
            "A": math.exp(a + alpha * self.log_n0),
            "alpha": alpha,
            "B": math.exp(b + beta * self.log_t0),
            "beta": beta,
        }


def local_fits(frame: Frame, starts: np.ndarray, delta: float,
               bar: object = None) -> tuple[np.ndarray, float, int, int]:
    """L-BFGS-B from each start; (best theta, its objective, converged starts, evaluations)."""
    best_theta, best_val, n_ok, n_fev = None, math.inf, 0, 0
    for x0 in starts:
        res = minimize(
            frame.value, x0, args=(delta,), jac=True,
            method="L-BFGS-B", bounds=frame.bounds,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
        )
        n_fev += int(res.nfev)
        n_ok += bool(res.success)
        if np.isfinite(res.fun) and res.fun < best_val:
            best_theta, best_val = np.asarray(res.x, float), float(res.fun)
        if bar is not None:
            bar.update()  # type: ignore[attr-defined]
    if best_theta is None:
        raise ConvergenceError(
            "the Chinchilla fit failed from every starting point (non-finite objective); "
            "check that the losses vary with model size and steps."
        )
    return best_theta, best_val, n_ok, n_fev


def fit_table(table: LossTable, delta: float, n_starts: int, bar: object = None
              ) -> tuple[dict[str, float], Frame, np.ndarray, float, dict]:
    """The fit in data units: (parameters, frame, theta, objective, diagnostics).

    ``bar`` (a progress bar, optional) advances once per local start and once for the
    polish on all rows.
    """
    frame = Frame(table)
    n = table.n_points
    scored = frame.rows(even_subsample(n, GRID_ROWS)) if n > GRID_ROWS else frame
    grid = np.concatenate([scored.grid(), scored.least_squares_starts()])
    scores = _grid_scores(grid, scored.ln, scored.lt, scored.ly, delta)
    order = np.argsort(scores, kind="stable")[:n_starts]
    local = frame.rows(even_subsample(n, LOCAL_ROWS)) if n > LOCAL_ROWS else frame
    theta, val, n_ok, n_fev = local_fits(local, grid[order], delta, bar)
    diag = {"converged_starts": n_ok, "function_evaluations": n_fev, "grid_size": grid.shape[0],
            "rows_scored": scored.ly.size, "rows_local": local.ly.size}
    if local is not frame:
        theta, val, _, n_polish = local_fits(frame, theta[None, :], delta)
        diag["function_evaluations"] += n_polish
        diag["polish_evaluations"] = n_polish
    if bar is not None:
        bar.update()  # type: ignore[attr-defined]
    return frame.to_params(theta), frame, theta, val, diag
