r"""The batched Newton solve of the response equations, its fallbacks and its branch check.

Solves :math:`R_1(z), R_3(z)` of :mod:`._responses` on a :class:`ModeSet`.

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
Stieltjes transform of a positive measure), and for real ``z > 0`` the responses
must be real and in ``(0, 1]``. Anything else raises :class:`ConvergenceError`
naming the point and the reason; no NaN is ever returned.
"""

from __future__ import annotations

import math

import numpy as np

from ._modesums import ModeSet

__all__ = ["continuation", "fixed_point_then_newton", "newton", "physical", "rdot"]

_MAX_STEP = 2.0  # largest change of log R in one Newton step
_FIXED_POINT_ITER = 2000
_FIXED_POINT_TOL = 1e-6


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


def newton(ms: ModeSet, iN, iP, z, R1, R3, tol, max_iter):
    """Damped Newton in log R from (R1, R3); returns R1, R3, residual, iterations, ok."""
    lam = ms.eigenvalues
    lc = lam * ms.weights
    l2c = lam * lam * ms.weights
    n = z.size
    iters = np.zeros(n, dtype=np.int64)
    res = np.full(n, np.inf)
    done = np.zeros(n, dtype=bool)
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
            r1, r3 = R1[idx], R3[idx]
            dx1, dx3, alpha = _newton_step(r1, r3, A[idx], B[idx], G1[idx], G2[idx], iN, iP)
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


def _newton_step(r1, r3, a, b, g1, g2, iN, iP):
    """Newton direction (dx1, dx3) in (log R1, log R3) and its step, capped at ``_MAX_STEP``.

    Solves the 2 x 2 system with the Jacobian of (G1, G2); with ``N = inf`` (``iN = 0``)
    only R1 varies, with ``P = inf`` only R3. A non-finite direction gets step 0.
    """
    rho = r1 * r3
    # Jacobian of (G1, G2) with respect to (log R1, log R3)
    j11 = -1.0 / r1 + r3 * rho * b * iP
    j12 = -r3 * a * iP + r3 * rho * b * iP
    j21 = -r1 * a * iN + r1 * rho * b * iN
    j22 = -1.0 / r3 + r1 * rho * b * iN
    if iN == 0.0:
        dx1, dx3 = -g1 / j11, np.zeros_like(g1)
    elif iP == 0.0:
        dx1, dx3 = np.zeros_like(g2), -g2 / j22
    else:
        det = j11 * j22 - j12 * j21
        dx1 = -(g1 * j22 - j12 * g2) / det
        dx3 = -(j11 * g2 - j21 * g1) / det
    size = np.maximum(np.abs(dx1), np.abs(dx3))
    scale = np.where(size > _MAX_STEP, _MAX_STEP / np.where(size > 0, size, 1.0), 1.0)
    scale = np.where(np.isfinite(size), scale, 0.0)
    return dx1, dx3, scale.copy()


def physical(ms: ModeSet, z, R1, R3, iN: float, iP: float) -> np.ndarray:
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


def fixed_point_then_newton(ms, iN, iP, zz, R1, R3, res, iters, conv, failed, tol, max_iter):
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
    a1, a3, rr, it, ok = newton(ms, iN, iP, zf, r1, r3, tol, max_iter)
    ok &= physical(ms, zf, a1, a3, iN, iP)
    R1[failed] = np.where(ok, a1, R1[failed])
    R3[failed] = np.where(ok, a3, R3[failed])
    res[failed] = np.where(ok, rr, res[failed])
    iters[failed] += n_it + it
    conv[failed] = ok


def continuation(ms, iN, iP, zz, R1, R3, res, iters, conv, failed, tol, max_iter):
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
        a1, a3, rr, it, ok = newton(ms, iN, iP, zs, r1[sel].copy(), r3[sel].copy(), tol, max_iter)
        ok &= physical(ms, zs, a1, a3, iN, iP)
        r1[sel], r3[sel], rs[sel] = a1, a3, rr
        total[sel] += it
        alive[sel[~ok]] = False
    R1[failed], R3[failed] = r1, r3
    res[failed] = rs
    iters[failed] += total
    conv[failed] = alive
