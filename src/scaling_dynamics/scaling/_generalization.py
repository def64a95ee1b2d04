r"""Generalisation over training: the train-test gap, wider-is-better and early stopping.

From the mean-field theory (gradient flow):

* **Train-test gap** for several P: :math:`G(t) = L(t) + \sigma^2 - \hat L(t)` (the test
  loss is the excess over the noise floor, the train loss includes the noise). Early
  in training the gap is :math:`O(1/P)`; reusing the same P samples lets it build up
  (Bordelon et al. 2024, section 5).
* **Wider is better** when data are plentiful: :math:`L(t; N)` decreases with N at
  every t. With scarce data the order reverses late in training as N approaches P
  (the interpolation peak), and **optimal early stopping**,
  :math:`L_{\text{ES}}(N) = \min_t L(t; N)`, restores it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from .._blas import one_blas_thread
from .._params import size_text
from .._progress import progress_bar
from .._records import Record
from .._validation import as_float_array, check_size
from ..spectra import Spectrum, check_spectrum
from ._allocation import log_slope
from ._summary import summary_repr

__all__ = [
    "TrainTestGap",
    "train_test_gap",
    "WiderIsBetter",
    "wider_is_better",
    "EarlyStopping",
    "early_stopping",
]


def _int_sizes(name: str, values: Any) -> list[int]:
    """Distinct positive sizes, rounded to integers, in increasing order."""
    arr = as_float_array(name, values, positive=True)
    return [int(v) for v in np.unique(np.round(arr))]


@dataclass(frozen=True, eq=False)
class TrainTestGap(Record):
    r"""Train and test loss over time for several sample sizes P.

    Attributes
    ----------
    sample_sizes : list of int
    model_size : float
        N (``math.inf`` by default).
    sigma : float
        Label noise.
    times : ndarray, shape (n_times,)
    test_loss : ndarray, shape (n_P, n_times)
        Population loss including the noise floor, :math:`L + \sigma^2`.
    train_loss : ndarray, shape (n_P, n_times)
    gap : ndarray, shape (n_P, n_times)
        ``test_loss - train_loss``.
    early_exponent : float
        :math:`-d\log G/d\log P` at the first time (1 for an :math:`O(1/P)` gap).
    growth : ndarray, shape (n_P,)
        Ratio of the gap at the last time to the gap at the first time.
    label : str
    """

    __repr__ = summary_repr

    sample_sizes: list[int]
    model_size: float
    sigma: float
    times: np.ndarray
    test_loss: np.ndarray
    train_loss: np.ndarray
    gap: np.ndarray
    early_exponent: float
    growth: np.ndarray
    label: str


@one_blas_thread
def train_test_gap(
    spectrum: Spectrum,
    sample_sizes: Any = (100, 200, 400, 800),
    times: Any = None,
    *,
    N: int | float = math.inf,
    progress: bool | None = None,
    **predict_options: Any,
) -> TrainTestGap:
    r"""Gap :math:`L(t) + \sigma^2 - \hat L(t)` between population and training loss over time.

    Parameters
    ----------
    spectrum : Spectrum
        Teacher and label noise (``sigma``).
    sample_sizes : array_like
        Values of P (integers).
    times : array_like, optional
        Gradient-flow times (> 0; default 40 log-spaced from 0.1 to 1e5).
    N : int or math.inf
        Model size (default infinite).
    progress : bool or None
    **predict_options
        Passed to :func:`scaling_dynamics.theory.predict`.
    """
    from ..theory import predict

    spectrum = check_spectrum(spectrum)
    ps = _int_sizes("sample_sizes", sample_sizes)
    times = np.geomspace(0.1, 1e5, 40) if times is None else times
    t = np.unique(as_float_array("times", times, positive=True))
    N = check_size("N", N)
    test = np.empty((len(ps), t.size))
    train = np.empty((len(ps), t.size))
    with progress_bar(len(ps), "train-test gap", progress, unit="P") as bar:
        for i, p in enumerate(ps):
            c = predict(spectrum, N, p, t, **predict_options)
            test[i] = c.test_loss + spectrum.sigma**2
            train[i] = c.train_loss
            bar.update()
    gap = test - train
    early = math.nan
    if len(ps) >= 2 and np.all(gap[:, 0] > 0):
        early = -log_slope(np.array(ps, float), gap[:, 0])[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(gap[:, 0] > 0, gap[:, -1] / gap[:, 0], np.nan)
    n_txt = size_text(N)
    return TrainTestGap(ps, N, spectrum.sigma, t, test, train, gap, early, growth,
                        f"{spectrum.label}, sigma={spectrum.sigma:g}, N={n_txt}")


@dataclass(frozen=True)
class EarlyStopping:
    """Optimal stopping time and loss of one model: ``loss = min_t L(t)``."""

    __repr__ = summary_repr

    time: float
    loss: float
    final_loss: float


@one_blas_thread
def early_stopping(spectrum: Spectrum, N: int | float, P: int | float,
                   times: Any = None, *, xatol: float = 1e-3,
                   **predict_options: Any) -> EarlyStopping:
    r"""Optimal early stopping :math:`t_{ES} = \arg\min_t L(t)`, :math:`L_{ES} = L(t_{ES})`.

    A grid of ``times`` (default 29 log-spaced from 0.1 to 1e6) brackets the minimum; a
    bounded Brent search on :math:`\log t` refines it. ``final_loss`` is the loss at the
    last grid time.
    """
    from ..theory import predict

    times = np.geomspace(0.1, 1e6, 29) if times is None else times
    t = np.unique(as_float_array("times", times, positive=True, min_length=3))
    loss = predict(spectrum, N, P, t, **predict_options).test_loss
    return _stop_on_grid(spectrum, N, P, t, loss, xatol, predict_options)


def _stop_on_grid(spectrum: Spectrum, N: int | float, P: int | float, t: np.ndarray,
                  loss: np.ndarray, xatol: float, predict_options: dict[str, Any]
                  ) -> EarlyStopping:
    """:func:`early_stopping` given the loss already computed on the grid ``t``."""
    from ..theory import predict

    j = int(np.argmin(loss))
    if 0 < j < t.size - 1:
        res = minimize_scalar(
            lambda x: float(predict(spectrum, N, P, [math.exp(x)], **predict_options).test_loss[0]),
            bounds=(math.log(t[j - 1]), math.log(t[j + 1])), method="bounded",
            options={"xatol": xatol},
        )
        if res.fun < loss[j]:
            return EarlyStopping(math.exp(float(res.x)), float(res.fun), float(loss[-1]))
    return EarlyStopping(float(t[j]), float(loss[j]), float(loss[-1]))


@dataclass(frozen=True, eq=False)
class WiderIsBetter(Record):
    r"""Test loss over time for several N, with plentiful and with scarce data.

    Attributes
    ----------
    model_sizes : list of int
    times : ndarray, shape (n_times,)
    rich_P, scarce_P : float
        Sample sizes of the two regimes.
    rich_loss, scarce_loss : ndarray, shape (n_N, n_times)
        Test loss (excess over the noise floor).
    rich_final, scarce_final : ndarray, shape (n_N,)
        Loss at the last time.
    scarce_early_stopped : ndarray, shape (n_N,)
        :math:`\min_t L(t; N)` with scarce data (optimal early stopping).
    stopping_times : ndarray, shape (n_N,)
    rich_monotone : bool
        Wider is better at every time with plentiful data.
    scarce_reversed : bool
        The final loss with scarce data is *not* decreasing in N.
    early_stopped_monotone : bool
        Early-stopped loss decreases with N.
    label : str
    """

    __repr__ = summary_repr

    model_sizes: list[int]
    times: np.ndarray
    rich_P: float
    scarce_P: float
    rich_loss: np.ndarray
    scarce_loss: np.ndarray
    rich_final: np.ndarray
    scarce_final: np.ndarray
    scarce_early_stopped: np.ndarray
    stopping_times: np.ndarray
    rich_monotone: bool
    scarce_reversed: bool
    early_stopped_monotone: bool
    label: str

    _dict_exclude = ("rich_loss", "scarce_loss")


@one_blas_thread
def wider_is_better(
    spectrum: Spectrum,
    model_sizes: Any = (50, 100, 200, 400),
    *,
    rich_P: int | float = math.inf,
    scarce_P: int = 500,
    times: Any = None,
    progress: bool | None = None,
    **predict_options: Any,
) -> WiderIsBetter:
    r"""Is a wider model better? At every time with plentiful data; not with scarce data.

    Parameters
    ----------
    spectrum : Spectrum
        Teacher and label noise (noise makes the late-time reversal stronger).
    model_sizes : array_like
        Values of N (integers; keep them away from ``scarce_P``, where the loss at
        :math:`t = \infty` diverges).
    rich_P : int or math.inf
        The data-rich sample size (default infinite).
    scarce_P : int
        The data-scarce sample size.
    times : array_like, optional
        Gradient-flow times (> 0; default 36 log-spaced from 0.1 to 1e6), also the grid of
        the early-stopping search.
    """
    from ..theory import predict

    spectrum = check_spectrum(spectrum)
    ns = _int_sizes("model_sizes", model_sizes)
    rich_P = check_size("rich_P", rich_P)
    scarce_P = check_size("scarce_P", scarce_P, allow_inf=False)
    times = np.geomspace(0.1, 1e6, 36) if times is None else times
    t = np.unique(as_float_array("times", times, positive=True, min_length=3))
    rich = np.empty((len(ns), t.size))
    scarce = np.empty((len(ns), t.size))
    es_loss = np.empty(len(ns))
    es_time = np.empty(len(ns))
    with progress_bar(len(ns), "wider is better", progress, unit="N") as bar:
        for i, n in enumerate(ns):
            rich[i] = predict(spectrum, n, rich_P, t, **predict_options).test_loss
            scarce[i] = predict(spectrum, n, scarce_P, t, **predict_options).test_loss
            # the same search as early_stopping, on the scarce curve just computed
            es = _stop_on_grid(spectrum, n, scarce_P, t, scarce[i], 1e-3, predict_options)
            es_loss[i], es_time[i] = es.loss, es.time
            bar.update()
    rich_mono = bool(np.all(np.diff(rich, axis=0) <= 1e-12 * rich[:-1]))
    scarce_rev = bool(np.any(np.diff(scarce[:, -1]) > 0))
    es_mono = bool(np.all(np.diff(es_loss) < 0))
    return WiderIsBetter(
        model_sizes=ns,
        times=t,
        rich_P=rich_P,
        scarce_P=scarce_P,
        rich_loss=rich,
        scarce_loss=scarce,
        rich_final=rich[:, -1],
        scarce_final=scarce[:, -1],
        scarce_early_stopped=es_loss,
        stopping_times=es_time,
        rich_monotone=rich_mono,
        scarce_reversed=scarce_rev,
        early_stopped_monotone=es_mono,
        label=f"{spectrum.label}, sigma={spectrum.sigma:g}",
    )
