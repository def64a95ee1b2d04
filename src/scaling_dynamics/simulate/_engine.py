r"""The exact simulator's routes for the random-feature model, one per kind of dynamics.

:func:`~scaling_dynamics.simulate` validates the problem, builds a
:class:`RandomFeatureSimulator` and hands it to ``optimizer.simulate_with(engine)``; the
optimiser calls the route that describes it:

* :meth:`~RandomFeatureSimulator.full_batch`: every step sees the P training samples.
  ``method="exact"``: diagonalise the kernel once per draw and apply the optimiser's
  closed form :math:`w_t = q_t(K)\,h` (``optimizer.q_coefficients``) at every time;
  ``method="literal"``: iterate the heavy-ball update in the original coordinates
  (``optimizer.heavy_ball_form``), a slow independent reference.
* :meth:`~RandomFeatureSimulator.online`: one-pass SGD on fresh batches, exactly in law in
  the eigenbasis (``sample``), its exact expectation over batches (``expected``), or
  word for word (``literal``).

Both return per-seed test and train curves, assembled by ``LossCurves.from_seeds``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._progress import progress_bar
from ..optimizers import Optimizer
from ._backends import Backend
from ._eigen import decompose
from ._literal import literal_full_batch, literal_sgd
from ._one_blas import matmul
from ._sgd import run_sgd_expected, run_sgd_sample, sgd_modes

__all__ = ["SimulationProblem", "RandomFeatureSimulator"]


@dataclass(frozen=True)
class SimulationProblem:
    """Validated inputs of one simulation (host arrays; ``P`` is None for one-pass SGD)."""

    backend: Backend
    method: str
    route: str
    eigenvalues: np.ndarray
    target_weights: np.ndarray
    sigma: float
    N: float
    P: float | None
    times: np.ndarray
    streams: list[Any]
    ensemble: int
    progress: bool | None


class RandomFeatureSimulator:
    """The random-feature model's simulation routes for one :class:`SimulationProblem`.

    Each route returns ``(test, train, diagnostics)`` with per-seed curves of shape
    ``(seeds, times)``.
    """

    def __init__(self, problem: SimulationProblem) -> None:
        self.problem = problem

    def full_batch(self, optimizer: Optimizer) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """Full-batch training on P samples (exact closed form or literal iteration)."""
        if self.problem.method == "literal":
            return self._full_batch_literal(optimizer)
        return self._full_batch_exact(optimizer)

    def online(self, optimizer: Optimizer) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """One-pass SGD on fresh batches (sampled exactly in law, expected, or literal)."""
        p = self.problem
        if p.method == "literal":
            return self._online_literal(optimizer)
        modes = self._sgd_modes(optimizer)
        mu_max = [float(m.mu.max()) for m in modes]
        eta, batch = optimizer.eta, optimizer.batch_size  # type: ignore[attr-defined]
        if p.method == "expected":
            test, train = run_sgd_expected(modes, eta, batch, p.sigma, p.times)
        else:
            total = int(p.times.max()) if p.times.size else 0
            with progress_bar(total, "sgd steps", p.progress, unit="step") as bar:
                test, train = run_sgd_sample(modes, [st.sgd for st in p.streams], eta, batch,
                                             p.sigma, p.times, on_step=bar.update)
        return test, train, {"mu_max": mu_max}

    # ------------------------------------------------------------------ full batch
    def _full_batch_literal(self, optimizer: Optimizer):
        p = self.problem
        lam_h, wstar_h, M = p.eigenvalues, p.target_weights, p.eigenvalues.size
        eta, beta = optimizer.heavy_ball_form  # type: ignore[attr-defined]
        test = np.empty((len(p.streams), p.times.size))
        train = np.empty_like(test)
        with progress_bar(len(p.streams), "simulate", p.progress, unit="run") as bar:
            for i, st in enumerate(p.streams):
                X_h, _, y_h = _draw_data(st, p.P, M, lam_h, wstar_h, p.sigma)
                Y_h = _draw_projection(st.projections[0], p.N, M)
                A_scaled = Y_h if Y_h is not None else np.eye(M)
                test[i], train[i] = literal_full_batch(lam_h, wstar_h, X_h, y_h, A_scaled, eta,
                                                       beta, p.times, p.sigma)
                bar.update()
        return test, train, {}

    def _full_batch_exact(self, optimizer: Optimizer):
        p = self.problem
        be = p.backend
        weights = (be.asarray(p.eigenvalues), be.asarray(p.target_weights))  # once per run
        test = np.empty((len(p.streams), p.times.size))
        train = np.empty_like(test)
        mu_max: list[float] = []
        solvers: set[str] = set()
        seconds = {"draws": 0.0, "products": 0.0, "eigh": 0.0, "curves": 0.0}
        with progress_bar(len(p.streams) * p.ensemble, "simulate", p.progress, unit="run") as bar:
            for i, st in enumerate(p.streams):
                test[i], train[i] = self._one_seed_exact(optimizer, st, weights, seconds,
                                                         mu_max, solvers, bar)
        return test, train, {"mu_max": mu_max, "seconds": seconds,
                             "eigensolver": ", ".join(sorted(solvers))}

    def _one_seed_exact(self, optimizer, st, weights, seconds, mu_max, solvers, bar):
        """One draw of data, E projections: the ensemble's averaged error vector, then losses."""
        p = self.problem
        be = p.backend
        lam_h, wstar_h, M = p.eigenvalues, p.target_weights, p.eigenvalues.size
        lam, wstar = weights
        clock = time.perf_counter()
        X_h, eps_h, y_h = _draw_data(st, p.P, M, lam_h, wstar_h, p.sigma)
        seconds["draws"] += time.perf_counter() - clock
        X = None if X_h is None else be.asarray(X_h)  # on the backend once per seed
        y = None if y_h is None else be.asarray(y_h)
        v_sum = None
        for e in range(p.ensemble):
            clock = time.perf_counter()
            Y_h = _draw_projection(st.projections[e], p.N, M)
            seconds["draws"] += time.perf_counter() - clock
            Y = None if Y_h is None else be.asarray(Y_h)
            eig = decompose(be, p.route, lam, wstar, X, y, Y)
            for key, val in eig.timings.items():
                seconds[key] += val
            top = float(eig.mu.max()) if eig.mu.size else 0.0
            mu_max.append(top)
            solvers.add(eig.solver)
            optimizer.check_stability(top)
            clock = time.perf_counter()
            Q = be.asarray(optimizer.q_coefficients(eig.mu, p.times))  # type: ignore[attr-defined]
            coef = Q * eig.c[:, None]
            v = wstar[:, None] - eig.map(coef)
            v_sum = v if v_sum is None else v_sum + v
            seconds["curves"] += time.perf_counter() - clock
            del eig, Q, coef
            bar.update()
        clock = time.perf_counter()
        v = v_sum / p.ensemble if p.ensemble > 1 else v_sum
        test = be.to_numpy(be.sum_sq_weighted(lam, v))
        if X_h is None:
            train = test + p.sigma**2
        else:
            r = be.matmul(X, v) + be.asarray(p.sigma * eps_h)[:, None]
            train = be.to_numpy((r * r).sum(0)) / X_h.shape[0]
        seconds["curves"] += time.perf_counter() - clock
        return test, train

    # ------------------------------------------------------------------ online
    def _online_literal(self, optimizer: Optimizer):
        p = self.problem
        lam_h, wstar_h, M = p.eigenvalues, p.target_weights, p.eigenvalues.size
        test = np.empty((len(p.streams), p.times.size))
        train = np.empty_like(test)
        with progress_bar(len(p.streams), "simulate sgd (literal)", p.progress, unit="run") as bar:
            for i, st in enumerate(p.streams):
                Y_h = _draw_projection(st.projections[0], p.N, M)
                A_scaled = Y_h if Y_h is not None else np.eye(M)
                test[i], train[i] = literal_sgd(
                    lam_h, wstar_h, A_scaled, optimizer.eta,  # type: ignore[attr-defined]
                    optimizer.batch_size, p.sigma, p.times, st.sgd,  # type: ignore[attr-defined]
                )
                bar.update()
        return test, train, {}

    def _sgd_modes(self, optimizer: Optimizer):
        """Each draw's projected covariance in whitened SGD coordinates, checked for stability."""
        p = self.problem
        be = p.backend
        lam_h, wstar_h, M = p.eigenvalues, p.target_weights, p.eigenvalues.size
        lam, wstar = be.asarray(lam_h), be.asarray(wstar_h)
        modes = []
        with progress_bar(len(p.streams), "diagonalise", p.progress, unit="run") as bar:
            for st in p.streams:
                Y_h = _draw_projection(st.projections[0], p.N, M)
                Y = None if Y_h is None else be.asarray(Y_h)
                eig = decompose(be, p.route, lam, wstar, None, None, Y)
                m = sgd_modes(eig.mu, eig.c, np.sqrt(lam_h) * wstar_h, be.to_numpy)
                optimizer.check_draw(m.mu)  # type: ignore[attr-defined]
                modes.append(m)
                bar.update()
        return modes


def _draw_data(stream, P, M, lam_h, wstar_h, sigma):
    """Training inputs X = Z Lambda^{1/2} (P x M), noise eps and labels y = X w* + sigma eps."""
    if P is None or not math.isfinite(P):
        return None, None, None
    X = stream.data.standard_normal((int(P), M))
    eps = stream.data.standard_normal(int(P))
    X *= np.sqrt(lam_h)
    y = matmul(X, wstar_h) + sigma * eps  # SciPy's BLAS, as every product here
    return X, eps, y


def _draw_projection(gen, N, M):
    """Scaled projection Y = A / sqrt(N) (N x M); None when N = inf."""
    if not math.isfinite(N):
        return None
    Y = gen.standard_normal((int(N), M))
    Y /= math.sqrt(N)
    return Y
