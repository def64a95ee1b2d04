r"""Response functions :math:`R_1(z)`, :math:`R_3(z)` at complex ``z``: a batched Newton solve.

The mean-field theory of gradient flow (theory.md section 2) closes on two scalar
response functions, one for the data (:math:`R_1`) and one for the projection
(:math:`R_3`), and the transfer function of every mode:

.. math::  H_k(z) = \frac{1}{z + \lambda_k R_1 R_3}, \qquad
           R_1 = \frac{1}{1 + \frac1P \sum_k \lambda_k R_3 H_k}, \qquad
           R_3 = \frac{1}{1 + \frac1N \sum_k \lambda_k R_1 H_k}.

``N = inf`` gives :math:`R_3 = 1`, ``P = inf`` gives :math:`R_1 = 1`.

Method
------
Newton's method in the logarithms :math:`x_i = \log R_i` on the residuals

.. math::  G_1 = R_1^{-1} - 1 - R_3 A/P, \qquad G_2 = R_3^{-1} - 1 - R_1 A/N, \qquad
           A(\rho) = \sum_k \frac{\lambda_k}{z + \lambda_k\rho},\ \rho = R_1R_3,

with the exact 2 x 2 Jacobian (:math:`dA/d\rho = -\sum_k \lambda_k^2 H_k^2`), batched
over all ``z`` at once (every iteration is two matrix-vector products over the
modes). The residuals are written as :math:`R^{-1} - 1 - \dots` rather than
:math:`R - 1 + \dots` because at late times (small ``|z|``) one response tends to 0
like ``z``: in this form it is computed to full *relative* precision, which the
two-dimensional inversion needs (an absolute error of 1e-16 in a response of size
1e-7 would cost nine digits).

Each Newton step is backtracked (halved up to 30 times) until the relative residual
:math:`\max(|R_1G_1|, |R_3G_2|)` decreases, and limited to a change of ``e^2`` in
either response. Points that do not converge from :math:`R_1 = R_3 = 1` (the
large-``|z|`` limit) are solved again by continuation along the ray ``z s``,
``s = 4^m, ..., 4, 1``, each stage starting from the last. A converged solution is
accepted only on the physical branch: for :math:`\operatorname{Im} z \ne 0` every
:math:`H_k(z)` must have :math:`\operatorname{Im} H_k\,\operatorname{Im} z \le 0` (it is the
Stieltjes transform of a positive measure), the degrees of freedom
:math:`d = \sum_k (1 - zH_k)` must lie in the hull allowed by a positive timescale
measure of mass :math:`\le \min(N, P)` (this rejects a second root of the equations,
:math:`d \approx \max(N, P)`, that Newton finds at small ``|z|`` when N << P or P << N),
and for real ``z > 0`` the responses must be real and in ``(0, 1]``. Anything else raises :class:`ConvergenceError`
naming the point and the reason; no NaN is ever returned.

Cost: about 6-10 iterations of O(n_z x n_modes) each; with a compressed spectrum
(a few hundred nodes) 2000 points take a few milliseconds.
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

__all__ = ["Responses", "solve_responses", "solve_on_modes"]

#: valid_for(scale) needs tail_eigenvalue <= 0.015 * scale (see _modesums)
_TAIL_RATIO_HINT = 0.015
_MAX_STEP = 2.0  # largest change of log R in one Newton step
_CHUNK = 4_000_000  # z x nodes per block of work
_FIXED_POINT_ITER = 2000
_FIXED_POINT_TOL = 1e-6


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


def rdot(H: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``H @ w`` for complex ``H`` and real ``w`` as two real products.

    NumPy's mixed complex-real product is 5-20x slower (no BLAS path) and, threaded, can
    stall on small matrices; two real GEMVs are fast at every size.
    """
    return (H.real @ w) + 1j * (H.imag @ w)


def _residuals(lc, l2c, lam, z, R1, R3, iN, iP):
    rho = R1 * R3
    H = 1.0 / (z[:, None] + rho[:, None] * lam[None, :])
    A = rdot(H, lc)
    B = rdot(H * H, l2c)
    G1 = 1.0 / R1 - 1.0 - R3 * A * iP
    G2 = 1.0 / R3 - 1.0 - R1 * A * iN
    res = np.maximum(np.abs(R1 * G1), np.abs(R3 * G2))
    merit = np.abs(G1) ** 2 + np.abs(G2) ** 2
    return G1, G2, A, B, res, merit


