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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.interpolate import RectBivariateSpline
from scipy.optimize import least_squares, minimize

from .._blas import one_blas_thread, single_blas_thread
from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._validation import check_int, check_real
from ..spectra import Spectrum
from ._allocation import ComputeAllocation, HoldoutScore, holdout_split
from ._data import LossTable, as_loss_table
from ._exponents import ScalingExponents, closed_form_exponents
from ._fits import MIN_POINTS_CHINCHILLA, _check_identifiable, _huber, fit_chinchilla
from ._theory_frontier import TheoryLoss

__all__ = ["TheoryFit", "fit_theory"]

_A_BOUNDS = (1.02, 6.0)
_B_BOUNDS = (1.02, 6.0)
# Generic starting exponents (hard task / middle / easy task), tried besides those a
# Chinchilla fit suggests; the best-scoring start seeds Nelder-Mead.
_GENERIC_STARTS = ((1.3, 1.3), (2.0, 1.6), (3.0, 1.4))
_TABLE_N = (1.0, 1e6)
_TABLE_T = (1e-1, 1e7)


@dataclass(frozen=True, eq=False)
class TheoryFit:
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

        c = np.sort(np.asarray(compute, dtype=np.float64).ravel())
        if c.size == 0 or not np.all(np.isfinite(c)) or np.any(c <= 0):
            raise InvalidParameterError(
                f"`compute` must be positive finite budgets C = N t; got {c.tolist()!r}."
            )
        n_lo = 1.0 / self.model_scale
        min_steps = _TABLE_T[0] / self.time_scale
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "law": "L = E + s_L L_theory(s_N N, s_t t; a, b), P = inf",
            "a": self.a,
            "b": self.b,
            "sigma": self.sigma,
            "model_scale": self.model_scale,
            "time_scale": self.time_scale,
            "loss_scale": self.loss_scale,
            "floor": self.floor,
            "closed_form": self.exponents.to_dict(),
            "n_points": self.n_points,
            "objective": self.objective,
            "rmse_log": self.rmse_log,
            "huber_delta": self.huber_delta,
            "holdout": None if self.holdout is None else self.holdout.to_dict(),
            "diagnostics": dict(self.diagnostics),
        }


def _theory_in_data_units(fit: TheoryFit, n: np.ndarray, t: np.ndarray) -> np.ndarray:
    loss = fit.loss_function()
    out = np.empty(n.size)
    n_eff = np.maximum(1, np.round(n * fit.model_scale))
    for ne in np.unique(n_eff):
        sel = n_eff == ne
        out[sel] = loss(float(ne) / fit.model_scale, t[sel])
    return out


# ---------------------------------------------------------------------------- table
class _Table:
    """Bicubic spline of log L_theory(log N_eff, log t_eff) for one (a, b), P = inf."""

    def __init__(self, a: float, b: float, n_sizes: int, n_times: int) -> None:
        from ..theory import predict

        spec = Spectrum.power_law(a, b, math.inf)
        n = np.unique(np.round(np.geomspace(*_TABLE_N, n_sizes)))
        t = np.geomspace(*_TABLE_T, n_times)
        z = np.empty((n.size, t.size))
        for i, ni in enumerate(n):
            z[i] = np.log(predict(spec, int(ni), math.inf, t).test_loss)
        self.x = np.log(n)
        self.y = np.log(t)
        self.spline = RectBivariateSpline(self.x, self.y, z, kx=3, ky=3)


class _Tables:
    """Tables by (a, b, resolution), shared by the full fit and the hold-out fit."""

    def __init__(self, bar: Any) -> None:
        self.store: dict[tuple[float, float, int, int], _Table] = {}
        self.bar = bar

    def get(self, a: float, b: float, res: tuple[int, int]) -> _Table:
        key = (round(a, 5), round(b, 5), *res)
        if key not in self.store:
            self.store[key] = _Table(a, b, *res)
            self.bar.update()
        return self.store[key]


