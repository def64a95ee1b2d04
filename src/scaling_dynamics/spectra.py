r"""Spectra of the teacher: feature variances :math:`\lambda_k`, target weights :math:`w^*_k`, noise.

The random-feature model (``docs/conventions.md``, theory.md section 1) is fixed
by :math:`M` base features with variances :math:`\lambda_1 \ge \lambda_2 \ge \dots`,
target weights :math:`w^*_k` and label noise :math:`\sigma`. The *task power* of
mode :math:`k` is :math:`\lambda_k (w^*_k)^2`; the loss at initialisation is
:math:`L(0) = \sum_k \lambda_k (w^*_k)^2`.

The power-law family of the paper is

.. math::  \lambda_k = k^{-b}, \qquad \lambda_k (w^*_k)^2 = k^{-a}
           \quad\Longrightarrow\quad w^*_k = k^{-(a-b)/2}, \qquad a > 1,\ b > 1,

for :math:`k = 1, \dots, M`; :math:`M` may be infinite (``math.inf``), in which
case only the theory (which compresses the mode sums) can use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ._errors import InvalidParameterError
from ._validation import as_float_array, check_real, check_size, open_npz

__all__ = ["Spectrum", "MAX_MATERIALISED_MODES", "check_spectrum"]

#: Largest number of modes whose arrays are built in memory (8 bytes x 2 arrays each).
MAX_MATERIALISED_MODES = 50_000_000
#: Power laws with more modes get L(0) from Hurwitz zeta values (no arrays, ~1e-15 relative).
_ZETA_ABOVE = 100_000


@dataclass(frozen=True, eq=False)
class Spectrum:
    r"""The teacher's spectrum: :math:`\lambda_k`, :math:`w^*_k` (k = 1..M) and noise :math:`\sigma`.

    Build one with :meth:`power_law` or :meth:`from_arrays`; do not call the
    constructor directly.

    Attributes
    ----------
    M : int or float
        Number of modes (``math.inf`` for an infinite power law).
    sigma : float
        Standard deviation of the label noise, :math:`y = \psi\cdot w^* + \sigma\epsilon`.
    a, b : float or None
        Power-law exponents when the spectrum is a power law, else ``None``.
    label : str
        A short human description, used in plots and reports.

    Examples
    --------
    >>> s = Spectrum.power_law(a=1.5, b=1.25, M=1000)
    >>> round(float(s.initial_loss), 4)
    2.5491
    >>> s.eigenvalues[:3]
    array([1.        , 0.42044821, 0.25327856])
    """

    M: float | int
    sigma: float = 0.0
    a: float | None = None
    b: float | None = None
    label: str = ""
    _eigenvalues: np.ndarray | None = field(default=None, repr=False)
    _target_weights: np.ndarray | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def power_law(cls, a: float, b: float, M: int | float, sigma: float = 0.0) -> Spectrum:
        r"""Power law :math:`\lambda_k = k^{-b}`, task power :math:`\lambda_k (w^*_k)^2 = k^{-a}`.

        Parameters
        ----------
        a : float
            Task-power exponent, ``a > 1`` (so that :math:`L(0)` is finite as M grows).
        b : float
            Eigenvalue decay exponent, ``b > 1`` (trace-class kernel).
        M : int or math.inf
            Number of modes, ``M >= 1``; ``math.inf`` for the infinite spectrum.
        sigma : float, optional
            Label-noise standard deviation, ``sigma >= 0``.
        """
        a = check_real("a", a, low=1.0, low_open=True)
        b = check_real("b", b, low=1.0, low_open=True)
        M = check_size("M", M, allow_inf=True)
        sigma = check_real("sigma", sigma, low=0.0)
        m_text = "inf" if math.isinf(M) else str(M)
        return cls(M=M, sigma=sigma, a=a, b=b, label=f"power law a={a:g}, b={b:g}, M={m_text}")

    @classmethod
    def from_arrays(
        cls,
        eigenvalues: Any,
        target_weights: Any,
        sigma: float = 0.0,
        label: str = "measured spectrum",
    ) -> Spectrum:
        r"""A spectrum given mode by mode, e.g. one measured from a network's kernel.

        Parameters
        ----------
        eigenvalues : array_like, shape (M,)
            Feature variances :math:`\lambda_k`, all positive and finite.
        target_weights : array_like, shape (M,)
            Target weights :math:`w^*_k` (finite; not all zero). The task power of
            mode k is ``eigenvalues[k] * target_weights[k]**2``.
        sigma : float, optional
            Label-noise standard deviation, ``sigma >= 0``.

        Notes
        -----
        Modes are sorted by decreasing eigenvalue (the model does not depend on
        their order, and plots and fits expect it).
        """
        lam = as_float_array("eigenvalues", eigenvalues, positive=True)
        w = as_float_array("target_weights", target_weights)
        if lam.shape != w.shape:
            raise InvalidParameterError(
                "`eigenvalues` and `target_weights` must have the same length; "
                f"got {lam.shape[0]} and {w.shape[0]}."
            )
        if not np.any(w != 0):
            raise InvalidParameterError(
                "`target_weights` must not be all zero (the task would have nothing to learn)."
            )
        sigma = check_real("sigma", sigma, low=0.0)
        order = np.argsort(-lam, kind="stable")
        lam, w = lam[order], w[order]
        lam.setflags(write=False)
        w.setflags(write=False)
        return cls(
            M=int(lam.shape[0]),
            sigma=sigma,
            label=str(label),
            _eigenvalues=lam,
            _target_weights=w,
        )

    # ------------------------------------------------------------------ arrays
    @property
    def is_power_law(self) -> bool:
        return self.a is not None

    @property
    def is_finite(self) -> bool:
        return not math.isinf(self.M)

    def _require_arrays(self, what: str) -> None:
        if not self.is_finite:
            raise InvalidParameterError(
                f"an infinite spectrum (M = inf) has no {what} array; choose a finite M "
                "(the simulator needs one) or use the theory, which handles M = inf."
            )
        if self.M > MAX_MATERIALISED_MODES:
            raise InvalidParameterError(
                f"`M` = {self.M} is too many modes to hold as arrays "
                f"(at most {MAX_MATERIALISED_MODES}); the theory handles larger M by compression."
            )

    @cached_property
    def eigenvalues(self) -> np.ndarray:
        r"""Feature variances :math:`\lambda_k`, shape (M,), descending (read-only)."""
        if self._eigenvalues is not None:
            return self._eigenvalues
        self._require_arrays("eigenvalue")
        k = np.arange(1, int(self.M) + 1, dtype=np.float64)
        lam = k ** (-self.b)
        lam.setflags(write=False)
        return lam

    @cached_property
    def target_weights(self) -> np.ndarray:
        r"""Target weights :math:`w^*_k`, shape (M,) (read-only)."""
        if self._target_weights is not None:
            return self._target_weights
        self._require_arrays("target-weight")
        k = np.arange(1, int(self.M) + 1, dtype=np.float64)
        w = k ** (-(self.a - self.b) / 2.0)
        w.setflags(write=False)
        return w

    @property
    def task_power(self) -> np.ndarray:
        r""":math:`\lambda_k (w^*_k)^2`, shape (M,)."""
        return self.eigenvalues * self.target_weights**2

    @property
    def initial_loss(self) -> float:
        r"""Test loss at :math:`t = 0`: :math:`\sum_k \lambda_k (w^*_k)^2` (excess over noise).

        For an infinite power law this is :math:`\zeta(a)`.
        """
        if self.is_power_law and (not self.is_finite or self.M > _ZETA_ABOVE):
            from ._special import hurwitz_zeta  # sum_{k=1}^M k^-a without arrays or scipy

            tail = 0.0 if not self.is_finite else hurwitz_zeta(self.a, self.M + 1.0)
            return hurwitz_zeta(self.a) - tail
        return float(np.sum(self.task_power))

    def with_sigma(self, sigma: float) -> Spectrum:
        """The same spectrum with another label-noise level."""
        sigma = check_real("sigma", sigma, low=0.0)
        return Spectrum(
            M=self.M,
            sigma=sigma,
            a=self.a,
            b=self.b,
            label=self.label,
            _eigenvalues=self._eigenvalues,
            _target_weights=self._target_weights,
        )

    # ------------------------------------------------------------------ persistence
    def to_dict(self, *, include_arrays: bool = False) -> dict[str, Any]:
        """Parameters as plain JSON-ready values (arrays only for measured spectra, or on request)."""
        d: dict[str, Any] = {
            "M": "inf" if not self.is_finite else int(self.M),
            "sigma": self.sigma,
            "label": self.label,
        }
        if self.is_power_law:
            d["a"] = self.a
            d["b"] = self.b
        if not self.is_power_law or include_arrays:
            d["eigenvalues"] = self.eigenvalues.tolist()
            d["target_weights"] = self.target_weights.tolist()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Spectrum:
        """Inverse of :meth:`to_dict`."""
        if d.get("a") is not None:
            M = math.inf if d["M"] == "inf" else d["M"]
            return cls.power_law(d["a"], d["b"], M, d.get("sigma", 0.0))
        return cls.from_arrays(
            d["eigenvalues"],
            d["target_weights"],
            d.get("sigma", 0.0),
            label=d.get("label", "measured spectrum"),
        )

    def save(self, path: str) -> None:
        """Write the spectrum to ``path`` (``.npz``: arrays ``eigenvalues``, ``target_weights``, ``sigma``)."""
        np.savez(
            path,
            eigenvalues=self.eigenvalues,
            target_weights=self.target_weights,
            sigma=np.float64(self.sigma),
            label=np.str_(self.label),
        )

    @classmethod
    def load(cls, path: str) -> Spectrum:
        """Read a spectrum written by :meth:`save` (or any ``.npz`` with those arrays)."""
        hint = (
            "write one with Spectrum.save or `scaling-dynamics spectrum --out DIR` "
            "(spectrum.npz), or numpy.savez(path, eigenvalues=..., target_weights=...)."
        )
        with open_npz(path, "spectrum file", hint) as f:
            keys = set(f.files)
            missing = {"eigenvalues", "target_weights"} - keys
            if missing:
                raise InvalidParameterError(
                    f"spectrum file {path!r} lacks the array(s) {sorted(missing)}; "
                    "it needs `eigenvalues` and `target_weights` (and optionally `sigma`)."
                )
            sigma = _scalar_sigma(f["sigma"], path) if "sigma" in keys else 0.0
            label = str(f["label"]) if "label" in keys else f"spectrum from {path}"
            return cls.from_arrays(f["eigenvalues"], f["target_weights"], sigma, label=label)


def _scalar_sigma(value: Any, path: str) -> float:
    """The ``sigma`` array of a spectrum file: one real number."""
    arr = np.asarray(value)
    if arr.ndim != 0 or not (np.issubdtype(arr.dtype, np.integer)
                             or np.issubdtype(arr.dtype, np.floating)):
        raise InvalidParameterError(
            f"`sigma` in spectrum file {path!r} must be one real number (a 0-d array); got "
            f"{arr.dtype} of shape {arr.shape}."
        )
    return float(arr)


def check_spectrum(spectrum: Any) -> Spectrum:
    """``spectrum`` itself if it is a :class:`Spectrum`; otherwise a message saying how to make one."""
    if not isinstance(spectrum, Spectrum):
        raise InvalidParameterError(
            "`spectrum` must be a Spectrum (Spectrum.power_law or Spectrum.from_arrays); "
            f"got {type(spectrum).__name__}."
        )
    return spectrum
