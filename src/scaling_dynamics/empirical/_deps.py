"""Lazy imports of the optional dependencies of :mod:`scaling_dynamics.empirical`.

torch and scikit-learn are imported only when a function that needs them runs, so
``import scaling_dynamics`` (and this subpackage) works with the core alone.
"""

from __future__ import annotations

from typing import Any

from .._errors import MissingDependencyError

__all__ = ["require_torch", "require_sklearn_datasets", "INSTALL_HINT"]

INSTALL_HINT = 'pip install "scaling-dynamics[empirical]"'


def require_torch(what: str = "this function") -> Any:
    """Return the ``torch`` module, or raise :class:`MissingDependencyError` naming the extra."""
    try:
        import torch
    except ImportError:
        raise MissingDependencyError(
            f"{what} needs PyTorch, which is not installed; install it with {INSTALL_HINT}"
        ) from None
    return torch


def require_sklearn_datasets(what: str = "this function") -> Any:
    """Return ``sklearn.datasets``, or raise :class:`MissingDependencyError` naming the extra."""
    try:
        import sklearn.datasets as datasets
    except ImportError:
        raise MissingDependencyError(
            f"{what} needs scikit-learn, which is not installed; install it with {INSTALL_HINT}"
        ) from None
    return datasets
