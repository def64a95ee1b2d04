r"""The scalar functions :math:`q_t(\mu)` with :math:`w_t = q_t(K)\,h` for each full-batch optimiser.

In the eigenbasis of the kernel every coordinate evolves on its own, and with
:math:`w_0 = 0` its value at time t is :math:`q_t(\mu)\,c`:

* gradient flow: :math:`q_t(\mu) = (1 - e^{-\mu t})/\mu`;
* gradient descent (step :math:`\eta`): :math:`q_t(\mu) = (1 - (1-\eta\mu)^t)/\mu`;
* heavy-ball momentum: :math:`q_{t+1} = (1+\beta-\eta\mu) q_t - \beta q_{t-1} + \eta`,
  :math:`q_0 = q_{-1} = 0`, evaluated by binary powers of its 3x3 affine
  companion matrix (exact in integer steps, no division by :math:`\mu`).

All are written without cancellation for small :math:`\mu` (``expm1``, ``log1p``),
so a zero eigenvalue gives :math:`q_t = t` (gradient flow) or :math:`\eta t`.
"""

from __future__ import annotations

import numpy as np

from .._errors import InvalidParameterError
from ..optimizers import GradientDescent, GradientFlow, Momentum, Optimizer

__all__ = ["q_coefficients", "check_stability", "stability_limit"]


def _phi1(x: np.ndarray) -> np.ndarray:
    """:math:`(1 - e^{-x})/x` for x >= 0, equal to 1 at x = 0."""
    out = np.ones_like(x)
    nz = x > 0
    out[nz] = -np.expm1(-x[nz]) / x[nz]
    return out


def _log1m_ratio(u: np.ndarray) -> np.ndarray:
    """:math:`-\\log(1-u)/u` for 0 <= u < 1, equal to 1 at u = 0."""
    out = np.ones_like(u)
    nz = u > 0
    out[nz] = -np.log1p(-u[nz]) / u[nz]
    return out


def stability_limit(optimizer: Optimizer) -> float:
    r"""Largest stable :math:`\eta\mu`: 2 for GD, :math:`2(1+\beta)` for momentum, inf for GF."""
    if isinstance(optimizer, GradientDescent):
        return 2.0
    if isinstance(optimizer, Momentum):
        return 2.0 * (1.0 + optimizer.beta)
    return np.inf


def check_stability(optimizer: Optimizer, mu_max: float) -> None:
    """Refuse a step size at or beyond this draw's stability limit, naming the limit."""
    limit = stability_limit(optimizer)
    if not np.isfinite(limit):
        return
    eta = optimizer.eta
    if eta * mu_max >= limit:
        raise InvalidParameterError(
            f"`eta` = {eta:g} is unstable for this draw: the top kernel eigenvalue is "
            f"mu_max = {mu_max:.6g}, and {optimizer.name} needs eta * mu_max < {limit:g}, "
            f"i.e. eta < {limit / mu_max:.6g}."
        )


def q_coefficients(optimizer: Optimizer, mu: np.ndarray, times: np.ndarray) -> np.ndarray:
    """:math:`q_t(\\mu)` for every eigenvalue (rows) and time (columns), shape (r, n_times)."""
    mu = np.asarray(mu, dtype=np.float64)
    t = np.asarray(times, dtype=np.float64)
    if isinstance(optimizer, GradientFlow):
        x = mu[:, None] * t[None, :]
        return t[None, :] * _phi1(x)
    if isinstance(optimizer, GradientDescent):
        return _q_gd(optimizer.eta, mu, t)
    if isinstance(optimizer, Momentum):
        return _q_momentum(optimizer.eta, optimizer.beta, mu, t)
    raise InvalidParameterError(f"no closed form for optimizer {optimizer!r}")  # pragma: no cover


def _q_gd(eta: float, mu: np.ndarray, t: np.ndarray) -> np.ndarray:
    u = eta * mu
    q = np.empty((mu.size, t.size))
    small = u < 1.0
    # 0 <= u < 1: 1 - (1-u)^t = -expm1(t log(1-u)), no cancellation as u -> 0.
    us = u[small]
    ratio = _log1m_ratio(us)  # -log(1-u)/u
    x = us[:, None] * ratio[:, None] * t[None, :]  # -t log(1-u)
    q[small] = eta * t[None, :] * ratio[:, None] * _phi1(x)
    # 1 <= u < 2: alternating but decaying; mu is not small here.
    big = ~small
    if big.any():
        base = 1.0 - u[big]
        q[big] = (1.0 - np.power(base[:, None], t[None, :])) / mu[big][:, None]
    return q


def _affine_mul(a, b):
    """Product of affine maps (H, g) acting as s -> H s + g, batched over modes: a after b."""
    (a11, a12, a21, a22, ag1, ag2), (b11, b12, b21, b22, bg1, bg2) = a, b
    return (
        a11 * b11 + a12 * b21,
        a11 * b12 + a12 * b22,
        a21 * b11 + a22 * b21,
        a21 * b12 + a22 * b22,
        a11 * bg1 + a12 * bg2 + ag1,
        a21 * bg1 + a22 * bg2 + ag2,
    )


def _affine_pow(m, n: int):
    ones, zeros = np.ones_like(m[0]), np.zeros_like(m[0])
    result = (ones, zeros, zeros, ones, zeros, zeros)
    base = m
    while n > 0:
        if n & 1:
            result = _affine_mul(base, result)
        n >>= 1
        if n:
            base = _affine_mul(base, base)
    return result


def _q_momentum(eta: float, beta: float, mu: np.ndarray, t: np.ndarray) -> np.ndarray:
    # state s_t = (q_t, q_{t-1}); s_{t+1} = H s_t + (eta, 0)
    alpha = 1.0 + beta - eta * mu
    zeros, ones = np.zeros_like(mu), np.ones_like(mu)
    step = (alpha, -beta * ones, ones, zeros, eta * ones, zeros)
    order = np.argsort(t, kind="stable")
    q = np.empty((mu.size, t.size))
    state = (ones, zeros, zeros, ones, zeros, zeros)  # identity: s_0 = (0, 0) maps to g
    done = 0
    for j in order:
        n = int(t[j])
        if n > done:
            state = _affine_mul(_affine_pow(step, n - done), state)
            done = n
        q[:, j] = state[4]  # applied to s_0 = 0 the first component is the offset
    return q
