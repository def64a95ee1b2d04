r"""Literal, step-by-step training in the original coordinates (a slow reference).

These loops implement the update rules word for word, with no eigendecomposition,
so they are an independent check of the fast eigenbasis code:

* full-batch GD / heavy ball:
  :math:`w_{t+1} = w_t - \eta\,\Phi^\top(\Phi w_t - y)/P + \beta(w_t - w_{t-1})`;
* one-pass SGD: :math:`w_{t+1} = w_t - \eta\,\Phi_t^\top(\Phi_t w_t - y_t)/B` with a fresh
  batch :math:`\Phi_t = Z_t\Lambda^{1/2}A^\top/\sqrt N` each step.

Cost O(P N) (GD) or O(B M N) (SGD) per step: use them on small problems only.
"""

from __future__ import annotations

import numpy as np

from ..optimizers import slots_by_step

__all__ = ["literal_full_batch", "literal_sgd"]


def _losses(lam, wstar, A_scaled, w, X, y, sigma):
    v = wstar - A_scaled.T @ w
    test = float(np.sum(lam * v * v))
    if X is None:
        return test, test + sigma**2
    r = X @ (A_scaled.T @ w) - y
    return test, float(r @ r) / X.shape[0]


def literal_full_batch(lam, wstar, X, y, A_scaled, eta, beta, steps, sigma):
    """Heavy-ball GD (``beta = 0`` is plain GD) on the training set; returns (test, train) per step."""
    P = X.shape[0]
    Phi = X @ A_scaled.T
    h = Phi.T @ y / P
    w = np.zeros(A_scaled.shape[0])
    w_prev = w.copy()
    steps = np.asarray(steps, dtype=np.int64)
    test = np.empty(steps.size)
    train = np.empty(steps.size)
    want = slots_by_step(steps)
    for t in range(int(steps.max()) + 1):
        if t in want:
            te, tr = _losses(lam, wstar, A_scaled, w, X, y, sigma)
            for j in want[t]:
                test[j], train[j] = te, tr
        grad = Phi.T @ (Phi @ w) / P - h
        w, w_prev = w - eta * grad + beta * (w - w_prev), w
    return test, train


def literal_sgd(lam, wstar, A_scaled, eta, batch, sigma, steps, rng):
    """One-pass SGD with fresh Gaussian batches; returns (test, batch train loss) per step."""
    M = lam.size
    sq = np.sqrt(lam)
    w = np.zeros(A_scaled.shape[0])
    steps = np.asarray(steps, dtype=np.int64)
    test = np.empty(steps.size)
    train = np.empty(steps.size)
    want = slots_by_step(steps)
    for t in range(int(steps.max()) + 1):
        Xb = rng.standard_normal((batch, M)) * sq
        yb = Xb @ wstar + sigma * rng.standard_normal(batch)
        Phib = Xb @ A_scaled.T
        r = Phib @ w - yb
        if t in want:
            v = wstar - A_scaled.T @ w
            for j in want[t]:
                test[j] = float(np.sum(lam * v * v))
                train[j] = float(r @ r) / batch
        w = w - eta * Phib.T @ r / batch
    return test, train
