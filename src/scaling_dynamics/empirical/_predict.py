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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from .._errors import InvalidParameterError, ScalingDynamicsError
from .._progress import progress_bar
from .._validation import check_choice, check_int, check_real, check_size
from ..optimizers import GradientDescent, GradientFlow
from ..results import LossCurves
from ..spectra import Spectrum, check_spectrum
from ._fits import ExponentFit, fit_exponents
from ._training import LinearizedRun, NetworkRuns

__all__ = [
    "PREDICTION_METHODS",
    "model_curves",
    "ModelSizeFit",
    "fit_model_size",
    "MeasuredExponents",
    "measure_exponents",
    "ExponentRow",
    "PredictionComparison",
    "compare_with_prediction",
]

#: ``theory``: the mean-field theory (``scaling_dynamics.theory.predict``); ``simulation``: the
#: exact simulator on the same spectrum (an independent solution of the same model).
PREDICTION_METHODS = ("theory", "simulation")


def _theory_predict() -> Any:
    try:
        from ..theory import predict
    except ImportError:
        raise ScalingDynamicsError(
            "the mean-field theory (scaling_dynamics.theory.predict) is not available in this "
            "installation; use method='simulation' to solve the model by simulation instead."
        ) from None
    return predict


def model_curves(
    spectrum: Spectrum,
    N: float,
    P: float,
    steps: Any,
    eta: float,
    *,
    method: str = "theory",
    optimizer: str = "gf",
    n_seeds: int = 8,
    seed: int = 0,
) -> LossCurves:
    r"""The model's test and train loss on ``spectrum`` at the network's steps.

    Parameters
    ----------
    spectrum : Spectrum
        Usually ``MeasuredSpectrum.to_spectrum()`` of the widest network.
    N, P : int or math.inf
        Model size (fitted :math:`c\,n` for width n; ``inf`` for the widest network) and samples.
    steps : array_like
        GD step counts (whole numbers).
    eta : float
        The network's GD step (kernel units).
    method : {"theory", "simulation"}
        Mean-field theory, or the exact simulator (``n_seeds`` draws, root ``seed``).
    optimizer : {"gf", "gd"}
        Gradient flow at time ``eta * steps`` (default: the small-step limit, which the
        theory solves; with :math:`\eta\mu_1 \le 1` it differs from GD only in the first few
        steps), or discrete GD with step ``eta`` (the exact mapping; simulation only until
        the theory covers GD).

    Returns
    -------
    LossCurves
        With ``times`` = ``steps`` (``params["time_mapping"]`` says how they were mapped).
    """
    check_choice("method", method, PREDICTION_METHODS)
    check_choice("optimizer", optimizer, ("gd", "gf"))
    eta = check_real("eta", eta, low=0.0, low_open=True)
    N = check_size("N", N)
    P = check_size("P", P)
    steps = np.asarray(steps, dtype=np.float64)
    if optimizer == "gd":
        opt, times = GradientDescent(eta), steps
    else:
        opt, times = GradientFlow(), eta * steps
    if method == "theory":
        curves = _theory_predict()(spectrum, N, P, times, optimizer=opt)
    else:
        from ..simulate import simulate

        curves = simulate(spectrum, N, P, times, optimizer=opt, n_seeds=n_seeds, seed=seed)
    mapping = "GD steps, same eta" if optimizer == "gd" else "gradient-flow time eta * steps"
    # the same curves, on the network's step axis
    return replace(
        curves,
        times=steps,
        params={**curves.params, "time_mapping": mapping, "eta_network": eta},
        time_unit="steps",
    )


# ---------------------------------------------------------------------------- width -> N
@dataclass(frozen=True)
class ModelSizeFit:
    """Model size N whose predicted curve matches a network of a given width.

    Attributes
    ----------
    width : int
    N : float
        Best model size.
    ratio : float
        ``N / width``.
    rms_log_error : float
        RMS of log(measured / predicted) test loss over the fitted steps.
    at_bound : bool
        True when the optimum is at the edge of the searched range (``bounds``).
    """

    width: int
    N: float
    ratio: float
    rms_log_error: float
    at_bound: bool


def _rms_log(measured: np.ndarray, predicted: np.ndarray) -> float:
    ok = (measured > 0) & (predicted > 0)
    return float(np.sqrt(np.mean(np.log(measured[ok] / predicted[ok]) ** 2)))


