r"""What every optimiser is: a frozen dataclass of hyper-parameters that knows its own rules.

An optimiser of the library is one class in one module of this package. It owns

* its **name** (CLI ``--optimizer`` value and ``params["optimizer"]`` in every result),
  its hyper-parameters (the dataclass fields) and their validation (``__post_init__``),
  and the CLI options that set them (``cli_options``: option -> field);
* its **clock**: ``discrete`` (time counts whole steps) or continuous time, and so the
  ``time_unit`` of its results;
* its **stability limit** :math:`\eta\mu_{max} <` :meth:`Optimizer.stability_limit` and the
  one-line refusal beyond it (:meth:`Optimizer.check_stability`);
* its **simulator step**: :meth:`Optimizer.simulate_with` names the simulation route a
  model engine takes for it (full batch in closed form, or one pass over fresh batches),
  and the closed form itself where there is one (``q_coefficients``);
* its **theory hook**: :meth:`Optimizer.predict_with` names the mean-field route.

``simulate_with(engine)`` and ``predict_with(engine)`` are double dispatch: the model's
engine offers a handful of routes (``engine.full_batch(opt)``, ``engine.online(opt)``,
``engine.gradient_flow(opt)``, ``engine.heavy_ball(opt, eta, beta)``,
``engine.heavy_ball_flow(opt, mass)``, ``engine.online_sgd(opt, eta, batch)``) and each
optimiser picks its own. No code outside this package asks which optimiser it holds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from .._errors import InvalidParameterError

__all__ = ["Optimizer", "Option", "slots_by_step"]


@dataclass(frozen=True)
class Option:
    """A hyper-parameter as the command line sets it: dataclass field, type and help text."""

    field: str
    kind: type
    help: str


class Optimizer:
    """Base of every optimiser (subclasses are frozen dataclasses; see the module notes)."""

    #: Short name: ``--optimizer NAME`` and ``params["optimizer"]``.
    name: ClassVar[str] = ""
    #: Its name in sentences (e.g. "gradient flow").
    label: ClassVar[str] = ""
    #: One-line description for ``--help`` and the docs.
    summary: ClassVar[str] = ""
    #: Whether time counts whole steps (``time_unit="steps"``) or is continuous.
    discrete: ClassVar[bool] = False
    #: Whether every step sees the whole training set (P samples, ensembles allowed).
    full_batch: ClassVar[bool] = True
    #: CLI option -> :class:`Option`, e.g. ``{"batch": Option("batch_size", int, "...")}``.
    cli_options: ClassVar[dict[str, Option]] = {}
    #: Simulation methods, the default first (empty: theory only).
    simulation_methods: ClassVar[tuple[str, ...]] = ()
    #: The stability limit as written in messages, before its value (e.g. ``"2 (1 + beta) = "``).
    limit_formula: ClassVar[str] = ""

    @property
    def time_unit(self) -> str:
        """``"steps"`` for discrete optimisers, ``"time"`` for continuous ones."""
        return "steps" if self.discrete else "time"

    def to_dict(self) -> dict[str, Any]:
        """``{"optimizer": name, **hyper-parameters}`` (inverse: ``optimizer_from_dict``)."""
        return {"optimizer": self.name, **asdict(self)}  # type: ignore[call-overload]

    @classmethod
    def example(cls) -> Optimizer:
        """A representative setting of this optimiser (docs and registry-wide tests)."""
        raise NotImplementedError  # pragma: no cover - every registered optimiser has one

    def simulation_stand_in(self) -> tuple[Optimizer, float]:
        """An optimiser with a simulator that this one is (or tends to), and its steps per time.

        For an optimiser with a simulator: itself, one step per unit of its time. A
        theory-only optimiser returns the simulated optimiser it is the limit of, so its
        theory can be checked against simulation.
        """
        return self, 1.0

    def stability_limit(self) -> float:
        r"""Largest stable :math:`\eta\mu_{max}` (``inf``: stable for every spectrum)."""
        return math.inf

    def check_stability(self, mu_max: float, *, source: str = "draw") -> None:
        """Refuse a step at or beyond the stability limit, naming the limit and the bound on eta.

        ``source`` says where ``mu_max`` came from: ``"draw"`` (the top eigenvalue of a
        simulated kernel) or ``"theory"`` (the mean-field spectral edge).
        """
        limit = self.stability_limit()
        if not math.isfinite(limit):
            return
        eta = float(self.eta)  # type: ignore[attr-defined]
        if eta * mu_max < limit:
            return
        need = (f"{self.name} needs eta * mu_max < {self.limit_formula}{limit:g}, "
                f"i.e. eta < {limit / mu_max:.6g}.")
        if source == "theory":
            raise InvalidParameterError(
                f"`eta` = {eta:g} is beyond the stability limit of {self.name}: the theory's "
                f"spectral edge is mu_max = {mu_max:.6g}, and {need}"
            )
        raise InvalidParameterError(
            f"`eta` = {eta:g} is unstable for this draw: the top kernel eigenvalue is "
            f"mu_max = {mu_max:.6g}, and {need}"
        )

    @property
    def samples_per_step(self) -> int:
        """Fresh samples drawn per step by an online optimiser (1 otherwise; sizes memory)."""
        return 1

    def require_simulator(self) -> None:
        """Refuse, in one line, to simulate an optimiser that has no simulator."""
        if not self.simulation_methods:
            raise InvalidParameterError(
                f"optimizer {self.name!r} has no simulator (it is theory only); "
                "predict it with the theory (scaling-dynamics theory)."
            )

    def simulate_with(self, engine: Any) -> Any:
        """Run this optimiser on a model's simulation engine (its route; see module notes)."""
        self.require_simulator()
        raise InvalidParameterError(f"optimizer {self.name!r} has no simulation route.")

    def predict_with(self, engine: Any) -> Any:
        """Run this optimiser on a model's theory engine (its route; see module notes)."""
        raise InvalidParameterError(f"optimizer {self.name!r} has no mean-field theory.")


def slots_by_step(steps: Iterable[Any]) -> dict[int, list[int]]:
    """Which output slots each step fills: ``{step: [indices into steps]}``.

    A step asked for twice fills both slots; iterate to ``max(steps)`` and write the
    state at step ``t`` into every slot of ``slots[t]``.

    >>> slots_by_step([0, 5, 5, 2])
    {0: [0], 5: [1, 2], 2: [3]}
    """
    slots: dict[int, list[int]] = {}
    for j, s in enumerate(steps):
        slots.setdefault(int(s), []).append(j)
    return slots
