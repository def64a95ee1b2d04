r"""The theory in data units, smooth in every parameter, and its least-squares polish.

For the parameters :math:`\theta = (a, b, \log s_N, \log s_t, \log s_L, v = \sigma^2)`
and a setting (``M``, ``P``: the finite teacher and data set of the runs, or ``inf``),

.. math:: \log \hat L_i(\theta) = \log s_L + \log\bigl(L_{\text{theory}}(s_N N_i,\, s_t t_i;
          a, b, \sigma, M, P) + \sigma^2\bigr),

with :math:`L_{\text{theory}}` the excess test loss of gradient flow
(:func:`scaling_dynamics.theory.predict`, evaluated at a *real* model size
:math:`s_N N_i`, so the objective is smooth in :math:`s_N`). The rows are grouped by
model size: the theory is called once per distinct N with all its times, or, when a
size has more than ``max_times`` distinct times, on a log grid of ``max_times`` times
interpolated by a cubic spline of :math:`\log L` in :math:`\log t` (8 points a
decade: relative error below 3e-4, measured over a in 1.2-2.5, b in 1.25-2, finite and
infinite M, P); the spline's derivative then gives the Jacobian column of
:math:`\log s_t` without another call. :func:`polish` minimises the Huber loss of the log
residuals by scipy's trust-region reflective least squares with a finite-difference
Jacobian in :math:`a, b, \log s_N, \log s_t` (and :math:`v` at finite P) and the exact
one in :math:`\log s_L, v` (scipy's dogbox method: about half the evaluations of the
trust-region reflective one along the near-degenerate valley of the three scales).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import least_squares

from ..spectra import Spectrum
from ._fit_common import huber

__all__ = ["NAMES", "TheoryModel", "Polished", "polish", "to_theta", "from_theta"]

#: The six parameters, in the order of :math:`\theta`.
NAMES = ("a", "b", "model_scale", "time_scale", "loss_scale", "sigma")
#: Bounds of theta: a, b, log s_N, log s_t, log s_L, sigma^2.
LOWER = np.array([1.02, 1.02, -25.0, -25.0, -25.0, 0.0])
UPPER = np.array([6.0, 6.0, 25.0, 25.0, 25.0, 1e4])
#: Finite-difference steps of the Jacobian columns evaluated by the theory.
_VERBOSE = 0
_STEPS = np.array([1e-5, 1e-5, 1e-5, 1e-5, 0.0, 1e-7])


def to_theta(p: dict[str, float]) -> np.ndarray:
    """Parameters by name -> theta (log scales, sigma squared)."""
    return np.array([p["a"], p["b"], math.log(p["model_scale"]), math.log(p["time_scale"]),
                     math.log(p["loss_scale"]), p["sigma"] ** 2])


def from_theta(th: np.ndarray) -> dict[str, float]:
    """theta -> parameters by name, with ``floor`` :math:`E = s_L \\sigma^2`."""
    a, b, ln, lt, ll, v = (float(x) for x in th)
    v = max(v, 0.0)
    return {"a": a, "b": b, "model_scale": math.exp(ln), "time_scale": math.exp(lt),
            "loss_scale": math.exp(ll), "sigma": math.sqrt(v), "floor": math.exp(ll) * v}


class TheoryModel:
    """:math:`\\log \\hat L(\\theta)` at fixed rows (N_i, t_i), grouped by model size."""

    def __init__(self, model_size: np.ndarray, steps: np.ndarray, *, M: float = math.inf,
                 P: float = math.inf, max_times: int | None = None, bar: Any = None) -> None:
        self.model_size = np.asarray(model_size, float)
        self.steps = np.asarray(steps, float)
        self.M = M
        self.P = P
        self.groups: list[tuple[float, np.ndarray, np.ndarray, np.ndarray]] = []
        self.n_theory_calls = 0
        for n in np.unique(self.model_size):
            idx = np.flatnonzero(self.model_size == n)
            t_unique, inverse = np.unique(self.steps[idx], return_inverse=True)
            self.groups.append((float(n), idx, t_unique, inverse))
        self.max_times = max_times
        self.bar = bar

    def _grid(self, t_unique: np.ndarray) -> np.ndarray | None:
        """The log grid standing in for ``t_unique`` (None: evaluate at the times)."""
        lo, hi = float(t_unique[0]), float(t_unique[-1])
        n = max(12, int(math.ceil(8 * math.log10(hi / lo))) + 1)
        if self.max_times is not None:
            n = min(n, self.max_times)
        if t_unique.size <= n:
            return None
        return np.geomspace(lo, hi, n)

    def theory(self, th: np.ndarray) -> np.ndarray:
        """Excess test loss of the theory at the rows, in theory units (real N)."""
        from ..theory._dmft import theory_terms

        a, b, ln, lt, _, v = th
        sigma = math.sqrt(max(float(v), 0.0)) if math.isfinite(self.P) else 0.0
        spec = Spectrum.power_law(float(a), float(b), self.M, sigma=sigma)
        s_n, s_t = math.exp(float(ln)), math.exp(float(lt))
        out = np.empty(self.model_size.size)
        slope = np.full(self.model_size.size, np.nan)
        for n, idx, t_unique, inverse in self.groups:
            n_eff = max(n * s_n, 1e-6)
            grid = self._grid(t_unique)
            times = t_unique if grid is None else grid
            loss = theory_terms(spec, n_eff, self.P, times * s_t).test
            self.n_theory_calls += 1
            loss = np.maximum(loss, 1e-300)
            if grid is not None:
                spline = CubicSpline(np.log(grid), np.log(loss))
                loss = np.exp(spline(np.log(t_unique)))
                slope[idx] = spline(np.log(t_unique), 1)[inverse]
            out[idx] = loss[inverse]
        if self.bar is not None:
            self.bar.update()
        # d log L_theory / d log s_t at these parameters, where the spline gives it
        self._slope = (np.asarray(th, float).tobytes(), out, slope)
        return out

    def _has_slope(self, th: np.ndarray, base: np.ndarray) -> bool:
        """Whether the last evaluation was at ``th`` and gave the slope in log t everywhere."""
        key, out, slope = getattr(self, "_slope", (b"", None, None))
        return (key == np.asarray(th, float).tobytes() and out is base
                and bool(np.all(np.isfinite(slope))))

    def log_loss(self, th: np.ndarray, theory: np.ndarray | None = None) -> np.ndarray:
        """:math:`\\log \\hat L_i` in data units."""
        lt = self.theory(th) if theory is None else theory
        return float(th[4]) + np.log(lt + max(float(th[5]), 0.0))

    def jacobian(self, th: np.ndarray, free: np.ndarray,
                 theory: np.ndarray | None = None) -> np.ndarray:
        """d log L / d theta[free], by forward differences where the theory is needed."""
        base = self.theory(th) if theory is None else theory
        v = max(float(th[5]), 0.0)
        f0 = float(th[4]) + np.log(base + v)
        slope = self._slope[2] if self._has_slope(th, base) else None
        cols = []
        for j in free:
            if j == 4:
                cols.append(np.ones_like(f0))
            elif j == 5 and not math.isfinite(self.P):
                cols.append(1.0 / (base + v))
            elif j == 3 and slope is not None:
                cols.append(slope * base / (base + v))
            else:
                h = _STEPS[j] * (1.0 if j != 5 else max(1.0, v))
                step = th.copy()
                step[j] += h
                cols.append((self.log_loss(step) - f0) / h)
        return np.column_stack(cols)


@dataclass(frozen=True)
class Polished:
    """One least-squares fit: theta, the objective, the residuals and the Jacobian there."""

    theta: np.ndarray
    objective: float
    residuals: np.ndarray
    jacobian: np.ndarray
    n_evaluations: int
    converged: bool


def objective(r: np.ndarray, delta: float) -> float:
    """Mean Huber loss of the log residuals in units of ``delta``."""
    return float(np.sum(huber(r, delta))) / (delta * r.size)


def polish(model: TheoryModel, log_loss: np.ndarray, th0: np.ndarray, free: np.ndarray,
           delta: float, *, max_nfev: int = 60, weights: np.ndarray | None = None,
           loss: str = "huber", ftol: float = 1e-6) -> Polished:
    """Huber least squares over ``theta[free]`` from ``th0`` (others fixed at ``th0``)."""
    th0 = np.clip(np.asarray(th0, float), LOWER, UPPER)
    w = np.ones_like(log_loss) if weights is None else np.sqrt(weights)
    cache: dict[bytes, Any] = {}

    def full(x: np.ndarray) -> np.ndarray:
        th = th0.copy()
        th[free] = x
        return th

    def theory(x: np.ndarray) -> np.ndarray:
        key = np.asarray(x, float).tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = model.theory(full(x))
        return cache[key]

    def fun(x: np.ndarray) -> np.ndarray:
        return w * (model.log_loss(full(x), theory(x)) - log_loss)

    def jac(x: np.ndarray) -> np.ndarray:
        return w[:, None] * model.jacobian(full(x), free, theory(x))

    lo, hi = LOWER[free], UPPER[free]
    x0 = np.clip(th0[free], lo + 1e-9, hi - 1e-9)
    # dogbox: half the evaluations of trf along the valley of the scales (measured)
    res = least_squares(fun, x0, jac=jac, bounds=(lo, hi), loss=loss, f_scale=delta,
                        method="dogbox", x_scale="jac", xtol=1e-8, ftol=ftol, gtol=1e-10,
                        max_nfev=max_nfev, verbose=_VERBOSE)
    th = full(res.x)
    r = model.log_loss(th, theory(res.x)) - log_loss
    return Polished(theta=th, objective=objective(r, delta), residuals=r,
                    jacobian=model.jacobian(th, free, theory(res.x)),
                    n_evaluations=int(res.nfev), converged=bool(res.status > 0))
