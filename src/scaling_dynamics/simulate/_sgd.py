r"""One-pass SGD, simulated exactly in law in the eigenbasis of the projected covariance.

Whiten the error, :math:`\tilde v = \Lambda^{1/2} v`; one SGD step with a fresh
batch :math:`Z_t` (B x M, iid standard normal) is

.. math:: \tilde v \leftarrow \tilde v - \frac{\eta}{B}\, S\, Z_t^\top (Z_t \tilde v - \sigma\epsilon_t),
          \qquad S = \Lambda^{1/2} F \Lambda^{1/2} = U\operatorname{diag}(\mu)U^\top,

with :math:`F = A^\top A/N`. In :math:`y = U^\top\tilde v` the batch :math:`Z_t U`
is again iid normal, so only the r non-null modes move; the null modes (present
when N < M) act as extra label noise of variance :math:`|y_{null}|^2`. For the
non-null part, :math:`Z^\top u` with :math:`u = Z y - e` has the law of
:math:`\hat y\,(z\cdot u) + |u|\,(I - \hat y\hat y^\top) g` with :math:`z` (B), :math:`g` (r)
standard normal: each step costs O(r + B) random numbers instead of O(B M).

Test loss :math:`L = |y|^2 + |y_{null}|^2` (excess). Train loss at step t is the
mean squared error of the batch drawn at step t, before its update (its
expectation is :math:`L_t + \sigma^2`).

``method="expected"`` instead iterates the exact average over batches given the
projection (optimizers.md section 3):
:math:`D_i \leftarrow p(\mu_i) D_i + \frac{\eta^2}{B}\mu_i^2 (L + \sigma^2)`,
:math:`p(\mu) = (1-\eta\mu)^2 + \eta^2\mu^2/B`, :math:`L = \sum_i D_i + L_{null}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from ..optimizers import slots_by_step

__all__ = ["SGDModes", "sgd_modes", "run_sgd_sample", "run_sgd_expected"]

_NULL_RTOL = 1e-12


@dataclass
class SGDModes:
    """Non-null eigenvalues ``mu`` of S, initial coordinates ``y0`` and the null-space loss."""

    mu: np.ndarray
    y0: np.ndarray
    null_loss: float


def sgd_modes(mu: np.ndarray, c: Any, wstar_white: np.ndarray, to_numpy: Any) -> SGDModes:
    """Convert a P = inf eigensystem of :math:`K = Y\\Lambda Y^\\top` to the whitened SGD coordinates.

    ``primal`` route: the eigenvectors of S are :math:`\\Lambda^{1/2} Y^\\top U/\\sqrt{\\mu}`, so
    :math:`y_0 = c/\\sqrt{\\mu}`. ``modes``/``diagonal`` routes eigendecompose a matrix similar to
    S through an orthogonal change of basis with the same :math:`y_0 = c/\\sqrt{\\mu}`.
    Modes with :math:`\\mu < 10^{-12}\\mu_{max}` are treated as null (they would need more than
    :math:`10^{12}` steps to move).
    """
    c = np.asarray(to_numpy(c), dtype=np.float64)
    initial = float(np.sum(wstar_white**2))
    keep = mu > _NULL_RTOL * (mu.max() if mu.size else 0.0)
    # The sign of each eigenvector is arbitrary; fixing y0 >= 0 (a reflection, under which the
    # batch noise is invariant in law) makes the sampled paths the same on every backend.
    y0 = np.abs(c[keep]) / np.sqrt(mu[keep])
    null = max(initial - float(np.sum(y0**2)), 0.0)
    return SGDModes(mu=mu[keep], y0=y0, null_loss=null)


def run_sgd_expected(
    modes: list[SGDModes], eta: float, batch: int, sigma: float, steps: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exact expected test loss given each projection; returns (test, train) of shape (runs, n_times)."""
    r = max(m.mu.size for m in modes)
    mu = np.zeros((len(modes), r))
    D = np.zeros_like(mu)
    for i, m in enumerate(modes):
        mu[i, : m.mu.size] = m.mu
        D[i, : m.mu.size] = m.y0**2
    null = np.array([m.null_loss for m in modes])
    p = (1.0 - eta * mu) ** 2 + eta**2 * mu**2 / batch
    kick = eta**2 * mu**2 / batch
    test = np.empty((len(modes), steps.size))
    order = np.argsort(steps, kind="stable")
    t = 0
    for j in order:
        target = int(steps[j])
        while t < target:
            L = D.sum(axis=1) + null
            D = p * D + kick * (L + sigma**2)[:, None]
            t += 1
        test[:, j] = D.sum(axis=1) + null
    return test, test + sigma**2


def run_sgd_sample(
    modes: list[SGDModes],
    rngs: list[np.random.Generator],
    eta: float,
    batch: int,
    sigma: float,
    steps: np.ndarray,
    on_step: Callable[[int], None] | None = None,
    block: int = 256,
) -> tuple[np.ndarray, np.ndarray]:
    """Stochastic SGD runs (one per projection, each with its own generator).

    Returns (test, train) of shape (runs, n_times). Random numbers are drawn in
    blocks of ``block`` steps per run, so each run's draws depend only on its own
    generator.
    """
    n_runs = len(modes)
    r = max(m.mu.size for m in modes)
    mu = np.zeros((n_runs, r))
    y = np.zeros_like(mu)
    for i, m in enumerate(modes):
        mu[i, : m.mu.size] = m.mu
        y[i, : m.mu.size] = m.y0
    noise_sd = np.sqrt(sigma**2 + np.array([m.null_loss for m in modes]))[:, None]
    null = np.array([m.null_loss for m in modes])
    scale = eta / batch
    t_max = int(steps.max()) if steps.size else 0
    record = slots_by_step(steps.astype(np.int64))
    test = np.empty((n_runs, steps.size))
    train = np.empty((n_runs, steps.size))
    z_blk = e_blk = g_blk = None
    for t in range(t_max + 1):
        k = t % block
        if k == 0:
            n = min(block, t_max + 1 - t)
            z_blk = np.stack([g.standard_normal((n, batch)) for g in rngs], axis=1)
            e_blk = np.stack([g.standard_normal((n, batch)) for g in rngs], axis=1)
            g_blk = np.stack([g.standard_normal((n, r)) for g in rngs], axis=1)
        z = z_blk[k]
        e = e_blk[k] * noise_sd
        ny = np.sqrt(np.einsum("ij,ij->i", y, y))
        u = ny[:, None] * z - e
        if t in record:
            L = ny**2 + null
            batch_loss = np.einsum("ij,ij->i", u, u) / batch
            for j in record[t]:
                test[:, j] = L
                train[:, j] = batch_loss
        if t == t_max:
            break
        safe = np.where(ny > 0, ny, 1.0)
        yhat = y / safe[:, None]
        g = g_blk[k]
        zu = np.einsum("ij,ij->i", z, u)
        nu = np.sqrt(np.einsum("ij,ij->i", u, u))
        proj = np.einsum("ij,ij->i", yhat, g)
        ztu = yhat * zu[:, None] + nu[:, None] * (g - yhat * proj[:, None])
        y -= scale * mu * ztu
        if on_step is not None and (t + 1) % 1000 == 0:
            on_step(1000)
    if not np.all(np.isfinite(test)):
        raise InvalidParameterError(
            "one-pass SGD diverged (non-finite loss); reduce `eta` (see the stability limit "
            "eta * mu_max < 2B/(B+1) and the noise condition in docs/conventions.md)."
        )
    return test, train
