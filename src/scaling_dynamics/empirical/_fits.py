r"""Fits of the power-law exponents :math:`b` (eigenvalues) and :math:`a` (task power) of a spectrum.

Over a range of modes :math:`k_1 \le k \le k_2` (chosen, or selected automatically):

* :math:`b`: weighted least squares of :math:`\log\lambda_k = \log A_b - b\log k` with weights
  :math:`1/k` (every factor of k counts the same, so the many tail modes do not dominate).
* :math:`a`: the task power of one mode is noisy (a projection of a fixed target on one
  eigenvector; for a random-looking target :math:`c_k` is roughly Gaussian, so
  :math:`c_k^2` scatters like :math:`\chi^2_1`, a factor of ~10 either way). So :math:`a` is the
  maximum-likelihood fit of :math:`c_k \sim N(0, A_a k^{-a})`, again weighted by :math:`1/k`:
  minimise :math:`\sum_k k^{-1}[\log(A_a k^{-a}) + c_k^2 k^a/A_a]`. Profiling out :math:`A_a`
  leaves the convex :math:`g(a) = \log\sum_k k^{-1} c_k^2 k^a - a\,\overline{\log k}`,
  minimised by Newton's method.

Confidence intervals come from a pairs bootstrap over the modes of the range (resample
modes with replacement, refit). For :math:`a` this is the sampling noise of the task powers;
for :math:`b` (a smooth sequence) it measures how well one power law describes the range,
*not* the variation between data sets or initialisations: to see that, measure again with
other seeds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._records import Record
from .._validation import as_float_array, check_int, check_real
from ..scaling._summary import summary_repr
from ..spectra import Spectrum
from ._spectrum import MeasuredSpectrum

__all__ = ["ExponentFit", "fit_exponents", "select_mode_range", "MIN_MODES"]

#: Fewest modes a fit accepts.
MIN_MODES = 8


@dataclass(frozen=True)
class ExponentFit(Record):
    r"""Fitted :math:`\lambda_k \approx A_b k^{-b}` and :math:`\lambda_k (w^*_k)^2 \approx A_a k^{-a}`.

    Attributes
    ----------
    a, b : float
        Task-power and eigenvalue exponents.
    a_ci, b_ci : (float, float)
        Bootstrap percentile intervals at level ``confidence``.
    modes_used : (int, int)
        First and last mode of the fit (1-based, inclusive).
    n_modes : int
        Number of modes in the range.
    a_amplitude, b_amplitude : float
        :math:`A_a` and :math:`A_b`.
    b_rms_residual : float
        Weighted RMS of :math:`\log\lambda_k` about the fitted line (natural log; 0.1 is a
        10 % scatter).
    confidence : float
    n_bootstrap : int
    range_selection : str
        ``"given"`` or ``"auto"``.
    """

    __repr__ = summary_repr
    _repr_fields = ("a b a_ci b_ci", "modes_used n_modes range_selection",
                    "a_amplitude b_amplitude b_rms_residual", "confidence n_bootstrap")

    a: float
    b: float
    a_ci: tuple[float, float]
    b_ci: tuple[float, float]
    modes_used: tuple[int, int]
    n_modes: int
    a_amplitude: float
    b_amplitude: float
    b_rms_residual: float
    confidence: float
    n_bootstrap: int
    range_selection: str


# ---------------------------------------------------------------------------- core fits
def _wls(logk: np.ndarray, logv: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least-squares slope and intercept; ``w`` may be (n,) or (n_rep, n)."""
    sw = w.sum(-1)
    mx = (w * logk).sum(-1) / sw
    my = (w * logv).sum(-1) / sw
    sxx = (w * (logk - mx[..., None]) ** 2).sum(-1)
    sxy = (w * (logk - mx[..., None]) * (logv - my[..., None])).sum(-1)
    slope = sxy / sxx
    return slope, my - slope * mx


