r"""What every fit of loss data shares: data checks, the Huber score, hold-out and intervals.

Both laws (:mod:`._fits`, Chinchilla-style; :mod:`._theory_fit`, the mean-field theory)
are fitted to the same kind of data, :math:`(N_i, t_i, L_i)`, by the same objective,
the mean Huber loss of the log residuals in units of :math:`\delta`,

.. math:: \frac{1}{n\,\delta} \sum_i \mathrm{Huber}_\delta\bigl(\log \hat L_i - \log L_i\bigr),
          \qquad \mathrm{Huber}_\delta(r) = \begin{cases} r^2/2 & |r| \le \delta \\
          \delta(|r| - \delta/2) & |r| > \delta, \end{cases}

and are scored the same way: the in-sample root mean square of the log residuals,
and a hold-out fit without the largest-compute points (:func:`score_holdout`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import check_real
from ._allocation import HoldoutScore, holdout_split
from ._data import LossTable, as_loss_table

__all__ = [
    "MIN_POINTS_CHINCHILLA",
    "check_budgets",
    "check_holdout_fraction",
    "check_identifiable",
    "fit_table_from",
    "fittable",
    "huber",
    "percentile_intervals",
    "rmse_log",
    "score_holdout",
]

#: Fewest points a fit accepts (the five parameters of the Chinchilla law, plus one).
MIN_POINTS_CHINCHILLA = 6


def huber(r: np.ndarray, delta: float) -> np.ndarray:
    r"""Huber loss of residuals ``r``: :math:`r^2/2` inside :math:`\pm\delta`, linear outside."""
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def check_identifiable(table: LossTable) -> None:
    """Refuse data with a single model size or a single step count (no exponent to fit)."""
    if np.unique(table.model_size).size < 2:
        raise InvalidParameterError(
            "cannot fit A N^-alpha: every point has the same model size "
            f"({table.model_size[0]:g}); the data need at least 2 distinct model sizes."
        )
    if np.unique(table.steps).size < 2:
        raise InvalidParameterError(
            "cannot fit B t^-beta: every point has the same number of steps "
            f"({table.steps[0]:g}); the data need at least 2 distinct step counts."
        )


def fittable(table: LossTable) -> bool:
    """Whether ``table`` has enough points, sizes and step counts to be fitted."""
    return (table.n_points >= MIN_POINTS_CHINCHILLA and np.unique(table.model_size).size >= 2
            and np.unique(table.steps).size >= 2)


def fit_table_from(model_size: Any, steps: Any, loss: Any) -> LossTable:
    """The checked data of a fit: at least 6 points with 2 distinct sizes and step counts."""
    table = as_loss_table(model_size, steps, loss, min_points=MIN_POINTS_CHINCHILLA)
    check_identifiable(table)
    return table


def check_holdout_fraction(holdout_fraction: float | None) -> float | None:
    """``holdout_fraction`` checked to lie in (0, 1), or None (no hold-out)."""
    if holdout_fraction is None:
        return None
    return check_real("holdout_fraction", holdout_fraction, low=0.0, high=1.0,
                      low_open=True, high_open=True)


def check_budgets(compute: Any) -> np.ndarray:
    """Compute budgets :math:`C = N t` as a flat array of positive finite numbers."""
    c = np.asarray(compute, dtype=np.float64).ravel()
    if c.size == 0 or not np.all(np.isfinite(c)) or np.any(c <= 0):
        raise InvalidParameterError(
            "`compute` must be positive finite budgets C = N t; got "
            f"{np.asarray(compute).tolist()!r}."
        )
    return c


def rmse_log(predicted: np.ndarray, loss: np.ndarray) -> float:
    r""":math:`\sqrt{\langle (\log \hat L - \log L)^2 \rangle}` over the points."""
    return float(np.sqrt(np.mean((np.log(predicted) - np.log(loss)) ** 2)))


def score_holdout(
    table: LossTable,
    fraction: float | None,
    fit_predict: Callable[[LossTable, LossTable], np.ndarray],
    diagnostics: dict[str, Any],
    skip_note: str = "",
) -> HoldoutScore | None:
    """Fit without the ``fraction`` of largest-compute points and score their prediction.

    ``fit_predict(train, test)`` fits the law to ``train`` and returns its prediction at
    the points of ``test``. None when ``fraction`` is None, or when too few points remain
    to fit (then ``diagnostics["holdout_skipped"]`` says why, ending in ``skip_note``).
    """
    if fraction is None:
        return None
    train_idx, test_idx = holdout_split(table, fraction)
    train = table.subset(train_idx)
    if not fittable(train):
        diagnostics["holdout_skipped"] = (
            f"only {train.n_points} points below the held-out compute{skip_note}"
        )
        return None
    test = table.subset(test_idx)
    return HoldoutScore.from_prediction(train.n_points, test, fit_predict(train, test))


def percentile_intervals(samples: Sequence[dict[str, float]], keys: Sequence[str],
                         confidence: float) -> dict[str, tuple[float, float]]:
    """Central percentile intervals at level ``confidence`` of each key over ``samples``."""
    if not samples:
        return {}
    lo_q, hi_q = 50 * (1 - confidence), 50 * (1 + confidence)
    out = {}
    for key in keys:
        vals = np.array([s[key] for s in samples])
        out[key] = (float(np.percentile(vals, lo_q)), float(np.percentile(vals, hi_q)))
    return out
