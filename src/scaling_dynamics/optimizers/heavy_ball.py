r"""Heavy-ball momentum: :math:`w_{t+1} = w_t - \eta \nabla_w \hat L/2 + \beta (w_t - w_{t-1})`.

Starts from :math:`w_{-1} = w_0 = 0`; time counts steps. In the kernel's eigenbasis
:math:`w_t = q_t(K)\,h` with the recursion

.. math:: q_{t+1} = (1+\beta-\eta\mu)\,q_t - \beta\,q_{t-1} + \eta, \qquad q_0 = q_{-1} = 0,

evaluated exactly in integer steps by binary powers of its 3 x 3 affine companion matrix
(no division by :math:`\mu`). Stable while :math:`\eta\mu_{max} < 2(1+\beta)`. Theory:
the generating-function map onto the gradient-flow correlations (``docs/optimizers.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_real
from ._base import Optimizer, Option

__all__ = ["Momentum"]


@dataclass(frozen=True)
class Momentum(Optimizer):
    """Heavy-ball momentum with step ``eta`` (> 0) and momentum ``beta`` in [0, 1); time counts steps."""

    eta: float
    beta: float
    name = "momentum"
    label = "heavy-ball momentum"
    summary = "heavy-ball momentum (step eta, momentum beta)"
    discrete = True
    cli_options = {"eta": Option("eta", float, "step size"), "beta": Option("beta", float, "momentum in [0, 1)")}
    simulation_methods = ("exact", "literal")
    limit_formula = "2 (1 + beta) = "

    @classmethod
    def example(cls) -> Momentum:
        """A representative setting (docs and the registry-wide tests use it)."""
        return Momentum(eta=0.4, beta=0.5)

    def __post_init__(self) -> None:
        check_real("eta", self.eta, low=0.0, low_open=True)
        check_real("beta", self.beta, low=0.0, high=1.0, high_open=True)

    def stability_limit(self) -> float:
        return 2.0 * (1.0 + self.beta)

    @property
    def heavy_ball_form(self) -> tuple[float, float]:
        """``(eta, beta)`` of the heavy-ball recursion."""
        return self.eta, self.beta

    def q_coefficients(self, mu: np.ndarray, times: np.ndarray) -> np.ndarray:
        """:math:`q_t(\\mu)` for every eigenvalue (rows) and step (columns)."""
        mu = np.asarray(mu, dtype=np.float64)
        t = np.asarray(times, dtype=np.float64)
        # state s_t = (q_t, q_{t-1}); s_{t+1} = H s_t + (eta, 0)
        alpha = 1.0 + self.beta - self.eta * mu
        zeros, ones = np.zeros_like(mu), np.ones_like(mu)
        step = (alpha, -self.beta * ones, ones, zeros, self.eta * ones, zeros)
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

    def simulate_with(self, engine: Any) -> Any:
        return engine.full_batch(self)

    def predict_with(self, engine: Any) -> Any:
        return engine.heavy_ball(self, self.eta, self.beta)


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
