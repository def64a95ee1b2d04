"""Exception types raised by scaling-dynamics.

Every error a user can cause derives from :class:`ScalingDynamicsError`, so the
command line can turn it into a one-line message instead of a traceback.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager


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


class ScalingDynamicsWarning(UserWarning):
    """Base class of the warnings this package emits on purpose (the CLI prints one line each)."""


class TheoryAccuracyWarning(ScalingDynamicsWarning):
    """The mean-field theory is known to be off for this problem by more than its usual accuracy.

    Emitted by :func:`~scaling_dynamics.theory.predict` (and recorded in the result's
    ``diagnostics["warning"]``) when the problem lies in a region where the theory, which
    is exact only as N, P, M -> infinity, was measured to differ from simulation at the
    sizes asked for (``docs/optimizers.md``, "Where the heavy-ball theory can be trusted").
    The numbers are still returned; they are the infinite-size limit, not the finite
    system's average.
    """


@contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """Collect this package's warnings as one-line messages (each once) instead of printing them.

    The command line and the sweep workers print or record them as
    ``warning: <message>`` lines; other warnings pass through unchanged.
    """
    lines: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScalingDynamicsWarning)
        yield lines
    for w in caught:
        if issubclass(w.category, ScalingDynamicsWarning):
            text = " ".join(str(w.message).split())
            if text not in lines:
                lines.append(text)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
