r"""Loss curves of discrete gradient descent and heavy-ball momentum from the mean-field theory.

Gradient descent (GD) and heavy ball (HB) with step :math:`\eta` and momentum :math:`\beta`,

.. math::  v_{t+1} = v_t - \eta F(Gv_t - b) + \beta(v_t - v_{t-1}), \qquad v_{-1} = v_0 = w^*,

are linear in :math:`v`, and their generating function is the gradient-flow Laplace
transform at a mapped point (``docs/optimizers.md`` section 1-2):

.. math::  \sum_{t\ge0} v_t x^t = q(x)\, v_{GF}(z_m(x)), \qquad
           q = \frac{1-\beta x}{\eta x}, \qquad z_m = \frac{(1-x)(1-\beta x)}{\eta x},

noise term included. Every two-time correlation of gradient flow therefore carries over:
the test and train losses at step ``t`` are

.. math::  L_t = \Big(\frac{1}{2\pi i}\Big)^2\oint\oint Q(r)Q(r')\,C_0(z_m(r), z_m(r'))\,
           r^{t-1}r'^{t-1}\,dr\,dr', \qquad \hat L_t = \text{same with } C_1,

with :math:`r = 1/x`, :math:`Q(r) = (r-\beta)/\eta` and :math:`C_0, C_1` the gradient-flow
correlations of :mod:`._correlations` (ensembles and the bias carry over the same way).
The contours (:mod:`._contours`): a circle :math:`|r| = 1 + 4/T` with :math:`6T` nodes for
the steps :math:`t \le T_1`, one correlation matrix for all of them; Talbot in
:math:`s = \log r` for :math:`t > T_1`, with

.. math::  T_1 = \max\Big(n, \Big\lceil\frac{\log 10^{-9}}{\log\rho_{osc}}\Big\rceil\Big), \qquad
           \rho_{osc} = \text{largest modulus of a root that is not in } (0, 1]

(GD: :math:`\eta\mu_{max} - 1` when positive; HB: :math:`\sqrt\beta` once a mode is
underdamped, or the larger negative root beyond :math:`(1+\sqrt\beta)^2`), computed from
the theory's spectral edge :math:`\mu_{max}` (:mod:`._edge`) enlarged by 5 % (at most half
the way to the stability limit).

Accuracy: the circle is exact to about 1e-10 relative; the Talbot part has the accuracy of
the two-variable Talbot rule (about 1e-9 with 18 nodes) plus the :math:`10^{-9}` of the
neglected oscillating roots. Both are checked against each other where they overlap and
against exact per-mode sums (``tests/test_theory_discrete.py``).
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Callable
from typing import Any

import numpy as np

from .._errors import ConvergenceError
from .._progress import progress_bar
from ..spectra import Spectrum
from ._contours import circle_rule, log_talbot_rule
from ._correlations import diagonal_correlations, solve_on_rule, solve_pair_system
from ._dmft import TheoryTerms
from ._inversion import ContourRule
from ._modesums import ModeSet
from ._responses import Responses, _inv, rdot, solve_on_modes, solve_with_valid_modes

__all__ = ["discrete_terms", "oscillation_radius", "switch_step", "SWITCH_TOL"]

#: Contribution of the oscillating roots left out by the Talbot contour at the switch step.
SWITCH_TOL = 1e-9
_TIMES_PER_BLOCK = 25
_PAIR_BLOCK = 4_000_000  # complex entries of the (5, block, 2n) sums and (5 block, J) factors


def _safe_edge(eta: float, limit: float, mu_max: float) -> float:
    """The edge enlarged by 5 %, but at most half way to the stability limit ``limit / eta``."""
    return mu_max + min(0.05 * mu_max, 0.5 * max(limit / eta - mu_max, 0.0))


def oscillation_radius(eta: float, beta: float, mu_max: float) -> float:
    r"""Largest modulus of a characteristic root outside :math:`(0, 1]` over :math:`\mu \le \mu_{max}`.

    Roots of :math:`r^2 - (1 + \beta - \eta\mu)r + \beta = 0`: real in :math:`(0,1]` for
    :math:`\eta\mu \le (1-\sqrt\beta)^2`, complex of modulus :math:`\sqrt\beta` up to
    :math:`(1+\sqrt\beta)^2`, negative beyond (the larger modulus grows with :math:`\mu`).
    """
    u = eta * _safe_edge(eta, 2.0 * (1.0 + beta), mu_max)
    sb = math.sqrt(beta)
    rho = 0.0
    if u > (1.0 - sb) ** 2:
        rho = sb
    if u > (1.0 + sb) ** 2:
        a = u - 1.0 - beta  # roots r = (-a -+ sqrt(a^2 - 4 beta)) / 2, both negative
        rho = max(rho, 0.5 * (a + math.sqrt(max(a * a - 4.0 * beta, 0.0))))
    return rho


def switch_step(eta: float, beta: float, mu_max: float, n_nodes: int) -> int:
    """:math:`T_1`: the last step computed on the circle (module notes)."""
    rho = oscillation_radius(eta, beta, mu_max)
    T1 = float(n_nodes)
    if rho > 0.0:
        T1 = max(T1, math.ceil(math.log(SWITCH_TOL) / math.log(rho)))
    return int(T1)


def _shared_node_terms(
    ms: ModeSet, N: float, P: float, sigma: float, rule: ContourRule, resp: Responses,
) -> dict[str, np.ndarray]:
    """Correlations at every pair of one shared node set, combined with each time's weights.

    ``rule.nodes`` has the same row for every time; the 2 x 2 correlation system is solved
    once per pair (blocks of the first variable) and contracted with all times' weights.
    """
    z = np.asarray(rule.nodes[0])
    n = z.size
    n_t = rule.times.size
    J = ms.n_nodes
    iN, iP = _inv(N), _inv(P)
    lam = ms.eigenvalues
    c, d = ms.weights, ms.task_weights
    W5 = np.stack([lam * c, lam**2 * c, lam**3 * c, lam * d, lam**2 * d])
    R1, R3 = resp.R1, resp.R3
    rho = R1 * R3
    H = 1.0 / (z[:, None] + rho[:, None] * lam[None, :])  # (n, J)
    zq = np.concatenate([z, z.conj()])
    r1q = np.concatenate([R1, R1.conj()])
    r3q = np.concatenate([R3, R3.conj()])
    Hq = np.concatenate([H, H.conj()], axis=0)  # (2n, J)
    s2p = rdot(H, lam**2 * c)
    s2q = np.concatenate([s2p, s2p.conj()])
    w = rule.weights  # (n_t, n)
    v = np.concatenate([w, w.conj()], axis=1)  # (n_t, 2n)
    acc = np.zeros((4, n_t))
    block = max(8, _PAIR_BLOCK // (5 * max(2 * n, J, 1)))
    HqT = Hq.T.copy()
    for s in range(0, n, block):
        sl = slice(s, min(n, s + block))
        b = sl.stop - sl.start
        HW = (H[None, sl, :] * W5[:, None, :]).reshape(5 * b, J)
        sums = (HW @ HqT).reshape(5, b, 2 * n)
        C0, C1, C0x, C1x = solve_pair_system(
            tuple(sums[i] for i in range(5)),
            ms.trace,
            (z[sl, None], zq[None, :]),
            (R1[sl, None], r1q[None, :]),
            (R3[sl, None], r3q[None, :]),
            (s2p[sl, None], s2q[None, :]),
            iN,
            iP,
            sigma**2,
        )
        vals = np.stack([C0, C1, C0x, C1x])  # (4, b, 2n)
        acc += 0.5 * np.real(np.einsum("tj,ajk,tk->at", w[:, sl], vals, v, optimize=True))
    Ht = np.real(w @ H)  # (n_t, J): inverse transform of Q(r) H_k(z_m(r))
    bias = (Ht * Ht) @ (lam * d)
    out = dict(zip(("test", "train", "test_cross", "train_cross"), acc, strict=True))
    out["bias"] = bias
    return out


def _talbot_terms(
    ms: ModeSet, N: float, P: float, sigma: float, rule: ContourRule, resp: Responses, bar
) -> dict[str, np.ndarray]:
    n_t, n = rule.nodes.shape
    parts = []
    for s in range(0, n_t, _TIMES_PER_BLOCK):
        sl = slice(s, min(n_t, s + _TIMES_PER_BLOCK))
        sub = rule.subset(sl)
        sub_resp = Responses(
            z=resp.z.reshape(-1, n)[sl].ravel(),
            R1=resp.R1.reshape(-1, n)[sl].ravel(),
            R3=resp.R3.reshape(-1, n)[sl].ravel(),
            residual=resp.residual.reshape(-1, n)[sl].ravel(),
            iterations=resp.iterations.reshape(-1, n)[sl].ravel(),
            converged=resp.converged.reshape(-1, n)[sl].ravel(),
            n_nodes=resp.n_nodes,
        )
        parts.append(diagonal_correlations(ms, N, P, sigma, sub, sub_resp))
        bar.update(sub.times.size)
    keys = ("test", "train", "test_cross", "train_cross", "bias")
    return {k: np.concatenate([getattr(p, k) for p in parts]) for k in keys}


def discrete_terms(
    spectrum: Spectrum,
    N: float,
    P: float,
    times: np.ndarray,
    eta: float,
    beta: float,
    mu_max: float,
    *,
    n_nodes: int = 18,
    compress: str = "auto",
    tol: float = 1e-13,
    progress: bool | None = None,
    switch: int | None = None,
) -> TheoryTerms:
    """All curves of GD (``beta = 0``) or heavy ball at validated integer steps (internal).

    ``switch`` overrides :math:`T_1` (tests compare the two contours where both apply).
    """
    started = _time.perf_counter()
    T1 = switch_step(eta, beta, mu_max, n_nodes) if switch is None else int(switch)
    diag: dict[str, Any] = {
        "mu_max": mu_max,
        "switch_step": T1,
        "oscillation_radius": oscillation_radius(eta, beta, mu_max),
        "n_contour_nodes": n_nodes,
    }

    def early_rule(t: np.ndarray, Tc: float) -> tuple[ContourRule, dict[str, Any]]:
        return circle_rule(t, Tc, eta, beta)

    def late_rule(t: np.ndarray) -> ContourRule:
        return log_talbot_rule(t, n_nodes, eta, beta)

    out = two_contour_terms(
        spectrum, N, P, times, T1, early_rule, late_rule, diag,
        compress=compress, tol=tol, progress=progress,
        what=f"discrete-time theory (eta = {eta}, beta = {beta}, N = {N}, P = {P})",
        names=("circle", "talbot in log r"),
    )
    diag["wall_time_s"] = _time.perf_counter() - started
    return TheoryTerms(times=times, diagnostics=diag, **out)


def two_contour_terms(
    spectrum: Spectrum,
    N: float,
    P: float,
    times: np.ndarray,
    T1: float,
    early_rule: Callable[[np.ndarray, float], tuple[ContourRule, dict[str, Any]]],
    late_rule: Callable[[np.ndarray], ContourRule],
    diag: dict[str, Any],
    *,
    compress: str,
    tol: float,
    progress: bool | None,
    what: str,
    names: tuple[str, str],
) -> dict[str, np.ndarray]:
    """The five curves at ``times``: t = 0 exactly, a closed contour up to ``T1``, Talbot after.

    Times ``0 < t <= T1`` use ``early_rule(times, max time)`` (a contour around the whole
    spectrum of the one-step map, shared nodes for all times); later times use
    ``late_rule(times)`` (a Talbot contour per time). Shared by discrete GD / heavy ball
    and continuous heavy ball; ``diag`` is updated with the contours' diagnostics, and
    ``diag["contour"]`` names the contours used (``names`` = early, late).
    """
    keys = ("test", "train", "test_cross", "train_cross", "bias")
    out = {k: np.empty(times.size) for k in keys}
    L0 = spectrum.initial_loss
    sig2 = spectrum.sigma**2
    zero = times == 0
    for k in ("test", "test_cross", "bias"):
        out[k][zero] = L0
    out["train"][zero] = L0 + sig2
    out["train_cross"][zero] = L0 + sig2
    early = np.flatnonzero((times > 0) & (times <= T1))
    late = np.flatnonzero(times > T1)
    with progress_bar(int((~zero).sum()), "theory", progress, unit="time") as bar:
        if early.size:
            rule, info = early_rule(times[early], float(times[early].max()))
            diag.update(info)
            z = np.asarray(rule.nodes[0])

            def solve_closed(ms: ModeSet) -> Responses:
                return solve_on_modes(ms, N, P, z, tol=tol)

            ms, resp = solve_with_valid_modes(spectrum, float(np.abs(z).min()), compress,
                                              solve_closed)
            vals = _shared_node_terms(ms, N, P, spectrum.sigma, rule, resp)
            for k in keys:
                out[k][early] = vals[k]
            bar.update(early.size)
            diag["early_newton_iterations_max"] = int(resp.iterations.max())
        if late.size:
            talbot = late_rule(times[late])

            def solve_talbot(ms: ModeSet) -> Responses:
                return solve_on_rule(ms, N, P, talbot, tol=tol)

            ms, resp = solve_with_valid_modes(
                spectrum, float(np.abs(talbot.nodes).min()), compress, solve_talbot
            )
            vals = _talbot_terms(ms, N, P, spectrum.sigma, talbot, resp, bar)
            for k in keys:
                out[k][late] = vals[k]
            diag["talbot_newton_iterations_max"] = int(resp.iterations.max())
            diag["mode_sums"] = ms.method
    for k in keys:
        if not np.all(np.isfinite(out[k])):
            raise ConvergenceError(f"the {what} produced non-finite {k} losses.")
    used = [name for name, idx in zip(names, (early, late), strict=True) if idx.size]
    diag["contour"] = " + ".join(used)
    return out