def fit_model_size(
    measured: LossCurves | list[LossCurves],
    spectrum: Spectrum,
    eta: float,
    width: int,
    *,
    method: str = "theory",
    optimizer: str = "gf",
    min_step: float = 1.0,
    bounds: tuple[float, float] = (0.25, 100.0),
    n_seeds: int = 8,
    seed: int = 0,
) -> ModelSizeFit:
    r"""Fit the model size N of a width-n network: minimise the RMS of :math:`\log(L_{\rm meas}/L_{\rm pred}(N))`.

    Bounded Brent search (:func:`scipy.optimize.minimize_scalar`) on :math:`\log N` over
    ``bounds`` x width, pooling the measured test loss at steps >= ``min_step`` of every
    curve in ``measured`` (one per training-set size ``P = curve.params["P"]``).
    """
    width = check_int("width", width, low=1)
    curves = [measured] if isinstance(measured, LossCurves) else list(measured)
    if not curves:
        raise InvalidParameterError("`measured` must hold at least one LossCurves.")
    for c in curves:
        if c.params.get("P") is None:
            raise InvalidParameterError(
                "every measured curve must record its training-set size in params['P']."
            )
    lo, hi = (check_real("bounds", x, low=0.0, low_open=True) for x in bounds)
    picks = []
    for c in curves:
        steps = np.asarray(c.times)
        use = steps >= min_step
        if use.sum() < 2:
            raise InvalidParameterError(
                f"fewer than 2 recorded steps are >= `min_step` = {min_step:g}."
            )
        picks.append((c.params["P"], steps[use], np.asarray(c.test_loss)[use]))

    errors: dict[int, float] = {}  # the search rounds N, so it revisits sizes

    def objective(logn: float) -> float:
        n = max(1, round(math.exp(logn)))
        if n not in errors:
            errors[n] = error_at(n)
        return errors[n]

    def error_at(n: int) -> float:
        errs = []
        for P, steps, target in picks:
            pred = model_curves(spectrum, n, P, steps, eta, method=method, optimizer=optimizer,
                                n_seeds=n_seeds, seed=seed)
            errs.append(_rms_log(target, pred.test_loss) ** 2)
        return float(np.sqrt(np.mean(errs)))

    a, b = math.log(lo * width), math.log(hi * width)
    res = minimize_scalar(objective, bounds=(a, b), method="bounded", options={"xatol": 0.02})
    n_best = float(max(1, round(math.exp(res.x))))
    at_bound = bool(res.x - a < 0.05 or b - res.x < 0.05)
    return ModelSizeFit(width=width, N=n_best, ratio=n_best / width,
                        rms_log_error=float(res.fun), at_bound=at_bound)


# ---------------------------------------------------------------------------- exponents
@dataclass(frozen=True, eq=False)
class MeasuredExponents:
    r"""Scaling exponents read off a family of loss curves (one per width, same steps, same P).

    Attributes
    ----------
    time : float
        :math:`L \sim t^{-r}`: least-squares slope of the widest curve over ``time_window``.
    width : float
        :math:`L \sim n^{-r}`: slope of the last recorded test loss against width, over the
        widths in ``widths_used`` (the finite ones).
    compute : float
        :math:`L^* \sim C^{-r}` with :math:`C = n\,t` (width x steps): slope of the lower
        envelope :math:`L^*(C) = \min_n L_n(C/n)` over ``compute_range``.
    time_window : (float, float)
    widths_used : tuple of int
    compute_range : (float, float)
    frontier_compute, frontier_loss, frontier_width : ndarray
        The envelope: budgets, best loss, width reaching it.
    """

    time: float
    width: float
    compute: float
    time_window: tuple[float, float]
    widths_used: tuple[int, ...]
    compute_range: tuple[float, float]
    frontier_compute: np.ndarray = field(repr=False)
    frontier_loss: np.ndarray = field(repr=False)
    frontier_width: np.ndarray = field(repr=False)


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    ok = (x > 0) & (y > 0) & np.isfinite(y)
    if ok.sum() < 2:
        return float("nan")
    return float(-np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])


def _interp_loglog(t: np.ndarray, L: np.ndarray, tq: np.ndarray) -> np.ndarray:
    ok = (t > 0) & (L > 0)
    out = np.exp(np.interp(np.log(tq), np.log(t[ok]), np.log(L[ok]), left=np.nan, right=np.nan))
    return out


