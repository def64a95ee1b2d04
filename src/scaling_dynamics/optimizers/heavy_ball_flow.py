r"""Heavy-ball momentum in continuous time: :math:`m\ddot v + \dot v = -\nabla_v \hat L/2`.

The limit of heavy ball ``(eta, beta)`` as :math:`\eta \to 0`, :math:`\beta \to 1` with mass
:math:`m = \eta/(1-\beta)^2` fixed, at time :math:`\tau = \eta t/(1-\beta)`
(``docs/optimizers.md``). Theory only (the simulator iterates the discrete optimisers);
time is continuous. ``m -> 0`` is gradient flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._validation import check_real
from ._base import Optimizer, Option
from .heavy_ball import Momentum

__all__ = ["HeavyBallFlow"]


@dataclass(frozen=True)
class HeavyBallFlow(Optimizer):
    r"""Heavy-ball momentum in continuous time, :math:`m\ddot v + \dot v = -\nabla_v \hat L/2`.

    The limit of :class:`~scaling_dynamics.Momentum` ``(eta, beta)`` as
    :math:`\eta \to 0`, :math:`\beta \to 1` with mass :math:`m = \eta/(1-\beta)^2` fixed, at
    time :math:`\tau = \eta t/(1-\beta)` (``docs/optimizers.md``). Theory only (the
    simulator iterates the discrete optimisers); time is continuous (``time_unit="time"``).

    Parameters
    ----------
    mass : float
        :math:`m > 0` (``m -> 0`` is gradient flow).
    """

    mass: float
    name = "momentum-flow"
    label = "heavy-ball flow"
    summary = "heavy-ball momentum in continuous time (mass m; theory only)"
    discrete = False
    cli_options = {"mass": Option("mass", float, "mass m > 0 of the continuous heavy ball")}

    @classmethod
    def example(cls) -> HeavyBallFlow:
        """A representative setting (docs and the registry-wide tests use it)."""
        return HeavyBallFlow(mass=2.0)

    def __post_init__(self) -> None:
        check_real("mass", self.mass, low=0.0, low_open=True)

    def simulation_stand_in(self) -> tuple[Optimizer, float]:
        r"""Discrete heavy ball at step :math:`h = \sqrt{\eta m} = 0.05` (O(h) from the flow)."""
        return self.discrete_counterpart(0.0025 / self.mass)

    def discrete_counterpart(self, eta: float) -> tuple[Momentum, float]:
        r"""Discrete heavy ball that this flow is the limit of, and its steps per unit time.

        :math:`\beta = 1 - \sqrt{\eta/m}` keeps :math:`m = \eta/(1-\beta)^2`; one step is
        :math:`h = \sqrt{\eta m}` of flow time, so time :math:`\tau` is step :math:`\tau/h`.
        The difference between the two shrinks linearly in :math:`h`.
        """
        beta = 1.0 - (eta / self.mass) ** 0.5
        return Momentum(eta=eta, beta=beta), 1.0 / (eta * self.mass) ** 0.5

    def predict_with(self, engine: Any) -> Any:
        return engine.heavy_ball_flow(self, self.mass)
