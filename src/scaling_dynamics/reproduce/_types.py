"""Result types of the paper reproduction: one frozen record per figure.

A figure is judged by two kinds of numbers:

* :class:`CurveAgreement` -- for every theory curve drawn over simulation points, the
  deviations :math:`(\\text{theory} - \\text{simulation mean}) / \\text{sem}` at each point
  and where they exceed the threshold (3 standard errors);
* :class:`ExponentCheck` -- a scaling exponent measured (from the theory or from the
  simulations) next to the closed form the paper predicts.

:class:`FigureResult` holds both with the PNG path, a caption and the parameters, and
round-trips through JSON (``to_dict`` from :class:`~scaling_dynamics._records.Record`, infinities
encoded where the file is written; ``from_dict``) so the HTML report can be rebuilt from a
folder of results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._records import Record
from ..results import decode_params

__all__ = [
    "AGREEMENT_THRESHOLD",
    "PRESETS",
    "CurveAgreement",
    "ExponentCheck",
    "FigureResult",
    "FigureSpec",
    "ScalingVariant",
]

#: Deviation (in standard errors of the simulation mean) beyond which a point disagrees.
AGREEMENT_THRESHOLD = 3.0

#: Size presets: ``tiny`` (seconds, for tests), ``default`` (all figures together in
#: about a minute on 2 quiet cores), ``full`` (the paper's sizes; tens of minutes).
PRESETS = ("tiny", "default", "full")


@dataclass(frozen=True)
class CurveAgreement(Record):
    r"""How one theory curve compares with the simulation points drawn under it.

    The deviation at point i is :math:`d_i = (T_i - S_i)/s_i`, with :math:`T` the theory,
    :math:`S` the mean over seeds and :math:`s` its standard error floored at the theory's
    numerical accuracy (:data:`~scaling_dynamics.reproduce.THEORY_ACCURACY` times the scale
    of the curve), so that points where both reach round-off do not give meaningless ratios.

    Attributes
    ----------
    label : str
        Which curve (e.g. ``"test loss, N=100"``).
    x_name : str
        The abscissa (``"t"``, ``"N"``, ``"steps"``...).
    n_points : int
        Points compared.
    max_abs_deviation : float
        :math:`\max_i |d_i|` (in standard errors).
    worst_x : float
        Abscissa of that point.
    above_threshold : tuple of float
        Abscissae where :math:`|d_i| >` :data:`AGREEMENT_THRESHOLD`.
    n_seeds : int
        Independent draws behind each simulation mean.
    """

    label: str
    x_name: str
    n_points: int
    max_abs_deviation: float
    worst_x: float
    above_threshold: tuple[float, ...] = ()
    n_seeds: int = 0

    @property
    def agrees(self) -> bool:
        """True when every point lies within :data:`AGREEMENT_THRESHOLD` standard errors."""
        return not self.above_threshold

    def statement(self) -> str:
        """One sentence for the report."""
        where = ", ".join(f"{self.x_name} = {x:.3g}" for x in self.above_threshold[:6])
        more = "" if len(self.above_threshold) <= 6 else f" (and {len(self.above_threshold) - 6} more)"
        if self.agrees:
            return (f"{self.label}: within {AGREEMENT_THRESHOLD:g} sem at all {self.n_points} "
                    f"points (max {self.max_abs_deviation:.2f} sem)")
        return (f"{self.label}: beyond {AGREEMENT_THRESHOLD:g} sem at {where}{more} "
                f"(max {self.max_abs_deviation:.2f} sem at {self.x_name} = {self.worst_x:.3g})")

    def _dict_extra(self) -> dict[str, Any]:
        return {"agrees": self.agrees}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CurveAgreement:
        return cls(
            label=d["label"],
            x_name=d["x_name"],
            n_points=int(d["n_points"]),
            max_abs_deviation=float(decode_params(d["max_abs_deviation"])),
            worst_x=float(decode_params(d["worst_x"])),
            above_threshold=tuple(float(decode_params(x)) for x in d.get("above_threshold", [])),
            n_seeds=int(d.get("n_seeds", 0)),
        )


@dataclass(frozen=True)
class ExponentCheck(Record):
    """A measured scaling exponent next to its closed-form prediction.

    Attributes
    ----------
    quantity : str
        What scales, e.g. ``"time bottleneck: L ~ t^-r"``.
    measured : float
        The exponent measured (decay rates positive, growth rates positive).
    predicted : float
        The closed form (theory.md section 5; Bordelon et al. 2024, Eq. 14 and 17).
    source : str
        How it was measured (theory or simulation, which sizes, which fit range).
    """

    quantity: str
    measured: float
    predicted: float
    source: str

    @property
    def difference(self) -> float:
        return self.measured - self.predicted

    def _dict_extra(self) -> dict[str, Any]:
        return {"difference": self.difference}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ExponentCheck:
        return cls(d["quantity"], float(decode_params(d["measured"])),
                   float(decode_params(d["predicted"])),
                   d["source"])


@dataclass(frozen=True)
class FigureResult(Record):
    """One reproduced figure: where it is, what it shows, and how theory and simulation compare.

    Attributes
    ----------
    name : str
        Registry name (``scaling-dynamics reproduce NAME``).
    title : str
    path : str
        The PNG.
    data_path : str
        JSON with the numbers behind every plotted curve (and this record).
    caption : str
        What the figure shows, in words, with the parameters.
    params : dict
        The parameters (a, b, M, N, P, sigma, seeds, times...), JSON-ready.
    agreement : tuple of CurveAgreement
        One entry per theory curve that has simulation points.
    exponents : tuple of ExponentCheck
        Measured against predicted exponents.
    preset : str
        ``tiny``, ``default`` or ``full``.
    wall_time_s : float
    notes : tuple of str
        Anything the reader should know (e.g. a known finite-size effect).
    """

    name: str
    title: str
    path: str
    data_path: str
    caption: str
    params: dict[str, Any]
    agreement: tuple[CurveAgreement, ...]
    exponents: tuple[ExponentCheck, ...]
    preset: str
    wall_time_s: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def agrees(self) -> bool:
        """Every compared curve within the threshold (True when nothing was compared)."""
        return all(a.agrees for a in self.agreement)

    @property
    def max_abs_deviation(self) -> float:
        return max((a.max_abs_deviation for a in self.agreement), default=math.nan)

    def agreement_statement(self) -> str:
        """The report's verdict for the figure, naming every curve beyond the threshold."""
        if not self.agreement:
            return "No simulation points in this figure (theory only)."
        n = sum(a.n_points for a in self.agreement)
        if self.agrees:
            return (f"Theory and simulation agree within {AGREEMENT_THRESHOLD:g} standard errors "
                    f"on all {len(self.agreement)} curves ({n} points; largest deviation "
                    f"{self.max_abs_deviation:.2f} sem).")
        bad = [a for a in self.agreement if not a.agrees]
        return (f"{len(bad)} of {len(self.agreement)} curves deviate by more than "
                f"{AGREEMENT_THRESHOLD:g} standard errors somewhere: "
                + "; ".join(a.statement() for a in bad) + ".")

    def _dict_extra(self) -> dict[str, Any]:
        return {"agrees": self.agrees, "agreement_statement": self.agreement_statement()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FigureResult:
        return cls(
            name=d["name"],
            title=d["title"],
            path=d["path"],
            data_path=d["data_path"],
            caption=d["caption"],
            params=decode_params(d.get("params", {})),
            agreement=tuple(CurveAgreement.from_dict(a) for a in d.get("agreement", [])),
            exponents=tuple(ExponentCheck.from_dict(e) for e in d.get("exponents", [])),
            preset=d.get("preset", "default"),
            wall_time_s=float(d.get("wall_time_s", 0.0)),
            notes=tuple(d.get("notes", [])),
        )


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure: its name, a one-line summary and the function that makes it.

    ``make(out_dir, preset, progress)`` returns a :class:`FigureResult`. ``weight`` is the
    relative cost of the default preset (the largest are started first when figures are
    made in parallel). ``scaling``, when set, is the theory-only variant of the same figure
    that ``scaling-figure`` makes (:class:`ScalingVariant`).
    """

    name: str
    title: str
    summary: str
    make: Callable[..., FigureResult]
    weight: float = 1.0
    scaling: ScalingVariant | None = None


@dataclass(frozen=True)
class ScalingVariant:
    """The theory-only variant of a registered figure, made by ``scaling-figure``.

    ``make(inputs, path)`` draws the figure to ``path`` and returns ``(data, summary)``: the
    numbers behind it and its headline numbers. ``noisy`` variants default to label noise
    0.5 (the effects they show need noise).
    """

    description: str
    make: Callable[..., tuple[Any, dict[str, Any]]]
    noisy: bool = False
