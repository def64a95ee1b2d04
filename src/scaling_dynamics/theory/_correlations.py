r"""Two-time correlation functions of the mean-field theory on a contour, read on the diagonal.

For a pair of Laplace variables :math:`(z, z')` write :math:`h = H_k(z)`, :math:`h' = H_k(z')`,
:math:`r_1 = R_1(z)R_1(z')`, :math:`r_3 = R_3(z)R_3(z')` and :math:`n = \sigma^2/(zz')`.
The test correlation :math:`C_0`, the auxiliary :math:`C_2` and the train correlation
:math:`C_1 = r_1(C_0 + n)` solve (theory.md section 2)

.. math::
    Q_k &= hh'\,[(w^*_k)^2 + \tfrac{r_3}{N} C_2 + \tfrac{\lambda_k}{P} r_3 C_1], \qquad
    C_0 = \sum_k \lambda_k Q_k, \\
    C_2 &= \sum_k \big[\tfrac{\lambda_k}{P} C_1 (zh + z'h' - 1) + \lambda_k^2 r_1 Q_k\big],

using :math:`1 - \lambda_k R_1R_3 h = zh`. With the mode sums
:math:`S_p = \sum_k \lambda_k^p hh'`, :math:`T_p = \sum_k \lambda_k^p (w^*_k)^2 hh'` and
:math:`U = \sum_k \lambda_k (zh + z'h' - 1) = \operatorname{tr}\Lambda - \rho\sum_k\lambda_k^2 h
- \rho'\sum_k \lambda_k^2 h'` (:math:`\rho = R_1R_3`), this is the 2 x 2 linear system

.. math::
    \Big(1 - \tfrac{r_1r_3S_2}{P}\Big) C_0 - \tfrac{r_3S_1}{N} C_2
        &= T_1 + \tfrac{r_1r_3S_2}{P} n, \\
    -\kappa\, C_0 + \Big(1 - \tfrac{r_1r_3S_2}{N}\Big) C_2 &= r_1T_2 + \kappa\, n,
    \qquad \kappa = \tfrac{r_1}{P}\big(U + r_1r_3S_3\big),

solved by Cramer's rule at every node pair. Two members of an ensemble (same data,
independent projections) have no shared projection fluctuation, so their cross
correlation keeps only the data term:

.. math::  C_0^{ab} = \frac{T_1 + n\, r_1r_3S_2/P}{1 - r_1r_3S_2/P}, \qquad
           C_1^{ab} = r_1 (C_0^{ab} + n).

(For :math:`\sigma = 0` this is theory.md's cross term; the noise terms follow from the
same closure as :math:`C_0`, :math:`C_1`, and are checked against simulation in
``tests/test_theory_vs_simulation.py``.)

All sums over modes at all node pairs of one time are one batched matrix product: the
per-node transfer values ``H`` (n x modes), weighted by the five mode weights, times
``H'`` (modes x 2n). The bias :math:`B(t) = \sum_k \lambda_k (w^*_k)^2 H_k(t)^2` needs only
the one-variable inversion of each :math:`H_k`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import ConvergenceError
from ._inversion import ContourRule, combine_2d
from ._modesums import ModeSet
from ._responses import Responses, _inv, rdot, solve_on_modes

__all__ = ["DiagonalCorrelations", "solve_on_rule", "diagonal_correlations",
           "shared_node_correlations"]

_BLOCK = 3_000_000  # complex entries of (times x nodes x modes) per block


@dataclass(frozen=True, eq=False)
class DiagonalCorrelations:
    """Correlations at equal times, one entry per time of the contour rule."""

    test: np.ndarray  # C0(t, t): test loss of one model
    train: np.ndarray  # C1(t, t): train loss of one model
    test_cross: np.ndarray  # C0_ab(t, t): two models, same data, different projections
    train_cross: np.ndarray  # C1_ab(t, t)
    bias: np.ndarray  # sum_k lambda_k w*_k^2 H_k(t)^2
    diagnostics: dict[str, Any] = field(default_factory=dict)


def solve_on_rule(
    ms: ModeSet, N: float, P: float, rule: ContourRule, *, tol: float = 1e-13, max_iter: int = 60
) -> Responses:
    """Responses at every node of ``rule`` (flattened row by row), solved time after time.

    Times are visited in increasing order and each starts Newton from the solution at the
    previous time (same node index): the nodes only rescale by the ratio of the times, so
    a few iterations suffice. Failures fall back to the robust paths of the solver.
    """
    n_t, n = rule.nodes.shape
    R1 = np.ones((n_t, n), dtype=np.complex128)
    R3 = np.ones((n_t, n), dtype=np.complex128)
    res = np.zeros((n_t, n))
    iters = np.zeros((n_t, n), dtype=np.int64)
    guess = None
    order = np.argsort(rule.times, kind="stable")
    # in time order, each solve starting from the previous time's solution
    for i in order:
        r = solve_on_modes(ms, N, P, rule.nodes[i], tol=tol, max_iter=max_iter, guess=guess)
        R1[i], R3[i], res[i], iters[i] = r.R1, r.R3, r.residual, r.iterations
        guess = (r.R1, r.R3)
    z = rule.nodes.ravel()
    return Responses(
        z=z,
        R1=R1.ravel(),
        R3=R3.ravel(),
        residual=res.ravel(),
        iterations=iters.ravel(),
        converged=np.ones(z.size, dtype=bool),
        n_nodes=ms.n_nodes,
    )


def solve_pair_system(sums, trace, z, r1, r3, s2, iN, iP, sig2):
    """Solve the 2 x 2 system at node pairs; every argument pair broadcasts to the pair shape.

    ``sums`` = (S1, S2, S3, T1, T2) at the pairs; ``z``, ``r1``, ``r3``, ``s2`` are pairs
    (value at z, value at z') of the node, R1, R3 and the one-point sum
    :math:`\\sum_k \\lambda_k^2 H_k`. Returns C0, C1, C0_ab, C1_ab.
    """
    S1, S2, S3, T1, T2 = sums
    (zp, zq), (r1p, r1q), (r3p, r3q), (s2p, s2q) = z, r1, r3, s2
    U = trace - r1p * r3p * s2p - r1q * r3q * s2q
    r1_ = r1p * r1q
    r3_ = r3p * r3q
    nn = sig2 / (zp * zq)
    g = r1_ * r3_ * S2
    a11 = 1.0 - g * iP
    a12 = -r3_ * S1 * iN
    kap = r1_ * (U + r1_ * r3_ * S3) * iP
    a22 = 1.0 - g * iN
    b1 = T1 + g * nn * iP
    b2 = r1_ * T2 + kap * nn
    det = a11 * a22 + a12 * kap
    C0 = (b1 * a22 - a12 * b2) / det
    C1 = r1_ * (C0 + nn)
    C0x = b1 / a11
    C1x = r1_ * (C0x + nn)
    return C0, C1, C0x, C1x


def diagonal_correlations(
    ms: ModeSet,
    N: float,
    P: float,
    sigma: float,
    rule: ContourRule,
    resp: Responses,
) -> DiagonalCorrelations:
    """Equal-time correlations :math:`C_0, C_1, C_0^{ab}, C_1^{ab}` and the bias at ``rule.times``."""
    n_t, n = rule.nodes.shape
    J = ms.n_nodes
    iN, iP = _inv(N), _inv(P)
    lam = ms.eigenvalues
    c, d = ms.weights, ms.task_weights
    W5 = np.stack([lam * c, lam**2 * c, lam**3 * c, lam * d, lam**2 * d])  # S1 S2 S3 T1 T2
    ltask = lam * d
    R1 = resp.R1.reshape(n_t, n)
    R3 = resp.R3.reshape(n_t, n)
    out = {k: np.empty(n_t) for k in ("test", "train", "test_cross", "train_cross", "bias")}
    block = max(1, _BLOCK // (5 * n * max(J, 1)))  # times per block
    sig2 = float(sigma) ** 2
    for s in range(0, n_t, block):
        sl = slice(s, min(n_t, s + block))
        w = rule.weights[sl]
        res, H = _block_correlations(ms, rule.nodes[sl], w, R1[sl], R3[sl], W5, iN, iP, sig2)
        if not np.all(np.isfinite(res)):
            raise ConvergenceError(
                "the correlation functions are not finite at times "
                f"{rule.times[sl][~np.all(np.isfinite(res), axis=0)].tolist()}; the 2 x 2 "
                "system is singular there (check N, P and the times)."
            )
        out["test"][sl], out["train"][sl], out["test_cross"][sl], out["train_cross"][sl] = res
        # bias: one-variable inversion of every H_k, squared and summed
        Ht = np.real(np.einsum("bj,bjk->bk", w, H))
        out["bias"][sl] = (Ht * Ht) @ ltask
    return DiagonalCorrelations(**out)


def _block_correlations(ms: ModeSet, z: np.ndarray, w: np.ndarray, r1p: np.ndarray,
                        r3p: np.ndarray, W5: np.ndarray, iN: float, iP: float,
                        sig2: float) -> tuple[np.ndarray, np.ndarray]:
    """:math:`C_0, C_1, C_0^{ab}, C_1^{ab}` at a block of times (shape (4, b)), and :math:`H` there.

    ``z``, ``w``, ``r1p``, ``r3p``: nodes, weights and responses on the upper half of each
    time's contour, shape (b, n); the second variable runs over both halves.
    """
    lam = ms.eigenvalues
    n, J = z.shape[1], ms.n_nodes
    H = 1.0 / (z[:, :, None] + (r1p * r3p)[:, :, None] * lam[None, None, :])  # (b, n, J)
    b = H.shape[0]
    # second variable: both halves of the contour
    zq = np.concatenate([z, z.conj()], axis=1)
    r1q = np.concatenate([r1p, r1p.conj()], axis=1)
    r3q = np.concatenate([r3p, r3p.conj()], axis=1)
    wq = np.concatenate([w, w.conj()], axis=1)
    Hq = np.concatenate([H, H.conj()], axis=1)  # (b, 2n, J)
    # five two-point sums by one batched GEMM: (b, 5n, J) @ (b, J, 2n)
    HqT = Hq.transpose(0, 2, 1)
    if b * 5 * n * J <= _BLOCK:
        HW = (H[:, None, :, :] * W5[None, :, None, :]).reshape(b, 5 * n, J)
        sums = np.matmul(HW, HqT).reshape(b, 5, n, 2 * n)
        S1, S2, S3, T1, T2 = (sums[:, i] for i in range(5))
    else:  # huge exact spectra: one weight at a time keeps memory at one copy of H
        S1, S2, S3, T1, T2 = (np.matmul(H * W5[i], HqT) for i in range(5))
    s2p = rdot(H, lam**2 * ms.weights)  # (b, n)
    s2q = np.concatenate([s2p, s2p.conj()], axis=1)
    C0, C1, C0x, C1x = solve_pair_system(
        (S1, S2, S3, T1, T2),
        ms.trace,
        (z[:, :, None], zq[:, None, :]),
        (r1p[:, :, None], r1q[:, None, :]),
        (r3p[:, :, None], r3q[:, None, :]),
        (s2p[:, :, None], s2q[:, None, :]),
        iN,
        iP,
        sig2,
    )
    return combine_2d(w, wq, np.stack([C0, C1, C0x, C1x])), H


def _pair_sums(H: np.ndarray, W5: np.ndarray) -> np.ndarray:
    r"""The five sums :math:`\sum_k W_{ik} H_{jk} H_{qk}` at the pairs (node j, node q of both
    halves), shape (5, n, 2n), by one real matrix product.

    With :math:`H = A + iB` and :math:`H(\bar z) = \bar H(z)`:
    :math:`\sum W H_j H_q = X_{AA} - X_{BB} + i(X_{AB} + X_{BA})` and
    :math:`\sum W H_j \bar H_q = X_{AA} + X_{BB} + i(X_{BA} - X_{AB})`, with
    :math:`X_{AB} = (A \circ W) B^T` etc.: a (10n x J)(J x 2n) real product, half the
    operations of the complex product over both halves.
    """
    n = H.shape[0]
    A, B = H.real, H.imag
    left = np.concatenate([W5[:, None, :] * A[None], W5[:, None, :] * B[None]], axis=1)
    X = (left.reshape(10 * n, -1) @ np.concatenate([A, B]).T).reshape(5, 2, n, 2, n)
    aa, ab, ba, bb = X[:, 0, :, 0], X[:, 0, :, 1], X[:, 1, :, 0], X[:, 1, :, 1]
    out = np.empty((5, n, 2 * n), dtype=np.complex128)
    out[:, :, :n] = (aa - bb) + 1j * (ab + ba)
    out[:, :, n:] = (aa + bb) + 1j * (ba - ab)
    return out


def shared_node_correlations(
    ms: ModeSet, N: float, P: float, sigma: float, rule: ContourRule, resp: Responses,
) -> DiagonalCorrelations:
    r"""Equal-time correlations when every time of ``rule`` shares one node set (a window).

    ``rule.nodes`` has the same row :math:`z_j` for every time and ``resp`` holds the
    responses there (one per node). The 2 x 2 system is solved once at the ``n x 2n`` node
    pairs; each time then only contracts the pair values with its weights:

    .. math::  C(t, t) = \tfrac12\operatorname{Re}\sum_{jk} w_j(t)\, V_k(t)\, C(z_j, q_k),
               \qquad B(t) = \sum_k \lambda_k (w^*_k)^2
               \Big(\operatorname{Re}\sum_j w_j(t) H_k(z_j)\Big)^2,

    (``q`` and ``V`` both halves of the contour, :mod:`._inversion`). The five mode sums at
    all pairs are one matrix product :math:`(5n \times J)(J \times 2n)`.
    """
    z = np.asarray(rule.nodes[0])
    n = z.size
    iN, iP = _inv(N), _inv(P)
    lam = ms.eigenvalues
    c, d = ms.weights, ms.task_weights
    W5 = np.stack([lam * c, lam**2 * c, lam**3 * c, lam * d, lam**2 * d])  # S1 S2 S3 T1 T2
    R1, R3 = resp.R1, resp.R3
    H = 1.0 / (z[:, None] + (R1 * R3)[:, None] * lam[None, :])  # (n, J)
    sums = _pair_sums(H, W5)
    s2p = rdot(H, W5[1])

    def both(a: np.ndarray) -> np.ndarray:
        return np.concatenate([a, a.conj()])[None, :]

    vals = solve_pair_system(
        tuple(sums), ms.trace, (z[:, None], both(z)), (R1[:, None], both(R1)),
        (R3[:, None], both(R3)), (s2p[:, None], both(s2p)), iN, iP, float(sigma) ** 2,
    )
    w = rule.weights  # (n_t, n)
    v = np.concatenate([w, w.conj()], axis=1)  # (n_t, 2n)
    n_t = w.shape[0]
    # (4 n, 2n) @ (2n, n_t), then the first variable's weights, time by time
    inner = (np.stack(vals).reshape(4 * n, 2 * n) @ v.T).reshape(4, n, n_t)
    acc = 0.5 * np.real(np.einsum("tj,ajt->at", w, inner))
    if not np.all(np.isfinite(acc)):
        raise ConvergenceError(
            "the correlation functions are not finite at times "
            f"{rule.times[~np.all(np.isfinite(acc), axis=0)].tolist()}; the 2 x 2 "
            "system is singular there (check N, P and the times)."
        )
    Ht = np.real(w @ H)  # (n_t, J): H_k(t)
    bias = (Ht * Ht) @ (lam * d)
    return DiagonalCorrelations(test=acc[0], train=acc[1], test_cross=acc[2],
                                train_cross=acc[3], bias=bias)
