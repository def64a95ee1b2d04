r"""The result of :func:`~scaling_dynamics.scaling.fit_theory`: :class:`TheoryFit`.

.. math:: \hat L(N, t) = s_L\bigl(L_{\text{theory}}(s_N N, s_t t; a, b, \sigma, M, P)
          + \sigma^2\bigr) = E + s_L L_{\text{theory}}, \qquad E = s_L \sigma^2,

with its parameter intervals (linearised covariance, :mod:`._theory_intervals`),
forecasts with intervals (:meth:`TheoryFit.forecast`) and the compute-optimal
allocation (:meth:`TheoryFit.allocation`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._blas import one_blas_thread
from .._errors import InvalidParameterError
from .._params import size_text
from .._records import Record
from .._validation import check_real
from ..spectra import Spectrum
from ._allocation import ComputeAllocation, HoldoutScore
from ._exponents import ScalingExponents
from ._fit_common import check_budgets
from ._forecast import Forecast
from ._summary import summary_repr
from ._theory_frontier import TheoryLoss
from ._theory_intervals import quantile
from ._theory_model import NAMES, TheoryModel, to_theta

__all__ = ["TheoryFit"]

#: Smallest theory time of the allocation search (theory units).
_MIN_THEORY_TIME = 0.1


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
        :math:`E = s_L \sigma^2`, the irreducible loss in data units.
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
        Table sizes, polish evaluations, wall time.
    M, P : float
        The setting the theory was fitted in (teacher modes, samples; ``inf`` by default).
    fixed : dict
        Parameters held fixed (``fix=`` or a known ``sigma``), by name.
    intervals : dict
        Name -> (low, high) at ``level`` for each fitted parameter (linearised covariance).
    level : float
        Coverage of ``intervals``.
    undetermined : dict
        Name -> a sentence, for each parameter the data do not determine.
    covariance : ndarray or None
        Covariance of the free parameters in fit coordinates (a, b, log scales,
        :math:`\sigma^2`), the order of ``free``.
    free : tuple of str
        The fitted parameters.
    """

    __repr__ = summary_repr
    _repr_fields = ("a b sigma floor", "model_scale time_scale loss_scale", "exponents",
                    "n_points rmse_log", "M P", "intervals", "undetermined", "holdout")

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
    M: float = math.inf
    P: float = math.inf
    fixed: dict[str, float] = field(default_factory=dict)
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    level: float = 0.9
    undetermined: dict[str, str] = field(default_factory=dict)
    covariance: np.ndarray | None = None
    free: tuple[str, ...] = NAMES

    @property
    def spectrum(self) -> Spectrum:
        """The fitted power law (with ``M`` and, at finite ``P``, the noise ``sigma``)."""
        return Spectrum.power_law(self.a, self.b, self.M,
                                  sigma=self.sigma if math.isfinite(self.P) else 0.0)

    @property
    def theta(self) -> np.ndarray:
        return to_theta({n: getattr(self, n) for n in NAMES})

    def _free_index(self) -> np.ndarray:
        return np.array([NAMES.index(n) for n in self.free], dtype=int)

    def predict(self, model_size: Any, steps: Any) -> np.ndarray:
        r""":math:`E + s_L L_{\text{theory}}(s_N N, s_t t)` from the theory (real-valued N)."""
        n = np.atleast_1d(np.asarray(model_size, dtype=np.float64))
        t = np.atleast_1d(np.asarray(steps, dtype=np.float64))
        n, t = np.broadcast_arrays(n, t)
        model = TheoryModel(n.ravel(), t.ravel(), M=self.M, P=self.P)
        return np.exp(model.log_loss(self.theta)).reshape(n.shape)

    def forecast(self, model_size: Any, steps: Any, level: float = 0.9) -> list[Forecast]:
        r"""The predicted loss at each point (N, t) with an interval at ``level``.

        The interval is :math:`\hat L \exp(\pm z\sqrt{g^\top C g})`, with ``C`` the
        linearised covariance of the fitted parameters and :math:`g = \partial\log\hat
        L/\partial\theta` at the point (the delta method); ``method`` is ``"linearized"``
        (``"none"`` with nan bounds when the fit has no covariance).
        """
        level = check_real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
        n, t = _points(model_size, steps)
        model = TheoryModel(n, t, M=self.M, P=self.P)
        th = self.theta
        base = model.theory(th)
        log_l = model.log_loss(th, base)
        if self.covariance is None or not self.free:
            lo = hi = np.full(n.size, math.nan)
            method = "none"
        else:
            g = model.jacobian(th, self._free_index(), base)
            sd = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", g, self.covariance, g), 0.0))
            z = quantile(level, self.n_points - len(self.free))
            lo, hi = np.exp(log_l - z * sd), np.exp(log_l + z * sd)
            method = "linearized"
        return [Forecast(model_size=float(n[i]), steps=float(t[i]), loss=float(np.exp(log_l[i])),
                         low=float(lo[i]), high=float(hi[i]), level=level, method=method)
                for i in range(n.size)]

    def loss_function(self) -> TheoryLoss:
        """``loss(N, times)`` in data units, for :func:`optimize_frontier`."""
        return TheoryLoss(self.spectrum, self.P, model_scale=self.model_scale,
                          time_scale=self.time_scale, loss_scale=self.loss_scale,
                          floor=self.floor)

    @one_blas_thread
    def allocation(self, compute: Any, *, n_grid: int = 13) -> ComputeAllocation:
        r"""Compute-optimal :math:`N^*, t^*, L^*` (:math:`C = N t`, data units) from the theory.

        The interval fields at level ``self.level``: ``model_size_interval`` and
        ``steps_interval`` are the range of the allocations at the fitted parameters moved
        by :math:`\pm z\sqrt{\lambda_k}` along every eigenvector of the covariance (the
        optimum in N is flat, so these are wide); ``loss_interval`` is the forecast's
        interval at :math:`(N^*, t^*)` (to first order :math:`L^*` moves as L there).
        """
        c = np.sort(check_budgets(compute))
        best = _frontier(self, c, n_grid)
        intervals: dict[str, np.ndarray] = {}
        if self.covariance is not None and self.free:
            z = quantile(self.level, self.n_points - len(self.free))
            w, v = np.linalg.eigh(self.covariance)
            answers = [best]
            for k in range(w.size):
                for sign in (-1.0, 1.0):
                    th = self.theta
                    th[self._free_index()] += sign * z * math.sqrt(max(w[k], 0.0)) * v[:, k]
                    try:
                        answers.append(_frontier(_moved(self, th), c, n_grid))
                    except Exception:  # noqa: BLE001 - a moved fit outside the theory's range
                        continue
            for key in ("model_size", "steps"):
                vals = np.array([getattr(a, key) for a in answers])
                intervals[f"{key}_interval"] = np.column_stack([vals.min(0), vals.max(0)])
            # L* is a minimum over N: to first order it moves as L at fixed (N*, t*)
            # (envelope theorem), so its interval is the forecast's there.
            fc = self.forecast(best.model_size, best.steps, level=self.level)
            intervals["loss_interval"] = np.array([[f.low, f.high] for f in fc])
        return ComputeAllocation(
            compute=best.compute,
            model_size=best.model_size,
            steps=best.steps,
            loss=best.loss,
            exponent_params=best.exponent_params,
            exponent_steps=best.exponent_steps,
            exponent_loss=best.exponent_loss,
            **intervals,
        )

    def format_lines(self) -> list[str]:
        """A few lines for the command line's table output."""
        e = self.exponents
        iv = self.intervals

        def row(name: str, label: str, value: float, note: str = "") -> str:
            if name in self.fixed:
                extra = "  (fixed)"
            elif name in iv:
                extra = f"  [{iv[name][0]:.4g}, {iv[name][1]:.4g}]"
            else:
                extra = ""
            return f"{label:>16}  {value:12.6g}{extra}{note}"

        lines = [
            f"# theory fit: L = E + s_L L_theory(s_N N, s_t t; a, b), M = {size_text(self.M)}, "
            f"P = {size_text(self.P)} ({self.n_points} points, rmse(log) {self.rmse_log:.4f}; "
            f"intervals at {self.level:g}, linearized)",
            row("a", "a", self.a),
            row("b", "b", self.b),
            row("sigma", "sigma", self.sigma),
            row("model_scale", "model_scale", self.model_scale, "   (theory N = s_N x N)"),
            row("time_scale", "time_scale", self.time_scale, "   (theory t = s_t x t)"),
            row("loss_scale", "loss_scale", self.loss_scale),
            f"{'floor E':>16}  {self.floor:12.6g}",
            f"{'closed forms':>16}  time {e.time:.4g}, model {e.model_single:.4g}, N* ~ C^"
            f"{e.compute_params_single:.4g}, t* ~ C^{e.compute_steps_single:.4g}, L* ~ C^-"
            f"{e.compute_loss_single:.4g}",
        ]
        return lines + [f"  note: {msg}" for msg in self.undetermined.values()]

    _dict_exclude = ("exponents",)

    def to_dict(self) -> dict[str, Any]:
        """The law's name, the fields, the closed forms under ``closed_form``."""
        law = (f"L = E + s_L L_theory(s_N N, s_t t; a, b), M = {size_text(self.M)}, "
               f"P = {size_text(self.P)}")
        out = {"law": law, **super().to_dict()}
        out["closed_form"] = self.exponents.to_dict()
        return out


