"""Loss data from anyone: validation of (model size, steps, loss) arrays.

Every fit and frontier in :mod:`scaling_dynamics.scaling` takes plain arrays, so a
table from a sweep store, a file (read by :mod:`._layouts`) or a notebook is one call
away. Validation happens here, once, with messages that name the column and the offending row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from ._summary import summary_repr

__all__ = ["LossTable", "as_loss_table", "COLUMN_ALIASES"]

#: Accepted header names (case-insensitive) for each role, in order of preference.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "model_size": ("model_size", "n", "params", "parameters", "n_params", "num_params", "size"),
    "steps": ("steps", "step", "t", "time", "tokens", "n_tokens", "d", "data", "times"),
    "loss": ("loss", "l", "test_loss", "eval_loss", "val_loss", "validation_loss"),
}

_ROLE_TEXT = {"model_size": "model size", "steps": "steps (or tokens)", "loss": "loss"}


@dataclass(frozen=True, eq=False)
class LossTable:
    """Validated loss data: one row per trained model and time.

    Attributes
    ----------
    model_size : ndarray, shape (n_points,)
        Model size N (> 0), e.g. parameters or random features.
    steps : ndarray, shape (n_points,)
        Training steps, tokens or gradient-flow time t (> 0).
    loss : ndarray, shape (n_points,)
        Loss (> 0).
    source : str
        Where the data came from (a file name, or ``"arrays"``).
    """

    __repr__ = summary_repr

    model_size: np.ndarray
    steps: np.ndarray
    loss: np.ndarray
    source: str = "arrays"

    @property
    def n_points(self) -> int:
        return int(self.loss.size)

    @property
    def compute(self) -> np.ndarray:
        """Compute of each point, :math:`C = N t`."""
        return self.model_size * self.steps

    def subset(self, index: np.ndarray) -> LossTable:
        return LossTable(self.model_size[index], self.steps[index], self.loss[index], self.source)


def _column(name: str, values: Any) -> np.ndarray:
    if np.iscomplexobj(values):
        raise InvalidParameterError(f"`{name}` must be an array of real numbers; got complex values.")
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"`{name}` must be an array of real numbers; got {type(values).__name__}."
        ) from None
    if arr.ndim != 1:
        raise InvalidParameterError(f"`{name}` must be 1-dimensional; got shape {arr.shape}.")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(
            f"`{name}` must contain only finite numbers (no NaN or inf); row {i} is {float(arr[i])}."
        )
    if (arr <= 0).any():
        i = int(np.flatnonzero(arr <= 0)[0])
        what = (
            "losses are fitted in log space, so every loss must be > 0"
            if name == "loss"
            else f"every {name.replace('_', ' ')} must be > 0"
        )
        raise InvalidParameterError(f"`{name}` cannot be fitted: {what}; row {i} is {float(arr[i])}.")
    return arr


def as_loss_table(
    model_size: Any, steps: Any, loss: Any, *, min_points: int = 1, source: str = "arrays"
) -> LossTable:
    """Validate three equal-length arrays of positive finite numbers.

    Raises
    ------
    InvalidParameterError
        On different lengths, NaN/inf, non-positive entries or fewer than ``min_points`` rows.
    """
    n = _column("model_size", model_size)
    t = _column("steps", steps)
    y = _column("loss", loss)
    if not (n.size == t.size == y.size):
        raise InvalidParameterError(
            "`model_size`, `steps` and `loss` must have the same length; "
            f"got {n.size}, {t.size} and {y.size}."
        )
    if y.size < min_points:
        raise InvalidParameterError(
            f"too few points to fit: need at least {min_points} rows of (model size, steps, "
            f"loss); got {y.size}."
        )
    return LossTable(n, t, y, source)
