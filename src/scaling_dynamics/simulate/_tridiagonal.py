r"""A symmetric eigendecomposition whose eigenvectors are applied, never formed.

The simulator needs the eigenvectors :math:`U` of an n x n kernel only through
:math:`c = U^\top h` and :math:`U\,(q_t(\mu)\odot c)` at a hundred or so times.
LAPACK's ``dsytrd`` reduces :math:`K = Q\,\mathrm{Tri}\,Q^\top` with Q a product of
Householder reflectors; ``dstevd`` (divide and conquer) diagonalises the tridiagonal
matrix, :math:`\mathrm{Tri} = W\operatorname{diag}(\mu)W^\top`. Then
:math:`U = QW`, and

.. math::  U C = Q\,(W C), \qquad U^\top C = W^\top (Q^\top C),

where applying Q to an n x k block (``dormqr``) costs about :math:`4n^2k` flops. A dense
``syevd`` instead forms U by applying Q to W (:math:`2n^3` flops) and the caller
then maps it (another :math:`2n^3`); for k well below n the implicit form skips both.
When a block is wide enough that forming U is cheaper, the caller asks for
:meth:`HouseholderBasis.dense` (the same back-transformation ``syevd`` does), kept once formed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._one_blas import matmul

__all__ = ["HouseholderBasis", "DenseBasis", "tridiagonal_eigh"]

#: names of the eigensolvers in the simulation's diagnostics
TRIDIAGONAL = "tridiagonal: LAPACK dsytrd + dstevd, eigenvectors applied as reflectors"
DENSE = "dense eigh"


class DenseBasis:
    """Explicit eigenvectors U (n x n): ``apply(C) = U @ C``, ``apply_t(C) = U.T @ C``."""

    solver = DENSE
    implicit = False

    def __init__(self, U: Any) -> None:
        self.U = U

    def apply(self, C: Any) -> Any:
        return self.U @ C

    def apply_t(self, C: Any) -> Any:
        return self.U.T @ C

    def dense(self) -> Any:
        return self.U


class HouseholderBasis:
    """Eigenvectors :math:`U = QW` kept as ``dsytrd``'s reflectors and the tridiagonal's W."""

    solver = TRIDIAGONAL
    implicit = True

    def __init__(self, reflectors: np.ndarray, tau: np.ndarray, W: np.ndarray) -> None:
        self._v = _below_diagonal(reflectors)
        self._tau = tau
        self._W = W
        self._U: np.ndarray | None = None

    def _q(self, C: np.ndarray, trans: str) -> np.ndarray:
        """:math:`QC` (``trans="N"``) or :math:`Q^\\top C` (``"T"``) for an n x k block C."""
        from scipy.linalg import lapack

        out = np.empty(C.shape, dtype=np.float64)
        out[:1] = C[:1]
        if C.shape[0] < 2:
            return out
        rest = np.array(C[1:], dtype=np.float64, order="F")  # a copy: dormqr overwrites it
        cq, _, info = lapack.dormqr("L", trans, self._v, self._tau, rest,
                                    lwork=64 * max(C.shape[1], 1) + 65 * 64, overwrite_c=1)
        if info != 0:  # pragma: no cover - LAPACK argument error, a bug here
            raise RuntimeError(f"LAPACK dormqr failed with info = {info}")
        out[1:] = cq
        return out

    def dense(self) -> np.ndarray:
        """U itself, formed once (:math:`2n^3` flops) and kept."""
        if self._U is None:
            self._U = self._q(self._W, "N")
        return self._U

    def apply(self, C: np.ndarray) -> np.ndarray:
        """:math:`UC` for an n x k block (or an n-vector)."""
        C = np.asarray(C)
        if self._U is not None:
            return matmul(self._U, C)
        flat = C.ndim == 1
        out = self._q(matmul(self._W, C[:, None] if flat else C), "N")
        return out[:, 0] if flat else out

    def apply_t(self, C: np.ndarray) -> np.ndarray:
        """:math:`U^\\top C` for an n x k block (or an n-vector)."""
        C = np.asarray(C)
        if self._U is not None:
            return matmul(self._U.T, C)
        flat = C.ndim == 1
        out = matmul(self._W.T, self._q(C[:, None] if flat else C, "T"))
        return out[:, 0] if flat else out


def _below_diagonal(a: np.ndarray) -> np.ndarray:
    """The (n-1) x (n-1) block ``a[1:, :n-1]`` holding the reflectors, as LAPACK's dormtr
    passes it to dormqr: a QR-shaped block acting on rows 1..n-1.

    For a column-major ``a`` the block is passed in place, as an (n, n-1) column-major
    view starting one element in (leading dimension n, as LAPACK's own LDA); its last row
    lies outside the block and is never read, since dormqr reads the first n-1 rows.
    Otherwise (or for n < 2) the block is copied.
    """
    n = a.shape[0]
    if n < 2 or not a.flags.f_contiguous:
        return np.asfortranarray(a[1:, : max(n - 1, 0)])
    flat = a.reshape(-1, order="F")
    return np.lib.stride_tricks.as_strided(flat[1:], shape=(n, n - 1),
                                           strides=(a.itemsize, a.itemsize * n),
                                           writeable=False)


def tridiagonal_eigh(K: np.ndarray) -> tuple[np.ndarray, HouseholderBasis]:
    r"""Eigenvalues (ascending) and the implicit eigenvectors of a symmetric matrix.

    Reads the lower triangle of ``K`` (as :func:`numpy.linalg.eigh` does) and may
    overwrite a Fortran-ordered ``K`` (what :func:`._one_blas.gram` returns).
    """
    from scipy.linalg import lapack

    K = np.asarray(K, dtype=np.float64)
    n = K.shape[0]
    if n < 2:
        return K.diagonal().copy(), HouseholderBasis(np.zeros((n, n)), np.zeros(0), np.eye(n))
    lwork = int(lapack.dsytrd_lwork(n, lower=1)[0])
    a, d, e, tau, info = lapack.dsytrd(K, lower=1, lwork=max(lwork, 1), overwrite_a=1)
    if info != 0:  # pragma: no cover - LAPACK argument error, a bug here
        raise RuntimeError(f"LAPACK dsytrd failed with info = {info}")
    mu, W, info = lapack.dstevd(d, e, compute_v=1, overwrite_d=1, overwrite_e=1)
    if info != 0:
        from .._errors import InvalidParameterError

        raise InvalidParameterError(
            f"the kernel's eigendecomposition did not converge (LAPACK dstevd info = {info}); "
            "the matrix has non-finite or extreme entries."
        )
    return mu, HouseholderBasis(a, tau, W)
