r"""Fit this model's theory to anyone's loss data: exponents a, b, noise and the scales of N, t, L.

The data :math:`(N_i, t_i, L_i)` are matched to the mean-field theory of gradient flow
in the setting of the runs (``M`` teacher modes, ``P`` samples; infinite by default)
through three scales and the noise,

.. math:: L_i \approx s_L\bigl(L_{\text{theory}}(N_{\text{eff}} = s_N N_i,\;
          t_{\text{eff}} = s_t t_i;\; a, b, \sigma, M, P) + \sigma^2\bigr)
          = E + s_L L_{\text{theory}}, \qquad E = s_L \sigma^2,

where :math:`L_{\text{theory}}` is the excess test loss of
:func:`scaling_dynamics.theory.predict` for the power law
:math:`\lambda_k = k^{-b}`, :math:`\lambda_k (w^*_k)^2 = k^{-a}`.

Two stages. (1) *Basin*: for candidate :math:`(a, b)` the theory (M = P = inf) is
tabulated on a log grid of :math:`(N_{\text{eff}}, t_{\text{eff}})`, the four other
parameters fitted to a bicubic spline of the table, and the profile over
:math:`(a, b)` searched by bounded Nelder-Mead (:mod:`._theory_search`). The table is
too coarse for the optimum (its interpolation error is the size of the noise of
typical data, and the profile is rough), so (2) *polish*: a least-squares fit of the
free parameters with the exact theory at real-valued :math:`s_N N_i`
(:mod:`._theory_model`), first in plain least squares and then in the Huber loss of
the log residuals where outliers call for it, from the best table candidates
(``polish_starts`` of them, distinct in :math:`(a, b)`). The result is the best polished
point; the reported ``objective`` is the mean Huber loss at ``huber_delta`` there. Intervals and the
parameters the data do not determine come from the linearised covariance there
(:mod:`._theory_intervals`).
"""

from __future__ import annotations

import math
import time as _time
import warnings
from dataclasses import replace
from typing import Any

import numpy as np

from .._blas import single_blas_thread
from .._errors import InvalidParameterError, ScalingDynamicsWarning
from .._progress import progress_bar
from .._validation import check_int, check_real, check_size
from ._allocation import HoldoutScore
from ._data import LossTable
from ._exponents import closed_form_exponents
from ._fit_common import check_holdout_fraction, fit_table_from, score_holdout
from ._theory_intervals import covariance, parameter_intervals, quantile, undetermined_notes
from ._theory_model import (
    NAMES,
    Polished,
    TheoryModel,
    from_theta,
    objective,
    polish,
    to_theta,
)
from ._theory_result import TheoryFit
from ._theory_search import TableCache, initial_exponents, profile_fit

__all__ = ["TheoryFit", "fit_theory", "FITTED_NAMES"]

#: Names ``fix`` accepts.
FITTED_NAMES = NAMES

#: Stages of the search: (table resolution, most evaluations, simplex size in a).
_Stages = list[tuple[tuple[int, int], int, float]]


