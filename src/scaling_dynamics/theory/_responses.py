r"""Response functions :math:`R_1(z)`, :math:`R_3(z)` at complex ``z``: a batched Newton solve.

The mean-field theory of gradient flow (theory.md section 2) closes on two scalar
response functions, one for the data (:math:`R_1`) and one for the projection
(:math:`R_3`), and the transfer function of every mode:

.. math::  H_k(z) = \frac{1}{z + \lambda_k R_1 R_3}, \qquad
           R_1 = \frac{1}{1 + \frac1P \sum_k \lambda_k R_3 H_k}, \qquad
           R_3 = \frac{1}{1 + \frac1N \sum_k \lambda_k R_1 H_k}.

``N = inf`` gives :math:`R_3 = 1`, ``P = inf`` gives :math:`R_1 = 1`.

The solver (batched Newton in log R, its fallbacks and the branch check) is in
:mod:`._newton`; its cost is about 6-10 iterations of O(n_z x n_modes) each; with a
compressed spectrum (a few hundred nodes) 2000 points take a few milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._blas import small_products
from .._errors import ConvergenceError, InvalidParameterError
from .._validation import check_int, check_real, check_size
from ..spectra import Spectrum
from ._modesums import ModeSet, expected_nodes, mode_set
from ._newton import continuation, fixed_point_then_newton, newton, physical
from ._newton import rdot as rdot  # re-exported: _discrete, _sgd, _correlations use it

__all__ = ["Responses", "solve_responses", "solve_on_modes", "solve_along_path", "rdot"]

#: valid_for(scale) needs tail_eigenvalue <= 0.015 * scale (see _modesums)
_TAIL_RATIO_HINT = 0.015

_CHUNK = 4_000_000  # z x nodes per block of work


@dataclass(frozen=True, eq=False)
class Responses:
    r"""Solution of the response equations at each ``z``.

    Attributes
    ----------
    z : ndarray of complex, shape (n_z,)
    R1, R3 : ndarray of complex, shape (n_z,)
        Data and projection responses (``R1 = 1`` when ``P = inf``, ``R3 = 1`` when ``N = inf``).
    residual : ndarray, shape (n_z,)
        Final relative residual :math:`\max(|R_1G_1|, |R_3G_2|)`.
    iterations : ndarray of int, shape (n_z,)
        Newton iterations used (all continuation stages included).
    converged : ndarray of bool, shape (n_z,)
        Always all True when returned by :func:`solve_responses` (failure raises).
    n_nodes : int
        Number of mode nodes in the sums (M, or the size of the compressed set).
    """

    z: np.ndarray
    R1: np.ndarray
    R3: np.ndarray
    residual: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    n_nodes: int

    @property
    def rho(self) -> np.ndarray:
        r""":math:`\rho = R_1 R_3`, the factor in :math:`H_k = 1/(z + \lambda_k\rho)`."""
        return self.R1 * self.R3

    @classmethod
    def concatenate(cls, parts: list[Responses], n_nodes: int) -> Responses:
        """The responses of ``parts`` (solved block by block) end to end, in order."""
        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts])

        return cls(z=cat("z"), R1=cat("R1"), R3=cat("R3"), residual=cat("residual"),
                   iterations=cat("iterations"), converged=cat("converged"), n_nodes=n_nodes)

    def rows(self, sl: slice, per_row: int) -> Responses:
        """The responses of rows ``sl`` when the points are laid out ``per_row`` to a row
        (one row of contour nodes per time)."""
        def pick(a: np.ndarray) -> np.ndarray:
            return a.reshape(-1, per_row)[sl].ravel()

        return Responses(z=pick(self.z), R1=pick(self.R1), R3=pick(self.R3),
                         residual=pick(self.residual), iterations=pick(self.iterations),
                         converged=pick(self.converged), n_nodes=self.n_nodes)

    def transfer(self, eigenvalues: Any) -> np.ndarray:
        r""":math:`H_k(z) = 1/(z + \lambda_k R_1R_3)`, shape (n_z, n_modes)."""
        lam = np.asarray(eigenvalues, dtype=np.float64)
        return 1.0 / (self.z[:, None] + self.rho[:, None] * lam[None, :])


def _inv(x: float) -> float:
    """1/x, and 0 for an infinite size (N or P)."""
    return 0.0 if math.isinf(x) else 1.0 / x


def solve_with_valid_modes(
    spectrum: Spectrum, min_scale: float, compress: str, solve: Callable[[ModeSet], Responses]
) -> tuple[ModeSet, Responses]:
    """A mode set built for nodes of size ``min_scale`` and ``solve`` on it.

    The compressed tail assumes :math:`|z/\rho| \\gtrsim` the scale it was built for; if a
    node's solution says otherwise, the set is rebuilt at half that scale and solved again.
    """
    ms = mode_set(spectrum, min_scale=min_scale, compress=compress)
    resp = solve(ms)
    if ms.method != "exact":
        scale = float(np.min(np.abs(resp.z / resp.rho)))
        if not ms.valid_for(scale):
            ms = mode_set(spectrum, min_scale=0.5 * scale, compress=compress)
            resp = solve(ms)
            scale = float(np.min(np.abs(resp.z / resp.rho)))
        if not ms.valid_for(scale):  # K1 hit its cap: the tail rule would be wrong
            raise InvalidParameterError(
                f"`times`: the compressed power law (b = {spectrum.b}, sums up to mode 1e30) "
                f"resolves timescales 1/|z/rho| up to {_TAIL_RATIO_HINT / ms.tail_eigenvalue:.3g}; "
                f"these times need {1.0 / scale:.3g}. Use earlier times."
            )
    return ms, resp


def solve_on_modes(
    ms: ModeSet,
    N: float,
    P: float,
    z: np.ndarray,
    *,
    tol: float = 1e-13,
    max_iter: int = 60,
    throw: bool = True,
    guess: tuple[np.ndarray, np.ndarray] | None = None,
) -> Responses:
    """:func:`solve_responses` on a prepared :class:`ModeSet` (internal entry point, no checks).

    ``guess`` = (R1, R3) starting values (e.g. the solution at a nearby time); the default
    is the large-``|z|`` limit R1 = R3 = 1.
    """
    z = np.asarray(z, dtype=np.complex128).ravel()
    iN, iP = _inv(N), _inv(P)
    n = z.size
    R1 = np.ones(n, dtype=np.complex128)
    R3 = np.ones(n, dtype=np.complex128)
    if guess is not None:
        g1 = np.asarray(guess[0], dtype=np.complex128).ravel()
        g3 = np.asarray(guess[1], dtype=np.complex128).ravel()
        flip_g = z.imag < 0
        R1 = np.where(flip_g, g1.conj(), g1) if iP else R1
        R3 = np.where(flip_g, g3.conj(), g3) if iN else R3
    res = np.zeros(n)
    iters = np.zeros(n, dtype=np.int64)
    conv = np.ones(n, dtype=bool)
    if n == 0 or (iN == 0.0 and iP == 0.0):
        return Responses(z, R1, R3, res, iters, conv, ms.n_nodes)
    # only the upper half plane is solved; R(conj z) = conj R(z)
    flip = z.imag < 0
    zz = np.where(flip, z.conj(), z)
    step = max(1, _CHUNK // max(ms.n_nodes, 1))
    for s in range(0, n, step):
        sl = slice(s, min(n, s + step))
        r1, r3, rs, it, ok = newton(
            ms, iN, iP, zz[sl], R1[sl].copy(), R3[sl].copy(), tol, max_iter
        )
        ok &= physical(ms, zz[sl], r1, r3, iN, iP)
        R1[sl], R3[sl], res[sl], iters[sl], conv[sl] = r1, r3, rs, it, ok
    failed = np.flatnonzero(~conv)
    if failed.size:
        fixed_point_then_newton(ms, iN, iP, zz, R1, R3, res, iters, conv, failed, tol, max_iter)
    failed = np.flatnonzero(~conv)
    if failed.size:
        continuation(ms, iN, iP, zz, R1, R3, res, iters, conv, failed, tol, max_iter)
    R1 = np.where(flip, R1.conj(), R1)
    R3 = np.where(flip, R3.conj(), R3)
    out = Responses(z, R1, R3, res, iters, conv, ms.n_nodes)
    if throw and not conv.all():
        raise _unsolved(out, N, P, tol)
    return out


def _unsolved(out: Responses, N: float, P: float, tol: float) -> ConvergenceError:
    """The error naming the first point where ``out`` did not converge, and why."""
    conv, res, iters, z = out.converged, out.residual, out.iterations, out.z
    i = int(np.flatnonzero(~conv)[0])
    reason = (
        f"relative residual {res[i]:.2e} > tol {tol:.1e} after {iters[i]} Newton iterations"
        if not (np.isfinite(res[i]) and res[i] <= tol)
        else "Newton converged to a non-physical branch (Im H_k has the wrong sign)"
    )
    return ConvergenceError(
        f"response equations not solved at {int((~conv).sum())} of {z.size} points; first at "
        f"z = {z[i]:.6g}: {reason}. N = {N}, P = {P}. Try a larger `max_iter` or a "
        "different time range; points on or near the negative real axis are not allowed."
    )


def solve_responses(
    spectrum: Spectrum,
    N: float,
    P: float,
    z: Any,
    *,
    tol: float = 1e-13,
    max_iter: int = 60,
    compress: str = "auto",
) -> Responses:
    r"""Solve the response equations :math:`R_1(z), R_3(z)` at every complex ``z``.

    .. math::  H_k(z) = \frac{1}{z + \lambda_k R_1 R_3}, \quad
               R_1 = \Big(1 + \frac1P \sum_k \lambda_k R_3 H_k\Big)^{-1}, \quad
               R_3 = \Big(1 + \frac1N \sum_k \lambda_k R_1 H_k\Big)^{-1}

    (theory.md section 2; ``z`` is the Laplace variable conjugate to gradient-flow time).

    Parameters
    ----------
    spectrum : Spectrum
        Teacher spectrum (``M`` may be ``math.inf`` for a power law: the sums are then
        compressed, see :func:`~scaling_dynamics.theory.mode_set`).
    N, P : int or math.inf
        Model size and number of samples.
    z : complex or array_like of complex
        Points off the closed negative real axis (the responses have a branch cut there).
    tol : float
        Relative residual at which Newton stops (default 1e-13).
    max_iter : int
        Newton iterations per stage (default 60).
    compress : {"auto", "on", "off"}
        Compression of the mode sums (see :func:`~scaling_dynamics.theory.mode_set`).

    Returns
    -------
    Responses
        ``R1``, ``R3`` (flattened to shape (n_z,)), residuals, iterations, ``converged``.

    Raises
    ------
    InvalidParameterError
        For a bad argument or a ``z`` on the negative real axis.
    ConvergenceError
        When Newton (with backtracking and continuation) fails at some ``z``, or lands on
        a non-physical branch; the message gives the first such ``z`` and why.

    Examples
    --------
    >>> from scaling_dynamics import Spectrum
    >>> from scaling_dynamics.theory import solve_responses
    >>> s = Spectrum.power_law(a=1.5, b=1.25, M=1000)
    >>> r = solve_responses(s, N=100, P=200, z=[1.0, 0.1 + 0.1j])
    >>> bool(r.converged.all()), round(float(r.R1[0].real), 6)
    (True, 0.985007)
    """
    from ._problem import check_spectrum

    check_spectrum(spectrum)
    N = check_size("N", N)
    P = check_size("P", P)
    tol = check_real("tol", tol, low=1e-16, high=1e-3)
    max_iter = check_int("max_iter", max_iter, low=1)
    zarr = _check_z(z)
    with small_products(expected_nodes(spectrum, compress)):
        _, out = solve_with_valid_modes(
            spectrum, float(np.abs(zarr).min()), compress,
            lambda ms: solve_on_modes(ms, N, P, zarr, tol=tol, max_iter=max_iter),
        )
    return out


def _check_z(z: Any) -> np.ndarray:
    """``z`` as a flat complex array: not empty, finite, off the cut (-inf, 0]."""
    try:
        zarr = np.asarray(z, dtype=np.complex128).ravel()
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"`z` must be a complex number or an array of them; got {type(z).__name__}."
        ) from None
    if zarr.size == 0:
        raise InvalidParameterError("`z` must contain at least one point; got an empty array.")
    if not np.all(np.isfinite(zarr)):
        i = int(np.flatnonzero(~np.isfinite(zarr))[0])
        raise InvalidParameterError(f"`z` must be finite; entry {i} is {zarr[i]!r}.")
    on_cut = (zarr.imag == 0) & (zarr.real <= 0)
    if on_cut.any():
        i = int(np.flatnonzero(on_cut)[0])
        raise InvalidParameterError(
            f"`z` must lie off the negative real axis (-inf, 0], where the responses have their "
            f"branch cut; entry {i} is {zarr[i]!r}. Use timescale_density for z = -u + i0."
        )
    return zarr


def solve_along_path(
    ms: ModeSet,
    N: float,
    P: float,
    z: np.ndarray,
    *,
    block: int = 32,
    tol: float = 1e-13,
    max_iter: int = 60,
) -> Responses:
    """Solve at points ordered along a path, each block warm-started from the previous one.

    ``z`` should start where the responses are easy (large ``|z|``) and move in small steps
    (e.g. a decreasing geometric grid of ``|z|`` at fixed angle); each block of ``block``
    points starts Newton from the last solution of the block before. Much cheaper than
    solving every point from the large-``|z|`` limit near the branch cut.
    """
    z = np.asarray(z, dtype=np.complex128).ravel()
    parts: list[Responses] = []
    guess = None
    for s in range(0, z.size, block):
        zb = z[s : s + block]
        g = None if guess is None else (np.full(zb.size, guess[0]), np.full(zb.size, guess[1]))
        r = solve_on_modes(ms, N, P, zb, tol=tol, max_iter=max_iter, guess=g)
        parts.append(r)
        guess = (r.R1[-1], r.R3[-1])
    return Responses.concatenate(parts, ms.n_nodes)
