r"""Forecasts of a fitted law: the loss at points outside the data, with an interval.

Every fitted law (Chinchilla-style, theory) answers the same two questions the same way:
``fit.forecast(model_size, steps, level=0.9)`` returns one :class:`Forecast` per point
(the loss :math:`\hat L(N, t)` and the interval ``[low, high]`` at ``level``, from the
fit's bootstrap or profile), and ``fit.allocation(compute)`` the compute-optimal split.
The CLI's ``fit --predict-at N:T`` writes one entry per point under ``predictions``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._records import Record

__all__ = ["Forecast"]


@dataclass(frozen=True, eq=False)
class Forecast(Record):
    r"""The predicted test loss of a fitted law at one point :math:`(N, t)`.

    Attributes
    ----------
    model_size, steps : float
        The point, in the units of the data.
    loss : float
        The law's prediction :math:`\hat L(N, t)` at the best fit.
    low, high : float
        Interval at ``level`` for the prediction (from the fit's bootstrap or profile;
        ``nan`` when the fit computed no interval).
    level : float
        Coverage of ``[low, high]`` (e.g. 0.9).
    method : str
        How the interval was obtained (e.g. ``"bootstrap"``, ``"profile"``, ``"none"``).
    """

    model_size: float
    steps: float
    loss: float
    low: float
    high: float
    level: float
    method: str
