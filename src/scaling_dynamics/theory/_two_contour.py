r"""One evaluator for optimisers whose theory maps onto gradient flow: two contours in time.

Discrete GD / heavy ball (:mod:`._discrete`) and continuous heavy ball
(:mod:`._momentum_flow`) write their losses as the gradient-flow correlations at mapped
Laplace points. Times up to a switch time :math:`T_1` use one closed contour around the
whole spectrum of the one-step map (shared nodes for all times, one correlation matrix);
later times use a Talbot contour per time. :func:`two_contour_terms` does both, given the
two rules; t = 0 is filled exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._errors import ConvergenceError
from .._progress import progress_bar
from ..spectra import Spectrum
from ._correlations import diagonal_correlations, solve_on_rule, solve_pair_system
from ._inversion import ContourRule
from ._modesums import ModeSet
from ._responses import Responses, _inv, rdot, solve_on_modes, solve_with_valid_modes

__all__ = ["two_contour_terms"]

_TIMES_PER_BLOCK = 25
_PAIR_BLOCK = 4_000_000  # complex entries of the (5, block, 2n) sums and (5 block, J) factors


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
        parts.append(diagonal_correlations(ms, N, P, sigma, sub, resp.rows(sl, n)))
        bar.update(sub.times.size)
    keys = ("test", "train", "test_cross", "train_cross", "bias")
    return {k: np.concatenate([getattr(p, k) for p in parts]) for k in keys}


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
