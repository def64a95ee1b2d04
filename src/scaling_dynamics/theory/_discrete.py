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
The contours: for the steps :math:`t \le T_1` one closed contour around every root, shared
by all of them (one correlation matrix): the circle :math:`|r| = 1 + 4/T` with :math:`6T`
nodes (:mod:`._contours`), or, for heavy ball whose roots fill only a small cross near
:math:`r = 1` (:math:`\beta` near 1), a box around that cross in :math:`s = \log r` with
Gauss-Legendre panels (:mod:`._box_contour`; about :math:`T\theta_{max}` nodes instead of
:math:`6T`: 360 instead of 14554 at :math:`\eta = 0.01, \beta = 0.99, T = 2154`); its
two-point mode sums in low rank (:mod:`._lowrank_pairs`). For :math:`t > T_1` a contour in
:math:`s = \log r` around the negative real axis: one hyperbola per decade of steps, shared
by the steps in it (:mod:`._windows`; the fixed Talbot rule at every step is kept as
``late="talbot"``), with

.. math::  T_1 = \max\Big(n, \Big\lceil\frac{\log 10^{-9}}{\log\rho_{osc}}\Big\rceil\Big), \qquad
           \rho_{osc} = \text{largest modulus of a root that is not in } (0, 1]

(GD: :math:`\eta\mu_{max} - 1` when positive; HB: :math:`\sqrt\beta` once a mode is
underdamped, or the larger negative root beyond :math:`(1+\sqrt\beta)^2`), computed from
the theory's spectral edge :math:`\mu_{max}` (:mod:`._edge`) enlarged by 5 % (at most half
the way to the stability limit).

Accuracy: the circle and the box are exact to about 1e-10 relative (they agree to 4e-12);
the late part has the accuracy of
the two-variable contour rule (about 1e-9; hyperbola and per-step Talbot agree to 1e-8 or
better) plus the :math:`10^{-9}` of the neglected oscillating roots. Both are checked against each other where they overlap and
against exact per-mode sums (``tests/test_theory_discrete.py``).
"""

from __future__ import annotations

import math
import time as _time
from typing import Any

import numpy as np

from .._blas import small_products
from .._errors import ConvergenceError
from ..spectra import Spectrum
from ._box_contour import box_fits, box_rule, underdamped_angle
from ._contours import circle_rule, circle_size, log_talbot_rule, z_of_r
from ._inversion import ContourRule
from ._lowrank_pairs import shared_node_terms
from ._modesums import ModeSet, expected_nodes
from ._responses import Responses, solve_on_modes, solve_with_valid_modes
from ._terms import TheoryTerms
from ._two_contour import two_contour_terms
from ._windows import WINDOW_IM_EXTENT, WINDOW_RATIO, window_rule, window_starts

__all__ = ["discrete_terms", "oscillation_radius", "switch_step", "SWITCH_TOL"]

#: Contribution of the oscillating roots left out by the Talbot contour at the switch step.
SWITCH_TOL = 1e-9
#: The box contour is used while the roots' largest angle is below this (radians).
_BOX_MAX_ANGLE = 2.0


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


def early_contour(
    times: np.ndarray, T: float, eta: float, beta: float, mu_max: float, early: str = "auto"
) -> tuple[ContourRule, dict[str, Any]]:
    """The shared contour of the steps ``t <= T``: the circle in ``r`` or the box in ``log r``."""
    top = _safe_edge(eta, 2.0 * (1.0 + beta), mu_max)
    theta_top = underdamped_angle(eta, beta, top)
    # the box needs beta > 0 and no negative roots (those sit on Im s = pi)
    box_ok = beta > 0.0 and theta_top < _BOX_MAX_ANGLE
    theta_edge = underdamped_angle(eta, beta, mu_max)
    box_ok = box_ok and box_fits(T, beta, theta_edge, theta_top)
    if early == "box" and not box_ok:
        raise ValueError("the box contour needs heavy ball without negative roots")
    if early == "box" or (early == "auto" and box_ok):
        rule, info = box_rule(times, T, eta, beta, theta_edge, theta_top)
        if early == "box" or rule.n_nodes < 0.25 * circle_size(T)[1]:
            info["early_contour"] = "box in log r"
            return rule, info
    rule, info = circle_rule(times, T, eta, beta)
    info["early_contour"] = "circle"
    return rule, info


def _early_terms(
    spectrum: Spectrum, N: float, P: float, times: np.ndarray, eta: float, beta: float,
    mu_max: float, early: str, compress: str, tol: float, what: str,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The curves at the steps ``0 < t <= T1``: one shared contour, low-rank pair sums."""
    rule, info = early_contour(times, float(times.max()), eta, beta, mu_max, early)
    z = np.asarray(rule.nodes[0])

    def solve_closed(ms: ModeSet) -> Responses:
        return solve_on_modes(ms, N, P, z, tol=tol)

    ms, resp = solve_with_valid_modes(spectrum, float(np.abs(z).min()), compress, solve_closed)
    vals, rank = shared_node_terms(ms, N, P, spectrum.sigma, rule, resp)
    for k, v in vals.items():
        if not np.all(np.isfinite(v)):
            raise ConvergenceError(f"the {what} produced non-finite {k} losses.")
    info["early_newton_iterations_max"] = int(resp.iterations.max())
    info["early_pair_rank"] = rank
    return vals, info