def fit_theory(
    model_size: Any,
    steps: Any,
    loss: Any,
    *,
    M: float = math.inf,
    P: float = math.inf,
    sigma: float | None = None,
    fix: dict[str, float] | None = None,
    level: float = 0.9,
    huber_delta: float = 1e-3,
    holdout_fraction: float | None = 0.2,
    coarse_evaluations: int = 8,
    fine_evaluations: int = 0,
    coarse_table: tuple[int, int] = (10, 19),
    fine_table: tuple[int, int] = (13, 25),
    n_inner_starts: int = 4,
    starts: list[tuple[float, float]] | None = None,
    polish_starts: int = 3,
    max_evaluations: int = 80,
    progress: bool | None = None,
) -> TheoryFit:
    r"""Fit the mean-field theory (a, b, sigma and the scales of N, t, L) to loss data.

    Minimises the mean Huber loss of :math:`\log\bigl(s_L(L_{\text{theory}}(s_N N_i,
    s_t t_i; a, b, \sigma, M, P) + \sigma^2)\bigr) - \log L_i` (module notes).

    Parameters
    ----------
    model_size, steps, loss : array_like, shape (n_points,)
        As for :func:`fit_chinchilla` (at least 6 points, 2 distinct sizes and step counts).
    M, P : int or math.inf
        The setting of the runs: teacher modes and training samples (default ``inf``:
        an infinite power law, fresh data). Give them when the runs had them; the fit
        warns when the data look finite but the fit assumes ``inf``.
    sigma : float, optional
        The label noise, when known (theory units); fixes ``sigma``.
    fix : dict, optional
        Parameters held at given values, by name (``a``, ``b``, ``model_scale``,
        ``time_scale``, ``loss_scale``, ``sigma``); e.g. ``{"model_scale": 1}`` when the
        data's N is the theory's N.
    level : float
        Coverage of the parameter intervals (linearised covariance).
    huber_delta : float
        Huber threshold on log residuals.
    holdout_fraction : float or None
        Fraction of largest-compute points held out and predicted by a fit on the rest.
    coarse_evaluations, fine_evaluations : int
        Most (a, b) candidates tabulated in the basin search with the coarse and the
        fine table; 0 skips a stage (each table costs about 1-2 s on one core).
    coarse_table, fine_table : (int, int)
        Table resolution (sizes, times) over N_eff in [1, 1e6] and t_eff in [0.1, 1e7].
    n_inner_starts : int
        Least-squares starts of the four scale parameters per (a, b) on a table.
    starts : list of (a, b), optional
        Starting exponents (default: implied by a Chinchilla fit of the same data).
    polish_starts : int
        Most table candidates, distinct in (a, b), polished with the exact theory (the
        next one only while the best fit so far leaves residuals above the noise).
    max_evaluations : int
        Most evaluations of the exact theory per polish (each: one call per distinct N).
    progress : bool or None
        Progress bar on stderr.

    Returns
    -------
    TheoryFit

    Raises
    ------
    InvalidParameterError
        For data that cannot be fitted (see :func:`fit_chinchilla`) or invalid options.
    """
    started = _time.perf_counter()
    table = fit_table_from(model_size, steps, loss)
    delta = check_real("huber_delta", huber_delta, low=0.0, low_open=True)
    level = check_real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    setting = {"M": check_size("M", M), "P": check_size("P", P)}
    fixed = _check_fix(fix, sigma)
    stages = _stages(coarse_evaluations, fine_evaluations, coarse_table, fine_table)
    n_inner_starts = check_int("n_inner_starts", n_inner_starts, low=1)
    polish_starts = check_int("polish_starts", polish_starts, low=1)
    max_evaluations = check_int("max_evaluations", max_evaluations, low=2)
    holdout_fraction = check_holdout_fraction(holdout_fraction)
    starts = initial_exponents(table) if starts is None else _check_starts(starts)
    free = np.array([j for j, n in enumerate(NAMES) if n not in fixed], dtype=int)

    n_tables = sum(st[1] for st in stages)
    total = n_tables + 8 * (1 + (holdout_fraction is not None)) * max(free.size, 1)
    with single_blas_thread(), progress_bar(total, "theory fit", progress,
                                            unit="step") as bar:
        tables = TableCache(bar)
        _, _, diag, tried = profile_fit(table, delta, stages, n_inner_starts, starts, tables)
        diag["tables_built"] = len(tables.store)
        model = TheoryModel(table.model_size, table.steps, bar=bar, **setting)
        best = _polish_from(model, table, _table_starts(tried, polish_starts, fixed), free,
                            delta, max_evaluations, diag)

        def fit_predict(train: LossTable, test: LossTable) -> np.ndarray:
            # Warm start at the full fit: one polish on the training rows.
            sub = TheoryModel(train.model_size, train.steps, bar=bar, **setting)
            part = robust_polish(sub, np.log(train.loss), best.theta, free, delta,
                                 max_evaluations)
            return np.exp(TheoryModel(test.model_size, test.steps, **setting)
                          .log_loss(part.theta))

        holdout = score_holdout(table, holdout_fraction, fit_predict, diag)
    diag["theory_calls"] = model.n_theory_calls
    best = replace(best, objective=objective(best.residuals, delta))
    fit = _make(best, free, table, delta, holdout, diag, setting, fixed, level)
    diag["wall_time_s"] = _time.perf_counter() - started
    _warn_unmodelled_setting(fit, best.residuals, table)
    for msg in fit.undetermined.values():
        warnings.warn(msg, ScalingDynamicsWarning, stacklevel=2)
    return fit


