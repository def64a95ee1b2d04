r"""Mode sums of the mean-field theory, exact or compressed.

Every quantity of the theory (theory.md section 2) is a sum over the teacher's
modes of one of two kinds,

.. math::  \sum_{k=1}^{M} f(\lambda_k) \qquad\text{or}\qquad
           \sum_{k=1}^{M} (w^*_k)^2 f(\lambda_k),

with ``f`` a smooth function of :math:`\lambda` (a product of powers of
:math:`\lambda` and transfer functions :math:`H_k(z) = 1/(z + \lambda_k\rho)`).
A :class:`ModeSet` replaces both sums by weighted sums over a set of nodes
:math:`\lambda_j`,

.. math::  \sum_k f(\lambda_k) \approx \sum_j c_j f(\lambda_j), \qquad
           \sum_k (w^*_k)^2 f(\lambda_k) \approx \sum_j d_j f(\lambda_j),

so that every one-point sum is a matrix-vector product and every two-point sum
:math:`\sum_k g_k H_k(z) H_k(z')` over sets of nodes ``z``, ``z'`` is one matrix
product (GEMM) of the per-node transfer values.

``exact``
    The nodes are the eigenvalues themselves (``c_j`` = multiplicity,
    ``d_j`` = sum of :math:`(w^*)^2` over equal eigenvalues).
``power-law compression`` (M huge or infinite, power-law spectra only)
    Writing the summand as a smooth function :math:`F(x)` of a continuous mode
    index ``x`` (:math:`\lambda = x^{-b}`, :math:`(w^*)^2 = x^{-(a-b)}`):

    * modes ``1 .. K0-1`` are kept exactly;
    * modes ``K0 .. K1`` by the midpoint Euler-Maclaurin formula
      :math:`\sum_{k=K_0}^{K_1} F(k) = \int_{K_0-1/2}^{K_1+1/2} F\,dx
      - \tfrac{1}{24}[F']_{K_0-1/2}^{K_1+1/2} + \tfrac{7}{5760}[F''']_{K_0-1/2}^{K_1+1/2} - \dots`,
      the integral by composite Gauss-Legendre quadrature in :math:`\log x`
      (``nodes_per_decade`` nodes per decade of modes) and the end-point derivatives
      by four-point finite differences (function values at four extra nodes);
    * modes ``K1+1 .. M`` (the tail, where :math:`\lambda \le \lambda_T` is far below
      every relevant scale :math:`|z/\rho|`) by an interpolatory rule on
      :math:`[0, \lambda_T]` whose moments are exact Hurwitz zeta values,
      :math:`\sum_{k>K_1}^{M} \lambda_k^{1+m} (w^*_k)^{2e} = \zeta(s, K_1+1) - \zeta(s, M+1)`
      with :math:`s = b(1+m) + e(a-b)`.

    ``K1`` is chosen from ``min_scale`` (the smallest :math:`|z/\rho|` the sums will
    meet) so that :math:`\lambda_T \le 10^{-2}\,` ``min_scale``; a function whose
    singularities lie at distance :math:`\ge 100\lambda_T` is then integrated by the
    six-node tail rule to about :math:`10^{-12}` relative accuracy. A few hundred
    nodes replace :math:`10^7` or infinitely many modes; measured accuracy is in
    ``benchmarks/results/theory_compression.md`` (better than :math:`10^{-6}` relative
    on the loss curves).

References
----------
Bordelon, Atanasov & Pehlevan, "A Dynamical Model of Neural Scaling Laws",
ICML 2024, arXiv:2402.01092 (theory.md section 3 of the shared notes).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .._errors import InvalidParameterError
from ..spectra import Spectrum
from ._problem import COMPRESS_OPTIONS, check_compress

__all__ = ["ModeSet", "mode_set", "COMPRESS_OPTIONS", "AUTO_COMPRESS_ABOVE"]

#: ``compress`` values accepted by the public entry points.
#: With ``compress="auto"`` a power law is compressed when it has more modes than this.
AUTO_COMPRESS_ABOVE = 2048
#: Exact mode sums are refused beyond this many distinct eigenvalues (memory and time).
MAX_EXACT_MODES = 2_000_000

_HEAD = 64  # modes kept exactly before the Euler-Maclaurin part (K0)
_NODES_PER_PANEL = 16  # Gauss-Legendre nodes per panel in log x
_PANELS_PER_DECADE = 3
_TAIL_NODES = 6  # interpolatory nodes of the zeta tail rule
_TAIL_RATIO = 1e-2  # lambda_T <= _TAIL_RATIO * min_scale
_DEFAULT_K1 = 1e15  # K1 when no scale is given (min_scale = 0)
#: Largest K1: lambda_T = 1e-30^b resolves gradient-flow times up to ~1e28 at any b > 1.
_MAX_K1 = 1e30
#: Above this K1 the upper Euler-Maclaurin correction (relative size < 1/K1^2 of the sum)
#: is dropped: the half-integer nodes K1 + 1/2 +- 3/2 are not representable in float64.
_EM_END_MAX = 2.0**50


@dataclass(frozen=True, eq=False)
class ModeSet:
    r"""Nodes and weights that stand for the teacher's modes in every sum.

    Attributes
    ----------
    eigenvalues : ndarray, shape (n_nodes,)
        Node eigenvalues :math:`\lambda_j > 0`.
    weights : ndarray, shape (n_nodes,)
        :math:`c_j`: :math:`\sum_k f(\lambda_k) \approx \sum_j c_j f(\lambda_j)` for every
        ``f`` that vanishes at least like :math:`\lambda` as :math:`\lambda \to 0`
        (all sums of the theory do).
    task_weights : ndarray, shape (n_nodes,)
        :math:`d_j`: :math:`\sum_k (w^*_k)^2 f(\lambda_k) \approx \sum_j d_j f(\lambda_j)`.
    trace : float
        :math:`\sum_k \lambda_k`, exact.
    initial_loss : float
        :math:`\sum_k \lambda_k (w^*_k)^2`, exact.
    n_modes : int or float
        Number of teacher modes M (``math.inf`` allowed).
    method : {"exact", "power-law compression"}
    tail_eigenvalue : float
        Largest eigenvalue handled by the tail rule (0 when there is no tail); the
        rule is accurate for functions regular within :math:`|\lambda| < 100\lambda_T`.
    min_scale : float
        The scale the set was built for (``inf`` for exact sets).
    """

    eigenvalues: np.ndarray
    weights: np.ndarray
    task_weights: np.ndarray
    trace: float
    initial_loss: float
    n_modes: float | int
    method: str
    tail_eigenvalue: float = 0.0
    min_scale: float = math.inf

    @property
    def n_nodes(self) -> int:
        return int(self.eigenvalues.size)

    @property
    def max_eigenvalue(self) -> float:
        return float(self.eigenvalues.max())

    def sum(self, values: np.ndarray, *, task: bool = False) -> np.ndarray:
        """Weighted sum over the last axis of ``values`` (shape (..., n_nodes))."""
        w = self.task_weights if task else self.weights
        return values @ w

    def valid_for(self, scale: float) -> bool:
        """Whether sums of functions singular at :math:`|\\lambda| \\ge` ``scale`` are accurate."""
        return self.tail_eigenvalue <= _TAIL_RATIO * 1.5 * scale


def _exact_set(spectrum: Spectrum) -> ModeSet:
    lam = np.asarray(spectrum.eigenvalues, dtype=np.float64)
    w2 = np.asarray(spectrum.target_weights, dtype=np.float64) ** 2
    uniq, inverse, counts = np.unique(lam, return_inverse=True, return_counts=True)
    if uniq.size > MAX_EXACT_MODES:
        raise InvalidParameterError(
            f"the spectrum has {uniq.size} distinct eigenvalues; exact mode sums are limited to "
            f"{MAX_EXACT_MODES} (use a power law with compress='on' for huge spectra)."
        )
    task = np.bincount(inverse, weights=w2, minlength=uniq.size)
    order = np.argsort(-uniq, kind="stable")
    return ModeSet(
        eigenvalues=uniq[order],
        weights=counts[order].astype(np.float64),
        task_weights=task[order],
        trace=float(lam.sum()),
        initial_loss=float(np.sum(lam * w2)),
        n_modes=int(lam.size),
        method="exact",
    )


def _hurwitz_range(s: float, lo: float, hi: float) -> float:
    r""":math:`\sum_{k=lo}^{hi} k^{-s}` for integers ``lo <= hi`` (``hi`` may be inf), by Hurwitz zeta."""
    from .._special import hurwitz_zeta as zeta

    total = float(zeta(s, lo))
    if math.isfinite(hi):
        total -= float(zeta(s, hi + 1.0))
    return total


def _power_law_set(a: float, b: float, M: float, min_scale: float) -> ModeSet:
    """Compressed nodes of :math:`\\lambda_k = k^{-b}`, :math:`\\lambda_k (w^*_k)^2 = k^{-a}`, modes 1..M.

    Exact head, Gauss-Legendre integral with Euler-Maclaurin end corrections up to ``K1``
    (:func:`_body_rule`), interpolatory tail with exact moments (:func:`_tail_rule`).
    """
    # K1: last mode of the Euler-Maclaurin part; lambda(K1+1) <= ratio * min_scale.
    if math.isfinite(min_scale) and min_scale > 0:
        k_tail = (_TAIL_RATIO * min_scale) ** (-1.0 / b)
    else:
        k_tail = _DEFAULT_K1
    # rounded up to a power of two: a longer body only adds accuracy, and the sets of
    # nearby scales are then one set, built once (a frontier asks for 130 scales)
    K1 = float(min(2.0 ** math.ceil(math.log2(max(k_tail, 4 * _HEAD))), _MAX_K1))
    if math.isfinite(M) and K1 >= M:
        K1 = float(M)
    lam, weights, task, tail_lam = _power_law_nodes(a, b, M, K1)
    return ModeSet(
        eigenvalues=lam,
        weights=weights,
        task_weights=task,
        trace=_hurwitz_range(b, 1.0, M),
        initial_loss=_hurwitz_range(a, 1.0, M),
        n_modes=M,
        method="power-law compression",
        tail_eigenvalue=tail_lam,
        min_scale=float(min_scale),
    )


@functools.lru_cache(maxsize=64)
def _power_law_nodes(a: float, b: float, M: float, K1: float,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Nodes, count and task weights and lambda_T of the set with body end ``K1`` (read-only)."""
    e_exp = a - b  # (w*)^2 = x^{-(a-b)}
    x_all, c_all = _body_rule(_HEAD, K1)
    lam = x_all ** (-b)
    weights = c_all.copy()
    task = c_all * x_all ** (-e_exp)
    tail_lam = 0.0
    if not (math.isfinite(M) and K1 >= M):
        tail_lam, t_lam, t_weights, t_task = _tail_rule(b, e_exp, K1 + 1.0, M)
        lam = np.concatenate([lam, t_lam])
        weights = np.concatenate([weights, t_weights])
        task = np.concatenate([task, t_task])
    for arr in (lam, weights, task):
        arr.setflags(write=False)
    return lam, weights, task, tail_lam