class _Inner:
    """For one table: fit (ln s_N, ln s_t, ln s_L, ln E) to the data by robust least squares."""

    def __init__(self, table: _Table, data: LossTable, delta: float) -> None:
        self.table = table
        self.ln = np.log(data.model_size)
        self.lt = np.log(data.steps)
        self.ly = np.log(data.loss)
        self.delta = delta
        x, y = table.x, table.y
        ly_min = float(self.ly.min())
        self.bounds = [
            (x[0] - self.ln.min(), x[-1] - self.ln.max()),
            (y[0] - self.lt.min(), y[-1] - self.lt.max()),
            (ly_min - 40.0, float(self.ly.max()) + 20.0),
            (ly_min - 40.0, ly_min + math.log(0.999)),
        ]

    def _parts(self, th: np.ndarray) -> tuple[np.ndarray, ...]:
        gx = self.ln + th[0]
        gy = self.lt + th[1]
        s = self.table.spline
        z = s.ev(gx, gy)
        zx = s.ev(gx, gy, dx=1)
        zy = s.ev(gx, gy, dy=1)
        term = np.exp(th[2] + z)
        floor = math.exp(th[3])
        pred = floor + term
        return pred, term, floor, zx, zy

    def _pred(self, th: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
        """Predicted losses; ``z`` is the table at the data's scaled (N, t) when known."""
        if z is None:
            z = self.table.spline.ev(self.ln + th[0], self.lt + th[1])
        return math.exp(th[3]) + np.exp(th[2] + z)

    def value(self, th: np.ndarray, z: np.ndarray | None = None) -> float:
        """Mean Huber loss of the log residuals, in units of ``delta``."""
        r = np.log(self._pred(th, z)) - self.ly
        return float(np.sum(_huber(r, self.delta))) / (self.delta * r.size)

    def starts(self, n_best: int) -> np.ndarray:
        """Best points of a coarse grid over the four parameters, scored at once."""
        (x0, x1), (y0, y1), _, _ = self.bounds
        if x1 < x0 or y1 < y0:
            raise InvalidParameterError(
                "the data span more decades of model size or steps than the theory's table "
                f"({_TABLE_N[0]:g}..{_TABLE_N[1]:g} sizes, {_TABLE_T[0]:g}..{_TABLE_T[1]:g} "
                "times); fit a narrower range."
            )
        gx = np.linspace(x0, x1, 9)
        gy = np.linspace(y0, y1, 13)
        ymin = float(self.ly.min())
        fl = ymin + np.log([1e-3, 0.3, 0.6, 0.9])
        rows, scores = [], []
        for sx in gx:
            for sy in gy:
                z = self.table.spline.ev(self.ln + sx, self.lt + sy)
                for e in fl:
                    rest = np.exp(self.ly) - math.exp(e)
                    ok = rest > 0
                    if not ok.any():
                        continue
                    # loss scale by the median log ratio of the reducible part
                    sl = float(np.median(np.log(rest[ok]) - z[ok]))
                    th = np.array([sx, sy, sl, e])
                    rows.append(th)
                    scores.append(self.value(th, z))
        order = np.argsort(scores)[:n_best]
        return np.array(rows)[order]

    def residuals(self, th: np.ndarray) -> np.ndarray:
        return np.log(self._pred(th)) - self.ly

    def jacobian(self, th: np.ndarray) -> np.ndarray:
        pred, term, floor, zx, zy = self._parts(th)
        w = term / pred
        return np.column_stack([w * zx, w * zy, w, np.full_like(pred, floor) / pred])

    def fit(self, n_starts: int, warm: list[np.ndarray] | tuple = ()) -> tuple[np.ndarray, float]:
        """Robust (Huber) least squares by scipy's trust-region reflective method.

        Starts: the ``n_starts`` best points of a coarse grid, plus ``warm`` (solutions at
        neighbouring (a, b), which keep the profile over (a, b) on one branch of the
        near-degenerate valley of the scales).
        """
        lo = np.array([b[0] for b in self.bounds])
        hi = np.array([b[1] for b in self.bounds])
        best, best_val = None, math.inf
        for x0 in [*warm, *self.starts(n_starts)]:
            x0 = np.clip(x0, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))
            res = least_squares(self.residuals, x0, jac=self.jacobian, bounds=(lo, hi),
                                loss="huber", f_scale=self.delta, method="trf",
                                x_scale="jac", xtol=1e-12, ftol=1e-12, gtol=1e-12,
                                max_nfev=400)
            val = self.value(res.x)
            if np.isfinite(val) and val < best_val:
                best, best_val = np.asarray(res.x, float), float(val)
        return best, best_val


