r"""A network trained by full-batch GD with step :math:`\eta`, as an optimiser of the model.

The linearised network moves its function as :math:`f \leftarrow f - \eta K (f - y)/P`,
the model's gradient descent with the same step. Two ways to follow it (``optimizer``
everywhere in :mod:`scaling_dynamics.empirical`):

* ``"gd"``: discrete GD with step :math:`\eta` (the exact mapping); mode :math:`\mu` decays
  as :math:`(1 - \eta\mu)^t` and time counts steps;
* ``"gf"``: gradient flow, the small-step limit; mode :math:`\mu` decays as
  :math:`e^{-\eta\mu t}` and the model's time is :math:`\eta t`.

The name is turned into an optimiser object once, by :func:`network_optimizer`; the code
after it reads ``optimizer.discrete`` and ``optimizer.name``.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_choice
from ..optimizers import Optimizer, make_optimizer

__all__ = ["NETWORK_OPTIMIZERS", "decay", "model_times", "network_optimizer", "time_mapping"]

#: Optimisers a network trained by full-batch GD maps onto, with the hyper-parameters
#: each takes from the network's step.
_HYPER_PARAMETERS: dict[str, tuple[str, ...]] = {"gd": ("eta",), "gf": ()}
NETWORK_OPTIMIZERS = tuple(_HYPER_PARAMETERS)


def network_optimizer(name: str, eta: float) -> Optimizer:
    """The model's optimiser ``name`` (``"gd"`` or ``"gf"``) for a network's GD step ``eta``."""
    name = check_choice("optimizer", name, NETWORK_OPTIMIZERS)
    return make_optimizer(name, **{k: eta for k in _HYPER_PARAMETERS[name]})


def model_times(optimizer: Optimizer, eta: float, steps: np.ndarray) -> np.ndarray:
    r"""The model's times of the network's ``steps``: the steps (discrete) or :math:`\eta t`."""
    return steps if optimizer.discrete else eta * steps


def time_mapping(optimizer: Optimizer) -> str:
    """How network steps became the model's time (``params["time_mapping"]``)."""
    return "GD steps, same eta" if optimizer.discrete else "gradient-flow time eta * steps"


def decay(mu: np.ndarray, steps: np.ndarray, eta: float, optimizer: Optimizer) -> np.ndarray:
    r""":math:`(1 - \eta\mu)^t` for discrete GD (any sign of the base), :math:`e^{-\eta\mu t}` for flow.

    Returns shape ``(steps.size, mu.size)``.
    """
    if not optimizer.discrete:
        return np.exp(-eta * np.outer(steps, mu))
    base = 1.0 - eta * mu
    mag = np.exp(np.outer(steps, np.log(np.maximum(np.abs(base), 1e-300))))
    mag[:, base == 0] = 0.0
    mag[steps == 0, :] = 1.0
    odd = (steps.astype(np.int64) % 2 == 1)[:, None]
    return np.where(odd & (base < 0), -mag, mag)
