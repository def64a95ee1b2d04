r"""Gradient flow: :math:`\dot w = -\nabla_w \hat L/2`, time ``t`` continuous.

Exact solution in the kernel's eigenbasis (``w_0 = 0``): :math:`w_t = q_t(K)\,h` with

.. math:: q_t(\mu) = \frac{1 - e^{-\mu t}}{\mu} \quad (= t \text{ at } \mu = 0).

Stable for every step (there is none); the other optimisers reduce to it as their step
size goes to zero, at time :math:`\eta \times` steps. Theory: the two-time DMFT
correlations of theory.md section 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._base import Optimizer
from ._numerics import phi1

__all__ = ["GradientFlow"]


@dataclass(frozen=True)
class GradientFlow(Optimizer):
    """Continuous-time gradient flow; time ``t`` is gradient-flow time."""

    name = "gf"
    label = "gradient flow"
    summary = "gradient flow (continuous time)"
    discrete = False
    simulation_methods = ("exact",)

    @classmethod
    def example(cls) -> GradientFlow:
        """A representative setting (docs and the registry-wide tests use it)."""
        return GradientFlow()

    def q_coefficients(self, mu: np.ndarray, times: np.ndarray) -> np.ndarray:
        """:math:`q_t(\\mu)` for every eigenvalue (rows) and time (columns)."""
        mu = np.asarray(mu, dtype=np.float64)
        t = np.asarray(times, dtype=np.float64)
        return t[None, :] * phi1(mu[:, None] * t[None, :])

    def simulate_with(self, engine: Any) -> Any:
        return engine.full_batch(self)

    def predict_with(self, engine: Any) -> Any:
        return engine.gradient_flow(self)
