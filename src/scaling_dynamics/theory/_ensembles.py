r"""Ensembles and the bias-variance decomposition of the test loss.

An ensemble averages the predictions of ``E`` models trained on the *same* data with
*independent* projections. With :math:`C_0` the test correlation of one model and
:math:`C_0^{ab}` that of two members (theory.md section 2; noise terms in
:mod:`._correlations`), its test loss is

.. math::  L_E(t) = \frac{C_0(t,t)}{E} + \Big(1 - \frac1E\Big) C_0^{ab}(t,t)
                  = B(t) + V_{\rm data}(t) + \frac{V_{\rm proj}(t)}{E},

with the three parts

* bias :math:`B(t) = \sum_k \lambda_k (w^*_k)^2 H_k(t)^2`: the loss of the predictor
  averaged over data *and* projections (an infinite ensemble over infinitely many data
  sets);
* data variance :math:`V_{\rm data} = C_0^{ab} - B`: what an infinite ensemble over
  projections, trained on one data set, still loses to the data draw (label noise
  included);
* projection variance :math:`V_{\rm proj} = C_0 - C_0^{ab}`: the part an ensemble removes
  (divided by ``E``).

Wider models reduce all three; ensembling only the last, which is why ensembling is not
the same as going wider (Bordelon, Atanasov & Pehlevan 2024, section 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_int
from ..spectra import Spectrum
from ._dmft import check_common, theory_terms
from ._inversion import DEFAULT_NODES_2D

__all__ = ["LossDecomposition", "decompose_loss", "bias"]


@dataclass(frozen=True, eq=False)
class LossDecomposition:
    """Test loss of an ensemble and its parts, at each time.

    Attributes
    ----------
    times : ndarray, shape (n_times,)
    test_loss : ndarray
        ``bias + variance_data + variance_projection / ensemble``.
    bias, variance_data, variance_projection : ndarray
    ensemble : int
    """

    times: np.ndarray
    test_loss: np.ndarray
    bias: np.ndarray
    variance_data: np.ndarray
    variance_projection: np.ndarray
    ensemble: int


def decompose_loss(
    spectrum: Spectrum,
    N: int | float,
    P: int | float,
    times: Any,
    *,
    ensemble: int = 1,
    n_nodes: int = DEFAULT_NODES_2D,
    compress: str = "auto",
) -> LossDecomposition:
    r"""Bias, data variance and projection variance of the test loss (module notes).

    .. math::  L_E = B + V_{\rm data} + V_{\rm proj}/E

    Parameters
    ----------
    spectrum, N, P, times, n_nodes, compress
        As in :func:`~scaling_dynamics.theory.predict`.
    ensemble : int
        Ensemble size E.

    Returns
    -------
    LossDecomposition

    Examples
    --------
    >>> import numpy as np
    >>> from scaling_dynamics import Spectrum
    >>> from scaling_dynamics.theory import decompose_loss
    >>> s = Spectrum.power_law(a=1.5, b=1.25, M=500, sigma=0.5)
    >>> d = decompose_loss(s, N=100, P=200, times=[10, 1000], ensemble=4)
    >>> bool(np.allclose(d.test_loss, d.bias + d.variance_data + d.variance_projection / 4))
    True
    """
    spectrum, N, P, t, n_nodes, compress, tol = check_common(
        spectrum, N, P, times, n_nodes, compress, 1e-13
    )
    E = check_int("ensemble", ensemble, low=1)
    terms = theory_terms(spectrum, N, P, t, n_nodes=n_nodes, compress=compress, tol=tol)
    return LossDecomposition(
        times=t,
        test_loss=terms.ensemble_test(E),
        bias=terms.bias,
        variance_data=terms.test_cross - terms.bias,
        variance_projection=terms.test - terms.test_cross,
        ensemble=E,
    )


def bias(
    spectrum: Spectrum,
    N: int | float,
    P: int | float,
    times: Any,
    *,
    n_nodes: int = DEFAULT_NODES_2D,
    compress: str = "auto",
) -> np.ndarray:
    r"""The bias :math:`B(t) = \sum_k \lambda_k (w^*_k)^2 H_k(t)^2`, shape (n_times,).

    The loss of the mean predictor (averaged over data and projections). For
    ``N = P = inf`` it equals the loss, :math:`\sum_k \lambda_k (w^*_k)^2 e^{-2\lambda_k t}`.

    Examples
    --------
    >>> import numpy as np
    >>> from scaling_dynamics import Spectrum
    >>> from scaling_dynamics.theory import bias
    >>> s = Spectrum.power_law(a=1.5, b=1.25, M=300)
    >>> B = bias(s, N=np.inf, P=np.inf, times=[1.0])
    >>> bool(np.isclose(B[0], np.sum(s.task_power * np.exp(-2 * s.eigenvalues)), rtol=1e-9))
    True
    """
    spectrum, N, P, t, n_nodes, compress, tol = check_common(
        spectrum, N, P, times, n_nodes, compress, 1e-13
    )
    return theory_terms(spectrum, N, P, t, n_nodes=n_nodes, compress=compress, tol=tol).bias
