"""The flat parameter record stored in every result (``LossCurves.params``)."""

from __future__ import annotations

import math
from typing import Any

from .optimizers import Optimizer
from .spectra import Spectrum

__all__ = ["describe_problem", "size_text"]


def describe_problem(
    spectrum: Spectrum,
    N: float,
    P: float | None,
    optimizer: Optimizer,
    ensemble: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    """Parameters of an experiment as a flat dict (sizes may be ``math.inf``; ``P`` None for SGD)."""
    d: dict[str, Any] = {
        "spectrum": spectrum.label,
        "a": spectrum.a,
        "b": spectrum.b,
        "M": spectrum.M,
        "sigma": spectrum.sigma,
        "N": N if math.isinf(N) else int(N),
        "P": None if P is None else (P if math.isinf(P) else int(P)),
    }
    d.update(optimizer.to_dict())
    d["ensemble"] = int(ensemble)
    d.update(extra)
    return d


def size_text(x: float) -> str:
    """A size for labels and messages: ``"inf"`` or the integer."""
    return "inf" if math.isinf(float(x)) else f"{int(x)}"
