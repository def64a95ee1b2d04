r"""Exact simulation of the feature-learning model at population level (P = infinity).

Network :math:`f(x) = \frac1N w^\top B A_0\psi(x)`, :math:`A_0 \in \mathbb R^{N\times M}`
iid N(0, 1) and frozen, :math:`B(0) = I`, :math:`w(0) = 0`; error
:math:`v = w^* - A_0^\top B^\top w/N`, loss :math:`L = v^\top\Lambda v`,
:math:`g = A_0\Lambda v`, and GD with step :math:`\eta`:

.. math:: w \leftarrow w + \eta Bg, \qquad B \leftarrow B + \eta\frac{\gamma}{N} w g^\top.

Routes of :class:`FeatureLearningSimulator` (chosen by ``optimizer.simulate_with``):

* ``full_batch``, ``method="exact"``: one SVD
  :math:`\Lambda^{1/2}A_0^\top/\sqrt N = U\,\mathrm{diag}(\sigma)V^\top` per draw, then the
  reduced dynamics of :mod:`._reduction` on the nodes :math:`\mu = \sigma^2`,
  :math:`W = z^2`, :math:`z = U^\top\Lambda^{1/2}w^*`, floor
  :math:`|\Lambda^{1/2}w^* - Uz|^2` (gradient flow: exponential integrator; GD: the
  reduced map). N = infinity means :math:`A_0^\top A_0/N = I`: nodes are the teacher's modes.
* ``full_batch``, ``method="literal"``: GD on :math:`(w, B)` word for word (O(NM) per step).
* ``online`` (one-pass SGD, ``method="literal"``): :math:`\Lambda v` replaced by
  :math:`\frac1B\sum_\mu \psi_\mu (y_\mu - f(x_\mu))` on a fresh Gaussian batch each step.

The projection of run i is drawn exactly as the random-feature simulator draws it
(same seed streams), so at :math:`\gamma = 0` the curves equal
:func:`scaling_dynamics.simulate.simulate`'s at P = infinity to round-off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...optimizers import Optimizer, slots_by_step
from ...simulate._seeding import RunStreams
from ._reduction import Nodes, flow_losses, gd_losses

__all__ = ["FLProblem", "FeatureLearningSimulator", "draw_nodes", "literal_gd", "literal_sgd"]


@dataclass(frozen=True)
class FLProblem:
    """Validated inputs of one feature-learning simulation."""

    eigenvalues: np.ndarray
    target_weights: np.ndarray
    sigma: float
    gamma: float
    N: float
    times: np.ndarray
    method: str
    streams: list[RunStreams]
    rel_step: float


def draw_projection(stream: RunStreams, N: float, M: int) -> np.ndarray | None:
    """:math:`A_0` (N x M) of one run, from the stream the random-feature simulator uses."""
    if not math.isfinite(N):
        return None
    return stream.projections[0].standard_normal((int(N), M))


def draw_nodes(lam: np.ndarray, wstar: np.ndarray, A0: np.ndarray | None) -> Nodes:
    r"""The reduced problem of one draw: :math:`\mu = \sigma^2`, :math:`W = z^2` and the floor."""
    target = np.sqrt(lam) * wstar
    if A0 is None:
        return Nodes(lam.copy(), target**2)
    N = A0.shape[0]
    Y = (np.sqrt(lam)[:, None] * A0.T) / math.sqrt(N)  # M x N
    U, sv, _ = np.linalg.svd(Y, full_matrices=False)
    z = U.T @ target
    floor = float(np.sum((target - U @ z) ** 2))
    return Nodes(sv**2, z**2, floor)


class FeatureLearningSimulator:
    """The feature-learning model's simulation routes; each returns ``(test, train, diag)``."""

    def __init__(self, problem: FLProblem) -> None:
        self.problem = problem

    def full_batch(self, optimizer: Optimizer) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """Population GD or gradient flow (reduced, or literal GD on (w, B))."""
        p = self.problem
        lam, wstar, M = p.eigenvalues, p.target_weights, p.eigenvalues.size
        test = np.empty((len(p.streams), p.times.size))
        mu_max = []
        for i, st in enumerate(p.streams):
            A0 = draw_projection(st, p.N, M)
            if p.method == "literal":
                eta = optimizer.heavy_ball_form[0]  # type: ignore[attr-defined]
                test[i] = literal_gd(lam, wstar, A0, p.gamma, eta, p.times)
                continue
            nodes = draw_nodes(lam, wstar, A0)
            mu_max.append(float(nodes.mu.max()))
            if optimizer.discrete:
                optimizer.check_stability(mu_max[-1])
                eta = optimizer.heavy_ball_form[0]  # type: ignore[attr-defined]
                test[i] = gd_losses(nodes, p.gamma, eta, p.times)
            else:
                test[i] = flow_losses(nodes, p.gamma, p.times, rel_step=p.rel_step,
                                      first_step=min(1e-3, p.rel_step / 10))
        return test, test + p.sigma**2, {"mu_max": mu_max}

    def online(self, optimizer: Optimizer) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """One-pass SGD on (w, B) with fresh Gaussian batches (literal)."""
        p = self.problem
        lam, wstar, M = p.eigenvalues, p.target_weights, p.eigenvalues.size
        test = np.empty((len(p.streams), p.times.size))
        train = np.empty_like(test)
        for i, st in enumerate(p.streams):
            A0 = draw_projection(st, p.N, M)
            test[i], train[i] = literal_sgd(
                lam, wstar, A0, p.gamma, optimizer.eta, optimizer.batch_size,  # type: ignore[attr-defined]
                p.sigma, p.times, st.sgd)
        return test, train, {}


