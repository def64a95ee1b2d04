r"""Memory and time of a simulation, estimated before anything is allocated or drawn.

:func:`check_budget` refuses, with the estimate and the limit, a run that would not fit
in memory or would take longer than ``max_seconds``. Memory counts the float64 arrays of
the chosen route; time counts floating-point work at an optimistic
:data:`FLOP_RATE` (the measured rate of this machine's matrix products is 1e11 flop/s,
``benchmarks/results/simulate.md``) plus a per-step interpreter cost for the loops that
step through time, so a refusal is never premature.
"""

from __future__ import annotations

import math

import numpy as np

from .._errors import ProblemTooLargeError
from ._backends import Backend
from ._eigen import route_costs

__all__ = ["estimate_memory", "estimate_seconds", "check_budget", "DEFAULT_MAX_SECONDS"]

#: Default limit on the estimated run time of one call (seconds).
DEFAULT_MAX_SECONDS = 3600.0
#: Floating-point rate assumed by the time estimate (optimistic: errs on the fast side).
FLOP_RATE = 1e11
#: Interpreter cost of one step of a step-by-step loop (seconds, optimistic).
STEP_SECONDS = 2e-6
_MEMORY_HEADROOM = 0.85


def estimate_memory(
    N: float, P: float | None, M: int, n_times: int, route: str, method: str, n_seeds: int = 1,
    batch: int = 1,
) -> int:
    """Peak bytes one simulated run needs (float64), counted before anything is allocated."""
    N, M, n_seeds = float(N), float(M), float(n_seeds)  # huge sizes give inf, not an overflow
    P = None if P is None else float(P)
    n = N if math.isfinite(N) else M
    p = P if (P is not None and math.isfinite(P)) else 0
    words = p * M + (N * M if math.isfinite(N) else 0) + 4 * M * n_times + 2 * p * n_times
    words += 2 * n_seeds * n_times  # the per-seed curves kept in the result
    if method == "literal":
        words += p * n + n * M + (M * M if not math.isfinite(N) else 0)
    elif route == "primal":
        words += p * n + 4 * n * n + M * n
    elif route == "dual":
        words += 2 * p * n + 4 * p * p + M * p
    elif route == "modes":
        words += n * M + 6 * M * M + (M * p)
    if method == "sample":
        words += n_seeds * 256 * (2 * batch + min(n, M)) + 4 * n_seeds * min(n, M)
    return int(min(8.0 * words, 2.0**62))  # capped: inf or more is "far too large"


def estimate_seconds(
    N: float, P: float, M: int, times: np.ndarray, route: str, method: str, n_seeds: int,
    ensemble: int, batch: int,
) -> float:
    """A lower estimate of the run time: floating-point work / FLOP_RATE + stepping cost."""
    N, P, M, n_seeds = float(N), float(P), float(M), float(n_seeds)
    n = N if math.isfinite(N) else M
    rank = min(n, M)
    last = float(np.max(times)) if times.size else 0.0
    if method in ("sample", "expected", "literal") and not math.isfinite(P):
        per_step = {"sample": 20.0 * (rank + batch), "expected": 10.0 * rank,
                    "literal": 4.0 * batch * M * n}[method]
        decompose = 0.0 if method == "literal" else route_costs(N, math.inf, M)[route]
        flops = n_seeds * (decompose + last * per_step)
        return flops / FLOP_RATE + last * STEP_SECONDS * (1 if method != "literal" else n_seeds)
    if method == "literal":
        flops = n_seeds * last * 4.0 * P * n
        return flops / FLOP_RATE + n_seeds * last * STEP_SECONDS
    draws = (P if math.isfinite(P) else 0.0) * M + (N * M if math.isfinite(N) else 0.0)
    curves = 2.0 * M * rank * times.size
    flops = n_seeds * ensemble * (route_costs(N, P, M)[route] + draws * 20.0 + curves)
    return flops / FLOP_RATE


def check_budget(
    be: Backend, N: float, P: float, M: int, times: np.ndarray, route: str, method: str,
    n_seeds: int, ensemble: int, batch: int, max_seconds: float, what: str,
) -> None:
    """Refuse a run over the memory available or over ``max_seconds`` (estimates, one line)."""
    from .._validation import check_real

    max_seconds = check_real("max_seconds", max_seconds, low=0.0, low_open=True)
    needed = estimate_memory(N, P, M, times.size, route, method, n_seeds, batch)
    available = be.memory_available()
    if available is not None and needed > _MEMORY_HEADROOM * available:
        raise ProblemTooLargeError(
            f"{what} needs about {needed / 2**30:.3g} GiB of memory but only "
            f"{available / 2**30:.2f} GiB is available on {be.label}; "
            "reduce N, P, M or the seeds, or use the theory (scaling-dynamics theory), which "
            "has no such limit."
        )
    seconds = estimate_seconds(N, P, M, times, route, method, n_seeds, ensemble, batch)
    if seconds > max_seconds:
        raise ProblemTooLargeError(
            f"{what} with {n_seeds:g} seeds"
            + (f" and ensemble = {ensemble:g}" if ensemble != 1 else "")
            + f" would take at least {seconds:.3g} s (estimated at "
            f"{FLOP_RATE:.0e} flop/s), over the limit max_seconds = {max_seconds:g} s; raise "
            "max_seconds (--max-seconds) to allow it, or reduce the seeds, ensemble, sizes or "
            "steps, or use the theory."
        )
