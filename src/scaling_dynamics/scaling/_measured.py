r"""Scaling exponents measured along sweeps of the theory (and, optionally, simulation).

Three bottleneck sweeps of the mean-field theory (theory.md section 5):

* time: :math:`L(t)` with :math:`N = P = \infty` (:func:`scaling_dynamics.theory.predict`);
* model: :math:`L(N)` at :math:`t = \infty`, :math:`P = \infty`
  (:func:`scaling_dynamics.theory.limit_loss`);
* data: :math:`L(P)` at :math:`t = \infty`, :math:`N = \infty`.

Along each, the local exponent between neighbouring points,

.. math:: r(x_{i+1/2}) = -\frac{\log L(x_{i+1}) - \log L(x_i)}{\log x_{i+1} - \log x_i},

shows how the loss approaches its power law, and a least-squares slope over the
last ``fit_decades`` decades gives the measured exponent, compared with the
closed form. Simulation (:func:`scaling_dynamics.simulate`, exact gradient flow at
a finite M) can confirm the sweeps point by point.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._blas import one_blas_thread
from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._records import Record
from .._validation import as_float_array, check_int, check_real
from ..spectra import Spectrum, check_spectrum
from ._allocation import log_slope
from ._exponents import ScalingExponents, closed_form_exponents
from ._summary import summary_repr

__all__ = [
    "ExponentSweep",
    "BottleneckSweeps",
    "time_sweep",
    "model_sweep",
    "data_sweep",
    "measure_exponents",
    "DEFAULT_TIMES",
    "DEFAULT_SIZES",
]

#: Default sweep of gradient-flow time (N = P = inf).
DEFAULT_TIMES = np.geomspace(1.0, 1e6, 25)
#: Default sweep of N (model) and P (data) at t = inf.
DEFAULT_SIZES = np.geomspace(10, 1e5, 21)
#: Time used by the simulation to stand for t = inf (times every learnable mode by far).
_SIM_T_INF = 1e12


@dataclass(frozen=True, eq=False)
class ExponentSweep(Record):
    r"""The loss along one bottleneck sweep and its measured exponent.

    Attributes
    ----------
    name : {"time", "model", "data"}
    label : str
        Axis label of the swept variable.
    fixed : str
        What is held infinite.
    x : ndarray, shape (n,)
        Swept values (t, N or P), ascending.
    loss : ndarray, shape (n,)
        Theory's test loss (excess over the noise floor).
    local_exponent : ndarray, shape (n - 1,)
        :math:`-\Delta \log L / \Delta \log x` between neighbours (at the geometric mid-points).
    fitted_exponent : float
        Least-squares :math:`-d\log L/d\log x` over the last ``fit_decades`` decades of x.
    fit_decades : float
    closed_form : float or None
        theory.md section 5 (None for a spectrum that is not a power law).
    alternative : float or None
        For the model sweep when it differs from ``closed_form``: the single-model
        exponent :math:`\min(a-1, b)` (see :mod:`._exponents`).
    error : float
        ``fitted_exponent - closed_form`` (nan without a closed form).
    simulated_x, simulated_loss, simulated_sem : ndarray or None
        Optional confirmation by simulation (finite ``simulated_M``).
    simulated_theory : ndarray or None
        The theory at the simulated points with the same finite ``simulated_M`` (what the
        simulation confirms; the finite M bends both away from the M = inf sweep).
    simulated_M : int or None
    """

    __repr__ = summary_repr
    _repr_fields = ("name fixed", "x", "loss", "fitted_exponent closed_form error fit_decades",
                    "simulated_x")

    name: str
    label: str
    fixed: str
    x: np.ndarray
    loss: np.ndarray
    local_exponent: np.ndarray
    fitted_exponent: float
    fit_decades: float
    closed_form: float | None
    alternative: float | None = None
    error: float = math.nan
    simulated_x: np.ndarray | None = None
    simulated_loss: np.ndarray | None = None
    simulated_sem: np.ndarray | None = None
    simulated_theory: np.ndarray | None = None
    simulated_M: int | None = None

    _dict_exclude = ("label", "alternative", "simulated_x", "simulated_loss", "simulated_sem",
                     "simulated_theory", "simulated_M")

    def _dict_extra(self) -> dict[str, Any]:
        """``alternative`` when there is one, the simulated points when simulated."""
        d: dict[str, Any] = {}
        if self.alternative is not None:
            d["alternative"] = self.alternative
        if self.simulated_loss is not None:
            d.update(
                simulated_x=self.simulated_x,
                simulated_loss=self.simulated_loss,
                simulated_sem=self.simulated_sem,
                simulated_theory=self.simulated_theory,
                simulated_M=self.simulated_M,
            )
        return d


@dataclass(frozen=True, eq=False)
class BottleneckSweeps(Record):
    """The three bottleneck sweeps of one power law, with the closed forms."""

    __repr__ = summary_repr

    exponents: ScalingExponents
    time: ExponentSweep
    model: ExponentSweep
    data: ExponentSweep
    label: str
    wall_time_s: float = 0.0

    _dict_exclude = ("exponents",)

    def _dict_extra(self) -> dict[str, Any]:
        """The closed forms, under ``closed_form``."""
        return {"closed_form": self.exponents}


def _sweep(name: str, label: str, fixed: str, x: np.ndarray, loss: np.ndarray,
           fit_decades: float, closed: float | None, alternative: float | None = None,
           ) -> ExponentSweep:
    if np.any(~np.isfinite(loss)) or np.any(loss <= 0):
        i = int(np.flatnonzero(~np.isfinite(loss) | (loss <= 0))[0])
        raise InvalidParameterError(
            f"the {name} sweep has a loss that is not positive and finite at x = {x[i]:g} "
            f"({loss[i]!r}); choose values away from the interpolation threshold N = P."
        )
    local = -np.diff(np.log(loss)) / np.diff(np.log(x))
    use = x >= x[-1] / 10.0**fit_decades
    slope, _ = log_slope(x[use], loss[use])
    fitted = -slope
    err = fitted - closed if closed is not None else math.nan
    return ExponentSweep(name, label, fixed, x, loss, local, fitted, fit_decades, closed,
                         alternative, err)


def _grid(name: str, values: Any, default: np.ndarray, *, integer: bool) -> np.ndarray:
    x = default if values is None else as_float_array(name, values, positive=True, min_length=2)
    x = np.unique(np.round(x)) if integer else np.unique(x)
    if x.size < 2:
        raise InvalidParameterError(f"`{name}` must hold at least 2 distinct values; got {x.size}.")
    return x


@one_blas_thread
def time_sweep(spectrum: Spectrum, times: Any = None, *, fit_decades: float = 1.0,
               **predict_options: Any) -> ExponentSweep:
    r"""Time bottleneck: :math:`L(t)` with :math:`N = P = \infty`; closed form :math:`(a-1)/b`."""
    from ..theory import predict

    spectrum = check_spectrum(spectrum)
    fit_decades = check_real("fit_decades", fit_decades, low=0.0, low_open=True)
    t = _grid("times", times, DEFAULT_TIMES, integer=False)
    loss = predict(spectrum, math.inf, math.inf, t, **predict_options).test_loss
    closed = closed_form_exponents(spectrum.a, spectrum.b).time if spectrum.is_power_law else None
    return _sweep("time", "time t", "N = P = inf", t, loss, fit_decades, closed)


@one_blas_thread
def model_sweep(spectrum: Spectrum, model_sizes: Any = None, *, fit_decades: float = 1.0,
                progress: bool | None = None, **limit_options: Any) -> ExponentSweep:
    r"""Model bottleneck: :math:`L(N)` at :math:`t = P = \infty`; closed form :math:`m`.

    ``alternative`` carries the single-model exponent :math:`\min(a-1, b)` when it differs.
    """
    from ..theory import limit_loss

    spectrum = check_spectrum(spectrum)
    fit_decades = check_real("fit_decades", fit_decades, low=0.0, low_open=True)
    n = _grid("model_sizes", model_sizes, DEFAULT_SIZES, integer=True)
    loss = np.empty(n.size)
    with progress_bar(n.size, "model sweep", progress, unit="N") as bar:
        for i, ni in enumerate(n):
            loss[i] = limit_loss(spectrum, int(ni), math.inf, **limit_options).test_loss
            bar.update()
    closed = alt = None
    if spectrum.is_power_law:
        e = closed_form_exponents(spectrum.a, spectrum.b)
        closed = e.model
        alt = e.model_single if e.model_single != e.model else None
    return _sweep("model", "model size N", "t = P = inf", n, loss, fit_decades, closed, alt)


@one_blas_thread
def data_sweep(spectrum: Spectrum, sample_sizes: Any = None, *, fit_decades: float = 1.0,
               progress: bool | None = None, **limit_options: Any) -> ExponentSweep:
    r"""Data bottleneck: :math:`L(P)` at :math:`t = N = \infty`; closed form :math:`m`."""
    from ..theory import limit_loss

    spectrum = check_spectrum(spectrum)
    fit_decades = check_real("fit_decades", fit_decades, low=0.0, low_open=True)
    p = _grid("sample_sizes", sample_sizes, DEFAULT_SIZES, integer=True)
    loss = np.empty(p.size)
    with progress_bar(p.size, "data sweep", progress, unit="P") as bar:
        for i, pi in enumerate(p):
            loss[i] = limit_loss(spectrum, math.inf, int(pi), **limit_options).test_loss
            bar.update()
    closed = closed_form_exponents(spectrum.a, spectrum.b).data if spectrum.is_power_law else None
    return _sweep("data", "samples P", "t = N = inf", p, loss, fit_decades, closed)


def _simulate_sweep(sweep: ExponentSweep, spectrum: Spectrum, sim_M: int, n_seeds: int,
                    seed: int, max_size: int) -> ExponentSweep:
    """Confirm a sweep by exact simulation at finite M (t = inf stood for by t = 1e12)."""
    from dataclasses import replace

    from ..simulate import simulate
    from ..theory import limit_loss, predict

    spec = Spectrum.power_law(spectrum.a, spectrum.b, sim_M, spectrum.sigma)
    if sweep.name == "time":
        xs = sweep.x
        curves = simulate(spec, math.inf, math.inf, xs, n_seeds=1, seed=seed)
        loss, sem = curves.test_loss, np.zeros(xs.size)
        theory = predict(spec, math.inf, math.inf, xs).test_loss
    else:
        xs = sweep.x[sweep.x <= max_size]
        loss, sem, theory = np.empty(xs.size), np.empty(xs.size), np.empty(xs.size)
        for i, v in enumerate(xs):
            N, P = (int(v), math.inf) if sweep.name == "model" else (math.inf, int(v))
            c = simulate(spec, N, P, [_SIM_T_INF], n_seeds=n_seeds, seed=seed)
            loss[i] = c.test_loss[0]
            sem[i] = 0.0 if c.test_loss_sem is None else c.test_loss_sem[0]
            theory[i] = limit_loss(spec, N, P).test_loss
    return replace(sweep, simulated_x=xs, simulated_loss=loss, simulated_sem=sem,
                   simulated_theory=theory, simulated_M=sim_M)


@one_blas_thread
def measure_exponents(
    a: float,
    b: float,
    *,
    times: Any = None,
    model_sizes: Any = None,
    sample_sizes: Any = None,
    M: int | float = math.inf,
    fit_decades: float = 1.0,
    simulate: bool = False,
    simulated_M: int = 2000,
    n_seeds: int = 4,
    seed: int = 0,
    progress: bool | None = None,
) -> BottleneckSweeps:
    r"""Measure the time, model and data exponents of the power law ``(a, b)`` from the theory.

    Parameters
    ----------
    a, b : float
        :math:`\lambda_k (w^*_k)^2 = k^{-a}`, :math:`\lambda_k = k^{-b}` (``a, b > 1``).
    times : array_like, optional
        Time sweep (default :data:`DEFAULT_TIMES`, 1 to 1e6).
    model_sizes, sample_sizes : array_like, optional
        N and P sweeps (default :data:`DEFAULT_SIZES`, 10 to 1e5), rounded to integers.
    M : int or math.inf
        Modes of the spectrum (default infinite: no finite-M cut-off in the exponents).
    fit_decades : float
        Decades at the top of each sweep used for the fitted exponent.
    simulate : bool
        Also simulate each sweep (exact gradient flow, ``simulated_M`` modes, N and P up to
        ``simulated_M / 4``, ``n_seeds`` draws); slow at large sizes.
    simulated_M, n_seeds, seed : int
        Simulation settings.
    progress : bool or None
        Progress bars on stderr.

    Returns
    -------
    BottleneckSweeps

    Examples
    --------
    >>> r = measure_exponents(1.5, 1.25, times=[1e4, 1e5], model_sizes=[1000, 10000],
    ...                       sample_sizes=[1000, 10000])
    >>> round(r.time.fitted_exponent, 3), round(r.model.fitted_exponent, 2)
    (0.4, 0.5)
    """
    started = _time.perf_counter()
    spectrum = Spectrum.power_law(a, b, M)
    simulated_M = check_int("simulated_M", simulated_M, low=8)
    n_seeds = check_int("n_seeds", n_seeds, low=1)
    ts = time_sweep(spectrum, times, fit_decades=fit_decades)
    ms = model_sweep(spectrum, model_sizes, fit_decades=fit_decades, progress=progress)
    ds = data_sweep(spectrum, sample_sizes, fit_decades=fit_decades, progress=progress)
    if simulate:
        cap = simulated_M // 4
        ts = _simulate_sweep(ts, spectrum, simulated_M, n_seeds, seed, cap)
        ms = _simulate_sweep(ms, spectrum, simulated_M, n_seeds, seed, cap)
        ds = _simulate_sweep(ds, spectrum, simulated_M, n_seeds, seed, cap)
    return BottleneckSweeps(
        exponents=closed_form_exponents(a, b),
        time=ts,
        model=ms,
        data=ds,
        label=spectrum.label,
        wall_time_s=_time.perf_counter() - started,
    )
