"""What every model is: a named entry that can simulate and predict, and says what it supports.

A model of the library (the random-feature model today; the feature-learning model of
the ICLR 2025 sequel next) is one package or module with one class deriving from
:class:`Model`, registered in :data:`scaling_dynamics.models.MODELS`. It owns

* its **name** and the **parameters** it adds to the shared ones (spectrum, N, P, times,
  optimiser), with their defaults;
* what its **simulator** evolves and what its **theory** solves (``simulate`` and
  ``predict``, both returning :class:`~scaling_dynamics.LossCurves`);
* which **limits** it supports (N, P, M infinite, in simulation and in theory) and which
  optimisers, refused with one line otherwise (:meth:`Model.check_supported`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from .._errors import InvalidParameterError
from ..optimizers import Optimizer
from ..results import LossCurves
from ..spectra import Spectrum

__all__ = ["Model", "Support"]


@dataclass(frozen=True)
class Support:
    """Which sizes may be infinite, and which optimisers run, in one of a model's engines."""

    infinite_N: bool
    infinite_P: bool
    infinite_M: bool
    optimizers: tuple[str, ...]


class Model:
    """Base of every model (see the module notes)."""

    #: Registry name (``model=`` in the Python API).
    name: ClassVar[str] = ""
    #: One line for listings and the docs.
    summary: ClassVar[str] = ""
    #: Model-specific parameters and their defaults (e.g. ``{"gamma": 0.0}``).
    parameters: ClassVar[dict[str, Any]] = {}
    #: What the simulator and the theory support.
    simulation: ClassVar[Support]
    theory: ClassVar[Support]

    def simulate(self, spectrum: Spectrum, N: Any, P: Any, times: Any, **options: Any
                 ) -> LossCurves:
        """Exact simulation over random draws (mean and standard error over seeds)."""
        raise NotImplementedError  # pragma: no cover - every registered model overrides it

    def predict(self, spectrum: Spectrum, N: Any, P: Any, times: Any, **options: Any
                ) -> LossCurves:
        """The model's theory for the same curves."""
        raise NotImplementedError  # pragma: no cover - every registered model overrides it

    def example_problem(self) -> dict[str, Any]:
        """The small case on which the registry test checks this model's theory against its
        simulation: ``spectrum``, ``N``, ``P``, ``n_seeds``, model ``options`` and ``rtol``
        (agreement within 3 standard errors plus ``rtol`` relative)."""
        raise NotImplementedError  # pragma: no cover - every registered model overrides it

    def check_supported(self, engine: str, spectrum: Spectrum, N: Any, P: Any,
                        optimizer: Optimizer | None) -> None:
        """Refuse, in one line, a limit or an optimiser that ``engine`` does not support."""
        support = self.simulation if engine == "simulation" else self.theory
        sizes = {"N": (N, support.infinite_N), "P": (P, support.infinite_P),
                 "M": (spectrum.M, support.infinite_M)}
        for size, (value, allowed) in sizes.items():
            if not allowed and _is_inf(value):
                raise InvalidParameterError(
                    f"`{size}` must be finite for the {engine} of the {self.name} model "
                    f"(got {size} = inf); supported: finite {size}."
                )
        name = "gf" if optimizer is None else optimizer.name
        if name not in support.optimizers:
            raise InvalidParameterError(
                f"`optimizer` {name!r} is not supported by the {engine} of the {self.name} "
                f"model; supported: {', '.join(support.optimizers)}."
            )


def _is_inf(value: Any) -> bool:
    try:
        return math.isinf(float(value))
    except (TypeError, ValueError):
        return False
