r"""The search behind :func:`fit_theory`: tabulated theory, inner scale fit, outer profile.

For each candidate exponent pair :math:`(a, b)` the excess test loss of the theory
(gradient flow, :math:`P = \infty`, infinite power law) is tabulated once on a log grid
of :math:`(N_{\text{eff}}, t_{\text{eff}})` and interpolated by a bicubic spline of
:math:`\log L_{\text{theory}}` (:class:`TheoryTable`). The four scale parameters
:math:`(\log s_N, \log s_t, \log s_L, \log E)` of

.. math:: \log \hat L_i = \log\bigl(E + s_L L_{\text{theory}}(s_N N_i, s_t t_i)\bigr)

are fitted to the data by robust (Huber) least squares (:class:`ScaleFit`); the profile
objective over :math:`(a, b)` is minimised by bounded Nelder-Mead (:func:`profile_fit`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.interpolate import RectBivariateSpline
from scipy.optimize import least_squares, minimize

from .._errors import InvalidParameterError
from ..spectra import Spectrum
from ._data import LossTable
from ._fit_common import huber
from ._fits import fit_chinchilla

__all__ = ["A_BOUNDS", "B_BOUNDS", "TABLE_N", "TABLE_T", "ScaleFit", "TableCache",
           "TheoryTable", "initial_exponents", "profile_fit"]

A_BOUNDS = (1.02, 6.0)
B_BOUNDS = (1.02, 6.0)
# Generic starting exponents (hard task / middle / easy task), tried besides those a
# Chinchilla fit suggests; the best-scoring start seeds Nelder-Mead.
_GENERIC_STARTS = ((1.3, 1.3), (2.0, 1.6), (3.0, 1.4))
#: Span of the tables: N_eff in TABLE_N, t_eff in TABLE_T.
TABLE_N = (1.0, 1e6)
TABLE_T = (1e-1, 1e7)


class TheoryTable:
    """Bicubic spline of log L_theory(log N_eff, log t_eff) for one (a, b), P = inf."""

    def __init__(self, a: float, b: float, n_sizes: int, n_times: int) -> None:
        from ..theory import predict

        spec = Spectrum.power_law(a, b, math.inf)
        n = np.unique(np.round(np.geomspace(*TABLE_N, n_sizes)))
        t = np.geomspace(*TABLE_T, n_times)
        z = np.empty((n.size, t.size))
        for i, ni in enumerate(n):
            z[i] = np.log(predict(spec, int(ni), math.inf, t).test_loss)
        self.x = np.log(n)
        self.y = np.log(t)
        self.spline = RectBivariateSpline(self.x, self.y, z, kx=3, ky=3)


class TableCache:
    """Tables by (a, b, resolution), shared by the full fit and the hold-out fit."""

    def __init__(self, bar: Any) -> None:
        self.store: dict[tuple[float, float, int, int], TheoryTable] = {}
        self.bar = bar

    def get(self, a: float, b: float, res: tuple[int, int]) -> TheoryTable:
        key = (round(a, 5), round(b, 5), *res)
        if key not in self.store:
            self.store[key] = TheoryTable(a, b, *res)
            self.bar.update()
        return self.store[key]


class ScaleFit:
    """For one table: fit (ln s_N, ln s_t, ln s_L, ln E) to the data by robust least squares."""

    def __init__(self, table: TheoryTable, data: LossTable, delta: float) -> None:
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
        return float(np.sum(huber(r, self.delta))) / (self.delta * r.size)

    def starts(self, n_best: int) -> np.ndarray:
        """Best points of a coarse grid over the four parameters, scored at once."""
        (x0, x1), (y0, y1), _, _ = self.bounds
        if x1 < x0 or y1 < y0:
            raise InvalidParameterError(
                "the data span more decades of model size or steps than the theory's table "
                f"({TABLE_N[0]:g}..{TABLE_N[1]:g} sizes, {TABLE_T[0]:g}..{TABLE_T[1]:g} "
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


def initial_exponents(table: LossTable) -> list[tuple[float, float]]:
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
        a = round(float(np.clip(a, *A_BOUNDS)), 4)
        b = round(float(np.clip(b, *B_BOUNDS)), 4)
        if (a, b) not in out:
            out.append((a, b))
    return out


def profile_fit(table: LossTable, delta: float,
                stages: list[tuple[tuple[int, int], int, float]], n_inner_starts: int,
                starts: list[tuple[float, float]], tables: TableCache,
                ) -> tuple[dict[str, float], float, dict[str, Any], list[tuple[float, ...]]]:
    """Nelder-Mead over (a, r_t = (a-1)/b) in stages of increasing table resolution.

    The data pin the time exponent r_t much better than a - 1 (the valley of the profile
    runs along a at nearly constant r_t), so the simplex works in (a, r_t), where the
    valley is aligned with an axis. ``stages`` lists (table resolution, most evaluations,
    simplex size in a); each stage starts from the best point of the previous one.
    Also returns every candidate tried, best first: (objective, a, b, ln s_N, ln s_t,
    ln s_L, ln E), the starts of the exact least-squares polish.
    """
    x0 = None
    tried: list[tuple[float, ...]] = []
    diag: dict[str, Any] = {"starts": [list(s) for s in starts], "stages": []}
    best: tuple[float, np.ndarray, float, float] | None = None
    solved: dict[tuple[float, float], np.ndarray] = {}
    r_bounds = ((A_BOUNDS[0] - 1) / B_BOUNDS[1], (A_BOUNDS[1] - 1) / B_BOUNDS[0])
    for res, budget, step in stages:
        cache: dict[tuple[float, float], tuple[float, np.ndarray]] = {}

        def profile(ar: np.ndarray, res: tuple[int, int] = res,
                    cache: dict = cache) -> float:
            a = float(np.clip(ar[0], *A_BOUNDS))
            b = float(np.clip((a - 1.0) / max(float(ar[1]), 1e-9), *B_BOUNDS))
            key = (round(a, 5), round(b, 5))
            if key not in cache:
                # warm starts: the solutions of the two nearest (a, b) already fitted
                near = sorted(solved, key=lambda k: (k[0] - a) ** 2 + (k[1] - b) ** 2)[:2]
                warm = [solved[k] for k in near]
                th, val = ScaleFit(tables.get(a, b, res), table, delta).fit(n_inner_starts, warm)
                cache[key] = (val, th)
                tried.append((val, a, b, *(float(v) for v in th)))
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
            minimize(profile, x0, method="Nelder-Mead", bounds=[A_BOUNDS, r_bounds],
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
    return params, val, diag, sorted(tried)

