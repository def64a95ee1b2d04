r"""Optimisers of the random-feature model, as small validated descriptions.

All act on the train loss :math:`\hat L/2` with the trainable weights starting at zero.

* :class:`GradientFlow`: :math:`\dot w = -\nabla_w \hat L/2`; time ``t`` is continuous.
* :class:`GradientDescent`: :math:`w_{t+1} = w_t - \eta \nabla_w \hat L/2`; time counts steps.
* :class:`Momentum` (heavy ball): :math:`w_{t+1} = w_t - \eta \nabla_w \hat L/2
  + \beta (w_t - w_{t-1})`, :math:`w_{-1} = w_0`; time counts steps.
* :class:`OnlineSGD` (one pass): each step uses a fresh batch of ``batch_size``
  samples, :math:`w_{t+1} = w_t - \eta \nabla_w \hat L_{B_t}/2`; ``P`` plays no
  role; time counts steps.

Gradient flow is the small-step limit of the others at time :math:`\eta \times` steps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ._validation import check_choice, check_int, check_real

__all__ = [
    "GradientFlow",
    "GradientDescent",
    "Momentum",
    "OnlineSGD",
    "Optimizer",
    "OPTIMIZER_NAMES",
    "make_optimizer",
]


class _Optimizer:
    """What every optimiser shares: its record in ``LossCurves.params``."""

    name = ""

    def to_dict(self) -> dict[str, Any]:
        """``{"optimizer": name, **hyper-parameters}`` (inverse: :func:`optimizer_from_dict`)."""
        return {"optimizer": self.name, **asdict(self)}  # type: ignore[call-overload]


@dataclass(frozen=True)
class GradientFlow(_Optimizer):
    """Continuous-time gradient flow; time ``t`` is gradient-flow time."""

    name = "gf"
    discrete = False


@dataclass(frozen=True)
class GradientDescent(_Optimizer):
    """Full-batch gradient descent with step ``eta`` (> 0); time counts steps."""

    eta: float
    name = "gd"
    discrete = True

    def __post_init__(self) -> None:
        check_real("eta", self.eta, low=0.0, low_open=True)


@dataclass(frozen=True)
class Momentum(_Optimizer):
    """Heavy-ball momentum with step ``eta`` (> 0) and momentum ``beta`` in [0, 1); time counts steps."""

    eta: float
    beta: float
    name = "momentum"
    discrete = True

    def __post_init__(self) -> None:
        check_real("eta", self.eta, low=0.0, low_open=True)
        check_real("beta", self.beta, low=0.0, high=1.0, high_open=True)


@dataclass(frozen=True)
class OnlineSGD(_Optimizer):
    """One-pass SGD: step ``eta`` (> 0), fresh batch of ``batch_size`` (>= 1) samples each step."""

    eta: float
    batch_size: int
    name = "sgd"
    discrete = True

    def __post_init__(self) -> None:
        check_real("eta", self.eta, low=0.0, low_open=True)
        object.__setattr__(self, "batch_size", check_int("batch", self.batch_size, low=1))


Optimizer = GradientFlow | GradientDescent | Momentum | OnlineSGD
OPTIMIZER_NAMES = ("gf", "gd", "momentum", "sgd")


def make_optimizer(
    name: str = "gf", *, eta: float | None = None, beta: float | None = None, batch: int | None = None
) -> Optimizer:
    """Build an optimiser from its short name and hyper-parameters (as on the command line).

    ``gf`` takes none; ``gd`` needs ``eta``; ``momentum`` needs ``eta`` and ``beta``;
    ``sgd`` needs ``eta`` and ``batch``. A hyper-parameter the optimiser does not use
    is refused, so a typo cannot silently change the experiment.
    """
    from ._errors import InvalidParameterError

    name = check_choice("optimizer", name, OPTIMIZER_NAMES)
    used = {"gf": set(), "gd": {"eta"}, "momentum": {"eta", "beta"}, "sgd": {"eta", "batch"}}[name]
    given = {k for k, v in {"eta": eta, "beta": beta, "batch": batch}.items() if v is not None}
    extra = given - used
    if extra:
        raise InvalidParameterError(
            f"optimizer {name!r} does not use {', '.join('`' + e + '`' for e in sorted(extra))}; "
            f"it takes {', '.join('`' + u + '`' for u in sorted(used)) or 'no hyper-parameters'}."
        )
    missing = used - given
    if missing:
        raise InvalidParameterError(
            f"optimizer {name!r} needs {', '.join('`' + m + '`' for m in sorted(missing))}."
        )
    if name == "gf":
        return GradientFlow()
    if name == "gd":
        return GradientDescent(eta=eta)
    if name == "momentum":
        return Momentum(eta=eta, beta=beta)
    return OnlineSGD(eta=eta, batch_size=batch)


def optimizer_from_dict(d: dict[str, Any]) -> Optimizer:
    """Inverse of ``to_dict`` on any optimiser."""
    name = d.get("optimizer", "gf")
    return make_optimizer(name, eta=d.get("eta"), beta=d.get("beta"), batch=d.get("batch_size"))
