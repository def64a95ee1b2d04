r"""Finite-width and finite-data corrections to the loss, early and late in training.

For the model size (``vary="N"``, P held at ``other``) the correction is

.. math:: \Delta L(t, N) = L(t, N) - L(t, N = \infty),

and for the data (``vary="P"``, N held at ``other``)
:math:`\Delta L(t, P) = L(t, P) - L(t, P = \infty)`, both from the mean-field theory.
Bordelon et al. (2024, section 5) predict a universal :math:`\Delta L \propto 1/N`
(resp. :math:`1/P`) early in training and a task-dependent power late: at
:math:`t = \infty` it is the model (resp. data) bottleneck,
:math:`N^{-\min(a-1, b)}` for one model (see :mod:`._exponents`) and :math:`P^{-m}`.
The exponent at each time is the least-squares slope over the largest
``fit_decades`` decades of sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._blas import one_blas_thread
from .._errors import InvalidParameterError
from .._params import size_text
from .._progress import progress_bar
from .._records import Record
from .._validation import as_float_array, check_choice, check_real, check_size
from ..spectra import Spectrum, check_spectrum
from ._allocation import log_slope
from ._exponents import closed_form_exponents
from ._summary import summary_repr

__all__ = ["FiniteSizeCorrections", "finite_size_corrections"]


@dataclass(frozen=True, eq=False)
class FiniteSizeCorrections(Record):
    r"""Corrections :math:`L(t, x) - L(t, \infty)` for x = N or P over sizes and times.

    Attributes
    ----------
    size_name : {"N", "P"}
    other : float
        The size held fixed (P when varying N, N when varying P).
    sizes : ndarray, shape (n_sizes,)
    times : ndarray, shape (n_times,)
        Finite times; the :math:`t = \infty` row is ``limit_correction``.
    loss : ndarray, shape (n_times, n_sizes)
        :math:`L(t, x)`.
    reference : ndarray, shape (n_times,)
        :math:`L(t, \infty)`.
    correction : ndarray, shape (n_times, n_sizes)
        ``loss - reference[:, None]``.
    exponents : ndarray, shape (n_times,)
        :math:`-d\log\Delta L/d\log x` fitted over the largest ``fit_decades`` decades
        (nan where a correction is not positive).
    limit_correction : ndarray, shape (n_sizes,)
        :math:`L(\infty, x) - L(\infty, \infty)` (from ``limit_loss``).
    limit_exponent : float
    early_closed_form : float
        1 (the universal early-time rate).
    late_closed_form : float or None
        The task-dependent rate at :math:`t = \infty` for a power law:
        :math:`\min(a-1, b)` for N (one model), :math:`m` for P.
    fit_decades : float
    label : str
    """

    __repr__ = summary_repr

    size_name: str
    other: float
    sizes: np.ndarray
    times: np.ndarray
    loss: np.ndarray
    reference: np.ndarray
    correction: np.ndarray
    exponents: np.ndarray
    limit_correction: np.ndarray
    limit_exponent: float
    early_closed_form: float
    late_closed_form: float | None
    fit_decades: float
    label: str

    _dict_exclude = ("loss", "reference", "fit_decades")


def _exponent(sizes: np.ndarray, corr: np.ndarray, fit_decades: float) -> float:
    use = sizes >= sizes[-1] / 10.0**fit_decades
    if np.any(corr[use] <= 0) or use.sum() < 2:
        return math.nan
    return -log_slope(sizes[use], corr[use])[0]


@one_blas_thread
def finite_size_corrections(
    spectrum: Spectrum,
    *,
    vary: str = "N",
    sizes: Any = (100, 200, 400, 800, 1600, 3200),
    times: Any = (1.0, 10.0, 100.0, 1e3, 1e4, 1e5),
    other: int | float = math.inf,
    fit_decades: float = 1.0,
    progress: bool | None = None,
    **predict_options: Any,
) -> FiniteSizeCorrections:
    r"""Finite-N (or finite-P) corrections of the theory's loss over time.

    Parameters
    ----------
    spectrum : Spectrum
        Teacher (``M = math.inf`` allowed for a power law).
    vary : {"N", "P"}
        Which size is finite.
    sizes : array_like
        Values of the varied size (integers >= 1).
    times : array_like
        Finite times at which to compare (> 0).
    other : int or math.inf
        The other size, held fixed (default infinite: the pure correction).
    fit_decades : float
        Decades of the largest sizes used to fit each exponent.
    progress : bool or None
    **predict_options
        Passed to :func:`scaling_dynamics.theory.predict`.

    Returns
    -------
    FiniteSizeCorrections
    """
    spectrum = check_spectrum(spectrum)
    vary = check_choice("vary", vary, ("N", "P"))
    x = np.unique(np.round(as_float_array("sizes", sizes, positive=True, min_length=2)))
    if x.size < 2:
        raise InvalidParameterError("`sizes` must hold at least 2 distinct integers.")
    t = np.unique(as_float_array("times", times, positive=True))
    other = check_size("other", other)
    fit_decades = check_real("fit_decades", fit_decades, low=0.0, low_open=True)
    loss, ref, limit, ref_limit = _losses(spectrum, vary, x, t, other, progress, predict_options)
    corr = loss - ref[:, None]
    lim_corr = limit - ref_limit
    exps = np.array([_exponent(x, corr[i], fit_decades) for i in range(t.size)])
    late = None
    if spectrum.is_power_law:
        e = closed_form_exponents(spectrum.a, spectrum.b)
        late = e.model_single if vary == "N" else e.data
    other_txt = size_text(other)
    fixed = f"P={other_txt}" if vary == "N" else f"N={other_txt}"
    return FiniteSizeCorrections(
        size_name=vary,
        other=other,
        sizes=x,
        times=t,
        loss=loss,
        reference=ref,
        correction=corr,
        exponents=exps,
        limit_correction=lim_corr,
        limit_exponent=_exponent(x, lim_corr, fit_decades),
        early_closed_form=1.0,
        late_closed_form=late,
        fit_decades=fit_decades,
        label=f"{spectrum.label}, {fixed}",
    )


def _losses(spectrum: Spectrum, vary: str, x: np.ndarray, t: np.ndarray, other: float,
            progress: bool | None, predict_options: dict[str, Any],
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Test loss at each (time, size) and its t -> inf limit, and the same at infinite size.

    Returns (loss (n_t, n_sizes), reference (n_t,), limit (n_sizes,), reference limit).
    """
    from ..theory import limit_loss, predict

    def sizes_of(v: float) -> tuple[float, float]:
        return (v, other) if vary == "N" else (other, v)

    loss = np.empty((t.size, x.size))
    limit = np.empty(x.size)
    with progress_bar(x.size + 1, f"finite {vary}", progress, unit="size") as bar:
        ref = predict(spectrum, *sizes_of(math.inf), t, **predict_options).test_loss
        ref_limit = limit_loss(spectrum, *sizes_of(math.inf)).test_loss
        bar.update()
        for j, v in enumerate(x):
            n, p = sizes_of(int(v))
            loss[:, j] = predict(spectrum, n, p, t, **predict_options).test_loss
            limit[j] = limit_loss(spectrum, n, p).test_loss
            bar.update()
    return loss, ref, limit, ref_limit