def _initial_exponents(table: LossTable) -> list[tuple[float, float]]:
    """Generic starts plus those a Chinchilla fit implies: alpha = min(a-1, b), beta = (a-1)/b."""
    try:
        ch = fit_chinchilla(table.model_size, table.steps, table.loss, n_bootstrap=0,
                            holdout_fraction=None, n_starts=8)
        alpha, beta = ch.alpha, ch.beta
    except Exception:  # noqa: BLE001 - any failure just means default starts
        alpha, beta = 0.5, 0.4
    starts = [
        # regime a - 1 <= b: a - 1 = alpha, b = alpha / beta
        (1.0 + alpha, alpha / max(beta, 1e-3)),
        # regime a - 1 > b: b = alpha, a - 1 = beta * b
        (1.0 + beta * alpha, alpha),
        *_GENERIC_STARTS,
    ]
    out = []
    for a, b in starts:
        a = round(float(np.clip(a, *_A_BOUNDS)), 4)
        b = round(float(np.clip(b, *_B_BOUNDS)), 4)
        if (a, b) not in out:
            out.append((a, b))
    return out


def _fit(table: LossTable, delta: float, stages: list[tuple[tuple[int, int], int, float]],
         n_inner_starts: int, starts: list[tuple[float, float]], tables: _Tables,
         ) -> tuple[dict[str, float], float, dict[str, Any]]:
    """Nelder-Mead over (a, r_t = (a-1)/b) in stages of increasing table resolution.

    The data pin the time exponent r_t much better than a - 1 (the valley of the profile
    runs along a at nearly constant r_t), so the simplex works in (a, r_t), where the
    valley is aligned with an axis. ``stages`` lists (table resolution, most evaluations,
    simplex size in a); each stage starts from the best point of the previous one.
    """
    x0 = None
    diag: dict[str, Any] = {"starts": [list(s) for s in starts], "stages": []}
    best: tuple[float, np.ndarray, float, float] | None = None
    solved: dict[tuple[float, float], np.ndarray] = {}
    r_bounds = ((_A_BOUNDS[0] - 1) / _B_BOUNDS[1], (_A_BOUNDS[1] - 1) / _B_BOUNDS[0])
    for res, budget, step in stages:
        cache: dict[tuple[float, float], tuple[float, np.ndarray]] = {}

        def profile(ar: np.ndarray, res: tuple[int, int] = res,
                    cache: dict = cache) -> float:
            a = float(np.clip(ar[0], *_A_BOUNDS))
            b = float(np.clip((a - 1.0) / max(float(ar[1]), 1e-9), *_B_BOUNDS))
            key = (round(a, 5), round(b, 5))
            if key not in cache:
                # warm starts: the solutions of the two nearest (a, b) already fitted
                near = sorted(solved, key=lambda k: (k[0] - a) ** 2 + (k[1] - b) ** 2)[:2]
                warm = [solved[k] for k in near]
                th, val = _Inner(tables.get(a, b, res), table, delta).fit(n_inner_starts, warm)
                cache[key] = (val, th)
                solved[key] = th
            return cache[key][0]

        if x0 is None:
            # the first `budget` starts (data-implied ones come first)
            points = [np.array([a, (a - 1.0) / b]) for a, b in starts[:budget]]
            vals = [profile(p) for p in points]
            x0 = points[int(np.argmin(vals))]
        remaining = budget - len(cache)
        if remaining > 0:
            simplex = np.array([x0, x0 + [step, 0.0], x0 + [0.0, 0.2 * step]])
            minimize(profile, x0, method="Nelder-Mead", bounds=[_A_BOUNDS, r_bounds],
                     options={"initial_simplex": simplex, "xatol": step / 30,
                              "fatol": 1e-7, "maxfev": remaining})
        key = min(cache, key=lambda k: cache[k][0])
        val, th = cache[key]
        x0 = np.array([key[0], (key[0] - 1.0) / key[1]])
        best = (val, th, *key)
        diag["stages"].append({"table": list(res), "evaluations": len(cache), "a": key[0],
                               "b": key[1], "objective": val})
    assert best is not None
    val, th, a, b = best
    s_n, s_t, s_l, e = (math.exp(float(v)) for v in th)
    params = {"a": a, "b": b, "model_scale": s_n, "time_scale": s_t, "loss_scale": s_l,
              "floor": e, "sigma": math.sqrt(e / s_l)}
    return params, val, diag


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
    table = as_loss_table(model_size, steps, loss, min_points=MIN_POINTS_CHINCHILLA)
    _check_identifiable(table)
    delta = check_real("huber_delta", huber_delta, low=0.0, low_open=True)
    coarse_evaluations = check_int("coarse_evaluations", coarse_evaluations, low=0)
    fine_evaluations = check_int("fine_evaluations", fine_evaluations, low=0)
    if coarse_evaluations + fine_evaluations == 0:
        raise InvalidParameterError(
            "`coarse_evaluations` + `fine_evaluations` must be at least 1; got 0."
        )
    res_c = _resolution("coarse_table", coarse_table)
    res_f = _resolution("fine_table", fine_table)
    n_inner_starts = check_int("n_inner_starts", n_inner_starts, low=1)
    if holdout_fraction is not None:
        holdout_fraction = check_real("holdout_fraction", holdout_fraction, low=0.0, high=1.0,
                                      low_open=True, high_open=True)
    if starts is not None:
        starts = [(check_real("starts a", s[0], low=1.0, low_open=True),
                   check_real("starts b", s[1], low=1.0, low_open=True)) for s in starts]
    else:
        starts = _initial_exponents(table)
    stages = [(res_c, coarse_evaluations, 0.15), (res_f, fine_evaluations, 0.04)]
    stages = [st for st in stages if st[1] > 0]

    total = sum(st[1] for st in stages) * (2 if holdout_fraction is not None else 1)
    with single_blas_thread(), progress_bar(total, "theory fit", progress,
                                            unit="table") as bar:
        tables = _Tables(bar)
        params, val, diag = _fit(table, delta, stages, n_inner_starts, starts, tables)
        holdout = None
        if holdout_fraction is not None:
            train_idx, test_idx = holdout_split(table, holdout_fraction)
            train = table.subset(train_idx)
            if (train.n_points >= MIN_POINTS_CHINCHILLA and np.unique(train.model_size).size >= 2
                    and np.unique(train.steps).size >= 2):
                # Same starts and stages: tables already built are reused.
                p_train, v_train, _ = _fit(train, delta, stages, n_inner_starts, starts, tables)
                part = _make(p_train, v_train, train.n_points, delta, None, {})
                test = table.subset(test_idx)
                holdout = HoldoutScore.from_prediction(
                    train.n_points, test, part.predict(test.model_size, test.steps)
                )
            else:
                diag["holdout_skipped"] = (
                    f"only {train.n_points} points below the held-out compute"
                )
        diag["tables_built"] = len(tables.store)
    fit = _make(params, val, table.n_points, delta, holdout, diag)
    pred = fit.predict(table.model_size, table.steps)
    rmse = float(np.sqrt(np.mean((np.log(pred) - np.log(table.loss)) ** 2)))
    diag["wall_time_s"] = _time.perf_counter() - started
    from dataclasses import replace

    return replace(fit, rmse_log=rmse)


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