def _newton(ms: ModeSet, iN, iP, z, R1, R3, tol, max_iter):
    """Damped Newton in log R from (R1, R3); returns R1, R3, residual, iterations, ok."""
    lam = ms.eigenvalues
    lc = lam * ms.weights
    l2c = lam * lam * ms.weights
    n = z.size
    iters = np.zeros(n, dtype=np.int64)
    res = np.full(n, np.inf)
    done = np.zeros(n, dtype=bool)
    solve1 = iN == 0.0  # only R1 varies
    solve3 = iP == 0.0  # only R3 varies
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        G1, G2, A, B, res, merit = _residuals(lc, l2c, lam, z, R1, R3, iN, iP)
        active = np.isfinite(res)
        bad = ~active
        polished = np.zeros(n, dtype=bool)
        for _ in range(max_iter + 1):
            # a point stops one step after its residual first meets tol: quadratic
            # convergence makes that last step cheap insurance of full precision
            done = active & polished
            idx = np.flatnonzero(active & ~done)
            if idx.size == 0:
                break
            polished[idx] = res[idx] <= tol
            iters[idx] += 1
            r1, r3, a, b = R1[idx], R3[idx], A[idx], B[idx]
            rho = r1 * r3
            g1, g2 = G1[idx], G2[idx]
            # Jacobian of (G1, G2) with respect to (log R1, log R3)
            j11 = -1.0 / r1 + r3 * rho * b * iP
            j12 = -r3 * a * iP + r3 * rho * b * iP
            j21 = -r1 * a * iN + r1 * rho * b * iN
            j22 = -1.0 / r3 + r1 * rho * b * iN
            if solve1:
                dx1, dx3 = -g1 / j11, np.zeros_like(g1)
            elif solve3:
                dx1, dx3 = np.zeros_like(g2), -g2 / j22
            else:
                det = j11 * j22 - j12 * j21
                dx1 = -(g1 * j22 - j12 * g2) / det
                dx3 = -(j11 * g2 - j21 * g1) / det
            size = np.maximum(np.abs(dx1), np.abs(dx3))
            scale = np.where(size > _MAX_STEP, _MAX_STEP / np.where(size > 0, size, 1.0), 1.0)
            scale = np.where(np.isfinite(size), scale, 0.0)
            alpha = scale.copy()
            pending = np.arange(idx.size)
            accepted = np.zeros(idx.size, dtype=bool)
            for _h in range(31):
                sub = idx[pending]
                t1 = r1[pending] * np.exp(alpha[pending] * dx1[pending])
                t3 = r3[pending] * np.exp(alpha[pending] * dx3[pending])
                G1n, G2n, An, Bn, rn, mn = _residuals(lc, l2c, lam, z[sub], t1, t3, iN, iP)
                ok = np.isfinite(mn) & (mn < merit[sub] * (1.0 - 1e-4 * alpha[pending]))
                # accept tiny residuals even if round-off stops strict decrease
                ok |= np.isfinite(rn) & (rn <= tol)
                good = pending[ok]
                gsub = sub[ok]
                R1[gsub], R3[gsub] = t1[ok], t3[ok]
                G1[gsub], G2[gsub], A[gsub], B[gsub], res[gsub], merit[gsub] = (
                    G1n[ok], G2n[ok], An[ok], Bn[ok], rn[ok], mn[ok]
                )
                accepted[good] = True
                pending = pending[~ok]
                if pending.size == 0:
                    break
                alpha[pending] *= 0.5
            # points whose step could not decrease the residual are stuck
            stuck = idx[~accepted]
            active[stuck] = False
        done = np.isfinite(res) & (res <= tol)
    done &= ~bad
    return R1, R3, res, iters, done