@functools.lru_cache(maxsize=4)
def _gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [-1, 1], computed once per ``n`` (read-only).

    numpy's ``leggauss`` solves an eigenproblem each time (~0.1 ms, a tenth of a cheap
    theory call, which builds a compressed set every time).
    """
    x, w = np.polynomial.legendre.leggauss(n)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def _body_rule(K0: int, K1: float) -> tuple[np.ndarray, np.ndarray]:
    """Points x and weights of F for :math:`\\sum_{k=1}^{K_1} F(k)`: head, integral, end corrections."""

    xs: list[np.ndarray] = []
    cs: list[np.ndarray] = []  # weights of F (count and task parts are derived by the caller)

    # 1. exact head: modes 1 .. K0-1
    head = np.arange(1, K0, dtype=np.float64)
    xs.append(head)
    cs.append(np.ones_like(head))
    # 2. integral of F over [K0 - 1/2, K1 + 1/2] in u = log x, composite Gauss-Legendre
    u0, u1 = math.log(K0 - 0.5), math.log(K1 + 0.5)
    decades = (u1 - u0) / math.log(10.0)
    n_panels = max(1, math.ceil(decades * _PANELS_PER_DECADE))
    gx, gw = _gauss_legendre(_NODES_PER_PANEL)
    edges = np.linspace(u0, u1, n_panels + 1)
    half = 0.5 * np.diff(edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    u = (mid[:, None] + half[:, None] * gx[None, :]).ravel()
    wu = (half[:, None] * gw[None, :]).ravel()
    x_int = np.exp(u)
    xs.append(x_int)
    cs.append(wu * x_int)  # dx = x du
    # 3. Euler-Maclaurin end corrections with four-point differences at the half-integers
    d1 = np.array([1.0, -27.0, 27.0, -1.0]) / 24.0  # F'(m)   from F(m-3/2), F(m-1/2), F(m+1/2), F(m+3/2)
    d3 = np.array([-1.0, 3.0, -3.0, 1.0])  # F'''(m)
    offsets = np.array([-1.5, -0.5, 0.5, 1.5])
    ends = ((K0 - 0.5, -1.0), (K1 + 0.5, 1.0)) if K1 <= _EM_END_MAX else ((K0 - 0.5, -1.0),)
    for m, sign in ends:
        # sum = integral - sign-aware [ F'/24 - 7 F'''/5760 ]_{a}^{b}
        xs.append(m + offsets)
        cs.append(-sign * (d1 / 24.0 - 7.0 * d3 / 5760.0))
    return np.concatenate(xs), np.concatenate(cs)


def _tail_rule(b: float, e_exp: float, lo: float, M: float,
               ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Tail modes lo..M by an interpolatory rule with exact (Hurwitz zeta) moments.

    Returns (lambda_T = lo^-b, eigenvalue nodes, count weights, task weights): the first
    ``_TAIL_NODES`` nodes carry the count measure, the next the task measure.
    """
    tail_lam = float(lo ** (-b))
    n = _TAIL_NODES
    nodes01 = 0.5 * (1.0 - np.cos((2.0 * np.arange(n) + 1.0) * math.pi / (2.0 * n)))
    vander = nodes01[None, :] ** np.arange(n)[:, None]  # (moment j, node i)
    tail_x, tail_c, tail_d = [], [], []
    for e, target in ((0, tail_c), (1, tail_d)):
        # moments of nu_e = sum_k lambda_k (w*_k)^{2e} delta(lambda/lambda_T - .)
        mom = np.array(
            [
                tail_lam ** (-j) * _hurwitz_range(b * (1 + j) + e * e_exp, lo, M)
                for j in range(n)
            ]
        )
        W = np.linalg.solve(vander, mom)
        lam_nodes = nodes01 * tail_lam
        tail_x.append(lam_nodes)
        target.append(W / lam_nodes)  # sum lambda^p F = sum W lambda^{p-1} F
    lam = np.concatenate([tail_x[0], tail_x[1]])
    weights = np.concatenate([tail_c[0], np.zeros(n)])
    task = np.concatenate([np.zeros(n), tail_d[0]])
    return tail_lam, lam, weights, task


