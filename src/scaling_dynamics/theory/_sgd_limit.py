r"""Late-time value and stability of one-pass SGD, directly (no time stepping; see :mod:`._sgd`).

With :math:`c = (B+1)/B` and :math:`\xi = 2/(c\eta)`,

.. math::  A_K = a\sum_u K(u) = \frac{\eta}{B}\int\nu_1(d\mu)\frac{\mu}{2 - c\eta\mu}
           = -\frac{\eta}{2B} g_1(-\xi), \qquad
           L_\infty = \frac{L_{null} + A_K\sigma^2}{1 - A_K},

stable iff :math:`\eta\mu_{max} < 2B/(B+1)` (every mode contracts) and :math:`A_K < 1`
(the noise fed back by the batches does not blow up), and
:math:`L_{null} = \sum_k \lambda_k (w^*_k)^2/(1 + \lambda_k\kappa)`,
:math:`\sum_k\lambda_k\kappa/(1+\lambda_k\kappa) = N` (``N < M``; else 0) the part of the
target outside the model's span. There is no train/test gap: every batch is fresh, so the
expected batch loss (the train loss reported by the simulator) is :math:`L_t + \sigma^2`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from ..spectra import Spectrum
from ._edge import edge_of_modes
from ._modesums import ModeSet, mode_set
from ._sgd_resolvents import real_R3

__all__ = ["SGDLimit", "check_gain", "sgd_limit", "sgd_limit_terms", "stability"]


@dataclass(frozen=True)
class SGDLimit:
    r"""Late-time value and stability of one-pass SGD from the mean-field theory.

    Attributes
    ----------
    test_loss : float
        :math:`L_\infty = (L_{null} + A_K\sigma^2)/(1 - A_K)` (excess over :math:`\sigma^2`;
        ``inf`` when unstable).
    train_loss : float
        :math:`L_\infty + \sigma^2` (expected loss of a fresh batch: no train/test gap).
    null_loss : float
        :math:`L_{null}`: the part of the target the model cannot represent (0 when
        :math:`N \ge M`).
    noise_gain : float
        :math:`A_K = (\eta/B)\int\nu_1(d\mu)\,\mu/(2 - c\eta\mu)`; stability needs :math:`A_K < 1`.
    mu_max : float
        Spectral edge of :math:`\Lambda^{1/2}F\Lambda^{1/2}` (mean field).
    eta_max_modes : float
        :math:`2B/((B+1)\mu_{max})`: the largest step at which every mode contracts.
    stable : bool
    kappa : float
        :math:`\kappa` of the null-space equation (``inf`` when ``N >= M`` or ``N = inf``).
    """

    test_loss: float
    train_loss: float
    null_loss: float
    noise_gain: float
    mu_max: float
    eta_max_modes: float
    stable: bool
    kappa: float
    diagnostics: dict[str, Any] = field(default_factory=dict, compare=False)


def stability(
    ms: ModeSet, N: float, eta: float, batch: int, mu_max: float
) -> tuple[float, float | None]:
    """Noise gain :math:`A_K` and the real :math:`R_3(-\\xi)`; raises beyond either stability limit."""
    c = (batch + 1.0) / batch
    limit = 2.0 * batch / (batch + 1.0)
    if eta * mu_max >= limit:
        raise InvalidParameterError(
            f"`eta` = {eta:g} is beyond the stability limit of sgd: the theory's spectral edge "
            f"is mu_max = {mu_max:.6g}, and one-pass SGD with batch {batch} needs "
            f"eta * mu_max < 2B/(B+1) = {limit:g}, i.e. eta < {limit / mu_max:.6g}."
        )
    xi = 2.0 / (c * eta)
    R3 = None if math.isinf(N) else real_R3(ms, N, xi, None)
    lam = ms.eigenvalues
    r3 = 1.0 if R3 is None else R3
    H = 1.0 / (-xi + r3 * lam)
    g1 = -r3 * ms.trace + r3 * r3 * float(H @ (lam * lam * ms.weights))
    gain = -eta * g1 / (2.0 * batch)
    return float(gain), R3


def check_gain(eta: float, batch: int, gain: float) -> None:
    if gain >= 1.0:
        raise InvalidParameterError(
            f"`eta` = {eta:g} is beyond the stability limit of sgd with batch {batch}: the "
            f"batch-noise gain A_K = (eta/B) int mu/(2 - c eta mu) dnu_1 = {gain:.6g} must be "
            "< 1 (the noise each step feeds back would grow without bound); reduce `eta` or "
            "increase `batch`."
        )


def _kappa(spectrum: Spectrum, N: float, compress: str) -> tuple[float, ModeSet | None]:
    r""":math:`\kappa` with :math:`\sum_k\lambda_k\kappa/(1+\lambda_k\kappa) = N` (``inf`` if ``N >= M``)."""
    from scipy.optimize import brentq

    if math.isinf(N) or (spectrum.is_finite and N >= spectrum.M):
        return math.inf, None
    if spectrum.is_power_law:
        guess = float(N) ** float(spectrum.b)
    else:
        guess = 1.0 / float(spectrum.eigenvalues[min(int(N), spectrum.eigenvalues.size) - 1])
    ms = mode_set(spectrum, min_scale=1e-4 / guess, compress=compress)
    for _ in range(4):

        def f(logk: float, lam: np.ndarray = ms.eigenvalues, cw: np.ndarray = ms.weights) -> float:
            k = math.exp(logk)
            return float(cw @ (lam * k / (1.0 + lam * k))) - N

        lo, hi = math.log(guess) - 5.0, math.log(guess) + 5.0
        while f(lo) > 0:
            lo -= 5.0
        while f(hi) < 0:
            hi += 5.0
        kappa = math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=1e-14))
        if ms.valid_for(1.0 / kappa):
            return kappa, ms
        ms = mode_set(spectrum, min_scale=0.5 / kappa, compress=compress)
    return kappa, ms  # pragma: no cover


def sgd_limit_terms(
    spectrum: Spectrum, N: float, eta: float, batch: int, *, compress: str = "auto"
) -> SGDLimit:
    """:func:`sgd_limit` on validated input (internal); unstable steps give ``stable=False``."""
    ms = mode_set(spectrum, min_scale=0.0, compress=compress)
    mu_max, _, _ = edge_of_modes(ms, N, math.inf)
    limit = 2.0 * batch / (batch + 1.0)
    eta_max = limit / mu_max
    kappa, ms_k = _kappa(spectrum, N, compress)
    if math.isinf(kappa):
        null = 0.0
    else:
        lam = ms_k.eigenvalues
        null = float(ms_k.task_weights @ (lam / (1.0 + lam * kappa)))
    sig2 = spectrum.sigma**2
    if eta * mu_max >= limit:
        return SGDLimit(math.inf, math.inf, null, math.nan, mu_max, eta_max, False, kappa)
    gain, _ = stability(ms, N, eta, batch, mu_max)
    stable = gain < 1.0
    L = (null + gain * sig2) / (1.0 - gain) if stable else math.inf
    return SGDLimit(L, L + sig2, null, gain, mu_max, eta_max, stable, kappa)


def sgd_limit(
    spectrum: Spectrum,
    N: int | float,
    eta: float,
    batch_size: int,
    *,
    compress: str = "auto",
) -> SGDLimit:
    r"""Late-time loss and stability of one-pass SGD, computed directly (no time stepping).

    .. math::  L_\infty = \frac{L_{null} + A_K\sigma^2}{1 - A_K}, \qquad
               A_K = \frac{\eta}{B}\int\nu_1(d\mu)\,\frac{\mu}{2 - c\eta\mu}
               = -\frac{\eta}{2B}\,g_1\Big(-\frac{2}{c\eta}\Big), \qquad c = \frac{B+1}{B},

    stable iff :math:`\eta\mu_{max} < 2B/(B+1)` and :math:`A_K < 1` (module notes).
    Batch noise adds the variance :math:`A_K(L_{null} + \sigma^2)/(1 - A_K)` on top of
    :math:`L_{null}` but no plateau of its own: with :math:`\sigma = 0` and
    :math:`N \ge M` the loss goes to zero.

    Parameters
    ----------
    spectrum : Spectrum
        Teacher spectrum and label noise (``M`` may be ``math.inf`` for a power law).
    N : int or math.inf
        Model size.
    eta : float
        Step size (> 0).
    batch_size : int
        Batch size B (>= 1).
    compress : {"auto", "on", "off"}
        Compression of the mode sums.

    Returns
    -------
    SGDLimit
        ``stable=False`` (and infinite losses) beyond either stability limit.

    Examples
    --------
    >>> from scaling_dynamics import Spectrum
    >>> from scaling_dynamics.theory import sgd_limit
    >>> lim = sgd_limit(Spectrum.power_law(1.5, 1.25, M=1000, sigma=0.3), N=100, eta=0.5,
    ...                 batch_size=8)
    >>> lim.stable, lim.null_loss < lim.test_loss
    (True, True)
    """
    from .._validation import check_int, check_real, check_size
    from ._problem import check_compress, check_spectrum

    spectrum = check_spectrum(spectrum)
    N = check_size("N", N)
    eta = check_real("eta", eta, low=0.0, low_open=True)
    batch_size = check_int("batch_size", batch_size, low=1)
    compress = check_compress(compress)
    return sgd_limit_terms(spectrum, N, eta, batch_size, compress=compress)
