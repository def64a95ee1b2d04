r"""The end of training, :math:`t \to \infty`, computed directly from the response equations.

By the final-value theorem in two variables, a correlation :math:`c(t, t')` that converges
as :math:`t, t' \to \infty` has the limit

.. math::  c(\infty) = \lim_{\epsilon \to 0^+} \epsilon^2\, C(\epsilon, \epsilon),

so the limit needs the response and correlation equations at one small real ``z``, not a
contour. Near :math:`z = 0` one response vanishes like ``z`` (:math:`\rho = R_1R_3 \approx
\kappa z`, with :math:`\sum_k \lambda_k\kappa/(1 + \lambda_k\kappa) = \min(N, P)` when
:math:`M > \min(N, P)`); the solver keeps full relative precision there (see
:mod:`._responses`), so :math:`\epsilon^2 C(\epsilon,\epsilon)` is evaluated without
cancellation for :math:`\epsilon` down to 1e-20 of the spectrum's scale.

The function evaluates the limit at :math:`\epsilon_j = s\,10^{-6-j}` (``s`` the
eigenvalue of mode :math:`\min(N, P, M)`, the slowest mode the model can learn) until two
successive values agree to 1e-9 relative. At the interpolation threshold (``N = P``
finite, or ``P = M <= N`` with noise) the limit is infinite: :math:`\epsilon^2 C_0` then
grows like :math:`\epsilon^{-1/2}`, which is detected and reported as ``math.inf``.

Independent checks (``tests/test_theory_limits.py``): the minimum-norm least-squares
solution (the end point of gradient flow from zero) averaged over simulated draws, and the
deterministic equivalent of ridgeless regression on the projected features (Hastie,
Montanari, Rosset & Tibshirani, Ann. Statist. 50 (2022); Bach, SIAM J. Math. Data Sci. 6
(2024)) averaged over projections.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._blas import small_products
from .._errors import ConvergenceError
from .._validation import check_int, check_size
from ..spectra import Spectrum
from ._correlations import solve_pair_system
from ._modesums import ModeSet, expected_nodes, mode_set
from ._problem import check_compress, check_spectrum
from ._responses import _inv, solve_on_modes

__all__ = ["LimitLoss", "limit_loss"]

_REL_TOL = 1e-9
_ABS_TOL = 1e-12
_MAX_DECADES = 20


@dataclass(frozen=True)
class LimitLoss:
    r"""Losses at the end of training, :math:`t \to \infty` (``math.inf`` where they diverge).

    Attributes
    ----------
    test_loss, train_loss : float
        Of an ensemble of ``ensemble`` models (one model by default).
    bias, variance_projection, variance_data : float
        Decomposition of one model's test loss (ensemble: ``bias + variance_data +
        variance_projection / E``).
    ensemble : int
    kappa : float
        :math:`\lim_{z\to0}\rho(z)/z`, the inverse of the effective ridge (``inf`` when the
        model learns every mode, ``M < min(N, P)``; ``nan`` when ``N = P = inf``).
    diagnostics : dict
        The ``epsilon`` values used and the last two estimates.
    """

    test_loss: float
    train_loss: float
    bias: float
    variance_projection: float
    variance_data: float
    ensemble: int = 1
    kappa: float = math.nan
    diagnostics: dict[str, Any] = field(default_factory=dict)


def _scale(spectrum: Spectrum, n_min: float) -> float:
    """Eigenvalue of mode min(N, P, M): the slowest mode the model can learn."""
    k = n_min if not math.isfinite(spectrum.M) else min(n_min, spectrum.M)
    if spectrum.is_power_law:
        return float(k) ** (-float(spectrum.b))
    lam = spectrum.eigenvalues
    return float(lam[int(min(k, lam.size)) - 1])


def _terms_at(ms: ModeSet, N: float, P: float, sigma: float, eps: float) -> tuple[np.ndarray, float]:
    iN, iP = _inv(N), _inv(P)
    r = solve_on_modes(ms, N, P, np.array([eps + 0j]))
    R1, R3 = r.R1[0], r.R3[0]
    lam, c, d = ms.eigenvalues, ms.weights, ms.task_weights
    h = 1.0 / (eps + R1 * R3 * lam)
    h2 = h * h
    sums = (
        np.sum(c * lam * h2),
        np.sum(c * lam**2 * h2),
        np.sum(c * lam**3 * h2),
        np.sum(d * lam * h2),
        np.sum(d * lam**2 * h2),
    )
    s2 = np.sum(c * lam**2 * h)
    C0, C1, C0x, C1x = solve_pair_system(
        sums, ms.trace, (eps, eps), (R1, R1), (R3, R3), (s2, s2), iN, iP, sigma**2
    )
    bias = np.sum(d * lam * (eps * h) ** 2)
    vals = eps**2 * np.array([C0, C1, C0x, C1x]).real
    rho = (R1 * R3).real
    return np.append(vals, bias.real), rho / eps


def limit_loss(
    spectrum: Spectrum,
    N: int | float,
    P: int | float,
    *,
    ensemble: int = 1,
    compress: str = "auto",
) -> LimitLoss:
    r"""Test and train loss at the end of gradient flow, :math:`t \to \infty`, directly.

    .. math::  L(\infty) = \lim_{\epsilon\to0^+} \epsilon^2 C_0(\epsilon, \epsilon), \qquad
               \hat L(\infty) = \lim_{\epsilon\to0^+} \epsilon^2 C_1(\epsilon, \epsilon)

    (final-value theorem; module notes). Gradient flow from zero ends at the
    minimum-norm least-squares solution, so this is the loss of ridgeless random-feature
    regression.

    Parameters
    ----------
    spectrum : Spectrum
        Teacher spectrum and noise (``M`` may be ``math.inf`` for a power law).
    N, P : int or math.inf
        Model size and number of samples.
    ensemble : int
        Models sharing the data whose predictions are averaged.
    compress : {"auto", "on", "off"}
        Compression of the mode sums.

    Returns
    -------
    LimitLoss
        ``math.inf`` for quantities that diverge (the interpolation threshold ``N = P``).

    Examples
    --------
    >>> from scaling_dynamics import Spectrum
    >>> from scaling_dynamics.theory import limit_loss
    >>> s = Spectrum.power_law(a=1.5, b=1.25, M=1000)
    >>> lim = limit_loss(s, N=100, P=200)
    >>> 0 < lim.bias < lim.test_loss
    True
    >>> limit_loss(s, N=150, P=150).test_loss
    inf
    """
    spectrum = check_spectrum(spectrum)
    N = check_size("N", N)
    P = check_size("P", P)
    E = check_int("ensemble", ensemble, low=1)
    compress = check_compress(compress)
    sigma = spectrum.sigma
    if math.isinf(N) and math.isinf(P):
        return LimitLoss(0.0, sigma**2, 0.0, 0.0, 0.0, E, math.nan, {"regime": "N = P = inf"})
    final, growing, kappa, eps_used = _limit_terms(spectrum, N, P, compress)
    final[growing] = math.inf
    C0, C1, C0x, C1x, B = (float(x) for x in final)
    return LimitLoss(
        test_loss=_ensemble_mix(C0, C0x, E),
        train_loss=_ensemble_mix(C1, C1x, E),
        bias=B,
        variance_projection=C0 - C0x if math.isfinite(C0) else math.inf,
        variance_data=C0x - B if math.isfinite(C0x) else math.inf,
        ensemble=E,
        kappa=float(kappa) if abs(kappa) < 1e300 else math.inf,
        diagnostics={"epsilon": eps_used[-2:], "diverging": growing.tolist()},
    )


def _limit_terms(spectrum: Spectrum, N: float, P: float, compress: str,
                 ) -> tuple[np.ndarray, np.ndarray, float, list[float]]:
    r""":math:`\epsilon^2 C(\epsilon)` of the five terms at decreasing :math:`\epsilon` until each settles or grows.

    Returns (last estimates, which terms grow without bound, kappa, the epsilons used);
    raises :class:`ConvergenceError` when a term neither settles nor grows in
    ``_MAX_DECADES`` decades.
    """
    sigma = spectrum.sigma
    s = _scale(spectrum, min(N, P))
    history: list[np.ndarray] = []
    eps_used: list[float] = []
    kappa = math.nan
    ms = None
    scale = max(spectrum.initial_loss + sigma**2, 1e-300)
    settled = np.zeros(5, dtype=bool)
    growing = np.zeros(5, dtype=bool)
    with small_products(expected_nodes(spectrum, compress)):
        for j in range(_MAX_DECADES):
            eps = s * 10.0 ** (-6 - j)
            if ms is None or not ms.valid_for(eps / 10.0):
                ms = mode_set(spectrum, min_scale=eps, compress=compress)
            vals, kap = _terms_at(ms, N, P, sigma, eps)
            history.append(vals)
            eps_used.append(eps)
            kappa = kap
            if len(history) >= 2:
                a, b = history[-2], history[-1]
                settled = np.abs(b - a) <= _REL_TOL * np.abs(b) + _ABS_TOL * scale
            if len(history) >= 4:
                h = np.array(history[-4:])
                growing = np.all(h[1:] > 1.5 * h[:-1], axis=0) & (h[-1] > 0)
            if np.all(settled | growing):
                break
    if not np.all(settled | growing):
        bad = int(np.flatnonzero(~(settled | growing))[0])
        names = ("test", "train", "cross test", "cross train", "bias")
        raise ConvergenceError(
            f"the t -> inf limit of the {names[bad]} loss did not settle: epsilon^2 C(epsilon) "
            f"= {history[-2][bad]:.6g} at epsilon = {eps_used[-2]:.3g} and "
            f"{history[-1][bad]:.6g} at {eps_used[-1]:.3g} (N = {N}, P = {P})."
        )
    return history[-1].copy(), growing, kappa, eps_used


def _ensemble_mix(own: float, cross: float, E: int) -> float:
    r"""Loss of the average of E members: :math:`C/E + (1 - 1/E) C_\times`.

    At E = 1 it is ``own`` even when ``cross`` diverges (``inf * 0`` would give nan);
    for E > 1 a diverging term makes the loss diverge.
    """
    if E == 1:
        return own
    if math.isinf(own) or math.isinf(cross):
        return math.inf
    return own / E + (1.0 - 1.0 / E) * cross