def _error(wstar: np.ndarray, A0: np.ndarray, B: np.ndarray, w: np.ndarray) -> np.ndarray:
    """:math:`v = w^* - A_0^\\top B^\\top w/N`."""
    return wstar - A0.T @ (B.T @ w) / A0.shape[0]


def literal_gd(lam, wstar, A0, gamma, eta, steps, *, state: dict | None = None) -> np.ndarray:
    """GD on (w, B) word for word; test loss per requested step (``state`` gets the final w, B)."""
    N = A0.shape[0]
    w = np.zeros(N)
    B = np.eye(N)
    want = slots_by_step(steps)
    loss = np.empty(len(steps))
    last = int(max(want)) if want else 0
    for n in range(last + 1):
        v = _error(wstar, A0, B, w)
        for j in want.get(n, ()):
            loss[j] = float(np.sum(lam * v * v))
        if n == last:
            break
        g = A0 @ (lam * v)
        w, B = w + eta * (B @ g), B + (eta * gamma / N) * np.outer(w, g)
    if state is not None:
        state.update(w=w, B=B)
    return loss


def literal_sgd(lam, wstar, A0, gamma, eta, batch, sigma, steps, rng, *,
                state: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""One-pass SGD on (w, B): :math:`g = A_0\frac1B\sum_\mu\psi_\mu(y_\mu - f(x_\mu))`.

    The batches are drawn as the random-feature literal SGD draws them (features, then
    label noise), so at :math:`\gamma = 0` the two runs see the same samples.
    """
    N, M = A0.shape
    sq = np.sqrt(lam)
    w = np.zeros(N)
    B = np.eye(N)
    want = slots_by_step(steps)
    test = np.empty(len(steps))
    train = np.empty(len(steps))
    for n in range(int(max(want)) + 1 if want else 0):
        X = rng.standard_normal((batch, M)) * sq
        y = X @ wstar + sigma * rng.standard_normal(batch)
        u = A0.T @ (B.T @ w) / N  # the student's weights on psi
        res = y - X @ u
        if n in want:
            v = wstar - u
            for j in want[n]:
                test[j] = float(np.sum(lam * v * v))
                train[j] = float(res @ res) / batch
        g = A0 @ (X.T @ res) / batch
        w, B = w + eta * (B @ g), B + (eta * gamma / N) * np.outer(w, g)
    if state is not None:
        state.update(w=w, B=B)
    return test, train
