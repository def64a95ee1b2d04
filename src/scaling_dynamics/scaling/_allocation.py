r"""Compute-optimal allocation results and the hold-out score shared by every fit.

Compute is :math:`C = N t` (model size times steps, or tokens; theory.md section 1).
A fitted law :math:`L(N, t)` implies, for each budget C, the model size
:math:`N^*(C)` minimising :math:`L(N, C/N)`, the steps :math:`t^* = C/N^*` and the loss
:math:`L^*`; their power-law exponents in C are the allocation rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._records import Record
from ._data import LossTable
from ._summary import summary_repr

__all__ = ["ComputeAllocation", "HoldoutScore", "holdout_split", "log_slope"]


def log_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope of log y against log x and its standard error (nan if < 3 points)."""
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    if lx.size < 2 or np.ptp(lx) == 0:
        return float("nan"), float("nan")
    A = np.vstack([lx, np.ones_like(lx)]).T
    coef, *_ = np.linalg.lstsq(A, ly, rcond=None)
    if lx.size < 3:
        return float(coef[0]), float("nan")
    resid = ly - A @ coef
    s2 = float(resid @ resid) / (lx.size - 2)
    se = float(np.sqrt(s2 / np.sum((lx - lx.mean()) ** 2)))
    return float(coef[0]), se


@dataclass(frozen=True, eq=False)
class ComputeAllocation(Record):
    r"""Compute-optimal points of a fitted law, :math:`C = N t`.

    Attributes
    ----------
    compute : ndarray, shape (n_compute,)
        Budgets C.
    model_size, steps, loss : ndarray, shape (n_compute,)
        :math:`N^*(C)`, :math:`t^*(C) = C/N^*` and :math:`L^*(C)`.
    exponent_params, exponent_steps : float
        Growth exponents: :math:`N^* \propto C^{\text{exponent\_params}}`,
        :math:`t^* \propto C^{\text{exponent\_steps}}` (they add up to one).
    exponent_loss : float
        Decay exponent of the reducible loss, :math:`L^* - E \propto C^{-\text{exponent\_loss}}`
        (``E`` the fitted irreducible loss; 0 for the theory without noise).
    model_size_interval, steps_interval, loss_interval : ndarray, shape (n_compute, 2), or None
        Intervals (low, high) of :math:`N^*`, :math:`t^*`, :math:`L^*` from the fit's
        bootstrap or profile (None when the fit computed none).
    """

    __repr__ = summary_repr
    _repr_fields = ("compute", "model_size", "steps", "loss",
                    "exponent_params exponent_steps exponent_loss")

    compute: np.ndarray
    model_size: np.ndarray
    steps: np.ndarray
    loss: np.ndarray
    exponent_params: float
    exponent_steps: float
    exponent_loss: float
    model_size_interval: np.ndarray | None = None
    steps_interval: np.ndarray | None = None
    loss_interval: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain data; interval fields only where the fit gave them."""
        out = super().to_dict()
        for key in ("model_size_interval", "steps_interval", "loss_interval"):
            if out.get(key) is None:
                out.pop(key, None)
        return out


@dataclass(frozen=True, eq=False)
class HoldoutScore(Record):
    """How well a law fitted without the largest-compute points predicts them.

    Attributes
    ----------
    n_train, n_test : int
        Points used for the fit and points held out (those with the largest C = N t).
    compute_threshold : float
        Held-out points have :math:`C \\ge` this value.
    model_size, steps, loss, predicted : ndarray, shape (n_test,)
        The held-out points and the prediction of the law fitted on the others.
    rmse_log : float
        Root mean square of ``log(predicted) - log(loss)`` over held-out points.
    max_rel_error : float
        Largest ``|predicted - loss| / loss``.
    """

    __repr__ = summary_repr
    _repr_fields = ("n_test rmse_log max_rel_error", "n_train compute_threshold")

    n_train: int
    n_test: int
    compute_threshold: float
    model_size: np.ndarray
    steps: np.ndarray
    loss: np.ndarray
    predicted: np.ndarray
    rmse_log: float
    max_rel_error: float

    @classmethod
    def from_prediction(
        cls, n_train: int, test: LossTable, predicted: np.ndarray
    ) -> HoldoutScore:
        r = np.log(predicted) - np.log(test.loss)
        return cls(
            n_train=n_train,
            n_test=test.n_points,
            compute_threshold=float(test.compute.min()),
            model_size=test.model_size,
            steps=test.steps,
            loss=test.loss,
            predicted=np.asarray(predicted, float),
            rmse_log=float(np.sqrt(np.mean(r * r))),
            max_rel_error=float(np.max(np.abs(predicted - test.loss) / test.loss)),
        )


def holdout_split(table: LossTable, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test): the test set is the ``fraction`` of points with the largest C.

    Points tied with the smallest held-out compute are held out too. At least one
    point is held out.
    """
    if not (0.0 < fraction < 1.0):
        raise InvalidParameterError(
            f"`holdout_fraction` must be a number in (0, 1); got {fraction!r}."
        )
    c = table.compute
    n_test = max(1, int(round(fraction * c.size)))
    threshold = np.sort(c)[c.size - n_test]
    test = np.flatnonzero(c >= threshold)
    train = np.flatnonzero(c < threshold)
    return train, test
