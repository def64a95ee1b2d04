r"""The compute-optimal frontier predicted by the mean-field theory (gradient flow).

For a spectrum, a number of samples P (``math.inf``: fresh data, the paper's
compute-optimal setting) and budgets :math:`C = N t`, minimises the theory's test
loss :math:`L(N, t = C/N)` over the model size N with
:func:`~scaling_dynamics.scaling.optimize_frontier` and compares the fitted
exponents of :math:`L^*, N^*, t^*` with the closed forms of theory.md section 5
(power-law spectra).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._blas import one_blas_thread
from .._params import size_text
from .._validation import check_size
from ..spectra import Spectrum, check_spectrum
from ._exponents import closed_form_exponents
from ._frontier import Frontier, optimize_frontier

__all__ = ["TheoryLoss", "theory_loss", "compute_optimal_frontier"]


@dataclass(frozen=True, eq=False)
class TheoryLoss:
    r"""The theory's test loss as a callable ``loss(N, times)``, in data units if scaled.

    .. math:: L(N, t) = E + s_L\, L_{\text{theory}}\bigl(\operatorname{round}(s_N N),\,
              s_t t;\ P\bigr)

    with :func:`scaling_dynamics.theory.predict` (gradient flow, excess test loss, an
    ensemble of ``ensemble`` models). The theory takes whole model sizes, so
    :math:`s_N N` is rounded (at least 1). With the default scales it is the theory itself.
    """

    spectrum: Spectrum
    P: float = math.inf
    ensemble: int = 1
    model_scale: float = 1.0
    time_scale: float = 1.0
    loss_scale: float = 1.0
    floor: float = 0.0
    predict_options: dict[str, Any] = field(default_factory=dict)

    @property
    def time_window(self) -> float:
        """Times within this factor of a window's first share its contour: one call at N
        costs as much for all of them as for one (the frontier adds its other budgets')."""
        from ..theory._inversion import WINDOW_RATIO

        return WINDOW_RATIO

    def __call__(self, N: float, times: Any) -> np.ndarray:
        from ..theory import predict

        n = max(1, int(round(N * self.model_scale)))
        t = np.asarray(times, dtype=np.float64) * self.time_scale
        curves = predict(self.spectrum, n, self.P, t, ensemble=self.ensemble,
                         **self.predict_options)
        return self.floor + self.loss_scale * curves.test_loss


def theory_loss(spectrum: Spectrum, P: int | float = math.inf, *, ensemble: int = 1,
                **predict_options: Any) -> TheoryLoss:
    r"""The theory's test loss ``loss(N, times)`` for :func:`optimize_frontier` (N rounded)."""
    P = check_size("P", P)
    return TheoryLoss(spectrum, P, ensemble, predict_options=dict(predict_options))


@one_blas_thread
def compute_optimal_frontier(
    spectrum: Spectrum,
    compute: Any,
    *,
    P: int | float = math.inf,
    ensemble: int = 1,
    model_size_range: tuple[float, float] | None = None,
    min_steps: float = 1.0,
    n_grid: int = 17,
    xatol: float = 2e-3,
    progress: bool | None = None,
    iso_compute: bool = False,
    **predict_options: Any,
) -> Frontier:
    r"""Compute-optimal :math:`N^*, t^*, L^*` of gradient flow from the mean-field theory.

    .. math:: N^*(C) = \operatorname*{arg\,min}_N L_{\text{theory}}(N, t = C/N; P),\qquad
              t^* = C/N^*,\qquad L^* = L(N^*, t^*)

    Parameters
    ----------
    spectrum : Spectrum
        Teacher spectrum (``M`` may be ``math.inf`` for a power law). The test loss is
        the excess over the noise floor, so its exponent is fitted to :math:`L^*` itself.
    compute : array_like
        Budgets :math:`C = N t` (positive).
    P : int or math.inf
        Number of training samples (``inf``: population gradient, the setting of the
        closed forms).
    ensemble : int
        Models averaged (each of size N, so the compute of one is :math:`N t`).
    model_size_range : (float, float), optional
        Sizes searched (default ``(1, max(C)/min_steps)``).
    min_steps : float
        Smallest training time allowed.
    n_grid : int
        Sizes in the log grid the smallest budget walks up to reach the frontier.
    xatol : float
        Tolerance on :math:`\log N` of the search (the lattice's spacing is ``100 xatol``
        within [0.05, 0.25]; a degree-6 polynomial places the minimum; :func:`optimize_frontier`).
    progress : bool or None
        Progress bar on stderr.
    iso_compute : bool
        Also evaluate the whole iso-compute curves on the ``n_grid`` grid (for a plot;
        :func:`optimize_frontier`).
    **predict_options
        Passed to :func:`scaling_dynamics.theory.predict` (``n_nodes``, ``compress``, ``tol``).

    Returns
    -------
    Frontier
        With ``expected`` (closed forms) and ``exponent_errors`` for power-law spectra.

    Examples
    --------
    >>> from scaling_dynamics import Spectrum
    >>> s = Spectrum.power_law(1.5, 1.25, M=float("inf"))
    >>> fr = compute_optimal_frontier(s, [1e6, 1e8], n_grid=7)
    >>> abs(fr.exponent_errors["compute_params"]) < 0.02  # closed form 4/9
    True
    """
    spectrum = check_spectrum(spectrum)
    P = check_size("P", P)
    expected = closed_form_exponents(spectrum.a, spectrum.b) if spectrum.is_power_law else None
    params = {
        "label": f"{spectrum.label}, P={size_text(P)}",
        "spectrum": spectrum.label,
        "a": spectrum.a,
        "b": spectrum.b,
        "M": spectrum.M,
        "sigma": spectrum.sigma,
        "P": P,
        "ensemble": ensemble,
        "optimizer": "gf",
        "source": "theory",
    }
    return optimize_frontier(
        theory_loss(spectrum, P, ensemble=ensemble, **predict_options),
        compute,
        model_size_range=model_size_range,
        min_steps=min_steps,
        n_grid=n_grid,
        xatol=xatol,
        integer_sizes=True,
        expected=expected,
        params=params,
        progress=progress,
        iso_compute=iso_compute,
    )