def _window_rules(times: np.ndarray, eta: float, beta: float) -> list[tuple[np.ndarray, ContourRule]]:
    """One hyperbola in ``s = log r`` per decade of the late steps, mapped to ``z = z_m(e^s)``."""
    first = float(times.min())
    win = window_starts(times, first)
    out = []
    for j in np.unique(win):
        idx = np.flatnonzero(win == j)
        base = window_rule(times[idx], first * WINDOW_RATIO**j)
        rm1 = np.expm1(base.nodes)
        r = rm1 + 1.0
        rule = ContourRule(times=base.times, nodes=z_of_r(r, rm1, eta, beta),
                           weights=base.weights * (r - beta) / eta, name="hyperbola in log r")
        out.append((idx, rule))
    return out


def _late_terms(
    spectrum: Spectrum, N: float, P: float, times: np.ndarray, eta: float, beta: float,
    compress: str, tol: float, what: str,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The curves at the steps ``t > T1``: one shared hyperbola per decade (:mod:`._windows`)."""
    rules = _window_rules(times, eta, beta)
    z_all = np.concatenate([r.nodes[0] for _, r in rules])

    def solve_all(ms: ModeSet) -> Responses:
        # decade j+1's nodes are about decade j's divided by 10: warm-start Newton from them
        parts, guess = [], None
        for _, rule in rules:
            res = solve_on_modes(ms, N, P, rule.nodes[0], tol=tol, guess=guess)
            parts.append(res)
            guess = (res.R1, res.R3)
        cat = {k: np.concatenate([getattr(q, k) for q in parts])
               for k in ("z", "R1", "R3", "residual", "iterations", "converged")}
        return Responses(n_nodes=ms.n_nodes, **cat)

    ms, resp = solve_with_valid_modes(spectrum, float(np.abs(z_all).min()), compress, solve_all)
    keys = ("test", "train", "test_cross", "train_cross", "bias")
    out = {k: np.empty(times.size) for k in keys}
    start = 0
    for idx, rule in rules:
        k = rule.n_nodes
        part = slice(start, start + k)
        sub = Responses(z=resp.z[part], R1=resp.R1[part], R3=resp.R3[part],
                        residual=resp.residual[part], iterations=resp.iterations[part],
                        converged=resp.converged[part], n_nodes=resp.n_nodes)
        vals, _ = shared_node_terms(ms, N, P, spectrum.sigma, rule, sub)
        for key in keys:
            out[key][idx] = vals[key]
        start += k
    for key, v in out.items():
        if not np.all(np.isfinite(v)):
            raise ConvergenceError(f"the {what} produced non-finite {key} losses.")
    info = {"late_contour": "hyperbola windows in log r",
            "late_newton_iterations_max": int(resp.iterations.max()),
            "mode_sums": ms.method}
    return out, info


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
    early: str = "auto",
    late: str = "window",
) -> TheoryTerms:
    """All curves of GD (``beta = 0``) or heavy ball at validated integer steps (internal).

    ``switch`` overrides :math:`T_1` (tests compare the two contours where both apply);
    ``early`` picks the contour of the steps up to :math:`T_1`: ``"circle"``, ``"box"``
    (:mod:`._box_contour`, heavy ball without negative roots) or ``"auto"`` (the box where
    it has fewer than a quarter of the circle's nodes); ``late`` that of the steps beyond:
    ``"window"`` (one hyperbola in ``log r`` per decade of steps, :mod:`._windows`) or
    ``"talbot"`` (the fixed Talbot rule at every step, the slower reference).
    """
    with small_products(expected_nodes(spectrum, compress)):
        return _discrete_terms(spectrum, N, P, times, eta, beta, mu_max, n_nodes, compress, tol,
                               progress, switch, early, late)


def _discrete_terms(spectrum, N, P, times, eta, beta, mu_max, n_nodes, compress, tol, progress,
                    switch, early, late) -> TheoryTerms:
    started = _time.perf_counter()
    T1 = switch_step(eta, beta, mu_max, n_nodes) if switch is None else int(switch)
    diag: dict[str, Any] = {
        "mu_max": mu_max,
        "switch_step": T1,
        "oscillation_radius": oscillation_radius(eta, beta, mu_max),
        "n_contour_nodes": n_nodes,
    }

    def late_rule(t: np.ndarray) -> ContourRule:
        return log_talbot_rule(t, n_nodes, eta, beta)

    what = f"discrete-time theory (eta = {eta}, beta = {beta}, N = {N}, P = {P})"
    early_idx = np.flatnonzero((times > 0) & (times <= T1))
    keys = ("test", "train", "test_cross", "train_cross", "bias")
    out = {k: np.empty(times.size) for k in keys}
    late_steps = times[times > T1]
    if late_steps.size and late_steps.min() < WINDOW_IM_EXTENT / (0.9 * math.pi):
        late = "talbot"  # the hyperbola would leave the strip |Im s| < pi (only a tiny T1)
    if late == "talbot":
        rest = np.flatnonzero(~((times > 0) & (times <= T1)))
        # t = 0 and the late steps (Talbot per step); the early steps on a shared contour below
        part = two_contour_terms(
            spectrum, N, P, times[rest], 0.0, None, late_rule, diag,
            compress=compress, tol=tol, progress=progress, what=what,
            names=("-", "talbot in log r"),
        )
        for k in keys:
            out[k][rest] = part[k]
        used = [diag["contour"]] if (times[rest] > 0).any() else []
    else:
        zero = times == 0
        for k in ("test", "test_cross", "bias"):
            out[k][zero] = spectrum.initial_loss
        for k in ("train", "train_cross"):
            out[k][zero] = spectrum.initial_loss + spectrum.sigma**2
        late_idx = np.flatnonzero(times > T1)
        used = []
        if late_idx.size:
            vals, info = _late_terms(spectrum, N, P, times[late_idx], eta, beta, compress, tol,
                                     what)
            for k in keys:
                out[k][late_idx] = vals[k]
            diag.update(info)
            used.append(info["late_contour"])
    if early_idx.size:
        vals, info = _early_terms(spectrum, N, P, times[early_idx], eta, beta, mu_max, early,
                                  compress, tol, what)
        for k in keys:
            out[k][early_idx] = vals[k]
        diag.update(info)
        used.insert(0, info["early_contour"])
    diag["contour"] = " + ".join(used)
    diag["wall_time_s"] = _time.perf_counter() - started
    return TheoryTerms(times=times, diagnostics=diag, **out)
