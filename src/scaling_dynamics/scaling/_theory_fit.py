r"""Fit this model's theory to anyone's loss data: exponents a, b, noise and the scales of N, t, L.

The data :math:`(N_i, t_i, L_i)` are matched to the mean-field theory of gradient flow
with fresh data (:math:`P = \infty`, ``M`` infinite) through three scales and a floor,

.. math:: L_i \approx E + s_L\, L_{\text{theory}}\bigl(N_{\text{eff}} = s_N N_i,\;
          t_{\text{eff}} = s_t t_i;\; a, b\bigr), \qquad \sigma^2 = E / s_L,

where :math:`L_{\text{theory}}` is the excess test loss of
:func:`scaling_dynamics.theory.predict` for the power law
:math:`\lambda_k = k^{-b}`, :math:`\lambda_k (w^*_k)^2 = k^{-a}`, and the floor
:math:`E = s_L \sigma^2` is the noise of the labels in data units.

The objective is the one of the Chinchilla-style fit, the mean Huber loss of the
log residuals. For each candidate :math:`(a, b)` the theory is tabulated once on a
log grid of :math:`(N_{\text{eff}}, t_{\text{eff}})` and interpolated by a bicubic
spline of :math:`\log L_{\text{theory}}`; the four remaining parameters
:math:`(\log s_N, \log s_t, \log s_L, \log E)` are then fitted by robust (Huber)
least squares (scipy's trust-region reflective method, exact Jacobian) from several
starts. The profile objective over :math:`(a, b)` is
minimised by bounded Nelder-Mead, started from the exponents a Chinchilla fit of
the same data implies (time exponent :math:`(a-1)/b`, model exponent
:math:`\min(a-1, b)`). Predictions, hold-out scores and the compute-optimal
allocation use the theory itself, not the table.

In the power-law regime the three scales are tied by one near-degeneracy (only two
amplitudes are visible), so :math:`s_N, s_t, s_L` are individually less certain
than :math:`a`, :math:`b` and the predictions.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .._blas import one_blas_thread, single_blas_thread
from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._records import Record
from .._validation import check_int, check_real
from ..spectra import Spectrum
from ._allocation import ComputeAllocation, HoldoutScore
from ._data import LossTable
from ._exponents import ScalingExponents, closed_form_exponents
from ._fit_common import (
    check_budgets,
    check_holdout_fraction,
    fit_table_from,
    rmse_log,
    score_holdout,
)
from ._summary import summary_repr
from ._theory_frontier import TheoryLoss
from ._theory_search import TABLE_T, TableCache, initial_exponents, profile_fit

__all__ = ["TheoryFit", "fit_theory"]

#: Stages of the search: (table resolution, most evaluations, simplex size in a).
_Stages = list[tuple[tuple[int, int], int, float]]


@dataclass(frozen=True, eq=False)
class TheoryFit(Record):
    r"""The theory fitted to loss data: :math:`L = E + s_L L_{\text{theory}}(s_N N, s_t t; a, b)`.

    Attributes
    ----------
    a, b : float
        Fitted power-law exponents of the task and the spectrum.
    sigma : float
        Label noise in theory units, :math:`\sqrt{E/s_L}`.
    model_scale, time_scale, loss_scale : float
        :math:`s_N, s_t, s_L`: theory N = ``model_scale`` x data N, and so on.
    floor : float
        :math:`E`, the irreducible loss in data units.
    exponents : ScalingExponents
        Closed forms at the fitted ``(a, b)``.
    n_points : int
    objective : float
        Mean Huber loss of the log residuals divided by ``huber_delta``.
    rmse_log : float
        In-sample root mean square of the log residuals (with the exact theory).
    huber_delta : float
    holdout : HoldoutScore or None
    diagnostics : dict
        Table sizes, outer evaluations, wall time.
    """

    __repr__ = summary_repr
    _repr_fields = ("a b sigma floor", "model_scale time_scale loss_scale", "exponents", "n_points rmse_log", "holdout",)

    a: float
    b: float
    sigma: float
    model_scale: float
    time_scale: float
    loss_scale: float
    floor: float
    exponents: ScalingExponents
    n_points: int
    objective: float
    rmse_log: float
    huber_delta: float
    holdout: HoldoutScore | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @property
    def spectrum(self) -> Spectrum:
        """The fitted power law (``M`` infinite)."""
        return Spectrum.power_law(self.a, self.b, math.inf)

    def predict(self, model_size: Any, steps: Any) -> np.ndarray:
        r""":math:`E + s_L L_{\text{theory}}(s_N N, s_t t)` from the theory (N_eff rounded)."""
        n = np.atleast_1d(np.asarray(model_size, dtype=np.float64))
        t = np.atleast_1d(np.asarray(steps, dtype=np.float64))
        n, t = np.broadcast_arrays(n, t)
        return _theory_in_data_units(self, n.ravel(), t.ravel()).reshape(n.shape)

    def loss_function(self) -> TheoryLoss:
        """``loss(N, times)`` in data units, for :func:`optimize_frontier`."""
        return TheoryLoss(self.spectrum, math.inf, model_scale=self.model_scale,
                          time_scale=self.time_scale, loss_scale=self.loss_scale,
                          floor=self.floor)

    @one_blas_thread
    def allocation(self, compute: Any, *, n_grid: int = 13) -> ComputeAllocation:
        r"""Compute-optimal :math:`N^*, t^*, L^*` (:math:`C = N t`, data units) from the theory."""
        from ._frontier import optimize_frontier

        c = np.sort(check_budgets(compute))
        n_lo = 1.0 / self.model_scale
        min_steps = TABLE_T[0] / self.time_scale
        n_hi = max(2 * n_lo, float(c.max()) / min_steps)
        fr = optimize_frontier(
            self.loss_function(), c, model_size_range=(n_lo, n_hi), min_steps=min_steps,
            n_grid=n_grid, loss_floor=self.floor,
        )
        return ComputeAllocation(
            compute=fr.compute,
            model_size=fr.model_size,
            steps=fr.steps,
            loss=fr.loss,
            exponent_params=fr.exponent_params,
            exponent_steps=fr.exponent_steps,
            exponent_loss=fr.exponent_loss,
        )

    def format_lines(self) -> list[str]:
        """A few lines for the command line's table output."""
        e = self.exponents
        return [
            f"# theory fit: L = E + s_L L_theory(s_N N, s_t t; a, b), P = inf ({self.n_points} "
            f"points, rmse(log) {self.rmse_log:.4f})",
            f"{'a':>16}  {self.a:12.6g}",
            f"{'b':>16}  {self.b:12.6g}",
            f"{'sigma':>16}  {self.sigma:12.6g}",
            f"{'model_scale':>16}  {self.model_scale:12.6g}   (theory N = s_N x N)",
            f"{'time_scale':>16}  {self.time_scale:12.6g}   (theory t = s_t x t)",
            f"{'loss_scale':>16}  {self.loss_scale:12.6g}",
            f"{'floor E':>16}  {self.floor:12.6g}",
            f"{'closed forms':>16}  time {e.time:.4g}, model {e.model_single:.4g}, N* ~ C^"
            f"{e.compute_params_single:.4g}, t* ~ C^{e.compute_steps_single:.4g}, L* ~ C^-"
            f"{e.compute_loss_single:.4g}",
        ]

    _dict_exclude = ("exponents",)

    def to_dict(self) -> dict[str, Any]:
        """The law's name, the fields, the closed forms under ``closed_form``."""
        out = {"law": "L = E + s_L L_theory(s_N N, s_t t; a, b), P = inf", **super().to_dict()}
        out["closed_form"] = self.exponents.to_dict()
        return out


