"""The optimisers, one module each, and the registry that maps names to them.

Each optimiser is a frozen dataclass of its hyper-parameters that owns its validation,
stability limit, clock, closed form and simulation/theory routes (:mod:`._base`).
Everything else in the library reaches optimisers through this registry:
:func:`make_optimizer` (by name, as on the command line), :func:`optimizer_from_dict`
(from a result's ``params``) and :data:`OPTIMIZERS` (name -> class, in CLI order).

Adding an optimiser: write one module with its class, add it to :data:`OPTIMIZERS`
below, and document it (``docs/architecture.md`` walks through an example).

>>> make_optimizer("momentum", eta=0.5, beta=0.9)
Momentum(eta=0.5, beta=0.9)
>>> OPTIMIZER_NAMES
('gf', 'gd', 'momentum', 'sgd', 'momentum-flow')
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from .._errors import InvalidParameterError
from .._validation import check_choice
from ._base import Optimizer, Option, slots_by_step
from .gradient_descent import GradientDescent
from .gradient_flow import GradientFlow
from .heavy_ball import Momentum
from .heavy_ball_flow import HeavyBallFlow
from .online_sgd import OnlineSGD

__all__ = [
    "Optimizer",
    "Option",
    "GradientFlow",
    "GradientDescent",
    "Momentum",
    "OnlineSGD",
    "HeavyBallFlow",
    "OPTIMIZERS",
    "OPTIMIZER_NAMES",
    "make_optimizer",
    "optimizer_from_dict",
    "cli_option_names",
    "cli_options",
    "check_optimizer",
    "full_batch_names",
    "slots_by_step",
]

#: The registry: name -> optimiser class, in the order the CLI lists them.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GradientFlow, GradientDescent, Momentum, OnlineSGD, HeavyBallFlow)
}
OPTIMIZER_NAMES: tuple[str, ...] = tuple(OPTIMIZERS)


def cli_option_names() -> tuple[str, ...]:
    """Every hyper-parameter option of every optimiser (``eta``, ``beta``, ...), once each."""
    return tuple(cli_options())


def cli_options() -> dict[str, tuple[Option, tuple[str, ...]]]:
    """Each CLI option, its declaration (the first optimiser's) and the optimisers that use it."""
    out: dict[str, tuple[Option, tuple[str, ...]]] = {}
    for name, cls in OPTIMIZERS.items():
        for opt, spec in cls.cli_options.items():
            first, users = out.get(opt, (spec, ()))
            out[opt] = (first, (*users, name))
    return out


def full_batch_names(*, simulated: bool = False) -> tuple[str, ...]:
    """Names of the optimisers that train on the whole data set (``simulated``: and have a simulator)."""
    return tuple(n for n, c in OPTIMIZERS.items()
                 if c.full_batch and (c.simulation_methods or not simulated))


def check_optimizer(optimizer: Any) -> Optimizer:
    """``optimizer``, or gradient flow for None; anything else is refused in one line."""
    if optimizer is None:
        return GradientFlow()
    if not isinstance(optimizer, Optimizer):
        calls = [f"{c.__name__}({', '.join(f.name for f in fields(c))})"
                 for c in OPTIMIZERS.values()]
        raise InvalidParameterError(
            f"`optimizer` must be {', '.join(calls[:-1])} or {calls[-1]} "
            f"(scaling_dynamics.optimizers); got {optimizer!r}."
        )
    return optimizer


def _quoted(names: Any) -> str:
    return ", ".join("`" + n + "`" for n in sorted(names))


def make_optimizer(name: str = "gf", **options: Any) -> Optimizer:
    """Build an optimiser from its short name and hyper-parameters (as on the command line).

    ``options`` are CLI option names (``eta``, ``beta``, ``batch``, ``mass``); ``None``
    means not given. ``gf`` takes none; ``gd`` needs ``eta``; ``momentum`` needs ``eta``
    and ``beta``; ``sgd`` needs ``eta`` and ``batch``; ``momentum-flow`` needs ``mass``.
    A hyper-parameter the optimiser does not use is refused, so a typo cannot silently
    change the experiment.
    """
    name = check_choice("optimizer", name, OPTIMIZER_NAMES)
    cls = OPTIMIZERS[name]
    unknown = set(options) - set(cli_option_names())
    if unknown:
        raise InvalidParameterError(
            f"unknown optimizer option(s) {_quoted(unknown)}; options are "
            f"{_quoted(cli_option_names())}."
        )
    used = set(cls.cli_options)
    given = {k for k, v in options.items() if v is not None}
    extra = given - used
    if extra:
        raise InvalidParameterError(
            f"optimizer {name!r} does not use {_quoted(extra)}; "
            f"it takes {_quoted(used) or 'no hyper-parameters'}."
        )
    missing = used - given
    if missing:
        raise InvalidParameterError(f"optimizer {name!r} needs {_quoted(missing)}.")
    return cls(**{spec.field: options[opt] for opt, spec in cls.cli_options.items()})


def optimizer_from_dict(d: dict[str, Any]) -> Optimizer:
    """Inverse of ``Optimizer.to_dict`` on any registered optimiser."""
    cls = OPTIMIZERS.get(d.get("optimizer", "gf"))
    if cls is None:
        return make_optimizer(d.get("optimizer"))  # the one-line "must be one of" error
    return make_optimizer(cls.name,
                          **{opt: d.get(spec.field) for opt, spec in cls.cli_options.items()})
