r"""The model's loss curves at a network's steps, and the model size N of a network's width.

A network of width n trained by GD with step :math:`\eta` for t steps is compared with the
model on the network's measured spectrum, run by the optimiser ``optimizer`` names
(:mod:`._time_map`: GD at the same step, or gradient flow at time :math:`\eta t`). The
model's N is a number of random features, not a width: :func:`fit_model_size` finds the
:math:`N_n` whose predicted test-loss curves are closest in log to the measured ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from .._errors import InvalidParameterError, ScalingDynamicsError
from .._validation import check_choice, check_int, check_real, check_size
from ..optimizers import Optimizer
from ..results import LossCurves
from ..scaling._summary import summary_repr
from ..spectra import Spectrum
from ._time_map import model_times, network_optimizer, time_mapping

__all__ = ["PREDICTION_METHODS", "ModelSizeFit", "fit_model_size", "model_curves"]

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
    opt = network_optimizer(optimizer, eta)
    eta = check_real("eta", eta, low=0.0, low_open=True)
    return _model_curves(spectrum, N, P, steps, eta, opt, method=method, n_seeds=n_seeds,
                         seed=seed)


def _model_curves(spectrum: Spectrum, N: float, P: float, steps: Any, eta: float,
                  opt: Optimizer, *, method: str, n_seeds: int, seed: int) -> LossCurves:
    """:func:`model_curves` with the optimiser already built from its name."""
    N = check_size("N", N)
    P = check_size("P", P)
    steps = np.asarray(steps, dtype=np.float64)
    times = model_times(opt, eta, steps)
    if method == "theory":
        curves = _theory_predict()(spectrum, N, P, times, optimizer=opt)
    else:
        from ..simulate import simulate

        curves = simulate(spectrum, N, P, times, optimizer=opt, n_seeds=n_seeds, seed=seed)
    # the same curves, on the network's step axis
    return replace(
        curves,
        times=steps,
        params={**curves.params, "time_mapping": time_mapping(opt), "eta_network": eta},
        time_unit="steps",
    )


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

    __repr__ = summary_repr

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
    opt = network_optimizer(optimizer, eta)
    eta = check_real("eta", eta, low=0.0, low_open=True)
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
            pred = _model_curves(spectrum, n, P, steps, eta, opt, method=method,
                                 n_seeds=n_seeds, seed=seed)
            errs.append(_rms_log(target, pred.test_loss) ** 2)
        return float(np.sqrt(np.mean(errs)))

    a, b = math.log(lo * width), math.log(hi * width)
    res = minimize_scalar(objective, bounds=(a, b), method="bounded", options={"xatol": 0.02})
    n_best = float(max(1, round(math.exp(res.x))))
    at_bound = bool(res.x - a < 0.05 or b - res.x < 0.05)
    return ModelSizeFit(width=width, N=n_best, ratio=n_best / width,
                        rms_log_error=float(res.fun), at_bound=at_bound)
