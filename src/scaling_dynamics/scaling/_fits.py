r"""Chinchilla-style fits of anyone's loss data: :math:`L = E + A N^{-\alpha} + B t^{-\beta}`.

The method of Hoffmann et al. (2022, appendix D.2), as re-analysed by Besiroglu et
al. (2024): parameterise :math:`E = e^{e}`, :math:`A = e^{a}`, :math:`B = e^{b}` so the
prediction is a log-sum-exp,

.. math:: \log \hat L_i = \operatorname{LSE}\bigl(a - \alpha \log N_i,\;
          b - \beta \log t_i,\; e\bigr),

and minimise the Huber loss of the log residuals
:math:`\sum_i \mathrm{Huber}_\delta(\log \hat L_i - \log L_i)` (``delta = 1e-3``) with
L-BFGS-B (exact gradient) from many starting points. Confidence intervals come from
a bootstrap over data points. Compute is :math:`C = N t`, so the compute-optimal
allocation is

.. math:: N^*(C) = G\, C^{\beta/(\alpha+\beta)},\quad t^* = C/N^*,\quad
          G = \Bigl(\frac{\alpha A}{\beta B}\Bigr)^{1/(\alpha+\beta)},\quad
          L^* - E \propto C^{-\alpha\beta/(\alpha+\beta)}.

References
----------
J. Hoffmann et al., "Training Compute-Optimal Large Language Models", arXiv:2203.15556.
T. Besiroglu, E. Erdil, M. Barnett, J. You, "Chinchilla Scaling: A replication
attempt", arXiv:2404.10102 (github.com/epoch-research/analyzing-chinchilla).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._blas import single_blas_thread
from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._records import Record
from .._validation import check_int, check_real
from ._allocation import ComputeAllocation, HoldoutScore
from ._chinchilla_bootstrap import bootstrap_parameters
from ._chinchilla_search import fit_table
from ._data import LossTable
from ._fit_common import (
    MIN_POINTS_CHINCHILLA,
    check_budgets,
    check_holdout_fraction,
    fit_table_from,
    percentile_intervals,
    rmse_log,
    score_holdout,
)
from ._forecast import Forecast
from ._summary import summary_repr

__all__ = ["ChinchillaFit", "fit_chinchilla", "MIN_POINTS_CHINCHILLA"]

_PARAMS = ("E", "A", "alpha", "B", "beta")
_EXPONENTS = ("exponent_params", "exponent_steps", "exponent_loss")


@dataclass(frozen=True, eq=False)
class ChinchillaFit(Record):
    r"""A fitted :math:`L = E + A N^{-\alpha} + B t^{-\beta}` with bootstrap intervals.

    Attributes
    ----------
    E, A, alpha, B, beta : float
        Best-fit parameters (N and t in the units of the data).
    intervals : dict of str to (float, float)
        Bootstrap percentile intervals at level ``confidence`` for the five parameters
        and for ``exponent_params``, ``exponent_steps``, ``exponent_loss`` (empty when
        ``n_bootstrap = 0``).
    confidence : float
        Level of ``intervals`` (e.g. 0.95).
    exponent_params, exponent_steps, exponent_loss : float
        Compute-optimal exponents :math:`\beta/(\alpha+\beta)`, :math:`\alpha/(\alpha+\beta)`
        and :math:`\alpha\beta/(\alpha+\beta)`.
    n_points, n_starts, n_bootstrap : int
        Data points; local optimisations from the best grid starts; bootstrap resamples.
    huber_delta : float
        Huber threshold on log residuals.
    objective : float
        Mean Huber loss at the optimum divided by ``huber_delta``.
    rmse_log : float
        In-sample root mean square of the log residuals.
    holdout : HoldoutScore or None
        Prediction of the largest-compute points by a fit without them (None when too
        few points remain to fit).
    diagnostics : dict
        Optimiser facts: converged starts, function evaluations, bootstrap failures.
    bootstrap_parameters : ndarray, shape (n_ok, 5), or None
        (E, A, alpha, B, beta) of each successful bootstrap refit (None without a
        bootstrap); the intervals of :meth:`forecast` and :meth:`allocation` come from
        them. Not written by ``to_dict``.
    """

    __repr__ = summary_repr
    _repr_fields = ("E A alpha B beta", "exponent_params exponent_steps exponent_loss", "n_points rmse_log", "holdout",)

    E: float
    A: float
    alpha: float
    B: float
    beta: float
    exponent_params: float
    exponent_steps: float
    exponent_loss: float
    confidence: float
    intervals: dict[str, tuple[float, float]]
    n_points: int
    n_starts: int
    n_bootstrap: int
    huber_delta: float
    objective: float
    rmse_log: float
    holdout: HoldoutScore | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    bootstrap_parameters: np.ndarray | None = None

    def predict(self, model_size: Any, steps: Any) -> np.ndarray:
        r""":math:`E + A N^{-\alpha} + B t^{-\beta}` at the given sizes and steps (broadcast)."""
        n = np.asarray(model_size, dtype=np.float64)
        t = np.asarray(steps, dtype=np.float64)
        return self.E + self.A * n ** (-self.alpha) + self.B * t ** (-self.beta)

    def forecast(self, model_size: Any, steps: Any, *, level: float = 0.9) -> list[Forecast]:
        r"""The loss :math:`E + A N^{-\alpha} + B t^{-\beta}` at each point, with an interval.

        The interval is the central ``level`` percentile interval of the predictions of
        the bootstrap refits (``method="bootstrap"``; ``nan`` and ``"none"`` without a
        bootstrap). It covers the uncertainty of the fitted parameters, not a law that
        does not describe the data.

        Parameters
        ----------
        model_size, steps : array_like
            Points (N, t), broadcast against each other; positive and finite.
        level : float
            Coverage of the interval, in (0, 1).

        Returns
        -------
        list of Forecast
            One per point, in the order of the broadcast (flattened) inputs.
        """
        n, t = _points(model_size, steps)
        level = check_real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
        loss = self.predict(n, t)
        lo = hi = np.full(n.size, np.nan)
        method = "none"
        samples = self.bootstrap_parameters
        if samples is not None and len(samples):
            E, A, al, B, be = (samples[:, k:k + 1] for k in range(5))
            draws = E + A * n[None, :] ** (-al) + B * t[None, :] ** (-be)
            lo, hi = _central(draws, level)
            method = "bootstrap"
        return [Forecast(model_size=float(n[i]), steps=float(t[i]), loss=float(loss[i]),
                         low=float(lo[i]), high=float(hi[i]), level=level, method=method)
                for i in range(n.size)]

    def allocation(self, compute: Any, *, level: float | None = None) -> ComputeAllocation:
        r"""Compute-optimal :math:`N^*, t^*, L^*` for budgets ``compute`` (:math:`C = N t`).

        With a bootstrap, ``model_size_interval``, ``steps_interval`` and
        ``loss_interval`` are the central ``level`` (default: ``confidence``) percentile
        intervals of the same allocation under each bootstrap refit.
        """
        c = check_budgets(compute)
        level = self.confidence if level is None else check_real(
            "level", level, low=0.0, high=1.0, low_open=True, high_open=True)
        n_opt, t_opt, l_opt = _allocate(np.array([[self.E, self.A, self.alpha, self.B,
                                                   self.beta]]), c)
        intervals: dict[str, np.ndarray] = {}
        samples = self.bootstrap_parameters
        if samples is not None and len(samples):
            for name, draws in zip(("model_size", "steps", "loss"), _allocate(samples, c),
                                   strict=True):
                intervals[name + "_interval"] = np.stack(_central(draws, level), axis=1)
        return ComputeAllocation(
            compute=c,
            model_size=n_opt[0],
            steps=t_opt[0],
            loss=l_opt[0],
            exponent_params=self.exponent_params,
            exponent_steps=self.exponent_steps,
            exponent_loss=self.exponent_loss,
            **intervals,
        )

    _dict_exclude = ("diagnostics", "bootstrap_parameters")

    def to_dict(self) -> dict[str, Any]:
        """The law's name, then the fields (less ``diagnostics``)."""
        return {"law": "L = E + A N^-alpha + B t^-beta", **super().to_dict()}


