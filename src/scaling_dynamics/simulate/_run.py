"""The public entry point :func:`simulate`."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from .._errors import InvalidParameterError, ProblemTooLargeError
from .._params import describe_problem
from .._progress import progress_bar
from .._validation import check_choice, check_int, check_size, check_times
from .._version import __version__
from ..optimizers import GradientFlow, Momentum, OnlineSGD, Optimizer
from ..results import LossCurves
from ..spectra import Spectrum, check_spectrum
from ._backends import Backend, get_backend
from ._eigen import ROUTES, choose_route, decompose
from ._literal import literal_full_batch, literal_sgd
from ._schedules import check_stability, q_coefficients
from ._seeding import normalize_seed, run_streams
from ._sgd import check_sgd_stability, run_sgd_expected, run_sgd_sample, sgd_modes

__all__ = ["simulate", "estimate_memory", "METHODS"]

METHODS = ("auto", "exact", "literal", "sample", "expected")
_MEMORY_HEADROOM = 0.85


def _methods_for(optimizer: Optimizer) -> tuple[str, ...]:
    if isinstance(optimizer, GradientFlow):
        return ("exact",)
    if isinstance(optimizer, OnlineSGD):
        return ("sample", "expected", "literal")
    return ("exact", "literal")


def estimate_memory(
    N: float, P: float | None, M: int, n_times: int, route: str, method: str, n_seeds: int = 1,
    batch: int = 1,
) -> int:
    """Peak bytes one simulated run needs (float64), counted before anything is allocated."""
    n = N if math.isfinite(N) else M
    p = P if (P is not None and math.isfinite(P)) else 0
    words = p * M + (N * M if math.isfinite(N) else 0) + 4 * M * n_times + 2 * p * n_times
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
    return int(8 * words)


def _check_memory(be: Backend, needed: int, what: str) -> None:
    available = be.memory_available()
    if available is not None and needed > _MEMORY_HEADROOM * available:
        raise ProblemTooLargeError(
            f"{what} needs about {needed / 2**30:.2f} GiB of memory but only "
            f"{available / 2**30:.2f} GiB is available on {be.label}; "
            "reduce N, P or M, or use the theory (scaling-dynamics theory), which has no such limit."
        )


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
        :class:`GradientFlow` (default), :class:`GradientDescent`, :class:`Momentum` or
        :class:`OnlineSGD`.
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

    Returns
    -------
    LossCurves
        Mean and standard error over seeds, the per-seed curves and all parameters.

    Raises
    ------
    InvalidParameterError
        For any invalid argument, or a step size beyond the stability limit of a draw.
    ProblemTooLargeError
        Before allocating, when the sizes would not fit in memory.

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
    optimizer = GradientFlow() if optimizer is None else optimizer
    if not hasattr(optimizer, "name") or not hasattr(optimizer, "to_dict"):
        raise InvalidParameterError(
            "`optimizer` must be GradientFlow(), GradientDescent(eta), Momentum(eta, beta) "
            f"or OnlineSGD(eta, batch_size); got {optimizer!r}."
        )
    is_sgd = isinstance(optimizer, OnlineSGD)
    N = check_size("N", N)
    P = None if is_sgd else check_size("P", P)
    times_arr = check_times("times", times, integer=optimizer.discrete)
    n_seeds = check_int("seeds", n_seeds, low=1)
    ensemble = check_int("ensemble", ensemble, low=1)
    seed = normalize_seed(seed)
    check_choice("method", method, METHODS)
    check_choice("route", route, ROUTES)
    allowed = _methods_for(optimizer)
    if method == "auto":
        method = allowed[0]
    elif method not in allowed:
        raise InvalidParameterError(
            f"`method` {method!r} is not available for optimizer {optimizer.name!r}; "
            f"choose one of {', '.join(repr(m) for m in allowed)}."
        )
    if is_sgd and ensemble > 1:
        raise InvalidParameterError(
            "`ensemble` > 1 is only simulated for full-batch optimisers (gf, gd, momentum); "
            f"got ensemble = {ensemble} with sgd."
        )
    if method == "literal" and not is_sgd:
        if ensemble > 1:
            raise InvalidParameterError(
                "`method` 'literal' simulates single models only (ensemble = 1)."
            )
        if math.isinf(P):
            raise InvalidParameterError(
                "`method` 'literal' needs a finite P (it iterates on the training set)."
            )
    be = get_backend(backend)
    M = int(spectrum.M)
    eff_P = math.inf if is_sgd else P
    route_used = "-" if method == "literal" else choose_route(N, eff_P, M, route)
    needed = estimate_memory(
        N, eff_P, M, times_arr.size, route_used, method, n_seeds,
        optimizer.batch_size if is_sgd else 1,
    )
    _check_memory(be, needed, f"simulating N={N}, P={P}, M={M}")

    lam_h = np.asarray(spectrum.eigenvalues, dtype=np.float64)
    wstar_h = np.asarray(spectrum.target_weights, dtype=np.float64)
    sigma = spectrum.sigma
    streams = run_streams(seed, n_seeds, ensemble)

    if is_sgd:
        test, train, diag = _simulate_sgd(
            be, optimizer, method, route_used, lam_h, wstar_h, sigma, N, times_arr, streams,
            progress,
        )
    else:
        test, train, diag = _simulate_full_batch(
            be, optimizer, method, route_used, lam_h, wstar_h, sigma, N, P, times_arr, streams,
            ensemble, progress,
        )
    if not (np.all(np.isfinite(test)) and np.all(np.isfinite(train))):
        raise InvalidParameterError(
            "the simulation produced non-finite losses; the step size is probably beyond the "
            "stability limit (see docs/conventions.md)."
        )
    diag.update(route=route_used, wall_time_s=time.perf_counter() - started)
    mean_test, mean_train = test.mean(axis=0), train.mean(axis=0)
    if n_seeds > 1:
        sem_test = test.std(axis=0, ddof=1) / math.sqrt(n_seeds)
        sem_train = train.std(axis=0, ddof=1) / math.sqrt(n_seeds)
    else:
        sem_test = sem_train = None
    params = describe_problem(
        spectrum, N, P, optimizer, ensemble, seeds=n_seeds, method=method
    )
    return LossCurves(
        times=times_arr,
        test_loss=mean_test,
        train_loss=mean_train,
        test_loss_sem=sem_test,
        train_loss_sem=sem_train,
        test_loss_seeds=test,
        train_loss_seeds=train,
        params=params,
        source="simulation",
        seed=seed,
        backend=be.label,
        version=__version__,
        time_unit="steps" if optimizer.discrete else "time",
        diagnostics=diag,
    )


def _draw_data(stream, P, M, lam_h, wstar_h, sigma):
    """Training inputs X = Z Lambda^{1/2} (P x M), noise eps and labels y = X w* + sigma eps."""
    if not math.isfinite(P):
        return None, None, None
    X = stream.data.standard_normal((int(P), M))
    eps = stream.data.standard_normal(int(P))
    X *= np.sqrt(lam_h)
    y = X @ wstar_h + sigma * eps
    return X, eps, y


def _draw_projection(gen, N, M):
    """Scaled projection Y = A / sqrt(N) (N x M); None when N = inf."""
    if not math.isfinite(N):
        return None
    Y = gen.standard_normal((int(N), M))
    Y /= math.sqrt(N)
    return Y


def _simulate_full_batch(
    be, optimizer, method, route, lam_h, wstar_h, sigma, N, P, times, streams, ensemble, progress
):
    n_seeds, M = len(streams), lam_h.size
    test = np.empty((n_seeds, times.size))
    train = np.empty((n_seeds, times.size))
    mu_max = []
    seconds = {"draws": 0.0, "products": 0.0, "eigh": 0.0, "curves": 0.0}
    lam, wstar = be.asarray(lam_h), be.asarray(wstar_h)
    beta = optimizer.beta if isinstance(optimizer, Momentum) else 0.0
    with progress_bar(n_seeds * ensemble, "simulate", progress, unit="run") as bar:
        for i, st in enumerate(streams):
            clock = time.perf_counter()
            X_h, eps_h, y_h = _draw_data(st, P, M, lam_h, wstar_h, sigma)
            seconds["draws"] += time.perf_counter() - clock
            if method != "literal":  # on the backend once per seed, shared by the members
                X = None if X_h is None else be.asarray(X_h)
                y = None if y_h is None else be.asarray(y_h)
            v_sum = None
            for e in range(ensemble):
                clock = time.perf_counter()
                Y_h = _draw_projection(st.projections[e], N, M)
                seconds["draws"] += time.perf_counter() - clock
                if method == "literal":
                    A_scaled = Y_h if Y_h is not None else np.eye(M)
                    te, tr = literal_full_batch(
                        lam_h, wstar_h, X_h, y_h, A_scaled, optimizer.eta, beta, times, sigma
                    )
                    test[i], train[i] = te, tr
                    bar.update()
                    continue
                Y = None if Y_h is None else be.asarray(Y_h)
                eig = decompose(be, route, lam, wstar, X, y, Y)
                for key, val in eig.timings.items():
                    seconds[key] += val
                top = float(eig.mu.max()) if eig.mu.size else 0.0
                mu_max.append(top)
                check_stability(optimizer, top)
                clock = time.perf_counter()
                Q = be.asarray(q_coefficients(optimizer, eig.mu, times))
                coef = Q * eig.c[:, None]
                v = wstar[:, None] - (eig.T @ coef if eig.T is not None else coef)
                v_sum = v if v_sum is None else v_sum + v
                seconds["curves"] += time.perf_counter() - clock
                del eig, Q, coef
                bar.update()
            if method == "literal":
                continue
            clock = time.perf_counter()
            v = v_sum / ensemble if ensemble > 1 else v_sum
            test[i] = be.to_numpy(be.sum_sq_weighted(lam, v))
            if X_h is None:
                train[i] = test[i] + sigma**2
            else:
                r = X @ v + be.asarray(sigma * eps_h)[:, None]
                train[i] = be.to_numpy((r * r).sum(0)) / X_h.shape[0]
            seconds["curves"] += time.perf_counter() - clock
    if method == "literal":
        return test, train, {}
    return test, train, {"mu_max": mu_max, "seconds": seconds}


def _simulate_sgd(be, optimizer, method, route, lam_h, wstar_h, sigma, N, steps, streams, progress):
    n_seeds, M = len(streams), lam_h.size
    eta, batch = optimizer.eta, optimizer.batch_size
    if method == "literal":
        test = np.empty((n_seeds, steps.size))
        train = np.empty((n_seeds, steps.size))
        with progress_bar(n_seeds, "simulate sgd (literal)", progress, unit="run") as bar:
            for i, st in enumerate(streams):
                Y_h = _draw_projection(st.projections[0], N, M)
                A_scaled = Y_h if Y_h is not None else np.eye(M)
                test[i], train[i] = literal_sgd(
                    lam_h, wstar_h, A_scaled, eta, batch, sigma, steps, st.sgd
                )
                bar.update()
        return test, train, {}
    lam, wstar = be.asarray(lam_h), be.asarray(wstar_h)
    modes = []
    with progress_bar(n_seeds, "diagonalise", progress, unit="run") as bar:
        for st in streams:
            Y_h = _draw_projection(st.projections[0], N, M)
            Y = None if Y_h is None else be.asarray(Y_h)
            eig = decompose(be, route, lam, wstar, None, None, Y)
            m = sgd_modes(eig.mu, eig.c, np.sqrt(lam_h) * wstar_h, be.to_numpy)
            check_sgd_stability(eta, batch, m.mu)
            modes.append(m)
            bar.update()
    mu_max = [float(m.mu.max()) for m in modes]
    if method == "expected":
        test, train = run_sgd_expected(modes, eta, batch, sigma, steps)
    else:
        total = int(steps.max()) if steps.size else 0
        with progress_bar(total, "sgd steps", progress, unit="step") as bar:
            test, train = run_sgd_sample(
                modes, [st.sgd for st in streams], eta, batch, sigma, steps, on_step=bar.update
            )
    return test, train, {"mu_max": mu_max}
