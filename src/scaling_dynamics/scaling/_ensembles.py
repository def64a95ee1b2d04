r"""Ensembling versus going wider at equal compute (Bordelon et al. 2024, section 6).

An ensemble of E models of size N that share the data and average their
predictions costs :math:`E N t`, as does one model of size :math:`E N`. The theory
gives the ensemble's loss

.. math:: L_E(t) = B(t) + V_{\text{data}}(t) + V_{\text{proj}}(t)/E,

so ensembling removes only the variance over projections, while width also lowers
the bias :math:`B` and the data variance (the :math:`E \to \infty` limit of the
ensemble is :math:`B + V_{\text{data}}`). Hence one wide model beats the ensemble.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._blas import one_blas_thread
from .._params import size_text
from .._progress import progress_bar
from .._records import Record
from .._validation import as_float_array, check_size
from ..spectra import Spectrum, check_spectrum
from ._generalization import _int_sizes
from ._summary import summary_repr

__all__ = ["EnsembleVsWidth", "ensemble_vs_width"]


@dataclass(frozen=True, eq=False)
class EnsembleVsWidth(Record):
    r"""E models of size N against one model of size E N, over time.

    Attributes
    ----------
    model_size : int
        N, the size of each ensemble member.
    sample_size : float
        P.
    ensemble_sizes : list of int
        Values of E.
    times : ndarray, shape (n_times,)
    ensemble_loss : ndarray, shape (n_E, n_times)
        Test loss of the average of E models of size N.
    wide_loss : ndarray, shape (n_E, n_times)
        Test loss of one model of size E N.
    infinite_ensemble : ndarray, shape (n_times,)
        :math:`E = \infty` limit for members of size N sharing the data,
        :math:`B(t) + V_{\text{data}}(t)`: what no amount of ensembling removes.
    ensemble_final, wide_final : ndarray, shape (n_E,)
        Losses at the last time.
    wider_wins : ndarray of bool, shape (n_E,)
        ``wide_final < ensemble_final`` (False at E = 1, where they coincide).
    label : str
    """

    __repr__ = summary_repr

    model_size: int
    sample_size: float
    ensemble_sizes: list[int]
    times: np.ndarray
    ensemble_loss: np.ndarray
    wide_loss: np.ndarray
    infinite_ensemble: np.ndarray
    ensemble_final: np.ndarray
    wide_final: np.ndarray
    wider_wins: np.ndarray
    label: str


@one_blas_thread
def ensemble_vs_width(
    spectrum: Spectrum,
    N: int = 100,
    *,
    P: int | float = math.inf,
    ensemble_sizes: Any = (1, 2, 4, 8),
    times: Any = None,
    progress: bool | None = None,
    **predict_options: Any,
) -> EnsembleVsWidth:
    r"""Compare an ensemble of E models of size N with one model of size E N (same compute).

    Parameters
    ----------
    spectrum : Spectrum
    N : int
        Size of each ensemble member.
    P : int or math.inf
        Training samples shared by every model.
    ensemble_sizes : array_like
        Values of E (integers >= 1).
    times : array_like, optional
        Gradient-flow times (default 26 log-spaced from 1 to 1e5); compute is
        :math:`E N t` for both at each t.
    progress : bool or None
    **predict_options
        Passed to :func:`scaling_dynamics.theory.predict`.
    """
    from ..theory import predict

    spectrum = check_spectrum(spectrum)
    N = check_size("N", N, allow_inf=False)
    P = check_size("P", P)
    es = _int_sizes("ensemble_sizes", ensemble_sizes)
    times = np.geomspace(1.0, 1e5, 26) if times is None else times
    t = np.unique(as_float_array("times", times, nonnegative=True))
    ens = np.empty((len(es), t.size))
    wide = np.empty((len(es), t.size))
    with progress_bar(2 * len(es), "ensembles", progress, unit="run") as bar:
        base = predict(spectrum, N, P, t, **predict_options)
        limit = base.extra["bias"] + base.extra["variance_data"]
        for i, e in enumerate(es):
            if e == 1:  # one model of size N on both sides: the base curve
                ens[i] = wide[i] = base.test_loss
                bar.update(2)
                continue
            ens[i] = predict(spectrum, N, P, t, ensemble=e, **predict_options).test_loss
            bar.update()
            wide[i] = predict(spectrum, e * N, P, t, **predict_options).test_loss
            bar.update()
    wins = (wide[:, -1] < ens[:, -1]) & (np.array(es) > 1)
    p_txt = size_text(P)
    return EnsembleVsWidth(
        model_size=N,
        sample_size=P,
        ensemble_sizes=es,
        times=t,
        ensemble_loss=ens,
        wide_loss=wide,
        infinite_ensemble=np.asarray(limit, float),
        ensemble_final=ens[:, -1],
        wide_final=wide[:, -1],
        wider_wins=wins,
        label=f"{spectrum.label}, P={p_txt}",
    )