def _check_fix(fix: dict[str, float] | None, sigma: float | None) -> dict[str, float]:
    """The fixed parameters by name, checked (a known ``sigma`` is one of them)."""
    out: dict[str, float] = {}
    for name, value in (fix or {}).items():
        if name not in NAMES:
            raise InvalidParameterError(
                f"`fix` names a parameter of the theory fit ({', '.join(NAMES)}); got {name!r}."
            )
        low, low_open = {"a": (1.0, True), "b": (1.0, True), "sigma": (0.0, False)}.get(
            name, (0.0, True))
        out[name] = check_real(f"fix {name}", value, low=low, low_open=low_open,
                               high=1e300 if name != "sigma" else 100.0)
    if sigma is not None:
        out["sigma"] = check_real("sigma", sigma, low=0.0, high=100.0)
    return out


def _table_starts(tried: list[tuple[float, ...]], n: int,
                  fixed: dict[str, float]) -> list[np.ndarray]:
    """The ``n`` best table candidates, distinct in (a, b), as theta (fixed values set)."""
    out: list[np.ndarray] = []
    for val, a, b, ln, lt, ll, le in tried:
        if not np.isfinite(val):
            continue
        if any(abs(a - th[0]) < 0.05 and abs(b - th[1]) < 0.05 for th in out):
            continue
        v = math.exp(le - ll)  # sigma^2 = E / s_L
        th = np.array([a, b, ln, lt, ll, v])
        for name, value in fixed.items():
            th[NAMES.index(name)] = to_theta({**from_theta(th), name: value})[NAMES.index(name)]
        out.append(th)
        if len(out) == n:
            break
    return out


def _polish_from(model: TheoryModel, table: LossTable, starts: list[np.ndarray],
                 free: np.ndarray, delta: float, max_nfev: int,
                 diag: dict[str, Any]) -> Polished:
    """Least squares from each start, then Huber where outliers call for it; best wins.

    Starts after the first are polished only while the best residuals exceed the noise
    of the rows (:func:`_consistent`): a local minimum of the valley leaves a misfit far
    above it (measured: 0.046 against 0.0022 at P = 400).
    """
    y = np.log(table.loss)
    best: Polished | None = None
    diag["polish"] = []
    for th0 in starts:
        res = robust_polish(model, y, th0, free, delta, max_nfev)
        diag["polish"].append({"start_a": float(th0[0]), "start_b": float(th0[1]),
                               "a": float(res.theta[0]), "b": float(res.theta[1]),
                               "objective": res.objective, "evaluations": res.n_evaluations,
                               "converged": res.converged})
        if best is None or res.objective < best.objective:
            best = res
        if _consistent(best.residuals, table):
            break  # at the noise of the data: further starts cannot do much better
    assert best is not None
    return best


def robust_polish(model: TheoryModel, y: np.ndarray, th0: np.ndarray, free: np.ndarray,
                  delta: float, max_nfev: int) -> Polished:
    """Plain least squares; then, if some residual exceeds 4 rms (outliers), Huber with
    threshold ``max(delta, 3 rms)``, so that only the outliers are down-weighted."""
    if free.size == 0:  # everything fixed: nothing to fit, only the residuals
        r = model.log_loss(th0) - y
        return Polished(theta=np.asarray(th0, float), objective=objective(r, delta),
                        residuals=r, jacobian=np.empty((y.size, 0)), n_evaluations=1,
                        converged=True)
    first = polish(model, y, th0, free, delta, max_nfev=max_nfev, loss="linear")
    rms = float(np.sqrt(np.mean(first.residuals**2)))
    if rms == 0 or float(np.max(np.abs(first.residuals))) <= 4 * rms:
        return first
    second = polish(model, y, first.theta, free, max(delta, 3 * rms), max_nfev=max_nfev)
    second = replace(second, n_evaluations=first.n_evaluations + second.n_evaluations)
    return second


