r"""Contours for discrete time: a circle in :math:`r` for early steps, Talbot in :math:`s = \log r` later.

A first-order linear method in discrete time (GD, heavy ball) has generating function
:math:`\sum_t v_t x^t = q(x)\, v_{GF}(z_m(x))` (``docs/optimizers.md``). With
:math:`r = 1/x` the step-``t`` value is the contour integral

.. math::  v_t = \frac{1}{2\pi i}\oint Q(r)\, v_{GF}(z_m(r))\, r^{t-1}\, dr, \qquad
           Q(r) = \frac{r-\beta}{\eta}, \quad z_m(r) = \frac{(r-1)(r-\beta)}{\eta r},

over a contour around every characteristic root (:math:`\beta = 0` is GD). Both rules
below return a :class:`~scaling_dynamics.theory.ContourRule` *in the gradient-flow
variable* :math:`z = z_m(r)`, with the factor :math:`Q(r)` and the kernel folded into the
weights, so that the gradient-flow correlation code evaluates them unchanged:
:math:`L_t = \tfrac12\operatorname{Re}\sum_{jk} w_j \bar{\bar v}_k C_0(z_j, z_k)` as for Talbot.

Circle (early steps)
    :math:`r_j = \rho e^{i\theta_j}`, :math:`\theta_j = 2\pi(j + \tfrac12)/n_c`, so that
    :math:`\frac{1}{2\pi i}\oint f(r) r^{t-1} dr \approx \frac{1}{n_c}\sum_j f(r_j) r_j^t`. The
    trapezoidal rule on a circle is exact up to aliasing: the generating function is a
    power series in :math:`x = 1/r`, so the error is the term :math:`\rho^{-n_c}` times the
    loss ``n_c`` steps later. With :math:`\rho = 1 + 4/T` and :math:`n_c = 6T` the aliasing
    is :math:`e^{-24}` and the kernel has modulus :math:`\rho^t \le e^4` on the circle for
    every :math:`t \le T` (no cancellation), so one set of nodes serves all steps
    :math:`t \le T` to about 1e-10. The half-integer offset keeps nodes off the real axis
    (where :math:`z_m` could land on the negative real axis, outside the responses' domain).
Talbot in :math:`s = \log r` (late steps)
    :math:`r^{t-1}dr = e^{st}ds`, so :math:`L_t` is an ordinary two-variable inverse Laplace
    transform in ``s`` of :math:`Q(e^s)Q(e^{s'})C_0(z_m(e^s), z_m(e^{s'}))` at time ``t``:
    the fixed Talbot rule of :mod:`._inversion` applies unchanged. It encloses the roots
    with :math:`r \in (0, 1]` (all of GD's modes with :math:`\eta\mu \le 1`, heavy ball's
    overdamped modes) and misses the oscillating ones (negative or complex roots, modulus
    at most :math:`\rho_{osc} < 1`), whose contribution :math:`O(\rho_{osc}^t)` is below
    tolerance once :math:`t > T_1 = \log(\mathrm{tol})/\log\rho_{osc}`. The contour stays in
    the strip :math:`|\operatorname{Im} s| < \pi` when :math:`t > 2n/5`.

:math:`z_m(r)` is evaluated as :math:`\mathrm{expm1}(s)(r-\beta)/(\eta r)` so that late
steps (``s`` of order :math:`10^{-6}`) keep full relative precision.
"""

from __future__ import annotations

import math

import numpy as np

from ._inversion import ContourRule, talbot_rule

__all__ = ["circle_nodes", "circle_rule", "log_talbot_rule", "circle_size", "z_of_r"]

#: Aliasing exponent of the circle: rho^{-n_c} <= e^{-_ALIAS}.
_ALIAS = 27.0
#: rho = 1 + _RADIUS / T: the kernel is at most e^{_RADIUS} on the circle.
_RADIUS = 4.0


def z_of_r(r: np.ndarray, rm1: np.ndarray, eta: float, beta: float) -> np.ndarray:
    r""":math:`z_m(r) = (r-1)(r-\beta)/(\eta r)` given ``r`` and ``rm1 = r - 1`` (computed accurately)."""
    return rm1 * (r - beta) / (eta * r)


def circle_size(T: float) -> tuple[float, int]:
    """Radius and (even) node count of the circle that serves every step ``t <= T``."""
    T = max(float(T), 1.0)
    rho = 1.0 + _RADIUS / T
    n = max(6.0 * T, _ALIAS / math.log(rho), 16.0)
    n_c = int(math.ceil(n / 2.0)) * 2
    return rho, n_c


def circle_nodes(T: float) -> tuple[np.ndarray, float, int]:
    """Upper-half nodes ``r_j`` (n_c/2 of them), the radius and the full node count."""
    rho, n_c = circle_size(T)
    theta = 2.0 * math.pi * (np.arange(n_c // 2) + 0.5) / n_c
    return rho * np.exp(1j * theta), rho, n_c


def circle_rule(times: np.ndarray, T: float, eta: float, beta: float) -> tuple[ContourRule, dict]:
    r"""The circle :math:`|r| = 1 + 4/T` (module notes), one shared node set, weights per step.

    Returns a rule whose ``nodes`` are the same row for every time (so callers may compute
    the correlations once), and a dict with the radius and node count.
    """
    r, rho, n_c = circle_nodes(T)
    rm1 = r - 1.0
    z = z_of_r(r, rm1, eta, beta)
    Q = (r - beta) / eta
    t = np.asarray(times, dtype=np.float64)
    # r^t = exp(t log r), log r = log(rho) + i theta; rule weight = 2 x full-contour weight
    logr = np.log(r)
    w = (2.0 / n_c) * Q[None, :] * np.exp(t[:, None] * logr[None, :])
    nodes = np.broadcast_to(z, (t.size, z.size))
    rule = ContourRule(times=t, nodes=nodes, weights=w, name="circle")
    return rule, {"radius": rho, "n_circle_nodes": n_c}


def log_talbot_rule(times: np.ndarray, n_nodes: int, eta: float, beta: float) -> ContourRule:
    r"""Fixed Talbot in :math:`s = \log r` at each step, mapped to :math:`z = z_m(e^s)` (module notes)."""
    base = talbot_rule(times, n_nodes)
    s = base.nodes
    rm1 = np.expm1(s)
    r = rm1 + 1.0
    z = z_of_r(r, rm1, eta, beta)
    Q = (r - beta) / eta
    return ContourRule(times=base.times, nodes=z, weights=base.weights * Q, name="talbot-log-r")
