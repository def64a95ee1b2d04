r"""One-pass SGD from the mean-field theory: closed-form generating function, Talbot in :math:`-\log x`.

One-pass SGD with step :math:`\eta` and batch :math:`B` (every sample fresh, Gaussian
features) has, in the eigenbasis of :math:`S = \Lambda^{1/2}F\Lambda^{1/2}` and averaged over
the batches, a closed recursion for the mode energies :math:`D_i` (``docs/optimizers.md``
section 3):

.. math::  D_i \leftarrow p(\mu_i) D_i + a\,\mu_i^2 (L + \sigma^2), \qquad
           p(\mu) = (1-\eta\mu)^2 + \frac{\eta^2\mu^2}{B}, \qquad a = \frac{\eta^2}{B},

so the test loss solves the Volterra equation

.. math::  L_t = L_{det}(t) + a\sum_{s<t} K(t-1-s)(L_s + \sigma^2), \qquad
           L_{det}(t) = \sum_i D_i(0)\, p(\mu_i)^t, \quad K(u) = \sum_i \mu_i^2 p(\mu_i)^u.

Averaged over the projection the two spectral sums become one-point resolvents of the
mean-field theory with :math:`P = \infty`: :math:`H_k = 1/(z + \lambda_k R_3)`,
:math:`h_0 = \sum_k\lambda_k (w^*_k)^2 H_k` and
:math:`g_1(z) = \sum_k z^2 H_k - Mz = -R_3\operatorname{tr}\Lambda + R_3^2\sum_k\lambda_k^2 H_k`
(finite for :math:`M = \infty`; the dropped polynomial :math:`Mz` integrates to zero).
With :math:`c = (B+1)/B`, :math:`y = 1/x` and the two roots of :math:`p(\mu) = y`,
:math:`\mu_{a,b} = [1 \pm \sqrt{1 - c(1-y)}]/(c\eta)`, partial fractions give

.. math::  J_0 = -\frac{h_0(-\mu_a) - h_0(-\mu_b)}{c\eta^2(\mu_a - \mu_b)}, \qquad
           J_1 = -\frac{g_1(-\mu_a) - g_1(-\mu_b)}{c\eta^2(\mu_a - \mu_b)}, \qquad
           \sum_t L_t x^t = \frac{y J_0 + a J_1\sigma^2/(1-x)}{1 - a J_1}.

The Volterra convolution is solved exactly in the generating function; no :math:`O(T^2)`
sum is needed. Inversion: every singularity of the generating function in
:math:`s = -\log x` is real (:math:`p \in [1/(B+1), 1]`, and zeros of :math:`1 - aJ_1` lie
on the real axis), so a contour in ``s`` around the negative real axis inside the strip
:math:`|\operatorname{Im}s| < \pi` is valid. Steps :math:`t \le 16` use the circle
:math:`|1/x| = 1 + 4/T` of :mod:`._contours` (:math:`6T` nodes, at least 122; aliasing
:math:`e^{-24}`), as for GD; later steps one hyperbola per decade
:math:`[16\cdot 10^j, 16\cdot 10^{j+1}]` (:mod:`._windows`, 29 nodes, about 1e-11), each decade's
Newton solves started from the previous decade's (its nodes are those divided by 10). Cost:
58 scalar response solves per decade of steps, whatever the number of steps in it (the
fixed Talbot rule at every step, 64 solves per step, is kept as ``contour="talbot"``).

Late-time value and stability: :mod:`._sgd_limit`; the resolvents: :mod:`._sgd_resolvents`.
"""

from __future__ import annotations

import math
import time as _time
from typing import Any

import numpy as np

from .._blas import small_products
from .._errors import ConvergenceError
from .._progress import progress_bar
from ..spectra import Spectrum
from ._contours import circle_nodes
from ._edge import edge_of_modes
from ._inversion import talbot_rule
from ._modesums import ModeSet, expected_nodes, mode_set
from ._sgd_limit import SGDLimit as SGDLimit  # re-exported: theory/__init__ imports it here
from ._sgd_limit import check_gain, stability
from ._sgd_limit import sgd_limit as sgd_limit  # re-exported: theory/__init__ imports it here
from ._sgd_resolvents import sgd_generating_function
from ._windows import WINDOW_NODES, WINDOW_RATIO, window_rule, window_starts

