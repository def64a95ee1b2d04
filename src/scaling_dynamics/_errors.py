"""Exception types raised by scaling-dynamics.

Every error a user can cause derives from :class:`ScalingDynamicsError`, so the
command line can turn it into a one-line message instead of a traceback.
"""

from __future__ import annotations


class ScalingDynamicsError(Exception):
    """Base class of the errors this package raises on purpose."""


class InvalidParameterError(ScalingDynamicsError, ValueError):
    """A parameter is outside its allowed range or has the wrong type.

    The message names the parameter, what is allowed and the value received.
    """


class ProblemTooLargeError(ScalingDynamicsError, MemoryError):
    """The requested sizes would not fit in the available memory.

    Raised *before* any large array is allocated.
    """


class ConvergenceError(ScalingDynamicsError, RuntimeError):
    """An iterative solver (fixed point, fit, contour) did not converge."""


class MissingDependencyError(ScalingDynamicsError, ImportError):
    """An optional dependency is needed; the message says how to install it."""
