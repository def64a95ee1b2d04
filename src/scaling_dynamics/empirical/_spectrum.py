r"""Spectrum and task power of a kernel on data, as the random-feature model sees them.

A kernel :math:`K(x, x') = \sum_k \lambda_k \phi_k(x)\phi_k(x')` with orthonormal
eigenfunctions (:math:`E_x[\phi_k\phi_l] = \delta_{kl}`) is the model's teacher with features
:math:`\psi_k = \sqrt{\lambda_k}\phi_k` (theory.md section 1). On P samples,
:math:`K/P = \sum_k \mu_k u_k u_k^\top` (:math:`u_k` orthonormal in :math:`R^P`) and
:math:`u_k \approx \phi_k(X)/\sqrt P`, so

.. math::
    \lambda_k \approx \mu_k, \qquad
    \lambda_k (w^*_k)^2 \approx c_k^2, \quad c_k = u_k\cdot y/\sqrt P, \qquad
    w^*_k = c_k/\sqrt{\mu_k}.

The task powers sum to the mean squared target, :math:`\sum_k c_k^2 = |y|^2/P = L(0)`
(the loss of the zero predictor), whatever the kernel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import as_float_array, check_int, check_real
from ..scaling._summary import summary_repr
from ..spectra import Spectrum
from ._kernels import KernelMatrix

__all__ = ["MeasuredSpectrum", "measure_spectrum"]


@dataclass(frozen=True, eq=False)
class MeasuredSpectrum:
    r"""Eigenvalues of :math:`K/P` and the target's power on each eigenvector (descending).

    Attributes
    ----------
    eigenvalues : ndarray, shape (M,)
        :math:`\mu_k`, eigenvalues of K/P, descending; only modes above the numerical
        floor (``rtol`` x largest) are kept.
    task_power : ndarray, shape (M,)
        :math:`c_k^2 = (u_k\cdot y)^2/P`, the estimate of :math:`\lambda_k (w^*_k)^2`.
    target_weights : ndarray, shape (M,)
        :math:`w^*_k = c_k/\sqrt{\mu_k}` (signs follow the arbitrary eigenvector signs).
    n_samples : int
        P, the number of samples the kernel was evaluated on.
    residual_power : float
        Task power on the dropped (numerically null) modes: the part of :math:`|y|^2/P`
        the kernel cannot represent.
    label : str
        Description for plots and files.
    info : dict
        How the spectrum was made (data set, model, width...).
    """

    __repr__ = summary_repr

    eigenvalues: np.ndarray
    task_power: np.ndarray
    target_weights: np.ndarray
    n_samples: int
    residual_power: float = 0.0
    label: str = "measured spectrum"
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_modes(self) -> int:
        return int(self.eigenvalues.shape[0])

    @property
    def total_power(self) -> float:
        r""":math:`|y|^2/P`: the sum of the task power over all modes, dropped ones included."""
        return float(np.sum(self.task_power) + self.residual_power)

    @property
    def cumulative_task_power(self) -> np.ndarray:
        r"""Fraction of the target's power in the first k modes, :math:`\sum_{l\le k} c_l^2/\sum_l c_l^2`."""
        return np.cumsum(self.task_power) / self.total_power

    def to_spectrum(
        self,
        *,
        sigma: float = 0.0,
        label: str | None = None,
        extend_to: int | None = None,
        fit: Any = None,
    ) -> Spectrum:
        r"""The measured arrays as a :class:`~scaling_dynamics.Spectrum` (for ``simulate`` and the theory).

        Parameters
        ----------
        sigma : float
            Label noise of the model (0 for deterministic labels). The ``residual_power`` of
            numerically null modes is not included.
        label : str, optional
        extend_to : int, optional
            Replace the modes after the fit range (``fit.modes_used[1]``), whose estimates are
            distorted by the finite number of samples, by the fitted power laws
            :math:`A_b k^{-b}` and :math:`A_a k^{-a}` up to mode ``extend_to``. This is an
            *extrapolation*: it adds task power that P samples cannot see (the spectrum's
            :math:`L(0)` then exceeds :math:`|y|^2/P`).
        fit : ExponentFit
            Required with ``extend_to``.
        """
        sigma = check_real("sigma", sigma, low=0.0)
        lam, w = self.eigenvalues, self.target_weights
        name = self.label if label is None else label
        if extend_to is not None:
            if fit is None:
                raise InvalidParameterError("`fit` (an ExponentFit) is required with `extend_to`.")
            last = int(fit.modes_used[1])
            extend_to = check_int("extend_to", extend_to, low=last + 1)
            k = np.arange(last + 1, extend_to + 1, dtype=np.float64)
            tail_lam = fit.b_amplitude * k ** (-fit.b)
            tail_power = fit.a_amplitude * k ** (-fit.a)
            lam = np.concatenate([lam[:last], tail_lam])
            w = np.concatenate([w[:last], np.sqrt(tail_power / tail_lam)])
            name = f"{name}, power-law tail from mode {last + 1} to {extend_to}"
        return Spectrum.from_arrays(lam, w, sigma=sigma, label=name)

    def save(self, path: str | os.PathLike[str], **extra: Any) -> str:
        """Write an ``.npz`` that :meth:`Spectrum.load` reads (``eigenvalues``, ``target_weights``,
        ``sigma``, ``label``) plus ``task_power``, ``n_samples``, ``residual_power`` and any
        ``extra`` arrays (e.g. the fitted exponents)."""
        path = os.fspath(path)
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        arrays = {k: np.asarray(v) for k, v in extra.items()}
        np.savez(
            path,
            eigenvalues=self.eigenvalues,
            target_weights=self.target_weights,
            sigma=np.float64(0.0),
            label=np.str_(self.label),
            task_power=self.task_power,
            n_samples=np.int64(self.n_samples),
            residual_power=np.float64(self.residual_power),
            **arrays,
        )
        return path


