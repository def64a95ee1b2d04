"""Task ``predict``: the mean-field theory on a saved spectrum (``--spectrum`` required)."""

from __future__ import annotations

from typing import Any

from .._errors import InvalidParameterError
from ._base import Output, bind
from ._spec import Spec
from .theory import declare as declare_theory
from .theory import predict_curves

__all__ = ["SPEC", "predict"]

SPEC = Spec()
declare_theory(SPEC)
SPEC.override("spectrum", required=True,
              help="saved spectrum (.npz with arrays eigenvalues and target_weights, "
              "optionally sigma), e.g. spectrum.npz of `scaling-dynamics spectrum`")


def predict(**options: Any) -> Output:
    """``theory`` with the spectrum read from ``spectrum`` (a .npz file)."""
    args = bind("predict", SPEC, options)
    if not args.spectrum:
        raise InvalidParameterError("`spectrum` (--spectrum FILE.npz) is required.")
    return predict_curves(args)