def will_compress(spectrum: Spectrum, compress: str) -> bool:
    """Whether :func:`mode_set` compresses ``spectrum`` under option ``compress``."""
    use = spectrum.is_power_law and (
        compress == "on"
        or (compress == "auto" and (not spectrum.is_finite or spectrum.M > AUTO_COMPRESS_ABOVE))
    )
    return bool(use and spectrum.M > 4 * _HEAD)


def expected_nodes(spectrum: Spectrum, compress: str) -> int:
    """About how many nodes :func:`mode_set` will use (for choosing BLAS threads)."""
    if will_compress(spectrum, compress) or not spectrum.is_finite:
        return 500  # (an infinite M with compress="off" is refused by mode_set)
    return int(spectrum.M)


def mode_set(spectrum: Spectrum, *, min_scale: float = 0.0, compress: str = "auto") -> ModeSet:
    r"""The nodes and weights that represent ``spectrum`` in the theory's sums.

    Parameters
    ----------
    spectrum : Spectrum
        The teacher spectrum (``M`` may be ``math.inf`` for a power law).
    min_scale : float
        Smallest :math:`|z/\rho(z)|` the sums will be evaluated at (a compressed set
        is accurate for functions of :math:`\lambda` whose singularities lie at
        distance ``>= min_scale``); ignored by exact sets. ``0`` builds a set with
        ``K1`` = 1e15; a positive scale may push ``K1`` up to 1e30 (then check
        :meth:`ModeSet.valid_for`).
    compress : {"auto", "on", "off"}
        ``"auto"`` compresses power laws with more than 2048 modes (and M = inf);
        ``"on"`` compresses any power law; ``"off"`` sums mode by mode (finite M only).

    Returns
    -------
    ModeSet
    """
    compress = check_compress(compress)
    infinite = not spectrum.is_finite
    if compress == "off" and infinite:
        raise InvalidParameterError(
            "`compress` 'off' needs a finite M; an infinite spectrum (M = inf) can only be "
            "summed with compression (compress='auto' or 'on')."
        )
    if compress == "on" and not spectrum.is_power_law:
        raise InvalidParameterError(
            "`compress` 'on' is available for power-law spectra only (Spectrum.power_law); "
            "a measured spectrum is summed mode by mode (compress='auto' or 'off')."
        )
    if will_compress(spectrum, compress):
        return _power_law_set(float(spectrum.a), float(spectrum.b), spectrum.M, float(min_scale))
    return _exact_set(spectrum)
