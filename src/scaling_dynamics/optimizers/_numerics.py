"""Cancellation-free scalar functions shared by the closed forms of the optimisers."""

from __future__ import annotations

import numpy as np

__all__ = ["phi1", "log1m_ratio"]


def phi1(x: np.ndarray) -> np.ndarray:
    """:math:`(1 - e^{-x})/x` for x >= 0, equal to 1 at x = 0."""
    out = np.ones_like(x)
    nz = x > 0
    out[nz] = -np.expm1(-x[nz]) / x[nz]
    return out


def log1m_ratio(u: np.ndarray) -> np.ndarray:
    """:math:`-\\log(1-u)/u` for 0 <= u < 1, equal to 1 at u = 0."""
    out = np.ones_like(u)
    nz = u > 0
    out[nz] = -np.log1p(-u[nz]) / u[nz]
    return out
