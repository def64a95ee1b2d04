r"""Every product of the NumPy simulator through one BLAS library: SciPy's.

NumPy and SciPy wheels each bundle their own OpenBLAS, with their own thread pools. After
a call, an OpenBLAS pool keeps its worker threads spinning for about 0.1 s; on a 2-core
machine a product in NumPy's library followed by a LAPACK call in SciPy's (the
eigensolver, :mod:`._tridiagonal`) runs three busy threads on two cores. Measured at
n = 2000 (AMD EPYC, 2 cores): ``dsytrd`` took 0.28 s right after a NumPy product and 0.19 s
after a SciPy one; a whole simulation 0.95 s against 0.73-0.87 s. So the simulator's
products go to SciPy's BLAS too, where the eigensolver already is.

Arrays of either memory order are passed without copies (a C-ordered matrix is the
transpose of a Fortran-ordered one); results are Fortran-ordered.
"""

from __future__ import annotations

import numpy as np

__all__ = ["matmul", "gram"]


def _fortran(a: np.ndarray) -> tuple[np.ndarray, int]:
    """``(f, trans)`` with ``op(f) = a``, ``f`` Fortran-ordered (copied only if neither order)."""
    if a.flags.f_contiguous:
        return a, 0
    if a.flags.c_contiguous:
        return a.T, 1
    return np.asfortranarray(a), 0


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for float64 matrices, or a matrix times a vector, by SciPy's BLAS."""
    from scipy.linalg import blas

    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim not in (1, 2) or 0 in a.shape or 0 in b.shape:
        return a @ b  # degenerate shapes: nothing for BLAS to do
    fa, ta = _fortran(a)
    if b.ndim == 1:
        return blas.dgemv(1.0, fa, b, trans=ta)
    fb, tb = _fortran(b)
    return blas.dgemm(1.0, fa, fb, trans_a=ta, trans_b=tb)


def gram(a: np.ndarray, scale: float, *, transpose: bool, full: bool = False) -> np.ndarray:
    r"""``scale * a.T @ a`` (``transpose``) or ``scale * a @ a.T``.

    BLAS ``dsyrk`` computes the lower triangle (half the flops of a product); the
    eigensolver reads that triangle alone, and the upper one is zero unless ``full``
    asks for it to be filled in.
    """
    from scipy.linalg import blas

    a = np.asarray(a, dtype=np.float64)
    fa, t = _fortran(a)
    # op(fa) = a; dsyrk with trans = 1 gives fa^T fa, with trans = 0 gives fa fa^T
    trans = int(transpose) ^ t
    out = blas.dsyrk(scale, fa, trans=trans, lower=1)
    if full:
        upper = np.triu_indices(out.shape[0], 1)
        out[upper] = out.T[upper]
    return out
