"""The public entry point :func:`simulate`: validate, size the work, dispatch to the optimiser's route.

The optimiser chooses its route of :class:`~._engine.RandomFeatureSimulator` by double
dispatch, ``optimizer.simulate_with(engine)``; this module only checks what every route
needs (sizes, times, methods the optimiser offers, memory) and assembles the result.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._params import describe_problem
from .._validation import check_choice, check_int, check_size, check_times
from ..optimizers import Optimizer, check_optimizer, full_batch_names
from ..results import LossCurves
from ..spectra import Spectrum, check_spectrum
from ._backends import Backend, get_backend
from ._budget import DEFAULT_MAX_SECONDS, check_budget
from ._eigen import ROUTES, choose_route
from ._engine import RandomFeatureSimulator, SimulationProblem
from ._seeding import normalize_seed, run_streams

__all__ = ["simulate", "METHODS"]

METHODS = ("auto", "exact", "literal", "sample", "expected")


def simulate(
    spectrum: Spectrum,
    N: int | float,
    P: int | float | None,
    times: Any,
    *,
    optimizer: Optimizer | None = None,
    n_seeds: int = 8,
    seed: int | None = 0,
    ensemble: int = 1,
    backend: str | Backend = "numpy",
    method: str = "auto",
    route: str = "auto",
    progress: bool | None = None,
    max_seconds: float = DEFAULT_MAX_SECONDS,
) -> LossCurves:
    r"""Train the random-feature model on random draws and return its loss curves.

    The teacher has features :math:`\psi \in \mathbb{R}^M` with covariance
    :math:`\Lambda = \mathrm{diag}(\lambda_k)` and labels
    :math:`y = \psi\cdot w^* + \sigma\epsilon`. The student predicts
    :math:`f(x) = w \cdot A\psi(x)/\sqrt N` with a fixed Gaussian projection
    :math:`A \in \mathbb{R}^{N\times M}`, and trains :math:`w \in \mathbb{R}^N` from zero
    on :math:`P` samples to minimise :math:`\hat L/2`. With error
    :math:`v = w^* - A^\top w/\sqrt N` the reported losses are

    .. math:: L = \sum_k \lambda_k v_k^2 \ \text{(test, excess over } \sigma^2\text{)}, \qquad
              \hat L = \tfrac1P |\Psi v - \sigma\epsilon|^2 \ \text{(train)}.

    Parameters
    ----------
    spectrum : Spectrum
        Teacher spectrum and label noise (``spectrum.sigma``). Must have finite M.
    N : int or math.inf
        Model size (``inf``: the student uses the teacher's features, :math:`A^\top A/N = I`).
    P : int, math.inf or None
        Number of training samples (``inf``: population gradient; the train loss is then
        :math:`L + \sigma^2`). Ignored (may be None) for one-pass SGD.
    times : array_like
        Times at which to record the losses: gradient-flow time for
        :class:`~scaling_dynamics.GradientFlow` (any non-negative reals, e.g. up to 1e6),
        whole step counts for the discrete optimisers.
    optimizer : Optimizer, optional
        :class:`GradientFlow` (default), :class:`GradientDescent`, :class:`Momentum`,
        :class:`OnlineSGD`, or any registered optimiser with a simulator
        (:data:`~scaling_dynamics.optimizers.OPTIMIZERS`).
    n_seeds : int
        Number of independent draws of data and projection (>= 1).
    seed : int or None
        Root seed; run i uses an independent stream that does not depend on ``n_seeds``.
        ``None`` draws a fresh seed and records it in the result.
    ensemble : int
        Number E of models that share the data but not the projection; the loss is that of
        their averaged prediction (full-batch optimisers only).
    backend : {"numpy", "torch", "torch:cpu", "torch:cuda"}
        Where the linear algebra runs. Random draws always come from NumPy, so the result
        does not depend on the backend beyond float round-off.
    method : {"auto", "exact", "literal", "sample", "expected"}
        ``exact``: closed form in the kernel's eigenbasis (gradient flow, GD, momentum).
        ``literal``: the update rule iterated step by step in the original coordinates
        (slow; a reference). For SGD: ``sample`` (default) runs SGD exactly in law in an
        O(N + B)-per-step reduced form; ``expected`` gives the exact average over batch
        draws given the projection. ``auto`` picks ``exact`` or ``sample``.
    route : {"auto", "primal", "dual", "modes"}
        Which matrix to diagonalise (N x N, P x P or M x M); ``auto`` takes the cheapest.
    progress : bool or None
        Show a progress bar on stderr (``None``: only on an interactive terminal).
    max_seconds : float
        Refuse, before any work, a run whose estimated time exceeds this (default one
        hour; the estimate assumes 1e11 flop/s, so it errs on the fast side).

    Returns
    -------
    LossCurves
        Mean and standard error over seeds, the per-seed curves and all parameters.

    Raises
    ------
    InvalidParameterError
        For any invalid argument, or a step size beyond the stability limit of a draw.
    ProblemTooLargeError
        Before allocating, when the sizes would not fit in memory or the estimated
        work exceeds ``max_seconds``; the message gives the estimate and the limit.

    Examples
    --------
    >>> from scaling_dynamics import Spectrum, simulate
    >>> s = Spectrum.power_law(a=1.5, b=1.25, M=200)
    >>> res = simulate(s, N=50, P=100, times=[0, 10, 1000], n_seeds=2)
    >>> bool(abs(res.test_loss[0] - s.initial_loss) < 1e-12)   # L(0) = sum_k lambda_k w*_k^2
    True
    >>> res.test_loss_seeds.shape                               # (seeds, times)
    (2, 3)
    """
    started = time.perf_counter()
    spectrum = check_spectrum(spectrum)
    if not spectrum.is_finite:
        raise InvalidParameterError(
            "`M` must be finite to simulate (got M = inf); the theory handles M = inf."
        )
    optimizer = check_optimizer(optimizer)
    optimizer.require_simulator()
    N = check_size("N", N)
    P = check_size("P", P) if optimizer.full_batch else None
    times_arr = check_times("times", times, integer=optimizer.discrete)
    n_seeds = check_int("seeds", n_seeds, low=1)
    ensemble = check_int("ensemble", ensemble, low=1)
    seed = normalize_seed(seed)
    method = _check_method(optimizer, method, ensemble, P)
    check_choice("route", route, ROUTES)
    be = get_backend(backend)
    M = int(spectrum.M)
    eff_P = P if optimizer.full_batch else math.inf
    route_used = "-" if method == "literal" else choose_route(N, eff_P, M, route)
    check_budget(be, N, eff_P, M, times_arr, route_used, method, n_seeds, ensemble,
                 optimizer.samples_per_step, max_seconds, f"simulating N={N:g}, P={P if P is None else format(P, 'g')}, M={M:g}")
    problem = SimulationProblem(
        backend=be, method=method, route=route_used,
        eigenvalues=np.asarray(spectrum.eigenvalues, dtype=np.float64),
        target_weights=np.asarray(spectrum.target_weights, dtype=np.float64),
        sigma=spectrum.sigma, N=N, P=P, times=times_arr,
        streams=run_streams(seed, n_seeds, ensemble), ensemble=ensemble, progress=progress,
    )
    test, train, diag = optimizer.simulate_with(RandomFeatureSimulator(problem))
    if not (np.all(np.isfinite(test)) and np.all(np.isfinite(train))):
        raise InvalidParameterError(
            "the simulation produced non-finite losses; the step size is probably beyond the "
            "stability limit (see docs/conventions.md)."
        )
    diag.update(route=route_used, wall_time_s=time.perf_counter() - started)
    params = describe_problem(spectrum, N, P, optimizer, ensemble, seeds=n_seeds, method=method)
    return LossCurves.from_seeds(times_arr, test, train, params, seed=seed, backend=be.label,
                                 time_unit=optimizer.time_unit, diagnostics=diag)


def _check_method(optimizer: Optimizer, method: Any, ensemble: int, P: float | None) -> str:
    """The simulation method: ``auto`` is the optimiser's first; each must be one it offers."""
    check_choice("method", method, METHODS)
    allowed = optimizer.simulation_methods
    if method == "auto":
        method = allowed[0]
    elif method not in allowed:
        raise InvalidParameterError(
            f"`method` {method!r} is not available for optimizer {optimizer.name!r}; "
            f"choose one of {', '.join(repr(m) for m in allowed)}."
        )
    if not optimizer.full_batch and ensemble > 1:
        raise InvalidParameterError(
            "`ensemble` > 1 is only simulated for full-batch optimisers "
            f"({', '.join(full_batch_names(simulated=True))}); got ensemble = {ensemble} "
            f"with {optimizer.name}."
        )
    if method == "literal" and optimizer.full_batch:
        if ensemble > 1:
            raise InvalidParameterError(
                "`method` 'literal' simulates single models only (ensemble = 1)."
            )
        if math.isinf(P):
            raise InvalidParameterError(
                "`method` 'literal' needs a finite P (it iterates on the training set)."
            )
    return method
