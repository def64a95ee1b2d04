"""What every theory route computes: :class:`TheoryTerms`, and the round-off clip of losses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import ConvergenceError
from ..spectra import Spectrum

__all__ = ["TheoryTerms", "clip_round_off", "ROUND_OFF"]

#: Losses below zero by less than this fraction of the loss scale are round-off.
ROUND_OFF = 1e-9


def clip_round_off(name: str, loss: np.ndarray, spectrum: Spectrum) -> np.ndarray:
    """Set round-off below zero to zero; refuse a loss that is negative beyond round-off.

    A converged train loss is a difference of nearly equal sums and can come out as
    -1e-17; losses are non-negative, so values in ``[-ROUND_OFF * scale, 0)`` with
    ``scale = L(0) + sigma^2`` become 0 (log plots and exponent fits stay defined).
    Anything more negative is a failure of the numerics and raises.
    """
    scale = spectrum.initial_loss + spectrum.sigma**2
    worst = float(np.min(loss)) if loss.size else 0.0
    if worst < -ROUND_OFF * scale:
        raise ConvergenceError(
            f"the theory produced a negative {name} loss ({worst:.3g}, loss scale "
            f"{scale:.3g}): a failure of the numerics, not of the inputs; please report it "
            "with the full command or call."
        )
    return np.maximum(loss, 0.0)

@dataclass(frozen=True, eq=False)
class TheoryTerms:
    """Every curve the theory computes at ``times`` (t = 0 included, filled exactly)."""

    times: np.ndarray
    test: np.ndarray
    train: np.ndarray
    test_cross: np.ndarray
    train_cross: np.ndarray
    bias: np.ndarray
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def ensemble_test(self, E: int) -> np.ndarray:
        r"""Test loss of an ensemble of ``E`` models: :math:`C_0/E + (1 - 1/E) C_0^{ab}`."""
        return self.test / E + (1.0 - 1.0 / E) * self.test_cross

    def ensemble_train(self, E: int) -> np.ndarray:
        return self.train / E + (1.0 - 1.0 / E) * self.train_cross