def _physical(ms: ModeSet, z, R1, R3, iN: float, iP: float) -> np.ndarray:
    """Branch check: Im H_k Im z <= 0 for every node, real responses in (0, 1] on the real axis,
    and the degrees of freedom inside their hull (:func:`_inside_dof_hull`)."""
    rho = R1 * R3
    ok = np.isfinite(rho)
    real = z.imag == 0.0
    if real.any():
        rr = real & ok
        good = (
            (np.abs(R1.imag) <= 1e-8 * np.abs(R1))
            & (np.abs(R3.imag) <= 1e-8 * np.abs(R3))
            & (R1.real > 0)
            & (R3.real > 0)
            & (R1.real <= 1 + 1e-9)
            & (R3.real <= 1 + 1e-9)
        )
        ok[rr] = good[rr]
    cplx = ~real & ok
    if cplx.any():
        zc, rc = z[cplx], rho[cplx]
        lam = ms.eigenvalues
        # Im(z + lambda rho) must have the sign of Im z for all lambda in [0, lambda_max]:
        # it is linear in lambda, so check the end points.
        lo = zc.imag
        hi = zc.imag + lam.max() * rc.imag
        sign = np.sign(zc.imag)
        slack = 1e-9 * (np.abs(zc) + lam.max() * np.abs(rc))
        # ... and z H_k = 1/(1 + lambda rho/z) is a Stieltjes function times z, so
        # Im(z H_k) has the sign of Im z for every lambda: Im(rho conj(z)) Im z <= 0.
        cross = (rc * zc.conj()).imag
        ok[cplx] = (
            (sign * lo >= -slack)
            & (sign * hi >= -slack)
            & (sign * cross <= 1e-9 * np.abs(rc) * np.abs(zc))
            & _inside_dof_hull(ms, zc, R1[cplx], R3[cplx], iN, iP)
        )
    return ok


#: Relative slack of the hull test (round-off; a spurious root misses by sin(arg z) >= 0.07).
_HULL_SLACK = 1e-3


def _inside_dof_hull(ms: ModeSet, z, R1, R3, iN: float, iP: float) -> np.ndarray:
    r"""Whether the degrees of freedom :math:`d(z)` are those of a positive timescale measure.

    Summing the response equations gives :math:`R_3 = 1 - d/N`, :math:`R_1 = 1 - d/P` with
    :math:`d(z) = \sum_k (1 - zH_k) = \int_0^\infty \frac{u}{u+z}\,d\nu(u)` (``nu`` the
    summed timescale densities, of mass at most :math:`n = \min(N, P)`). So :math:`d/n` lies
    in the convex hull of the arc :math:`\{u/(u+z): u \ge 0\}`: with
    :math:`s = n/d - 1`, :math:`\operatorname{Im}(s\bar z)\operatorname{Im} z \le 0`.
    The equations have a second, spurious root with :math:`d \approx \max(N, P)` (at small
    ``|z|``: :math:`R_1 \to 0` and :math:`R_3 \to 1 - P/N < 0` when ``N < P``), on which
    :math:`\rho/z` is real and positive to leading order, so the sign tests on
    :math:`H_k` cannot see it; there ``s`` is close to the negative number ``n/max(N,P) - 1``
    and the test fails by :math:`\sin\arg z`. ``n - d = n R`` (``R`` the response of the
    smaller size) keeps ``s`` exact to round-off when ``d`` is close to ``n``.
    """
    use3 = iN >= iP  # n = N <= P: n - d = N R3; else n - d = P R1
    n_r = (R3 / iN) if use3 else (R1 / iP)
    rho = R1 * R3
    d = rho * rdot(1.0 / (z[:, None] + rho[:, None] * ms.eigenvalues[None, :]),
                   ms.eigenvalues * ms.weights)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        s = n_r / d
        test = np.sign(z.imag) * (s * z.conj()).imag
        # d underflowing to 0 (|z| beyond the spectrum by 1e300) is the large-|z| branch
        return ~np.isfinite(s) | (test <= _HULL_SLACK * np.abs(s) * np.abs(z))


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
        r1, r3, rs, it, ok = _newton(
            ms, iN, iP, zz[sl], R1[sl].copy(), R3[sl].copy(), tol, max_iter
        )
        ok &= _physical(ms, zz[sl], r1, r3, iN, iP)
        R1[sl], R3[sl], res[sl], iters[sl], conv[sl] = r1, r3, rs, it, ok
    failed = np.flatnonzero(~conv)
    if failed.size:
        _fixed_point_then_newton(ms, iN, iP, zz, R1, R3, res, iters, conv, failed, tol, max_iter)
    failed = np.flatnonzero(~conv)
    if failed.size:
        _continuation(ms, iN, iP, zz, R1, R3, res, iters, conv, failed, tol, max_iter)
    R1 = np.where(flip, R1.conj(), R1)
    R3 = np.where(flip, R3.conj(), R3)
    out = Responses(z, R1, R3, res, iters, conv, ms.n_nodes)
    if throw and not conv.all():
        i = int(np.flatnonzero(~conv)[0])
        reason = (
            f"relative residual {res[i]:.2e} > tol {tol:.1e} after {iters[i]} Newton iterations"
            if not (np.isfinite(res[i]) and res[i] <= tol)
            else "Newton converged to a non-physical branch (Im H_k has the wrong sign)"
        )
        raise ConvergenceError(
            f"response equations not solved at {int((~conv).sum())} of {n} points; first at "
            f"z = {z[i]:.6g}: {reason}. N = {N}, P = {P}. Try a larger `max_iter` or a "
            "different time range; points on or near the negative real axis are not allowed."
        )
    return out