def measure_exponents(
    curves: Mapping[int, LossCurves],
    *,
    time_window: tuple[float, float] = (10.0, 100.0),
    widths: Any = None,
    compute_range: tuple[float, float] | None = None,
    n_compute: int = 40,
) -> MeasuredExponents:
    r"""Time, width and compute-optimal exponents of curves indexed by width.

    Parameters
    ----------
    curves : mapping of width to LossCurves
        Test-loss curves at the same steps and training-set size.
    time_window : (float, float)
        Steps over which the widest curve's time exponent is fitted.
    widths : sequence of int, optional
        Widths for the width exponent (default: all but the widest, which stands for infinity).
    compute_range : (float, float), optional
        Budgets :math:`C = n t` for the frontier (default: from the smallest width at
        ``time_window[0]`` steps to the second-widest width at its last step).
    n_compute : int
        Log-spaced budgets on the frontier.
    """
    if len(curves) < 2:
        raise InvalidParameterError(f"`curves` must hold at least 2 widths; got {len(curves)}.")
    ws = sorted(int(w) for w in curves)
    t0, t1 = (float(x) for x in time_window)
    if not 0 < t0 < t1:
        raise InvalidParameterError(f"`time_window` must satisfy 0 < start < stop; got {time_window!r}.")
    widest = curves[ws[-1]]
    t = np.asarray(widest.times, dtype=np.float64)
    inwin = (t >= t0) & (t <= t1)
    if inwin.sum() < 2:
        raise InvalidParameterError(f"`time_window` {time_window!r} holds fewer than 2 recorded steps.")
    r_time = _slope(t[inwin], np.asarray(widest.test_loss)[inwin])
    used = tuple(ws[:-1]) if widths is None else tuple(sorted(int(w) for w in widths))
    if len(used) < 2:
        used = tuple(ws)
    final = np.array([curves[w].test_loss[-1] for w in used])
    r_width = _slope(np.array(used, dtype=np.float64), final)
    if compute_range is None:
        tmax = float(np.max(t))
        compute_range = (ws[0] * t0, (ws[-2] if len(ws) > 2 else ws[-1]) * tmax)
    c0, c1 = (float(x) for x in compute_range)
    budgets = np.geomspace(c0, c1, check_int("n_compute", n_compute, low=3))
    table = np.full((len(ws), budgets.size), np.nan)
    for i, w in enumerate(ws):
        cw = curves[w]
        table[i] = _interp_loglog(np.asarray(cw.times, float), np.asarray(cw.test_loss), budgets / w)
    best = np.where(np.isnan(table), np.inf, table)
    idx = np.argmin(best, axis=0)
    front = best[idx, np.arange(budgets.size)]
    ok = np.isfinite(front)
    r_compute = _slope(budgets[ok], front[ok])
    return MeasuredExponents(
        time=r_time,
        width=r_width,
        compute=r_compute,
        time_window=(t0, t1),
        widths_used=used,
        compute_range=(c0, c1),
        frontier_compute=budgets[ok],
        frontier_loss=front[ok],
        frontier_width=np.array(ws)[idx][ok],
    )


# ---------------------------------------------------------------------------- comparison
@dataclass(frozen=True)
class ExponentRow:
    """One exponent, measured and predicted in several ways (nan where not available)."""

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
    if spectrum is None:
        spectrum = run.spectrum.to_spectrum()
    else:
        spectrum = check_spectrum(spectrum)
    fit = fit_exponents(run.spectrum) if fit is None else fit
    if time_window is None:
        unit = 1.0 / (run.eta * float(run.spectrum.eigenvalues[0]))
        time_window = (10.0 * unit, 100.0 * unit)
    p_max = max(run.sample_counts)
    widest = run.widest
    finite = [w for w in run.widths if w != widest]
    kw = {"method": method, "optimizer": optimizer, "n_seeds": n_seeds, "seed": seed}
    predicted: dict[tuple[int, int], LossCurves] = {}
    size_fits: dict[int, ModelSizeFit] = {}
    to_fit = finite if n_scale is None else []
    total = len(to_fit) + len(run.widths) * len(run.sample_counts)
    with progress_bar(total, f"model prediction ({method})", progress, unit="curve") as bar:
        for w in to_fit:
            size_fits[w] = fit_model_size([run.curves[(w, P)] for P in run.sample_counts],
                                          spectrum, run.eta, w, **kw)
            bar.update(1)
        if n_scale is None:
            scale = float(np.exp(np.mean([math.log(f.ratio) for f in size_fits.values()])))
        else:
            scale = check_real("n_scale", n_scale, low=0.0, low_open=True)
        for w in run.widths:
            N = math.inf if w == widest else max(1, round(scale * w))
            for P in run.sample_counts:
                predicted[(w, P)] = model_curves(spectrum, N, P, run.steps, run.eta, **kw)
                bar.update(1)
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
        ExponentRow("data: L ~ P^-r (widest, last step)", _slope(counts, final_meas),
                    _slope(counts, final_pred), closed["data"]),
        ExponentRow("width: L ~ n^-r (last step, largest P)", meas.width, pred.width,
                    closed["model"], pick(lazy, "width"), pick(mup, "width")),
        ExponentRow("compute-optimal: L* ~ C^-r, C = n t", meas.compute, pred.compute,
                    closed["compute_loss"], pick(lazy, "compute"), pick(mup, "compute")),
    )
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
        info={"optimizer": optimizer, "time_window": list(time_window),
              "spectrum": spectrum.label, "initial_loss": spectrum.initial_loss, **run.info},
    )


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