__all__ = [
    "SGDLimit",
    "sgd_limit",
    "sgd_curves",
    "sgd_volterra",
    "sgd_generating_function",
    "SGD_TALBOT_NODES",
    "SGD_CIRCLE_STEPS",
]

#: Talbot nodes in s = -log x (1-D inversion).
SGD_TALBOT_NODES = 32
#: Steps t <= this use the circle |1/x| = 1 + 4/T (Talbot in -log x needs t > 2n/5).
SGD_CIRCLE_STEPS = 16


# --------------------------------------------------------------------------- inversion
def _circle(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``em1 = y - 1`` and weights (n_t, n/2) of the circle :math:`|y| = 1 + 4/T`.

    The same circle as for GD (:func:`._contours.circle_nodes`, ``T`` the largest step):
    :math:`y^t` is at most :math:`e^4` on it and the aliasing is below :math:`e^{-24}`.
    """
    y, _, n = circle_nodes(float(np.max(times)))
    # coefficient of x^t: (1/n) sum F(x_j) x_j^{-t} = (1/n) sum F y_j^t; upper half doubled
    w = (2.0 / n) * np.exp(np.asarray(times, dtype=np.float64)[:, None] * np.log(y)[None, :])
    return y - 1.0, w


def _invert(
    ms: ModeSet, N: float, eta: float, batch: int, sigma: float, times: np.ndarray,
    n_nodes: int, left: tuple[float, float] | None, tol: float, key: str, shift: int = 0,
    bar=None, contour: str = "window",
) -> np.ndarray:
    """Coefficient of :math:`x^{t+shift}` of one generating function at each ``t`` (``t + shift >= 1``)."""
    tt = np.asarray(times, dtype=np.float64) + shift
    out = np.empty(tt.size)
    early = np.flatnonzero(tt <= SGD_CIRCLE_STEPS)
    late = np.flatnonzero(tt > SGD_CIRCLE_STEPS)
    if early.size:
        em1, w = _circle(tt[early])
        gf = sgd_generating_function(ms, N, eta, batch, sigma, em1, left=left, tol=tol)
        out[early] = np.real(w @ gf[key])
        if bar is not None:
            bar.update(early.size)
    if late.size and contour == "talbot":
        _invert_talbot(ms, N, eta, batch, sigma, tt, late, out, n_nodes, left, tol, key, bar)
    elif late.size:
        # one hyperbola per decade of steps
        win = window_starts(tt[late], SGD_CIRCLE_STEPS)
        rules = []
        for j in np.unique(win):
            idx = late[win == j]
            rules.append((idx, window_rule(tt[idx], SGD_CIRCLE_STEPS * WINDOW_RATIO**j)))
        # window j+1's nodes are window j's divided by 10: warm-start Newton from them
        guess = None
        for idx, rule in rules:
            # x = e^{-s}: y - 1 = expm1(s)
            gf = sgd_generating_function(ms, N, eta, batch, sigma, np.expm1(rule.nodes[0]),
                                         left=left, tol=tol, guess=guess)
            guess = gf["R3"]
            out[idx] = np.real(rule.weights @ gf[key])
        if bar is not None:
            bar.update(late.size)
    return out


def _invert_talbot(ms, N, eta, batch, sigma, tt, late, out, n_nodes, left, tol, key, bar):
    """The reference inversion: a fixed Talbot rule per step (``contour="talbot"``)."""
    # step by step in increasing order: the Talbot nodes only rescale with 1/t, so each
    # step's responses start Newton from the previous step's (a few iterations each)
    order = late[np.argsort(tt[late])]
    guess = None
    for i in order:
        rule = talbot_rule(tt[i : i + 1], n_nodes)
        # x = e^{-s}: y - 1 = expm1(s)
        gf = sgd_generating_function(
            ms, N, eta, batch, sigma, np.expm1(rule.nodes[0]), left=left, tol=tol,
            guess=guess,
        )
        guess = gf["R3"]
        out[i] = np.real(np.sum(rule.weights[0] * gf[key]))
        if bar is not None:
            bar.update(1)


def sgd_curves(
    spectrum: Spectrum,
    N: float,
    times: np.ndarray,
    eta: float,
    batch: int,
    *,
    n_nodes: int = SGD_TALBOT_NODES,
    compress: str = "auto",
    tol: float = 1e-13,
    progress: bool | None = None,
    contour: str = "window",
) -> tuple[np.ndarray, dict[str, Any]]:
    """Mean-field test loss of one-pass SGD at validated integer steps (internal); and diagnostics.

    ``contour="window"``: one hyperbola per decade of steps (:mod:`._windows`);
    ``"talbot"``: the fixed Talbot rule at every step (the slower reference).
    """
    with small_products(expected_nodes(spectrum, compress)):
        return _sgd_curves(spectrum, N, times, eta, batch, n_nodes, compress, tol, progress,
                           contour)


def _sgd_curves(spectrum, N, times, eta, batch, n_nodes, compress, tol, progress, contour):
    started = _time.perf_counter()
    sigma = spectrum.sigma
    out = np.empty(times.size)
    zero = times == 0
    out[zero] = spectrum.initial_loss
    pos = np.flatnonzero(~zero)
    ms0 = mode_set(spectrum, min_scale=0.0, compress=compress)
    mu_max, _, _ = edge_of_modes(ms0, N, math.inf)
    gain, R3_xi = stability(ms0, N, eta, batch, mu_max)
    left = None if R3_xi is None else (mu_max, R3_xi)
    check_gain(eta, batch, gain)
    diag: dict[str, Any] = {
        "mu_max": mu_max,
        "noise_gain": gain,
        "contour": f"circle |1/x| = 1 + 4/T for t <= {SGD_CIRCLE_STEPS}, "
        + ("talbot in -log x" if contour == "talbot" else
           "one hyperbola in -log x per decade of steps"),
        "n_contour_nodes": n_nodes if contour == "talbot" else WINDOW_NODES + 1,
    }
    if pos.size:
        # the smallest |z| met is about |s|/(2 eta) at the latest step
        t_max = float(times[pos].max())
        min_z = 0.05 / (eta * max(t_max, 1.0))
        ms = mode_set(spectrum, min_scale=min_z, compress=compress)
        with progress_bar(pos.size, "theory sgd", progress, unit="time") as bar:
            out[pos] = _invert(
                ms, N, eta, batch, sigma, times[pos], n_nodes, left, tol, "loss", bar=bar,
                contour=contour,
            )
        diag["mode_sums"] = ms.method
        diag["n_mode_nodes"] = ms.n_nodes
    if not np.all(np.isfinite(out)):
        raise ConvergenceError(  # pragma: no cover - the solvers raise first
            f"the SGD theory produced non-finite losses (eta = {eta}, batch = {batch}, N = {N})."
        )
    diag["wall_time_s"] = _time.perf_counter() - started
    return out, diag


def sgd_volterra(
    spectrum: Spectrum,
    N: float,
    eta: float,
    batch: int,
    T: int,
    *,
    n_nodes: int = SGD_TALBOT_NODES,
    compress: str = "auto",
    tol: float = 1e-13,
) -> np.ndarray:
    r"""The same mean-field loss at steps ``0..T`` by the explicit :math:`O(T^2)` Volterra sum.

    :math:`L_{det}(t)` and :math:`K(u)` are inverted one by one (the coefficients of
    :math:`yJ_0` and :math:`J_1 = x\hat K`), then
    :math:`L_t = L_{det}(t) + a\sum_{s<t}K(t-1-s)(L_s+\sigma^2)` is summed step by step.
    A check of the closed form (which solves this convolution algebraically); not used by
    :func:`predict`.
    """
    ms = mode_set(spectrum, min_scale=0.05 / (eta * max(T, 1)), compress=compress)
    mu_max, _, _ = edge_of_modes(ms, N, math.inf)
    _, R3_xi = stability(ms, N, eta, batch, mu_max)
    left = None if R3_xi is None else (mu_max, R3_xi)
    sigma = spectrum.sigma
    steps = np.arange(1, T + 1, dtype=np.float64)
    det = np.empty(T + 1)
    det[0] = spectrum.initial_loss
    det[1:] = _invert(ms, N, eta, batch, sigma, steps, n_nodes, left, tol, "det")
    # K(u) is the coefficient of x^{u+1} of J1
    K = _invert(ms, N, eta, batch, sigma, np.arange(T, dtype=np.float64), n_nodes, left,
                tol, "kernel", shift=1)
    a = eta * eta / batch
    L = np.empty(T + 1)
    L[0] = det[0]
    for t in range(1, T + 1):
        L[t] = det[t] + a * float(K[:t][::-1] @ (L[:t] + sigma**2))
    return L