def measure_spectrum(
    kernel: KernelMatrix | Any,
    y: Any,
    *,
    rtol: float = 1e-12,
    label: str | None = None,
    info: dict[str, Any] | None = None,
) -> MeasuredSpectrum:
    r"""Eigenvalues of :math:`K/P` and the task power :math:`c_k^2 = (u_k\cdot y)^2/P`, descending.

    Parameters
    ----------
    kernel : KernelMatrix or array_like, shape (P, P)
        A symmetric positive semi-definite kernel matrix on P samples.
    y : array_like, shape (P,)
        Targets of the same samples.
    rtol : float
        Modes with :math:`\mu_k \le` ``rtol`` :math:`\mu_1` are numerically null and dropped;
        their task power is kept in ``residual_power``.
    label : str, optional
        Description (default: the kernel kind and P).
    info : dict, optional
        Stored with the result.

    Returns
    -------
    MeasuredSpectrum

    Raises
    ------
    InvalidParameterError
        If the matrix is not square and symmetric, has a clearly negative eigenvalue, or
        ``y`` has the wrong length.
    """
    kind = kernel.kind if isinstance(kernel, KernelMatrix) else "kernel"
    K = kernel.matrix if isinstance(kernel, KernelMatrix) else kernel
    K = as_float_array("kernel", K, ndim=2)
    if K.shape[0] != K.shape[1]:
        raise InvalidParameterError(f"`kernel` must be a square matrix; got shape {K.shape}.")
    P = K.shape[0]
    check_int("P", P, low=2)
    y = as_float_array("y", y)
    if y.shape[0] != P:
        raise InvalidParameterError(
            f"`y` must have one target per kernel row ({P}); got {y.shape[0]}."
        )
    rtol = check_real("rtol", rtol, low=0.0, high=1.0, high_open=True)
    scale = float(np.max(np.abs(K)))
    if scale == 0.0:
        raise InvalidParameterError("`kernel` is identically zero; it has no spectrum.")
    asym = float(np.max(np.abs(K - K.T))) / scale
    if asym > 1e-8:
        raise InvalidParameterError(
            f"`kernel` must be symmetric; its largest asymmetry is {asym:.2e} of its largest entry."
        )
    mu, U = np.linalg.eigh(0.5 * (K + K.T) / P)
    mu, U = mu[::-1], U[:, ::-1]
    if mu[-1] < -1e-8 * mu[0]:
        raise InvalidParameterError(
            f"`kernel` must be positive semi-definite; it has the eigenvalue {mu[-1] * P:.3e} "
            f"(largest {mu[0] * P:.3e})."
        )
    coeff = U.T @ y / np.sqrt(P)
    keep = mu > rtol * mu[0]
    power = coeff**2
    residual = float(np.sum(power[~keep]))
    mu, coeff, power = mu[keep], coeff[keep], power[keep]
    for arr in (mu, coeff, power):
        arr.setflags(write=False)
    return MeasuredSpectrum(
        eigenvalues=mu,
        task_power=power,
        target_weights=coeff / np.sqrt(mu),
        n_samples=P,
        residual_power=residual,
        label=label or f"{kind} spectrum, P={P}",
        info=dict(info or {}),
    )