def _mle_a(logk: np.ndarray, power: np.ndarray, w: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Minimise g(a) = log sum_k w c_k^2 k^a - a * mean_w(log k) for each row of ``w`` (Newton)."""
    w = np.atleast_2d(w)
    a = np.broadcast_to(np.asarray(start, dtype=np.float64), (w.shape[0],)).copy()
    mean_logk = (w * logk).sum(-1) / w.sum(-1)
    logwp = np.log(np.where(w * power > 0, w * power, 1.0))
    mask = (w * power) > 0
    for _ in range(100):
        expo = np.where(mask, logwp + a[:, None] * logk, -np.inf)
        expo -= expo.max(-1, keepdims=True)
        q = np.where(mask, np.exp(expo), 0.0)
        q /= q.sum(-1, keepdims=True)
        m1 = (q * logk).sum(-1)
        m2 = (q * logk**2).sum(-1)
        grad = m1 - mean_logk
        hess = np.maximum(m2 - m1**2, 1e-12)
        step = np.clip(grad / hess, -0.5, 0.5)
        a = a - step
        if np.max(np.abs(step)) < 1e-10:
            break
    return a


def _fit_range(logk, loglam, power, w):
    b_slope, b_icpt = _wls(logk, loglam, w)
    pos = power > 0
    start = -_wls(logk[pos], np.log(power[pos]), w[pos])[0]
    a = _mle_a(logk, power, w, np.atleast_1d(start))
    return -b_slope, b_icpt, a


# ---------------------------------------------------------------------------- range selection
def _rms(logk: np.ndarray, logv: np.ndarray, w: np.ndarray) -> float:
    slope, icpt = _wls(logk, logv, w)
    r = logv - (icpt + slope * logk)
    return float(np.sqrt(np.sum(w * r**2) / np.sum(w)))


def select_mode_range(
    eigenvalues: Any,
    *,
    max_mode: int | None = None,
    min_span: float = 10.0,
    tolerance: float = 0.1,
    min_modes: int = MIN_MODES,
) -> tuple[int, int]:
    r"""The widest range of modes over which :math:`\log\lambda_k` is a straight line in :math:`\log k`.

    Candidate end points are ~40 log-spaced modes up to ``max_mode`` (default half the modes:
    the last eigenvalues of a P-sample kernel are distorted by finite P). Among ranges spanning
    at least a factor ``min_span`` in k and ``min_modes`` modes, take the widest (in log k)
    whose weighted RMS residual about a power law is at most ``tolerance`` (natural log);
    if none is that straight, the straightest one.

    Returns
    -------
    (first, last) : tuple of int
        1-based, inclusive.
    """
    lam = as_float_array("eigenvalues", eigenvalues, positive=True)
    n = lam.shape[0]
    min_span = check_real("min_span", min_span, low=1.0, low_open=True)
    tolerance = check_real("tolerance", tolerance, low=0.0, low_open=True)
    min_modes = check_int("min_modes", min_modes, low=3)
    kmax = n // 2 if max_mode is None else check_int("max_mode", max_mode, low=2, high=n)
    kmax = max(kmax, min(n, min_modes))
    if kmax < min_modes or kmax < min_span:
        raise InvalidParameterError(
            f"the spectrum is too short for an automatic fit range: {n} modes, of which "
            f"{kmax} are usable; a range must span a factor {min_span:g} in k and hold at least "
            f"{min_modes} modes (use more samples, or give `modes` explicitly)."
        )
    grid = np.unique(np.round(np.geomspace(1, kmax, 40)).astype(int))
    k = np.arange(1, n + 1, dtype=np.float64)
    logk, loglam = np.log(k), np.log(lam)
    best: tuple[float, float, int, int] | None = None
    straightest: tuple[float, int, int] | None = None
    for lo in grid:
        for hi in grid:
            if hi < lo * min_span or hi - lo + 1 < min_modes:
                continue
            sl = slice(lo - 1, hi)
            rms = _rms(logk[sl], loglam[sl], 1.0 / k[sl])
            span = math.log(hi / lo)
            if straightest is None or rms < straightest[0]:
                straightest = (rms, int(lo), int(hi))
            if rms <= tolerance and (best is None or (span, -rms) > (best[0], -best[1])):
                best = (span, rms, int(lo), int(hi))
    if best is not None:
        return best[2], best[3]
    if straightest is None:
        raise InvalidParameterError(
            f"the spectrum is too short for an automatic fit range: no range up to mode {kmax} "
            f"spans a factor {min_span:g} with at least {min_modes} modes."
        )
    return straightest[1], straightest[2]


# ---------------------------------------------------------------------------- public fit
def _arrays(spectrum: Any, task_power: Any) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(spectrum, MeasuredSpectrum):
        return np.asarray(spectrum.eigenvalues), np.asarray(spectrum.task_power)
    if isinstance(spectrum, Spectrum):
        return np.asarray(spectrum.eigenvalues), np.asarray(spectrum.task_power)
    if task_power is None:
        raise InvalidParameterError(
            "`task_power` is required when `spectrum` is an array of eigenvalues."
        )
    lam = as_float_array("eigenvalues", spectrum, positive=True)
    power = as_float_array("task_power", task_power, nonnegative=True)
    if lam.shape != power.shape:
        raise InvalidParameterError(
            f"`eigenvalues` and `task_power` must have the same length; got {lam.shape[0]} "
            f"and {power.shape[0]}."
        )
    return lam, power


def fit_exponents(
    spectrum: MeasuredSpectrum | Spectrum | Any,
    task_power: Any = None,
    *,
    modes: tuple[int, int] | None = None,
    n_bootstrap: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    min_modes: int = MIN_MODES,
) -> ExponentFit:
    r"""Fit :math:`\lambda_k \approx A_b k^{-b}` and task power :math:`\approx A_a k^{-a}` with bootstrap intervals.

    Parameters
    ----------
    spectrum : MeasuredSpectrum, Spectrum or array_like
        The spectrum, or its eigenvalues :math:`\lambda_k` (descending) with ``task_power``.
    task_power : array_like, optional
        :math:`\lambda_k (w^*_k)^2`, when ``spectrum`` is an array.
    modes : (int, int), optional
        First and last mode of the fit (1-based, inclusive). Default: :func:`select_mode_range`.
    n_bootstrap : int
        Bootstrap resamples of the modes (>= 10).
    confidence : float
        Level of the percentile intervals, in (0, 1).
    seed : int
        Seed of the bootstrap.
    min_modes : int
        Fewest modes a fit accepts (>= 3).

    Returns
    -------
    ExponentFit

    Raises
    ------
    InvalidParameterError
        If the spectrum is too short (fewer than ``min_modes`` modes in the range), its
        eigenvalues are not sorted in decreasing order or do not decrease over the range,
        or the target has no power there.

    Examples
    --------
    >>> from scaling_dynamics import Spectrum
    >>> fit = fit_exponents(Spectrum.power_law(a=1.5, b=1.25, M=1000), n_bootstrap=50)
    >>> round(fit.a, 3), round(fit.b, 3)
    (1.5, 1.25)
    """
    lam, power = _arrays(spectrum, task_power)
    min_modes = check_int("min_modes", min_modes, low=3)
    n_bootstrap = check_int("n_bootstrap", n_bootstrap, low=10)
    confidence = check_real("confidence", confidence, low=0.0, high=1.0, low_open=True,
                            high_open=True)
    seed = check_int("seed", seed, low=0)
    _check_decreasing(lam, min_modes)
    lo, hi, selection = _mode_range(lam, modes, min_modes)
    sl = slice(lo - 1, hi)
    k = np.arange(lo, hi + 1, dtype=np.float64)
    logk, loglam, pw = np.log(k), np.log(lam[sl]), power[sl]
    if not lam[hi - 1] < lam[lo - 1] * (1 - 1e-9):
        raise InvalidParameterError(
            f"the eigenvalues do not decrease over modes {lo}..{hi} "
            f"(lambda_{lo} = {lam[lo - 1]:.4g}, lambda_{hi} = {lam[hi - 1]:.4g}); "
            "a power law k^-b cannot describe them."
        )
    if np.count_nonzero(pw > 0) < 3:
        raise InvalidParameterError(
            f"the target has (almost) no power on modes {lo}..{hi}; the task-power exponent "
            "`a` cannot be fitted there."
        )
    w = 1.0 / k
    b, b_icpt, a = _fit_range(logk, loglam, pw, w)
    a = float(a[0])
    if b <= 0:
        raise InvalidParameterError(
            f"the eigenvalues do not decrease over modes {lo}..{hi} (fitted b = {b:.3g} <= 0); "
            "a power law k^-b with b > 0 cannot describe them."
        )
    a_ci, b_ci = _bootstrap_intervals(logk, loglam, pw, w, a, n_bootstrap, confidence, seed)
    return ExponentFit(
        a=a,
        b=float(b),
        a_ci=a_ci,
        b_ci=b_ci,
        modes_used=(int(lo), int(hi)),
        n_modes=int(hi - lo + 1),
        a_amplitude=float(np.sum(w * pw * k**a) / np.sum(w)),
        b_amplitude=float(np.exp(b_icpt)),
        b_rms_residual=_rms(logk, loglam, w),
        confidence=confidence,
        n_bootstrap=n_bootstrap,
        range_selection=selection,
    )


def _check_decreasing(lam: np.ndarray, min_modes: int) -> None:
    """Refuse fewer than ``min_modes`` eigenvalues, or eigenvalues not in decreasing order."""
    n = lam.shape[0]
    if n < min_modes:
        raise InvalidParameterError(
            f"the spectrum is too short to fit: {n} modes, at least {min_modes} are needed "
            "(measure the kernel on more samples)."
        )
    rises = np.flatnonzero(np.diff(lam) > 1e-12 * lam[:-1])
    if rises.size:
        i = int(rises[0])
        raise InvalidParameterError(
            "`eigenvalues` must be sorted in decreasing order (as measure_spectrum returns them); "
            f"mode {i + 2} ({lam[i + 1]:.4g}) exceeds mode {i + 1} ({lam[i]:.4g})."
        )


def _mode_range(lam: np.ndarray, modes: Any, min_modes: int) -> tuple[int, int, str]:
    """(first, last, ``"auto"`` or ``"given"``): the checked ``modes``, or select_mode_range."""
    if modes is None:
        lo, hi = select_mode_range(lam, min_modes=min_modes)
        return lo, hi, "auto"
    if not (isinstance(modes, (tuple, list)) and len(modes) == 2):
        raise InvalidParameterError(
            f"`modes` must be a pair (first, last) of 1-based mode numbers; got {modes!r}."
        )
    n = lam.shape[0]
    lo = check_int("modes[0]", modes[0], low=1, high=n)
    hi = check_int("modes[1]", modes[1], low=1, high=n)
    if hi - lo + 1 < min_modes:
        raise InvalidParameterError(
            f"`modes` must hold at least {min_modes} modes; got {lo}..{hi} "
            f"({max(hi - lo + 1, 0)} modes)."
        )
    return lo, hi, "given"


def _bootstrap_intervals(logk: np.ndarray, loglam: np.ndarray, pw: np.ndarray, w: np.ndarray,
                         a: float, n_bootstrap: int, confidence: float, seed: int,
                         ) -> tuple[tuple[float, float], tuple[float, float]]:
    """Percentile intervals of (a, b) over multinomial resamples of the modes in the range."""
    n_modes = logk.size
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n_modes, np.full(n_modes, 1.0 / n_modes),
                             size=n_bootstrap).astype(np.float64)
    wb = counts * w
    b_boot = -_wls(logk, loglam, wb)[0]
    start = np.full(n_bootstrap, a)
    a_boot = _mle_a(logk, pw, wb, start)
    alpha = (1.0 - confidence) / 2.0
    q = [alpha, 1.0 - alpha]
    a_lo, a_hi = (float(x) for x in np.quantile(a_boot, q))
    b_lo, b_hi = (float(x) for x in np.quantile(b_boot, q))
    return (a_lo, a_hi), (b_lo, b_hi)