def _moved(fit: TheoryFit, theta: np.ndarray) -> TheoryFit:
    """``fit`` with the parameters ``theta`` (fit coordinates), for interval answers."""
    from dataclasses import replace

    from ._theory_model import LOWER, UPPER, from_theta

    p = from_theta(np.clip(theta, LOWER, UPPER))
    return replace(fit, **p)


def _frontier(fit: TheoryFit, c: np.ndarray, n_grid: int) -> Any:
    """The compute-optimal frontier of ``fit``'s law at budgets ``c``."""
    from ._frontier import optimize_frontier

    n_lo = 1.0 / fit.model_scale
    min_steps = _MIN_THEORY_TIME / fit.time_scale
    n_hi = max(2 * n_lo, float(c.max()) / min_steps)
    return optimize_frontier(fit.loss_function(), c, model_size_range=(n_lo, n_hi),
                             min_steps=min_steps, n_grid=n_grid, loss_floor=fit.floor)


def _points(model_size: Any, steps: Any) -> tuple[np.ndarray, np.ndarray]:
    """Forecast points as flat arrays, refused unless positive and finite."""
    for name, value in (("model_size", model_size), ("steps", steps)):
        arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
        if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
            raise InvalidParameterError(
                f"`{name}` of a forecast must be positive finite numbers; got "
                f"{np.asarray(value).tolist()!r}."
            )
    n = np.atleast_1d(np.asarray(model_size, dtype=np.float64)).ravel()
    t = np.atleast_1d(np.asarray(steps, dtype=np.float64)).ravel()
    try:
        n, t = np.broadcast_arrays(n, t)
    except ValueError:
        raise InvalidParameterError(
            f"`model_size` and `steps` of a forecast must have one length (or one of them "
            f"length 1); got {n.size} and {t.size}."
        ) from None
    return n, t
