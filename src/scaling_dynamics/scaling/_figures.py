"""The scaling-law figures, one call each: compute from the theory, plot, save PNG and JSON.

``make_figure(name, out_dir)`` runs the computation behind one figure with sizes
chosen to show the asymptotic regime (``quick=True``: tiny sizes, seconds, for
smoke tests), saves ``<out_dir>/<name>.png`` and the numbers behind it as
``<out_dir>/<name>.json``, and returns a :class:`FigureResult`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_choice, check_real, check_size
from ..results import write_json
from ..spectra import Spectrum

__all__ = ["FIGURES", "FigureResult", "make_figure"]

#: figure name -> what it shows
FIGURES: dict[str, str] = {
    "bottlenecks": "loss and local exponent along the time, model and data sweeps vs closed forms",
    "frontier": "compute-optimal frontier: iso-compute curves, N*, t*, L* vs C (P = inf and P)",
    "finite-size": "L(t, N) - L(t, inf) and L(t, P) - L(t, inf): 1/N early, task exponent late",
    "train-test-gap": "train and test loss for several P; the gap builds up with data reuse",
    "wider-is-better": "loss vs N with plentiful and scarce data; early stopping restores order",
    "ensembling": "E models of size N against one model of size E N at equal compute",
}


@dataclass(frozen=True)
class FigureResult:
    """Where a figure went and the headline numbers behind it."""

    name: str
    path: str
    data_path: str
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "data_path": self.data_path,
                "summary": self.summary}


def make_figure(
    name: str,
    out_dir: str | os.PathLike[str] = ".",
    *,
    a: float = 1.5,
    b: float = 1.25,
    sigma: float | None = None,
    P: int | float | None = None,
    quick: bool = False,
    simulate: bool = False,
    progress: bool | None = None,
) -> FigureResult:
    """Compute, plot and save one scaling-law figure (see :data:`FIGURES`).

    Parameters
    ----------
    name : str
        One of :data:`FIGURES`.
    out_dir : path
        Folder for ``<name>.png`` and ``<name>.json`` (created).
    a, b : float
        The power law (``M`` infinite).
    sigma : float, optional
        Label noise (default 0, and 0.5 for ``train-test-gap`` and ``wider-is-better``).
    P : int or math.inf, optional
        Samples: the finite-P frontier of ``frontier`` (default 10^4 / 10^3 quick), the data
        of ``ensembling`` (default inf), the scarce regime of ``wider-is-better``
        (default 500 / 200 quick).
    quick : bool
        Tiny sizes (a few seconds per figure), for smoke tests.
    simulate : bool
        ``bottlenecks`` only: confirm the sweeps by exact simulation (M = 2000).
    progress : bool or None
        Progress bars on stderr.
    """
    from ..plots import scaling as plots

    name = check_choice("name", name, FIGURES)
    a = check_real("a", a, low=1.0, low_open=True)
    b = check_real("b", b, low=1.0, low_open=True)
    noisy = name in ("train-test-gap", "wider-is-better")
    sigma = (0.5 if noisy else 0.0) if sigma is None else check_real("sigma", sigma, low=0.0)
    P = None if P is None else check_size("P", P)
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{name}.png")
    data_path = os.path.join(out_dir, f"{name}.json")
    spec = Spectrum.power_law(a, b, math.inf, sigma)

    if name == "bottlenecks":
        from ._measured import measure_exponents

        grid = dict(times=np.geomspace(1, 1e4, 9), model_sizes=np.geomspace(10, 1e3, 7),
                    sample_sizes=np.geomspace(10, 1e3, 7)) if quick else {}
        res = measure_exponents(a, b, simulate=simulate, simulated_M=400 if quick else 2000,
                                n_seeds=2 if quick else 4, progress=progress, **grid)
        plots.plot_bottlenecks(res, path)
        data = res.to_dict()
        summary = {s.name: {"fitted": s.fitted_exponent, "closed_form": s.closed_form,
                            "alternative": s.alternative}
                   for s in (res.time, res.model, res.data)}
    elif name == "frontier":
        from ._theory_frontier import compute_optimal_frontier

        budgets = np.geomspace(1e4, 1e7, 4) if quick else np.geomspace(1e4, 1e10, 7)
        grid = 7 if quick else 17
        fr = compute_optimal_frontier(spec, budgets, n_grid=grid, progress=progress)
        p_fin = P if P is not None else (1e3 if quick else 1e4)
        extra = None
        if not math.isinf(p_fin):
            extra = compute_optimal_frontier(spec, budgets, P=p_fin, n_grid=grid,
                                             progress=progress)
        plots.plot_frontier(fr, path, extra=extra)
        data = {"P_inf": fr.to_dict(), "P_finite": None if extra is None else extra.to_dict()}
        summary = {"fitted": fr.fitted(), "exponent_errors": fr.exponent_errors,
                   "exponent_errors_single": fr.exponent_errors_single}
    elif name == "finite-size":
        from ._finite_size import finite_size_corrections

        sizes = (50, 100, 200, 400) if quick else (250, 500, 1000, 2000, 4000, 8000)
        times = (1.0, 10.0, 100.0, 1e3) if quick else (0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5)
        res_n = finite_size_corrections(spec, vary="N", sizes=sizes, times=times,
                                        progress=progress)
        res_p = finite_size_corrections(spec, vary="P", sizes=sizes, times=times,
                                        progress=progress)
        plots.plot_finite_size([res_n, res_p], path)
        data = {"N": res_n.to_dict(), "P": res_p.to_dict()}
        summary = {k: {"early": float(r.exponents[0]), "limit": r.limit_exponent,
                       "late_closed_form": r.late_closed_form}
                   for k, r in (("N", res_n), ("P", res_p))}
    elif name == "train-test-gap":
        from ._generalization import train_test_gap

        ps = (50, 100, 200) if quick else (100, 200, 400, 800, 1600)
        times = np.geomspace(0.1, 1e4, 12) if quick else np.geomspace(0.1, 1e5, 36)
        res = train_test_gap(spec, ps, times, progress=progress)
        plots.plot_train_test_gap(res, path)
        data = res.to_dict()
        summary = {"early_exponent": res.early_exponent, "growth": res.growth.tolist()}
    elif name == "wider-is-better":
        from ._generalization import wider_is_better

        ns = (25, 50, 100) if quick else (50, 100, 200, 400)
        scarce = int(P) if P is not None and not math.isinf(P) else (200 if quick else 500)
        times = np.geomspace(0.1, 1e5, 13) if quick else np.geomspace(0.1, 1e6, 36)
        res = wider_is_better(spec, ns, scarce_P=scarce, times=times, progress=progress)
        plots.plot_wider_is_better(res, path)
        data = res.to_dict()
        summary = {"rich_monotone": res.rich_monotone, "scarce_reversed": res.scarce_reversed,
                   "early_stopped_monotone": res.early_stopped_monotone}
    else:  # ensembling
        from ._ensembles import ensemble_vs_width

        es = (1, 2, 4) if quick else (1, 2, 4, 8, 16)
        times = np.geomspace(1, 1e4, 9) if quick else np.geomspace(1, 1e5, 26)
        res = ensemble_vs_width(spec, 50 if quick else 100, P=math.inf if P is None else P,
                                ensemble_sizes=es, times=times, progress=progress)
        plots.plot_ensembles(res, path)
        data = res.to_dict()
        # E = 1 is the same model on both sides; say only what the comparison decides
        summary = {"one model of size E N beats E of size N": {
            f"E={e}": bool(w) for e, w in zip(es, res.wider_wins, strict=True) if e > 1
        }}
    write_json(data_path, data)
    return FigureResult(name, path, data_path, summary)
