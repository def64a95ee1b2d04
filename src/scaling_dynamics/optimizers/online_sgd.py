r"""One-pass SGD: each step a fresh batch of B samples, :math:`w_{t+1} = w_t - \eta\nabla_w\hat L_{B_t}/2`.

``P`` plays no role (every sample is new); time counts steps; no ensembles. Two
stability conditions (``docs/optimizers.md`` section 3): every mode contracts,

.. math:: p(\mu) = (1-\eta\mu)^2 + \eta^2\mu^2/B < 1 \iff \eta\mu_{max} < \frac{2B}{B+1},

and the batch noise fed back by the modes stays below one,

.. math:: A_K = \frac{\eta}{B}\sum_i \frac{\mu_i}{2 - c\,\eta\mu_i} < 1, \qquad c = \frac{B+1}{B}

(otherwise the expected loss grows geometrically).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import check_int, check_real
from ._base import Optimizer, Option

__all__ = ["OnlineSGD"]


@dataclass(frozen=True)
class OnlineSGD(Optimizer):
    """One-pass SGD: step ``eta`` (> 0), fresh batch of ``batch_size`` (>= 1) samples each step."""

    eta: float
    batch_size: int
    name = "sgd"
    label = "one-pass SGD"
    summary = "one-pass SGD (step eta, fresh batch of B samples each step)"
    discrete = True
    full_batch = False
    cli_options = {"eta": Option("eta", float, "step size"), "batch": Option("batch_size", int, "batch size B >= 1")}
    simulation_methods = ("sample", "expected", "literal")
    limit_formula = "2B/(B+1) = "

    @classmethod
    def example(cls) -> OnlineSGD:
        """A representative setting (docs and the registry-wide tests use it)."""
        return OnlineSGD(eta=0.5, batch_size=4)

    def __post_init__(self) -> None:
        check_real("eta", self.eta, low=0.0, low_open=True)
        object.__setattr__(self, "batch_size", check_int("batch", self.batch_size, low=1))

    def stability_limit(self) -> float:
        B = self.batch_size
        return 2.0 * B / (B + 1.0)

    @property
    def samples_per_step(self) -> int:
        return self.batch_size

    def noise_gain(self, mu: np.ndarray) -> float:
        """:math:`A_K` of the module notes for the non-null eigenvalues ``mu`` of one draw."""
        B = self.batch_size
        c = (B + 1.0) / B
        return self.eta / B * float(np.sum(mu / (2.0 - c * self.eta * mu)))

    def check_draw(self, mu: np.ndarray) -> None:
        """Both stability conditions on one simulated draw (eigenvalues ``mu``)."""
        self.check_stability(float(mu.max()) if mu.size else 0.0)
        gain = self.noise_gain(mu)
        if gain >= 1.0:
            raise InvalidParameterError(
                f"`eta` = {self.eta:g} is unstable for one-pass SGD with batch "
                f"{self.batch_size} on this draw: the batch-noise gain A_K = (eta/B) sum_i "
                f"mu_i / (2 - (B+1)/B eta mu_i) = {gain:.4g} must be < 1 (reduce eta or "
                "increase the batch)."
            )

    def simulate_with(self, engine: Any) -> Any:
        return engine.online(self)

    def predict_with(self, engine: Any) -> Any:
        return engine.online_sgd(self, self.eta, self.batch_size)