def _fixed_point_then_newton(ms, iN, iP, zz, R1, R3, res, iters, conv, failed, tol, max_iter):
    """Plain iteration R <- (1 + R' A / n)^{-1} from R = 1, then Newton to polish.

    The plain iteration is slow (hundreds of steps) but, started from the large-|z| limit,
    stays on the physical branch in every case measured; Newton then converges in a few steps.
    """
    lam = ms.eigenvalues
    lc = lam * ms.weights
    zf = zz[failed]
    r1 = np.ones(zf.size, dtype=np.complex128)
    r3 = np.ones(zf.size, dtype=np.complex128)
    n_it = np.zeros(zf.size, dtype=np.int64)
    live = np.arange(zf.size)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(_FIXED_POINT_ITER):
            if live.size == 0:
                break
            a1, a3 = r1[live], r3[live]
            H = 1.0 / (zf[live, None] + (a1 * a3)[:, None] * lam[None, :])
            A = rdot(H, lc)
            n1 = 1.0 / (1.0 + a3 * A * iP)
            n3 = 1.0 / (1.0 + a1 * A * iN)
            step = np.maximum(np.abs(n1 - a1) / np.abs(n1), np.abs(n3 - a3) / np.abs(n3))
            r1[live], r3[live] = n1, n3
            n_it[live] += 1
            live = live[np.isfinite(step) & (step > _FIXED_POINT_TOL)]
    a1, a3, rr, it, ok = _newton(ms, iN, iP, zf, r1, r3, tol, max_iter)
    ok &= _physical(ms, zf, a1, a3, iN, iP)
    R1[failed] = np.where(ok, a1, R1[failed])
    R3[failed] = np.where(ok, a3, R3[failed])
    res[failed] = np.where(ok, rr, res[failed])
    iters[failed] += n_it + it
    conv[failed] = ok


def _continuation(ms, iN, iP, zz, R1, R3, res, iters, conv, failed, tol, max_iter):
    """Re-solve the failed points along z * q^m, m = m_max .. 0 (q = 1.25), warm-starting each stage."""
    zf = zz[failed]
    big = 10.0 * max(ms.trace * max(iN, iP), ms.max_eigenvalue, 1.0)
    q = 1.25
    m_max = np.maximum(0, np.ceil(np.log(big / np.abs(zf)) / math.log(q))).astype(int)
    top = int(m_max.max())
    r1 = np.ones(zf.size, dtype=np.complex128)
    r3 = np.ones(zf.size, dtype=np.complex128)
    total = np.zeros(zf.size, dtype=np.int64)
    alive = np.ones(zf.size, dtype=bool)
    rs = np.full(zf.size, np.inf)
    for m in range(top, -1, -1):
        sel = np.flatnonzero(alive & (m_max >= m))
        if sel.size == 0:
            continue
        zs = zf[sel] * q**m
        a1, a3, rr, it, ok = _newton(ms, iN, iP, zs, r1[sel].copy(), r3[sel].copy(), tol, max_iter)
        ok &= _physical(ms, zs, a1, a3, iN, iP)
        r1[sel], r3[sel], rs[sel] = a1, a3, rr
        total[sel] += it
        alive[sel[~ok]] = False
    R1[failed], R3[failed] = r1, r3
    res[failed] = rs
    iters[failed] += total
    conv[failed] = alive


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
    with small_products(expected_nodes(spectrum, compress)):
        _, out = solve_with_valid_modes(
            spectrum, float(np.abs(zarr).min()), compress,
            lambda ms: solve_on_modes(ms, N, P, zarr, tol=tol, max_iter=max_iter),
        )
    return out


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
    return Responses(
        z=z,
        R1=np.concatenate([p.R1 for p in parts]),
        R3=np.concatenate([p.R3 for p in parts]),
        residual=np.concatenate([p.residual for p in parts]),
        iterations=np.concatenate([p.iterations for p in parts]),
        converged=np.concatenate([p.converged for p in parts]),
        n_nodes=ms.n_nodes,
    )