def _make(best: Polished, free: np.ndarray, table: LossTable, delta: float,
          holdout: HoldoutScore | None, diag: dict[str, Any], setting: dict[str, float],
          fixed: dict[str, float], level: float) -> TheoryFit:
    p = from_theta(best.theta)
    cov = covariance(best.jacobian, best.residuals) if free.size else None
    z = quantile(level, table.n_points - free.size)
    return TheoryFit(
        a=p["a"], b=p["b"], sigma=p["sigma"], model_scale=p["model_scale"],
        time_scale=p["time_scale"], loss_scale=p["loss_scale"], floor=p["floor"],
        exponents=closed_form_exponents(p["a"], p["b"]), n_points=table.n_points,
        objective=best.objective, rmse_log=float(np.sqrt(np.mean(best.residuals**2))),
        huber_delta=delta, holdout=holdout, diagnostics=diag, M=setting["M"],
        P=setting["P"], fixed=dict(fixed),
        intervals={} if cov is None else parameter_intervals(best.theta, free, cov, z),
        level=level,
        undetermined={} if cov is None else undetermined_notes(best.theta, free, cov, z),
        covariance=cov, free=tuple(NAMES[j] for j in free),
    )


def point_noise(r: np.ndarray, table: LossTable) -> float:
    r"""The noise of the rows, from second differences of the residuals along each curve.

    A smooth misfit hardly moves second differences in log t, so their rms over
    :math:`\sqrt 6` estimates the point-to-point noise (nan with no curve of 3 points).
    """
    d2 = []
    for n in np.unique(table.model_size):
        idx = np.flatnonzero(table.model_size == n)
        rr = r[idx[np.argsort(table.steps[idx])]]
        if rr.size >= 3:
            d2.append(rr[2:] - 2 * rr[1:-1] + rr[:-2])
    if not d2:
        return math.nan
    return float(np.sqrt(np.mean(np.concatenate(d2) ** 2) / 6.0))


def _consistent(r: np.ndarray, table: LossTable) -> bool:
    """Whether residuals ``r`` are as small as the noise of the rows allows."""
    rms = float(np.sqrt(np.mean(r**2)))
    noise = point_noise(r, table)
    return rms <= 2e-3 or (math.isfinite(noise) and rms <= 1.5 * noise)


def _warn_unmodelled_setting(fit: TheoryFit, r: np.ndarray, table: LossTable) -> None:
    """Warn when the residuals are structured well beyond their noise at M = P = inf.

    Residuals much larger than the point-to-point noise (:func:`point_noise`) point at
    a setting the fit ignores (a late-time plateau of a finite P or M).
    """
    if math.isfinite(fit.M) or math.isfinite(fit.P) or r.size < 8:
        return
    noise = point_noise(r, table)
    if not math.isfinite(noise):
        return
    rms = float(np.sqrt(np.mean(r**2)))
    # pure noise gives rms ~ noise (the estimate is good to ~15 % at 30 second differences)
    if not _consistent(r, table):
        warnings.warn(
            f"the theory at M = P = inf leaves structured residuals (rms(log) {rms:.3g}, "
            f"{rms / max(noise, 1e-4):.1f}x the point-to-point noise {noise:.2g}): the "
            "runs may have a finite teacher or data set (a late-time plateau, a train/test "
            "gap); give --M and --P (fit_theory M=, P=) if known",
            ScalingDynamicsWarning, stacklevel=3,
        )


def _stages(coarse_evaluations: int, fine_evaluations: int, coarse_table: Any,
            fine_table: Any) -> _Stages:
    """The checked search stages, coarse then fine, less those with no evaluations."""
    coarse_evaluations = check_int("coarse_evaluations", coarse_evaluations, low=0)
    fine_evaluations = check_int("fine_evaluations", fine_evaluations, low=0)
    if coarse_evaluations + fine_evaluations == 0:
        raise InvalidParameterError(
            "`coarse_evaluations` + `fine_evaluations` must be at least 1; got 0."
        )
    res_c = _resolution("coarse_table", coarse_table)
    res_f = _resolution("fine_table", fine_table)
    stages = [(res_c, coarse_evaluations, 0.15), (res_f, fine_evaluations, 0.04)]
    return [st for st in stages if st[1] > 0]


def _check_starts(starts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(check_real("starts a", s[0], low=1.0, low_open=True),
             check_real("starts b", s[1], low=1.0, low_open=True)) for s in starts]


def _resolution(name: str, value: Any) -> tuple[int, int]:
    try:
        n, t = value
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"`{name}` must be two integers (sizes, times); got {value!r}."
        ) from None
    return (check_int(f"{name} sizes", n, low=4), check_int(f"{name} times", t, low=4))


