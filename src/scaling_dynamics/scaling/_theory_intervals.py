r"""Intervals of the theory fit: the linearised (Gauss-Newton) covariance at the optimum.

At the least-squares optimum :math:`\hat\theta` of the log residuals
:math:`r_i = \log \hat L_i(\theta) - \log L_i` with Jacobian :math:`J` (free
parameters only),

.. math:: \operatorname{Cov}\hat\theta \approx s^2 (J^\top J)^{-1}, \qquad
          s^2 = \max\Bigl(\frac{\sum_i r_i^2}{n - p},\; s_{\min}^2\Bigr),

with :math:`s_{\min}` the accuracy floor of the theory as a model of real runs
(``ACCURACY_FLOOR``; finite-size and seed effects of the library's own simulations are
about this size). An interval at level :math:`q` is :math:`\hat\theta_j \pm z_q
\sqrt{C_{jj}}` (Student t quantile, :math:`n - p` degrees of freedom), mapped to the
parameters (scales are fitted in log, :math:`\sigma` as :math:`\sigma^2`); a forecast's
interval is :math:`\log \hat L \pm z_q \sqrt{g^\top C g}` with :math:`g = \partial \log
\hat L / \partial \theta` at the forecast point (the delta method). It costs one
Jacobian, against one fit per resample for a bootstrap.

A parameter is *not determined* by the data when its interval reaches a bound of the
search or spans more than ``UNDETERMINED`` (a, b: width; scales: ratio hi/lo; sigma:
width); the fit then says so and how to fix it (``--fix name=value``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import t as student_t

from ._theory_model import LOWER, NAMES, UPPER

__all__ = ["ACCURACY_FLOOR", "covariance", "parameter_intervals", "undetermined_notes",
           "quantile"]

#: Smallest residual scale s used for intervals (log units): the theory's accuracy as a
#: model of finite runs, so that noise-free data do not get zero-width intervals.
ACCURACY_FLOOR = 2e-3
#: Interval extent beyond which a parameter is reported as not determined.
UNDETERMINED = {"a": 0.5, "b": 0.5, "model_scale": 4.0, "time_scale": 4.0,
                "loss_scale": 4.0, "sigma": 0.5}


def quantile(level: float, dof: int) -> float:
    """Two-sided Student t quantile at ``level`` with ``dof`` degrees of freedom."""
    return float(student_t.ppf(0.5 + 0.5 * level, max(dof, 1)))


def covariance(jac: np.ndarray, residuals: np.ndarray) -> np.ndarray:
    """:math:`s^2 (J^\\top J)^{-1}` (columns normalised; near-null directions get huge
    but finite variance instead of being dropped)."""
    n, p = jac.shape
    s2 = max(float(residuals @ residuals) / max(n - p, 1), ACCURACY_FLOOR**2)
    norms = np.linalg.norm(jac, axis=0)
    norms[norms == 0] = 1.0
    a = (jac / norms).T @ (jac / norms)
    w, v = np.linalg.eigh(a)
    w = np.maximum(w, 1e-15 * max(float(w.max()), 1e-300))
    inv = (v / w) @ v.T
    return s2 * inv / np.outer(norms, norms)


def parameter_intervals(theta: np.ndarray, free: np.ndarray, cov: np.ndarray, z: float,
                        ) -> dict[str, tuple[float, float]]:
    """Interval of each free parameter, in the parameters' own units, clipped to bounds."""
    out: dict[str, tuple[float, float]] = {}
    for k, j in enumerate(free):
        half = z * math.sqrt(max(float(cov[k, k]), 0.0))
        lo = max(float(theta[j]) - half, LOWER[j])
        hi = min(float(theta[j]) + half, UPPER[j])
        name = NAMES[j]
        if name in ("model_scale", "time_scale", "loss_scale"):
            lo, hi = math.exp(lo), math.exp(hi)
        elif name == "sigma":
            lo, hi = math.sqrt(max(lo, 0.0)), math.sqrt(max(hi, 0.0))
        out[name] = (lo, hi)
    return out


def undetermined_notes(theta: np.ndarray, free: np.ndarray, cov: np.ndarray, z: float,
                       ) -> dict[str, str]:
    """One plain sentence per parameter the data do not determine, with the fix."""
    iv = parameter_intervals(theta, free, cov, z)
    notes = {}
    for k, j in enumerate(free):
        name = NAMES[j]
        lo, hi = iv[name]
        half = z * math.sqrt(max(float(cov[k, k]), 0.0))
        at_bound = (float(theta[j]) - half <= LOWER[j] and name != "sigma") or (
            float(theta[j]) + half >= UPPER[j])
        if name in ("model_scale", "time_scale", "loss_scale"):
            wide = hi / max(lo, 1e-300) > UNDETERMINED[name]
            suggestion = "1"
        else:
            wide = hi - lo > UNDETERMINED[name]
            suggestion = {"a": "1.5", "b": "1.25", "sigma": "0"}[name]
        if wide or at_bound:
            notes[name] = (f"{name} is not determined by these data (interval {lo:.3g}-"
                           f"{hi:.3g}); fix it with --fix {name}={suggestion} (or the value "
                           "you know)")
    return notes
