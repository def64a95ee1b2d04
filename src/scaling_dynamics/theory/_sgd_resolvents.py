r"""One-point resolvents of the SGD generating function, :math:`P = \infty` (see :mod:`._sgd`).

:math:`R_3(z)` at the two roots :math:`z = -\mu_{a,b}` of :math:`p(\mu) = y` (complex points by
the batched Newton of :mod:`._responses`, real points left of the spectrum by the real-axis
Newton of :mod:`._edge`), then :math:`h_0(z) = \sum_k\lambda_k (w^*_k)^2 H_k` and
:math:`g_1(z) = -R_3\operatorname{tr}\Lambda + R_3^2\sum_k\lambda_k^2 H_k`, and from them

.. math::  J_0 = -\frac{h_0(-\mu_a) - h_0(-\mu_b)}{c\eta^2(\mu_a - \mu_b)}, \qquad
           J_1 = -\frac{g_1(-\mu_a) - g_1(-\mu_b)}{c\eta^2(\mu_a - \mu_b)}, \qquad
           \sum_t L_t x^t = \frac{y J_0 + a J_1\sigma^2/(1-x)}{1 - a J_1}.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._errors import ConvergenceError
from ._edge import real_responses
from ._modesums import ModeSet
from ._real_branch import fold_edge, real_branch_responses
from ._responses import rdot, solve_on_modes

__all__ = ["real_R3", "sgd_generating_function"]


def _responses_R3(
    ms: ModeSet, N: float, z: np.ndarray, left: tuple[float, float] | None, tol: float,
    guess: np.ndarray | None = None,
) -> np.ndarray:
    """:math:`R_3(z)` with :math:`P = \\infty` at every ``z`` (real points left of the spectrum too).

    Complex points use the batched Newton solver of :mod:`._responses`, started from
    ``guess`` (e.g. the solution at the previous step's nodes) where given, else from the
    real solution left of the spectrum for points there and from 1 elsewhere; real negative
    points, which that solver refuses, use the real-axis Newton of :mod:`._edge`.
    """
    z = np.asarray(z, dtype=np.complex128)
    shape = z.shape
    z = z.ravel()
    R3 = np.ones(z.size, dtype=np.complex128)
    if math.isinf(N) or z.size == 0:
        return R3.reshape(shape)
    real_left = (z.imag == 0.0) & (z.real < 0.0)
    cplx = np.flatnonzero(~real_left)
    if cplx.size:
        zc = z[cplx]
        g = np.ones(zc.size, dtype=np.complex128)
        if guess is not None:
            g = np.asarray(guess, dtype=np.complex128).ravel()[cplx]
        elif left is not None:
            # points left of the spectrum start from the real solution there
            g = np.where(zc.real < -left[0], left[1], 1.0).astype(np.complex128)
        r = solve_on_modes(ms, N, math.inf, zc, tol=tol, guess=(np.ones_like(g), g))
        R3[cplx] = r.R3
    for i in np.flatnonzero(real_left):
        R3[i] = real_R3(ms, N, -float(z[i].real), None if left is None else left[1])
    return R3.reshape(shape)


def real_R3(ms: ModeSet, N: float, u: float, guess: float | None) -> float:
    """Real :math:`R_3(-u)` left of the spectrum (:math:`P = \\infty`).

    The explicit real branch of :mod:`._real_branch` (root of :math:`u(x) = u` above the
    fold); continuation from large ``u`` by Newton where that branch has no fold.
    """
    fold = fold_edge(ms, N, math.inf)
    if fold is not None:
        if u <= fold[0]:
            raise ConvergenceError(
                f"no real response at z = {-u:.6g}: the point is not left of the spectrum "
                f"(edge {fold[0]:.6g}; the step is beyond the stability limit)."
            )
        return real_branch_responses(ms, N, math.inf, u, fold[1])[1]
    return _real_R3_newton(ms, N, u, guess)


def _real_R3_newton(ms: ModeSet, N: float, u: float, guess: float | None) -> float:
    """Real :math:`R_3(-u)` by Newton, by continuation from large ``u`` if needed."""
    if guess is not None:
        sol = real_responses(ms, N, math.inf, u, (1.0, guess))
        if sol is not None:
            return sol[1]
    top = 4.0 * (ms.max_eigenvalue + 4.0 * ms.trace / N) + 2.0 * u
    g = (1.0, 1.0)
    steps = max(2, int(math.ceil(math.log(top / u) / math.log(1.25))))
    for v in np.geomspace(top, u, steps):
        sol = real_responses(ms, N, math.inf, float(v), g)
        if sol is None:
            raise ConvergenceError(
                f"no real response at z = {-v:.6g} on the way to z = {-u:.6g}: the point is not "
                "left of the spectrum (the step is beyond the stability limit)."
            )
        g = sol
    return g[1]


def _one_point(ms: ModeSet, z: np.ndarray, R3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`h_0(z)` and :math:`g_1(z) = -R_3\operatorname{tr}\Lambda + R_3^2\sum_k\lambda_k^2 H_k`."""
    lam = ms.eigenvalues
    shape = z.shape
    zf, rf = z.ravel(), R3.ravel()
    H = 1.0 / (zf[:, None] + rf[:, None] * lam[None, :])
    h0 = rdot(H, lam * ms.task_weights)
    s2 = rdot(H, lam * lam * ms.weights)
    g1 = -rf * ms.trace + rf * rf * s2
    return h0.reshape(shape), g1.reshape(shape)


@dataclass(frozen=True, eq=False)
class _Roots:
    """The two roots of p(mu) = y as gradient-flow points z = -mu and their difference."""

    z_a: np.ndarray
    z_b: np.ndarray
    diff: np.ndarray  # mu_a - mu_b


def _roots(em1: np.ndarray, eta: float, c: float) -> _Roots:
    r"""Roots for :math:`y - 1 =` ``em1`` (passed exactly, e.g. ``expm1(s)``)."""
    D = 1.0 + c * em1
    sq = np.sqrt(D)
    mu_a = (1.0 + sq) / (c * eta)
    mu_b = -em1 / ((1.0 + sq) * eta)  # (1 - sq)/(c eta) without cancellation
    return _Roots(z_a=-mu_a, z_b=-mu_b, diff=2.0 * sq / (c * eta))


def sgd_generating_function(
    ms: ModeSet,
    N: float,
    eta: float,
    batch: int,
    sigma: float,
    em1: np.ndarray,
    *,
    left: tuple[float, float] | None = None,
    tol: float = 1e-13,
    guess: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    r"""The generating functions at :math:`y = 1/x = 1 +` ``em1``: :math:`yJ_0`, :math:`J_1` and the loss.

    Returns ``{"det": y J0, "kernel": J1, "loss": sum_t L_t x^t, "R3": R3 at (z_a, z_b)}``
    (the first three with the shape of ``em1``); ``guess`` = starting ``R3`` of that shape
    plus a leading axis of 2.
    """
    c = (batch + 1.0) / batch
    a = eta * eta / batch
    em1 = np.asarray(em1, dtype=np.complex128)
    roots = _roots(em1, eta, c)
    zz = np.stack([roots.z_a, roots.z_b])
    R3 = _responses_R3(ms, N, zz, left, tol, guess)
    h0, g1 = _one_point(ms, zz, R3)
    scale = c * eta * eta * roots.diff
    J0 = -(h0[0] - h0[1]) / scale
    J1 = -(g1[0] - g1[1]) / scale
    y = 1.0 + em1
    # 1/(1-x) = y/(y-1)
    noise = sigma * sigma * y / em1
    det = y * J0
    loss = (det + a * J1 * noise) / (1.0 - a * J1)
    return {"det": det, "kernel": J1, "loss": loss, "R3": R3}
