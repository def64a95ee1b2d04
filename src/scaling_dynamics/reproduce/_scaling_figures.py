"""The theory-only variants of six registered figures, made by ``scaling-figure``.

Each variant computes one scaling-law figure from the mean-field theory (the library
functions of :mod:`scaling_dynamics.scaling`) with sizes chosen to show the asymptotic regime
(``quick``: tiny sizes, seconds, for smoke tests), draws it with
:mod:`scaling_dynamics.plots.scaling`, and returns ``(data, summary)``: the numbers behind
the figure (saved as JSON) and its headline numbers. A variant is attached to the registry
entry of the same name (:data:`scaling_dynamics.reproduce.FIGURES`), so each figure name is
defined once; :func:`scaling_dynamics.reproduce.make_scaling_figure` runs one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._records import Record
from ..spectra import Spectrum
from ._types import ScalingVariant

__all__ = [
    "ScalingFigureResult",
    "ScalingInputs",
    "BOTTLENECKS",
    "FRONTIER",
    "FINITE_SIZE",
    "TRAIN_TEST_GAP",
    "WIDER_IS_BETTER",
    "ENSEMBLING",
]


@dataclass(frozen=True)
class ScalingFigureResult(Record):
    """Where a scaling figure went and the headline numbers behind it."""

    name: str
    path: str
    data_path: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class ScalingInputs:
    """The validated options of one ``scaling-figure`` call (see ``make_scaling_figure``)."""

    a: float
    b: float
    sigma: float
    P: int | float | None
    quick: bool
    simulate: bool
    progress: bool | None

    @property
    def spectrum(self) -> Spectrum:
        """The power law with ``M`` infinite."""
        return Spectrum.power_law(self.a, self.b, math.inf, self.sigma)


Made = tuple[Any, dict[str, Any]]


def _bottlenecks(inp: ScalingInputs, path: str) -> Made:
    """Loss and local exponent along the time, model and data sweeps vs closed forms."""
    from ..plots import scaling as plots
    from ..scaling import measure_exponents

    grid = dict(times=np.geomspace(1, 1e4, 9), model_sizes=np.geomspace(10, 1e3, 7),
                sample_sizes=np.geomspace(10, 1e3, 7)) if inp.quick else {}
    res = measure_exponents(inp.a, inp.b, simulate=inp.simulate,
                            simulated_M=400 if inp.quick else 2000,
                            n_seeds=2 if inp.quick else 4, progress=inp.progress, **grid)
    plots.plot_bottlenecks(res, path)
    summary = {s.name: {"fitted": s.fitted_exponent, "closed_form": s.closed_form,
                        "alternative": s.alternative}
               for s in (res.time, res.model, res.data)}
    return res.to_dict(), summary


def _frontier(inp: ScalingInputs, path: str) -> Made:
    """Iso-compute curves, N*, t*, L* against C, at P = inf and at a finite P."""
    from ..plots import scaling as plots
    from ..scaling import compute_optimal_frontier

    budgets = np.geomspace(1e4, 1e7, 4) if inp.quick else np.geomspace(1e4, 1e10, 7)
    grid = 7 if inp.quick else 17
    spec = inp.spectrum
    fr = compute_optimal_frontier(spec, budgets, n_grid=grid, progress=inp.progress,
                                  iso_compute=True)  # the plot draws whole iso-compute curves
    p_fin = inp.P if inp.P is not None else (1e3 if inp.quick else 1e4)
    extra = None
    if not math.isinf(p_fin):
        extra = compute_optimal_frontier(spec, budgets, P=p_fin, n_grid=grid,
                                         progress=inp.progress)
    plots.plot_frontier(fr, path, extra=extra)
    data = {"P_inf": fr.to_dict(), "P_finite": None if extra is None else extra.to_dict()}
    summary = {"fitted": fr.fitted(), "exponent_errors": fr.exponent_errors,
               "exponent_errors_single": fr.exponent_errors_single}
    return data, summary


def _finite_size(inp: ScalingInputs, path: str) -> Made:
    """``L(t, N) - L(t, inf)`` and ``L(t, P) - L(t, inf)``: 1/N early, task exponent late."""
    from ..plots import scaling as plots
    from ..scaling import finite_size_corrections

    sizes = (50, 100, 200, 400) if inp.quick else (250, 500, 1000, 2000, 4000, 8000)
    times = (1.0, 10.0, 100.0, 1e3) if inp.quick else (0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5)
    spec = inp.spectrum
    res_n = finite_size_corrections(spec, vary="N", sizes=sizes, times=times,
                                    progress=inp.progress)
    res_p = finite_size_corrections(spec, vary="P", sizes=sizes, times=times,
                                    progress=inp.progress)
    plots.plot_finite_size([res_n, res_p], path)
    data = {"N": res_n.to_dict(), "P": res_p.to_dict()}
    summary = {k: {"early": float(r.exponents[0]), "limit": r.limit_exponent,
                   "late_closed_form": r.late_closed_form}
               for k, r in (("N", res_n), ("P", res_p))}
    return data, summary


def _train_test_gap(inp: ScalingInputs, path: str) -> Made:
    """Train and test loss for several P; the gap builds up with data reuse."""
    from ..plots import scaling as plots
    from ..scaling import train_test_gap

    ps = (50, 100, 200) if inp.quick else (100, 200, 400, 800, 1600)
    times = np.geomspace(0.1, 1e4, 12) if inp.quick else np.geomspace(0.1, 1e5, 36)
    res = train_test_gap(inp.spectrum, ps, times, progress=inp.progress)
    plots.plot_train_test_gap(res, path)
    return res.to_dict(), {"early_exponent": res.early_exponent, "growth": res.growth.tolist()}


def _wider_is_better(inp: ScalingInputs, path: str) -> Made:
    """Loss against N with plentiful and scarce data; early stopping restores the order."""
    from ..plots import scaling as plots
    from ..scaling import wider_is_better

    ns = (25, 50, 100) if inp.quick else (50, 100, 200, 400)
    P = inp.P
    scarce = int(P) if P is not None and not math.isinf(P) else (200 if inp.quick else 500)
    times = np.geomspace(0.1, 1e5, 13) if inp.quick else np.geomspace(0.1, 1e6, 36)
    res = wider_is_better(inp.spectrum, ns, scarce_P=scarce, times=times, progress=inp.progress)
    plots.plot_wider_is_better(res, path)
    summary = {"rich_monotone": res.rich_monotone, "scarce_reversed": res.scarce_reversed,
               "early_stopped_monotone": res.early_stopped_monotone}
    return res.to_dict(), summary


def _ensembling(inp: ScalingInputs, path: str) -> Made:
    """E models of size N against one model of size E N at equal compute."""
    from ..plots import scaling as plots
    from ..scaling import ensemble_vs_width

    es = (1, 2, 4) if inp.quick else (1, 2, 4, 8, 16)
    times = np.geomspace(1, 1e4, 9) if inp.quick else np.geomspace(1, 1e5, 26)
    res = ensemble_vs_width(inp.spectrum, 50 if inp.quick else 100,
                            P=math.inf if inp.P is None else inp.P,
                            ensemble_sizes=es, times=times, progress=inp.progress)
    plots.plot_ensembles(res, path)
    # E = 1 is the same model on both sides; say only what the comparison decides
    summary = {"one model of size E N beats E of size N": {
        f"E={e}": bool(w) for e, w in zip(es, res.wider_wins, strict=True) if e > 1
    }}
    return res.to_dict(), summary


BOTTLENECKS = ScalingVariant(
    "loss and local exponent along the time, model and data sweeps vs closed forms", _bottlenecks)
FRONTIER = ScalingVariant(
    "compute-optimal frontier: iso-compute curves, N*, t*, L* vs C (P = inf and P)", _frontier)
FINITE_SIZE = ScalingVariant(
    "L(t, N) - L(t, inf) and L(t, P) - L(t, inf): 1/N early, task exponent late", _finite_size)
TRAIN_TEST_GAP = ScalingVariant(
    "train and test loss for several P; the gap builds up with data reuse", _train_test_gap,
    noisy=True)
WIDER_IS_BETTER = ScalingVariant(
    "loss vs N with plentiful and scarce data; early stopping restores order", _wider_is_better,
    noisy=True)
ENSEMBLING = ScalingVariant(
    "E models of size N against one model of size E N at equal compute", _ensembling)
