r"""Prediction against reality: the model, fed the measured spectrum, against trained networks.

How a real network maps onto the random-feature model (``docs/empirical.md``):

* **Spectrum.** The NTK of the widest network on the training pool estimates the
  infinite-width kernel; :func:`measure_spectrum` turns it into :math:`\lambda_k` (eigenvalues
  of :math:`K/P`) and task power :math:`\lambda_k (w^*_k)^2`, the model's teacher.
* **Time.** The linearised network moves its function as :math:`f \leftarrow f - \eta K(f-y)/P`
  exactly like the model with :math:`\psi(x)\cdot\psi(x') = K(x,x')`; so step t of GD with
  step :math:`\eta` is step t of the model's GD with the same :math:`\eta`
  (``optimizer="gd"``), and gradient-flow time :math:`\eta t` in the small-step limit
  (``optimizer="gf"``, the default: the theory solves gradient flow).
* **Data.** P training samples are the model's P.
* **Width.** The model's N is a number of random features, not a width. A finite-width NTK
  fluctuates around the infinite-width one by :math:`O(n^{-1/2})`; the model's random
  projection does the same with :math:`O(N^{-1/2})`. So :math:`N = c\,n` with a scale c
  *fitted*: for every finite width n, :func:`fit_model_size` finds the :math:`N_n` whose
  predicted test-loss curves (all P pooled) are closest in log to the measured ones, and
  :math:`c` is the geometric mean of :math:`N_n/n`. Whether :math:`N_n/n` is constant across
  widths is itself a check of the mapping (reported in the comparison).

Exponents (:func:`measure_exponents`) are measured the same way from measured and predicted
curves, and compared with the closed forms of the fitted :math:`(a, b)`
(:func:`scaling_dynamics.scaling.closed_form_exponents`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._validation import check_choice, check_real
from ..optimizers import Optimizer
from ..results import LossCurves
from ..scaling._summary import summary_repr
from ..spectra import Spectrum, check_spectrum
from ._exponents import MeasuredExponents, decay_exponent, measure_exponents
from ._fits import ExponentFit, fit_exponents
from ._linearized import LinearizedRun
from ._model_curves import PREDICTION_METHODS, ModelSizeFit, _model_curves, fit_model_size
from ._time_map import network_optimizer
from ._training import NetworkRuns

__all__ = ["ExponentRow", "PredictionComparison", "compare_with_prediction"]


@dataclass(frozen=True)
class ExponentRow:
    """One exponent, measured and predicted in several ways (nan where not available)."""

    __repr__ = summary_repr

    name: str
    measured: float
    predicted: float
    closed_form: float
    lazy: float = float("nan")
    feature_learning: float = float("nan")


@dataclass(frozen=True, eq=False)
class PredictionComparison:
    r"""Measured linearised-network curves next to the model's prediction from the measured spectrum.

    Attributes
    ----------
    measured : dict of (width, P) to LossCurves
    predicted : dict of (width, P) to LossCurves
        The widest width is predicted with :math:`N = \infty`; the others with
        :math:`N = c\,n`.
    size_fits : dict of width to ModelSizeFit
        Per-width fitted N (pooled over every training-set size); empty when ``n_scale``
        was given.
    n_scale : float
        c, the geometric mean of :math:`N_n/n`.
    fit : ExponentFit
        Fitted (a, b) of the measured spectrum.
    rows : tuple of ExponentRow
        Time, data, width and compute-optimal exponents.
    method : str
        ``"theory"`` or ``"simulation"``.
    """

    __repr__ = summary_repr

    measured: dict[tuple[int, int], LossCurves]
    predicted: dict[tuple[int, int], LossCurves]
    size_fits: dict[int, ModelSizeFit]
    n_scale: float
    fit: ExponentFit
    rows: tuple[ExponentRow, ...]
    method: str
    widths: tuple[int, ...]
    sample_counts: tuple[int, ...]
    eta: float
    exponents_measured: MeasuredExponents
    exponents_predicted: MeasuredExponents
    networks: NetworkRuns | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def table_markdown(self) -> str:
        """The exponent table as GitHub markdown."""
        has_nets = self.networks is not None
        head = "| exponent | linearised network (measured) | model on measured spectrum " \
               f"({self.method}) | closed form from fitted a, b |"
        sep = "|---|---|---|---|"
        if has_nets:
            head += " non-linear, NTK param. (lazy) | non-linear, muP (feature learning) |"
            sep += "---|---|"
        lines = [head, sep]

        def fmt(x: float) -> str:
            return "-" if not np.isfinite(x) else f"{x:.3f}"

        for r in self.rows:
            line = f"| {r.name} | {fmt(r.measured)} | {fmt(r.predicted)} | {fmt(r.closed_form)} |"
            if has_nets:
                line += f" {fmt(r.lazy)} | {fmt(r.feature_learning)} |"
            lines.append(line)
        return "\n".join(lines) + "\n"

    # Hand-written: the record is a summary (six of fourteen fields, one renamed), not the fields.
    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "eta": self.eta,
            "n_scale": self.n_scale,
            "size_fits": {str(w): vars(f) for w, f in self.size_fits.items()},
            "fit": self.fit.to_dict(),
            "exponents": [vars(r) for r in self.rows],
        }


def compare_with_prediction(
    run: LinearizedRun,
    *,
    method: str = "theory",
    optimizer: str = "gf",
    fit: ExponentFit | None = None,
    spectrum: Spectrum | None = None,
    time_window: tuple[float, float] | None = None,
    networks: NetworkRuns | None = None,
    n_scale: float | None = None,
    n_seeds: int = 8,
    seed: int = 0,
    progress: bool | None = None,
) -> PredictionComparison:
    r"""Predict every measured curve of ``run`` from its widest network's spectrum, and compare.

    Steps: (1) the widest network's :class:`MeasuredSpectrum` becomes the model's spectrum;
    (2) for each finite width, :func:`fit_model_size` over all P; the scale c is the
    geometric mean of :math:`N_n/n`; (3) every (width, P) is predicted with
    :math:`N = c\,n` (:math:`N = \infty` for the widest); (4) :func:`measure_exponents` on
    measured and predicted curves at the largest P (and on ``networks``, when given), next to
    the closed forms of the fitted (a, b).

    Parameters
    ----------
    run : LinearizedRun
    method : {"theory", "simulation"}
    optimizer : {"gf", "gd"}
        See :func:`model_curves`.
    fit : ExponentFit, optional
        Default: :func:`fit_exponents` of the run's spectrum.
    spectrum : Spectrum, optional
        The model's spectrum; default ``run.spectrum.to_spectrum()`` (the measured modes only;
        see :meth:`MeasuredSpectrum.to_spectrum` for a power-law tail).
    time_window : (float, float), optional
        Steps of the time-exponent fit; default :math:`\eta\mu_1 t` from 10 to 100 (ten to a
        hundred times the timescale of the top mode, before the data bottleneck of the
        digits' P = 400).
    networks : NetworkRuns, optional
        Non-linear runs (lazy and mean-field) to add to the exponent table; their width
        exponent uses all their widths.
    n_scale : float, optional
        Use this c = N/width instead of fitting it (e.g. the theory's c, to cross-check the
        theory's curves with the simulator at the same N).
    n_seeds, seed : int
        Simulation draws (``method="simulation"`` only).
    progress : bool or None
    """
    check_choice("method", method, PREDICTION_METHODS)
    if not isinstance(run, LinearizedRun):
        raise InvalidParameterError(f"`run` must be a LinearizedRun; got {type(run).__name__}.")
    if len(run.widths) < 2:
        raise InvalidParameterError("`run` must hold at least two widths (one finite, one widest).")
    opt = network_optimizer(optimizer, run.eta)
    spectrum = run.spectrum.to_spectrum() if spectrum is None else check_spectrum(spectrum)
    fit = fit_exponents(run.spectrum) if fit is None else fit
    if time_window is None:
        unit = 1.0 / (run.eta * float(run.spectrum.eigenvalues[0]))
        time_window = (10.0 * unit, 100.0 * unit)
    predicted, size_fits, scale = _predict_run(
        run, spectrum, opt, method=method, n_scale=n_scale, n_seeds=n_seeds, seed=seed,
        progress=progress)
    rows, meas, pred = _exponent_rows(run, predicted, fit, networks, time_window)
    return PredictionComparison(
        measured=dict(run.curves),
        predicted=predicted,
        size_fits=size_fits,
        n_scale=scale,
        fit=fit,
        rows=rows,
        method=method,
        widths=run.widths,
        sample_counts=run.sample_counts,
        eta=run.eta,
        exponents_measured=meas,
        exponents_predicted=pred,
        networks=networks,
        info={"optimizer": opt.name, "time_window": list(time_window),
              "spectrum": spectrum.label, "initial_loss": spectrum.initial_loss, **run.info},
    )


def _predict_run(run: LinearizedRun, spectrum: Spectrum, opt: Optimizer, *, method: str,
                 n_scale: float | None, n_seeds: int, seed: int, progress: bool | None,
                 ) -> tuple[dict[tuple[int, int], LossCurves], dict[int, ModelSizeFit], float]:
    r"""Every (width, P) of ``run`` predicted with :math:`N = c\,n` (:math:`\infty` for the widest).

    ``c`` is ``n_scale``, or the geometric mean of :math:`N_n/n` fitted per finite width.
    Returns (predicted curves, per-width size fits, c).
    """
    widest = run.widest
    kw: dict[str, Any] = {"method": method, "n_seeds": n_seeds, "seed": seed}
    predicted: dict[tuple[int, int], LossCurves] = {}
    size_fits: dict[int, ModelSizeFit] = {}
    to_fit = [w for w in run.widths if w != widest] if n_scale is None else []
    total = len(to_fit) + len(run.widths) * len(run.sample_counts)
    with progress_bar(total, f"model prediction ({method})", progress, unit="curve") as bar:
        for w in to_fit:
            size_fits[w] = fit_model_size([run.curves[(w, P)] for P in run.sample_counts],
                                          spectrum, run.eta, w, optimizer=opt.name, **kw)
            bar.update(1)
        if n_scale is None:
            scale = float(np.exp(np.mean([math.log(f.ratio) for f in size_fits.values()])))
        else:
            scale = check_real("n_scale", n_scale, low=0.0, low_open=True)
        for w in run.widths:
            N = math.inf if w == widest else max(1, round(scale * w))
            for P in run.sample_counts:
                predicted[(w, P)] = _model_curves(spectrum, N, P, run.steps, run.eta, opt, **kw)
                bar.update(1)
    return predicted, size_fits, scale


def _exponent_rows(run: LinearizedRun, predicted: dict[tuple[int, int], LossCurves],
                   fit: ExponentFit, networks: NetworkRuns | None,
                   time_window: tuple[float, float],
                   ) -> tuple[tuple[ExponentRow, ...], MeasuredExponents, MeasuredExponents]:
    """The exponent table: measured, predicted (largest P), closed form, non-linear networks."""
    p_max = max(run.sample_counts)
    widest = run.widest
    meas = measure_exponents({w: run.curves[(w, p_max)] for w in run.widths},
                             time_window=time_window)
    pred = measure_exponents({w: predicted[(w, p_max)] for w in run.widths},
                             time_window=time_window, compute_range=meas.compute_range)
    final_meas = np.array([run.curves[(widest, P)].test_loss[-1] for P in run.sample_counts])
    final_pred = np.array([predicted[(widest, P)].test_loss[-1] for P in run.sample_counts])
    counts = np.array(run.sample_counts, dtype=np.float64)
    closed = _closed_form(fit)
    lazy = mup = None
    if networks is not None:
        lazy = _network_exponents(networks, "ntk", time_window)
        mup = _network_exponents(networks, "mup", time_window)

    def pick(e: MeasuredExponents | None, name: str) -> float:
        return float("nan") if e is None else float(getattr(e, name))

    rows = (
        ExponentRow("time: L ~ t^-r (widest, largest P)", meas.time, pred.time, closed["time"],
                    pick(lazy, "time"), pick(mup, "time")),
        ExponentRow("data: L ~ P^-r (widest, last step)", decay_exponent(counts, final_meas),
                    decay_exponent(counts, final_pred), closed["data"]),
        ExponentRow("width: L ~ n^-r (last step, largest P)", meas.width, pred.width,
                    closed["model"], pick(lazy, "width"), pick(mup, "width")),
        ExponentRow("compute-optimal: L* ~ C^-r, C = n t", meas.compute, pred.compute,
                    closed["compute_loss"], pick(lazy, "compute"), pick(mup, "compute")),
    )
    return rows, meas, pred


def _closed_form(fit: ExponentFit) -> dict[str, float]:
    from ..scaling import closed_form_exponents

    try:
        return closed_form_exponents(fit.a, fit.b).to_dict()
    except InvalidParameterError:
        return {k: float("nan") for k in ("time", "data", "model", "compute_loss")}


def _network_exponents(networks: NetworkRuns, param: str, window: tuple[float, float]
                       ) -> MeasuredExponents | None:
    curves = {w: networks.curves[(param, w)] for w in networks.widths
              if (param, w) in networks.curves}
    if len(curves) < 2:
        return None
    return measure_exponents(curves, time_window=window, widths=list(curves))
