r"""Correlations at every pair of one shared node set, with the mode sums in low rank.

The five two-point mode sums of :mod:`._correlations` at all pairs of ``n`` shared nodes,
:math:`S_p = H\,\mathrm{diag}(W_p)\,H_q^T` with :math:`H_{jk} = 1/(z_j + \rho_j\lambda_k)`
(``n`` x ``J`` modes) and :math:`H_q = [H; \bar H]`, cost :math:`10\,n^2J` complex
multiply-adds as five matrix products. On a contour that keeps its distance from the
spectrum :math:`H` has low numerical rank (about 26 at 1e-14 of the largest singular
value for 360 nodes of heavy ball at :math:`\beta = 0.99` over 1000 modes: most modes
are far from every node). A randomised range finder gives :math:`H \approx QB` with
orthonormal :math:`Q` (``n`` x ``k``) and :math:`B = Q^H H` (``k`` x ``J``), checked entry by
entry (:math:`\max|H - QB| \le 10^{-14}\max|H|`, else ``k`` doubles; beyond ``n/3`` or
``J/3`` the plain products are used). Then

.. math::  S_p = Q\,\big[\,B W_p B^T\ \big|\ B W_p B^H\,\big]\,
           \begin{pmatrix} Q^T & 0 \\ 0 & Q^H \end{pmatrix}

costs :math:`10k^2J + 10nk(n + k)`. The rest (the 2 x 2 system at each pair, the
contraction with each time's weights, the bias) is as in
:func:`._two_contour._shared_node_terms`, whose results these equal to round-off
(``tests/test_discrete_theory_speed_accuracy.py``).
"""

from __future__ import annotations

import numpy as np

from ._correlations import solve_pair_system
from ._inversion import ContourRule
from ._modesums import ModeSet
from ._responses import Responses, _inv, rdot

__all__ = ["low_rank_range", "shared_node_terms"]

_RANK_TOL = 1e-14
_FIRST_RANK = 48
_PAIR_BLOCK = 4_000_000  # complex entries of the (5, block, 2n) sums


def low_rank_range(H: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(Q, B)`` with ``H ~ Q @ B`` to ``1e-14 max|H|`` per entry, or None if the rank is not low."""
    n, J = H.shape
    limit = min(n, J) // 3
    k = min(_FIRST_RANK, limit)
    rng = np.random.default_rng(12345)  # fixed: the same curves on every call
    scale = float(np.abs(H).max())
    while 8 <= k <= limit:
        omega = rng.standard_normal((J, k))
        Q, _ = np.linalg.qr(H @ omega)
        B = Q.conj().T @ H
        if float(np.abs(H - Q @ B).max()) <= _RANK_TOL * scale:
            # drop the directions the sampling over-provisioned (below round-off of H)
            U, sv, Vh = np.linalg.svd(B, full_matrices=False)
            r = max(1, int(np.count_nonzero(sv > 1e-16 * sv[0])))
            return Q @ U[:, :r], sv[:r, None] * Vh[:r]
        k *= 2
    return None


def _pair_sums(H: np.ndarray, W5: np.ndarray, low_rank: bool):
    """A function ``rows -> (5, len(rows), 2n)`` of the five sums, low rank where possible."""
    n, J = H.shape
    fac = low_rank_range(H) if low_rank else None
    if fac is None:
        Hq = np.concatenate([H, H.conj()], axis=0)
        HqT = Hq.T.copy()

        def full(sl: slice) -> np.ndarray:
            b = sl.stop - sl.start
            HW = (H[None, sl, :] * W5[:, None, :]).reshape(5 * b, J)
            return (HW @ HqT).reshape(5, b, 2 * n)

        return full, 0
    Q, B = fac
    k = Q.shape[1]
    Bq = np.concatenate([B, B.conj()], axis=0)  # (2k, J)
    core = ((B[None, :, :] * W5[:, None, :]).reshape(5 * k, J) @ Bq.T).reshape(5, k, 2 * k)
    # right factors (5, k, 2n): [C_p[:, :k] Q^T | C_p[:, k:] Q^H]
    right = np.concatenate([core[:, :, :k] @ Q.T, core[:, :, k:] @ Q.conj().T], axis=2)

    def low(sl: slice) -> np.ndarray:
        return np.matmul(Q[sl][None, :, :], right)

    return low, k


def shared_node_terms(
    ms: ModeSet, N: float, P: float, sigma: float, rule: ContourRule, resp: Responses,
    *, low_rank: bool = True,
) -> tuple[dict[str, np.ndarray], int]:
    """The five curves at ``rule.times`` from one shared node row; and the rank used (0: full).

    ``low_rank=False`` forms the sums by the plain products (the reference).
    """
    z = np.asarray(rule.nodes[0])
    n = z.size
    n_t = rule.times.size
    iN, iP = _inv(N), _inv(P)
    lam = ms.eigenvalues
    c, d = ms.weights, ms.task_weights
    W5 = np.stack([lam * c, lam**2 * c, lam**3 * c, lam * d, lam**2 * d])
    R1, R3 = resp.R1, resp.R3
    H = 1.0 / (z[:, None] + (R1 * R3)[:, None] * lam[None, :])  # (n, J)
    zq = np.concatenate([z, z.conj()])
    r1q = np.concatenate([R1, R1.conj()])
    r3q = np.concatenate([R3, R3.conj()])
    s2p = rdot(H, lam**2 * c)
    s2q = np.concatenate([s2p, s2p.conj()])
    w = rule.weights  # (n_t, n)
    v = np.concatenate([w, w.conj()], axis=1)  # (n_t, 2n)
    sums_of, rank = _pair_sums(H, W5, low_rank)
    acc = np.zeros((4, n_t))
    block = max(8, _PAIR_BLOCK // (5 * max(2 * n, 1)))
    for s in range(0, n, block):
        sl = slice(s, min(n, s + block))
        sums = sums_of(sl)
        C0, C1, C0x, C1x = solve_pair_system(
            tuple(sums[i] for i in range(5)), ms.trace,
            (z[sl, None], zq[None, :]), (R1[sl, None], r1q[None, :]),
            (R3[sl, None], r3q[None, :]), (s2p[sl, None], s2q[None, :]), iN, iP, sigma**2,
        )
        vals = np.stack([C0, C1, C0x, C1x])  # (4, b, 2n)
        acc += 0.5 * np.real(np.einsum("tj,ajk,tk->at", w[:, sl], vals, v, optimize=True))
    Ht = np.real(w @ H)  # (n_t, J): inverse transform of Q(r) H_k(z_m(r))
    out = dict(zip(("test", "train", "test_cross", "train_cross"), acc, strict=True))
    out["bias"] = (Ht * Ht) @ (lam * d)
    return out, rank
