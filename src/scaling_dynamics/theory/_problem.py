"""Validation shared by the theory's public entry points (one place, one message format)."""

from __future__ import annotations

from typing import Any

from .._errors import InvalidParameterError
from ..spectra import check_spectrum

__all__ = ["check_spectrum", "check_compress", "COMPRESS_OPTIONS"]

#: How mode sums may be compressed (:func:`~scaling_dynamics.theory.mode_set`).
COMPRESS_OPTIONS = ("auto", "on", "off")


def check_compress(compress: Any) -> str:
    """``compress`` if it is one of :data:`COMPRESS_OPTIONS`, else a one-line error."""
    if compress not in COMPRESS_OPTIONS:
        raise InvalidParameterError(
            f"`compress` must be one of {', '.join(repr(c) for c in COMPRESS_OPTIONS)}; "
            f"got {compress!r}."
        )
    return compress
