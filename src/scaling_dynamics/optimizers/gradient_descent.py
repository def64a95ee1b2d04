r"""Full-batch gradient descent: :math:`w_{t+1} = w_t - \eta \nabla_w \hat L/2`; time counts steps.

Exact solution in the kernel's eigenbasis (``w_0 = 0``): :math:`w_t = q_t(K)\,h` with

.. math:: q_t(\mu) = \frac{1 - (1-\eta\mu)^t}{\mu},

written as :math:`\eta t\,\frac{-\log(1-u)}{u}\,\phi_1(-t\log(1-u))`, :math:`u = \eta\mu < 1`,
without cancellation as :math:`u \to 0`. Stable while :math:`\eta\mu_{max} < 2`. It is
heavy ball with :math:`\beta = 0`, and shares its literal update and its theory
(``docs/optimizers.md`` sections 1-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_real
from ._base import Optimizer, Option
from ._numerics import log1m_ratio, phi1

__all__ = ["GradientDescent"]


@dataclass(frozen=True)
class GradientDescent(Optimizer):
    """Full-batch gradient descent with step ``eta`` (> 0); time counts steps."""

    eta: float
    name = "gd"
    label = "gradient descent"
    summary = "full-batch gradient descent (step eta)"
    discrete = True
    cli_options = {"eta": Option("eta", float, "step size")}
    simulation_methods = ("exact", "literal")

    @classmethod
    def example(cls) -> GradientDescent:
        """A representative setting (docs and the registry-wide tests use it)."""
        return GradientDescent(eta=0.5)

    def __post_init__(self) -> None:
        check_real("eta", self.eta, low=0.0, low_open=True)

    def stability_limit(self) -> float:
        return 2.0

    @property
    def heavy_ball_form(self) -> tuple[float, float]:
        """``(eta, beta)`` of the heavy-ball recursion this is (``beta = 0``)."""
        return self.eta, 0.0

    def q_coefficients(self, mu: np.ndarray, times: np.ndarray) -> np.ndarray:
        """:math:`q_t(\\mu)` for every eigenvalue (rows) and step (columns)."""
        mu = np.asarray(mu, dtype=np.float64)
        t = np.asarray(times, dtype=np.float64)
        eta = self.eta
        u = eta * mu
        q = np.empty((mu.size, t.size))
        small = u < 1.0
        # 0 <= u < 1: 1 - (1-u)^t = -expm1(t log(1-u)), no cancellation as u -> 0.
        us = u[small]
        ratio = log1m_ratio(us)  # -log(1-u)/u
        x = us[:, None] * ratio[:, None] * t[None, :]  # -t log(1-u)
        q[small] = eta * t[None, :] * ratio[:, None] * phi1(x)
        # 1 <= u < 2: alternating but decaying; mu is not small here.
        big = ~small
        if big.any():
            base = 1.0 - u[big]
            q[big] = (1.0 - np.power(base[:, None], t[None, :])) / mu[big][:, None]
        return q

    def simulate_with(self, engine: Any) -> Any:
        return engine.full_batch(self)

    def predict_with(self, engine: Any) -> Any:
        return engine.heavy_ball(self, self.eta, 0.0)
