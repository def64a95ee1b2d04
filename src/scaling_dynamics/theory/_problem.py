"""Validation shared by the theory's public entry points (one place, one message format)."""

from __future__ import annotations

from typing import Any

from .._errors import InvalidParameterError
from ..optimizers import GradientFlow
from ..spectra import check_spectrum

__all__ = ["check_spectrum", "check_optimizer", "check_compress"]


def check_optimizer(optimizer: Any) -> GradientFlow:
    """Only gradient flow has a theory here; the others are refused with a pointer."""
    if optimizer is None:
        return GradientFlow()
    if isinstance(optimizer, GradientFlow):
        return optimizer
    name = getattr(optimizer, "name", None)
    if name in ("gd", "momentum", "sgd"):
        raise InvalidParameterError(
            f"the mean-field theory for optimizer {name!r} is not available yet: it will be "
            "provided by scaling_dynamics.theory once implemented (theory.md section 4); "
            "use optimizer=GradientFlow() (--optimizer gf), or simulate it with "
            "scaling_dynamics.simulate."
        )
    raise InvalidParameterError(
        "`optimizer` must be GradientFlow(), GradientDescent(eta), Momentum(eta, beta) "
        f"or OnlineSGD(eta, batch_size); got {optimizer!r}."
    )


def check_compress(compress: Any) -> str:
    from ._modesums import COMPRESS_OPTIONS

    if compress not in COMPRESS_OPTIONS:
        raise InvalidParameterError(
            f"`compress` must be one of {', '.join(repr(c) for c in COMPRESS_OPTIONS)}; "
            f"got {compress!r}."
        )
    return compress