# ---------------------------------------------------------------------------- internals
def _points(model_size: Any, steps: Any) -> tuple[np.ndarray, np.ndarray]:
    """Forecast points as two flat float arrays; positive finite values only."""
    try:
        n, t = np.broadcast_arrays(np.asarray(model_size, dtype=np.float64),
                                   np.asarray(steps, dtype=np.float64))
    except (TypeError, ValueError):
        raise InvalidParameterError(
            "forecast points must be numbers (model_size and steps of matching shapes); got "
            f"{model_size!r} and {steps!r}."
        ) from None
    for name, x in (("model_size", n), ("steps", t)):
        if x.size == 0 or not np.all(np.isfinite(x)) or np.any(x <= 0):
            raise InvalidParameterError(
                f"`{name}` of a forecast must be positive finite numbers; got "
                f"{x.ravel().tolist()!r}."
            )
    return n.ravel().copy(), t.ravel().copy()


def _central(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Central percentile interval at ``level`` over the rows of ``draws`` (per column)."""
    return (np.percentile(draws, 50 * (1 - level), axis=0),
            np.percentile(draws, 50 * (1 + level), axis=0))


def _allocate(p: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r""":math:`N^*, t^*, L^*` (each (k, n_compute)) for parameter rows (E, A, alpha, B, beta)."""
    E, A, al, B, be = (p[:, k:k + 1] for k in range(5))
    s = al + be
    n_opt = (al * A / (be * B)) ** (1.0 / s) * c[None, :] ** (be / s)
    t_opt = c[None, :] / n_opt
    return n_opt, t_opt, E + A * n_opt ** (-al) + B * t_opt ** (-be)


def _exponents(p: dict[str, float]) -> dict[str, float]:
    s = p["alpha"] + p["beta"]
    return {
        "exponent_params": p["beta"] / s,
        "exponent_steps": p["alpha"] / s,
        "exponent_loss": p["alpha"] * p["beta"] / s,
    }


# ---------------------------------------------------------------------------- public
def fit_chinchilla(
    model_size: Any,
    steps: Any,
    loss: Any,
    *,
    huber_delta: float = 1e-3,
    n_starts: int = 16,
    n_bootstrap: int = 100,
    confidence: float = 0.95,
    holdout_fraction: float | None = 0.2,
    seed: int | None = 0,
    progress: bool | None = None,
) -> ChinchillaFit:
    r"""Fit :math:`L = E + A N^{-\alpha} + B t^{-\beta}` to loss data (Huber loss in log space).

    Minimises :math:`\frac{1}{n}\sum_i \mathrm{Huber}_\delta\bigl(\operatorname{LSE}(a - \alpha
    \log N_i, b - \beta \log t_i, e) - \log L_i\bigr)` over :math:`(e, a, \alpha, b, \beta)`
    with L-BFGS-B and the exact gradient, from the ``n_starts`` best points of a
    3600-point grid of starts (scored at once), as in Hoffmann et al. (2022) and
    Besiroglu et al. (2024). The grid is laid out in units of the data (N and t
    divided by their geometric means), so any units work.

    Parameters
    ----------
    model_size, steps, loss : array_like, shape (n_points,)
        One row per (model, time): model size N, steps or tokens t, loss L. All
        positive and finite; at least 6 rows with 2 distinct N and 2 distinct t.
    huber_delta : float
        Huber threshold on log residuals (Hoffmann et al.: 1e-3).
    n_starts : int
        Local optimisations, from the best-scoring grid starts (>= 1).
    n_bootstrap : int
        Bootstrap resamples of the points for the confidence intervals (0: none).
    confidence : float
        Level of the percentile intervals, in (0, 1).
    holdout_fraction : float or None
        Fraction of points with the largest compute :math:`C = N t` held out, fitted on
        the rest, and predicted (``None``: skip).
    seed : int or None
        Seed of the bootstrap resampling.
    progress : bool or None
        Progress bar over local starts, hold-out refit and bootstrap resamples on stderr
        (None: only on a terminal).

    Returns
    -------
    ChinchillaFit

    Raises
    ------
    InvalidParameterError
        Too few points, NaN/inf, non-positive values, unequal lengths, or a single
        distinct model size or step count.
    ConvergenceError
        If no start gives a finite objective.

    Examples
    --------
    >>> import numpy as np
    >>> N, t = np.meshgrid([1e2, 3e2, 1e3, 3e3], [1e3, 1e4, 1e5])
    >>> L = 0.5 + 20 * N**-0.4 + 30 * t**-0.3
    >>> fit = fit_chinchilla(N.ravel(), t.ravel(), L.ravel(), n_bootstrap=0)
    >>> round(fit.alpha, 2), round(fit.beta, 2)
    (0.4, 0.3)
    """
    table = fit_table_from(model_size, steps, loss)
    delta = check_real("huber_delta", huber_delta, low=0.0, low_open=True)
    n_starts = check_int("n_starts", n_starts, low=1)
    n_bootstrap = check_int("n_bootstrap", n_bootstrap, low=0)
    confidence = check_real("confidence", confidence, low=0.0, high=1.0, low_open=True,
                            high_open=True)
    holdout_fraction = check_holdout_fraction(holdout_fraction)

    with single_blas_thread():
        return _fit_chinchilla(table, delta, n_starts, n_bootstrap, confidence,
                               holdout_fraction, seed, progress)


def _fit_chinchilla(table: LossTable, delta: float, n_starts: int, n_bootstrap: int,
                    confidence: float, holdout_fraction: float | None, seed: int | None,
                    progress: bool | None) -> ChinchillaFit:
    """The fit, its bootstrap intervals and its hold-out score, assembled."""
    fits = 1 + (holdout_fraction is not None)
    with progress_bar(fits * (n_starts + 1) + n_bootstrap, "chinchilla fit", progress,
                      unit="fit") as bar:
        params, frame, theta, val, diag = fit_table(table, delta, n_starts, bar)
        intervals: dict[str, tuple[float, float]] = {}
        samples = None
        if n_bootstrap:
            samples, diag["bootstrap_failures"], diag["bootstrap_fallbacks"] = (
                bootstrap_parameters(table, frame, theta, delta, n_bootstrap, seed, bar))
            rows = [dict(zip(_PARAMS, s, strict=True)) for s in samples.tolist()]
            for r in rows:
                r.update(_exponents(r))
            intervals = percentile_intervals(rows, (*_PARAMS, *_EXPONENTS), confidence)

        def fit_predict(train: LossTable, test: LossTable) -> np.ndarray:
            p_train, *_ = fit_table(train, delta, n_starts, bar)
            return _predict(p_train, test.model_size, test.steps)

        holdout = score_holdout(
            table, holdout_fraction, fit_predict, diag,
            f"; a fit needs {MIN_POINTS_CHINCHILLA} with 2 distinct sizes and step counts",
        )
    return ChinchillaFit(
        **params,
        intervals=intervals,
        confidence=confidence,
        **_exponents(params),
        n_points=table.n_points,
        n_starts=n_starts,
        n_bootstrap=n_bootstrap,
        huber_delta=delta,
        objective=val,
        rmse_log=rmse_log(_predict(params, table.model_size, table.steps), table.loss),
        holdout=holdout,
        diagnostics=diag,
        bootstrap_parameters=samples,
    )


def _predict(p: dict[str, float], n: np.ndarray, t: np.ndarray) -> np.ndarray:
    return p["E"] + p["A"] * n ** (-p["alpha"]) + p["B"] * t ** (-p["beta"])