def _theory_in_data_units(fit: TheoryFit, n: np.ndarray, t: np.ndarray) -> np.ndarray:
    loss = fit.loss_function()
    out = np.empty(n.size)
    n_eff = np.maximum(1, np.round(n * fit.model_scale))
    for ne in np.unique(n_eff):
        sel = n_eff == ne
        out[sel] = loss(float(ne) / fit.model_scale, t[sel])
    return out


# ---------------------------------------------------------------------------- table

def fit_theory(
    model_size: Any,
    steps: Any,
    loss: Any,
    *,
    huber_delta: float = 1e-3,
    holdout_fraction: float | None = 0.2,
    coarse_evaluations: int = 16,
    fine_evaluations: int = 8,
    coarse_table: tuple[int, int] = (10, 19),
    fine_table: tuple[int, int] = (13, 25),
    n_inner_starts: int = 4,
    starts: list[tuple[float, float]] | None = None,
    progress: bool | None = None,
) -> TheoryFit:
    r"""Fit the mean-field theory (a, b, sigma and the scales of N, t, L) to loss data.

    Minimises the mean Huber loss of :math:`\log\bigl(E + s_L L_{\text{theory}}(s_N N_i,
    s_t t_i; a, b)\bigr) - \log L_i` (module notes), with the theory of gradient flow on
    fresh data (:math:`P = \infty`) and an infinite power-law spectrum.

    Parameters
    ----------
    model_size, steps, loss : array_like, shape (n_points,)
        As for :func:`fit_chinchilla` (at least 6 points, 2 distinct sizes and step counts).
    huber_delta : float
        Huber threshold on log residuals.
    holdout_fraction : float or None
        Fraction of largest-compute points held out and predicted by a fit on the rest.
    coarse_evaluations, fine_evaluations : int
        Most (a, b) candidates tried with the coarse table (finding the basin) and then
        with the fine table (refining it); 0 skips a stage. Each candidate tabulates the
        theory once (about 1.3 s coarse, 2.3 s fine on one core).
    coarse_table, fine_table : (int, int)
        Table resolution (sizes, times) over N_eff in [1, 1e6] and t_eff in [0.1, 1e7];
        the defaults interpolate log L to about 4e-3 and 2e-3. A table much coarser than
        the noise of the data makes the profile over (a, b) rough.
    n_inner_starts : int
        Least-squares starts of the four scale parameters per (a, b).
    starts : list of (a, b), optional
        Starting exponents (default: implied by a Chinchilla fit of the same data).
    progress : bool or None
        Progress bar over (a, b) candidates on stderr.

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
    stages = _stages(coarse_evaluations, fine_evaluations, coarse_table, fine_table)
    n_inner_starts = check_int("n_inner_starts", n_inner_starts, low=1)
    holdout_fraction = check_holdout_fraction(holdout_fraction)
    starts = initial_exponents(table) if starts is None else _check_starts(starts)

    total = sum(st[1] for st in stages) * (2 if holdout_fraction is not None else 1)
    with single_blas_thread(), progress_bar(total, "theory fit", progress,
                                            unit="table") as bar:
        tables = TableCache(bar)
        params, val, diag = profile_fit(table, delta, stages, n_inner_starts, starts, tables)

        def fit_predict(train: LossTable, test: LossTable) -> np.ndarray:
            # Same starts and stages: tables already built are reused.
            p_train, v_train, _ = profile_fit(train, delta, stages, n_inner_starts, starts,
                                              tables)
            part = _make(p_train, v_train, train.n_points, delta, None, {})
            return part.predict(test.model_size, test.steps)

        holdout = score_holdout(table, holdout_fraction, fit_predict, diag)
        diag["tables_built"] = len(tables.store)
    fit = _make(params, val, table.n_points, delta, holdout, diag)
    rmse = rmse_log(fit.predict(table.model_size, table.steps), table.loss)
    diag["wall_time_s"] = _time.perf_counter() - started
    return replace(fit, rmse_log=rmse)


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


def _make(p: dict[str, float], val: float, n_points: int, delta: float,
          holdout: HoldoutScore | None, diag: dict[str, Any]) -> TheoryFit:
    return TheoryFit(
        a=p["a"], b=p["b"], sigma=p["sigma"], model_scale=p["model_scale"],
        time_scale=p["time_scale"], loss_scale=p["loss_scale"], floor=p["floor"],
        exponents=closed_form_exponents(p["a"], p["b"]), n_points=n_points, objective=val,
        rmse_log=math.nan, huber_delta=delta, holdout=holdout, diagnostics=diag,
    )
